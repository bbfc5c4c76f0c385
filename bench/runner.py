"""``make bench``: the skill against the idiomatic hello world and the floor, in one run.

Everything is measured on this machine in one invocation, interleaved (skill, baseline, floor,
then the next round in a rotated order) so that machine noise falls on all of them alike:

1. Lambda cold start: fresh processes from the unpacked zips, bytecode writing off, as Lambda
   runs them from a read-only /var/task (see bench/child.py), to the first response to a
   LaunchRequest from an Echo Show: total, import and first-request time, peak RSS. Then the
   same with precompiled bytecode on both sides (``backpain package --bytecode``).
2. Lambda warm: per-request latency of ``lambda_handler(event, None)`` over the mix (bench/mix.py).
3. Package size: ``backpain package`` against ``pip install ask-sdk-core`` plus the handler.
4. Web: gunicorn, 2 workers, our app with verification ON (signed requests, cached chain)
   against the baseline on flask-ask-sdk with verification OFF, loaded from another process.

Every figure of the skill is printed as a ratio to the baseline, with the issue's targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from skill import package

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CHILD = BENCH / "child.py"
LOAD = BENCH / "load.py"
BASELINE_REQUIREMENT = "ask-sdk-core==1.19.0"
SKILL, BASELINE, FLOOR = "skill", "baseline", "floor"
SKILL_PYC, BASELINE_PYC = "skill+pyc", "baseline+pyc"
BASELINE_NO_PYC = "baseline without .pyc"
INTERPRETER = "python -c pass"
FLOOR_HANDLER = '''"""The floor: what any Lambda handler pays, a JSON round trip of the envelope."""
import json


def lambda_handler(event, context):
    return json.loads(json.dumps(event))
'''


def log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


@dataclass
class Options:
    cold: int = 20
    warm: int = 2000
    web_seconds: float = 3.0
    web_threads: int = 4
    web_rounds: int = 3
    python: str = sys.executable
    web: bool = True
    json_path: Path | None = None
    work: Path = ROOT / "build" / "bench"


@dataclass
class Results:
    cold: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    warm: dict[str, list[int]] = field(default_factory=dict)
    warm_rss_kib: dict[str, int] = field(default_factory=dict)
    zip_bytes: dict[str, int] = field(default_factory=dict)
    web: dict[str, dict[str, float]] = field(default_factory=dict)
    events: int = 0
    seconds: float = 0.0


# -- the trees: our zip, the baseline's, the floor -----------------------------------------


def _run(command: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, command))} failed:\n{done.stderr}")
    return done


def _zip_size(tree: Path, *, bytecode: bool) -> int:
    """The tree zipped as `zip -r` does (deflate, level 6), with or without __pycache__."""
    archive = tree.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and (bytecode or "__pycache__" not in path.parts):
                out.write(path, path.relative_to(tree).as_posix())
    return archive.stat().st_size


def _copy_source(tree: Path, destination: Path) -> None:
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(tree, destination, ignore=shutil.ignore_patterns("__pycache__"))


def build_trees(options: Options, results: Results) -> dict[str, Path]:
    work = options.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    trees: dict[str, Path] = {}

    log("building the skill's zip (backpain package)")
    built = package.build(ROOT, work / "skill.zip", unpacked=work / SKILL)
    trees[SKILL] = work / SKILL
    results.zip_bytes[SKILL] = built.size

    log(f"building the baseline's zip (pip install {BASELINE_REQUIREMENT} + the handler)")
    typical = work / "baseline-pip"
    _run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("--target", typical, BASELINE_REQUIREMENT),
        ]
    )
    shutil.copy2(BENCH / "baseline_skill.py", typical / "lambda_function.py")
    # As a developer zips it: pip's defaults write .pyc files for the interpreter that ran it.
    results.zip_bytes[BASELINE] = _zip_size(typical, bytecode=True)
    results.zip_bytes[BASELINE_NO_PYC] = _zip_size(typical, bytecode=False)
    trees[BASELINE] = work / BASELINE
    _copy_source(typical, trees[BASELINE])

    floor = work / FLOOR
    floor.mkdir()
    (floor / "lambda_function.py").write_text(FLOOR_HANDLER, encoding="utf-8")
    trees[FLOOR] = floor

    log(f"precompiling both trees for {options.python}")
    trees[SKILL_PYC] = work / SKILL_PYC
    _copy_source(trees[SKILL], trees[SKILL_PYC])
    package.compile_bytecode(trees[SKILL_PYC], options.python)
    results.zip_bytes[SKILL_PYC] = _zip_size(trees[SKILL_PYC], bytecode=True)
    trees[BASELINE_PYC] = work / BASELINE_PYC
    _copy_source(trees[BASELINE], trees[BASELINE_PYC])
    # What pip does for the baseline: timestamp-checked .pyc, compiled in place.
    _run([options.python, "-m", "compileall", "-q", "-j", "0", trees[BASELINE_PYC]])
    return trees


# -- the request mix ----------------------------------------------------------------------


def write_events(options: Options, results: Results) -> Path:
    from bench import mix
    from skill.alexa import create_skill, handle_event
    from skill.content_model import default_content
    from skill.envelopes import DEFAULT_SKILL_ID

    skill = create_skill()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_event(skill, event, context, skill_id=DEFAULT_SKILL_ID)

    events = mix.build(handler, len(default_content().questions))
    results.events = len(events)
    path = options.work / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


# -- Lambda: cold and warm processes --------------------------------------------------------


def _child_env() -> dict[str, str]:
    from skill.envelopes import DEFAULT_SKILL_ID

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SKILL_ID"))}
    env["SKILL_ID"] = DEFAULT_SKILL_ID
    return env


def _child(python: str, mode: str, tree: Path, events: Path) -> list[str]:
    return [python, "-S", "-E", "-B", str(CHILD), mode, str(tree), str(events)]


def cold_once(python: str, tree: Path | None, events: Path) -> dict[str, float]:
    """One fresh process; ``tree=None`` is the bare interpreter (``python -c pass``)."""
    env = _child_env()
    if tree is None:
        started = time.perf_counter()
        subprocess.run([python, "-S", "-E", "-B", "-c", "pass"], env=env, check=True)
        return {"total_ms": (time.perf_counter() - started) * 1000}
    command = _child(python, "cold", tree, events)
    started = time.perf_counter()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tree
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        total = time.perf_counter() - started
        errors = process.stderr.read()
    if process.returncode != 0 or not line:
        raise SystemExit(f"bench: cold run in {tree} failed:\n{errors.decode()}")
    result: dict[str, float] = json.loads(line)
    result["total_ms"] = total * 1000
    return result


def _rotated(items: Sequence[str], by: int) -> list[str]:
    by %= len(items)
    return [*items[by:], *items[:by]]


def run_cold(options: Options, trees: dict[str, Path], events: Path, results: Results) -> None:
    subjects = [SKILL, BASELINE, FLOOR, INTERPRETER, SKILL_PYC, BASELINE_PYC]
    log(f"cold start: {options.cold} fresh processes each for {', '.join(subjects)}")
    for subject in subjects:
        results.cold[subject] = []
    for n in range(options.cold):
        for subject in _rotated(subjects, n):
            tree = None if subject == INTERPRETER else trees[subject]
            results.cold[subject].append(cold_once(options.python, tree, events))


class WarmWorker:
    """A process that imported the handler once and answers timing commands."""

    def __init__(self, python: str, tree: Path, events: Path) -> None:
        self.process = subprocess.Popen(
            _child(python, "warm", tree, events),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_child_env(),
            cwd=tree,
            text=True,
        )
        self._expect("ready")

    def _io(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def _expect(self, word: str) -> None:
        line = self._io()[1].readline().strip()
        if line != word:
            raise SystemExit(f"bench: warm worker said {line!r}, not {word!r}")

    def _ask(self, command: str) -> Any:
        stdin, stdout = self._io()
        stdin.write(command + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise SystemExit(f"bench: warm worker stopped on {command!r}")
        return json.loads(line)

    def run(self, start: int, count: int) -> list[int]:
        durations: list[int] = self._ask(f"run {start} {count}")
        return durations

    def peak_rss_kib(self) -> int:
        return int(self._ask("rss"))

    def close(self) -> None:
        stdin, _ = self._io()
        stdin.close()
        self.process.wait(timeout=30)


def run_warm(options: Options, trees: dict[str, Path], events: Path, results: Results) -> None:
    subjects = [SKILL, BASELINE, FLOOR]
    log(f"warm: {options.warm} requests each, interleaved in chunks, after one warm-up pass")
    workers = {s: WarmWorker(options.python, trees[s], events) for s in subjects}
    try:
        for worker in workers.values():
            worker.run(0, results.events)  # warm-up, discarded: the first request is cold
        chunk = min(100, options.warm)
        done = {s: 0 for s in subjects}
        results.warm = {s: [] for s in subjects}
        n = 0
        while min(done.values()) < options.warm:
            for subject in _rotated(subjects, n):
                count = min(chunk, options.warm - done[subject])
                if count > 0:
                    results.warm[subject] += workers[subject].run(done[subject], count)
                    done[subject] += count
            n += 1
        results.warm_rss_kib = {s: w.peak_rss_kib() for s, w in workers.items()}
    finally:
        for worker in workers.values():
            worker.close()


# -- the web path -------------------------------------------------------------------------


def _signing() -> ModuleType:
    """tests/signing.py: the test CA that signs requests as Alexa does."""
    spec = importlib.util.spec_from_file_location("signing", ROOT / "tests" / "signing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["signing"] = module
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _no_control_socket() -> list[str]:
    """gunicorn 27 and later open a control socket in ~/.gunicorn unless told not to."""
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


def _healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


@contextmanager
def gunicorn(app: str, env: dict[str, str], logs: Path) -> Iterator[int]:
    port = _free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"),
        *_no_control_socket(),
        app,
    ]
    with logs.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr)
    try:
        deadline = time.monotonic() + 30
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: {app} did not start:\n{logs.read_text()}")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _load(port: int, seconds: float, threads: int, requests: Path) -> dict[str, Any]:
    command: list[str | Path] = [sys.executable, "-S", "-E", LOAD, str(port), str(seconds)]
    command += [str(threads), requests]
    report: dict[str, Any] = json.loads(_run(command).stdout)
    if report["errors"]:
        raise SystemExit(f"bench: {report['errors']} failed requests: {report['first_error']}")
    return report


def _signed_requests(events: Path, work: Path) -> tuple[Path, dict[str, str]]:
    """Every mix envelope stamped now and signed by a test CA; the files the app trusts."""
    signing = _signing()
    now = dt.datetime.now(dt.UTC)
    authority = signing.Authority()
    leaf = authority.leaf(
        not_before=now - dt.timedelta(hours=1), not_after=now + dt.timedelta(hours=1)
    )
    (work / "chain.pem").write_bytes(leaf.chain_pem)
    (work / "root.pem").write_bytes(signing.pem(authority.root))
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    requests = []
    for event in json.loads(events.read_text(encoding="utf-8")):
        event["request"]["timestamp"] = stamp
        body = json.dumps(event).encode("utf-8")
        requests.append([leaf.headers(body), body.decode("latin-1")])
    path = work / "requests.json"
    path.write_text(json.dumps(requests), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SKILL_ID"}
    env["PYTHONPATH"] = str(ROOT)
    env["BENCH_CHAIN_PEM"] = str(work / "chain.pem")
    env["BENCH_ROOT_PEM"] = str(work / "root.pem")
    return path, env


def _status(port: int, headers: dict[str, str], body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/alexa", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def _check_verification_is_on(port: int, requests: Path) -> None:
    """The skill's app must answer a signed request and refuse the same one tampered with."""
    headers, text = json.loads(requests.read_text(encoding="utf-8"))[0]
    body = text.encode("latin-1")
    statuses = (_status(port, headers, body), _status(port, headers, body + b" "))
    if statuses != (200, 400):
        raise SystemExit(f"bench: verification is not working as it should: {statuses}")


def run_web(options: Options, events: Path, results: Results) -> None:
    work = options.work / "web"
    work.mkdir()
    requests, env = _signed_requests(events, work)
    apps = {SKILL: "bench.web_apps:skill_app()", BASELINE: "bench.web_apps:baseline_app()"}
    log(
        f"web: gunicorn, 2 workers each, {options.web_threads} client threads, "
        f"{options.web_seconds:g} s each, in {options.web_rounds} interleaved rounds"
    )
    reports: dict[str, list[dict[str, Any]]] = {SKILL: [], BASELINE: []}
    with (
        gunicorn(apps[SKILL], env, work / "skill.log") as skill_port,
        gunicorn(apps[BASELINE], env, work / "baseline.log") as baseline_port,
    ):
        ports = {SKILL: skill_port, BASELINE: baseline_port}
        _check_verification_is_on(skill_port, requests)
        for port in ports.values():  # warm-up: chain fetched, every path imported
            _load(port, min(0.5, options.web_seconds), options.web_threads, requests)
        seconds = options.web_seconds / options.web_rounds
        for n in range(options.web_rounds):
            for subject in _rotated([SKILL, BASELINE], n):
                report = _load(ports[subject], seconds, options.web_threads, requests)
                reports[subject].append(report)
    for subject, runs in reports.items():
        latencies = sorted(us for run in runs for us in run["latencies_us"])
        count = sum(run["requests"] for run in runs)
        seconds = sum(run["seconds"] for run in runs)
        results.web[subject] = {
            "rps": count / seconds,
            "p50_ms": _percentile(latencies, 50) / 1000,
            "p99_ms": _percentile(latencies, 99) / 1000,
            "requests": count,
        }


# -- the report ---------------------------------------------------------------------------


def _percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * percent // 100))
    return values[int(rank) - 1]


@dataclass(frozen=True)
class Target:
    """The issue's target for a ratio skill/baseline, and its stretch if it has one."""

    limit: float
    stretch: float | None = None
    at_least: bool = False

    def verdict(self, ratio: float) -> str:
        def met(limit: float) -> str:
            ok = ratio >= limit if self.at_least else ratio <= limit
            return "met" if ok else "MISSED"

        sign = ">=" if self.at_least else "<="
        text = f"{sign} {self.limit:.1f} {met(self.limit)}"
        if self.stretch is not None:
            text += f"; stretch {sign} {self.stretch:.1f} {met(self.stretch)}"
        return text


@dataclass
class Row:
    label: str
    values: dict[str, float]
    digits: int = 1
    target: Target | None = None
    maxima: dict[str, float] | None = None
    """For a min-max row: the maxima, printed after ``values`` (the minima)."""

    @property
    def ratio(self) -> float | None:
        skill, baseline = self.values.get(SKILL), self.values.get(BASELINE)
        if skill is None or baseline is None or baseline == 0:
            return None
        return skill / baseline

    def cell(self, subject: str) -> str:
        value = self.values.get(subject)
        if value is None:
            return ""
        if self.maxima is not None:
            return f"{value:.0f}-{self.maxima[subject]:.0f}"
        return f"{value:.{self.digits}f}"


COLD_TARGET = Target(1.0, stretch=0.7)
RSS_TARGET = Target(1.1)


def _cold_rows(results: Results, skill: str, baseline: str, title: str) -> list[Row]:
    rows: list[Row] = []
    for key, label in (("total_ms", "total"), ("import_ms", "import"), ("first_ms", "first")):
        samples = {
            column: [run[key] for run in results.cold[source]]
            for column, source in ((SKILL, skill), (BASELINE, baseline), (FLOOR, FLOOR))
        }
        target = COLD_TARGET if key == "total_ms" and skill == SKILL else None
        medians = {column: statistics.median(v) for column, v in samples.items()}
        rows.append(Row(f"{title}: {label}, median ms", medians, target=target))
        rows.append(
            Row(
                f"{title}: {label}, min-max ms",
                {column: min(v) for column, v in samples.items()},
                maxima={column: max(v) for column, v in samples.items()},
            )
        )
    return rows


def build_rows(results: Results) -> list[Row]:
    rows = _cold_rows(results, SKILL, BASELINE, "cold")
    rss = {
        s: statistics.median(run["rss_kib"] for run in results.cold[s]) / 1024
        for s in (SKILL, BASELINE, FLOOR)
    }
    rows.append(Row("cold: peak RSS, MiB", rss, target=RSS_TARGET))
    interpreter = statistics.median(run["total_ms"] for run in results.cold[INTERPRETER])
    rows.append(Row("cold: python -S -E -B -c pass, median ms", {FLOOR: interpreter}))
    rows += _cold_rows(results, SKILL_PYC, BASELINE_PYC, "cold, both precompiled")
    targets = {50: Target(1.0, stretch=0.7), 99: Target(1.0)}
    for percent, label in ((50, "p50"), (90, "p90"), (99, "p99"), (100, "max")):
        values = {s: _percentile(sorted(v), percent) / 1000 for s, v in results.warm.items()}
        rows.append(Row(f"warm: {label}, µs", values, target=targets.get(percent)))
    peak = {s: kib / 1024 for s, kib in results.warm_rss_kib.items()}
    rows.append(Row("warm: peak RSS after the loop, MiB", peak, target=RSS_TARGET))
    size = results.zip_bytes
    rows.append(
        Row(
            "zip, MB (baseline as pip leaves it)",
            {SKILL: size[SKILL] / 1e6, BASELINE: size[BASELINE] / 1e6},
            digits=2,
            target=Target(1.0),
        )
    )
    rows.append(
        Row(
            "zip, MB (neither with .pyc)",
            {SKILL: size[SKILL] / 1e6, BASELINE: size[BASELINE_NO_PYC] / 1e6},
            digits=2,
        )
    )
    rows.append(
        Row(
            "zip, MB (both with .pyc)",
            {SKILL: size[SKILL_PYC] / 1e6, BASELINE: size[BASELINE] / 1e6},
            digits=2,
        )
    )
    if results.web:
        web = results.web
        rows.append(
            Row(
                "web: requests/s (skill verifying, baseline not)",
                {s: v["rps"] for s, v in web.items()},
                digits=0,
                target=Target(0.9, at_least=True),
            )
        )
        rows.append(Row("web: p50, ms", {s: v["p50_ms"] for s, v in web.items()}, digits=2))
        rows.append(Row("web: p99, ms", {s: v["p99_ms"] for s, v in web.items()}, digits=2))
    return rows


def render(rows: list[Row]) -> str:
    width = max(len(r.label) for r in rows) + 2
    header = f"{'':{width}}{SKILL:>10}{BASELINE:>10}{FLOOR:>10}{'ratio':>8}  target"
    lines = [header, "-" * (len(header) + 30)]
    for row in rows:
        cells = "".join(f"{row.cell(s):>10}" for s in (SKILL, BASELINE, FLOOR))
        ratio = row.ratio
        ratio_text = f"{ratio:8.2f}" if ratio is not None else " " * 8
        verdict = row.target.verdict(ratio) if row.target and ratio is not None else ""
        lines.append(f"{row.label:<{width}}{cells}{ratio_text}  {verdict}".rstrip())
    return "\n".join(lines)


def describe_machine(options: Options) -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    version = _run([options.python, "-c", "import sys; print(sys.version.split()[0])"])
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {version.stdout.strip()} for the measured processes"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=20, help="fresh processes per subject")
    parser.add_argument("--warm", type=int, default=2000, help="warm requests per subject")
    parser.add_argument("--web-seconds", type=float, default=3.0, help="load time per app")
    parser.add_argument("--web-threads", type=int, default=4, help="client threads")
    parser.add_argument(
        "--web-rounds", type=int, default=3, help="alternations the web time is split into"
    )
    parser.add_argument("--no-web", dest="web", action="store_false", help="skip gunicorn")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for the Lambda processes"
    )
    parser.add_argument("--json", dest="json_path", type=Path, help="also write the figures")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    options = Options(**vars(parser.parse_args(argv)))
    if min(options.cold, options.warm, options.web_rounds, options.web_threads) < 1:
        parser.error("--cold, --warm, --web-rounds and --web-threads must be at least 1")
    started = time.perf_counter()
    results = Results()
    trees = build_trees(options, results)
    events = write_events(options, results)
    run_cold(options, trees, events, results)
    run_warm(options, trees, events, results)
    if options.web:
        run_web(options, events, results)
    results.seconds = time.perf_counter() - started
    rows = build_rows(results)
    print(f"machine: {describe_machine(options)}")
    print(
        f"run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {options.cold} cold processes "
        f"each, {options.warm} warm requests each over a mix of {results.events} Echo Show "
        f"envelopes, web {options.web_seconds:g} s per app; took {results.seconds:.0f} s"
    )
    print(render(rows))
    if options.json_path is not None:
        figures = {
            "rows": [
                {
                    "label": r.label,
                    "values": r.values,
                    "maxima": r.maxima,
                    "ratio": r.ratio,
                    "verdict": r.target.verdict(r.ratio) if r.target and r.ratio else None,
                }
                for r in rows
            ],
            "web": results.web,
            "zip_bytes": results.zip_bytes,
            "seconds": results.seconds,
        }
        options.json_path.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0
