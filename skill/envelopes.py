"""Alexa request envelopes, built the way Alexa sends them (for the chat, tests and tools).

The shapes follow Amazon's request JSON reference: a ``session`` (absent ``attributes`` on a
new session), a ``context.System`` with application, user, device and API endpoint, and a
``request`` with type, id, timestamp and locale. Slots carry entity resolution for custom
slot types, with ER_SUCCESS_MATCH or ER_SUCCESS_NO_MATCH, as Alexa does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skill.nlu import SlotValue

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
LOCALE = "en-GB"
API_ENDPOINT = "https://api.eu.amazonalexa.com"

APL_INTERFACE: Mapping[str, Any] = {
    "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}},
}
# What an Echo Show 8 reports about its screen; Alexa sends it with every request.
ECHO_SHOW_VIEWPORT: Mapping[str, Any] = {
    "experiences": [
        {"arcMinuteWidth": 346, "arcMinuteHeight": 216, "canRotate": False, "canResize": False}
    ],
    "mode": "HUB",
    "shape": "RECTANGLE",
    "pixelWidth": 1280,
    "pixelHeight": 800,
    "dpi": 160,
    "currentPixelWidth": 1280,
    "currentPixelHeight": 800,
    "touch": ["SINGLE"],
    "video": {"codecs": ["H_264_42", "H_264_41"]},
}


def _id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Session:
    """One Alexa session on one device: ids stay fixed, attributes follow the responses."""

    skill_id: str = DEFAULT_SKILL_ID
    user_id: str = field(default_factory=lambda: _id("amzn1.ask.account"))
    device_id: str = field(default_factory=lambda: _id("amzn1.ask.device"))
    session_id: str = field(default_factory=lambda: _id("amzn1.echo-api.session"))
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    interfaces: Mapping[str, Any] = field(default_factory=dict)

    def envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        session: dict[str, Any] = {
            "new": self.new,
            "sessionId": self.session_id,
            "application": application,
            "user": user,
        }
        if not self.new:
            session["attributes"] = self.attributes
        context: dict[str, Any] = {
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": self.device_id,
                    "supportedInterfaces": dict(self.interfaces),
                },
                "apiEndpoint": API_ENDPOINT,
                "apiAccessToken": "test-access-token",
            },
        }
        if "Alexa.Presentation.APL" in self.interfaces:
            context["Viewport"] = dict(ECHO_SHOW_VIEWPORT)
        return {
            "version": "1.0",
            "session": session,
            "context": context,
            "request": {
                "requestId": _id("amzn1.echo-api.request"),
                "timestamp": _now(),
                "locale": LOCALE,
                **request,
            },
        }

    def advance(self, response: Mapping[str, Any]) -> bool:
        """Carry a response's session attributes forward; False once the session has ended."""
        self.new = False
        attributes = response.get("sessionAttributes")
        self.attributes = dict(attributes) if isinstance(attributes, Mapping) else {}
        return response.get("response", {}).get("shouldEndSession") is False


def launch_request() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def slot_json(name: str, filled: SlotValue | None, slot_type: str, skill_id: str) -> dict[str, Any]:
    """One slot as Alexa sends it: empty, a built-in value, or a custom value with resolution."""
    slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if filled is None:
        return slot
    slot["value"] = filled.value
    slot["source"] = "USER"
    if filled.custom:
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if filled.resolved else "ER_SUCCESS_NO_MATCH"},
        }
        if filled.resolved:
            value_id, value_name = filled.resolved
            authority["values"] = [{"value": {"name": value_name, "id": value_id}}]
        slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return slot


def intent_request(
    name: str,
    slots: Mapping[str, SlotValue] | None = None,
    *,
    slot_types: Mapping[str, str] | None = None,
    skill_id: str = DEFAULT_SKILL_ID,
) -> dict[str, Any]:
    """An IntentRequest; every declared slot is present, filled or not, as Alexa sends them."""
    slots = slots or {}
    slot_types = dict(slot_types or {})
    for extra in slots:
        slot_types.setdefault(extra, "")
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slot_types:
        intent["slots"] = {
            slot: slot_json(slot, slots.get(slot), slot_type, skill_id)
            for slot, slot_type in slot_types.items()
        }
    return {"type": "IntentRequest", "intent": intent}


def session_ended_request(reason: str = "USER_INITIATED") -> dict[str, Any]:
    request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
    if reason == "ERROR":
        request["error"] = {"type": "INVALID_RESPONSE", "message": "test"}
    return request


def user_event(token: str, arguments: list[Any], source_id: str = "") -> dict[str, Any]:
    """A tap on an APL screen: the RenderDocument token it was on, and the button's arguments."""
    return {
        "type": "Alexa.Presentation.APL.UserEvent",
        "token": token,
        "arguments": list(arguments),
        "source": {"type": "TouchWrapper", "handler": "Press", "id": source_id},
        "components": {},
    }
