"""interaction_model/en-GB.json against Alexa's published rules, the code, and the local NLU.

The rules are the ones the developer console enforces or certification checks: a valid
invocation name, the required built-in intents, enough clean sample utterances, no utterance in
two intents, slots that are declared and used, and slot values with unique ids and synonyms.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from skill.content_model import default_content
from skill.conversation import HANDLED_INTENTS
from skill.durations import parse_iso_duration
from skill.nlu import FALLBACK, InteractionModel, model_path

RAW: dict[str, Any] = json.loads(model_path().read_text(encoding="utf-8"))
LANGUAGE: dict[str, Any] = RAW["interactionModel"]["languageModel"]
INTENTS: dict[str, dict[str, Any]] = {i["name"]: i for i in LANGUAGE["intents"]}
TYPES: dict[str, dict[str, Any]] = {t["name"]: t for t in LANGUAGE.get("types", [])}
CUSTOM_INTENTS = sorted(name for name in INTENTS if not name.startswith("AMAZON."))
SAMPLES: list[tuple[str, str]] = [
    (intent["name"], sample) for intent in LANGUAGE["intents"] for sample in intent["samples"]
]

LAUNCH_WORDS = {"open", "ask", "start", "launch", "tell", "load", "begin", "enable", "play"}
FORBIDDEN_WORDS = {"skill", "app", "alexa", "amazon", "echo", "computer"}
REQUIRED_BUILT_INS = {
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
}
MIN_SAMPLES = 20
SLOT = re.compile(r"\{(\w+)\}")
# A word, a single letter with a period ("m. r. i."), or a {slot}.
TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|[A-Za-z]\.|\{\w+\}")


def comparable(sample: str) -> str:
    """A sample as Alexa compares them: case, punctuation and spacing ignored."""
    text = re.sub(r"[^a-z{}' ]", " ", sample.lower())
    return " ".join(text.split())


def slot_type(intent: str, slot: str) -> str:
    return next(s["type"] for s in INTENTS[intent].get("slots", []) if s["name"] == slot)


# -- the invocation name -----------------------------------------------------------------------


def test_invocation_name_is_lower_case_words() -> None:
    name = LANGUAGE["invocationName"]
    assert name == name.lower()
    assert re.fullmatch(r"[a-z]+(?: [a-z]+)+", name), "two or more words, letters only"


def test_invocation_name_has_no_launch_or_reserved_words() -> None:
    words = set(LANGUAGE["invocationName"].split())
    assert not words & LAUNCH_WORDS
    assert not words & FORBIDDEN_WORDS


# -- intents and samples -----------------------------------------------------------------------


def test_required_built_in_intents_are_declared() -> None:
    assert set(INTENTS) >= REQUIRED_BUILT_INS


@pytest.mark.parametrize("intent", CUSTOM_INTENTS)
def test_custom_intent_has_enough_samples(intent: str) -> None:
    assert len(INTENTS[intent]["samples"]) >= MIN_SAMPLES


@pytest.mark.parametrize(("intent", "sample"), SAMPLES, ids=[f"{i}:{s}" for i, s in SAMPLES])
def test_sample_uses_only_allowed_characters(intent: str, sample: str) -> None:
    assert not re.search(r"\d", sample), "spell numbers out"
    assert sample == sample.strip() and "  " not in sample
    tokens = sample.split(" ")
    bad = [t for t in tokens if not TOKEN.fullmatch(t)]
    assert not bad, f"not a word, a single-letter abbreviation or a slot: {bad}"


def test_no_sample_is_in_two_intents() -> None:
    owners: dict[str, set[str]] = {}
    for intent, sample in SAMPLES:
        owners.setdefault(comparable(sample), set()).add(intent)
    shared = {sample: intents for sample, intents in owners.items() if len(intents) > 1}
    assert not shared


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_no_duplicate_sample_within_an_intent(intent: str) -> None:
    counts = Counter(comparable(s) for s in INTENTS[intent]["samples"])
    assert not [s for s, n in counts.items() if n > 1]


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_slots_are_declared_and_used(intent: str) -> None:
    declared = [s["name"] for s in INTENTS[intent].get("slots", [])]
    used = {name for sample in INTENTS[intent]["samples"] for name in SLOT.findall(sample)}
    assert len(declared) == len(set(declared)), "a slot declared twice"
    assert used == set(declared)


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_slot_types_exist(intent: str) -> None:
    for slot in INTENTS[intent].get("slots", []):
        assert slot["type"].startswith("AMAZON.") or slot["type"] in TYPES, slot


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_custom_slot_type_ids_and_phrases_are_unique(type_name: str) -> None:
    values = TYPES[type_name]["values"]
    ids = [v.get("id") for v in values]
    assert all(ids), "every value has an id, for entity resolution"
    assert len(ids) == len(set(ids))
    phrases = [
        comparable(phrase)
        for v in values
        for phrase in [v["name"]["value"], *v["name"].get("synonyms", [])]
    ]
    assert [p for p, n in Counter(phrases).items() if n > 1] == []


# -- the model and the code agree -------------------------------------------------------------


def test_code_handles_exactly_the_model_intents() -> None:
    assert set(INTENTS) == HANDLED_INTENTS


def test_every_medicine_id_in_content_is_in_the_model() -> None:
    model_ids = {v["id"] for v in TYPES["MEDICINE"]["values"]}
    content_ids = {i for advice in default_content().medicines.values() for i in advice.ids}
    assert content_ids
    assert content_ids <= model_ids


@pytest.mark.parametrize("value_id", [v["id"] for v in TYPES["ROUGH_DURATION"]["values"]])
def test_rough_duration_id_is_an_iso_duration(value_id: str) -> None:
    parsed = parse_iso_duration(value_id)
    assert parsed is not None
    assert parsed.days > 0


# -- typed text reaches the same intent (the chat's NLU) ----------------------------------------


def fill(intent: str, sample: str) -> str:
    """The sample with each slot filled by a value Alexa would accept for its type."""

    def value(match: re.Match[str]) -> str:
        kind = slot_type(intent, match[1])
        if kind == "AMAZON.DURATION":
            return "two weeks"
        return str(TYPES[kind]["values"][0]["name"]["value"])

    return SLOT.sub(value, sample)


@pytest.mark.parametrize(("intent", "sample"), SAMPLES, ids=[f"{i}:{s}" for i, s in SAMPLES])
def test_every_sample_resolves_to_its_own_intent(
    model: InteractionModel, intent: str, sample: str
) -> None:
    typed = fill(intent, sample)
    match = model.resolve(typed)
    assert match.intent == intent, f"{typed!r} went to {match.intent}"
    assert set(match.slots) == set(SLOT.findall(sample))


@pytest.mark.parametrize(
    ("typed", "intent", "slot", "resolved_id"),
    [
        ("can I take nurofen", "PainReliefIntent", "medicine", "IBUPROFEN"),
        ("is Calpol okay for back pain", "PainReliefIntent", "medicine", "PARACETAMOL"),
        ("is voltarol gel safe to take", "PainReliefIntent", "medicine", "DICLOFENAC"),
        ("it's been a good few weeks", "DurationAnswerIntent", "roughDuration", "P4W"),
        ("for ages", "DurationAnswerIntent", "roughDuration", "P6M"),
    ],
    ids=["nurofen", "calpol", "voltarol-gel", "a-good-few-weeks", "for-ages"],
)
def test_synonym_resolves_to_its_value_id(
    model: InteractionModel, typed: str, intent: str, slot: str, resolved_id: str
) -> None:
    match = model.resolve(typed)
    assert match.intent == intent
    assert match.slots[slot].resolved is not None
    assert match.slots[slot].resolved[0] == resolved_id


@pytest.mark.parametrize(
    ("typed", "iso"),
    [("it's been a fortnight", "P2W"), ("about three days", "P3D"), ("six weeks", "P6W")],
    ids=["fortnight", "three-days", "six-weeks"],
)
def test_duration_phrase_becomes_an_iso_duration(
    model: InteractionModel, typed: str, iso: str
) -> None:
    match = model.resolve(typed)
    assert match.intent == "DurationAnswerIntent"
    values = {s.resolved[0] if s.resolved else s.value for s in match.slots.values()}
    assert iso in values


def test_unknown_medicine_still_reaches_pain_relief_without_a_match(
    model: InteractionModel,
) -> None:
    match = model.resolve("can I take frogspawn")
    assert match.intent == "PainReliefIntent"
    assert match.slots["medicine"].resolved is None
    assert match.slots["medicine"].value == "frogspawn"


@pytest.mark.parametrize(
    "typed",
    ["what about work", "what about chest pain", "can I have sex", "I've got some chest pain"],
)
def test_words_that_are_not_medicines_are_not_taken_for_one(
    model: InteractionModel, typed: str
) -> None:
    # Broad frames like "what about {medicine}" once sent symptoms to the medicine answer.
    assert model.resolve(typed).intent != "PainReliefIntent"


@pytest.mark.parametrize(
    "typed", ["what's the weather", "play some music", "order a pizza", "blah blah"]
)
def test_text_outside_the_model_goes_to_fallback(model: InteractionModel, typed: str) -> None:
    assert model.resolve(typed).intent == FALLBACK
