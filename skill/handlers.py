"""ASK SDK handlers: translate Alexa requests into conversation turns and back.

Nothing here decides what to say; :mod:`skill.conversation` does. These classes only read
the request envelope, call the conversation and fill the response builder, so the whole
conversation can be tested and reviewed without the SDK.

Screens: a device whose request lists ``Alexa.Presentation.APL`` among its supported
interfaces also gets an APL RenderDocument directive (a document from skill/content/apl/,
with the reply's :class:`~skill.conversation.Screen` as its data), and its taps come back as
APL UserEvents, which the conversation turns into the turns speech would give. Any other
device gets exactly the response it always got: no directive, and no APL class is imported.
"""

from __future__ import annotations

import json
import logging
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.slu.entityresolution import StatusCode
from ask_sdk_model.ui import SimpleCard

from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    EMERGENCY,
    HANDLED_INTENTS,
    NO,
    SOMEWHAT,
    UNSURE,
    YES,
    Conversation,
    Reply,
    RequestKind,
    Slot,
    Turn,
)
from skill.screens import Screen
from skill.serializer import Prebuilt
from skill.speech import to_ssml

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

log = logging.getLogger("skill")

_KINDS = {
    "LaunchRequest": RequestKind.LAUNCH,
    "IntentRequest": RequestKind.INTENT,
    "SessionEndedRequest": RequestKind.SESSION_ENDED,
}
# Intents that carry a person's answer in the check: logged only as "answer".
_ANSWER_INTENTS = frozenset({YES, NO, UNSURE, SOMEWHAT, DURATION_ANSWER, EMERGENCY, CHECK_SYMPTOMS})
# Any other name is logged as "other": a name from outside the interaction model is text from
# the request, which could forge a field or a line in the log.
_LOGGED_INTENTS = HANDLED_INTENTS - _ANSWER_INTENTS
# Requests whose response may not carry speech.
_SILENT_REQUESTS = frozenset({"SessionEndedRequest", "System.ExceptionEncountered"})
_STARTED = "started"
_OUTCOME = "outcome"
USER_EVENT = "Alexa.Presentation.APL.UserEvent"
DATASOURCE = "payload"
"""The name the APL documents give their data (``mainTemplate.parameters``)."""
_BUTTONS_AT_THE_FOOT = 3
"""Up to this many buttons (Yes, No, Not sure) stay in view below the text."""


def _slot(raw: Any) -> Slot:
    """What Alexa heard, and the slot value it matched if entity resolution succeeded."""
    resolved_id = resolved_name = None
    resolutions = getattr(raw, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        values = getattr(authority, "values", None) or []
        if status == StatusCode.ER_SUCCESS_MATCH and values:
            value = getattr(values[0], "value", None)
            resolved_id = getattr(value, "id", None)
            resolved_name = getattr(value, "name", None)
            break
    spoken = getattr(raw, "value", None)
    return Slot(
        spoken if isinstance(spoken, str) else None,
        resolved_id if isinstance(resolved_id, str) else None,
        resolved_name if isinstance(resolved_name, str) else None,
    )


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device says it can show APL: only then is a screen sent, or a tap read."""
    context = handler_input.request_envelope.context
    device = getattr(getattr(context, "system", None), "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def turn_from(handler_input: HandlerInput, conversation: Conversation | None = None) -> Turn:
    """The conversation's view of a request: what was asked, in which session state.

    With ``conversation``, a tap on a screen (an APL UserEvent from a device that shows APL)
    becomes the turn saying the button's words would give.
    """
    envelope = handler_input.request_envelope
    request = envelope.request
    request_type = str(get_request_type(handler_input))
    if conversation is not None and request_type == USER_EVENT and supports_apl(handler_input):
        attributes = envelope.session.attributes if envelope.session is not None else None
        return conversation.touch(
            getattr(request, "token", None),
            getattr(request, "arguments", None),
            attributes if isinstance(attributes, dict) else None,
            new_session=envelope.session is not None and envelope.session.new is True,
        )
    kind = _KINDS.get(request_type, RequestKind.OTHER)
    intent_name = None
    slots: dict[str, Slot] = {}
    if isinstance(request, IntentRequest) and request.intent is not None:
        intent_name = request.intent.name
        for name, raw in (request.intent.slots or {}).items():
            slot = _slot(raw)
            if slot.spoken or slot.resolved_id:
                slots[name] = slot
    attributes = envelope.session.attributes if envelope.session is not None else None
    new_session = envelope.session is not None and envelope.session.new is True
    return Turn(
        kind,
        intent_name,
        slots,
        attributes if isinstance(attributes, dict) else None,
        new_session=new_session and kind is RequestKind.INTENT,
        screen=supports_apl(handler_input),
    )


def build_response(handler_input: HandlerInput, reply: Reply) -> Response:
    builder = handler_input.response_builder
    if reply.speech:
        builder.speak(to_ssml(reply.speech))
    if reply.reprompt:
        builder.ask(to_ssml((reply.reprompt,)))
    if reply.card is not None:
        builder.set_card(SimpleCard(title=reply.card.title, content=reply.card.text))
    if reply.end_session is not None:
        builder.set_should_end_session(reply.end_session)
    if reply.screen is not None and supports_apl(handler_input):
        builder.add_directive(render_directive(reply.screen))
    if handler_input.request_envelope.session is not None:
        handler_input.attributes_manager.session_attributes = dict(reply.attributes)
    handler_input.attributes_manager.request_attributes[_OUTCOME] = reply.outcome
    return builder.response


# Plain files, not importlib.resources, whose import costs every cold start (see content_model).
_APL_DIR = Path(__file__).parent / "content" / "apl"


@cache
def apl_document(layout: str) -> Prebuilt:
    """An APL document from skill/content/apl/, read once per process and sent as it is."""
    return Prebuilt(json.loads((_APL_DIR / f"{layout}.json").read_text(encoding="utf-8")))


def datasources(screen: Screen) -> dict[str, Any]:
    """A screen as the APL documents' data: every field a document binds, always present."""
    return {
        DATASOURCE: {
            "layout": screen.layout.value,
            "title": screen.title,
            "text": screen.text,
            "points": list(screen.points),
            "prompt": screen.prompt,
            "progress": screen.progress,
            "source": screen.source,
            "reviewed": screen.reviewed,
            "disclaimer": screen.disclaimer,
            "level": screen.level.value if screen.level is not None else "",
            "urgency": screen.urgency,
            "choices": [
                {"label": c.label, "action": c.action, "value": c.value} for c in screen.choices
            ],
            # A long list of buttons scrolls with the text; a few stay at the foot of the screen.
            "buttonsScroll": len(screen.choices) > _BUTTONS_AT_THE_FOOT,
        }
    }


def render_directive(screen: Screen) -> RenderDocumentDirective:
    """The RenderDocument directive for a screen; its token comes back with every tap.

    The APL model classes are imported here, for a device with a screen, never at start-up:
    they are a cold-start cost that a device without one should not pay.
    """
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(
        token=screen.token,
        document=apl_document(screen.layout.value),
        datasources=datasources(screen),
    )


class ConversationHandler(AbstractRequestHandler):
    """Every request the conversation understands (launch, intents, session end, others)."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) != "System.ExceptionEncountered"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_from(handler_input, self.conversation)
        return build_response(handler_input, self.conversation.respond(turn))


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa reporting that our last response failed: it accepts no speech in reply."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == "System.ExceptionEncountered"

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("event=alexa_reported_error")
        return handler_input.response_builder.response


class ErrorHandler(AbstractExceptionHandler):
    """The last line: an apology that still tells the person when to get help."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The type only: an exception's text can quote the request.
        log.error("event=error type=%s", type(exception).__name__)
        if get_request_type(handler_input) in _SILENT_REQUESTS:
            response = handler_input.response_builder.response
        else:
            response = build_response(handler_input, self.conversation.error_reply())
        # The response interceptors do not run after an exception: log the request line here,
        # so that every request still has exactly one.
        log_request(handler_input)
        return response


class TimingInterceptor(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_STARTED] = time.perf_counter()


def log_request(handler_input: HandlerInput) -> None:
    """One key=value line: request type, intent, outcome level and time taken, nothing else.

    No user id, device id, session attributes or answers: an answer intent is logged only as
    "answer", and the outcome only as its level.
    """
    attributes = handler_input.attributes_manager.request_attributes
    started = attributes.get(_STARTED)
    elapsed = (time.perf_counter() - started) * 1000 if isinstance(started, float) else -1.0
    request = handler_input.request_envelope.request
    intent = "-"
    if isinstance(request, IntentRequest) and request.intent is not None:
        name = request.intent.name
        if name in _ANSWER_INTENTS:
            intent = "answer"
        elif name in _LOGGED_INTENTS:
            intent = str(name)
        else:
            intent = "other"
    outcome = attributes.get(_OUTCOME)
    log.info(
        "event=request type=%s intent=%s outcome=%s ms=%.1f",
        get_request_type(handler_input),
        intent,
        outcome or "-",
        elapsed,
    )


class LogInterceptor(AbstractResponseInterceptor):
    """One line per request with no user id, device id, session attributes or answers."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        log_request(handler_input)
