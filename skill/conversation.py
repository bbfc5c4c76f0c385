"""The conversation: what the skill says for each turn, with no Alexa SDK in sight.

An adapter turns an Alexa request into a :class:`Turn` (request kind, intent name, slots,
the session attributes it received) and turns the :class:`Reply` back into a response.
Session attributes are untrusted input: anything this module did not write itself is
discarded, and a damaged check restarts from its first question rather than skipping one.

A reply also describes what a device with a screen shows (a :class:`Screen`), from the same
content as the speech. A tap on one of its buttons comes back through :meth:`Conversation.touch`
as the very turn that saying the button's words would give, so speech and touch share one path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import Any

from skill.content_model import (
    CHECK,
    Content,
    Level,
    MedicineAdvice,
    Messages,
    Topic,
    default_content,
)
from skill.durations import Duration, parse_iso_duration
from skill.screens import (
    END_TOKEN,
    LONG,
    MENU_TOKEN,
    SHORT,
    TAP_CHECK,
    TAP_DURATION,
    TAP_NO,
    TAP_TOPIC,
    TAP_UNSURE,
    TAP_YES,
    Choice,
    Layout,
    Screen,
    button_pressed,
    long_date,
)
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
    screen: bool = False
    """True when the device shows a screen: only then is the reply's screen described."""


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
    screen: Screen | None = None
    """What a screen shows, for a device with one; None where nothing new is shown."""
    draw: Callable[[], Screen] | None = field(default=None, compare=False, repr=False)
    """How to describe the screen: called only for a device with one, so that a device
    without a screen pays nothing for screens."""


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

_TAP_INTENTS = {TAP_YES: YES, TAP_NO: NO, TAP_UNSURE: UNSURE, TAP_CHECK: CHECK_SYMPTOMS}
_TOPIC_INTENTS_BY_ID = {topic: intent for intent, topic in TOPIC_INTENTS.items()}
_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+")

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
        m = self.m
        self._suggestions = tuple(self._suggestion(s) for s in m.screen_suggestions)
        self._yes_no = (Choice(m.screen_yes, TAP_YES), Choice(m.screen_no, TAP_NO))
        self._unsure = Choice(m.screen_unsure, TAP_UNSURE)
        duration = self.content.duration
        self._lengths = (
            Choice(_capitalised(duration.short_words), TAP_DURATION, SHORT),
            Choice(_capitalised(duration.long_words), TAP_DURATION, LONG),
        )
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
        reply = self._respond(turn)
        if not turn.screen or reply.draw is None:
            return reply
        # The buttons belong to the state the reply leaves: the next turn is read against it.
        token, choices = (
            self._controls(reply.attributes) if reply.end_session is False else (END_TOKEN, ())
        )
        screen = replace(reply.draw(), token=token, choices=choices)
        return replace(reply, screen=screen, draw=None)

    def touch(
        self,
        token: object,
        arguments: object,
        attributes: Mapping[str, Any] | None,
        *,
        new_session: bool = False,
    ) -> Turn:
        """The turn a tap gives: the very turn that saying the button's words would give.

        ``token`` (the screen's) and ``arguments`` (the button's) come from the device and are
        untrusted. Anything that is not a button this skill draws is not an answer: it gets
        the fallback, or mid-check the same question again. A button of a screen no longer
        shown (a double tap, a tap as the screen changes) is not an answer either: the person
        hears where the conversation is, so a second "no" can never skip a question.
        """
        attributes = attributes if isinstance(attributes, Mapping) else None
        tapped = button_pressed(arguments)
        if tapped is None:
            return Turn(RequestKind.OTHER, attributes=attributes, screen=True)
        expected, choices = self._controls(attributes)
        if token != expected or tapped not in {(c.action, c.value) for c in choices}:
            if new_session:  # the screen outlived its session: start afresh
                return Turn(RequestKind.LAUNCH, screen=True)
            return Turn(RequestKind.INTENT, REPEAT, attributes=attributes, screen=True)
        action, value = tapped
        slots: dict[str, Slot] = {}
        if action == TAP_TOPIC:
            intent = _TOPIC_INTENTS_BY_ID[value]
        elif action == TAP_DURATION:
            intent, slots = DURATION_ANSWER, {ROUGH_DURATION_SLOT: self._tapped_length(value)}
        else:
            intent = _TAP_INTENTS[action]
        return Turn(
            RequestKind.INTENT, intent, slots, attributes, new_session=new_session, screen=True
        )

    def _respond(self, turn: Turn) -> Reply:
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
        """What to say when something failed: an apology with the safety net.

        No screen: drawing one could fail in the same way, and the apology must get through.
        """
        return self._final((self.m.error,), Card(self.m.error_title, self.m.error), draw=None)

    # -- screens -------------------------------------------------------------------------

    def _controls(self, attributes: Mapping[str, Any] | None) -> tuple[str, tuple[Choice, ...]]:
        """The token and buttons of the screen for a session state: what a tap may do there."""
        attributes = attributes if isinstance(attributes, Mapping) else {}
        check = attributes.get("check")
        if check is not None:
            state = CheckState.from_dict(check, len(self.content.questions))
            if state is None:
                return "", ()
            question = self.triage.question(state)
            token = f"check.{question.id if question else 'duration'}"
            if state.retried:
                token += ".again"
            answers = self._yes_no if question is not None else self._lengths
            return token, (*answers, self._unsure)
        offer = self._menu_state(attributes).offer
        if offer is not None:
            return f"offer.{offer}", self._yes_no
        return MENU_TOKEN, self._suggestions

    def _suggestion(self, suggestion: str) -> Choice:
        if suggestion == CHECK:
            return Choice(self.m.screen_check, TAP_CHECK)
        if suggestion not in _TOPIC_INTENTS_BY_ID:
            raise ValueError(f"screen_suggestions: no intent asks for topic {suggestion!r}")
        return Choice(self.content.topics[suggestion].title, TAP_TOPIC, suggestion)

    def _tapped_length(self, side: str) -> Slot:
        """A tap on "less than 4 weeks" or "4 weeks or more", as Alexa would fill the slot."""
        duration = self.content.duration
        long = side == LONG
        days = duration.gp_after_days if long else duration.gp_after_days - 1
        words = duration.long_words if long else duration.short_words
        return Slot(spoken=words, resolved_id=f"P{days}D", resolved_name=words)

    def _message_screen(self, speech: tuple[str, ...], title: str) -> Screen:
        """A screen showing what was said; a closing question becomes what the buttons answer."""
        sentences = [s for part in speech for s in _SENTENCE_BREAK.split(part.strip()) if s]
        prompt = sentences.pop() if sentences and sentences[-1].endswith("?") else ""
        return Screen(Layout.TOPIC, title, text=" ".join(sentences), prompt=prompt)

    def _sourced_screen(
        self,
        title: str,
        points: tuple[str, ...],
        prompt: str,
        source_ids: tuple[str, ...],
        reviewed: dt.date,
    ) -> Screen:
        return Screen(
            Layout.TOPIC,
            title,
            points=points,
            prompt=prompt,
            source=self.m.screen_source.format(sources=self._source_names(source_ids)),
            reviewed=self.m.screen_reviewed.format(date=long_date(reviewed)),
            disclaimer=self.m.disclaimer,
        )

    def _question_screen(self, state: CheckState, lead: tuple[str, ...], text: str) -> Screen:
        total = len(self.content.questions) + 1  # the warning signs, then how long
        return Screen(
            Layout.QUESTION,
            self.m.check_title,
            text=" ".join(lead),
            prompt=text,
            progress=self.m.screen_progress.format(number=state.index + 1, total=total),
        )

    def _outcome_screen(self, level: Level) -> Screen:
        """The outcome, general like the card: what the person answered is only spoken."""
        outcome = self.content.outcomes[level]
        if level is Level.EMERGENCY:
            # The instruction, in the largest type, and nothing to compete with it: no buttons,
            # no other service; only how to get the call made.
            return Screen(
                Layout.OUTCOME,
                outcome.title,
                text=outcome.safety_net,
                level=level,
                urgency=outcome.urgency,
            )
        advice = (outcome.speech, outcome.safety_net)
        sourced = self._sourced_screen(outcome.title, advice, "", outcome.sources, outcome.reviewed)
        return replace(sourced, layout=Layout.OUTCOME, level=level, urgency=outcome.urgency)

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
            return self._goodbye(self.m.goodbye, self.m.goodbye_title)
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
            draw=partial(
                self._sourced_screen,
                topic.title,
                topic.points,
                invite,
                topic.sources,
                topic.reviewed,
            ),
        )

    def _medicine(self, slot: Slot) -> Reply:
        advice = self.content.medicine_for(slot.resolved_id)
        name = (slot.resolved_name or slot.spoken or "").strip()
        if not name:
            return self._topic(self.content.topics["pain_relief"])
        name = name[:1].upper() + name[1:]
        follow_on = self.content.topics["pain_relief"].offer
        invite = self._invite(follow_on)
        speech = advice.speech.format(medicine=name)
        title = advice.title.format(medicine=name)
        return self._menu(
            (speech, invite),
            invite,
            card=Card(title, self._card_text(advice.card.format(medicine=name), advice.sources)),
            offer=follow_on,
            draw=partial(self._medicine_screen, title, speech, invite, advice),
        )

    def _medicine_screen(
        self, title: str, speech: str, invite: str, advice: MedicineAdvice
    ) -> Screen:
        """A medicine's key points are what is said about it, a sentence each."""
        points = tuple(_SENTENCE_BREAK.split(speech.strip()))
        return self._sourced_screen(title, points, invite, advice.sources, advice.reviewed)

    def _yes(self, state: _MenuState, _turn: Turn) -> Reply:
        if state.offer == CHECK:
            return self._start_check()
        if state.offer is not None:
            return self._topic(self.content.topics[state.offer])
        return self._menu((self.m.yes_nothing_offered,), self.m.what_else_reprompt)

    def _no(self, state: _MenuState, _turn: Turn) -> Reply:
        if state.offer is not None:
            return self._menu((self.m.what_else,), self.m.what_else_reprompt)
        return self._goodbye(self.m.goodbye, self.m.goodbye_title)

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
        draw: Callable[[], Screen] | None = None,
    ) -> Reply:
        """A reply that keeps the session open outside the check."""
        attributes: dict[str, Any] = {"said": list(speech), "reprompt": reprompt}
        if offer is not None:
            attributes["offer"] = offer
        if draw is None:
            title = card.title if card else self.m.welcome_title
            draw = partial(self._message_screen, speech, title)
        return Reply(speech, reprompt, card, end_session=False, attributes=attributes, draw=draw)

    def _final(
        self,
        speech: tuple[str, ...],
        card: Card,
        outcome: Level | None = None,
        *,
        draw: Callable[[], Screen] | None,
    ) -> Reply:
        return Reply(
            speech, None, card, end_session=True, attributes={}, outcome=outcome, draw=draw
        )

    def _goodbye(self, speech: str, title: str) -> Reply:
        return self._final(
            (speech,), Card(title, speech), draw=partial(self._message_screen, (speech,), title)
        )

    def _source_names(self, source_ids: tuple[str, ...]) -> str:
        return "; ".join(dict.fromkeys(self.content.sources[s].name for s in source_ids))

    def _card_text(self, body: str, source_ids: tuple[str, ...]) -> str:
        return f"{body}\n\nSource: {self._source_names(source_ids)}.\n\n{self.m.disclaimer}"

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
        return self._goodbye(self.m.stopped_check, self.m.stopped_check_title)

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
            draw=partial(self._question_screen, ask.state, lead, text),
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
        # The card and the screen stay general: what the person answered is only spoken.
        return self._final(
            speech,
            Card(outcome.title, self._card_text(outcome.card, outcome.sources)),
            outcome=result.level,
            draw=partial(self._outcome_screen, result.level),
        )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
