"""Plain text to SSML: escaped, valid XML, and 999 / 111 read digit by digit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pytest

from skill.content_model import Messages, default_content
from skill.speech import strip_ssml, to_ssml

CONTENT = default_content()
DIGITS = '<say-as interpret-as="digits">{}</say-as>'
STANDALONE_NUMBER = re.compile(r"\b(999|111)\b")


def parse(ssml: str) -> ET.Element:
    """The SSML as Alexa receives it: inside a <speak> element."""
    return ET.fromstring(f"<speak>{ssml}</speak>")


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("A&E", "A&amp;E"),
        ("1 < 2", "1 &lt; 2"),
        ("2 > 1", "2 &gt; 1"),
        ('say "yes"', "say &quot;yes&quot;"),
        ("it's", "it&apos;s"),
    ],
    ids=["ampersand", "less-than", "greater-than", "double-quote", "apostrophe"],
)
def test_special_characters_are_escaped(text: str, escaped: str) -> None:
    ssml = to_ssml([text])
    assert ssml == escaped
    assert "".join(parse(ssml).itertext()) == text


def test_markup_in_text_is_not_markup_in_speech() -> None:
    root = parse(to_ssml(['<break time="10s"/> <b>&amp; </speak>']))
    assert list(root) == [], "text must not become SSML elements"


@pytest.mark.parametrize(
    "text, number",
    [
        ("Phone 999 now.", "999"),
        ("Call NHS 111.", "111"),
        ("999", "999"),
        ("(111)", "111"),
    ],
)
def test_phone_numbers_are_read_as_digits(text: str, number: str) -> None:
    ssml = to_ssml([text])
    assert DIGITS.format(number) in ssml
    say_as = parse(ssml).findall("say-as")
    assert [(e.get("interpret-as"), e.text) for e in say_as] == [("digits", number)]


@pytest.mark.parametrize(
    "text", ["9999", "1110", "0999", "1112", "99", "11"], ids=lambda t: f"number-{t}"
)
def test_other_numbers_are_not_read_as_digits(text: str) -> None:
    ssml = to_ssml([f"It costs {text} pence."])
    assert "say-as" not in ssml
    assert text in ssml


def test_both_numbers_in_one_sentence() -> None:
    ssml = to_ssml(["Phone 999, or call 111 if it is not an emergency."])
    assert [e.text for e in parse(ssml).findall("say-as")] == ["999", "111"]


def test_sentences_are_joined_with_single_spaces_and_blanks_dropped() -> None:
    assert to_ssml(["  One.  ", "", "   ", "Two."]) == "One. Two."


@pytest.mark.parametrize(
    "text",
    [
        "Phone 999 now, or go to A&E.",
        'He said "it\'s <fine>" & left.',
        "Call NHS 111. Or phone 999.",
        "&amp; is not an entity here, nor is &lt;.",
        "Plain words.",
    ],
)
def test_strip_ssml_gives_back_the_plain_text(text: str) -> None:
    assert strip_ssml(to_ssml([text])) == text


def spoken_strings() -> Iterator[Any]:
    """Every string in the content that Alexa can say, as it is said."""
    awkward_name = '<Tom> & "Jerry\'s"'
    for topic in CONTENT.topics.values():
        yield pytest.param(topic.speech, id=f"topics.{topic.id}.speech")
        yield pytest.param(topic.invite, id=f"topics.{topic.id}.invite")
    for medicine in CONTENT.medicines.values():
        spoken = medicine.speech.format(medicine=awkward_name)
        yield pytest.param(spoken, id=f"medicines.{medicine.id}.speech")
    messages = CONTENT.messages
    for question in CONTENT.questions:
        yield pytest.param(question.ask, id=f"questions.{question.id}.ask")
        yield pytest.param(
            f"{messages.check_reprompt} {question.ask}", id=f"questions.{question.id}.reprompt"
        )
        for name in ("readback_yes", "readback_unsure", "readback_partly"):
            spoken = getattr(messages, name).format(sign=question.readback)
            yield pytest.param(spoken, id=f"questions.{question.id}.{name}")
    yield pytest.param(CONTENT.duration.ask, id="duration.ask")
    yield pytest.param(CONTENT.duration.reprompt, id="duration.reprompt")
    for outcome in CONTENT.outcomes.values():
        yield pytest.param(outcome.speech, id=f"outcomes.{outcome.level}.speech")
        yield pytest.param(outcome.safety_net, id=f"outcomes.{outcome.level}.safety_net")
    for f in fields(Messages):
        value = getattr(messages, f.name)
        if isinstance(value, str):
            if "{duration}" in value:
                value = value.format(duration="1 year, 2 months and 3 days")
            yield pytest.param(value, id=f"messages.{f.name}")


SPOKEN = list(spoken_strings())


def test_every_kind_of_spoken_string_is_covered() -> None:
    ids = {p.id.split(".")[0] for p in SPOKEN}
    assert ids == {"topics", "medicines", "questions", "duration", "outcomes", "messages"}


@pytest.mark.parametrize("text", SPOKEN)
def test_every_spoken_string_is_valid_ssml(text: str) -> None:
    root = parse(to_ssml([text]))
    assert {e.tag for e in root.iter()} <= {"speak", "say-as"}
    for element in root.iter("say-as"):
        assert element.get("interpret-as") == "digits"
        assert element.text in {"999", "111"}
    # Every 999 and 111 outside <say-as> would be read as a number, not as digits.
    outside = [root.text or "", *(e.tail or "" for e in root.iter("say-as"))]
    assert not any(STANDALONE_NUMBER.search(part) for part in outside)
    assert strip_ssml(to_ssml([text])) == text.strip()
