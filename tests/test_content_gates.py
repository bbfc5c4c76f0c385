"""Content quality gates: how long Alexa talks, how easy the words are, and what they never say.

Run over every spoken string of every topic, medicine answer (with each real medicine name),
question, outcome and message, and over every whole reply the conversation can give; the
words shown on a screen (topics' key points) are held to the same length and reading age.
docs/clinical-safety.md ("Content gates") says why each figure below was chosen.

Gates that live elsewhere, not repeated here: valid SSML with only <speak> and <say-as>,
special characters escaped and 999 / 111 read as digits
(tests/test_speech.py::test_every_spoken_string_is_valid_ssml); a source and a last-reviewed
date on every entry, failing a year after review (tests/test_content.py).
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import fields
from functools import cache
from typing import Any

import pytest
import textstat
from test_conversation import SOME_TURNS, resolved

from skill.content_model import Level, Messages, default_content
from skill.conversation import (
    DURATION_ANSWER,
    PAIN_RELIEF,
    SOMEWHAT,
    Conversation,
    Reply,
    RequestKind,
    Slot,
    Turn,
)
from skill.durations import parse_iso_duration
from skill.nlu import InteractionModel, model_path

CONTENT = default_content()
M = CONTENT.messages
CONVERSATION = Conversation(CONTENT)
MODEL = InteractionModel.load(model_path())

# -- the figures (each is quoted, and justified, in docs/clinical-safety.md) -----------------

MAX_SENTENCE_WORDS = 25
"""One breath: Alexa pauses at a full stop, so a sentence is what a listener takes in at once."""
MAX_REPLY_WORDS = 50
"""Two breaths: any reply, or reprompt, that is not the end of the check."""
MAX_OUTCOME_WORDS = 100
"""Four breaths: read-back, "if I got that wrong", the advice and the safety net."""
MAX_GRADE = 6.0
"""Flesch-Kincaid grade of each kind of content: US grade 6 is a UK reading age of 11."""
MAX_SMOG = 9.0
"""SMOG grade where a pool has the 30 sentences SMOG needs: reading age 14, the NHS ceiling."""
MIN_POOL_WORDS = 100
"""The smallest sample the Flesch formulas were built on; shorter texts give noise."""
MIN_SMOG_SENTENCES = 30


# Each MEDICINE slot value id with its name, as Alexa resolves it; each ROUGH_DURATION id.
MEDICINES = dict(MODEL.slot_values["MEDICINE"].values())
ROUGH_DURATION_IDS = sorted(
    {value_id for value_id, _ in MODEL.slot_values["ROUGH_DURATION"].values()}
)


def _spoken_name(name: str) -> str:
    """The name as the conversation says it (first letter capitalised)."""
    return name[:1].upper() + name[1:]


# Durations as a read-back says them: the walk's own, and the longest realistic ones.
DURATIONS = ("PT6H", "P2W", "P27D", "P3W6D", "PT12H30M", "P4W", "P3M", "P1Y6M", "P2Y")
ROUGH_DURATIONS = (CONTENT.duration.short_words, CONTENT.duration.long_words)


def words(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


# -- every spoken string --------------------------------------------------------------------


def spoken_strings() -> dict[str, str]:
    """Every string Alexa can say, placeholders filled with real values, by a readable id."""
    spoken: dict[str, str] = {}
    for topic in CONTENT.topics.values():
        spoken[f"topics.{topic.id}.speech"] = topic.speech
        spoken[f"topics.{topic.id}.invite"] = topic.invite
    for medicine in CONTENT.medicines.values():
        if "{medicine}" not in medicine.speech:
            spoken[f"medicines.{medicine.id}.speech"] = medicine.speech
            continue
        for value_id in medicine.ids:
            text = medicine.speech.format(medicine=_spoken_name(MEDICINES[value_id]))
            spoken[f"medicines.{medicine.id}.speech[{value_id}]"] = text
    for question in CONTENT.questions:
        spoken[f"questions.{question.id}.ask"] = question.ask
        spoken[f"questions.{question.id}.reprompt"] = f"{M.check_reprompt} {question.ask}"
        for name in ("readback_yes", "readback_unsure", "readback_partly"):
            text = getattr(M, name).format(sign=question.readback)
            spoken[f"questions.{question.id}.{name}"] = text
    spoken["duration.ask"] = CONTENT.duration.ask
    spoken["duration.reprompt"] = CONTENT.duration.reprompt
    for outcome in CONTENT.outcomes.values():
        spoken[f"outcomes.{outcome.level}.speech"] = outcome.speech
        spoken[f"outcomes.{outcome.level}.safety_net"] = outcome.safety_net
    for f in fields(Messages):
        value = getattr(M, f.name)
        shown = f.name.endswith(("_title", "_card")) or f.name == "disclaimer"
        if not isinstance(value, str) or shown or f.name.startswith("screen_"):
            continue  # titles, cards, the card footer and screen labels are shown, not spoken
        if "{sign}" in value:
            continue  # formatted with every question above
        if "{duration}" in value:
            for iso in DURATIONS:
                duration_words = _duration_words(iso)
                spoken[f"messages.{f.name}[{iso}]"] = value.format(duration=duration_words)
            for rough in ROUGH_DURATIONS:
                spoken[f"messages.{f.name}[{rough}]"] = value.format(duration=rough)
            continue
        spoken[f"messages.{f.name}"] = value
    return spoken


def _duration_words(iso: str) -> str:
    duration = parse_iso_duration(iso)
    assert duration is not None, iso
    return duration.words


SPOKEN = spoken_strings()


def test_every_kind_of_spoken_string_is_gated() -> None:
    kinds = {key.split(".")[0] for key in SPOKEN}
    assert kinds == {"topics", "medicines", "questions", "duration", "outcomes", "messages"}
    # Every medicine Alexa can resolve is said with its own name, or has no name in its answer.
    named = {
        key.split("[")[1].rstrip("]")
        for key in SPOKEN
        if key.startswith("medicines.") and "[" in key
    }
    named_ids = {m for m in named if m in MEDICINES}
    unnamed = {
        value_id
        for medicine in CONTENT.medicines.values()
        if "{medicine}" not in medicine.speech
        for value_id in medicine.ids
    }
    assert named_ids | unnamed == set(MEDICINES)


@pytest.mark.parametrize("key", sorted(SPOKEN))
def test_every_sentence_fits_in_one_breath(key: str) -> None:
    too_long = [s for s in sentences(SPOKEN[key]) if words(s) > MAX_SENTENCE_WORDS]
    assert too_long == [], f"split these sentences (over {MAX_SENTENCE_WORDS} words)"


# -- every whole reply ----------------------------------------------------------------------


def _turns() -> Iterator[tuple[RequestKind, str | None, dict[str, Slot]]]:
    """tests/test_conversation.py's turns, plus "a bit", every medicine and long durations."""
    yield from SOME_TURNS
    yield (RequestKind.INTENT, SOMEWHAT, {})
    for value_id, name in MEDICINES.items():
        yield (RequestKind.INTENT, PAIN_RELIEF, {"medicine": resolved(value_id, name)})
    for iso in DURATIONS:
        yield (RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken=iso)})
    for value_id in ROUGH_DURATION_IDS:
        slot = Slot(spoken=value_id, resolved_id=value_id, resolved_name=value_id)
        yield (RequestKind.INTENT, DURATION_ANSWER, {"roughDuration": slot})


@cache
def every_reply() -> tuple[tuple[str, Reply], ...]:
    """Every distinct reply, from every state the skill can reach (as test_conversation's
    ``_walk`` finds them), plus the apology for a failure."""
    turns = list(_turns())
    replies: dict[str, tuple[str, Reply]] = {}
    seen: set[str] = set()
    todo: deque[Mapping[str, Any] | None] = deque([None])
    while todo:
        attributes = todo.popleft()
        for kind, intent, slots in turns:
            reply = CONVERSATION.respond(Turn(kind, intent, slots, attributes))
            said = json.dumps([reply.speech, reply.reprompt])
            replies.setdefault(said, (f"{intent or kind} with {attributes}", reply))
            key = json.dumps(reply.attributes, sort_keys=True)
            if reply.end_session is False and key not in seen:
                seen.add(key)
                todo.append(dict(reply.attributes))
        assert len(seen) < 2000, "the walk is not converging"
    error = CONVERSATION.error_reply()
    replies.setdefault("error", ("a failure inside the skill", error))
    return tuple(replies.values())


def test_the_walk_reaches_every_outcome_and_every_medicine() -> None:
    replies = [reply for _, reply in every_reply()]
    assert {r.outcome for r in replies if r.outcome is not None} == set(Level)
    said = {" ".join(r.speech) for r in replies}
    for medicine in CONTENT.medicines.values():
        first_words = medicine.speech.split("{medicine}")[-1][:30]
        assert any(first_words in s for s in said), medicine.id
    partly = M.readback_partly.split("{sign}")[-1]
    assert any(partly in s for s in said), "no reply to 'a bit'"


def test_no_reply_but_an_outcome_is_longer_than_two_breaths() -> None:
    too_long = {}
    for where, reply in every_reply():
        if reply.outcome is not None:
            continue
        for part, text in (("speech", " ".join(reply.speech)), ("reprompt", reply.reprompt)):
            if text and words(text) > MAX_REPLY_WORDS:
                too_long[f"{where}: {part}"] = f"{words(text)} words: {text}"
    assert too_long == {}


def test_no_outcome_is_longer_than_four_breaths() -> None:
    too_long = {
        where: f"{words(' '.join(reply.speech))} words"
        for where, reply in every_reply()
        if reply.outcome is not None and words(" ".join(reply.speech)) > MAX_OUTCOME_WORDS
    }
    assert too_long == {}


def test_an_emergency_outcome_says_999_in_its_first_sentence() -> None:
    emergencies = [r for _, r in every_reply() if r.outcome is Level.EMERGENCY]
    assert emergencies
    for reply in emergencies:
        first = sentences(" ".join(reply.speech))[0]
        assert "999" in first, first


# -- readability ----------------------------------------------------------------------------


def reading_pools() -> dict[str, str]:
    """Each kind of spoken content as one text, each piece once (a medicine answer with one
    name, a read-back in one form), so that no sentence counts more than once."""
    answers = [t.speech for t in CONTENT.topics.values()]
    answers += [t.invite for t in CONTENT.topics.values()]
    answers += [
        m.speech.format(medicine=_spoken_name(MEDICINES[m.ids[0]]) if m.ids else "")
        for m in CONTENT.medicines.values()
    ]
    check = [q.ask for q in CONTENT.questions]
    check += [M.readback_yes.format(sign=q.readback) for q in CONTENT.questions]
    check += [CONTENT.duration.ask]
    outcomes = [o.speech for o in CONTENT.outcomes.values()]
    outcomes += [o.safety_net for o in CONTENT.outcomes.values()]
    messages = [text for key, text in SPOKEN.items() if key.startswith("messages.")]
    pools = {
        "answers": " ".join(answers),
        "check": " ".join(check),
        "outcomes": " ".join(outcomes),
        "messages": " ".join(dict.fromkeys(messages)),
    }
    pools["all"] = " ".join(pools.values())
    return pools


POOLS = reading_pools()


@pytest.mark.parametrize("pool", sorted(POOLS))
def test_each_kind_of_content_is_within_reading_age_11(pool: str) -> None:
    text = POOLS[pool]
    assert textstat.lexicon_count(text) >= MIN_POOL_WORDS, "too short to score"
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{pool}: Flesch-Kincaid grade {grade} (reading age {grade + 5})"


POINTS = {
    f"{topic.id}[{n}]": point
    for topic in CONTENT.topics.values()
    for n, point in enumerate(topic.points)
}


@pytest.mark.parametrize("key", sorted(POINTS))
def test_every_key_point_on_a_screen_is_one_short_read(key: str) -> None:
    too_long = [s for s in sentences(POINTS[key]) if words(s) > MAX_SENTENCE_WORDS]
    assert too_long == [], f"split these sentences (over {MAX_SENTENCE_WORDS} words)"


def test_key_points_on_screens_are_within_reading_age_11_and_14() -> None:
    text = " ".join(POINTS.values())
    assert textstat.lexicon_count(text) >= MIN_POOL_WORDS, "too short to score"
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE
    assert textstat.sentence_count(text) >= MIN_SMOG_SENTENCES
    assert textstat.smog_index(text) <= MAX_SMOG


@pytest.mark.parametrize(
    "pool", sorted(p for p in POOLS if textstat.sentence_count(POOLS[p]) >= MIN_SMOG_SENTENCES)
)
def test_medical_words_keep_each_kind_of_content_within_reading_age_14(pool: str) -> None:
    grade = textstat.smog_index(POOLS[pool])
    assert grade <= MAX_SMOG, f"{pool}: SMOG grade {grade} (reading age {grade + 5})"


def test_the_readability_pools_are_scored_as_the_doc_says() -> None:
    # Every kind of content is scored; SMOG only where there are enough sentences for it.
    assert set(POOLS) == {"answers", "check", "outcomes", "messages", "all"}
    smog = {p for p in POOLS if textstat.sentence_count(POOLS[p]) >= MIN_SMOG_SENTENCES}
    assert {"answers", "all"} <= smog


# -- what the words must and must never say -------------------------------------------------


def _all_text() -> dict[str, str]:
    """Spoken strings, every card (read in the Alexa app) and every key point and label a
    screen shows."""
    texts = dict(SPOKEN)
    for topic in CONTENT.topics.values():
        texts[f"topics.{topic.id}.card"] = topic.card
        for n, point in enumerate(topic.points):
            texts[f"topics.{topic.id}.points[{n}]"] = point
    for f in fields(Messages):
        value = getattr(M, f.name)
        if f.name.startswith("screen_") and isinstance(value, str):
            texts[f"messages.{f.name}"] = value
    for medicine in CONTENT.medicines.values():
        texts[f"medicines.{medicine.id}.card"] = medicine.card.format(medicine="Naproxen")
    for outcome in CONTENT.outcomes.values():
        texts[f"outcomes.{outcome.level}.card"] = outcome.card
        texts[f"outcomes.{outcome.level}.urgency"] = outcome.urgency
    return texts


ALL_TEXT = _all_text()
CAUTION = re.compile(r"\b(don't|do not|not recommended|contains?|also contain)\b", re.IGNORECASE)


def test_paracetamol_is_never_suggested_alone_anywhere() -> None:
    """NICE QS155: every sentence naming paracetamol pairs it with an anti-inflammatory,
    or is a caution about it."""
    alone = {
        key: sentence
        for key, text in ALL_TEXT.items()
        for sentence in sentences(text.replace("\n", " "))
        if "paracetamol" in sentence.lower()
        and not re.search(r"ibuprofen|anti-inflammator", sentence, re.IGNORECASE)
        and not CAUTION.search(sentence)
    }
    assert alone == {}


@pytest.mark.parametrize("card", ["topics.pain_relief.card", "medicines.ibuprofen.card"])
def test_ibuprofen_cards_list_every_caution(card: str) -> None:
    """The NHS cautions, in full, where the spoken answer can only summarise them."""
    text = ALL_TEXT[card].lower()
    cautions = [
        "stomach ulcer",
        "asthma",
        "aspirin",
        "heart",
        "kidney",
        "liver",
        "high blood pressure",
        "blood thinners",
        "pregnant",
        "over 65",
        "other anti-inflammatories",
    ]
    assert [c for c in cautions if c not in text] == []


def test_no_spoken_answer_gives_a_dose() -> None:
    """No doses: "follow the leaflet" and a pharmacist instead."""
    dose = re.compile(
        r"\b\d+\s*(mg|milligrams?|tablets?|times)\b|\b(twice|once) a day\b|\bevery \d+ hours\b",
        re.IGNORECASE,
    )
    assert {k: t for k, t in SPOKEN.items() if dose.search(t)} == {}


def test_nothing_diagnoses_or_promises_safety() -> None:
    never = re.compile(
        r"sounds like|you have sciatica|you(?:'re| are) (?:fine|safe|ok)|nothing to worry"
        r"|no need to see|don't need to see|isn't serious|is not serious",
        re.IGNORECASE,
    )
    assert {k: t for k, t in ALL_TEXT.items() if never.search(t)} == {}


def test_not_being_understood_still_names_the_emergency_signs() -> None:
    """Someone in an emergency who is misheard hears 999 and the signs, not just "sorry"."""
    for text in (M.fallback, M.error, M.stopped_check, M.goodbye):
        assert "999" in text
        assert "trouble peeing" in text
        assert "chest pain" in text
