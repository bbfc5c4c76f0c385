"""Load and check the content files once, so that a bad edit fails at start-up, not mid-call.

The files under ``skill/content/`` are written for clinicians to read and edit. This module
turns them into frozen dataclasses and refuses anything incomplete or inconsistent: a missing
field, an unknown source, an offer of a topic that does not exist, a question order that would
let a less urgent question come before an emergency one.
"""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Read as plain files, not through importlib.resources, whose import costs a Lambda cold start
# about 6 ms (docs/performance.md); the package is always installed unpacked.
_CONTENT_DIR = Path(__file__).parent / "content"

CHECK = "check"
"""The offer that starts the warning-sign check rather than another topic."""


class ContentError(ValueError):
    """A content file is missing, malformed or inconsistent."""


class Level(StrEnum):
    """Urgency of an outcome, most urgent first (NHS website levels)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    GP = "gp"
    SELF_CARE = "self_care"

    @property
    def rank(self) -> int:
        """0 for the most urgent; lets the order of questions be checked."""
        return list(Level).index(self)


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    checked: dt.date
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    speech: str
    card: str
    points: tuple[str, ...]
    """The key points a screen shows, from the speech and the card."""
    offer: str
    invite: str
    sources: tuple[str, ...]
    reviewed: dt.date


@dataclass(frozen=True)
class MedicineAdvice:
    id: str
    title: str
    ids: tuple[str, ...]
    speech: str
    card: str
    sources: tuple[str, ...]
    reviewed: dt.date


@dataclass(frozen=True)
class Question:
    id: str
    level: Level
    ask: str
    readback: str
    sources: tuple[str, ...]
    reviewed: dt.date


@dataclass(frozen=True)
class DurationQuestion:
    ask: str
    reprompt: str
    gp_after_days: int
    short_words: str
    long_words: str
    sources: tuple[str, ...]
    reviewed: dt.date


@dataclass(frozen=True)
class Outcome:
    level: Level
    title: str
    urgency: str
    """A screen's label for the level, in words: colour is never the only sign."""
    speech: str
    safety_net: str
    card: str
    sources: tuple[str, ...]
    reviewed: dt.date


@dataclass(frozen=True)
class Messages:
    reviewed: dt.date
    sources: tuple[str, ...]
    welcome: str
    welcome_reprompt: str
    welcome_title: str
    one_shot_notice: str
    disclaimer: str
    help: str
    help_reprompt: str
    help_title: str
    what_else: str
    what_else_reprompt: str
    yes_nothing_offered: str
    fallback: str
    fallback_reprompt: str
    goodbye: str
    goodbye_title: str
    stopped_check: str
    stopped_check_title: str
    error: str
    error_title: str
    check_title: str
    check_card: str
    check_intro: str
    check_help: str
    check_restart: str
    check_unsure_again: str
    check_unclear_again: str
    check_unclear_duration: str
    check_invite: str
    offer_unsure: str
    check_reprompt: str
    readback_none: str
    readback_none_unclear_duration: str
    readback_yes: str
    readback_unsure: str
    readback_partly: str
    readback_correction: str
    screen_yes: str
    screen_no: str
    screen_unsure: str
    screen_check: str
    screen_progress: str
    screen_source: str
    screen_reviewed: str
    screen_suggestions: tuple[str, ...]
    """What the home screen offers: CHECK or topic ids."""


@dataclass(frozen=True)
class Content:
    sources: Mapping[str, Source]
    topics: Mapping[str, Topic]
    medicines: Mapping[str, MedicineAdvice]
    questions: tuple[Question, ...]
    duration: DurationQuestion
    outcomes: Mapping[Level, Outcome]
    messages: Messages

    def medicine_for(self, slot_id: str | None) -> MedicineAdvice:
        """The advice for a MEDICINE slot id; anything unlisted gets the pharmacist answer."""
        for advice in self.medicines.values():
            if slot_id is not None and slot_id in advice.ids:
                return advice
        return self.medicines[UNKNOWN_MEDICINE]

    def dated_entries(self) -> list[tuple[str, dt.date]]:
        """Every reviewable entry with its last-reviewed date, for the staleness test."""
        entries = [(f"topics.{t.id}", t.reviewed) for t in self.topics.values()]
        entries += [(f"medicines.{m.id}", m.reviewed) for m in self.medicines.values()]
        entries += [(f"questions.{q.id}", q.reviewed) for q in self.questions]
        entries += [(f"outcomes.{o.level}", o.reviewed) for o in self.outcomes.values()]
        entries += [("duration", self.duration.reviewed), ("messages", self.messages.reviewed)]
        return entries


UNKNOWN_MEDICINE = "unknown_medicine"

# Placeholders each text may use; any other {name} in a file is an error.
_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "readback_none": frozenset({"duration"}),
    "readback_yes": frozenset({"sign"}),
    "readback_unsure": frozenset({"sign"}),
    "readback_partly": frozenset({"sign"}),
    "medicine": frozenset({"medicine"}),
    "screen_progress": frozenset({"number", "total"}),
    "screen_source": frozenset({"sources"}),
    "screen_reviewed": frozenset({"date"}),
}
MAX_POINTS = 5
"""Key points a topic may show: a screen is read at a glance."""


def _build(cls: type[T], raw: Mapping[str, Any], where: str, **extra: Any) -> T:
    """Build a dataclass from a TOML table, insisting on exactly the declared fields."""
    if not isinstance(raw, Mapping):
        raise ContentError(f"{where}: expected a table")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    given = set(raw) | set(extra)
    missing = {
        f.name
        for f in fields(cls)  # type: ignore[arg-type]
        if f.name not in given and f.default is not None
    }
    if missing:
        raise ContentError(f"{where}: missing {', '.join(sorted(missing))}")
    unknown = given - names
    if unknown:
        raise ContentError(f"{where}: unknown field {', '.join(sorted(unknown))}")
    values: dict[str, Any] = dict(extra)
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in raw:
            continue
        value = raw[f.name]
        expected = str(f.type)
        if expected.startswith("tuple"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ContentError(f"{where}.{f.name}: expected a list of strings")
            value = tuple(value)
        elif expected == "Level":
            try:
                value = Level(value)
            except ValueError:
                raise ContentError(f"{where}.{f.name}: unknown level {value!r}") from None
        elif expected == "dt.date":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise ContentError(f"{where}.{f.name}: expected a date like 2026-01-31")
        elif expected == "int":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ContentError(f"{where}.{f.name}: expected a positive whole number")
        elif not isinstance(value, str) or not value.strip():
            raise ContentError(f"{where}.{f.name}: expected non-empty text")
        values[f.name] = value
    return cls(**values)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _check_placeholders(where: str, text: str, allowed: frozenset[str]) -> None:
    try:
        found = _placeholders(text)
    except ValueError as exc:
        raise ContentError(f"{where}: {exc}") from None
    if found - allowed:
        raise ContentError(f"{where}: unknown placeholder {', '.join(sorted(found - allowed))}")


def _read(directory: Path | None, name: str) -> dict[str, Any]:
    try:
        if directory is None:
            text = (_CONTENT_DIR / name).read_text(encoding="utf-8")
        else:
            text = (directory / name).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{name}: {exc}") from None


def _check_sources(where: str, ids: tuple[str, ...], sources: Mapping[str, Source]) -> None:
    if not ids:
        raise ContentError(f"{where}.sources: name at least one source")
    unknown = [i for i in ids if i not in sources]
    if unknown:
        raise ContentError(f"{where}.sources: unknown source {', '.join(unknown)}")


def load_content(directory: Path | None = None) -> Content:
    """Read and check every content file; raise :class:`ContentError` on the first problem."""
    sources = {
        key: _build(Source, raw, f"sources.toml:{key}", id=key)
        for key, raw in _read(directory, "sources.toml").items()
    }

    raw_topics = _read(directory, "topics.toml")
    raw_medicines = raw_topics.pop("medicines", {})
    topics = {
        key: _build(Topic, raw, f"topics.toml:{key}", id=key) for key, raw in raw_topics.items()
    }
    medicines = {
        key: _build(MedicineAdvice, raw, f"topics.toml:medicines.{key}", id=key)
        for key, raw in raw_medicines.items()
    }

    raw_triage = _read(directory, "triage.toml")
    questions = tuple(
        _build(Question, raw, f"triage.toml:questions[{n}]")
        for n, raw in enumerate(raw_triage.get("questions", []))
    )
    duration = _build(DurationQuestion, raw_triage.get("duration", {}), "triage.toml:duration")
    outcomes: dict[Level, Outcome] = {}
    for key, raw in raw_triage.get("outcomes", {}).items():
        try:
            level = Level(key)
        except ValueError:
            raise ContentError(f"triage.toml:outcomes.{key}: not a level") from None
        outcomes[level] = _build(Outcome, raw, f"triage.toml:outcomes.{key}", level=level)
    unknown_tables = set(raw_triage) - {"questions", "duration", "outcomes"}
    if unknown_tables:
        raise ContentError(f"triage.toml: unknown table {', '.join(sorted(unknown_tables))}")

    messages = _build(Messages, _read(directory, "messages.toml"), "messages.toml")

    content = Content(sources, topics, medicines, questions, duration, outcomes, messages)
    _check(content)
    return content


def _check(content: Content) -> None:
    """Cross-file rules that a single table cannot show."""
    for topic in content.topics.values():
        where = f"topics.toml:{topic.id}"
        _check_sources(where, topic.sources, content.sources)
        if topic.offer != CHECK and topic.offer not in content.topics:
            raise ContentError(f"{where}.offer: no topic {topic.offer!r}")
        if topic.offer == topic.id:
            raise ContentError(f"{where}.offer: a topic cannot offer itself")
        for name in ("title", "speech", "card", "invite"):
            _check_placeholders(f"{where}.{name}", getattr(topic, name), frozenset())
        if not 0 < len(topic.points) <= MAX_POINTS:
            raise ContentError(f"{where}.points: give 1 to {MAX_POINTS} key points")
        for n, point in enumerate(topic.points):
            if not point.strip():
                raise ContentError(f"{where}.points[{n}]: expected non-empty text")
            _check_placeholders(f"{where}.points[{n}]", point, frozenset())

    if UNKNOWN_MEDICINE not in content.medicines:
        raise ContentError(f"topics.toml: medicines.{UNKNOWN_MEDICINE} is required")
    seen_ids: set[str] = set()
    for medicine in content.medicines.values():
        where = f"topics.toml:medicines.{medicine.id}"
        _check_sources(where, medicine.sources, content.sources)
        for name in ("title", "speech", "card"):
            _check_placeholders(
                f"{where}.{name}", getattr(medicine, name), _PLACEHOLDERS["medicine"]
            )
        if seen_ids & set(medicine.ids):
            raise ContentError(f"{where}.ids: an id is listed twice")
        seen_ids |= set(medicine.ids)

    if not content.questions:
        raise ContentError("triage.toml: no questions")
    ids = [q.id for q in content.questions]
    if len(set(ids)) != len(ids):
        raise ContentError("triage.toml: question ids must be unique")
    for before, after in zip(content.questions, content.questions[1:], strict=False):
        if after.level.rank < before.level.rank:
            raise ContentError(
                f"triage.toml: {after.id} ({after.level}) must come before "
                f"{before.id} ({before.level}): the first yes ends the check"
            )
    for n, question in enumerate(content.questions):
        if question.level is Level.SELF_CARE:
            raise ContentError(f"triage.toml:questions[{n}]: a warning sign cannot be self-care")
        _check_sources(f"triage.toml:questions[{n}]", question.sources, content.sources)
        _check_placeholders(f"triage.toml:questions[{n}]", question.ask, frozenset())
        _check_placeholders(f"triage.toml:questions[{n}]", question.readback, frozenset())
    _check_sources("triage.toml:duration", content.duration.sources, content.sources)

    missing = set(Level) - set(content.outcomes)
    if missing:
        raise ContentError(f"triage.toml: no outcome for {', '.join(sorted(missing))}")
    for outcome in content.outcomes.values():
        _check_sources(f"triage.toml:outcomes.{outcome.level}", outcome.sources, content.sources)

    _check_sources("messages.toml", content.messages.sources, content.sources)
    suggestions = content.messages.screen_suggestions
    if not suggestions or len(set(suggestions)) != len(suggestions):
        raise ContentError("messages.toml:screen_suggestions: name each suggestion once")
    for suggestion in suggestions:
        if suggestion != CHECK and suggestion not in content.topics:
            raise ContentError(f"messages.toml:screen_suggestions: no topic {suggestion!r}")
    for f in fields(Messages):
        value = getattr(content.messages, f.name)
        if isinstance(value, str):
            allowed = _PLACEHOLDERS.get(f.name, frozenset())
            _check_placeholders(f"messages.toml:{f.name}", value, allowed)
            if _placeholders(value) != allowed:
                raise ContentError(f"messages.toml:{f.name}: must use {sorted(allowed)}")


@cache
def default_content() -> Content:
    """The packaged content, loaded once per process (Lambda keeps it between requests)."""
    return load_content()
