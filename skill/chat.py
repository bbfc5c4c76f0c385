"""``backpain chat``: hold a conversation with the skill in a terminal, no Amazon account.

Typed text becomes the request Alexa would send: "open back pain helper" a LaunchRequest,
"ask back pain helper ..." a one-shot request in a new session, anything else an intent
resolved against the interaction model. The request goes through the same skill object as
Lambda, and the session carries on until the skill ends it.

With a screen (``backpain chat --screen``) the device is an Echo Show: the chat prints what
the screen shows, from the APL directive's data, and "tap yes" taps a button, sending the
APL UserEvent the device would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from skill import envelopes
from skill.alexa import LambdaSkill, create_lambda_skill, handle_event
from skill.handlers import DATASOURCE
from skill.nlu import FALLBACK, InteractionModel, normalise
from skill.speech import strip_ssml

QUIT = frozenset({"quit", "exit", ":q"})
TAP = "tap "
"""Typed before a button's label ("tap yes", "tap not sure") to tap it on the screen."""
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
# Words that join the invocation to a one-shot request: "ask back pain helper *if* ...".
_CONNECTORS = frozenset({"to", "about", "if", "whether", "for"})


@dataclass
class Exchange:
    """One request and the response to it, as the chat shows them."""

    request: dict[str, Any]
    response: dict[str, Any]
    note: str | None = None

    @property
    def speech(self) -> str:
        return _speech(self.response.get("response", {}).get("outputSpeech"))

    @property
    def reprompt(self) -> str:
        reprompt = self.response.get("response", {}).get("reprompt") or {}
        return _speech(reprompt.get("outputSpeech"))

    @property
    def card(self) -> dict[str, Any] | None:
        card = self.response.get("response", {}).get("card")
        return card if isinstance(card, dict) else None

    @property
    def ends_session(self) -> bool:
        return self.response.get("response", {}).get("shouldEndSession") is not False

    @property
    def screen(self) -> tuple[str, dict[str, Any]] | None:
        """The token and data of the APL document the response shows, if it shows one."""
        for directive in self.response.get("response", {}).get("directives") or []:
            if directive.get("type") == RENDER_DOCUMENT:
                return directive["token"], directive["datasources"][DATASOURCE]
        return None


def _speech(output: Any) -> str:
    if not isinstance(output, dict):
        return ""
    return strip_ssml(output.get("ssml") or output.get("text") or "")


@dataclass
class Chat:
    """A simulated device: one session at a time, driven by typed text."""

    model: InteractionModel
    # The very object Lambda builds (lambda_function.py), so what you try is what runs.
    skill: LambdaSkill = field(default_factory=create_lambda_skill)
    skill_id: str = envelopes.DEFAULT_SKILL_ID
    interfaces: dict[str, Any] = field(default_factory=dict)
    session: envelopes.Session | None = None
    last: Exchange | None = None
    _reprompted: bool = False

    def _invocation(self) -> re.Pattern[str]:
        name = re.escape(normalise(self.model.invocation_name))
        return re.compile(
            rf"^(?:alexa )?(?:(?P<open>open|launch|start|ask|tell|talk to) {name}"
            rf"|(?:ask|tell) {name} (?P<rest>.+))$"
        )

    def _new_session(self) -> envelopes.Session:
        self.session = envelopes.Session(skill_id=self.skill_id, interfaces=self.interfaces)
        return self.session

    def _send(self, session: envelopes.Session, request: dict[str, Any]) -> Exchange:
        self._reprompted = False
        event = session.envelope(request)
        response = handle_event(self.skill, event, None, skill_id=self.skill_id)
        if not session.advance(response):
            self.session = None
        self.last = Exchange(event, response)
        return self.last

    def _intent(self, text: str, *, one_shot: bool = False) -> dict[str, Any]:
        match = self.model.resolve(text)
        connector, _, rest = text.partition(" ")
        if one_shot and match.intent == FALLBACK and connector in _CONNECTORS and rest:
            # "ask back pain helper about paracetamol": Alexa drops the joining word.
            match = self.model.resolve(rest)
        return envelopes.intent_request(
            match.intent,
            match.slots,
            slot_types=self.model.intents.get(match.intent, {}),
            skill_id=self.skill_id,
        )

    def say(self, text: str) -> Exchange:
        """What Alexa answers when the person says ``text``."""
        found = self._invocation().match(normalise(text))
        if found is not None and found["open"]:
            return self._send(self._new_session(), envelopes.launch_request())
        if found is not None:
            return self._send(self._new_session(), self._intent(found["rest"], one_shot=True))
        if self.session is None:
            exchange = self._send(self._new_session(), self._intent(text))
            exchange.note = "no session was open, so this started one, like 'ask back pain helper'"
            return exchange
        return self._send(self.session, self._intent(text))

    def tap(self, label: str) -> Exchange | str:
        """Tap the button labelled ``label`` (or numbered, from 1) on the screen showing.

        Returns a note instead when there is no screen or no such button. A screen can outlive
        its session, as on a device: a tap on it then starts a new session.
        """
        screen = self.last.screen if self.last is not None else None
        if screen is None:
            return "nothing on the screen to tap (start the chat with --screen)"
        token, data = screen
        choices = data["choices"]
        wanted = normalise(label)
        found = [c for c in choices if normalise(c["label"]) == wanted]
        if not found and wanted.isdigit() and 0 < int(wanted) <= len(choices):
            found = [choices[int(wanted) - 1]]
        if not found:
            buttons = ", ".join(c["label"] for c in choices) or "none"
            return f"no button {label!r} on the screen (buttons: {buttons})"
        session = self.session or self._new_session()
        return self._send(
            session, envelopes.user_event(token, [found[0]["action"], found[0]["value"]])
        )

    def silence(self) -> str | Exchange | None:
        """The person says nothing: Alexa speaks the reprompt once, then ends the session."""
        if self.session is None:
            return None
        if not self._reprompted and self.last is not None and self.last.reprompt:
            self._reprompted = True
            return self.last.reprompt
        session, self.session = self.session, None
        return self._send(session, envelopes.session_ended_request("EXCEEDED_MAX_REPROMPTS"))

    def close(self) -> Exchange | None:
        """The person walks away mid-session: Alexa sends SessionEndedRequest."""
        if self.session is None:
            return None
        session, self.session = self.session, None
        return self._send(session, envelopes.session_ended_request("USER_INITIATED"))


def render_screen(data: dict[str, Any]) -> Iterator[str]:
    """What a screen shows, as text: title, points, question, buttons, then the small print."""
    pad = " " * 11
    title = data["title"]
    if data["layout"] == "outcome":
        title = f"{data['urgency']}: {title}"
        if data["level"] == "emergency":
            title = f"{title.upper()}  (the largest type)"
    elif data["progress"]:
        title = f"{title} · {data['progress']}"
    yield f"  [screen] {title}"
    if data["text"]:
        yield pad + data["text"]
    for point in data["points"]:
        yield f"{pad}* {point}"
    if data["prompt"]:
        yield pad + data["prompt"]
    if data["choices"]:
        yield pad + "buttons: " + "  ".join(f"[{c['label']}]" for c in data["choices"])
    for small in (data["source"], data["reviewed"], data["disclaimer"]):
        if small:
            yield pad + small


def render(exchange: Exchange, *, show_json: bool = False) -> Iterator[str]:
    """The lines the chat prints for one exchange."""
    if show_json:
        yield "request: " + json.dumps(exchange.request, indent=2)
        yield "response: " + json.dumps(exchange.response, indent=2)
    if exchange.note:
        yield f"  ({exchange.note})"
    if exchange.speech:
        yield f"Alexa: {exchange.speech}"
    card = exchange.card
    if card:
        yield f"  [card] {card.get('title', '')}"
        for line in str(card.get("content", "")).splitlines():
            yield f"         {line}" if line else ""
    screen = exchange.screen
    if screen is not None:
        yield from render_screen(screen[1])
    if exchange.ends_session:
        yield "  (session ended)"
    elif exchange.reprompt:
        yield f"  (if you say nothing: {exchange.reprompt})"
