"""The skill object that Lambda, the web endpoint and the local chat all share.

``handle_event`` is the one way in: it refuses requests that are not for this skill before
any handler runs, so every entry point applies the same rule.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request

from skill.conversation import Conversation
from skill.handlers import (
    ConversationHandler,
    ErrorHandler,
    ExceptionEncounteredHandler,
    LogInterceptor,
    TimingInterceptor,
)

log = logging.getLogger("skill")


class RefusedRequestError(Exception):
    """The event is not an Alexa request for this skill; nothing is said in reply."""


def create_skill(conversation: Conversation | None = None) -> CustomSkill:
    conversation = conversation or Conversation()
    builder = SkillBuilder()
    builder.add_request_handler(ExceptionEncounteredHandler())
    builder.add_request_handler(ConversationHandler(conversation))
    builder.add_exception_handler(ErrorHandler(conversation))
    builder.add_global_request_interceptor(TimingInterceptor())
    builder.add_global_response_interceptor(LogInterceptor())
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
    skill: CustomSkill, event: Any, context: Any = None, *, skill_id: str | None = None
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
        envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
    except Exception as exc:  # the SDK raises several types for malformed fields
        log.warning("event=refused reason=malformed_envelope type=%s", type(exc).__name__)
        raise RefusedRequestError("malformed Alexa request") from None
    response = skill.invoke(request_envelope=envelope, context=context)
    result = skill.serializer.serialize(response)
    if not isinstance(result, dict):  # the serializer's declared type is wider
        raise TypeError("the ASK SDK did not serialise a response envelope")
    return result
