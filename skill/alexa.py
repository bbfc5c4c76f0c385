"""The skill object that Lambda, the web endpoint and the local chat all share.

``handle_event`` is the one way in: it refuses requests that are not for this skill before
any handler runs, so every entry point applies the same rule.

Two skill objects carry the same handlers. ``create_skill`` builds the SDK's ``CustomSkill``,
which flask-ask-sdk needs for the web endpoint. ``create_lambda_skill`` builds a
:class:`LambdaSkill`: the same dispatch on the ASK SDK's runtime, without the parts of
``CustomSkill`` this skill never uses (service API clients, persistence, templates). Importing
``ask_sdk_core.skill`` loads the models of every Alexa service API, about a third of a cold
start, so Lambda never imports it. Both answer every request identically
(tests/test_fast_path.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ask_sdk_core.__version__ import __version__ as ask_sdk_version
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import RESPONSE_FORMAT_VERSION, user_agent_info
from ask_sdk_core.view_resolvers import TemplateFactory
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.request import Request
from ask_sdk_runtime.dispatch import GenericRequestDispatcher
from ask_sdk_runtime.skill import AbstractSkill, RuntimeConfiguration
from ask_sdk_runtime.skill_builder import AbstractSkillBuilder
from ask_sdk_runtime.utils import UserAgentManager

from skill.conversation import Conversation
from skill.handlers import (
    ConversationHandler,
    ErrorHandler,
    ExceptionEncounteredHandler,
    LogInterceptor,
    TimingInterceptor,
)
from skill.serializer import FastSerializer, from_json_value, to_json_value

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

log = logging.getLogger("skill")


class RefusedRequestError(Exception):
    """The event is not an Alexa request for this skill; nothing is said in reply."""


class SkillObject(Protocol):
    """What handle_event needs of a skill: CustomSkill and LambdaSkill both have it."""

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope: ...


def register_handlers(builder: AbstractSkillBuilder, conversation: Conversation | None) -> None:
    """The skill's handlers and interceptors, on the SDK's builder or the lean one alike."""
    conversation = conversation or Conversation()
    builder.add_request_handler(ExceptionEncounteredHandler())
    builder.add_request_handler(ConversationHandler(conversation))
    builder.add_exception_handler(ErrorHandler(conversation))
    builder.add_global_request_interceptor(TimingInterceptor())
    builder.add_global_response_interceptor(LogInterceptor())


def create_skill(conversation: Conversation | None = None) -> CustomSkill:
    """The SDK's CustomSkill, for flask-ask-sdk; it reads requests with the fast serializer."""
    from ask_sdk_core.skill_builder import SkillBuilder

    builder = SkillBuilder()
    register_handlers(builder, conversation)
    skill = builder.create()
    skill.serializer = FastSerializer()  # type: ignore[assignment]
    return skill


class LambdaSkill(AbstractSkill[RequestEnvelope, ResponseEnvelope, Any]):
    """CustomSkill's dispatch, on the ASK SDK runtime, for a skill that calls no service API.

    ``invoke`` does what ``CustomSkill.invoke`` does when no API client, persistence adapter
    or skill id is configured (handle_event checks the skill id itself): the same
    HandlerInput, AttributesManager and dispatcher, and the same response envelope, user
    agent included. Handlers see the SDK's public API unchanged.
    """

    def __init__(self, configuration: RuntimeConfiguration) -> None:
        self.loaders = configuration.loaders
        self.renderer = configuration.renderer
        self.request_dispatcher = GenericRequestDispatcher(options=configuration)
        UserAgentManager.register_component(user_agent_info(sdk_version=ask_sdk_version))

    def supports(self, event: RequestEnvelope, context: Any) -> bool:
        return event.request is not None

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        attributes_manager = AttributesManager(request_envelope=request_envelope)
        handler_input = HandlerInput(
            request_envelope=request_envelope,
            attributes_manager=attributes_manager,
            context=context,
            service_client_factory=None,  # type: ignore[arg-type]  # as CustomSkill passes
            template_factory=TemplateFactory(
                template_loaders=self.loaders, template_renderer=self.renderer
            ),
        )
        response = self.request_dispatcher.dispatch(handler_input=handler_input)
        session_attributes = None
        if request_envelope.session is not None:
            session_attributes = handler_input.attributes_manager.session_attributes
        return ResponseEnvelope(
            response=response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=session_attributes,
            user_agent=UserAgentManager.get_user_agent(),
        )


class _LambdaSkillBuilder(AbstractSkillBuilder):
    def create(self) -> LambdaSkill:
        return LambdaSkill(self.runtime_configuration_builder.get_runtime_configuration())


def create_lambda_skill(conversation: Conversation | None = None) -> LambdaSkill:
    """The skill for Lambda: the same handlers as create_skill, without CustomSkill's imports."""
    builder = _LambdaSkillBuilder()
    register_handlers(builder, conversation)
    return builder.create()


def application_id(event: Mapping[str, Any]) -> str | None:
    """The skill id the request was sent for (context first, as Alexa documents)."""
    for path in (("context", "System", "application"), ("session", "application")):
        node: Any = event
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        value = node.get("applicationId") if isinstance(node, Mapping) else None
        if isinstance(value, str):
            return value
    return None


def _without_damaged_attributes(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Session attributes that are not an object are dropped; the conversation starts afresh.

    Alexa only ever returns what the skill wrote, so this is damage, not a request to refuse.
    """
    session = event.get("session")
    if not isinstance(session, Mapping) or isinstance(session.get("attributes"), dict | None):
        return event
    log.warning("event=attributes_discarded")
    return {**event, "session": {k: v for k, v in session.items() if k != "attributes"}}


def handle_event(
    skill: SkillObject, event: Any, context: Any = None, *, skill_id: str | None = None
) -> dict[str, Any]:
    """Answer one Alexa request envelope (a dict, as Lambda receives it) with a response dict.

    With ``skill_id`` set, a request for any other skill is refused. An event that is not an
    Alexa request at all is refused too: Alexa never sends one.
    """
    if not isinstance(event, Mapping) or not isinstance(event.get("request"), Mapping):
        log.warning("event=refused reason=not_an_alexa_request")
        raise RefusedRequestError("not an Alexa request")
    if not isinstance(event["request"].get("type"), str):
        log.warning("event=refused reason=no_request_type")
        raise RefusedRequestError("not an Alexa request")
    if skill_id and application_id(event) != skill_id:
        log.warning("event=refused reason=skill_id_mismatch")
        raise RefusedRequestError("request is for another skill")
    if event["request"]["type"] not in Request.discriminator_value_class_map:
        # A request type newer than the SDK: an empty response is valid for every type,
        # where speech is not (it is refused for SessionEnded and device events).
        log.warning("event=unknown_request_type")
        return {"version": "1.0", "response": {}}
    event = _without_damaged_attributes(event)
    try:
        # Straight from the dict: the SDK's Lambda wrapper dumps the event to JSON and parses
        # it again first, which gives the same objects (tests/test_fast_path.py).
        envelope = from_json_value(event, RequestEnvelope)
    except Exception as exc:  # the SDK raises several types for malformed fields
        log.warning("event=refused reason=malformed_envelope type=%s", type(exc).__name__)
        raise RefusedRequestError("malformed Alexa request") from None
    response = skill.invoke(envelope, context)
    result = to_json_value(response)
    if not isinstance(result, dict):  # the serializer's declared type is wider
        raise TypeError("the ASK SDK did not serialise a response envelope")
    return result
