"""The benchmark runs, start to end, with tiny counts, so that it cannot rot; and the opt-in
precompiled bytecode of ``backpain package --bytecode`` is reproducible.

No test here asserts a time: the figures are for docs/performance.md, not for CI.
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skill import package
from skill.package import PackageError

ROOT = Path(__file__).resolve().parent.parent


def test_the_bench_runs_end_to_end_with_tiny_counts(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--cold", "1", "--warm", "5"),
            *("--web-seconds", "0.4", "--web-rounds", "1", "--web-threads", "2"),
            *("--work", str(tmp_path / "work"), "--json", str(figures)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for label in (
        "cold: total, median ms",
        "cold: peak RSS, MiB",
        "cold, both precompiled: total, median ms",
        "warm: p50, µs",
        "warm: p99, µs",
        "zip, MB (baseline as pip leaves it)",
        "web: requests/s",
    ):
        assert label in table
    rows = {row["label"]: row for row in json.loads(figures.read_text())["rows"]}
    for row in rows.values():
        assert row["values"], row["label"]
    # Every measured figure of the skill has a ratio to the baseline.
    assert rows["warm: p50, µs"]["ratio"] > 0
    assert rows["web: requests/s (skill verifying, baseline not)"]["ratio"] > 0
    assert "met" in rows["zip, MB (baseline as pip leaves it)"]["verdict"]


def test_the_baseline_is_a_working_hello_world() -> None:
    from skill import envelopes

    spec = importlib.util.spec_from_file_location("baseline", ROOT / "bench" / "baseline_skill.py")
    assert spec is not None and spec.loader is not None
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    show = envelopes.Session(interfaces=envelopes.APL_INTERFACE)
    said = baseline.lambda_handler(show.envelope(envelopes.launch_request()), None)
    assert "Welcome" in said["response"]["outputSpeech"]["ssml"]
    said = baseline.lambda_handler(show.envelope(envelopes.intent_request("ScanIntent")), None)
    assert "ScanIntent" in said["response"]["outputSpeech"]["ssml"]


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "lambda_function.py").write_text("NAMES = {'a', 'b', 'c', 'd'}\n")
    (tree / "pkg" / "__init__.py").write_text("X = frozenset({'x', 'y'}) | {1, 2}\n")
    return tree


def test_bytecode_is_unchecked_hash_with_task_paths_and_reproducible(tmp_path: Path) -> None:
    first, second = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    package.compile_bytecode(first, sys.executable)
    package.compile_bytecode(second, sys.executable)
    pycs = sorted(p.relative_to(first) for p in first.rglob("*.pyc"))
    assert len(pycs) == 2
    for relative in pycs:
        data = (first / relative).read_bytes()
        assert data == (second / relative).read_bytes()
        flags = int.from_bytes(data[4:8], "little")
        assert flags == 0b01  # hash-based, not checked against the source (PEP 552)
        code = marshal.loads(data[16:])
        assert code.co_filename.startswith(package.TASK_ROOT + "/")


def test_bytecode_needs_an_interpreter_of_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "version_info", (3, 11, 0))
    with pytest.raises(PackageError, match="--python"):
        package.interpreter_for("3.12")


def test_bytecode_refuses_an_interpreter_of_another_version() -> None:
    other = "3.13" if sys.version_info[:2] != (3, 13) else "3.12"
    with pytest.raises(PackageError, match=f"must be compiled by Python {other}"):
        package.interpreter_for(other, sys.executable)


def test_bytecode_build_for_this_interpreter_is_reproducible(tmp_path: Path) -> None:
    runtime = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if runtime not in package.RUNTIMES:
        pytest.skip(f"Python {runtime} is not a Lambda runtime this project builds for")
    one = package.build(ROOT, tmp_path / "one.zip", runtime=runtime, bytecode=True)
    two = package.build(ROOT, tmp_path / "two.zip", runtime=runtime, bytecode=True)
    assert one.sha256 == two.sha256
