"""The skill as Alexa meets it: JSON envelopes in through ``lambda_handler``, JSON responses out.

Every response is checked the way Alexa would check it (SSML that parses, a reprompt with every
question, ``shouldEndSession`` false for a question and true for a final answer, a Simple card,
Alexa's size limits), and sessions carry their attributes from one response to the next request
exactly as Alexa does.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill import envelopes
from skill.alexa import RefusedRequestError
from skill.content_model import CHECK, UNKNOWN_MEDICINE, Level, default_content
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    ENDING_INTENTS,
    FALLBACK,
    HELP,
    NO,
    REPEAT,
    SOMEWHAT,
    START_OVER,
    TOPIC_INTENTS,
    UNSURE,
    YES,
    Conversation,
)
from skill.nlu import InteractionModel, SlotValue, model_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions
INTENTS = sorted(InteractionModel.load(model_path()).intents)

# Alexa's published limits on a response.
MAX_SPEECH_CHARS = 8000
MAX_CARD_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024

ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-body.signature"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def heard(ssml: str) -> str:
    """What a listener hears: ``ssml`` must be one well-formed <speak> element."""
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>"), ssml
    root = ET.fromstring(ssml)  # raises on anything Alexa would reject as malformed
    assert root.tag == "speak"
    return " ".join("".join(root.itertext()).split())


def check_valid(response: Mapping[str, Any]) -> dict[str, Any]:
    """Assert ``response`` is a response envelope Alexa accepts; return its ``response``."""
    assert response["version"] == "1.0"
    assert len(json.dumps(response).encode("utf-8")) <= MAX_RESPONSE_BYTES
    body: dict[str, Any] = response["response"]
    for output in (body.get("outputSpeech"), (body.get("reprompt") or {}).get("outputSpeech")):
        if output is not None:
            assert output["type"] == "SSML"
            assert len(output["ssml"]) <= MAX_SPEECH_CHARS
            heard(output["ssml"])
    if "card" in body:
        card = body["card"]
        assert card["type"] == "Simple"
        assert isinstance(card["title"], str) and card["title"].strip()
        assert isinstance(card["content"], str) and card["content"].strip()
        assert len(card["title"]) + len(card["content"]) <= MAX_CARD_CHARS
    if "sessionAttributes" in response:
        assert isinstance(response["sessionAttributes"], dict)
    return body


def speech(response: Mapping[str, Any]) -> str:
    return heard(response["response"]["outputSpeech"]["ssml"])


def reprompt(response: Mapping[str, Any]) -> str:
    return heard(response["response"]["reprompt"]["outputSpeech"]["ssml"])


def assert_question(response: Mapping[str, Any]) -> str:
    """A question: spoken, with a reprompt, and the session stays open. Returns the speech."""
    body = check_valid(response)
    assert body["shouldEndSession"] is False
    assert reprompt(response)
    return speech(response)


def assert_final(response: Mapping[str, Any]) -> str:
    """A final answer: spoken, no reprompt, and the session ends. Returns the speech."""
    body = check_valid(response)
    assert body["shouldEndSession"] is True
    assert "reprompt" not in body
    assert "sessionAttributes" not in response or response["sessionAttributes"] == {}
    return speech(response)


def assert_silent(response: Mapping[str, Any]) -> None:
    """A response to a request that takes no speech (SessionEnded, ExceptionEncountered)."""
    body = check_valid(response)
    assert "outputSpeech" not in body
    assert "reprompt" not in body
    assert "card" not in body


def flat(text: str) -> str:
    return " ".join(text.split())


class Device:
    """One Echo talking to the Lambda function.

    Ids stay fixed for the device; a session lasts until a response ends it, and each request in
    it carries ``new: false`` and the ``sessionAttributes`` of the previous response.
    """

    def __init__(
        self, handler: Callable[[dict[str, Any], Any], dict[str, Any]], model: InteractionModel
    ) -> None:
        self.handler = handler
        self.model = model
        self.user_id = "amzn1.ask.account.AHEXAMPLEUSER" + "Q" * 40
        self.device_id = "amzn1.ask.device.AEXAMPLEDEVICE" + "R" * 40
        self.session: envelopes.Session | None = None
        self.sessions: list[envelopes.Session] = []
        self.events: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = envelopes.Session(user_id=self.user_id, device_id=self.device_id)
            self.sessions.append(self.session)
        event = self.session.envelope(request)
        event["context"]["System"]["apiAccessToken"] = ACCESS_TOKEN
        self.events.append(event)
        response = self.handler(event, None)
        self.responses.append(response)
        check_valid(response)
        if response["response"].get("shouldEndSession") is False:
            self.session.new = False
            self.session.attributes = copy.deepcopy(response.get("sessionAttributes") or {})
        else:
            self.session = None
        return response

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request())

    def intent(self, name: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(
            envelopes.intent_request(name, slots, slot_types=self.model.intents.get(name, {}))
        )

    def end(self, reason: str) -> dict[str, Any]:
        return self.send(envelopes.session_ended_request(reason))


def duration(iso: str, words: str) -> SlotValue:
    """An AMAZON.DURATION slot: Alexa sends the ISO 8601 value, no entity resolution."""
    return SlotValue(words, iso)


def rough(value_id: str, words: str) -> SlotValue:
    """A ROUGH_DURATION slot that entity resolution matched (ER_SUCCESS_MATCH)."""
    return SlotValue(words, words, (value_id, words), custom=True)


@pytest.fixture
def handler(lambda_module: ModuleType) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    return lambda_module.lambda_handler  # type: ignore[no-any-return]


@pytest.fixture
def device(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]], model: InteractionModel
) -> Device:
    return Device(handler, model)


# -- the documented request JSON -------------------------------------------------------------


def test_launch_request_fixture_gets_the_welcome(handler: Callable[..., dict[str, Any]]) -> None:
    response = handler(fixture("launch_request.json"), None)
    said = assert_question(response)
    assert said.startswith(flat(M.welcome))
    assert "999" in said
    assert response["response"]["card"]["title"] == M.welcome_title
    assert reprompt(response) == flat(M.welcome_reprompt)


def test_one_shot_medicine_on_an_echo_show_uses_the_resolved_medicine(
    handler: Callable[..., dict[str, Any]],
) -> None:
    # "Alexa, ask back pain helper can I take nurofen": Alexa resolved nurofen to IBUPROFEN.
    response = handler(fixture("intent_request_medicine_echo_show.json"), None)
    said = assert_question(response)
    ibuprofen = CONTENT.medicines["ibuprofen"]
    assert said.startswith(flat(f"{M.one_shot_notice} {ibuprofen.speech}"))
    assert "pharmacist" in said
    assert response["response"]["card"]["title"] == ibuprofen.title


def test_session_ended_with_error_fixture_gets_no_speech(
    handler: Callable[..., dict[str, Any]],
) -> None:
    assert_silent(handler(fixture("session_ended_error.json"), None))


def _shape(node: Any, path: str = "") -> set[str]:
    """Every key path in ``node`` with the JSON type at its end (lists merged as ``[]``)."""
    if isinstance(node, dict):
        paths = {f"{path}: object"} if not node else set()
        for key, value in node.items():
            paths |= _shape(value, f"{path}/{key}")
        return paths
    if isinstance(node, list):
        paths = {f"{path}: array"} if not node else set()
        for item in node:
            paths |= _shape(item, f"{path}[]")
        return paths
    return {f"{path}: {type(node).__name__}"}


def _built(name: str) -> dict[str, Any]:
    """The envelope skill.envelopes builds for the same request as fixture ``name``."""
    if name == "launch_request.json":
        return envelopes.Session().envelope(envelopes.launch_request())
    if name == "intent_request_medicine_echo_show.json":
        nurofen = SlotValue("nurofen", "nurofen", ("IBUPROFEN", "ibuprofen"), custom=True)
        request = envelopes.intent_request(
            "PainReliefIntent", {"medicine": nurofen}, slot_types={"medicine": "MEDICINE"}
        )
        return envelopes.Session(interfaces=envelopes.APL_INTERFACE).envelope(request)
    if name == "session_ended_error.json":
        session = envelopes.Session(new=False, attributes={"check": {"index": 3, "retried": False}})
        return session.envelope(envelopes.session_ended_request("ERROR"))
    raise AssertionError(name)


FIXTURE_NAMES = [
    "launch_request.json",
    "intent_request_medicine_echo_show.json",
    "session_ended_error.json",
]


@pytest.mark.parametrize("name", FIXTURE_NAMES, ids=lambda n: n.removesuffix(".json"))
def test_envelope_builder_has_the_documented_keys_at_every_level(name: str) -> None:
    assert _shape(_built(name)) == _shape(fixture(name))


@pytest.mark.parametrize("name", FIXTURE_NAMES, ids=lambda n: n.removesuffix(".json"))
def test_envelope_builder_uses_alexa_id_and_timestamp_formats(name: str) -> None:
    for event in (fixture(name), _built(name)):
        system = event["context"]["System"]
        assert system["application"]["applicationId"].startswith("amzn1.ask.skill.")
        assert system["user"]["userId"].startswith("amzn1.ask.account.")
        assert system["device"]["deviceId"].startswith("amzn1.ask.device.")
        assert system["apiEndpoint"].startswith("https://api.")
        assert event["session"]["sessionId"].startswith("amzn1.echo-api.session.")
        assert event["session"]["application"] == system["application"]
        assert event["session"]["user"] == system["user"]
        assert event["request"]["requestId"].startswith("amzn1.echo-api.request.")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["request"]["timestamp"])
        assert event["request"]["locale"] == "en-GB"
        # A new session carries no attributes; a continuing one always does.
        assert ("attributes" in event["session"]) is (not event["session"]["new"])


# -- every intent, alone and in a session ------------------------------------------------------


def _slots_for(intent: str) -> dict[str, SlotValue]:
    return {"duration": duration("P2W", "two weeks")} if intent == DURATION_ANSWER else {}


def _in_menu(intent: str) -> tuple[str, bool]:
    """What is said first, and whether it ends the session, outside the check."""
    if intent in TOPIC_INTENTS:
        return CONTENT.topics[TOPIC_INTENTS[intent]].speech, False
    if intent in ENDING_INTENTS:
        return M.goodbye, True
    return {
        CHECK_SYMPTOMS: (M.check_intro, False),
        EMERGENCY: (CONTENT.outcomes[Level.EMERGENCY].speech, True),
        UNSURE: (M.fallback, False),
        DURATION_ANSWER: (M.fallback, False),
        YES: (M.yes_nothing_offered, False),
        SOMEWHAT: (M.yes_nothing_offered, False),
        NO: (M.goodbye, True),
        HELP: (M.help, False),
        FALLBACK: (M.fallback, False),
        REPEAT: (M.welcome, False),
        START_OVER: (M.welcome, False),
    }[intent]


def _in_check(intent: str) -> tuple[str, bool]:
    """What is said first, and whether it ends the session, at the check's first question."""
    if intent in ENDING_INTENTS:
        return M.stopped_check, True
    first_level = QUESTIONS[0].level
    return {
        YES: (CONTENT.outcomes[first_level].speech, True),
        SOMEWHAT: (CONTENT.outcomes[first_level].speech, True),
        NO: (QUESTIONS[1].ask, False),
        UNSURE: (M.check_unsure_again, False),
        EMERGENCY: (CONTENT.outcomes[Level.EMERGENCY].speech, True),
        START_OVER: (M.check_restart, False),
        CHECK_SYMPTOMS: (M.check_restart, False),
        REPEAT: (QUESTIONS[0].ask, False),
        HELP: (M.check_help, False),
    }.get(intent, (M.check_unclear_again, False))


def _assert_reply(response: dict[str, Any], first: str, final: bool) -> str:
    said = assert_final(response) if final else assert_question(response)
    assert said.startswith(flat(first)), said
    return said


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_as_a_one_shot_request(device: Device, intent: str) -> None:
    first, final = _in_menu(intent)
    response = device.intent(intent, **_slots_for(intent))
    assert device.events[0]["session"]["new"] is True
    if not final:
        # No welcome was heard, so the answer starts with "in an emergency, phone 999".
        first = f"{M.one_shot_notice} {first}"
    said = _assert_reply(response, first, final)
    if intent == CHECK_SYMPTOMS:
        assert QUESTIONS[0].ask in said
    if final:
        assert "999" in said


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_after_the_welcome(device: Device, intent: str) -> None:
    assert_question(device.launch())
    first, final = _in_menu(intent)
    response = device.intent(intent, **_slots_for(intent))
    assert device.events[-1]["session"]["new"] is False
    _assert_reply(response, first, final)


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_at_the_first_warning_sign_question(device: Device, intent: str) -> None:
    assert_question(device.launch())
    assert QUESTIONS[0].ask in assert_question(device.intent(CHECK_SYMPTOMS))
    first, final = _in_check(intent)
    said = _assert_reply(device.intent(intent, **_slots_for(intent)), first, final)
    if final:
        assert "999" in said
    elif intent != NO:
        # Anything but an answer keeps the person on the same question: none is skipped.
        assert QUESTIONS[0].ask in said


@pytest.mark.parametrize(
    ("intent", "first", "final"),
    [
        (YES, M.check_intro, False),
        (NO, M.what_else, False),
        (UNSURE, M.offer_unsure, False),
        (REPEAT, CONTENT.topics["scan"].speech, False),
    ],
    ids=["yes-starts-check", "no-asks-what-else", "unsure-asks-again", "repeat"],
)
def test_answers_to_an_offer_after_a_topic(
    device: Device, intent: str, first: str, final: bool
) -> None:
    device.launch()
    assert CONTENT.topics["scan"].offer == CHECK  # the scan answer offers the check
    assert_question(device.intent("ScanIntent")).endswith(flat(M.check_invite))
    _assert_reply(device.intent(intent), first, final)


# -- the warning-sign check, to each outcome ---------------------------------------------------


def _index(question_id: str) -> int:
    return next(n for n, q in enumerate(QUESTIONS) if q.id == question_id)


# The red-flag table: where the first yes comes (None: every sign answered no, then how long),
# the outcome, and the length read back. tests/test_screens.py taps through the same table.
WHOLE_CHECKS = [
    ("bladder_bowel", None, Level.EMERGENCY, None),
    ("fever", None, Level.URGENT, None),
    (None, duration("P6W", "six weeks"), Level.GP, "6 weeks"),
    (None, duration("P2W", "two weeks"), Level.SELF_CARE, "2 weeks"),
    # Plain words have no exact length: only the side of 4 weeks is read back.
    (None, rough("P4W", "a few weeks"), Level.GP, CONTENT.duration.long_words),
    (None, rough("P3D", "a few days"), Level.SELF_CARE, CONTENT.duration.short_words),
]
WHOLE_CHECK_IDS = [
    "emergency-first-question",
    "urgent-fever",
    "gp-six-weeks",
    "self-care-two-weeks",
    "gp-rough-a-few-weeks-P4W",
    "self-care-rough-a-few-days-P3D",
]


@pytest.mark.parametrize(("yes_at", "answer", "level", "told"), WHOLE_CHECKS, ids=WHOLE_CHECK_IDS)
def test_whole_check_to_each_outcome(
    device: Device, yes_at: str | None, answer: SlotValue | None, level: Level, told: str | None
) -> None:
    assert_question(device.launch())
    said = assert_question(device.intent(CHECK_SYMPTOMS))
    assert said.startswith(flat(M.check_intro))
    assert device.responses[-1]["response"]["card"]["title"] == M.check_title
    last = len(QUESTIONS) if yes_at is None else _index(yes_at)
    for n in range(last + 1):
        if n == len(QUESTIONS):
            assert said.endswith(flat(CONTENT.duration.ask))
            assert reprompt(device.responses[-1]) == flat(CONTENT.duration.reprompt)
            break
        assert said.endswith(flat(QUESTIONS[n].ask)), f"question {n} not asked in order"
        assert reprompt(device.responses[-1]).endswith(flat(QUESTIONS[n].ask))
        if n == last:
            break
        said = assert_question(device.intent(NO))

    if yes_at is not None:
        result = assert_final(device.intent(YES))
    else:
        assert answer is not None
        slot = "duration" if not answer.custom else "roughDuration"
        result = assert_final(device.intent(DURATION_ANSWER, **{slot: answer}))

    outcome = CONTENT.outcomes[level]
    assert flat(outcome.speech) in result
    assert flat(outcome.safety_net) in result
    assert "999" in result
    if level is Level.EMERGENCY:
        assert result.startswith(flat(outcome.speech)), "emergency advice must come first"
    card = device.responses[-1]["response"]["card"]
    assert card["title"] == outcome.title
    if told is not None:
        assert f"for {told}" in result, "the duration heard is read back"
        assert f"for {told}" not in card["content"], "what was answered stays off the app"


def test_emergency_said_in_the_middle_of_a_topic_ends_with_999(device: Device) -> None:
    device.launch()
    assert_question(device.intent("RecoveryTimeIntent"))
    said = assert_final(device.intent(EMERGENCY))
    assert said.startswith(flat(CONTENT.outcomes[Level.EMERGENCY].speech))
    assert "999" in said


def test_emergency_said_in_the_middle_of_the_check_ends_with_999(device: Device) -> None:
    device.intent(CHECK_SYMPTOMS)
    for _ in range(5):
        assert_question(device.intent(NO))
    said = assert_final(device.intent(EMERGENCY))
    assert said.startswith(flat(CONTENT.outcomes[Level.EMERGENCY].speech))


def test_silence_twice_in_the_check_ends_the_session_quietly(device: Device) -> None:
    device.launch()
    device.intent(CHECK_SYMPTOMS)
    assert_silent(device.end("EXCEEDED_MAX_REPROMPTS"))
    assert device.session is None


# -- slots and entity resolution ---------------------------------------------------------------


def test_unmatched_medicine_is_never_read_back(device: Device) -> None:
    # ER_SUCCESS_NO_MATCH: Alexa heard a value that is not in the MEDICINE type. It may be a
    # mishearing or a symptom ("chest pain"), so the skill does not repeat it as a medicine.
    heard_value = "chest pain & <honey>"
    response = device.intent(
        "PainReliefIntent", medicine=SlotValue(heard_value, heard_value, None, custom=True)
    )
    assert device.events[-1]["request"]["intent"]["slots"]["medicine"]["resolutions"][
        "resolutionsPerAuthority"
    ][0]["status"]["code"] == ("ER_SUCCESS_NO_MATCH")
    said = assert_question(response)
    assert "chest pain" not in said and "honey" not in said
    assert "pharmacist" in said
    assert response["response"]["card"]["title"] == CONTENT.medicines[UNKNOWN_MEDICINE].title


def test_slot_text_that_is_spoken_is_escaped(device: Device) -> None:
    # The matched value's name is spoken; whatever arrives there is escaped for SSML.
    response = device.intent(
        "PainReliefIntent",
        medicine=SlotValue("x", "x", ("NAPROXEN", "naproxen & <b>"), custom=True),
    )
    ssml = response["response"]["outputSpeech"]["ssml"]
    assert "&amp;" in ssml and "&lt;b&gt;" in ssml
    assert "Naproxen & <b>" in assert_question(response)


@pytest.mark.parametrize(
    ("value_id", "name", "advice"),
    [
        ("IBUPROFEN", "ibuprofen", "ibuprofen"),
        ("PARACETAMOL", "paracetamol", "paracetamol"),
        ("NAPROXEN", "naproxen", "other_anti_inflammatory"),
        ("TRAMADOL", "tramadol", "prescribed"),
        ("CO_CODAMOL", "co codamol", "contains_paracetamol"),
        ("SOMETHING_NEW", "something new", UNKNOWN_MEDICINE),
    ],
    ids=["ibuprofen", "paracetamol", "naproxen", "tramadol", "co-codamol", "unlisted-id"],
)
def test_resolved_medicine_gets_its_advice(
    device: Device, value_id: str, name: str, advice: str
) -> None:
    response = device.intent(
        "PainReliefIntent", medicine=SlotValue("brand x", "brand x", (value_id, name), custom=True)
    )
    said = assert_question(response)
    medicine = name[:1].upper() + name[1:]
    advice_speech = CONTENT.medicines[advice].speech.format(medicine=medicine)
    assert said.startswith(flat(f"{M.one_shot_notice} {advice_speech}"))


# -- requests that take no speech --------------------------------------------------------------


@pytest.mark.parametrize("reason", ["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"])
def test_session_ended_request_gets_no_speech(device: Device, reason: str) -> None:
    device.launch()
    device.intent(CHECK_SYMPTOMS)
    assert_silent(device.end(reason))
    assert "shouldEndSession" not in device.responses[-1]["response"]


def _exception_encountered() -> dict[str, Any]:
    # Alexa sends this without a session, about a response of ours that it rejected.
    event = envelopes.Session().envelope(
        {
            "type": "System.ExceptionEncountered",
            "error": {"type": "INVALID_RESPONSE", "message": "Invalid SSML"},
            "cause": {"requestId": "amzn1.echo-api.request.0000"},
        }
    )
    del event["session"]
    return event


def test_exception_encountered_gets_no_speech(handler: Callable[..., dict[str, Any]]) -> None:
    assert_silent(handler(_exception_encountered(), None))


@pytest.mark.parametrize(
    "request_type", ["Alexa.Presentation.APL.UserEvent", "CanFulfillIntentRequest"]
)
def test_request_type_the_skill_does_not_use_gets_the_fallback(
    device: Device, request_type: str
) -> None:
    device.launch()
    said = assert_question(device.send({"type": request_type}))
    assert said.startswith(flat(M.fallback))


@pytest.mark.parametrize(
    "request_type", ["Alexa.Presentation.APL.UserEvent", "CanFulfillIntentRequest"]
)
def test_request_type_the_skill_does_not_use_mid_check_repeats_the_question(
    device: Device, request_type: str
) -> None:
    device.intent(CHECK_SYMPTOMS)
    device.intent(NO)
    said = assert_question(device.send({"type": request_type}))
    assert said == flat(QUESTIONS[1].ask), "a device event is not an answer"
    # Still at the same question: the next "no" moves on by exactly one.
    assert speech(device.intent(NO)).endswith(flat(QUESTIONS[2].ask))


def test_request_type_newer_than_the_sdk_gets_an_empty_valid_response(
    handler: Callable[..., dict[str, Any]],
) -> None:
    # Alexa adds request types over time; an empty response is valid for any of them.
    event = envelopes.Session().envelope({"type": "Alexa.SomethingNew.Event"})
    assert_silent(handler(event, None))


# -- bad input: never an exception -------------------------------------------------------------


def test_request_with_no_session_still_gets_an_answer(
    handler: Callable[..., dict[str, Any]],
) -> None:
    event = envelopes.Session().envelope(envelopes.intent_request("ScanIntent"))
    del event["session"]
    response = handler(event, None)
    said = assert_question(response)
    assert said.startswith(flat(CONTENT.topics["scan"].speech))
    assert "sessionAttributes" not in response


def test_unknown_intent_name_gets_the_fallback(device: Device) -> None:
    device.launch()
    said = assert_question(device.intent("WeatherForecastIntent"))
    assert said.startswith(flat(M.fallback))


TAMPERED_CHECKS: dict[str, Any] = {
    "check-not-an-object": "yes",
    "check-list": [0, False],
    "check-empty": {},
    "index-too-big": {"index": len(QUESTIONS) + 1, "retried": False},
    "index-negative": {"index": -1, "retried": False},
    "index-bool": {"index": True, "retried": False},
    "index-float": {"index": 2.0, "retried": False},
    "index-string": {"index": "3", "retried": False},
    "retried-not-bool": {"index": 2, "retried": "no"},
}


@pytest.mark.parametrize("check", TAMPERED_CHECKS.values(), ids=TAMPERED_CHECKS.keys())
@pytest.mark.parametrize("intent", [YES, NO, DURATION_ANSWER])
def test_damaged_check_state_restarts_the_check(device: Device, check: Any, intent: str) -> None:
    device.session = envelopes.Session(new=False, attributes={"check": check})
    said = assert_question(device.intent(intent, **_slots_for(intent)))
    assert said.startswith(flat(M.check_restart))
    assert said.endswith(flat(QUESTIONS[0].ask))


@pytest.mark.parametrize("check", TAMPERED_CHECKS.values(), ids=TAMPERED_CHECKS.keys())
@pytest.mark.parametrize(
    ("intent", "first"),
    [
        ("AMAZON.StopIntent", M.stopped_check),
        ("AMAZON.CancelIntent", M.stopped_check),
        (EMERGENCY, CONTENT.outcomes[Level.EMERGENCY].speech),
    ],
    ids=["stop", "cancel", "emergency"],
)
def test_damaged_check_state_still_lets_the_person_stop_or_get_help(
    device: Device, check: Any, intent: str, first: str
) -> None:
    device.session = envelopes.Session(new=False, attributes={"check": check})
    said = assert_final(device.intent(intent))
    assert said.startswith(flat(first))
    assert "999" in said


TAMPERED_MENUS: dict[str, Any] = {
    "check-null": {"check": None},
    "offer-unknown": {"offer": "../../etc/passwd", "said": ["Hello"], "reprompt": "Hello?"},
    "offer-not-string": {"offer": ["check"]},
    "said-not-strings": {"said": [1, None], "reprompt": "x"},
    "said-empty-string": {"said": [""], "reprompt": "x"},
    "said-not-list": {"said": "hello", "reprompt": "x"},
    "said-too-many": {"said": ["x"] * 100, "reprompt": "x"},
    "said-too-long": {"said": ["x" * 100_000], "reprompt": "x"},
    "reprompt-not-string": {"said": ["Hello"], "reprompt": {"a": 1}},
    "deeply-nested": {"said": [[[["x"]]]], "offer": {"offer": {"offer": "check"}}},
    "unknown-keys": {"admin": True, "__class__": "x"},
}


@pytest.mark.parametrize("attributes", TAMPERED_MENUS.values(), ids=TAMPERED_MENUS.keys())
@pytest.mark.parametrize("intent", [YES, REPEAT, NO])
def test_damaged_menu_state_gets_a_spoken_answer(
    device: Device, attributes: dict[str, Any], intent: str
) -> None:
    device.session = envelopes.Session(new=False, attributes=attributes)
    response = device.intent(intent)
    body = check_valid(response)
    said = speech(response)
    assert said
    if body["shouldEndSession"] is False:
        assert reprompt(response)
    # Unknown text in the attributes is never spoken back.
    assert "passwd" not in said and "x x" not in said


@pytest.mark.parametrize("attributes", ["check", ["said"], 7], ids=["string", "list", "number"])
def test_session_attributes_that_are_not_an_object_are_dropped_and_answered(
    handler: Callable[..., dict[str, Any]], attributes: Any
) -> None:
    # Damaged beyond use: the conversation starts afresh rather than failing.
    event = envelopes.Session(new=False).envelope(envelopes.intent_request("ScanIntent"))
    event["session"]["attributes"] = attributes
    response = handler(event, None)
    assert "scan" in speech(response)
    assert response["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("pieces", [12, 4, 1])
def test_repeat_of_forged_said_text_stays_within_alexa_speech_limit(
    device: Device, pieces: int
) -> None:
    forged = {"said": ["a" * (24_000 // pieces)] * pieces, "reprompt": "again?"}
    device.session = envelopes.Session(new=False, attributes=forged)
    response = device.intent(REPEAT)  # Device.send checks Alexa's limits
    assert speech(response)


# -- who may call ------------------------------------------------------------------------------


def test_request_for_another_skill_is_refused(handler: Callable[..., dict[str, Any]]) -> None:
    other = "amzn1.ask.skill.11111111-2222-4333-8444-555555555555"
    event = envelopes.Session(skill_id=other).envelope(envelopes.launch_request())
    with pytest.raises(RefusedRequestError):
        handler(event, None)


def test_skill_id_is_read_from_context_before_session(
    handler: Callable[..., dict[str, Any]],
) -> None:
    other = "amzn1.ask.skill.11111111-2222-4333-8444-555555555555"
    event = envelopes.Session().envelope(envelopes.launch_request())
    event["session"]["application"] = {"applicationId": other}
    assert_question(handler(event, None))
    event["context"]["System"]["application"] = {"applicationId": other}
    event["session"]["application"] = {"applicationId": envelopes.DEFAULT_SKILL_ID}
    with pytest.raises(RefusedRequestError):
        handler(event, None)


def test_request_with_no_skill_id_anywhere_is_refused(
    handler: Callable[..., dict[str, Any]],
) -> None:
    event = envelopes.Session().envelope(envelopes.launch_request())
    del event["context"]
    del event["session"]["application"]
    with pytest.raises(RefusedRequestError):
        handler(event, None)


@pytest.mark.parametrize("unset", ["deleted", "empty"])
def test_without_skill_id_set_any_skill_id_is_answered(
    load_lambda: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch, unset: str
) -> None:
    if unset == "deleted":
        monkeypatch.delenv("SKILL_ID", raising=False)
    else:
        monkeypatch.setenv("SKILL_ID", "")
    module = load_lambda()
    other = "amzn1.ask.skill.11111111-2222-4333-8444-555555555555"
    event = envelopes.Session(skill_id=other).envelope(envelopes.launch_request())
    assert_question(module.lambda_handler(event, None))


@pytest.mark.parametrize(
    "event",
    [None, "LaunchRequest", [], 42, {}, {"request": "LaunchRequest"}, {"request": {}}],
    ids=["none", "string", "list", "number", "empty", "request-not-object", "no-type"],
)
def test_event_that_is_not_an_alexa_request_is_refused(
    handler: Callable[..., dict[str, Any]], event: Any
) -> None:
    with pytest.raises(RefusedRequestError):
        handler(event, None)


# -- when the skill itself fails ---------------------------------------------------------------


class SkillFailedError(RuntimeError):
    pass


def _fail_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the next Conversation.respond raise; later calls answer normally."""
    calls: list[int] = []
    real = Conversation.respond

    def respond(self: Conversation, turn: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise SkillFailedError("request text that must not be logged")
        return real(self, turn)

    monkeypatch.setattr(Conversation, "respond", respond)
    return calls


def test_failure_inside_the_skill_apologises_with_the_safety_net(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    device.launch()
    device.intent(CHECK_SYMPTOMS)
    _fail_once(monkeypatch)
    response = device.intent(NO)
    said = assert_final(response)
    assert said.startswith("Sorry")
    assert "999" in said
    assert response["response"]["card"]["title"] == M.error_title


def test_next_request_after_a_failure_works(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fail_once(monkeypatch)
    assert "Sorry" in assert_final(device.launch())
    said = assert_question(device.launch())
    assert said.startswith(flat(M.welcome))
    assert device.events[-1]["session"]["new"] is True
    assert len(calls) == 2


def test_failure_during_session_ended_request_stays_silent(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    device.launch()
    _fail_once(monkeypatch)
    assert_silent(device.end("ERROR"))


def test_failure_in_a_request_without_a_session_still_apologises(
    handler: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_once(monkeypatch)
    event = envelopes.Session().envelope(envelopes.intent_request("ScanIntent"))
    del event["session"]
    said = assert_final(handler(event, None))
    assert "999" in said


# -- logs --------------------------------------------------------------------------------------


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_logs_hold_no_ids_attributes_or_answers(
    device: Device, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _log_everything(caplog)
    secret_medicine = "grandmas special tincture"
    device.launch()
    device.intent(
        "PainReliefIntent",
        medicine=SlotValue(secret_medicine, secret_medicine, None, custom=True),
    )
    device.intent(CHECK_SYMPTOMS)
    device.intent(UNSURE)
    for _ in QUESTIONS:
        device.intent(NO)
    final = device.intent(DURATION_ANSWER, duration=duration("P2W", "two weeks"))
    assert flat(CONTENT.outcomes[Level.SELF_CARE].speech) in assert_final(final)
    _fail_once(monkeypatch)
    device.launch()  # an error's log line must not carry the exception text either

    forbidden = {
        device.user_id,
        device.device_id,
        ACCESS_TOKEN,
        "secret-token-body",
        secret_medicine,
        "AMAZON.NoIntent",
        "UnsureIntent",
        "DurationAnswerIntent",
        "CheckSymptomsIntent",
        "P2W",
        "2 weeks",
        "must not be logged",
    }
    forbidden |= {s.session_id for s in device.sessions}
    forbidden |= {e["request"]["requestId"] for e in device.events}
    for response in device.responses:
        attributes = response.get("sessionAttributes") or {}
        forbidden |= {s for s in _strings(attributes) if len(s) > 3}
        if "check" in attributes:
            forbidden.add(json.dumps(attributes["check"]))
            forbidden.add(repr(attributes["check"]))
    assert len(caplog.records) >= len(device.events)
    for record in caplog.records:
        message = record.getMessage()
        leaked = sorted(f for f in forbidden if f in message)
        assert not leaked, f"{record.name}: {message!r} leaks {leaked}"


def test_one_info_line_per_request_with_its_type(
    device: Device, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="skill")
    device.launch()
    device.intent("ScanIntent")
    device.intent(YES)
    device.intent(EMERGENCY)
    device.launch()
    device.end("USER_INITIATED")
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.INFO and r.getMessage().startswith("event=request ")
    ]
    types = [e["request"]["type"] for e in device.events]
    assert len(lines) == len(types)
    for line, request_type in zip(lines, types, strict=True):
        assert f"type={request_type} " in line
    assert "outcome=emergency" in lines[3]
    assert "intent=ScanIntent" in lines[1]
