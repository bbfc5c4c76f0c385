"""The realistic request mix: the envelopes an Echo Show sends in a few ordinary sessions.

Every envelope carries the full context an Echo Show 8 sends (System with application, user,
device, API endpoint and token, ``supportedInterfaces`` with APL, and ``Viewport``), and
sessions carry the attributes of the previous response exactly as Alexa does, so the skill
walks its real paths: the welcome, topic answers, a medicine answered from entity resolution,
a whole warning-sign check to its outcome, a red flag that ends the check at once, help, stop
and a session ended by the user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from skill import envelopes
from skill.conversation import (
    CHECK_SYMPTOMS,
    DURATION_ANSWER,
    HELP,
    NO,
    YES,
)
from skill.nlu import InteractionModel, SlotValue, model_path

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

STOP = "AMAZON.StopIntent"
USER_ID = "amzn1.ask.account.BENCHUSER" + "B" * 48
DEVICE_ID = "amzn1.ask.device.BENCHDEVICE" + "D" * 48
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "x" * 600 + ".signature"


def _sessions(questions: int) -> list[list[tuple[str, Any]]]:
    """Each session as a list of (intent or request type, slots)."""
    nurofen = SlotValue("nurofen", "nurofen", ("IBUPROFEN", "ibuprofen"), custom=True)
    two_weeks = SlotValue("two weeks", "P2W")
    return [
        # A whole check: every warning sign answered "no", then how long.
        [
            ("LaunchRequest", None),
            ("ScanIntent", {}),
            ("PainReliefIntent", {"medicine": nurofen}),
            (CHECK_SYMPTOMS, {}),
            *[(NO, {}) for _ in range(questions)],
            (DURATION_ANSWER, {"duration": two_weeks}),
        ],
        # Help, then stop.
        [("LaunchRequest", None), (HELP, {}), (STOP, {})],
        # A one-shot question ("ask back pain helper do I need a scan"), then the user leaves.
        [("ScanIntent", {}), ("SessionEndedRequest", None)],
        # A topic, its offer taken, then the check with a red flag at the first question:
        # 999 at once.
        [
            ("LaunchRequest", None),
            ("TreatmentIntent", {}),
            (YES, {}),
            (CHECK_SYMPTOMS, {}),
            (YES, {}),
        ],
    ]


def build(handler: Handler, questions: int) -> list[dict[str, Any]]:
    """The mix's envelopes, in order, with session attributes from ``handler``'s responses."""
    model = InteractionModel.load(model_path())
    events: list[dict[str, Any]] = []
    for steps in _sessions(questions):
        session = envelopes.Session(
            user_id=USER_ID, device_id=DEVICE_ID, interfaces=envelopes.APL_INTERFACE
        )
        for name, slots in steps:
            if name == "LaunchRequest":
                request = envelopes.launch_request()
            elif name == "SessionEndedRequest":
                request = envelopes.session_ended_request("USER_INITIATED")
            else:
                request = envelopes.intent_request(
                    name, slots, slot_types=model.intents.get(name, {})
                )
            event = session.envelope(request)
            event["context"]["System"]["apiAccessToken"] = ACCESS_TOKEN
            events.append(event)
            response: Mapping[str, Any] = handler(event, None)
            session.advance(response)
    return events
