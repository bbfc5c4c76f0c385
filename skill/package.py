"""``backpain package``: the Lambda deployment zip, lean and byte-for-byte reproducible.

The zip holds ``lambda_function.py``, the skill modules that Lambda imports, the content
files, and the exact runtime dependencies pinned in ``lambda/requirements.txt``, installed
for the chosen Lambda runtime and architecture. Nothing from the web, CLI or dev extras goes
in: every byte is cold-start time. Entries are sorted, dated 1980-01-01 and given fixed
permissions, so the same source always gives the same sha256.

With ``bytecode=True`` the zip also holds every module precompiled for the runtime, so that a
cold start loads bytecode instead of compiling about 600 modules from source (Lambda cannot
keep what it compiles: /var/task is read-only). Bytecode is specific to a Python version, so
this needs an interpreter of the runtime's version, and it is opt-in. The files are
unchecked-hash .pyc (PEP 552: no source timestamps, never revalidated against the source),
compiled with a fixed hash seed and with /var/task as their path, so the zip stays
reproducible.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

RUNTIMES = ("3.12", "3.13")
ARCHITECTURES = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# The modules Lambda imports: lambda_function -> skill.alexa and what it needs. The chat,
# web, verifier and tools stay out.
RUNTIME_MODULES = (
    "__init__.py",
    "alexa.py",
    "content_model.py",
    "conversation.py",
    "durations.py",
    "handlers.py",
    "screens.py",
    "serializer.py",
    "speech.py",
    "triage.py",
    "py.typed",
)
CONTENT_FILES = ("__init__.py", "*.toml")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Where Lambda unpacks the zip: the path compiled into bytecode, as tracebacks will show it.
TASK_ROOT = "/var/task"
# Left out of the installed dependencies: pip's note of who installed it, and bytecode
# unless it is asked for (made by _compile_bytecode then, never by pip).
_PIP_NOTES = frozenset({"INSTALLER", "direct_url.json", "REQUESTED"})
_EXCLUDED_NAMES = _PIP_NOTES | {"__pycache__"}


class PackageError(RuntimeError):
    """The package could not be built; the message says why."""


@dataclass(frozen=True)
class Package:
    path: Path
    size: int
    sha256: str
    files: int


def _copy_sources(root: Path, target: Path) -> None:
    shutil.copy2(root / "lambda" / "lambda_function.py", target / "lambda_function.py")
    skill = target / "skill"
    (skill / "content").mkdir(parents=True)
    for name in RUNTIME_MODULES:
        shutil.copy2(root / "skill" / name, skill / name)
    for pattern in CONTENT_FILES:
        for path in sorted((root / "skill" / "content").glob(pattern)):
            shutil.copy2(path, skill / "content" / path.name)
    shutil.copytree(root / "skill" / "content" / "apl", skill / "content" / "apl")  # screens


def _install_dependencies(root: Path, target: Path, runtime: str, architecture: str) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",  # lambda/requirements.txt pins the whole closure
        "--no-compile",
        "--only-binary=:all:",
        "--implementation=cp",
        f"--python-version={runtime}",
        f"--platform={ARCHITECTURES[architecture]}",
        "--target",
        str(target),
        "--requirement",
        str(root / "lambda" / "requirements.txt"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PackageError(f"pip could not install the runtime dependencies:\n{done.stderr}")


def interpreter_for(runtime: str, python: str | None = None) -> str:
    """An interpreter of the runtime's version, to compile bytecode for it; or PackageError."""
    if python is None and f"{sys.version_info[0]}.{sys.version_info[1]}" == runtime:
        python = sys.executable  # this very interpreter: no PATH lookup to go wrong
    if python is None:
        python = shutil.which(f"python{runtime}")
    if python is None:
        raise PackageError(
            f"--bytecode compiles for the Lambda runtime, so it needs a Python {runtime} "
            f"interpreter, and there is no python{runtime} on PATH. Pass --python "
            f"/path/to/python{runtime}, or build without --bytecode."
        )
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise PackageError(f"cannot run {python}: {exc.strerror}") from None
    version = done.stdout.strip()
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise PackageError(f"{python} does not run ({reason}); pass --python with one that does.")
    if version != runtime:
        raise PackageError(
            f"{python} is Python {version}, but bytecode for the {runtime} runtime must be "
            f"compiled by Python {runtime}."
        )
    return python


def compile_bytecode(tree: Path, python: str) -> None:
    """Precompile every module in ``tree`` with ``python``, reproducibly.

    Unchecked-hash .pyc files hold a hash of the source instead of its timestamp, and are
    loaded without checking it, so unpacking dates do not matter; a fixed hash seed makes
    set constants come out in the same order every time; ``-d`` records /var/task paths.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    command = [
        python,
        "-s",
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-d",
        TASK_ROOT,
        str(tree),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise PackageError(f"{python} could not compile the package:\n{done.stdout}{done.stderr}")


def _files(tree: Path, *, bytecode: bool = False) -> list[Path]:
    excluded = _PIP_NOTES if bytecode else _EXCLUDED_NAMES
    return sorted(
        (
            path
            for path in tree.rglob("*")
            if path.is_file() and not excluded.intersection(path.relative_to(tree).parts)
        ),
        key=lambda path: path.relative_to(tree).as_posix(),
    )


def _write_zip(tree: Path, destination: Path, *, bytecode: bool = False) -> int:
    files = _files(tree, bytecode=bytecode)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w") as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(tree).as_posix(), FIXED_TIME)
            entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            entry.create_system = 3  # Unix, so the permissions are read
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return len(files)


def build(
    root: Path,
    output: Path,
    *,
    runtime: str = "3.12",
    architecture: str = "arm64",
    unpacked: Path | None = None,
    bytecode: bool = False,
    python: str | None = None,
) -> Package:
    """Build the zip at ``output``; also leave its contents in ``unpacked`` if given.

    The unpacked tree is what the ASK CLI's lambda-deployer and ``sam deploy`` upload.
    ``bytecode`` adds .pyc files compiled by ``python`` (default: ``python3.12`` or
    ``python3.13`` on PATH, for the runtime), which must be of the runtime's version.
    """
    if runtime not in RUNTIMES:
        raise PackageError(f"runtime must be one of {RUNTIMES}")
    if architecture not in ARCHITECTURES:
        raise PackageError(f"architecture must be one of {sorted(ARCHITECTURES)}")
    compiler = interpreter_for(runtime, python) if bytecode else None
    with tempfile.TemporaryDirectory(prefix="backpain-package-") as scratch:
        tree = Path(scratch) / "lambda"
        tree.mkdir()
        _install_dependencies(root, tree, runtime, architecture)
        _copy_sources(root, tree)
        if compiler is not None:
            compile_bytecode(tree, compiler)
        count = _write_zip(tree, output, bytecode=bytecode)
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)
            ignored = _PIP_NOTES if bytecode else _EXCLUDED_NAMES
            shutil.copytree(tree, unpacked, ignore=shutil.ignore_patterns(*ignored))
    data = output.read_bytes()
    return Package(output, len(data), hashlib.sha256(data).hexdigest(), count)
