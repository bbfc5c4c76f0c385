"""The conversation, one turn at a time: "the user says X, Alexa says Y".

:class:`Session` plays Alexa's part: it sends each turn with the session attributes the
skill returned on the turn before, as the Alexa service does.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from skill.content_model import CHECK, Level, Question, default_content
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    ENDING_INTENTS,
    FALLBACK,
    HELP,
    NO,
    PAIN_RELIEF,
    REPEAT,
    START_OVER,
    TOPIC_INTENTS,
    UNSURE,
    YES,
    Conversation,
    Reply,
    RequestKind,
    Slot,
    Turn,
)

CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions
N = len(QUESTIONS)
CONVERSATION = Conversation(CONTENT)
INTERACTION_MODEL = Path(__file__).parent.parent / "interaction_model" / "en-GB.json"


class Session:
    """One Alexa session: keeps the session attributes between turns."""

    def __init__(self, attributes: Any = None) -> None:
        self.attributes: Any = attributes
        self.reply: Reply | None = None
        self.ended = False

    def _send(self, turn: Turn) -> Reply:
        assert not self.ended, "the skill already ended this session"
        reply = CONVERSATION.respond(turn)
        self.reply = reply
        self.attributes = dict(reply.attributes)
        self.ended = reply.end_session is True
        return reply

    def open(self) -> Reply:
        """The user says "Alexa, open back pain helper"."""
        return self._send(Turn(RequestKind.LAUNCH, attributes=self.attributes))

    def say(self, intent: str, **slots: str | Slot) -> Reply:
        """The user says something Alexa understood as ``intent`` (slot values as heard)."""
        filled = {k: v if isinstance(v, Slot) else Slot(spoken=v) for k, v in slots.items()}
        return self._send(Turn(RequestKind.INTENT, intent, filled, self.attributes))

    def other_request(self) -> Reply:
        """A request that is neither a launch nor an intent."""
        return self._send(Turn(RequestKind.OTHER, attributes=self.attributes))

    def start_check(self) -> Reply:
        self.open()
        return self.say(CHECK_SYMPTOMS)

    def reach(self, index: int, retried: bool = False) -> Reply:
        """Start the check and answer no up to question ``index`` (N: the duration)."""
        reply = self.start_check()
        for _ in range(index):
            reply = self.say(NO)
        if retried:
            reply = self.say(UNSURE)
        assert self.attributes == {"check": {"index": index, "retried": retried}}
        return reply


def words(reply: Reply) -> str:
    return " ".join(reply.speech)


def resolved(medicine_id: str, name: str) -> Slot:
    """A medicine slot that Alexa matched to one of the skill's slot values."""
    return Slot(spoken=name, resolved_id=medicine_id, resolved_name=name)


def question_at(index: int, retried: bool = False) -> str:
    """The question asked at ``index``; the duration is asked more plainly the second time."""
    if index < N:
        return QUESTIONS[index].ask
    return CONTENT.duration.reprompt if retried else CONTENT.duration.ask


def offered_invite(offer: str) -> str:
    return M.check_invite if offer == CHECK else CONTENT.topics[offer].invite


def assert_emergency(reply: Reply) -> None:
    emergency = CONTENT.outcomes[Level.EMERGENCY]
    assert "999" in reply.speech[0], "the emergency advice must come first"
    assert reply.speech[0] == emergency.speech
    assert emergency.safety_net in reply.speech
    assert reply.end_session is True
    assert reply.outcome is Level.EMERGENCY


def _check_points() -> Iterator[Any]:
    """Every point in the check: each question asked the first time and again."""
    for index in range(N + 1):
        name = QUESTIONS[index].id if index < N else "duration"
        yield pytest.param(index, False, id=name)
        yield pytest.param(index, True, id=f"{name}-asked-again")


CHECK_POINTS = list(_check_points())


# -- opening and topics ---------------------------------------------------------------------


def test_launch_speaks_the_disclaimer_and_waits_for_an_answer() -> None:
    reply = Session().open()
    assert "not a substitute" in words(reply)
    assert "999" in words(reply)
    assert reply.end_session is False
    assert reply.reprompt


@pytest.mark.parametrize("intent", list(TOPIC_INTENTS))
def test_topic_gives_its_advice_then_offers_one_thing(intent: str) -> None:
    topic = CONTENT.topics[TOPIC_INTENTS[intent]]
    session = Session()
    session.open()
    reply = session.say(intent)
    assert reply.speech[0] == topic.speech
    assert reply.speech[-1] == offered_invite(topic.offer)
    assert reply.speech[-1].endswith("?")
    assert words(reply).count("?") == 1, "exactly one question, at the end"
    assert reply.reprompt
    assert reply.card is not None
    assert any(CONTENT.sources[s].name in reply.card.text for s in topic.sources)
    assert M.disclaimer in reply.card.text
    assert reply.end_session is False


@pytest.mark.parametrize("intent", list(TOPIC_INTENTS))
def test_yes_to_an_offer_does_the_offered_thing(intent: str) -> None:
    offer = CONTENT.topics[TOPIC_INTENTS[intent]].offer
    session = Session()
    session.open()
    session.say(intent)
    reply = session.say(YES)
    if offer == CHECK:
        assert reply.speech[-1] == QUESTIONS[0].ask
        assert session.attributes == {"check": {"index": 0, "retried": False}}
    else:
        assert reply.speech[0] == CONTENT.topics[offer].speech
    assert reply.end_session is False


def test_no_to_an_offer_asks_what_else() -> None:
    session = Session()
    session.open()
    session.say("ScanIntent")
    reply = session.say(NO)
    assert reply.speech == (M.what_else,)
    assert reply.end_session is False
    assert reply.reprompt


def test_no_when_nothing_was_offered_says_goodbye_with_a_safety_net() -> None:
    session = Session()
    session.open()
    reply = session.say(NO)
    assert "999" in words(reply)
    assert reply.end_session is True


def test_not_sure_about_an_offer_repeats_the_offer() -> None:
    session = Session()
    session.open()
    session.say("ScanIntent")
    reply = session.say(UNSURE)
    assert reply.speech[-1] == M.check_invite
    assert session.say(YES).speech[-1] == QUESTIONS[0].ask


def test_repeat_outside_the_check_repeats_the_last_answer() -> None:
    session = Session()
    session.open()
    first = session.say("WorkIntent")
    again = session.say(REPEAT)
    assert again.speech == first.speech
    assert again.reprompt == first.reprompt
    # The offer still stands after a repeat.
    assert session.say(YES).speech[0] == CONTENT.topics["activity"].speech


# -- medicines ------------------------------------------------------------------------------


def test_paracetamol_is_never_suggested_on_its_own() -> None:
    session = Session()
    session.open()
    reply = session.say(PAIN_RELIEF, medicine=resolved("PARACETAMOL", "paracetamol"))
    said = words(reply).lower()
    assert "paracetamol" in said
    assert "ibuprofen" in said or "anti-inflammatory" in said
    assert reply.end_session is False


def test_ibuprofen_names_the_pharmacist_and_who_should_be_careful() -> None:
    session = Session()
    session.open()
    said = words(session.say(PAIN_RELIEF, medicine=resolved("IBUPROFEN", "ibuprofen")))
    assert "pharmacist" in said
    assert "pregnant" in said
    assert "over 65" in said


def test_another_anti_inflammatory_is_named() -> None:
    session = Session()
    session.open()
    reply = session.say(PAIN_RELIEF, medicine=resolved("NAPROXEN", "naproxen"))
    assert reply.speech[0].startswith("Naproxen")
    assert "ibuprofen" in words(reply)
    assert reply.card is not None and "Naproxen" in reply.card.title + reply.card.text


def test_a_medicine_alexa_could_not_match_gets_the_pharmacist_answer() -> None:
    session = Session()
    session.open()
    reply = session.say(PAIN_RELIEF, medicine="chest pain")
    assert "pharmacist" in words(reply)
    # What was heard may be a mishearing, or a symptom: it is never read back as a medicine.
    assert "chest pain" not in words(reply).lower()
    assert reply.end_session is False


def test_special_characters_in_an_unmatched_medicine_are_never_spoken() -> None:
    session = Session()
    session.open()
    reply = session.say(PAIN_RELIEF, medicine="<b>&")
    assert "<b>" not in words(reply)
    assert "pharmacist" in words(reply)


def _interaction_model_medicines() -> list[tuple[str, str]]:
    model = json.loads(INTERACTION_MODEL.read_text(encoding="utf-8"))
    for slot_type in model["interactionModel"]["languageModel"]["types"]:
        if slot_type["name"] == "MEDICINE":
            return [(v["id"], v["name"]["value"]) for v in slot_type["values"]]
    raise AssertionError("no MEDICINE slot type")


@pytest.mark.parametrize("medicine_id, name", _interaction_model_medicines())
def test_every_medicine_alexa_can_hear_gets_safe_advice(medicine_id: str, name: str) -> None:
    session = Session()
    session.open()
    reply = session.say(PAIN_RELIEF, medicine=resolved(medicine_id, name))
    said = words(reply).lower()
    assert "pharmacist" in said
    if "paracetamol" in said and "contains paracetamol" not in said:
        # Suggested, so never alone (NICE QS155).
        assert "ibuprofen" in said or "anti-inflammatory" in said
    if CONTENT.medicine_for(medicine_id).id in ("contains_paracetamol", "aspirin_and_paracetamol"):
        # A product with paracetamol in it: never with more paracetamol.
        assert "paracetamol" in said.partition("don't take it with")[2]
    if "ibuprofen" in said and "don't take it with ibuprofen" not in said:
        # Suggested, so with its caution.
        assert "isn't safe for everyone" in said
    assert reply.speech[-1].endswith("?")
    assert reply.end_session is False


def test_pain_relief_without_a_medicine_gives_the_pain_relief_topic() -> None:
    session = Session()
    session.open()
    assert session.say(PAIN_RELIEF).speech[0] == CONTENT.topics["pain_relief"].speech


# -- emergencies ----------------------------------------------------------------------------


def test_emergency_straight_after_opening() -> None:
    session = Session()
    session.open()
    assert_emergency(session.say(EMERGENCY))


def test_emergency_as_the_first_request_with_no_session_attributes() -> None:
    assert_emergency(Session().say(EMERGENCY))


def test_emergency_after_a_topic() -> None:
    session = Session()
    session.open()
    session.say("CauseIntent")
    assert_emergency(session.say(EMERGENCY))


@pytest.mark.parametrize("index, retried", CHECK_POINTS)
def test_emergency_mid_check_is_answered_at_once(index: int, retried: bool) -> None:
    session = Session()
    session.reach(index, retried)
    assert_emergency(session.say(EMERGENCY))


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.level is Level.EMERGENCY], ids=lambda q: q.id
)
def test_yes_to_an_emergency_sign_says_999_first_and_asks_nothing_more(
    question: Question,
) -> None:
    session = Session()
    session.reach(QUESTIONS.index(question))
    assert_emergency(session.say(YES))


# -- moving around inside the check ---------------------------------------------------------


@pytest.mark.parametrize("intent", sorted(ENDING_INTENTS))
@pytest.mark.parametrize("index", [0, N // 2, N], ids=["first-question", "middle", "duration"])
def test_stopping_mid_check_gives_the_safety_net_and_ends(intent: str, index: int) -> None:
    session = Session()
    session.reach(index)
    reply = session.say(intent)
    assert reply.speech == (M.stopped_check,)
    assert "999" in words(reply)
    assert reply.end_session is True
    assert reply.outcome is None


@pytest.mark.parametrize("index, retried", CHECK_POINTS)
def test_repeat_mid_check_asks_the_same_question_again(index: int, retried: bool) -> None:
    session = Session()
    session.reach(index, retried)
    before = session.attributes
    reply = session.say(REPEAT)
    assert reply.speech[-1] == question_at(index, retried)
    assert session.attributes == before
    assert reply.end_session is False


@pytest.mark.parametrize("intent", [START_OVER, CHECK_SYMPTOMS])
@pytest.mark.parametrize("index", [1, N // 2, N], ids=["second-question", "middle", "duration"])
def test_start_over_mid_check_goes_back_to_question_one(intent: str, index: int) -> None:
    session = Session()
    session.reach(index, retried=True)
    reply = session.say(intent)
    assert reply.speech[0] == M.check_restart
    assert reply.speech[-1] == QUESTIONS[0].ask
    assert session.attributes == {"check": {"index": 0, "retried": False}}


@pytest.mark.parametrize("index, retried", CHECK_POINTS)
def test_help_mid_check_explains_and_asks_the_same_question(index: int, retried: bool) -> None:
    session = Session()
    session.reach(index, retried)
    before = session.attributes
    reply = session.say(HELP)
    assert reply.speech[0] == M.check_help
    assert reply.speech[-1] == question_at(index, retried)
    assert session.attributes == before


def test_help_does_not_count_as_an_answer() -> None:
    session = Session()
    session.reach(0)
    session.say(HELP)
    session.say(HELP)
    # Help twice, then "not sure": still asked once more, not taken as yes.
    reply = session.say(UNSURE)
    assert reply.end_session is False
    assert reply.speech[-1] == QUESTIONS[0].ask


def test_help_after_not_sure_keeps_the_pending_retry() -> None:
    session = Session()
    session.reach(0, retried=True)
    session.say(HELP)
    reply = session.say(UNSURE)
    assert reply.outcome is QUESTIONS[0].level


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_a_topic_question_mid_check_counts_as_unclear(question: Question) -> None:
    session = Session()
    index = QUESTIONS.index(question)
    session.reach(index)
    again = session.say("ScanIntent")
    assert M.check_unclear_again in again.speech
    assert again.speech[-1] == question.ask
    outcome = session.say("WorkIntent")
    assert outcome.outcome is question.level
    assert M.readback_unsure.format(sign=question.readback) in outcome.speech
    assert CONTENT.outcomes[question.level].safety_net in outcome.speech


@pytest.mark.parametrize(
    "intent", ["MadeUpIntent", FALLBACK, DURATION_ANSWER], ids=["unknown", "fallback", "duration"]
)
def test_anything_but_yes_no_or_not_sure_is_asked_again(intent: str) -> None:
    session = Session()
    session.reach(2)
    reply = session.say(intent)
    assert reply.speech[-1] == QUESTIONS[2].ask
    assert session.attributes == {"check": {"index": 2, "retried": True}}


# -- outcomes -------------------------------------------------------------------------------


def test_self_care_reads_back_the_answers_before_the_advice() -> None:
    session = Session()
    session.reach(N)
    reply = session.say(DURATION_ANSWER, duration="P2W")
    outcome = CONTENT.outcomes[Level.SELF_CARE]
    assert reply.outcome is Level.SELF_CARE
    assert reply.speech[0].startswith("You told me")
    assert "2 weeks" in reply.speech[0]
    assert reply.speech.index(outcome.speech) > 0
    assert outcome.safety_net in reply.speech


def test_a_rough_duration_of_a_month_goes_to_the_gp() -> None:
    session = Session()
    session.reach(N)
    heard = Slot(spoken="about a month", resolved_id="P1M", resolved_name="about a month")
    reply = session.say(DURATION_ANSWER, roughDuration=heard)
    assert reply.outcome is Level.GP
    assert reply.speech[0].startswith("You told me")
    # "about a month" has no exact length: the read-back says which side of 4 weeks it is.
    assert CONTENT.duration.long_words in reply.speech[0]
    assert "1 month" not in reply.speech[0]
    assert "GP practice" in words(reply)


def test_a_rough_duration_of_ages_is_not_read_back_as_a_made_up_length() -> None:
    session = Session()
    session.reach(N)
    heard = Slot(spoken="ages", resolved_id="P6M", resolved_name="ages")
    reply = session.say(DURATION_ANSWER, roughDuration=heard)
    assert reply.outcome is Level.GP
    assert "6 months" not in reply.speech[0]
    assert CONTENT.duration.long_words in reply.speech[0]


def test_a_rough_duration_that_alexa_could_not_match_is_asked_again() -> None:
    session = Session()
    session.reach(N)
    reply = session.say(DURATION_ANSWER, roughDuration=Slot(spoken="a wee while"))
    assert reply.end_session is False
    assert M.check_unclear_duration in reply.speech
    # Asked again plainly, with an example, not "Last question" a second time.
    assert reply.speech[-1] == CONTENT.duration.reprompt


def test_a_duration_not_understood_twice_is_taken_as_long() -> None:
    session = Session()
    session.reach(N)
    again = session.say(DURATION_ANSWER, duration="a while")
    assert M.check_unclear_duration in again.speech
    reply = session.say(DURATION_ANSWER)
    assert reply.outcome is Level.GP
    assert reply.speech[0] == M.readback_none_unclear_duration


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.level is Level.GP], ids=lambda q: q.id
)
def test_a_gp_sign_is_read_back_before_the_advice(question: Question) -> None:
    session = Session()
    session.reach(QUESTIONS.index(question))
    reply = session.say(YES)
    assert reply.outcome is Level.GP
    assert reply.speech[0].startswith("You told me")
    assert question.readback in reply.speech[0]
    assert "GP practice" in words(reply)


def _final_scripts() -> Iterator[Any]:
    """A scripted conversation for every way the check can end."""
    for question in QUESTIONS:
        index = QUESTIONS.index(question)
        yield pytest.param(index, (YES,), {}, id=f"{question.id}-yes")
        yield pytest.param(index, (UNSURE, UNSURE), {}, id=f"{question.id}-unsure-twice")
    for duration in ("PT6H", "P2W", "P4W", "P1Y"):
        yield pytest.param(N, (DURATION_ANSWER,), {"duration": duration}, id=duration)
    yield pytest.param(N, (NO, NO), {}, id="duration-not-understood")
    yield pytest.param(0, (EMERGENCY,), {}, id="emergency-intent")


@pytest.mark.parametrize("index, answers, slots", list(_final_scripts()))
def test_every_outcome_ends_with_its_safety_net(
    index: int, answers: tuple[str, ...], slots: dict[str, str]
) -> None:
    session = Session()
    session.reach(index)
    for answer in answers:
        reply = session.say(answer, **slots)
    assert reply.end_session is True
    assert reply.outcome is not None
    outcome = CONTENT.outcomes[reply.outcome]
    assert outcome.speech in reply.speech
    assert outcome.safety_net in reply.speech
    assert "999" in words(reply)
    assert reply.card is not None and M.disclaimer in reply.card.text
    assert reply.attributes == {}


# -- every state, every kind of turn --------------------------------------------------------

SOME_TURNS: list[tuple[RequestKind, str | None, dict[str, Slot]]] = [
    *((RequestKind.INTENT, intent, {}) for intent in TOPIC_INTENTS),
    (RequestKind.INTENT, PAIN_RELIEF, {"medicine": resolved("PARACETAMOL", "paracetamol")}),
    (RequestKind.INTENT, PAIN_RELIEF, {"medicine": Slot(spoken="frog spawn")}),
    *(
        (RequestKind.INTENT, intent, {})
        for intent in (CHECK_SYMPTOMS, EMERGENCY, UNSURE, YES, NO, HELP, REPEAT, START_OVER)
    ),
    (RequestKind.INTENT, FALLBACK, {}),
    *((RequestKind.INTENT, intent, {}) for intent in sorted(ENDING_INTENTS)),
    (RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken="P2W", resolved_id="P2W")}),
    (RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken="P3M")}),
    (RequestKind.INTENT, DURATION_ANSWER, {"duration": Slot(spoken="ages")}),
    (RequestKind.INTENT, DURATION_ANSWER, {}),
    (RequestKind.INTENT, "MadeUpIntent", {}),
    (RequestKind.INTENT, None, {}),
    (RequestKind.OTHER, None, {}),
    (RequestKind.LAUNCH, None, {}),
]


def _walk() -> Iterator[tuple[Mapping[str, Any] | None, Turn, Reply]]:
    """Every turn above from every session state the skill can reach, breadth first."""
    seen: set[str] = set()
    todo: deque[Mapping[str, Any] | None] = deque([None])
    while todo:
        attributes = todo.popleft()
        for kind, intent, slots in SOME_TURNS:
            turn = Turn(kind, intent, slots, attributes)
            reply = CONVERSATION.respond(turn)
            yield attributes, turn, reply
            key = json.dumps(reply.attributes, sort_keys=True)
            if reply.end_session is False and key not in seen:
                seen.add(key)
                todo.append(dict(reply.attributes))
        assert len(seen) < 2000, "the walk is not converging"


def test_invariants_hold_for_every_reply_in_every_state() -> None:
    states = 0
    for attributes, turn, reply in _walk():
        where = f"{turn.intent or turn.kind} with {attributes}"
        states += 1
        assert reply.speech, where
        if reply.end_session is False:
            assert reply.reprompt, f"{where}: open session with no reprompt"
            if "check" in reply.attributes:
                index = reply.attributes["check"]["index"]
                retried = reply.attributes["check"]["retried"]
                assert reply.speech[-1] == question_at(index, retried), where
        else:
            assert reply.end_session is True, where
            assert "999" in " ".join(reply.speech), f"{where}: ended with no safety net"
            assert reply.attributes == {}, where
        if reply.outcome is not None:
            outcome = CONTENT.outcomes[reply.outcome]
            assert reply.end_session is True, where
            assert reply.speech[-1] == outcome.safety_net, f"{where}: safety net not last"
        if turn.intent == EMERGENCY:
            assert_emergency(reply)
    assert states > 1000


def test_the_walk_reaches_every_point_in_the_check() -> None:
    points = {
        (r.attributes["check"]["index"], r.attributes["check"]["retried"])
        for _, _, r in _walk()
        if "check" in r.attributes
    }
    assert points == {(i, retried) for i in range(N + 1) for retried in (False, True)}


def test_session_ended_gets_no_speech() -> None:
    for attributes in (None, {"check": {"index": 3, "retried": False}}, {"offer": "scan"}):
        reply = CONVERSATION.respond(Turn(RequestKind.SESSION_ENDED, attributes=attributes))
        assert reply.speech == ()
        assert reply.end_session is None


# -- outside the check: things the skill does not understand -------------------------------


@pytest.mark.parametrize(
    "intent",
    ["MadeUpIntent", "AMAZON.PauseIntent", FALLBACK, DURATION_ANSWER],
    ids=["unknown", "built-in-not-handled", "fallback", "duration-answer"],
)
def test_not_understood_outside_the_check_gets_the_fallback(intent: str) -> None:
    session = Session()
    session.open()
    reply = session.say(intent, duration="P2W")
    assert reply.speech == (M.fallback,)
    assert reply.end_session is False
    assert reply.reprompt


def test_another_request_type_outside_the_check_gets_the_fallback() -> None:
    session = Session()
    session.open()
    reply = session.other_request()
    assert reply.speech == (M.fallback,)
    assert reply.end_session is False


# -- damaged session attributes -------------------------------------------------------------


@pytest.mark.parametrize(
    "check",
    [
        pytest.param("garbage", id="string"),
        pytest.param({"index": 999}, id="index-999-no-retried"),
        pytest.param({"index": 999, "retried": False}, id="index-999"),
        pytest.param({"index": -1, "retried": False}, id="negative-index"),
        pytest.param({"index": N + 1, "retried": False}, id="past-the-duration"),
        pytest.param({"index": True, "retried": False}, id="bool-index"),
        pytest.param({"index": 3, "retried": "yes"}, id="string-retried"),
        pytest.param([3, False], id="list"),
    ],
)
@pytest.mark.parametrize("intent", [YES, NO, UNSURE, REPEAT], ids=["yes", "no", "unsure", "repeat"])
def test_damaged_check_state_restarts_at_question_one(check: Any, intent: str) -> None:
    session = Session({"check": check})
    reply = session.say(intent)
    assert reply.speech[0] == M.check_restart
    assert reply.speech[-1] == QUESTIONS[0].ask
    assert session.attributes == {"check": {"index": 0, "retried": False}}
    assert reply.outcome is None


@pytest.mark.parametrize("check", ["garbage", {"index": 999}], ids=["string", "index-999"])
def test_emergency_with_damaged_check_state_is_still_an_emergency(check: Any) -> None:
    assert_emergency(Session({"check": check}).say(EMERGENCY))


@pytest.mark.parametrize("intent", sorted(ENDING_INTENTS))
def test_stop_with_damaged_check_state_still_stops_with_the_safety_net(intent: str) -> None:
    reply = Session({"check": "garbage"}).say(intent)
    assert reply.end_session is True
    assert "999" in words(reply)


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param(None, id="none"),
        pytest.param([], id="empty-list"),
        pytest.param(["check", 0], id="list"),
        pytest.param("garbage", id="string"),
        pytest.param({"said": [1, 2]}, id="said-not-text"),
        pytest.param({"said": "hello"}, id="said-a-string"),
        pytest.param({"said": ["x" * 5000], "reprompt": "y"}, id="said-too-long"),
        pytest.param({"offer": "nonexistent"}, id="offer-unknown-topic"),
        pytest.param({"offer": 7}, id="offer-a-number"),
        pytest.param({"reprompt": 42, "said": ["Hello."]}, id="reprompt-not-text"),
        pytest.param({"check": None}, id="check-none"),
    ],
)
@pytest.mark.parametrize("intent", [YES, NO, REPEAT, UNSURE, "ScanIntent", EMERGENCY])
def test_damaged_menu_attributes_never_break_the_conversation(attributes: Any, intent: str) -> None:
    reply = CONVERSATION.respond(Turn(RequestKind.INTENT, intent, {}, attributes))
    assert reply.speech
    if reply.end_session is False:
        assert reply.reprompt
    else:
        assert "999" in words(reply)
    if intent == EMERGENCY:
        assert_emergency(reply)


def test_yes_with_an_unknown_offer_offers_nothing() -> None:
    reply = Session({"offer": "nonexistent"}).say(YES)
    assert reply.speech == (M.yes_nothing_offered,)
    assert reply.end_session is False


def test_repeat_with_damaged_said_gives_the_welcome() -> None:
    reply = Session({"said": [1, 2], "reprompt": "x"}).say(REPEAT)
    assert reply.speech == (M.welcome,)


@pytest.mark.parametrize("offer", [["scan"], {"scan": 1}], ids=["list", "dict"])
def test_an_offer_that_is_not_text_is_ignored(offer: Any) -> None:
    reply = Session({"offer": offer}).say(YES)
    assert reply.speech == (M.yes_nothing_offered,)


# -- one-shot requests ------------------------------------------------------------------------


def one_shot(intent: str, **slots: str | Slot) -> Reply:
    """ "Alexa, ask back pain helper ...": a new session with no welcome heard."""
    filled = {k: v if isinstance(v, Slot) else Slot(spoken=v) for k, v in slots.items()}
    return CONVERSATION.respond(Turn(RequestKind.INTENT, intent, filled, None, new_session=True))


@pytest.mark.parametrize("intent", [*sorted(TOPIC_INTENTS), CHECK_SYMPTOMS, HELP, FALLBACK])
def test_a_one_shot_answer_starts_with_the_999_line_the_welcome_would_have_given(
    intent: str,
) -> None:
    reply = one_shot(intent)
    assert reply.end_session is False
    assert reply.speech[0] == M.one_shot_notice
    assert "999" in reply.speech[0]


def test_a_one_shot_emergency_says_999_first_without_the_notice() -> None:
    reply = one_shot(EMERGENCY)
    assert_emergency(reply)
    assert M.one_shot_notice not in reply.speech


def test_the_notice_is_not_repeated_once_the_session_goes_on() -> None:
    session = Session()
    session.open()
    assert M.one_shot_notice not in session.say("ScanIntent").speech


def test_the_card_sent_as_the_check_starts_lists_the_emergency_signs_and_999() -> None:
    # If the session then times out, Alexa lets the skill say nothing: the card remains.
    session = Session()
    session.open()
    card = session.say(CHECK_SYMPTOMS).card
    assert card is not None
    assert "999" in card.text
    for sign in ("peeing", "bottom or genitals", "both legs", "chest pain", "fall"):
        assert sign in card.text


def test_anadin_extra_warns_it_holds_aspirin_so_not_with_ibuprofen_or_paracetamol() -> None:
    # The skill suggests ibuprofen with paracetamol: taken with Anadin Extra that would be
    # two anti-inflammatories and a double dose of paracetamol.
    session = Session()
    session.open()
    said = words(session.say(PAIN_RELIEF, medicine=resolved("ANADIN_EXTRA", "anadin extra")))
    assert "aspirin" in said
    assert "Don't take it with ibuprofen" in said
    assert "paracetamol" in said.partition("Don't take it with")[2]
    assert "pharmacist" in said
