"""What runs inside each measured process, started as Lambda starts a function.

Run as ``python -S -E -B bench/child.py MODE TREE EVENTS``: no site-packages, no PYTHON*
variables, no bytecode written, and only ``TREE`` (an unpacked zip, as in /var/task) and the
standard library on the path. Like Lambda's runtime, it sets up logging and reads the event
before it imports the handler, then calls ``lambda_function.lambda_handler(event, None)``.

``cold``: one request, then one JSON line: import and first-request time, peak RSS.
``warm``: answers commands on stdin, one per line: ``run START COUNT`` times COUNT requests
(the events from START on, cycling) and prints their durations in nanoseconds; ``rss`` prints
the peak RSS; end of input stops it.

Standard library only: nothing here may depend on what the tree holds.
"""

import json
import logging
import os
import resource
import sys
import time


def _setup(tree: str) -> None:
    # What Lambda's runtime does before the handler: the task folder first on the path, and a
    # root log handler (here to /dev/null, so formatting is paid for but nothing is printed).
    sys.path[0] = tree
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115, PTH123
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(message)s"))
    logging.getLogger().addHandler(handler)


def _peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (VmHWM).

    Not getrusage's ru_maxrss: on Linux that keeps the high-water mark of the process that
    forked us across exec, so every child would report at least the benchmark's own size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def cold(tree: str, events_path: str) -> None:
    _setup(tree)
    with open(events_path, "rb") as file:  # noqa: PTH123
        event = json.loads(file.read())[0]
    started = time.perf_counter()
    import lambda_function  # type: ignore[import-not-found]

    imported = time.perf_counter()
    lambda_function.lambda_handler(event, None)
    answered = time.perf_counter()
    result = {
        "import_ms": (imported - started) * 1000,
        "first_ms": (answered - imported) * 1000,
        "rss_kib": _peak_rss_kib(),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def warm(tree: str, events_path: str) -> None:
    _setup(tree)
    with open(events_path, "rb") as file:  # noqa: PTH123
        events = json.loads(file.read())
    import lambda_function

    handler = lambda_function.lambda_handler
    clock = time.perf_counter_ns
    count = len(events)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command = line.split()
        if command[0] == "run":
            start, n = int(command[1]), int(command[2])
            durations = []
            for i in range(start, start + n):
                event = events[i % count]
                before = clock()
                handler(event, None)
                durations.append(clock() - before)
            sys.stdout.write(json.dumps(durations) + "\n")
        elif command[0] == "rss":
            sys.stdout.write(json.dumps(_peak_rss_kib()) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    {"cold": cold, "warm": warm}[sys.argv[1]](sys.argv[2], sys.argv[3])
