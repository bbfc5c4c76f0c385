"""The content files: the packaged content loads, and a bad edit is refused at start-up.

Each refusal test copies the real files into a temporary folder and changes one thing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.content_model import Content, ContentError, Level, load_content

CONTENT_DIR = Path(__file__).parent.parent / "skill" / "content"
FILES = ("sources.toml", "topics.toml", "triage.toml", "messages.toml")
MAX_AGE = dt.timedelta(days=365)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(CONTENT_DIR / name, tmp_path / name)
    return tmp_path


# -- editing a copy, one table at a time ----------------------------------------------------


def _table_span(lines: list[str], header: str, nth: int = 0) -> tuple[int, int]:
    """Line numbers of the ``nth`` table with this header, up to the next header.

    The header "" is the top of the file, before any table (messages.toml has no tables).
    """
    if header:
        starts = [i for i, line in enumerate(lines) if line.strip() == header]
        assert len(starts) > nth, f"no {header} number {nth}"
        start = starts[nth]
    else:
        start = -1
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return start, end


def edit_table(
    path: Path, header: str, change: Callable[[list[str]], list[str]], nth: int = 0
) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    start, end = _table_span(lines, header, nth)
    body = lines[start + 1 : end]
    changed = change(body)
    assert changed != body, "the edit changed nothing"
    path.write_text("\n".join([*lines[: start + 1], *changed, *lines[end:]]) + "\n", "utf-8")


def set_key(path: Path, header: str, key: str, toml_value: str, nth: int = 0) -> None:
    def change(body: list[str]) -> list[str]:
        found = [i for i, line in enumerate(body) if line.startswith(f"{key} = ")]
        assert len(found) == 1, f"{key} is not a one-line key of {header}"
        return [f"{key} = {toml_value}" if i in found else line for i, line in enumerate(body)]

    edit_table(path, header, change, nth)


def drop_key(path: Path, header: str, key: str) -> None:
    def change(body: list[str]) -> list[str]:
        kept = [line for line in body if not line.startswith(f"{key} = ")]
        assert len(kept) == len(body) - 1, f"{key} is not a one-line key of {header}"
        return kept

    edit_table(path, header, change)


def add_line(path: Path, header: str, line: str) -> None:
    edit_table(path, header, lambda body: [line, *body])


def drop_table(path: Path, header: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    start, end = _table_span(lines, header)
    path.write_text("\n".join([*lines[:start], *lines[end:]]) + "\n", "utf-8")


def set_points(path: Path, header: str, toml_value: str) -> None:
    """Replace a topic's (multi-line) ``points`` list."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"{header}\n")
    begin = text.index("points = [", start)
    end = text.index("]\n", begin) + 2
    path.write_text(f"{text[:begin]}points = {toml_value}\n{text[end:]}", "utf-8")


def move_first_urgent_question_to_the_front(path: Path) -> None:
    preamble, *blocks = path.read_text(encoding="utf-8").split("[[questions]]\n")
    urgent = next(i for i, b in enumerate(blocks) if 'level = "urgent"' in b)
    assert urgent < len(blocks) - 1, "the moved block must not carry the tables after it"
    blocks.insert(0, blocks.pop(urgent))
    path.write_text(preamble + "".join(f"[[questions]]\n{b}" for b in blocks), "utf-8")


def test_an_unedited_copy_loads(copy: Path, content: Content) -> None:
    assert load_content(copy) == content


EDITS: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "topic-missing-speech",
        lambda d: drop_key(d / "topics.toml", "[treatment]", "speech"),
        "missing speech",
    ),
    (
        "unknown-field",
        lambda d: add_line(d / "topics.toml", "[treatment]", 'colour = "blue"'),
        "unknown field colour",
    ),
    (
        "unknown-source",
        lambda d: set_key(d / "topics.toml", "[treatment]", "sources", '["leicester", "blog"]'),
        "unknown source blog",
    ),
    (
        "offer-of-missing-topic",
        lambda d: set_key(d / "topics.toml", "[treatment]", "offer", '"astrology"'),
        "no topic 'astrology'",
    ),
    (
        "topic-offers-itself",
        lambda d: set_key(d / "topics.toml", "[treatment]", "offer", '"treatment"'),
        "cannot offer itself",
    ),
    (
        "urgent-before-emergency",
        lambda d: move_first_urgent_question_to_the_front(d / "triage.toml"),
        "must come before",
    ),
    (
        "self-care-question",
        lambda d: set_key(d / "triage.toml", "[[questions]]", "level", '"self_care"', nth=-1),
        "cannot be self-care",
    ),
    (
        "unknown-question-level",
        lambda d: set_key(d / "triage.toml", "[[questions]]", "level", '"whenever"', nth=-1),
        "unknown level",
    ),
    (
        "missing-outcome",
        lambda d: drop_table(d / "triage.toml", "[outcomes.gp]"),
        "no outcome for gp",
    ),
    (
        "medicine-id-twice",
        lambda d: set_key(
            d / "topics.toml", "[medicines.other_anti_inflammatory]", "ids", '["IBUPROFEN"]'
        ),
        "listed twice",
    ),
    (
        "unknown-placeholder-in-message",
        lambda d: set_key(d / "messages.toml", "", "goodbye", '"Goodbye, {name}."'),
        "unknown placeholder name",
    ),
    (
        "message-missing-its-placeholder",
        lambda d: set_key(d / "messages.toml", "", "readback_none", '"You told me nothing."'),
        "must use",
    ),
    (
        "unknown-placeholder-in-topic",
        lambda d: set_key(d / "topics.toml", "[work]", "invite", '"Would you like {work}?"'),
        "unknown placeholder work",
    ),
    (
        "date-as-text",
        lambda d: set_key(d / "topics.toml", "[treatment]", "reviewed", '"2026-01-31"'),
        "expected a date",
    ),
    (
        "empty-speech",
        lambda d: set_key(d / "topics.toml", "[treatment]", "speech", '"  "'),
        "expected non-empty text",
    ),
    (
        "topic-without-points",
        lambda d: set_points(d / "topics.toml", "[work]", "[]"),
        "give 1 to 5 key points",
    ),
    (
        "too-many-points",
        lambda d: set_points(d / "topics.toml", "[work]", str(["Keep moving."] * 6)),
        "give 1 to 5 key points",
    ),
    (
        "empty-point",
        lambda d: set_points(d / "topics.toml", "[work]", '["Keep moving.", " "]'),
        "points[1]: expected non-empty text",
    ),
    (
        "placeholder-in-point",
        lambda d: set_points(d / "topics.toml", "[work]", '["Hello {name}."]'),
        "unknown placeholder name",
    ),
    (
        "outcome-without-urgency",
        lambda d: drop_key(d / "triage.toml", "[outcomes.gp]", "urgency"),
        "missing urgency",
    ),
    (
        "unknown-screen-suggestion",
        lambda d: set_key(d / "messages.toml", "", "screen_suggestions", '["check", "astrology"]'),
        "no topic 'astrology'",
    ),
    (
        "screen-suggestion-twice",
        lambda d: set_key(d / "messages.toml", "", "screen_suggestions", '["scan", "scan"]'),
        "name each suggestion once",
    ),
    (
        "invalid-toml",
        lambda d: add_line(d / "triage.toml", "[duration]", 'colour = "unterminated'),
        "triage.toml: Illegal character",
    ),
]


@pytest.mark.parametrize("edit, message", [(e, m) for _, e, m in EDITS], ids=[i for i, *_ in EDITS])
def test_a_bad_edit_is_refused(copy: Path, edit: Callable[[Path], None], message: str) -> None:
    edit(copy)
    with pytest.raises(ContentError, match=re.escape(message)):
        load_content(copy)


# -- the packaged content -------------------------------------------------------------------


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", text))


def test_topic_speech_is_short(content: Content) -> None:
    too_long = {t.id: _sentences(t.speech) for t in content.topics.values()}
    assert {k: v for k, v in too_long.items() if v > 3} == {}
    assert all(v >= 1 for v in too_long.values())


def test_medicine_speech_is_short(content: Content) -> None:
    too_long = {m.id: _sentences(m.speech) for m in content.medicines.values()}
    assert {k: v for k, v in too_long.items() if v > 3} == {}


def test_every_entry_names_a_known_source(content: Content) -> None:
    entries = [
        *((f"topics.{t.id}", t.sources) for t in content.topics.values()),
        *((f"medicines.{m.id}", m.sources) for m in content.medicines.values()),
        *((f"questions.{q.id}", q.sources) for q in content.questions),
        *((f"outcomes.{o.level}", o.sources) for o in content.outcomes.values()),
        ("duration", content.duration.sources),
    ]
    assert [name for name, sources in entries if not sources] == []
    unknown = {name: s for name, sources in entries for s in sources if s not in content.sources}
    assert unknown == {}


def test_there_is_an_outcome_for_every_level(content: Content) -> None:
    assert set(content.outcomes) == set(Level)


def _today() -> dt.date:
    return dt.date.today()


def test_no_content_was_last_reviewed_more_than_a_year_ago(content: Content) -> None:
    """The review-date gate: this test fails once any entry is a year old."""
    today = _today()
    stale = {name: str(date) for name, date in content.dated_entries() if today - date > MAX_AGE}
    assert stale == {}, "review these entries against current guidance, then update `reviewed`"


def test_no_review_date_is_in_the_future(content: Content) -> None:
    # A day of slack for machines whose clock is behind the reviewer's time zone.
    latest = _today() + dt.timedelta(days=1)
    future = {name: str(date) for name, date in content.dated_entries() if date > latest}
    assert future == {}, "a future date would switch the review-date gate off"


def test_dated_entries_cover_every_entry(content: Content) -> None:
    names = {name for name, _ in content.dated_entries()}
    expected = len(content.topics) + len(content.medicines) + len(content.questions)
    expected += len(content.outcomes) + 2  # duration and messages
    assert len(names) == expected


def test_every_source_was_checked_within_a_year(content: Content) -> None:
    today = _today()
    stale = {s.id: str(s.checked) for s in content.sources.values() if today - s.checked > MAX_AGE}
    assert stale == {}, "check these pages are still live and unchanged, then update `checked`"
