"""Property: whatever a person says, in any order, the check never loses an emergency.

Hypothesis drives skill.conversation.Conversation with random sequences of turns, carrying the
session attributes from each reply to the next turn as Alexa does: every intent in the
interaction model, with and without slots, plus what Alexa can send mid-check that is not an
answer (a topic question, help, repeat, fallback, an intent name the model does not have, a
device event, a new launch, the session ending) and session attributes damaged in transit.

After every turn:

- nothing raised;
- an EmergencyIntent, or "yes" or "a bit" to an emergency question, got the emergency outcome
  at once; so did a second "not sure" (or not-understood answer) to an emergency question;
- the reply either keeps asking (session open, with a reprompt, and inside the check the last
  thing said is a question of the check) or ends the session with an outcome whose last
  sentence is that outcome's safety net, or, for stop and cancel, with the stopped-check safety
  net (the goodbye outside the check); a SessionEndedRequest gets no speech, as Alexa requires.

Which question is being asked is read from what the skill said, never from its session
attributes, so the oracle does not share the code's state. The exhaustive tests of the check
itself are in tests/test_triage.py; this adds the conversation's ways in and out of it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.content_model import Level, Question, default_content
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    ENDING_INTENTS,
    HELP,
    NO,
    PAIN_RELIEF,
    REPEAT,
    SOMEWHAT,
    START_OVER,
    UNSURE,
    YES,
    Conversation,
    Reply,
    RequestKind,
    Slot,
    Turn,
)
from skill.nlu import InteractionModel, model_path

CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions
N = len(QUESTIONS)
CONVERSATION = Conversation(CONTENT)
MODEL = InteractionModel.load(model_path())
MODEL_INTENTS = sorted(MODEL.intents)
MEDICINES = sorted(set(MODEL.slot_values["MEDICINE"].values()))
ROUGH_DURATIONS = sorted({value_id for value_id, _ in MODEL.slot_values["ROUGH_DURATION"].values()})

EMERGENCY_QUESTIONS: Mapping[str, Question] = {
    q.ask: q for q in QUESTIONS if q.level is Level.EMERGENCY
}
CHECK_QUESTIONS = {q.ask for q in QUESTIONS} | {CONTENT.duration.ask, CONTENT.duration.reprompt}
# What a "no" to each warning sign must lead to: the next one in order, then the duration.
NEXT_AFTER_NO = {
    q.ask: (QUESTIONS[n + 1].ask if n + 1 < N else CONTENT.duration.ask)
    for n, q in enumerate(QUESTIONS)
}
# Intents that are not an answer to the question: they never count towards "asked twice".
NOT_ANSWERS = frozenset({HELP, REPEAT, START_OVER, CHECK_SYMPTOMS, EMERGENCY}) | ENDING_INTENTS
FRESH_CHECK = (M.check_intro, M.check_restart)
ASKED_AGAIN = (M.check_unsure_again, M.check_unclear_again)
KEEP = "keep"  # a step that sends the attributes the skill returned, undamaged


@dataclass(frozen=True)
class Step:
    kind: RequestKind
    intent: str | None = None
    slots: Mapping[str, Slot] = field(default_factory=dict)
    damaged: Any = KEEP
    """Session attributes to send instead of the skill's own: damage in transit."""


# -- what a person (and Alexa) can send -----------------------------------------------------

medicine_slot = st.one_of(
    st.sampled_from(MEDICINES).map(
        lambda v: Slot(spoken=v[1], resolved_id=v[0], resolved_name=v[1])
    ),
    st.text(max_size=12).map(lambda text: Slot(spoken=text)),
)
duration_slots = st.one_of(
    st.just({}),
    st.sampled_from(["P2W", "P6W", "PT6H", "P1Y", "P0D", "P", "two weeks", ""]).map(
        lambda v: {"duration": Slot(spoken=v)}
    ),
    st.sampled_from(ROUGH_DURATIONS).map(
        lambda v: {"roughDuration": Slot(spoken=v, resolved_id=v, resolved_name=v)}
    ),
    st.text(max_size=8).map(lambda text: {"roughDuration": Slot(spoken=text)}),
)


def _with_slots(intent: str) -> st.SearchStrategy[Step]:
    if intent == PAIN_RELIEF:
        slots: st.SearchStrategy[dict[str, Slot]] = st.one_of(
            st.just({}), medicine_slot.map(lambda slot: {"medicine": slot})
        )
    elif intent == DURATION_ANSWER:
        slots = duration_slots
    else:
        slots = st.just({})
    return slots.map(lambda s: Step(RequestKind.INTENT, intent, s))


any_model_intent = st.sampled_from(MODEL_INTENTS).flatmap(_with_slots)
answers = st.sampled_from([YES, NO, UNSURE, SOMEWHAT]).map(lambda i: Step(RequestKind.INTENT, i))
# Several "no"s in a row, so that every question, and the duration, is reached.
run_of_noes = st.integers(1, N).map(lambda k: [Step(RequestKind.INTENT, NO)] * k)
# No to every sign, then how long: from the first question, the self-care or GP outcome.
all_noes_then_how_long = st.sampled_from(["P2W", "P6W", "PT6H"]).map(
    lambda iso: [
        *[Step(RequestKind.INTENT, NO)] * N,
        Step(RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken=iso)}),
    ]
)
unknown_names = st.one_of(
    st.sampled_from(["MadeUpIntent", "AMAZON.PauseIntent", "AMAZON.ScrollDownIntent", None]),
    st.from_regex(r"\A[A-Za-z.]{1,24}\Z"),
).map(lambda name: Step(RequestKind.INTENT, name))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, N + 2), st.text(max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["index", "retried", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)
damaged_attributes = st.one_of(
    st.sampled_from(
        [
            "garbage",
            [],
            {"check": "garbage"},
            {"check": None},
            {"check": {"index": 999}},
            {"check": {"index": -1, "retried": False}},
            {"check": {"index": True, "retried": False}},
            {"check": {"index": 3, "retried": "yes"}},
            {"said": [1, 2], "reprompt": 3},
            {"offer": 7},
        ]
    ),
    st.dictionaries(st.sampled_from(["check", "said", "offer", "reprompt"]), json_values),
)
damaged = st.tuples(damaged_attributes, st.one_of(answers, any_model_intent)).map(
    lambda pair: Step(pair[1].kind, pair[1].intent, pair[1].slots, damaged=pair[0])
)
other_requests = st.sampled_from(
    [
        Step(RequestKind.OTHER),  # a device event, such as a screen touch
        Step(RequestKind.LAUNCH),  # "Alexa, open back pain helper": a new session
        Step(RequestKind.SESSION_ENDED),  # silence twice, or the person walked away
    ]
)
steps = st.lists(
    st.one_of(
        answers.map(lambda s: [s]),
        answers.map(lambda s: [s]),
        run_of_noes,
        all_noes_then_how_long,
        _with_slots(DURATION_ANSWER).map(lambda s: [s]),
        st.just([Step(RequestKind.INTENT, EMERGENCY)]),
        any_model_intent.map(lambda s: [s]),
        unknown_names.map(lambda s: [s]),
        damaged.map(lambda s: [s]),
        other_requests.map(lambda s: [s]),
    ),
    min_size=1,
    max_size=30,
).map(lambda chunks: [step for chunk in chunks for step in chunk])
starts = st.sampled_from(
    [
        [Step(RequestKind.LAUNCH), Step(RequestKind.INTENT, CHECK_SYMPTOMS)],
        [Step(RequestKind.INTENT, CHECK_SYMPTOMS)],  # "ask back pain helper to check ..."
        [Step(RequestKind.LAUNCH), Step(RequestKind.INTENT, "ScanIntent")],  # offers the check
    ]
) | any_model_intent.map(lambda s: [s])  # any one-shot request


# -- the oracle -----------------------------------------------------------------------------


def assert_emergency(reply: Reply) -> None:
    emergency = CONTENT.outcomes[Level.EMERGENCY]
    assert reply.outcome is Level.EMERGENCY, reply
    assert reply.speech[0] == emergency.speech, "the emergency advice must come first"
    assert reply.speech[-1] == emergency.safety_net
    assert reply.end_session is True


def is_answer(step: Step) -> bool:
    return step.kind is RequestKind.INTENT and step.intent not in NOT_ANSWERS


def run(conversation: Sequence[Step], *, check_again: bool = False) -> Counter[str]:
    """Play the steps as Alexa would; assert the properties after every turn.

    With ``check_again``, a turn after the session has ended is preceded by a one-shot
    "check my symptoms", so that most turns land inside the check. Returns how often each
    property was exercised, so that a test can show the oracle bites.
    """
    seen: Counter[str] = Counter()
    attributes: Any = None  # None: the next turn starts a new session
    asked: str | None = None  # the check's question the skill asked last, from its speech
    pending: bool | None = False  # that question was met with "not sure" once; None: unknown
    todo = deque(conversation)
    ended = False
    while todo:
        step = todo.popleft()
        if ended and check_again and step.kind is not RequestKind.LAUNCH:
            todo.appendleft(step)
            step = Step(RequestKind.INTENT, CHECK_SYMPTOMS)
        ended = False
        if step.kind is RequestKind.LAUNCH:
            attributes, asked, pending = None, None, False
        intact = step.damaged == KEEP or step.kind is RequestKind.LAUNCH
        sent = attributes if intact else step.damaged
        in_check = isinstance(sent, Mapping) and sent.get("check") is not None
        reply = CONVERSATION.respond(Turn(step.kind, step.intent, step.slots, sent))

        if step.kind is RequestKind.SESSION_ENDED:
            assert reply == Reply(), "Alexa accepts no speech in reply to SessionEnded"
            attributes, asked, pending, ended = None, None, False, True
            continue
        assert reply.speech, step

        # An emergency is never lost.
        if step.kind is RequestKind.INTENT and step.intent == EMERGENCY:
            assert_emergency(reply)
            seen["emergency intent"] += 1
        # With damaged attributes the skill cannot tell which question a "yes" answers: it
        # starts the check again from question 1 (tests/test_conversation.py), so the
        # properties about the question just asked hold only for intact attributes.
        question = EMERGENCY_QUESTIONS.get(asked or "") if in_check and intact else None
        if question is not None and is_answer(step) and step.intent != NO:
            if step.intent in (YES, SOMEWHAT):
                assert_emergency(reply)
                if step.intent == SOMEWHAT:
                    assert M.readback_partly.format(sign=question.readback) in reply.speech
                seen["yes or a bit to an emergency question"] += 1
            elif pending:
                assert_emergency(reply)
                assert M.readback_unsure.format(sign=question.readback) in reply.speech
                seen["not sure twice to an emergency question"] += 1
            elif pending is False:
                assert reply.end_session is False
                assert reply.speech[-1] == question.ask, "asked again, once"
                assert any(lead in reply.speech for lead in ASKED_AGAIN)
                seen["not sure once to an emergency question"] += 1

        # A "no" moves on by exactly one question: none is skipped.
        if in_check and intact and step.intent == NO and asked in NEXT_AFTER_NO:
            assert reply.speech[-1] == NEXT_AFTER_NO[asked], "a question was skipped"
            seen["no moves on by one"] += 1

        # Every reply keeps asking, or ends with a safety net last.
        if reply.end_session is False:
            assert reply.reprompt, "an open session needs a reprompt"
            if "check" in reply.attributes:
                assert reply.speech[-1] in CHECK_QUESTIONS, "the check's question comes last"
            seen["keeps asking"] += 1
        else:
            assert reply.end_session is True, reply
            if reply.outcome is not None:
                assert reply.speech[-1] == CONTENT.outcomes[reply.outcome].safety_net
                seen[f"outcome {reply.outcome}"] += 1
            elif in_check:
                assert step.intent in ENDING_INTENTS, reply
                assert reply.speech == (M.stopped_check,)
                seen["stopped mid-check"] += 1
            else:
                assert reply.speech == (M.goodbye,), reply
                seen["goodbye"] += 1
            assert reply.attributes == {}
            attributes, asked, pending, ended = None, None, False, True
            continue

        # Follow the check from what was said: which question, and whether asked again.
        now = reply.speech[-1] if "check" in reply.attributes else None
        if now is None or reply.speech[0] in FRESH_CHECK or now != asked:
            pending = False
        if now is not None and not intact and reply.speech[0] not in FRESH_CHECK:
            pending = None  # the damaged attributes may have carried any state
        if (
            now is not None
            and is_answer(step)
            and any(lead in reply.speech for lead in ASKED_AGAIN)
        ):
            pending = True
        attributes, asked = dict(reply.attributes), now
    return seen


@settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(start=starts, rest=steps)
def test_the_check_never_loses_an_emergency_and_always_ends_safely(
    start: list[Step], rest: list[Step]
) -> None:
    run([*start, *rest], check_again=True)


# -- the oracle bites -----------------------------------------------------------------------


def _say(*intents: str | None) -> list[Step]:
    return [Step(RequestKind.INTENT, intent) for intent in intents]


def test_the_oracle_checks_what_it_claims() -> None:
    """Hand-written sequences through the same runner: each property is exercised."""
    seen = run(
        [
            *_say(CHECK_SYMPTOMS, UNSURE, HELP, REPEAT),
            Step(RequestKind.OTHER),
            *_say("ScanIntent"),  # a second answer that is not yes or no
            *_say(CHECK_SYMPTOMS, NO, SOMEWHAT),
            *_say(CHECK_SYMPTOMS, NO, NO, NO, YES),
            *_say(CHECK_SYMPTOMS, "MadeUpIntent", NO, "AMAZON.StopIntent"),
            *_say(CHECK_SYMPTOMS),
            Step(RequestKind.INTENT, NO, damaged={"check": "garbage"}),
            *_say(EMERGENCY, "ScanIntent", NO),
            *_say(CHECK_SYMPTOMS, *[NO] * N),
            Step(RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken="P2W")}),
        ]
    )
    assert seen["not sure twice to an emergency question"] == 1
    assert seen["not sure once to an emergency question"] == 2
    assert seen["yes or a bit to an emergency question"] == 2
    assert seen["emergency intent"] == 1
    assert seen["stopped mid-check"] == 1
    assert seen["goodbye"] == 0  # "no" after a topic asks what else; it does not end
    assert seen["outcome emergency"] == 4
    assert seen["outcome self_care"] == 1
    assert seen["no moves on by one"] == 5 + N
