"""Screens: what an Echo Show or a Fire TV shows, and taps on it, through ``lambda_handler``.

A device whose request lists ``Alexa.Presentation.APL`` gets a RenderDocument directive with
every answer; any other device gets exactly the response it always got. A tap comes back as an
APL UserEvent and is answered exactly as saying the button's words would be. The documents
(skill/content/apl/*.json) are checked here too: they load into the ASK SDK's APL classes,
adapt to round, portrait, TV and large screens, and follow Alexa's accessibility guidance.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
from ask_sdk_model.interfaces.alexa.presentation.apl import (
    Command,
    RenderDocumentDirective,
    SendEventCommand,
)
from test_conversation import _walk
from test_lambda import (
    WHOLE_CHECK_IDS,
    WHOLE_CHECKS,
    assert_final,
    assert_question,
    check_valid,
    flat,
    rough,
    speech,
)

from skill import envelopes
from skill.content_model import Level, default_content
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    HELP,
    NO,
    REPEAT,
    ROUGH_DURATION_SLOT,
    TOPIC_INTENTS,
    UNSURE,
    YES,
    Conversation,
    RequestKind,
    Slot,
    Turn,
)
from skill.durations import parse_iso_duration
from skill.handlers import DATASOURCE, apl_document, datasources
from skill.nlu import InteractionModel, SlotValue
from skill.screens import (
    TAP_CHECK,
    TAP_DURATION,
    TAP_NO,
    TAP_TOPIC,
    TAP_UNSURE,
    TAP_YES,
    Layout,
)

ROOT = Path(__file__).resolve().parent.parent
APL = ROOT / "skill" / "content" / "apl"
LAYOUTS = sorted(layout.value for layout in Layout)
DOCUMENTS = {name: json.loads((APL / f"{name}.json").read_text("utf-8")) for name in LAYOUTS}
CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions
N = len(QUESTIONS)
CONVERSATION = Conversation(CONTENT)
SDK = DefaultSerializer()
RENDER = "Alexa.Presentation.APL.RenderDocument"
EMERGENCY_OUTCOME = CONTENT.outcomes[Level.EMERGENCY]

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class Device:
    """One device talking to the Lambda function: an Echo Show, or with ``apl=False`` an Echo
    without a screen. A session lasts until a response ends it, carrying its attributes."""

    def __init__(self, handler: Handler, model: InteractionModel, *, apl: bool = True) -> None:
        self.handler = handler
        self.model = model
        self.interfaces = envelopes.APL_INTERFACE if apl else {}
        self.session: envelopes.Session | None = None
        self.events: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []

    def join(self, attributes: dict[str, Any] | None) -> None:
        """Be in a session in this state already (None: no session open)."""
        self.session = None
        if attributes is not None:
            self.session = envelopes.Session(
                user_id="amzn1.ask.account.SCREENTEST",
                device_id="amzn1.ask.device.SCREENTEST",
                new=False,
                attributes=copy.deepcopy(attributes),
                interfaces=self.interfaces,
            )

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = envelopes.Session(
                user_id="amzn1.ask.account.SCREENTEST",
                device_id="amzn1.ask.device.SCREENTEST",
                interfaces=self.interfaces,
            )
        event = self.session.envelope(request)
        response = self.handler(event, None)
        check_valid(response)
        self.events.append(event)
        self.responses.append(response)
        if not self.session.advance(response):
            self.session = None
        return response

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request())

    def say(self, intent: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(
            envelopes.intent_request(intent, slots, slot_types=self.model.intents.get(intent, {}))
        )

    @property
    def token(self) -> str:
        return directive_of(self.responses[-1])["token"]  # type: ignore[no-any-return]

    @property
    def screen(self) -> dict[str, Any]:
        """What the screen shows now: the last directive's data."""
        return directive_of(self.responses[-1])["datasources"][DATASOURCE]  # type: ignore[no-any-return]

    def tap(self, label: str) -> dict[str, Any]:
        """The person taps the button labelled ``label`` on the screen showing."""
        token, screen = self.token, self.screen
        [choice] = [c for c in screen["choices"] if c["label"] == label]
        return self.send(envelopes.user_event(token, [choice["action"], choice["value"]]))


def directive_of(response: dict[str, Any]) -> dict[str, Any]:
    directives = response["response"].get("directives", [])
    assert [d["type"] for d in directives] == [RENDER], "expected one RenderDocument directive"
    return directives[0]  # type: ignore[no-any-return]


@pytest.fixture
def handler(lambda_module: ModuleType) -> Handler:
    return lambda_module.lambda_handler  # type: ignore[no-any-return]


def intent(name: str, **slots: SlotValue) -> dict[str, Any]:
    return envelopes.intent_request(name, slots)


def at(index: int, retried: bool = False) -> dict[str, Any]:
    return {"check": {"index": index, "retried": retried}}


# -- every topic and every red-flag state --------------------------------------------------
# (the session state before, the request) for: the welcome, every topic and medicine answer,
# help and the fallback, every question of the check asked first and again, every way the
# check ends, stopping, and the silent end of a session.


def _states() -> Iterator[Any]:
    yield pytest.param(None, envelopes.launch_request(), id="welcome")
    for name, topic in TOPIC_INTENTS.items():
        yield pytest.param({}, intent(name), id=f"topic-{topic}")
    ibuprofen = SlotValue("nurofen", "nurofen", ("IBUPROFEN", "ibuprofen"), custom=True)
    mystery = SlotValue("frog spawn", "frog spawn", None, custom=True)
    yield pytest.param({}, intent("PainReliefIntent", medicine=ibuprofen), id="medicine")
    yield pytest.param({}, intent("PainReliefIntent", medicine=mystery), id="medicine-unknown")
    yield pytest.param({}, intent(HELP), id="help")
    yield pytest.param({}, intent("AMAZON.FallbackIntent"), id="fallback")
    yield pytest.param({"offer": "check"}, intent(UNSURE), id="not-sure-to-an-offer")
    yield pytest.param({}, intent("AMAZON.StopIntent"), id="goodbye")
    for index in range(N + 1):
        name = QUESTIONS[index].id if index < N else "duration"
        yield pytest.param(at(index), intent(REPEAT), id=f"question-{name}")
        yield pytest.param(at(index, True), intent(REPEAT), id=f"question-{name}-again")
    for index, question in enumerate(QUESTIONS):
        yield pytest.param(at(index), intent(YES), id=f"yes-to-{question.id}")
    yield pytest.param(at(0, True), intent(UNSURE), id="not-sure-twice")
    for iso in ("P2W", "P6W"):
        answer = intent(DURATION_ANSWER, duration=SlotValue(iso, iso))
        yield pytest.param(at(N), answer, id=f"duration-{iso}")
    yield pytest.param(at(N, True), intent(NO), id="duration-not-understood")
    yield pytest.param(None, intent(EMERGENCY), id="emergency-said")
    yield pytest.param(at(3), intent("AMAZON.StopIntent"), id="stopped-mid-check")
    yield pytest.param(at(3), envelopes.session_ended_request(), id="session-ended")


STATES = list(_states())


def _answer(show: Device, attributes: dict[str, Any] | None, request: dict[str, Any]) -> Any:
    show.join(attributes)
    return show.send(copy.deepcopy(request))


@pytest.mark.parametrize(("attributes", "request_"), STATES)
def test_a_screen_goes_only_to_a_device_that_shows_apl_and_adds_nothing_else(
    handler: Handler,
    model: InteractionModel,
    attributes: dict[str, Any] | None,
    request_: dict[str, Any],
) -> None:
    with_screen = _answer(Device(handler, model), attributes, request_)
    without_screen = _answer(Device(handler, model, apl=False), attributes, request_)
    assert "directives" not in without_screen["response"]
    directives = with_screen["response"].pop("directives", [])
    # Apart from the directive, the Echo Show hears and sees in the app what an Echo does.
    assert with_screen == without_screen
    if request_["type"] == "SessionEndedRequest":
        assert directives == [], "no directive may answer a SessionEndedRequest"
        return
    [directive] = directives
    assert directive["type"] == RENDER
    # It loads into the ASK SDK's own classes, as Alexa's SDKs read it.
    with_screen["response"]["directives"] = directives
    envelope = SDK.deserialize(json.dumps(with_screen), ResponseEnvelope)
    [loaded] = envelope.response.directives
    assert isinstance(loaded, RenderDocumentDirective)
    data = loaded.datasources[DATASOURCE]
    assert loaded.document == DOCUMENTS[data["layout"]]
    assert loaded.token == directive["token"]


@pytest.mark.parametrize(("attributes", "request_"), STATES)
def test_a_device_without_a_screen_gets_byte_for_byte_what_it_got_before_screens(
    handler: Handler,
    model: InteractionModel,
    monkeypatch: pytest.MonkeyPatch,
    attributes: dict[str, Any] | None,
    request_: dict[str, Any],
) -> None:
    now = _answer(Device(handler, model, apl=False), attributes, request_)
    respond = Conversation.respond
    # Before screens, no reply described one.
    monkeypatch.setattr(Conversation, "respond", lambda s, t: replace(respond(s, t), screen=None))
    before = _answer(Device(handler, model, apl=False), attributes, request_)
    assert json.dumps(now) == json.dumps(before)


def _spoken(choice: dict[str, Any]) -> dict[str, Any]:
    """What a person would say for a button (written out here, not taken from the skill)."""
    action, value = choice["action"], choice["value"]
    if action == TAP_TOPIC:
        return intent(next(i for i, t in TOPIC_INTENTS.items() if t == value))
    if action == TAP_DURATION:
        # Phrases from the interaction model, either side of 4 weeks.
        words = {"short": ("P2W", "a couple of weeks"), "long": ("P4W", "a few weeks")}[value]
        return intent(DURATION_ANSWER, roughDuration=rough(*words))
    return intent({TAP_YES: YES, TAP_NO: NO, TAP_UNSURE: UNSURE, TAP_CHECK: CHECK_SYMPTOMS}[action])


@pytest.mark.parametrize(("attributes", "request_"), STATES)
def test_every_button_answers_exactly_as_saying_it_would(
    handler: Handler,
    model: InteractionModel,
    attributes: dict[str, Any] | None,
    request_: dict[str, Any],
) -> None:
    first = _answer(Device(handler, model), attributes, request_)
    if first["response"].get("shouldEndSession") is not False:
        # Nothing to answer once the session has ended: the screen has no buttons.
        if "directives" in first["response"]:
            assert directive_of(first)["datasources"][DATASOURCE]["choices"] == []
        return
    choices = directive_of(first)["datasources"][DATASOURCE]["choices"]
    assert choices, "an open session's screen has buttons"
    for choice in choices:
        tapper, speaker = Device(handler, model), Device(handler, model)
        _answer(tapper, attributes, request_)
        _answer(speaker, attributes, request_)
        tapped = tapper.tap(choice["label"])
        said = speaker.send(_spoken(choice))
        assert tapped == said, f"tapping {choice['label']!r} is not saying it"


def test_every_button_in_every_state_the_conversation_reaches_answers_as_saying_it() -> None:
    """The pure core, over every state of the walk in tests/test_conversation.py."""
    states: dict[str, Any] = {}
    for _, turn, _ in _walk():
        reply = CONVERSATION.respond(replace(turn, screen=True))
        if reply.end_session is False:
            states.setdefault(json.dumps(reply.attributes, sort_keys=True), reply)
    assert len(states) > 40
    for reply in states.values():
        assert reply.screen is not None and reply.screen.choices
        for choice in reply.screen.choices:
            touched = CONVERSATION.touch(
                reply.screen.token, [choice.action, choice.value], reply.attributes
            )
            spoken = _spoken_turn(choice.action, choice.value, reply.attributes)
            assert touched == spoken, choice
            assert CONVERSATION.respond(touched) == CONVERSATION.respond(spoken)


def _spoken_turn(action: str, value: str, attributes: Any) -> Turn:
    if action == TAP_TOPIC:
        name = next(i for i, t in TOPIC_INTENTS.items() if t == value)
        return Turn(RequestKind.INTENT, name, {}, attributes, screen=True)
    if action == TAP_DURATION:
        words = CONTENT.duration.long_words if value == "long" else CONTENT.duration.short_words
        days = CONTENT.duration.gp_after_days - (value != "long")
        slot = Slot(spoken=words, resolved_id=f"P{days}D", resolved_name=words)
        slots = {ROUGH_DURATION_SLOT: slot}
        return Turn(RequestKind.INTENT, DURATION_ANSWER, slots, attributes, screen=True)
    name = {TAP_YES: YES, TAP_NO: NO, TAP_UNSURE: UNSURE, TAP_CHECK: CHECK_SYMPTOMS}[action]
    return Turn(RequestKind.INTENT, name, {}, attributes, screen=True)


# -- the whole check, by touch -----------------------------------------------------------------


def _index(question_id: str) -> int:
    return next(n for n, q in enumerate(QUESTIONS) if q.id == question_id)


@pytest.mark.parametrize(("yes_at", "answer", "level", "told"), WHOLE_CHECKS, ids=WHOLE_CHECK_IDS)
def test_tapping_through_the_whole_check_gives_the_same_outcome_as_speaking_it(
    handler: Handler,
    model: InteractionModel,
    yes_at: str | None,
    answer: SlotValue | None,
    level: Level,
    told: str | None,
) -> None:
    """The red-flag table of tests/test_lambda.py::test_whole_check_to_each_outcome, tapped."""
    tapper, speaker = Device(handler, model), Device(handler, model)
    tapper.launch()
    speaker.launch()
    # The user taps "Check my symptoms"; the screen shows the first question.
    assert tapper.tap(M.screen_check) == speaker.say(CHECK_SYMPTOMS)
    last = N if yes_at is None else _index(yes_at)
    for n in range(last):
        assert tapper.screen["prompt"] == QUESTIONS[n].ask
        assert [c["label"] for c in tapper.screen["choices"]] == [
            M.screen_yes,
            M.screen_no,
            M.screen_unsure,
        ]
        # The user taps "No": the same next question as saying no, screen and all.
        assert tapper.tap(M.screen_no) == speaker.say(NO)

    if yes_at is not None:
        tapped, said = tapper.tap(M.screen_yes), speaker.say(YES)
        assert tapped == said
    else:
        assert answer is not None
        assert tapper.screen["prompt"] == CONTENT.duration.ask
        iso = answer.resolved[0] if answer.resolved else answer.value
        length = parse_iso_duration(iso)
        assert length is not None
        long = length.days >= CONTENT.duration.gp_after_days
        words = CONTENT.duration.long_words if long else CONTENT.duration.short_words
        tapped = tapper.tap(words[:1].upper() + words[1:])
        said = speaker.say(
            DURATION_ANSWER, **{"roughDuration" if answer.custom else "duration": answer}
        )
        # A tap is a side of 4 weeks: read back as that, as plain words are.
        assert f"for {words}" in assert_final(tapped)
        if answer.custom:
            assert tapped == said

    outcome = CONTENT.outcomes[level]
    heard = assert_final(tapped)
    assert flat(outcome.speech) in heard
    assert heard.endswith(flat(outcome.safety_net))
    assert tapped["response"]["card"] == said["response"]["card"]
    # The screen is general advice, like the card: the same however the answers came.
    assert directive_of(tapped) == directive_of(said)
    assert tapper.screen["level"] == level.value
    if told is not None:
        assert told not in json.dumps(tapper.screen), "what was answered stays off the screen"


# -- the emergency outcome ---------------------------------------------------------------------


def _emergencies() -> Iterator[Any]:
    for index, question in enumerate(QUESTIONS):
        if question.level is Level.EMERGENCY:
            yield pytest.param(at(index), intent(YES), id=f"yes-to-{question.id}")
    yield pytest.param(at(0, True), intent(UNSURE), id="not-sure-twice")
    yield pytest.param(None, intent(EMERGENCY), id="said-first")
    yield pytest.param({"offer": "check"}, intent(EMERGENCY), id="said-after-a-topic")
    yield pytest.param(at(9), intent(EMERGENCY), id="said-mid-check")


@pytest.mark.parametrize(("attributes", "request_"), list(_emergencies()))
def test_the_emergency_screen_shows_the_instruction_and_no_other_call_to_action(
    handler: Handler,
    model: InteractionModel,
    attributes: dict[str, Any] | None,
    request_: dict[str, Any],
) -> None:
    show = Device(handler, model)
    assert_final(_answer(show, attributes, request_))
    screen = show.screen
    assert screen["layout"] == "outcome" and screen["level"] == "emergency"
    assert screen["title"] == EMERGENCY_OUTCOME.title == "Phone 999 or go to A&E now"
    assert screen["urgency"] == EMERGENCY_OUTCOME.urgency
    # No button, no other question, no list, no other service or action.
    assert screen["choices"] == [] and screen["prompt"] == "" and screen["points"] == []
    assert screen["source"] == screen["reviewed"] == screen["disclaimer"] == ""
    shown = " ".join(screen[k] for k in ("urgency", "title", "text"))
    assert not re.search(r"\bGP\b|111|pharmacist|check|tap|open", shown, re.IGNORECASE)
    assert "999" in screen["text"], "the only other line is how to get the call made"


def _emergency_branch() -> dict[str, Any]:
    [branch] = [
        item
        for item in DOCUMENTS["outcome"]["mainTemplate"]["item"]["items"]
        if item.get("when") == "${payload.level == 'emergency'}"
    ]
    return branch


def test_the_emergency_layout_has_nothing_to_press_and_its_instruction_is_the_largest_type() -> (
    None
):
    branch = _emergency_branch()
    text = json.dumps(branch)
    assert not {"TouchWrapper", "SendEvent", "Buttons", "ChoiceButton"} & set(_types(branch))
    assert set(re.findall(r"payload\.(\w+)", text)) == {"level", "urgency", "title", "text"}
    [headline] = [t for t in _components(branch) if t.get("text") == "${payload.title}"]
    assert headline["fontSize"] == "@textEmergency"
    for name, viewport in VIEWPORTS.items():
        sizes = _resolved(viewport)["dimensions"]
        text_sizes = {k: _dp(v) for k, v in sizes.items() if k.startswith("text")}
        largest = max(text_sizes, key=text_sizes.__getitem__)
        assert largest == "textEmergency", name
        assert sorted(text_sizes.values())[-2] < text_sizes["textEmergency"], name


# -- taps are untrusted input ------------------------------------------------------------------

NOT_BUTTONS: dict[str, Any] = {
    "no-arguments": None,
    "empty": [],
    "not-a-list": "yes",
    "an-object": {"action": "yes"},
    "numbers": [1, 2],
    "nested": [["yes"]],
    "unknown-action": ["delete", ""],
    "too-many": ["yes", "", "more"],
    "too-long": ["yes", "x" * 10_000],
    "sdk-example": ["pressed", {"n": 1}],
}


def _user_event(token: Any, arguments: Any) -> dict[str, Any]:
    event = envelopes.user_event("", [])
    event["token"], event["arguments"] = token, arguments
    if arguments is None:
        del event["arguments"]
    return event


@pytest.mark.parametrize("arguments", NOT_BUTTONS.values(), ids=NOT_BUTTONS.keys())
def test_a_tap_that_is_no_button_of_ours_gets_the_fallback(
    handler: Handler, model: InteractionModel, arguments: Any
) -> None:
    show = Device(handler, model)
    show.launch()
    said = assert_question(show.send(_user_event(show.token, arguments)))
    assert said.startswith(flat(M.fallback))


def _not_answers() -> Iterator[Any]:
    for name, arguments in NOT_BUTTONS.items():
        yield pytest.param("current", arguments, id=name)
    # Real buttons, but not of the question showing: another screen's, or a stale one's.
    yield pytest.param("check.bladder_bowel", [TAP_NO, ""], id="no-from-question-1")
    yield pytest.param("check.bladder_bowel", [TAP_YES, ""], id="yes-from-question-1")
    yield pytest.param("menu", [TAP_CHECK, ""], id="check-from-the-home-screen")
    yield pytest.param("current", [TAP_TOPIC, "scan"], id="topic-not-on-this-screen")
    yield pytest.param("current", [TAP_DURATION, "long"], id="duration-not-on-this-screen")
    yield pytest.param(None, [TAP_NO, ""], id="no-token")
    yield pytest.param("check.numb_saddle" * 500, [TAP_NO, ""], id="huge-token")


@pytest.mark.parametrize(("token", "arguments"), list(_not_answers()))
def test_mid_check_a_tap_that_is_not_an_answer_to_this_question_counts_for_nothing(
    handler: Handler, model: InteractionModel, token: Any, arguments: Any
) -> None:
    show = Device(handler, model)
    show.launch()
    show.tap(M.screen_check)
    show.tap(M.screen_no)  # now at question 2
    said = assert_question(
        show.send(_user_event(show.token if token == "current" else token, arguments))
    )
    # The same question, with no "let me ask once more": nothing was counted.
    assert said == flat(QUESTIONS[1].ask)
    assert show.session is not None and show.session.attributes == at(1)
    assert show.screen["prompt"] == QUESTIONS[1].ask
    # The next "no" moves on by exactly one.
    show.tap(M.screen_no)
    assert show.screen["prompt"] == QUESTIONS[2].ask


def test_a_double_tap_on_no_never_skips_a_question(
    handler: Handler, model: InteractionModel
) -> None:
    show = Device(handler, model)
    show.launch()
    show.tap(M.screen_check)
    question_1 = show.token
    # The user taps "No" twice, quickly, on the first question's screen.
    show.send(envelopes.user_event(question_1, [TAP_NO, ""]))
    again = show.send(envelopes.user_event(question_1, [TAP_NO, ""]))
    assert speech(again) == flat(QUESTIONS[1].ask)
    assert show.session is not None and show.session.attributes == at(1)


def test_a_double_tap_on_not_sure_is_asked_again_not_taken_as_yes(
    handler: Handler, model: InteractionModel
) -> None:
    show = Device(handler, model)
    show.launch()
    show.tap(M.screen_check)
    question_1 = show.token
    first = show.send(envelopes.user_event(question_1, [TAP_UNSURE, ""]))
    assert speech(first).startswith(flat(M.check_unsure_again))
    second = assert_question(show.send(envelopes.user_event(question_1, [TAP_UNSURE, ""])))
    assert second == flat(QUESTIONS[0].ask)
    # A "not sure" tapped on the screen that asks it once more is the second one.
    assert CONTENT.outcomes[Level.EMERGENCY].speech in speech(show.tap(M.screen_unsure))


def test_a_device_without_a_screen_cannot_answer_by_tapping(
    handler: Handler, model: InteractionModel
) -> None:
    speaker = Device(handler, model, apl=False)
    speaker.say(CHECK_SYMPTOMS)
    response = speaker.send(envelopes.user_event("check.bladder_bowel", [TAP_NO, ""]))
    assert assert_question(response) == flat(QUESTIONS[0].ask)
    assert "directives" not in response["response"]


def test_a_tap_on_a_screen_that_outlived_its_session_starts_afresh(
    handler: Handler, model: InteractionModel
) -> None:
    show = Device(handler, model)
    show.launch()
    show.tap(M.screen_check)
    question_1 = show.token
    show.send(envelopes.session_ended_request("EXCEEDED_MAX_REPROMPTS"))
    assert show.session is None
    # Alexa sends the tap in a new session, with no attributes: it is not an answer.
    said = assert_question(show.send(envelopes.user_event(question_1, [TAP_NO, ""])))
    assert said.startswith(flat(M.welcome))
    assert show.screen["choices"][0]["label"] == M.screen_check


def test_a_suggestion_tapped_in_a_new_session_answers_like_a_one_shot_request(
    handler: Handler, model: InteractionModel
) -> None:
    show = Device(handler, model)
    show.launch()
    show.session = None  # the session timed out; the home screen still shows
    said = assert_question(show.tap(CONTENT.topics["scan"].title))
    assert said.startswith(flat(f"{M.one_shot_notice} {CONTENT.topics['scan'].speech}"))


def test_a_tapped_check_logs_no_answers_or_screens(
    handler: Handler, model: InteractionModel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    show = Device(handler, model)
    show.launch()
    show.tap(M.screen_check)
    for _ in range(6):
        show.tap(M.screen_no)
    assert_final(show.tap(M.screen_yes))  # fever: urgent
    tokens = {d["token"] for r in show.responses for d in r["response"].get("directives", [])}
    forbidden = tokens | {q.id for q in QUESTIONS} | {"arguments", "TouchWrapper"}
    lines = [r.getMessage() for r in caplog.records]
    requests = [line for line in lines if line.startswith("event=request ")]
    assert sum("type=Alexa.Presentation.APL.UserEvent intent=- " in x for x in requests) == 8
    assert "outcome=urgent" in requests[-1]
    for line in lines:
        assert not [f for f in forbidden if f in line], line


# -- the pure core: what each screen shows ----------------------------------------------------


def test_each_topic_screen_shows_its_key_points_source_and_review_date() -> None:
    for name, topic_id in TOPIC_INTENTS.items():
        topic = CONTENT.topics[topic_id]
        reply = CONVERSATION.respond(Turn(RequestKind.INTENT, name, {}, {}, screen=True))
        screen = reply.screen
        assert screen is not None and screen.layout is Layout.TOPIC
        assert screen.title == topic.title
        assert screen.points == topic.points
        assert screen.prompt == reply.speech[-1], "the offer spoken is the one the buttons answer"
        assert [c.label for c in screen.choices] == [M.screen_yes, M.screen_no]
        for source in topic.sources:
            assert CONTENT.sources[source].name in screen.source
        assert str(topic.reviewed.year) in screen.reviewed
        assert screen.disclaimer == M.disclaimer


def test_each_question_screen_shows_the_question_spoken_and_where_the_check_is() -> None:
    for index in range(N + 1):
        for retried in (False, True):
            turn = Turn(RequestKind.INTENT, REPEAT, {}, at(index, retried), screen=True)
            reply = CONVERSATION.respond(turn)
            screen = reply.screen
            assert screen is not None and screen.layout is Layout.QUESTION
            assert screen.prompt == reply.speech[-1]
            assert screen.progress == M.screen_progress.format(number=index + 1, total=N + 1)
            assert screen.choices[-1].label == M.screen_unsure


def test_every_outcome_screen_says_its_urgency_in_words() -> None:
    for level, outcome in CONTENT.outcomes.items():
        assert outcome.urgency.strip()
        if level is Level.SELF_CARE:
            a_week = {"duration": Slot(spoken="P1W")}
            turn = Turn(RequestKind.INTENT, DURATION_ANSWER, a_week, at(N), screen=True)
        else:
            index = next(i for i, q in enumerate(QUESTIONS) if q.level is level)
            turn = Turn(RequestKind.INTENT, YES, {}, at(index), screen=True)
        reply = CONVERSATION.respond(turn)
        assert reply.outcome is level and reply.screen is not None
        assert reply.screen.urgency == outcome.urgency
        assert reply.screen.title == outcome.title
        assert reply.screen.choices == ()


def test_an_apology_for_a_failure_draws_no_screen() -> None:
    assert CONVERSATION.error_reply().screen is None
    assert CONVERSATION.error_reply().draw is None


def test_a_device_without_a_screen_gets_no_screen_described() -> None:
    for _, turn, reply in _walk():
        assert reply.screen is None, "a screen was described for a turn without one"
        with_screen = CONVERSATION.respond(replace(turn, screen=True))
        assert (with_screen.screen is None) is (reply.speech == ())
        # The same reply in every other way.
        assert replace(with_screen, screen=None) == reply


# -- the documents -----------------------------------------------------------------------------

# The viewports the documents must suit (sizes in dp, as the data-binding context has them).
VIEWPORTS: dict[str, dict[str, Any]] = {
    "echo-show-5": {"width": 960, "height": 480, "shape": "rectangle", "mode": "hub"},
    "echo-show-8": {"width": 1280, "height": 800, "shape": "rectangle", "mode": "hub"},
    "echo-show-15": {"width": 1920, "height": 1080, "shape": "rectangle", "mode": "hub"},
    "portrait": {"width": 600, "height": 1024, "shape": "rectangle", "mode": "hub"},
    "echo-spot": {"width": 480, "height": 480, "shape": "round", "mode": "hub"},
    "fire-tv": {"width": 960, "height": 540, "shape": "rectangle", "mode": "tv"},
}
MIN_TEXT_DP = {"echo-spot": 20}
"""Smallest type anywhere: 24dp, or 20dp on a round screen, a few centimetres across."""


def _when(expression: str, viewport: dict[str, Any]) -> bool:
    """A resource block's ``when``, which only ever compares viewport properties."""
    body = expression.removeprefix("${").removesuffix("}")
    assert re.fullmatch(r"[\w.' =!<>&|]+", body), body
    python = body.replace("&&", " and ").replace("||", " or ")
    return bool(eval(python, {"__builtins__": {}}, {"viewport": SimpleNamespace(**viewport)}))


def _resolved(viewport: dict[str, Any], document: str = "topic") -> dict[str, dict[str, str]]:
    """The resources a document has on a viewport: later matching blocks win, as in APL."""
    found: dict[str, dict[str, str]] = {"colors": {}, "dimensions": {}, "strings": {}}
    for block in DOCUMENTS[document]["resources"]:
        if "when" in block and not _when(block["when"], viewport):
            continue
        for kind in found:
            found[kind].update(block.get(kind, {}))
    return found


def _dp(value: str) -> float:
    assert value.endswith("dp"), value
    return float(value.removesuffix("dp"))


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from _components(value)
    elif isinstance(node, list):
        for item in node:
            yield from _components(item)


def _types(node: Any) -> list[str]:
    return [c["type"] for c in _components(node)]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _texts_on_backgrounds(document: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """(text colour, background colour) for every Text, layouts expanded: the background is
    the nearest enclosing Frame's."""
    layouts = document["layouts"]

    def walk(node: Any, background: str | None) -> Iterator[tuple[str, str | None]]:
        if isinstance(node, list):
            for item in node:
                yield from walk(item, background)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "Text":
            yield node.get("color", ""), background
        if kind == "Frame":
            background = node.get("backgroundColor", background)
        if kind in layouts:
            yield from walk(layouts[kind]["item"], background)
        for key in ("item", "items"):
            if key in node:
                yield from walk(node[key], background)

    yield from walk(document["mainTemplate"]["item"], None)


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_document_loads_as_the_handler_sends_it(name: str) -> None:
    document = DOCUMENTS[name]
    assert apl_document(name) == document
    assert document["type"] == "APL"
    assert document["mainTemplate"]["parameters"] == [DATASOURCE]
    assert document["theme"] == "dark" and document["lang"] == "en-GB"


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_button_sends_its_arguments_in_a_command_the_sdk_knows(name: str) -> None:
    presses = [c for c in _components(DOCUMENTS[name]) if c["type"] == "TouchWrapper"]
    for press in presses:
        for command in press["onPress"]:
            loaded = SDK.deserialize(json.dumps(command), Command)
            assert isinstance(loaded, SendEventCommand)
            assert loaded.arguments == ["${action}", "${argument}"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_button_is_labelled_for_screen_readers(name: str) -> None:
    for press in (c for c in _components(DOCUMENTS[name]) if c["type"] == "TouchWrapper"):
        assert press["role"] == "button"
        assert press["accessibilityLabel"] == "${label}"
    for text in (c for c in _components(DOCUMENTS[name]) if c["type"] == "Text"):
        assert "${payload.title}" not in text["text"] or text.get("role") in {"header", "alert"}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_binding_is_a_field_the_handler_fills(name: str) -> None:
    text = json.dumps(DOCUMENTS[name])
    screen = CONVERSATION.respond(Turn(RequestKind.LAUNCH, screen=True)).screen
    assert screen is not None
    fields = datasources(screen)[DATASOURCE]
    assert set(re.findall(r"payload\.(\w+)", text)) <= set(fields)
    assert set(re.findall(r"\bdata\.(\w+)", text)) <= set(fields["choices"][0])


@pytest.mark.parametrize("name", LAYOUTS)
def test_documents_need_nothing_from_the_network(name: str) -> None:
    document = DOCUMENTS[name]
    assert "import" not in document and "extensions" not in document
    assert not re.search(r"https?:|\burl\b|\"source\"", json.dumps(document), re.IGNORECASE)
    assert not {"Image", "Video", "VectorGraphic"} & set(_types(document))


def test_documents_share_their_look() -> None:
    first, *others = (DOCUMENTS[n] for n in LAYOUTS)
    for other in others:
        assert other["resources"] == first["resources"]
        assert other["styles"] == first["styles"]
        for name in set(first["layouts"]) & set(other["layouts"]):
            assert other["layouts"][name] == first["layouts"][name]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
@pytest.mark.parametrize("name", LAYOUTS)
def test_every_text_has_enough_contrast_on_its_background(name: str, viewport: str) -> None:
    colours = _resolved(VIEWPORTS[viewport], name)["colors"]
    pairs = list(_texts_on_backgrounds(DOCUMENTS[name]))
    assert pairs
    for text, background in pairs:
        assert background is not None, "every text sits on a background the document sets"
        ratio = contrast(colours[text.removeprefix("@")], colours[background.removeprefix("@")])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.1f} to 1"
    # The TV remote's focus ring, against the page and against the button it surrounds.
    assert contrast(colours["colorFocus"], colours["colorBackground"]) >= 3


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_documents_adapt_to_round_portrait_tv_and_large_screens(viewport: str) -> None:
    shape = VIEWPORTS[viewport]
    resources = _resolved(shape)
    stacked = shape["shape"] == "round" or shape["width"] < shape["height"]
    assert resources["strings"]["buttonDirection"] == ("column" if stacked else "row")
    assert resources["strings"]["textAlign"] == ("center" if shape["shape"] == "round" else "left")
    sizes = {k: _dp(v) for k, v in resources["dimensions"].items()}
    assert min(v for k, v in sizes.items() if k.startswith("text")) >= MIN_TEXT_DP.get(viewport, 24)
    # Buttons big enough to hit with a shaky finger (Alexa's guidance: at least 48dp).
    assert sizes["buttonHeight"] >= 64
    hub = _resolved(VIEWPORTS["echo-show-8"])["dimensions"]
    if viewport == "fire-tv":
        assert sizes["spacePageX"] > _dp(hub["spacePageX"]), "room for TV overscan"
    if viewport == "echo-show-15":
        assert sizes["textBody"] > _dp(hub["textBody"])


def test_the_manifest_asks_alexa_for_screens_on_every_kind_of_device_the_documents_suit() -> None:
    """Without ALEXA_PRESENTATION_APL in the manifest, Alexa never tells the skill about a
    screen, and refuses its directives."""
    manifest = json.loads((ROOT / "skill-package" / "skill.json").read_text("utf-8"))
    interfaces = manifest["manifest"]["apis"]["custom"]["interfaces"]
    [apl] = [i for i in interfaces if i["type"] == "ALEXA_PRESENTATION_APL"]
    for name, viewport in VIEWPORTS.items():
        assert any(
            profile["mode"] == viewport["mode"].upper()
            and profile["shape"] == viewport["shape"].upper()
            and profile["minWidth"] <= viewport["width"] <= profile["maxWidth"]
            and profile["minHeight"] <= viewport["height"] <= profile["maxHeight"]
            for profile in apl["supportedViewports"]
        ), name


def test_urgency_is_never_shown_by_colour_alone() -> None:
    branches = DOCUMENTS["outcome"]["mainTemplate"]["item"]["items"]
    bands = [
        c for c in _components(branches) if str(c.get("when", "")).startswith("${payload.level")
    ]
    assert {b["when"] for b in bands} >= {
        f"${{payload.level == '{level.value}'}}" for level in Level
    }
    for band in bands:
        assert "${payload.urgency}" in json.dumps(band), band["when"]


# -- start-up: a device without a screen pays nothing for screens ------------------------------

IMPORTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function
for event in json.loads(sys.stdin.read()):
    lambda_function.lambda_handler(event, None)
print(json.dumps(sorted(m for m in sys.modules if ".presentation.apl" in m)))
"""


def _apl_modules_after(events: list[dict[str, Any]]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, str(ROOT / "lambda")],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout)
    return modules


def test_a_device_without_a_screen_never_imports_the_apl_classes() -> None:
    session = envelopes.Session()
    events = [session.envelope(envelopes.launch_request())]
    events.append(session.envelope(envelopes.intent_request(CHECK_SYMPTOMS)))
    events.append(session.envelope(envelopes.intent_request(YES)))
    assert _apl_modules_after(events) == []
    show = envelopes.Session(interfaces=envelopes.APL_INTERFACE)
    loaded = _apl_modules_after([show.envelope(envelopes.launch_request())])
    assert any(m.endswith("render_document_directive") for m in loaded)


def test_the_document_sent_is_the_file_and_no_answer_changes_it(handler: Handler) -> None:
    # The document is sent as it is, the same object each time (skill.serializer.Prebuilt),
    # so nothing may alter it: after a whole conversation it still equals the file.
    from skill.handlers import apl_document

    folder = Path(__file__).resolve().parent.parent / "skill" / "content" / "apl"
    device = envelopes.Session(interfaces=envelopes.APL_INTERFACE)
    for request in (
        envelopes.launch_request(),
        envelopes.intent_request("ScanIntent"),
        envelopes.intent_request("AMAZON.YesIntent"),
        envelopes.intent_request("AMAZON.YesIntent"),
    ):
        response = handler(device.envelope(request), None)
        assert response["response"]["directives"]  # a screen was sent with each answer
        device.advance(response)
    for layout in ("topic", "question", "outcome"):
        on_file = json.loads((folder / f"{layout}.json").read_text(encoding="utf-8"))
        assert apl_document(layout) == on_file
