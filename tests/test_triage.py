"""The warning-sign check, tested on every path a person can take through the real questions.

The expected outcome of a path is worked out here from the question list alone (the first
question answered yes, or answered "not sure" / unclear twice in a row), never by asking the
code under test.

There are about 93 million complete paths through 14 questions, too many to replay one by
one. Between two answers the check keeps nothing but its ``CheckState`` (in production it
travels through the session attributes as a dict), so :func:`step` round-trips the state
through ``to_dict`` / ``from_dict`` and uses a fresh ``Triage`` for every answer. Two paths
that reach the same state therefore share every continuation, and the search below checks
each (state, answer) pair once while counting the paths it stands for; the count must equal
the size of the whole tree. Every path that ends on an emergency question is also replayed
literally, answer by answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest

from skill.content_model import Level, Question, default_content
from skill.durations import Duration
from skill.triage import Answer, Ask, CheckState, Result, Step, Triage

CONTENT = default_content()
QUESTIONS: tuple[Question, ...] = CONTENT.questions
N = len(QUESTIONS)
GP_AFTER_DAYS = CONTENT.duration.gp_after_days

YES, NO, UNSURE, UNCLEAR = Answer.YES, Answer.NO, Answer.UNSURE, Answer.UNCLEAR
PARTLY = Answer.PARTLY  # "a bit", "sometimes": a yes, since even a little counts
NOT_YES_OR_NO = (UNSURE, UNCLEAR)

# What a person can say to one warning-sign question, as answer sequences.
# Moving on to the next question: no, or "not sure"/unclear and then no.
MOVE_ON: tuple[tuple[Answer, ...], ...] = ((NO,), (UNSURE, NO), (UNCLEAR, NO))
# Ending the check on this question: yes (or "a bit"), "not sure"/unclear then yes (or
# "a bit"), or two "not sure"/unclear in a row.
END_HERE: tuple[tuple[Answer, ...], ...] = (
    (YES,),
    (PARTLY,),
    (UNSURE, YES),
    (UNCLEAR, YES),
    (UNSURE, PARTLY),
    (UNCLEAR, PARTLY),
    *itertools.product(NOT_YES_OR_NO, repeat=2),
)


def fresh_triage() -> Triage:
    return Triage(QUESTIONS, GP_AFTER_DAYS)


def step(state: CheckState, answer: Answer) -> Step:
    """One answer, as production handles it: the state arrives as a dict in a new request."""
    restored = CheckState.from_dict(state.to_dict(), N)
    assert restored == state, f"{state} did not survive the session attributes"
    return fresh_triage().answer(restored, answer)


def replay(path: Sequence[Answer]) -> list[Step]:
    """Every step of a path; fails if the check ends before the path does."""
    state = fresh_triage().start().state
    steps: list[Step] = []
    for n, answer in enumerate(path):
        result = step(state, answer)
        steps.append(result)
        if isinstance(result, Result):
            assert n == len(path) - 1, f"check ended early, after {path[: n + 1]}"
            break
        state = result.state
    return steps


def path_name(path: Sequence[Answer]) -> str:
    return " ".join(a.value for a in path) or "(start)"


# -- the expectation, from the question list alone ------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What should happen next: ask ``index`` (again or not), or end with ``level``."""

    index: int | None = None
    again: Answer | None = None
    level: Level | None = None
    sign: Question | None = None
    taken_as_yes: bool = False
    partly: bool = False


def expected_outcome(path: Sequence[Answer]) -> Expected:
    """The rules, read straight off the question list, applied to a whole path."""
    index = 0
    unsure_before = False
    for answer in path:
        if index == N:  # the duration question: yes / no / not sure are not durations
            if unsure_before:
                return Expected(level=Level.GP)
            unsure_before = True
            continue
        question = QUESTIONS[index]
        if answer is YES:
            return Expected(level=question.level, sign=question)
        if answer is PARTLY:
            return Expected(level=question.level, sign=question, partly=True)
        if answer is NO:
            index, unsure_before = index + 1, False
        elif unsure_before:
            return Expected(level=question.level, sign=question, taken_as_yes=True)
        else:
            unsure_before = True
    again = path[-1] if unsure_before and path else None
    if index == N and again is not None:
        again = UNCLEAR  # at the duration question every answer is "not understood"
    return Expected(index=index, again=again)


def assert_matches(got: Step, expected: Expected, path: Sequence[Answer]) -> None:
    where = path_name(path)
    if expected.level is None:
        assert isinstance(got, Ask), f"{where}: expected a question, got {got}"
        assert got.state.index == expected.index, where
        assert got.again == expected.again, where
        assert got.state.retried == (expected.again is not None), where
    else:
        assert isinstance(got, Result), f"{where}: expected an outcome, got {got}"
        assert got.level == expected.level, where
        assert got.sign == expected.sign, where
        assert got.taken_as_yes == expected.taken_as_yes, where
        assert got.partly == expected.partly, where
        assert got.duration is None, where


# -- every path -----------------------------------------------------------------------------


def total_paths(question_count: int) -> int:
    """Paths through the tree: each question is left 3 ways or ended 10 ways; the duration
    question, answered with anything but a duration, ends after two answers (5 x 5)."""
    ending_on_a_question = sum(len(MOVE_ON) ** k * len(END_HERE) for k in range(question_count))
    return ending_on_a_question + len(MOVE_ON) ** question_count * len(Answer) ** 2


def test_every_path_ends_with_the_level_of_the_first_yes() -> None:
    """Walks the whole tree of answers; asserts the rules on each (state, answer) once."""
    counted: dict[tuple[CheckState, tuple[Answer, ...]], int] = {}

    def explore(state: CheckState, path: tuple[Answer, ...]) -> int:
        # Paths that reach the same state with the same pending "not sure" share a future.
        assert len(path) <= 2 * (N + 1), f"the check never ends: {path_name(path)}"
        key = (state, path[-1:] if state.retried else ())
        if key in counted:
            return counted[key]
        paths = 0
        for answer in Answer:
            longer = (*path, answer)
            got = step(state, answer)
            assert_matches(got, expected_outcome(longer), longer)
            emergency = state.index < N and QUESTIONS[state.index].level is Level.EMERGENCY
            if emergency and answer in (YES, PARTLY):
                assert isinstance(got, Result), "a question followed an emergency yes"
            if isinstance(got, Result):
                paths += 1
            else:
                paths += explore(got.state, longer)
        counted[key] = paths
        return paths

    start = fresh_triage().start()
    assert start.state == CheckState(0, False) and start.again is None
    assert explore(start.state, ()) == total_paths(N)


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.level is Level.EMERGENCY], ids=lambda q: q.id
)
def test_every_path_ending_on_an_emergency_question_replayed_literally(
    question: Question,
) -> None:
    index = QUESTIONS.index(question)
    replayed = 0
    for before in itertools.product(MOVE_ON, repeat=index):
        for ending in END_HERE:
            path = [*itertools.chain.from_iterable(before), *ending]
            steps = replay(path)
            for n, got in enumerate(steps):
                assert_matches(got, expected_outcome(path[: n + 1]), path[: n + 1])
            outcome = steps[-1]
            assert isinstance(outcome, Result)
            assert outcome.level is Level.EMERGENCY
            assert outcome.sign == question
            replayed += 1
    assert replayed == len(MOVE_ON) ** index * len(END_HERE)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_yes_ends_the_check_with_that_questions_level(question: Question) -> None:
    index = QUESTIONS.index(question)
    steps = replay([NO] * index + [YES])
    assert all(isinstance(s, Ask) for s in steps[:-1])
    assert steps[-1] == Result(question.level, sign=question)


@pytest.mark.parametrize(
    "first, second",
    list(itertools.product(NOT_YES_OR_NO, repeat=2)),
    ids=lambda a: a.value,
)
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_not_sure_twice_is_taken_as_yes(question: Question, first: Answer, second: Answer) -> None:
    index = QUESTIONS.index(question)
    asked_again, outcome = replay([NO] * index + [first, second])[-2:]
    assert asked_again == Ask(CheckState(index, retried=True), again=first)
    assert outcome == Result(question.level, sign=question, taken_as_yes=True)


@pytest.mark.parametrize("answer", NOT_YES_OR_NO, ids=lambda a: a.value)
@pytest.mark.parametrize("question", QUESTIONS[:-1], ids=lambda q: q.id)
def test_not_sure_then_no_moves_on_with_a_fresh_retry(question: Question, answer: Answer) -> None:
    index = QUESTIONS.index(question)
    # Not sure, no, then not sure at the next question: asked again, not taken as yes.
    steps = replay([NO] * index + [answer, NO, answer])
    assert steps[-2] == Ask(CheckState(index + 1))
    assert steps[-1] == Ask(CheckState(index + 1, retried=True), again=answer)


def test_no_to_every_sign_reaches_the_duration_question() -> None:
    steps = replay([NO] * N)
    assert [s.state.index for s in steps if isinstance(s, Ask)] == list(range(1, N + 1))
    last = steps[-1]
    assert isinstance(last, Ask)
    triage = fresh_triage()
    assert triage.in_duration(last.state)
    assert triage.question(last.state) is None


# -- the duration question ------------------------------------------------------------------


DURATION_STATE = CheckState(N)


def test_the_threshold_is_four_weeks() -> None:
    # Leicester page: contact your GP practice if still in pain after 4 to 6 weeks.
    assert GP_AFTER_DAYS == 28


@pytest.mark.parametrize(
    "days, level",
    [
        (0.25, Level.SELF_CARE),
        (1, Level.SELF_CARE),
        (14, Level.SELF_CARE),
        (27.99, Level.SELF_CARE),
        (28, Level.GP),
        (30, Level.GP),
        (365, Level.GP),
    ],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("retried", [False, True], ids=["first-time", "asked-again"])
def test_duration_decides_between_self_care_and_gp(
    days: float, level: Level, retried: bool
) -> None:
    duration = Duration(days=days, words=f"{days} days")
    got = fresh_triage().answer_duration(CheckState(N, retried), duration)
    assert got == Result(level, duration=duration)


def test_unclear_duration_is_asked_again_then_taken_as_gp() -> None:
    triage = fresh_triage()
    again = triage.answer_duration(DURATION_STATE, None)
    assert again == Ask(CheckState(N, retried=True), again=UNCLEAR)
    assert triage.answer_duration(again.state, None) == Result(Level.GP, duration=None)


@pytest.mark.parametrize("answer", list(Answer), ids=lambda a: a.value)
def test_yes_or_no_is_not_a_duration(answer: Answer) -> None:
    again = step(DURATION_STATE, answer)
    assert again == Ask(CheckState(N, retried=True), again=UNCLEAR)
    assert step(again.state, answer) == Result(Level.GP)


# -- the state kept between turns -----------------------------------------------------------


def reachable_states() -> Iterator[CheckState]:
    """Every state the check can ask from, found by answering in every way."""
    seen: set[CheckState] = set()
    todo = [fresh_triage().start().state]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        for answer in Answer:
            got = fresh_triage().answer(state, answer)
            if isinstance(got, Ask):
                todo.append(got.state)
        if state.index == N:
            got = fresh_triage().answer_duration(state, None)
            if isinstance(got, Ask):
                todo.append(got.state)
    return iter(sorted(seen, key=lambda s: (s.index, s.retried)))


def test_every_question_can_be_asked_first_time_and_again() -> None:
    expected = {CheckState(i, r) for i in range(N + 1) for r in (False, True)}
    assert set(reachable_states()) == expected


@pytest.mark.parametrize(
    "state", list(reachable_states()), ids=lambda s: f"index{s.index}-retried{s.retried}"
)
def test_every_state_the_check_produces_is_accepted(state: CheckState) -> None:
    assert CheckState.from_dict(state.to_dict(), N) == state


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"index": -1, "retried": False}, id="negative-index"),
        pytest.param({"index": N + 1, "retried": False}, id="index-beyond-questions"),
        pytest.param({"index": 999, "retried": False}, id="index-999"),
        pytest.param({"index": True, "retried": False}, id="bool-as-index"),
        pytest.param({"index": False, "retried": False}, id="false-as-index"),
        pytest.param({"index": 1.0, "retried": False}, id="float-index"),
        pytest.param({"index": "0", "retried": False}, id="string-index"),
        pytest.param({"index": 0, "retried": 0}, id="int-as-retried"),
        pytest.param({"index": 0, "retried": 1}, id="one-as-retried"),
        pytest.param({"index": 0, "retried": "false"}, id="string-retried"),
        pytest.param({"index": None, "retried": False}, id="none-index"),
        pytest.param({"retried": False}, id="missing-index"),
        pytest.param({"index": 0}, id="missing-retried"),
        pytest.param({}, id="empty-dict"),
        pytest.param("garbage", id="string"),
        pytest.param([0, False], id="list"),
        pytest.param(None, id="none"),
        pytest.param(0, id="int"),
    ],
)
def test_tampered_state_is_rejected(raw: object) -> None:
    assert CheckState.from_dict(raw, N) is None


# -- the content's questions ----------------------------------------------------------------


def test_questions_go_from_most_to_least_urgent() -> None:
    order = [Level.EMERGENCY, Level.URGENT, Level.GP]
    levels = [q.level for q in QUESTIONS]
    assert set(levels) <= set(order), "a warning sign must be emergency, urgent or gp"
    for earlier, later in itertools.combinations(range(N), 2):
        assert order.index(levels[earlier]) <= order.index(levels[later]), (
            f"{QUESTIONS[later].id} ({levels[later]}) is asked after "
            f"{QUESTIONS[earlier].id} ({levels[earlier]})"
        )


def test_there_is_a_question_at_every_level() -> None:
    assert {q.level for q in QUESTIONS} == {Level.EMERGENCY, Level.URGENT, Level.GP}


@pytest.mark.parametrize(
    "question_id, level",
    [
        # The Leicester page's red flags, with the NHS website's urgency for each.
        ("bladder_bowel", Level.EMERGENCY),
        ("numb_saddle", Level.EMERGENCY),
        ("sex", Level.EMERGENCY),
        ("legs_walking", Level.EMERGENCY),
        ("fever", Level.URGENT),
    ],
    ids=[
        "bladder-bowel",
        "numbness-back-passage-genitals",
        "sexual-function",
        "walking-legs",
        "fever-sweating",
    ],
)
def test_every_red_flag_on_the_leicester_page_is_asked(question_id: str, level: Level) -> None:
    by_id = {q.id: q for q in QUESTIONS}
    assert question_id in by_id
    assert by_id[question_id].level is level


def test_question_ids_are_unique() -> None:
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))
