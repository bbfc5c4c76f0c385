"""Where the time goes: ``python -m bench.profile`` after ``make bench``.

Cold: ``python -X importtime`` of a cold process (as bench/child.py runs it), each module's own
import time summed by where it comes from. Warm: cProfile over the request mix, each
function's own time summed the same way. Both for the skill and the baseline, from the trees
that the last ``make bench`` left in build/bench.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from bench.runner import BASELINE, CHILD, ROOT, SKILL, _child_env

# Checked in order: the first prefix that matches names the group.
GROUPS = (
    ("ask_sdk_model.interfaces.alexa.presentation.apl", "ask_sdk_model: APL models"),
    ("ask_sdk_model.services", "ask_sdk_model: service API models"),
    ("ask_sdk_model", "ask_sdk_model: other models"),
    ("ask_sdk_core.serialize", "SDK serializer"),
    ("ask_sdk_core", "ask_sdk_core"),
    ("ask_sdk_runtime", "ask_sdk_runtime"),
    ("dateutil", "dateutil"),
    ("six", "six"),
    ("skill.serializer", "skill: serializer"),
    ("skill.content_model", "skill: content"),
    ("skill", "skill: other"),
    ("lambda_function", "lambda_function"),
)
FILE_GROUPS = (
    ("/ask_sdk_core/serialize.py", "SDK serializer"),
    ("/skill/serializer.py", "skill: serializer"),
    ("/dateutil/", "dateutil"),
    ("/ask_sdk_runtime/", "ask_sdk_runtime: dispatch"),
    ("/ask_sdk_core/", "ask_sdk_core: handler input, response builder"),
    ("/ask_sdk_model/", "ask_sdk_model: model __init__"),
    ("/skill/handlers.py", "skill: handlers"),
    ("/skill/", "skill: conversation, speech"),
    ("/lambda_function.py", "lambda_function (the baseline's handlers)"),
    ("/logging/", "logging"),
    ("/copy.py", "copy.deepcopy"),
    ("/json/", "json"),
)

WARM_PROFILE = """
import cProfile, json, logging, os, pstats, sys
sys.path[0] = sys.argv[1]
handler = logging.StreamHandler(open(os.devnull, "w"))
logging.getLogger().addHandler(handler)
events = json.loads(open(sys.argv[2], "rb").read())
import lambda_function
for event in events:
    lambda_function.lambda_handler(event, None)
profile = cProfile.Profile()
profile.enable()
for n in range(int(sys.argv[3])):
    lambda_function.lambda_handler(events[n % len(events)], None)
profile.disable()
stats = pstats.Stats(profile)
for (path, line, name), (cc, nc, tottime, cumtime, callers) in stats.stats.items():
    print(f"{tottime}\\t{path}\\t{name}")
"""


def _module_group(module: str) -> str:
    for prefix, label in GROUPS:
        if module == prefix or module.startswith(prefix + "."):
            return label
    return "standard library"


def _file_group(path: str) -> str:
    for part, label in FILE_GROUPS:
        if part in path:
            return label
    return "other (builtins, standard library)"


def cold_profile(python: str, tree: Path, events: Path) -> dict[str, float]:
    command = [python, "-S", "-E", "-B", "-X", "importtime", str(CHILD), "cold", str(tree)]
    done = subprocess.run(
        [*command, str(events)],
        capture_output=True,
        text=True,
        env=_child_env(),
        cwd=tree,
        check=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, own, _, module = (part.strip() for part in line.replace(":", "|", 1).split("|"))
        totals[_module_group(module)] += int(own) / 1000
    return dict(totals)


def warm_profile(python: str, tree: Path, events: Path, requests: int) -> dict[str, float]:
    done = subprocess.run(
        [python, "-S", "-E", "-B", "-c", WARM_PROFILE, str(tree), str(events), str(requests)],
        capture_output=True,
        text=True,
        env=_child_env(),
        cwd=tree,
        check=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in done.stdout.splitlines():
        seconds, path, _ = line.split("\t")
        path = path.replace(str(tree), "")
        totals[_file_group(path)] += float(seconds)
    return dict(totals)


def _print_table(title: str, unit: str, columns: dict[str, dict[str, float]]) -> None:
    labels = sorted(
        {label for values in columns.values() for label in values},
        key=lambda label: -max(values.get(label, 0.0) for values in columns.values()),
    )
    print(f"\n{title}")
    print(f"{'':48}" + "".join(f"{name:>12}" for name in columns))
    for label in labels:
        cells = "".join(f"{values.get(label, 0.0):>12.1f}" for values in columns.values())
        print(f"{label:48}{cells}")
    totals = "".join(f"{sum(values.values()):>12.1f}" for values in columns.values())
    print(f"{'total, ' + unit:48}{totals}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--requests", type=int, default=3000)
    options = parser.parse_args(argv)
    events = options.work / "events.json"
    if not events.exists():
        parser.error(f"{events} is missing: run make bench first")
    trees = {name: options.work / name for name in (SKILL, BASELINE)}
    cold = {name: cold_profile(options.python, tree, events) for name, tree in trees.items()}
    _print_table("cold start: own import time by origin (-X importtime)", "ms", cold)
    warm = {
        name: warm_profile(options.python, tree, events, options.requests)
        for name, tree in trees.items()
    }
    per_request = {
        name: {label: seconds / options.requests * 1e6 for label, seconds in values.items()}
        for name, values in warm.items()
    }
    _print_table(
        f"warm: own time per request by origin (cProfile, {options.requests} requests; "
        "cProfile slows function calls, so compare shares, not totals)",
        "µs",
        per_request,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
