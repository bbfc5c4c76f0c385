"""What a screen shows with a reply, and what its buttons send back: plain data, no SDK.

The conversation fills a :class:`Screen` from the same content as the speech; the adapter
draws it with the APL documents in skill/content/apl/. A tap comes back as an APL UserEvent
whose arguments are a button's action and value; :func:`button_pressed` reads them, trusting
nothing, and the conversation turns them into the turn that saying the button's words gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from skill.content_model import Level


class Layout(StrEnum):
    """How a screen is laid out: one APL document each (skill/content/apl/<layout>.json)."""

    TOPIC = "topic"
    """A title with key points or a message, and buttons to answer an offer or pick a topic."""
    QUESTION = "question"
    """A warning-sign question (or how long), with its answer buttons."""
    OUTCOME = "outcome"
    """The check's outcome: its urgency, in words, with nothing else competing."""


@dataclass(frozen=True)
class Choice:
    """A button. A tap sends ``action`` and ``value`` back as an APL UserEvent's arguments."""

    label: str
    action: str
    value: str = ""


@dataclass(frozen=True)
class Screen:
    """What a device with a screen shows with a reply: plain data; the adapter draws it.

    ``token`` and ``choices`` come from the session state the reply leaves, the state the next
    request is read against, so a tap can be checked against the screen it was made on.
    """

    layout: Layout
    title: str
    text: str = ""
    """A plain paragraph: a message, or what leads in to a question."""
    points: tuple[str, ...] = ()
    """Key points, shown as a list."""
    prompt: str = ""
    """The question the buttons answer."""
    progress: str = ""
    """Where the check is ("Question 3 of 15")."""
    source: str = ""
    reviewed: str = ""
    disclaimer: str = ""
    level: Level | None = None
    """An outcome's urgency; ``urgency`` says it in words, since colour alone is not enough."""
    urgency: str = ""
    token: str = ""
    choices: tuple[Choice, ...] = ()


# What a button sends back (a UserEvent's first argument; the second is a topic id for TOPIC,
# SHORT or LONG for DURATION), and the intent saying the button's words gives.
TAP_YES = "yes"
TAP_NO = "no"
TAP_UNSURE = "unsure"
TAP_CHECK = "check"
TAP_TOPIC = "topic"
TAP_DURATION = "duration"
SHORT = "short"
LONG = "long"
_TAP_ACTIONS = frozenset({TAP_YES, TAP_NO, TAP_UNSURE, TAP_CHECK, TAP_TOPIC, TAP_DURATION})
_MAX_TAP_CHARS = 64
# Screen tokens: outside the check with nothing offered, and after the session has ended.
MENU_TOKEN = "menu"
END_TOKEN = "end"


def button_pressed(arguments: object) -> tuple[str, str] | None:
    """A button's action and value from a UserEvent's arguments, or None if not a button's."""
    if not isinstance(arguments, list | tuple) or not 1 <= len(arguments) <= 2:
        return None
    if not all(isinstance(a, str) and len(a) <= _MAX_TAP_CHARS for a in arguments):
        return None
    action = arguments[0]
    value = arguments[1] if len(arguments) == 2 else ""
    return (action, value) if action in _TAP_ACTIONS else None


def long_date(date: dt.date) -> str:
    """25 November 2026: the form of date UK readers expect."""
    return f"{date.day} {date:%B %Y}"
