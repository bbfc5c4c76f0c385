"""The request log line: one per request, key=value fields that a log query can parse.

What must never be in the logs (ids, session attributes, answers, exception text) is tested over
a whole warning-sign check at DEBUG by
tests/test_lambda.py::test_logs_hold_no_ids_attributes_or_answers; this file tests the shape.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from test_lambda import Device, SkillFailedError, _exception_encountered, _fail_once, duration

from skill.content_model import Level, default_content
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    HANDLED_INTENTS,
    NO,
    SOMEWHAT,
    UNSURE,
    YES,
)
from skill.nlu import InteractionModel

QUESTIONS = default_content().questions
FIELDS = ("event", "type", "intent", "outcome", "ms")
FIELD = re.compile(r"(?P<key>[a-z]+)=(?P<value>[^\s=]+)")
REQUEST_TYPES = {
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "System.ExceptionEncountered",
}
ANSWER_INTENTS = {YES, NO, UNSURE, SOMEWHAT, DURATION_ANSWER, EMERGENCY, CHECK_SYMPTOMS}
INTENT_VALUES = {"-", "answer", "other"} | (HANDLED_INTENTS - ANSWER_INTENTS)
OUTCOME_VALUES = {"-"} | {level.value for level in Level}
# Alexa waits 8 seconds for a response; a request here takes milliseconds.
MAX_MS = 1000.0


@pytest.fixture
def device(lambda_module: ModuleType, model: InteractionModel) -> Device:
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = lambda_module.lambda_handler
    return Device(handler, model)


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    """Every request line, parsed; fails on a line that is not exactly the five fields."""
    parsed = []
    for record in caplog.records:
        message = record.getMessage()
        if not message.startswith("event=request"):
            continue
        assert record.name == "skill" and record.levelno == logging.INFO, message
        tokens = message.split(" ")
        fields = [FIELD.fullmatch(token) for token in tokens]
        assert all(fields), f"not key=value: {message!r}"
        pairs = [(f["key"], f["value"]) for f in fields if f is not None]
        assert tuple(key for key, _ in pairs) == FIELDS, message
        parsed.append(dict(pairs))
    return parsed


def assert_well_formed(line: dict[str, str]) -> None:
    assert line["event"] == "request"
    assert line["type"] in REQUEST_TYPES, line
    assert line["intent"] in INTENT_VALUES, line
    assert line["outcome"] in OUTCOME_VALUES, line
    assert 0.0 <= float(line["ms"]) < MAX_MS, line


def test_every_request_logs_one_parseable_line_with_its_fields(
    device: Device, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="skill")
    device.launch()
    device.intent("ScanIntent")
    device.intent(YES)  # starts the check
    device.intent(UNSURE)
    for _ in QUESTIONS:
        device.intent(NO)
    device.intent(DURATION_ANSWER, duration=duration("P6W", "six weeks"))
    device.intent(CHECK_SYMPTOMS)
    device.intent(SOMEWHAT)  # "a bit" to the first, emergency, question
    device.launch()
    device.end("EXCEEDED_MAX_REPROMPTS")
    lines = request_lines(caplog)
    assert len(lines) == len(device.events)
    for line, event in zip(lines, device.events, strict=True):
        assert_well_formed(line)
        assert line["type"] == event["request"]["type"]
    outcomes = [line["outcome"] for line in lines]
    assert outcomes.count("gp") == 1
    assert outcomes.count("emergency") == 1
    assert {line["intent"] for line in lines} == {"-", "ScanIntent", "answer"}


def test_a_failed_request_still_logs_its_request_line(
    device: Device, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="skill")
    device.launch()
    device.intent(CHECK_SYMPTOMS)
    _fail_once(monkeypatch)
    device.intent(NO)
    lines = request_lines(caplog)
    assert len(lines) == 3
    for line in lines:
        assert_well_formed(line)
    assert lines[-1]["intent"] == "answer"
    errors = [r.getMessage() for r in caplog.records if r.getMessage().startswith("event=error")]
    assert errors == [f"event=error type={SkillFailedError.__name__}"]


def test_a_request_alexa_reports_as_failed_is_logged_too(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="skill")
    lambda_module.lambda_handler(_exception_encountered(), None)
    (line,) = request_lines(caplog)
    assert_well_formed(line)
    assert line["type"] == "System.ExceptionEncountered"


@pytest.mark.parametrize(
    "name",
    [
        "WeatherIntent",
        "AMAZON.PauseIntent",
        "Fake outcome=emergency ms=0",
        "Forged\nevent=request type=LaunchRequest",
    ],
    ids=["unknown", "built-in-not-in-model", "fields-in-the-name", "new-line-in-the-name"],
)
def test_an_intent_name_outside_the_model_is_logged_as_other(
    device: Device, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """The name is text from the request: logged verbatim it could forge a field or a line."""
    caplog.set_level(logging.INFO, logger="skill")
    device.intent(name)
    (line,) = request_lines(caplog)
    assert_well_formed(line)
    assert line["intent"] == "other"
    assert not any(name in record.getMessage() for record in caplog.records)
