"""The conversation: what the skill says for each turn, with no Alexa SDK in sight.

An adapter turns an Alexa request into a :class:`Turn` (request kind, intent name, slots,
the session attributes it received) and turns the :class:`Reply` back into a response.
Session attributes are untrusted input: anything this module did not write itself is
discarded, and a damaged check restarts from its first question rather than skipping one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from skill.content_model import CHECK, Content, Level, Messages, Topic, default_content
from skill.durations import Duration, parse_iso_duration
from skill.triage import Answer, Ask, CheckState, Result, Step, Triage


class RequestKind(StrEnum):
    LAUNCH = "launch"
    INTENT = "intent"
    SESSION_ENDED = "session_ended"
    OTHER = "other"


@dataclass(frozen=True)
class Slot:
    """What Alexa heard for a slot, and the slot value it matched, if any."""

    spoken: str | None = None
    resolved_id: str | None = None
    resolved_name: str | None = None


@dataclass(frozen=True)
class Turn:
    kind: RequestKind
    intent: str | None = None
    slots: Mapping[str, Slot] = field(default_factory=dict)
    attributes: Mapping[str, Any] | None = None
    new_session: bool = False
    """True for a one-shot request ("Alexa, ask back pain helper ..."): no welcome was heard."""


@dataclass(frozen=True)
class Card:
    title: str
    text: str


@dataclass(frozen=True)
class Reply:
    speech: tuple[str, ...] = ()
    """Plain-text sentences, in order; empty for a request that takes no speech."""
    reprompt: str | None = None
    card: Card | None = None
    end_session: bool | None = None
    """True after a final answer, False after a question, None when nothing may be said."""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    outcome: Level | None = None
    """The check's outcome, when this reply gives one (for logs; never the answers)."""


# Intent names, as declared in interaction_model/en-GB.json.
TOPIC_INTENTS: Mapping[str, str] = {
    "TreatmentIntent": "treatment",
    "ScanIntent": "scan",
    "PainReliefIntent": "pain_relief",
    "ActivityIntent": "activity",
    "WorkIntent": "work",
    "RecoveryTimeIntent": "recovery_time",
    "CauseIntent": "cause",
    "SeriousIntent": "serious",
    "HurtHarmIntent": "hurt_harm",
    "PreventionIntent": "prevention",
    "LifestyleIntent": "lifestyle",
    "SeeDoctorIntent": "see_doctor",
    "SourceIntent": "source",
}
PAIN_RELIEF = "PainReliefIntent"
MEDICINE_SLOT = "medicine"
CHECK_SYMPTOMS = "CheckSymptomsIntent"
EMERGENCY = "EmergencyIntent"
UNSURE = "UnsureIntent"
SOMEWHAT = "SomewhatIntent"
DURATION_ANSWER = "DurationAnswerIntent"
DURATION_SLOT = "duration"
ROUGH_DURATION_SLOT = "roughDuration"
YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"
HELP = "AMAZON.HelpIntent"
REPEAT = "AMAZON.RepeatIntent"
START_OVER = "AMAZON.StartOverIntent"
FALLBACK = "AMAZON.FallbackIntent"
ENDING_INTENTS = frozenset(
    {"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"}
)

HANDLED_INTENTS: frozenset[str] = frozenset(TOPIC_INTENTS) | ENDING_INTENTS | {
    CHECK_SYMPTOMS, EMERGENCY, UNSURE, SOMEWHAT, DURATION_ANSWER,
    YES, NO, HELP, REPEAT, START_OVER, FALLBACK,
}  # fmt: skip

_ANSWERS = {YES: Answer.YES, NO: Answer.NO, UNSURE: Answer.UNSURE, SOMEWHAT: Answer.PARTLY}

# Bounds on what we accept back from session attributes: Alexa refuses speech over 8,000
# characters, and nothing this skill says comes near 3,000.
_MAX_SAID = 12
_MAX_SAID_CHARS = 3000


@dataclass(frozen=True)
class _MenuState:
    offer: str | None = None
    said: tuple[str, ...] = ()
    reprompt: str | None = None


class Conversation:
    """Answers turns. One instance serves every request: it holds content, never a session."""

    def __init__(self, content: Content | None = None) -> None:
        self.content = content or default_content()
        self.triage = Triage(self.content.questions, self.content.duration.gp_after_days)
        self._intent_handlers: dict[str, Callable[[_MenuState, Turn], Reply]] = {
            CHECK_SYMPTOMS: lambda _s, _t: self._start_check(),
            YES: self._yes,
            SOMEWHAT: self._yes,
            NO: self._no,
            HELP: lambda _s, _t: self._menu((self.m.help,), self.m.help_reprompt,
                                           card=Card(self.m.help_title, self.m.help)),
            REPEAT: self._repeat,
            START_OVER: lambda _s, _t: self._welcome(),
            UNSURE: self._unsure_in_menu,
        }  # fmt: skip

    @property
    def m(self) -> Messages:
        return self.content.messages

    # -- entry point ---------------------------------------------------------------------

    def respond(self, turn: Turn) -> Reply:
        """The reply to one turn. Never raises for any turn an adapter can build."""
        if turn.kind is RequestKind.SESSION_ENDED:
            return Reply()
        if turn.kind is RequestKind.LAUNCH:
            return self._welcome()
        if turn.kind is RequestKind.INTENT and turn.intent == EMERGENCY:
            # Whatever state the session is in, even a damaged one.
            return self._outcome(Result(Level.EMERGENCY))
        reply = self._answer(turn)
        if turn.new_session and reply.end_session is False:
            # A one-shot request skips the welcome and its "in an emergency, phone 999".
            return replace(reply, speech=(self.m.one_shot_notice, *reply.speech))
        return reply

    def _answer(self, turn: Turn) -> Reply:
        attributes = turn.attributes if isinstance(turn.attributes, Mapping) else {}
        check = attributes.get("check")
        if check is not None:
            state = CheckState.from_dict(check, len(self.content.questions))
            if state is None and turn.intent in ENDING_INTENTS:
                return self._stopped_check()
            if state is None:
                # Damaged check state: never skip a question; ask from the start.
                return self._ask(self.triage.start(), lead=(self.m.check_restart,))
            return self._in_check(state, turn)
        return self._in_menu(self._menu_state(attributes), turn)

    def error_reply(self) -> Reply:
        """What to say when something failed: an apology with the safety net."""
        return self._final((self.m.error,), Card(self.m.error_title, self.m.error))

    # -- outside the check ---------------------------------------------------------------

    def _menu_state(self, attributes: Mapping[str, Any]) -> _MenuState:
        offer = attributes.get("offer")
        if not (isinstance(offer, str) and (offer == CHECK or offer in self.content.topics)):
            offer = None
        said = attributes.get("said")
        if not (
            isinstance(said, list)
            and 0 < len(said) <= _MAX_SAID
            and all(isinstance(s, str) and s for s in said)
            and sum(len(s) for s in said) <= _MAX_SAID_CHARS
        ):
            said = []
        reprompt = attributes.get("reprompt")
        if not isinstance(reprompt, str) or len(reprompt) > _MAX_SAID_CHARS or not said:
            reprompt = None
        return _MenuState(offer, tuple(said), reprompt)

    def _in_menu(self, state: _MenuState, turn: Turn) -> Reply:
        intent = turn.intent if turn.kind is RequestKind.INTENT else None
        if intent in ENDING_INTENTS:
            return self._final((self.m.goodbye,), Card(self.m.goodbye_title, self.m.goodbye))
        if intent == PAIN_RELIEF and MEDICINE_SLOT in turn.slots:
            return self._medicine(turn.slots[MEDICINE_SLOT])
        if intent is not None and intent in TOPIC_INTENTS:
            return self._topic(self.content.topics[TOPIC_INTENTS[intent]])
        if intent is not None and intent in self._intent_handlers:
            return self._intent_handlers[intent](state, turn)
        # Fallback, an answer out of place (a duration), an unknown intent or request type.
        return self._menu((self.m.fallback,), self.m.fallback_reprompt)

    def _welcome(self) -> Reply:
        return self._menu(
            (self.m.welcome,),
            self.m.welcome_reprompt,
            card=Card(self.m.welcome_title, self.m.welcome),
        )

    def _invite(self, offer: str) -> str:
        return self.m.check_invite if offer == CHECK else self.content.topics[offer].invite

    def _topic(self, topic: Topic) -> Reply:
        invite = self._invite(topic.offer)
        return self._menu(
            (topic.speech, invite),
            invite,
            card=Card(topic.title, self._card_text(topic.card, topic.sources)),
            offer=topic.offer,
        )

    def _medicine(self, slot: Slot) -> Reply:
        advice = self.content.medicine_for(slot.resolved_id)
        name = (slot.resolved_name or slot.spoken or "").strip()
        if not name:
            return self._topic(self.content.topics["pain_relief"])
        name = name[:1].upper() + name[1:]
        follow_on = self.content.topics["pain_relief"].offer
        invite = self._invite(follow_on)
        return self._menu(
            (advice.speech.format(medicine=name), invite),
            invite,
            card=Card(
                advice.title.format(medicine=name),
                self._card_text(advice.card.format(medicine=name), advice.sources),
            ),
            offer=follow_on,
        )

    def _yes(self, state: _MenuState, _turn: Turn) -> Reply:
        if state.offer == CHECK:
            return self._start_check()
        if state.offer is not None:
            return self._topic(self.content.topics[state.offer])
        return self._menu((self.m.yes_nothing_offered,), self.m.what_else_reprompt)

    def _no(self, state: _MenuState, _turn: Turn) -> Reply:
        if state.offer is not None:
            return self._menu((self.m.what_else,), self.m.what_else_reprompt)
        return self._final((self.m.goodbye,), Card(self.m.goodbye_title, self.m.goodbye))

    def _repeat(self, state: _MenuState, _turn: Turn) -> Reply:
        if not state.said or state.reprompt is None:
            return self._welcome()
        return self._menu(state.said, state.reprompt, offer=state.offer)

    def _unsure_in_menu(self, state: _MenuState, _turn: Turn) -> Reply:
        if state.offer is None:
            return self._menu((self.m.fallback,), self.m.fallback_reprompt)
        invite = self._invite(state.offer)
        return self._menu((self.m.offer_unsure, invite), invite, offer=state.offer)

    def _menu(
        self,
        speech: tuple[str, ...],
        reprompt: str,
        *,
        card: Card | None = None,
        offer: str | None = None,
    ) -> Reply:
        """A reply that keeps the session open outside the check."""
        attributes: dict[str, Any] = {"said": list(speech), "reprompt": reprompt}
        if offer is not None:
            attributes["offer"] = offer
        return Reply(speech, reprompt, card, end_session=False, attributes=attributes)

    def _final(self, speech: tuple[str, ...], card: Card, outcome: Level | None = None) -> Reply:
        return Reply(speech, None, card, end_session=True, attributes={}, outcome=outcome)

    def _card_text(self, body: str, source_ids: tuple[str, ...]) -> str:
        names = dict.fromkeys(self.content.sources[s].name for s in source_ids)
        return f"{body}\n\nSource: {'; '.join(names)}.\n\n{self.m.disclaimer}"

    # -- the check -----------------------------------------------------------------------

    def _start_check(self) -> Reply:
        return self._ask(self.triage.start(), lead=(self.m.check_intro,))

    def _in_check(self, state: CheckState, turn: Turn) -> Reply:
        if turn.kind is not RequestKind.INTENT:
            # Not something the person said (a device event): ask again, count nothing.
            return self._ask(Ask(state))
        intent = turn.intent
        if intent in ENDING_INTENTS:
            return self._stopped_check()
        if intent in (START_OVER, CHECK_SYMPTOMS):
            return self._ask(self.triage.start(), lead=(self.m.check_restart,))
        if intent == REPEAT:
            return self._ask(Ask(state))
        if intent == HELP:
            return self._ask(Ask(state), lead=(self.m.check_help,))
        if self.triage.in_duration(state):
            duration = self._duration(turn) if intent == DURATION_ANSWER else None
            return self._step(self.triage.answer_duration(state, duration))
        answer = _ANSWERS.get(intent or "", Answer.UNCLEAR)
        return self._step(self.triage.answer(state, answer))

    def _duration(self, turn: Turn) -> Duration | None:
        """How long, from an exact AMAZON.DURATION or a plain-words ROUGH_DURATION slot."""
        exact = turn.slots.get(DURATION_SLOT)
        duration = parse_iso_duration(exact.spoken) if exact is not None else None
        if duration is not None:
            return duration
        rough = turn.slots.get(ROUGH_DURATION_SLOT)
        duration = parse_iso_duration(rough.resolved_id) if rough is not None else None
        if duration is None:
            return None
        # "ages" is not "6 months": read back only what decided the outcome.
        long = duration.days >= self.content.duration.gp_after_days
        words = self.content.duration.long_words if long else self.content.duration.short_words
        return Duration(duration.days, words)

    def _stopped_check(self) -> Reply:
        return self._final(
            (self.m.stopped_check,), Card(self.m.stopped_check_title, self.m.stopped_check)
        )

    def _step(self, step: Step) -> Reply:
        if isinstance(step, Result):
            return self._outcome(step)
        return self._ask(step)

    def _ask(self, ask: Ask, lead: tuple[str, ...] = ()) -> Reply:
        question = self.triage.question(ask.state)
        if ask.again is Answer.UNSURE:
            lead = (*lead, self.m.check_unsure_again)
        elif ask.again is Answer.UNCLEAR:
            again = self.m.check_unclear_again if question else self.m.check_unclear_duration
            lead = (*lead, again)
        if question is None:
            duration = self.content.duration
            # Asked again: the plain question with its example, not "Last question" twice.
            text = duration.reprompt if ask.state.retried else duration.ask
            reprompt = duration.reprompt
        else:
            text, reprompt = question.ask, f"{self.m.check_reprompt} {question.ask}"
        # Shown in the Alexa app as the check starts: if the session times out mid-check
        # (when Alexa lets the skill say nothing), the emergency signs are still there.
        card = Card(self.m.check_title, self.m.check_card) if ask.state == CheckState() else None
        return Reply(
            (*lead, text),
            reprompt,
            card,
            end_session=False,
            attributes={"check": ask.state.to_dict()},
        )

    def _outcome(self, result: Result) -> Reply:
        """The end of the check: emergency advice first; a read-back before the rest."""
        outcome = self.content.outcomes[result.level]
        m = self.m
        told: tuple[str, ...] = ()
        if result.sign is not None:
            template = m.readback_yes
            if result.taken_as_yes:
                template = m.readback_unsure
            elif result.partly:
                template = m.readback_partly
            told = (template.format(sign=result.sign.readback),)
        elif result.level is not Level.EMERGENCY:
            if result.duration is None:
                told = (m.readback_none_unclear_duration,)
            else:
                told = (m.readback_none.format(duration=result.duration.words),)

        # Why a yes was assumed is always said; the safety net is always said last.
        assumed = told if result.taken_as_yes or result.partly else ()
        if result.level is Level.EMERGENCY:
            speech = (outcome.speech, *assumed, outcome.safety_net)
        elif result.level is Level.URGENT:
            speech = (*assumed, outcome.speech, outcome.safety_net)
        else:
            speech = (*told, m.readback_correction, outcome.speech, outcome.safety_net)
        # The card stays general: what the person answered is spoken, never kept in the app.
        return self._final(
            speech,
            Card(outcome.title, self._card_text(outcome.card, outcome.sources)),
            outcome=result.level,
        )
