"""A small stand-in for Alexa's speech understanding, for the local chat and the tests.

It knows only what ``interaction_model/en-GB.json`` declares: typed text is matched against
the sample utterances (slots filled from the slot types' values and synonyms, or from an
AMAZON.DURATION phrase), and built-in intents against a short list of common phrases, as
Amazon's own models would. Anything else goes to AMAZON.FallbackIntent, as on a device.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FALLBACK = "AMAZON.FallbackIntent"

# Phrases that Amazon's built-in intents understand (a small, representative set).
BUILT_IN_PHRASES: Mapping[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": (
        "yes", "yeah", "yep", "yes please", "sure", "ok", "okay", "go on", "please do",
        "alright", "of course", "i do", "yes i do", "i have", "yes i have", "correct",
    ),
    "AMAZON.NoIntent": (
        "no", "nope", "nah", "no thanks", "no thank you", "not really", "i don't",
        "no i don't", "i haven't", "no i haven't", "no it isn't", "no it's not",
    ),
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can you do"),
    "AMAZON.StopIntent": ("stop", "goodbye", "bye", "that's all", "be quiet", "shut up"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "forget it"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "pardon", "come again"),
    "AMAZON.StartOverIntent": ("start over", "start again", "restart", "begin again"),
    "AMAZON.NavigateHomeIntent": ("go home", "home"),
}  # fmt: skip

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60,
}  # fmt: skip
_DURATION_UNITS = {
    "minute": ("T", "M"), "hour": ("T", "H"), "day": ("", "D"), "week": ("", "W"),
    "fortnight": ("", "2W"), "month": ("", "M"), "year": ("", "Y"),
}  # fmt: skip
_DURATION = re.compile(
    r"^(?P<number>\d+|(?:twenty|thirty|forty|fifty|sixty) \w+|\w+) "
    r"(?P<unit>minute|hour|day|week|month|year)s?$"
)


_ACRONYM = re.compile(r"\b[A-Z](?:&?[A-Z]){1,3}\b")


def spell_acronyms(text: str) -> str:
    """Typed acronyms as spaced letters ("GP" -> "G P"), as samples spell them ("g. p.")."""
    return _ACRONYM.sub(lambda m: " ".join(m.group().replace("&", "")), text)


def normalise(text: str) -> str:
    """Lower case, words only: how typed text and sample utterances are compared."""
    text = text.lower().replace("-", " ").replace("\u2019", "'")
    text = re.sub(r"[^a-z0-9' ]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def parse_duration(text: str) -> str | None:
    """An AMAZON.DURATION value ("P2W") for phrases like "two weeks" or "10 days"."""
    text = normalise(text)
    if text in ("a fortnight", "fortnight"):
        return "P2W"
    match = _DURATION.match(text)
    if match is None:
        return None
    words = match["number"]
    if words.isdigit():
        number = int(words)
    else:
        parts = words.split()
        if not all(p in _NUMBERS for p in parts):
            return None
        number = sum(_NUMBERS[p] for p in parts)
        if len(parts) == 2 and not (_NUMBERS[parts[0]] >= 20 and _NUMBERS[parts[1]] < 10):
            return None
    time_part, unit = _DURATION_UNITS[match["unit"]]
    return f"P{time_part}{number}{unit}" if number else None


@dataclass(frozen=True)
class SlotValue:
    """A filled slot: what was heard and, for custom types, the value it resolved to."""

    spoken: str
    value: str
    """What Alexa puts in the slot's ``value``: the words heard, or the ISO duration."""
    resolved: tuple[str, str] | None = None
    """(id, name) of the matched custom value; None for no match or built-in types."""
    custom: bool = False


@dataclass(frozen=True)
class Match:
    intent: str
    slots: Mapping[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True)
class _Sample:
    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal_words: int


class InteractionModel:
    """The parts of an interaction model that the chat and the tests need."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        language = raw["interactionModel"]["languageModel"]
        self.invocation_name: str = language["invocationName"]
        self.intents: dict[str, dict[str, str]] = {
            intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for intent in language["intents"]
        }
        self.samples: dict[str, list[str]] = {
            intent["name"]: list(intent.get("samples", [])) for intent in language["intents"]
        }
        # slot type -> normalised phrase -> (id, canonical name)
        self.slot_values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in language.get("types", []):
            values: dict[str, tuple[str, str]] = {}
            for value in slot_type["values"]:
                name = value["name"]
                resolved = (value.get("id") or name["value"], name["value"])
                for phrase in [name["value"], *name.get("synonyms", [])]:
                    values[normalise(phrase)] = resolved
            self.slot_values[slot_type["name"]] = values
        self._samples = [
            self._compile(intent, sample)
            for intent, samples in self.samples.items()
            for sample in samples
        ]

    @classmethod
    def load(cls, path: Path) -> InteractionModel:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    @staticmethod
    def _compile(intent: str, sample: str) -> _Sample:
        parts: list[str] = []
        slots: list[str] = []
        literal = 0
        for piece in re.split(r"(\{\w+\})", sample):
            if piece.startswith("{"):
                name = piece[1:-1]
                slots.append(name)
                parts.append(f"(?P<{name}>.+?)")
                continue
            for word in normalise(piece).split():
                literal += 1
                parts.append(re.escape(word))
        return _Sample(intent, re.compile("^" + " ".join(parts) + "$"), tuple(slots), literal)

    def _fill(self, intent: str, slot: str, text: str, literal_words: int) -> SlotValue | None:
        slot_type = self.intents[intent].get(slot, "")
        if slot_type == "AMAZON.DURATION":
            iso = parse_duration(text)
            return SlotValue(text, iso) if iso else None
        values = self.slot_values.get(slot_type)
        if values is None:
            return SlotValue(text, text)
        resolved = values.get(text)
        if resolved is None and literal_words < 2:
            return None  # a bare slot must be something the type knows
        return SlotValue(text, text, resolved, custom=True)

    def resolve(self, text: str) -> Match:
        """The intent and slots Alexa would most likely send for ``text``."""
        said = normalise(spell_acronyms(text))
        for intent, phrases in BUILT_IN_PHRASES.items():
            if intent in self.intents and said in phrases:
                return Match(intent)
        best: tuple[tuple[int, int, int], Match] | None = None
        for sample in self._samples:
            found = sample.pattern.match(said)
            if found is None:
                continue
            slots: dict[str, SlotValue] = {}
            for name in sample.slots:
                filled = self._fill(sample.intent, name, found[name], sample.literal_words)
                if filled is None:
                    break
                slots[name] = filled
            else:
                unresolved = sum(1 for s in slots.values() if s.custom and s.resolved is None)
                rank = (-unresolved, -len(slots), sample.literal_words)
                if best is None or rank > best[0]:
                    best = (rank, Match(sample.intent, slots))
        return best[1] if best else Match(FALLBACK)


def model_path() -> Path:
    """``interaction_model/en-GB.json`` beside the package in a source checkout."""
    return Path(__file__).resolve().parent.parent / "interaction_model" / "en-GB.json"
