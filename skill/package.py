"""``backpain package``: the Lambda deployment zip, lean and byte-for-byte reproducible.

The zip holds ``lambda_function.py``, the skill modules that Lambda imports, the content
files, and the exact runtime dependencies pinned in ``lambda/requirements.txt``, installed
for the chosen Lambda runtime and architecture. Nothing from the web, CLI or dev extras goes
in: every byte is cold-start time. Entries are sorted, dated 1980-01-01 and given fixed
permissions, so the same source always gives the same sha256.
"""

from __future__ import annotations

import hashlib
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
    "speech.py",
    "triage.py",
    "py.typed",
)
CONTENT_FILES = ("__init__.py", "*.toml")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Left out of the installed dependencies: bytecode (Lambda writes none to a read-only
# file system, and it would differ per build) and pip's note of who installed it.
_EXCLUDED_NAMES = frozenset({"__pycache__", "INSTALLER", "direct_url.json", "REQUESTED"})


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


def _files(tree: Path) -> list[Path]:
    return sorted(
        (
            path
            for path in tree.rglob("*")
            if path.is_file() and not _EXCLUDED_NAMES.intersection(path.relative_to(tree).parts)
        ),
        key=lambda path: path.relative_to(tree).as_posix(),
    )


def _write_zip(tree: Path, destination: Path) -> int:
    files = _files(tree)
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
) -> Package:
    """Build the zip at ``output``; also leave its contents in ``unpacked`` if given.

    The unpacked tree is what the ASK CLI's lambda-deployer and ``sam deploy`` upload.
    """
    if runtime not in RUNTIMES:
        raise PackageError(f"runtime must be one of {RUNTIMES}")
    if architecture not in ARCHITECTURES:
        raise PackageError(f"architecture must be one of {sorted(ARCHITECTURES)}")
    with tempfile.TemporaryDirectory(prefix="backpain-package-") as scratch:
        tree = Path(scratch) / "lambda"
        tree.mkdir()
        _install_dependencies(root, tree, runtime, architecture)
        _copy_sources(root, tree)
        count = _write_zip(tree, output)
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)
            shutil.copytree(tree, unpacked, ignore=shutil.ignore_patterns(*_EXCLUDED_NAMES))
    data = output.read_bytes()
    return Package(output, len(data), hashlib.sha256(data).hexdigest(), count)
