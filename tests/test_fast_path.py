"""The lean Lambda path answers exactly as the ASK SDK's own path does.

Lambda runs ``LambdaSkill`` with ``skill.serializer`` (see docs/performance.md); the reference
here is the SDK's path as ``SkillBuilder.lambda_handler()`` runs it: the event dumped to JSON,
``DefaultSerializer.deserialize`` into a ``RequestEnvelope``, ``CustomSkill.invoke``,
``DefaultSerializer.serialize``. Over a broad generated set of envelopes (every intent in
every kind of session state the conversation reaches, with and without an Echo Show's context,
slots filled and empty, damaged attributes, odd timestamps, unknown fields, other request
types) both must give byte-identical JSON responses and equal request objects, and both must
refuse the same malformed envelopes.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope
from dateutil.parser import parse as dateutil_parse

from skill import envelopes, serializer
from skill.alexa import (
    LambdaSkill,
    create_lambda_skill,
    create_skill,
    handle_event,
    register_handlers,
)
from skill.conversation import CHECK_SYMPTOMS, NO
from skill.nlu import InteractionModel, SlotValue, model_path
from skill.speech import escape_xml, unescape_xml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL = InteractionModel.load(model_path())
SDK = DefaultSerializer()


def _reference_skill() -> CustomSkill:
    builder = SkillBuilder()
    register_handlers(builder, None)
    return builder.create()


REFERENCE = _reference_skill()
LEAN: LambdaSkill = create_lambda_skill()


def reference_answer(event: dict[str, Any]) -> str:
    """The SDK's own path, as sb.lambda_handler() runs it."""
    envelope = SDK.deserialize(json.dumps(event), RequestEnvelope)
    return json.dumps(SDK.serialize(REFERENCE.invoke(request_envelope=envelope, context=None)))


def lean_answer(event: dict[str, Any]) -> str:
    envelope = serializer.from_json_value(event, RequestEnvelope)
    return json.dumps(serializer.to_json_value(LEAN.invoke(envelope, None)))


# -- the envelopes ----------------------------------------------------------------------------


def _slot_variants(intent: str) -> list[dict[str, SlotValue]]:
    """No slots, and each slot filled with a resolved value, an unresolved one, a built-in."""
    variants: list[dict[str, SlotValue]] = [{}]
    for slot, slot_type in MODEL.intents.get(intent, {}).items():
        values = MODEL.slot_values.get(slot_type)
        if values:
            for phrase, resolved in list(values.items())[:3]:
                variants.append({slot: SlotValue(phrase, phrase, resolved, custom=True)})
            variants.append({slot: SlotValue("mystery", "mystery", None, custom=True)})
        else:
            variants.append({slot: SlotValue("two weeks", "P2W")})
            variants.append({slot: SlotValue("ages", "?")})
    return variants


def _requests() -> Iterator[dict[str, Any]]:
    yield envelopes.launch_request()
    for intent in sorted(MODEL.intents):
        for slots in _slot_variants(intent):
            yield envelopes.intent_request(intent, slots, slot_types=MODEL.intents[intent])
    yield envelopes.intent_request("WeatherForecastIntent")
    for reason in ("USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"):
        yield envelopes.session_ended_request(reason)
    yield {"type": "CanFulfillIntentRequest", "intent": {"name": "ScanIntent", "slots": {}}}
    yield {
        "type": "Alexa.Presentation.APL.UserEvent",
        "token": "screen",
        "arguments": ["pressed", {"n": 1}],
        "source": {"type": "TouchWrapper", "handler": "Press", "id": "button"},
    }


def _states() -> list[tuple[bool, dict[str, Any]]]:
    """(new session, attributes): the states the conversation reaches, found by walking it."""
    seen: dict[str, tuple[bool, dict[str, Any]]] = {"new": (True, {})}
    frontier: list[dict[str, Any]] = [{}]
    walk = [
        envelopes.launch_request(),
        envelopes.intent_request("ScanIntent"),
        envelopes.intent_request("TreatmentIntent"),
        envelopes.intent_request(CHECK_SYMPTOMS),
        envelopes.intent_request(NO),
        envelopes.intent_request("AMAZON.YesIntent"),
        envelopes.intent_request("UnsureIntent"),
        envelopes.intent_request("AMAZON.HelpIntent"),
    ]
    while frontier and len(seen) < 120:
        attributes = frontier.pop(0)
        for request in walk:
            session = envelopes.Session(new=not attributes, attributes=copy.deepcopy(attributes))
            response = handle_event(LEAN, session.envelope(request))
            if response["response"].get("shouldEndSession") is False:
                following = response.get("sessionAttributes") or {}
                key = json.dumps(following, sort_keys=True)
                if key not in seen:
                    seen[key] = (False, following)
                    frontier.append(following)
    damaged: list[dict[str, Any]] = [
        {"check": "yes"},
        {"check": {"index": 99, "retried": False}},
        {"check": {"index": True, "retried": "no"}},
        {"offer": "../../etc/passwd", "said": ["Hello"], "reprompt": "Hello?"},
        {"said": [[["x"]]], "offer": {"offer": "check"}},
        {"said": ["a" * 3000] * 4, "reprompt": "again?"},
        {"admin": True, "__class__": "x", "n": 1.5, "none": None},
    ]
    return [*seen.values(), *((False, d) for d in damaged)]


def generated_events() -> list[dict[str, Any]]:
    events = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]
    requests = list(_requests())
    for n, (new, attributes) in enumerate(_states()):
        interfaces = envelopes.APL_INTERFACE if n % 2 == 0 else {}
        for request in requests:
            session = envelopes.Session(new=new, attributes=attributes, interfaces=interfaces)
            events.append(session.envelope(copy.deepcopy(request)))
    return events


def _variants() -> Iterator[tuple[str, dict[str, Any]]]:
    """Single envelopes that stress the serializer rather than the conversation."""
    show = envelopes.Session(interfaces=envelopes.APL_INTERFACE)
    base = show.envelope(envelopes.intent_request("ScanIntent"))
    for stamp in (
        "2026-11-25T12:00:00Z",
        "2026-11-25T12:00:00.123Z",
        "2026-11-25T12:00:00.5Z",
        "2026-11-25T12:00:00.123456Z",
        "2026-11-25T12:00:00+00:00",
        "2026-11-25T13:00:00+01:00",
        "2026-11-25T12:00:00",
        "2026-11-25",
        "2026-11-25T24:00:00Z",
    ):
        event = copy.deepcopy(base)
        event["request"]["timestamp"] = stamp
        yield f"timestamp {stamp}", event
    event = copy.deepcopy(base)
    event["request"]["somethingNew"] = {"nested": [1, {"a": None}]}
    event["context"]["Extensions"] = {"available": {"aplext:backstack:10": {}}}
    event["context"]["System"]["device"]["supportedInterfaces"]["Future.Interface"] = {"v": 2}
    event["unknownTopLevel"] = ["x"]
    yield "unknown fields", event
    event = copy.deepcopy(base)
    del event["session"]
    yield "no session", event
    event = show.envelope(
        {
            "type": "System.ExceptionEncountered",
            "error": {"type": "INVALID_RESPONSE", "message": "Invalid SSML"},
            "cause": {"requestId": "amzn1.echo-api.request.0000"},
        }
    )
    del event["session"]
    yield "exception encountered", event
    event = copy.deepcopy(base)
    event["context"]["System"]["person"] = {"personId": "amzn1.ask.person.X"}
    event["context"]["System"]["unit"] = {"unitId": "u", "persistentUnitId": "p"}
    yield "person and unit", event


EVENTS = generated_events()


def test_the_generated_set_is_broad() -> None:
    kinds = {(e["request"]["type"], e["request"].get("intent", {}).get("name")) for e in EVENTS}
    assert len(EVENTS) > 2000
    assert len(kinds) >= len(MODEL.intents) + 4
    assert any("Viewport" in e["context"] for e in EVENTS)
    assert any("attributes" in e["session"] and e["session"]["attributes"] for e in EVENTS)


def test_every_generated_envelope_gets_the_same_response_from_both_paths() -> None:
    different = []
    for event in EVENTS:
        if lean_answer(event) != reference_answer(event):
            different.append(event["request"])
    assert different == []


def test_every_generated_envelope_gives_equal_request_objects() -> None:
    for event in EVENTS:
        ours = serializer.from_json_value(event, RequestEnvelope)
        assert ours == SDK.deserialize(json.dumps(event), RequestEnvelope)


def assert_same_outcome(event: dict[str, Any]) -> None:
    """The same response and request objects, or a SerializationException from both."""
    try:
        expected = reference_answer(event)
    except SerializationException:
        with pytest.raises(SerializationException):
            lean_answer(event)
        return
    assert lean_answer(event) == expected
    assert serializer.from_json_value(event, RequestEnvelope) == SDK.deserialize(
        json.dumps(event), RequestEnvelope
    )


@pytest.mark.parametrize(("name", "event"), list(_variants()), ids=lambda v: str(v)[:40])
def test_stressing_envelopes_get_the_same_outcome(name: str, event: dict[str, Any]) -> None:
    assert_same_outcome(event)


def test_the_event_is_not_shared_with_the_request_objects() -> None:
    event = envelopes.Session(new=False, attributes={"said": ["Hello"], "deep": {"a": [1]}})
    built = event.envelope(envelopes.intent_request("AMAZON.RepeatIntent"))
    before = copy.deepcopy(built)
    envelope = serializer.from_json_value(built, RequestEnvelope)
    envelope.session.attributes["deep"]["a"].append(2)
    assert built == before


def test_the_web_skill_reads_and_writes_as_the_sdk_does() -> None:
    web = create_skill()
    for event in EVENTS[::7]:
        body = json.dumps(event)
        envelope = web.serializer.deserialize(payload=body, obj_type=RequestEnvelope)
        answer = json.dumps(web.serializer.serialize(web.invoke(envelope, None)))
        assert answer == reference_answer(event)


def _malformed() -> Iterator[dict[str, Any]]:
    base = envelopes.Session(interfaces=envelopes.APL_INTERFACE).envelope(
        envelopes.intent_request("ScanIntent")
    )
    changes: list[tuple[tuple[str, ...], Any]] = [
        (("request", "intent", "confirmationStatus"), "MAYBE"),
        (("request", "intent", "slots"), ["not", "a", "dict"]),
        (("request", "intent"), "ScanIntent"),
        (("request", "timestamp"), "yesterday"),
        (("request", "timestamp"), 1700000000),
        (("session", "new"), "false"),
        (("session",), "a session"),
        (("context", "Viewport", "mode"), "HOLOGRAM"),
        (("context", "System", "device", "supportedInterfaces"), 7),
        (("context", "Viewport", "experiences"), {"arcMinuteWidth": 1}),
        (("request", "intent", "slots"), {"x": {"name": "x", "slotValue": {"type": "Nope"}}}),
    ]
    for path, value in changes:
        event = copy.deepcopy(base)
        node: Any = event
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        yield event


@pytest.mark.parametrize("event", list(_malformed()), ids=lambda e: json.dumps(e)[-60:])
def test_both_paths_refuse_or_accept_the_same_malformed_envelopes(event: dict[str, Any]) -> None:
    assert_same_outcome(event)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-25T12:00:00Z",
        "2026-01-01T00:00:00.000001Z",
        "2026-11-25T12:00:00.1Z",
        "1999-12-31T23:59:59.999999Z",
        "2024-02-29T12:00:00Z",
        "2026-02-29T12:00:00Z",
        "2026-11-25T24:00:00Z",
        "2026-11-25T12:00:00+02:00",
        "2026-11-25 12:00:00Z",
    ],
)
def test_timestamps_equal_dateutils(stamp: str) -> None:
    from datetime import datetime

    try:
        expected = dateutil_parse(stamp)
    except ValueError:
        with pytest.raises(SerializationException):
            serializer.from_json_value(stamp, "datetime")
        return
    ours = serializer.from_json_value(stamp, "datetime")
    assert isinstance(ours, datetime)
    assert ours == expected
    assert ours.utcoffset() == expected.utcoffset()
    assert ours.isoformat() == expected.isoformat()


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a & b < c > d", 'it\'s "quoted"', "&amp; already", "<say-as>", "&&<<>>''\"\""],
)
def test_ssml_escaping_matches_saxutils(text: str) -> None:
    entities = {'"': "&quot;", "'": "&apos;"}
    assert escape_xml(text) == escape(text, entities)
    assert unescape_xml(text) == unescape(text, {v: k for k, v in entities.items()})
    assert unescape_xml(escape_xml(text)) == text


# Run with nothing imported yet: which modules does answering a request pull in?
_IMPORTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function
lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_lambda_path_leaves_out_what_it_never_uses() -> None:
    event = envelopes.Session(interfaces=envelopes.APL_INTERFACE).envelope(
        envelopes.launch_request()
    )
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, str(ROOT / "lambda")],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    loaded = set(json.loads(done.stdout))
    never = {
        "ask_sdk_core.skill",  # CustomSkill: imports every service API's models
        "ask_sdk_core.serialize",
        "ask_sdk_model.services",
        "dateutil.parser",  # the request timestamp is read without it
        "xml.sax.saxutils",  # imports urllib.request, http.client, email and ssl
        "urllib.request",
    }
    assert loaded & never == set()
