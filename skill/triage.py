"""The warning-sign check as an explicit state machine, with no Alexa in it.

Questions come from content, most urgent first. The rules that make it safe live here and
nowhere else:

- the first "yes" ends the check with that question's level, so an emergency sign is never
  followed by another question;
- "not sure", or an answer that is not yes or no, asks the same question once more; a second
  one is taken as a possible yes;
- once every sign is answered "no", how long the person has had the pain decides between
  their GP practice and self-care; a duration that cannot be understood twice counts as long.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from skill.content_model import Level, Question
from skill.durations import Duration


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    PARTLY = "partly"
    """A qualified yes ("a bit", "sometimes"): a yes, since even a little counts."""
    UNSURE = "unsure"
    UNCLEAR = "unclear"
    """Anything that is not yes, no or not sure (another question, a misheard word)."""


@dataclass(frozen=True)
class CheckState:
    """Where the check is. ``index`` equal to the number of questions means the duration."""

    index: int = 0
    retried: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "retried": self.retried}

    @classmethod
    def from_dict(cls, raw: object, question_count: int) -> CheckState | None:
        """The state, or None when ``raw`` is not one this check could have produced."""
        if not isinstance(raw, Mapping):
            return None
        index, retried = raw.get("index"), raw.get("retried")
        if isinstance(index, bool) or not isinstance(index, int) or not isinstance(retried, bool):
            return None
        if not 0 <= index <= question_count:
            return None
        return cls(index, retried)


@dataclass(frozen=True)
class Ask:
    """Ask the question at ``state.index`` (or the duration); ``again`` says why it is repeated."""

    state: CheckState
    again: Answer | None = None


@dataclass(frozen=True)
class Result:
    """The check is over."""

    level: Level
    sign: Question | None = None
    """The question answered yes (or taken as yes); None when every sign was answered no."""
    taken_as_yes: bool = False
    """The person was not sure, or not understood, twice: taken as a possible yes."""
    partly: bool = False
    """The person said "a bit" or similar: a yes."""
    duration: Duration | None = None
    """How long they have had the pain; None with no sign means it could not be understood."""


Step = Ask | Result


class Triage:
    def __init__(self, questions: Sequence[Question], gp_after_days: int) -> None:
        self.questions = tuple(questions)
        self.gp_after_days = gp_after_days

    def start(self) -> Ask:
        return Ask(CheckState())

    def in_duration(self, state: CheckState) -> bool:
        return state.index >= len(self.questions)

    def question(self, state: CheckState) -> Question | None:
        """The warning-sign question being asked, or None while asking about duration."""
        return None if self.in_duration(state) else self.questions[state.index]

    def answer(self, state: CheckState, answer: Answer) -> Step:
        """The next step after a yes / no / not sure / unclear answer to a warning sign."""
        if self.in_duration(state):
            # Yes or no is not a duration: treat it like any other unclear duration.
            return self.answer_duration(state, None)
        question = self.questions[state.index]
        if answer is Answer.YES:
            return Result(question.level, sign=question)
        if answer is Answer.PARTLY:
            return Result(question.level, sign=question, partly=True)
        if answer is Answer.NO:
            return Ask(CheckState(state.index + 1))
        if not state.retried:
            return Ask(CheckState(state.index, retried=True), again=answer)
        return Result(question.level, sign=question, taken_as_yes=True)

    def answer_duration(self, state: CheckState, duration: Duration | None) -> Step:
        """The next step after an answer to "how long"; None is an answer not understood."""
        if duration is None:
            if not state.retried:
                return Ask(CheckState(state.index, retried=True), again=Answer.UNCLEAR)
            return Result(Level.GP)
        level = Level.GP if duration.days >= self.gp_after_days else Level.SELF_CARE
        return Result(level, duration=duration)
