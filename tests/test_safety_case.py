"""docs/clinical-safety.md stays true to the tests: every test it names exists, every hazard
names at least one test, every risk figure follows the document's own matrix, and the content
gates it quotes are the figures the gates use."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
import test_content_gates

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "clinical-safety.md"
TEXT = DOC.read_text(encoding="utf-8")

# tests/test_x.py::test_name, optionally with a parameter id: tests/test_x.py::test_name[id]
REFERENCE = re.compile(r"tests/(?P<file>[\w/]+\.py)::(?P<test>test_\w+)(?:\[[^\]`]*\])?")
SEVERITIES = {1: "Minor", 2: "Significant", 3: "Considerable", 4: "Major", 5: "Catastrophic"}


def band(risk: int) -> str:
    """Section 4 of the document."""
    if risk <= 4:
        return "Low"
    if risk <= 9:
        return "Medium"
    if risk <= 16:
        return "High"
    return "Very high"


@cache
def names_in(file: str) -> frozenset[str]:
    """Test function names in a test file, read without importing it (parametrized or not)."""
    path = ROOT / "tests" / file
    assert path.is_file(), f"no file tests/{file}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            names.add(node.name)
    return frozenset(names)


def references(text: str) -> list[tuple[str, str]]:
    return [(m["file"], m["test"]) for m in REFERENCE.finditer(text)]


def hazard_rows() -> list[list[str]]:
    """The hazard log's rows, as cells: ID, hazard, cause, effect, controls, S, L, risk."""
    rows = []
    for line in TEXT.splitlines():
        if re.match(r"^\| H\d+ \|", line):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            assert len(cells) == 8, f"a hazard row needs 8 cells: {line[:60]}"
            rows.append(cells)
    return rows


ROWS = hazard_rows()


def test_the_document_names_tests() -> None:
    assert len(references(TEXT)) >= 50


@pytest.mark.parametrize("file, test", sorted(set(references(TEXT))), ids=lambda value: str(value))
def test_every_test_the_document_names_exists(file: str, test: str) -> None:
    assert test in names_in(file), f"docs/clinical-safety.md names tests/{file}::{test}"


def test_the_hazard_log_covers_the_hazards_the_issue_lists() -> None:
    hazards = " ".join(row[1].lower() for row in ROWS)
    for words in (
        '"no" when the person said "yes"',
        "emergency opens the skill and asks something else first",
        'emergency sign answered "yes" leads to anything but the emergency outcome',
        "ibuprofen is unsafe",
        "paracetamol is suggested on its own",
        "stops half-way",
        "stale content",
        "crash or a timeout",
        "private health answers leak into logs",
    ):
        assert words in hazards, words
    assert [row[0] for row in ROWS] == [f"H{n}" for n in range(1, len(ROWS) + 1)]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row[0])
def test_every_hazard_names_a_test_for_each_control(row: list[str]) -> None:
    hazard_id, controls = row[0], row[4]
    assert references(controls), f"{hazard_id} names no test"
    parts = [part for part in controls.split("<br>") if part.strip()]
    for part in parts:
        label = re.match(r"\*\*(C\d+\.\d+)\*\*", part.strip())
        assert label, f"{hazard_id}: a control without a C<n>.<m> label: {part[:40]}"
        assert label[1].startswith(f"C{hazard_id[1:]}."), f"{hazard_id}: {label[1]} misnumbered"
        # A control no test can show (a review, a process) must say so.
        assert references(part) or "*(process)*" in part, f"{label[1]} names no test"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row[0])
def test_every_risk_follows_the_matrix(row: list[str]) -> None:
    hazard_id, severity, likelihood, risk = row[0], row[5], row[6], row[7]
    s = int(severity)
    assert s in SEVERITIES, hazard_id
    counts = re.fullmatch(r"(\d) → (\d)", likelihood)
    assert counts, f"{hazard_id}: likelihood should read like '3 → 1': {likelihood}"
    before, after = int(counts[1]), int(counts[2])
    match = re.fullmatch(r"(\d+) ([A-Za-z ]+?) → (\d+) ([A-Za-z ]+)", risk)
    assert match, f"{hazard_id}: risk should read like '15 High → 5 Medium': {risk}"
    assert int(match[1]) == s * before and match[2] == band(s * before), hazard_id
    assert int(match[3]) == s * after and match[4] == band(s * after), hazard_id
    assert after <= before, f"{hazard_id}: the controls cannot raise the likelihood"


def test_every_high_residual_risk_is_explained() -> None:
    residual = TEXT.split("### Residual risks", 1)[1].split("\n## ", 1)[0]
    high = [row[0] for row in ROWS if row[7].endswith("High")]
    for hazard_id in high:
        assert f"**{hazard_id}," in residual, f"{hazard_id} is High after controls: say why"


def test_the_gate_figures_in_the_document_are_the_ones_the_gates_use() -> None:
    quoted = dict(re.findall(r"^\| `([A-Z_]+)` \| ([\d.]+) \|$", TEXT, re.MULTILINE))
    assert quoted, "no gate table"
    for name, value in quoted.items():
        assert float(value) == float(getattr(test_content_gates, name)), name
    gates = {n for n in dir(test_content_gates) if n.startswith(("MAX_", "MIN_"))}
    assert set(quoted) == gates
