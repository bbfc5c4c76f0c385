"""``backpain package``: a lean Lambda zip that works on its own and builds reproducibly.

Building runs pip against PyPI (the pinned wheels of lambda/requirements.txt), as a
maintainer's build does; pip's cache makes the second build quick.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skill import envelopes
from skill.cli import main
from skill.package import RUNTIME_MODULES, Package, PackageError, build

ROOT = Path(__file__).resolve().parent.parent

# Run inside a fresh interpreter with nothing but the unpacked zip (and the standard
# library) on the path: -S skips site-packages, -E ignores PYTHONPATH and friends. It holds
# a conversation as Alexa does: each request carries the last response's session attributes.
LAMBDA_RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function
envelope, requests = json.loads(sys.stdin.read())
for request in requests:
    envelope["request"] = dict(envelope["request"], **request)
    response = lambda_function.lambda_handler(envelope, None)
    print(json.dumps(response))
    envelope["session"] = dict(envelope["session"], new=False)
    envelope["session"]["attributes"] = response.get("sessionAttributes", {})
outside = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {"requests", "flask", "click", "cryptography", "certifi", "tests"}
)
print(json.dumps({"outside": outside, "path": sys.path}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Package, Path]:
    folder = tmp_path_factory.mktemp("package")
    package = build(ROOT, folder / "lambda.zip", unpacked=folder / "unpacked")
    return package, folder


def _names(package: Package) -> list[str]:
    with zipfile.ZipFile(package.path) as archive:
        return archive.namelist()


def test_building_twice_gives_the_same_bytes(built: tuple[Package, Path], tmp_path: Path) -> None:
    first, _ = built
    second = build(ROOT, tmp_path / "again.zip")
    assert second.sha256 == first.sha256
    assert second.size == first.size


def test_the_zip_holds_the_handler_the_runtime_modules_and_the_content(
    built: tuple[Package, Path],
) -> None:
    names = set(_names(built[0]))
    assert "lambda_function.py" in names
    assert {f"skill/{module}" for module in RUNTIME_MODULES} <= names
    content = sorted(p.name for p in (ROOT / "skill" / "content").glob("*.toml"))
    assert {f"skill/content/{name}" for name in content} <= names
    screens = sorted(p.name for p in (ROOT / "skill" / "content" / "apl").glob("*.json"))
    assert screens
    assert {f"skill/content/apl/{name}" for name in screens} <= names
    assert any(name.startswith("ask_sdk_core/") for name in names)


@pytest.mark.parametrize(
    "left_out",
    [
        "skill/web.py",
        "skill/verify.py",
        "skill/cli.py",
        "skill/chat.py",
        "skill/nlu.py",
        "skill/envelopes.py",
        "skill/package.py",
        "skill/validate.py",
        "flask/",
        "click/",
        "cryptography/",
        "requests/",
        "tzdata/",
        "tests/",
        "pytest/",
    ],
)
def test_nothing_the_lambda_does_not_need_goes_in(
    built: tuple[Package, Path], left_out: str
) -> None:
    assert not [name for name in _names(built[0]) if name.startswith(left_out)]


def test_no_bytecode_goes_in(built: tuple[Package, Path]) -> None:
    assert not [n for n in _names(built[0]) if "__pycache__" in n or n.endswith(".pyc")]


def test_entries_are_sorted_dated_and_permissioned_the_same_every_time(
    built: tuple[Package, Path],
) -> None:
    with zipfile.ZipFile(built[0].path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_every_dependency_is_pure_python_so_one_zip_suits_both_architectures(
    built: tuple[Package, Path],
) -> None:
    # The run below uses this machine's interpreter; with no compiled code in the zip,
    # that proves the same for Lambda's arm64 and x86_64 runtimes.
    compiled = [n for n in _names(built[0]) if n.endswith((".so", ".pyd", ".dylib"))]
    assert compiled == []


def _converse(
    unpacked: Path, requests: list[dict[str, Any]], session: envelopes.Session | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    envelope = (session or envelopes.Session()).envelope(envelopes.launch_request())
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-c", LAMBDA_RUNNER, str(unpacked)],
        input=json.dumps([envelope, requests]),
        capture_output=True,
        text=True,
        cwd=unpacked,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *responses, report = [json.loads(line) for line in done.stdout.splitlines()]
    return responses, report


def test_the_unpacked_zip_alone_answers_a_whole_conversation(
    built: tuple[Package, Path], tmp_path: Path
) -> None:
    with zipfile.ZipFile(built[0].path) as archive:
        archive.extractall(tmp_path / "task")
    said = [
        envelopes.launch_request(),
        envelopes.intent_request("ScanIntent"),
        envelopes.intent_request("AMAZON.YesIntent"),  # to "check for warning signs?"
        envelopes.intent_request("AMAZON.YesIntent"),  # to the first warning sign
    ]
    responses, report = _converse(tmp_path / "task", said)
    speech = [r["response"].get("outputSpeech", {}).get("ssml", "") for r in responses]
    ended = [r["response"].get("shouldEndSession") for r in responses]
    assert "Welcome to back pain helper" in speech[0]
    assert "scan" in speech[1]
    assert "warning signs" in speech[2]
    assert speech[3].startswith("<speak>Phone <say-as")
    assert ended == [False, False, False, True]
    assert report["outside"] == []
    assert [p for p in report["path"] if "site-packages" in p] == []


def test_the_cli_prints_size_and_sha256(tmp_path: Path) -> None:
    output = tmp_path / "cli.zip"
    result = CliRunner().invoke(main, ["package", "--output", str(output), "--arch", "x86_64"])
    assert result.exit_code == 0, result.output
    assert "sha256" in result.output and "MB" in result.output
    assert output.is_file()


def test_an_unsupported_runtime_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackageError):
        build(ROOT, tmp_path / "x.zip", runtime="3.9")


def test_the_unpacked_zip_alone_shows_an_echo_show_its_screens(
    built: tuple[Package, Path], tmp_path: Path
) -> None:
    with zipfile.ZipFile(built[0].path) as archive:
        archive.extractall(tmp_path / "task")
    show = envelopes.Session(interfaces=envelopes.APL_INTERFACE)
    said = [envelopes.launch_request(), envelopes.intent_request("CheckSymptomsIntent")]
    responses, report = _converse(tmp_path / "task", said, show)
    layouts = [
        directive["datasources"]["payload"]["layout"]
        for response in responses
        for directive in response["response"]["directives"]
    ]
    assert layouts == ["topic", "question"]
    assert report["outside"] == []
