"""The baseline: a minimal hello-world skill in the idiomatic ask-sdk-core style.

Written the way Amazon's Python "hello world" template and the SDK's documentation write a
skill: one class per request type with ``is_request_type`` / ``is_intent_name`` predicates,
``handler_input.response_builder`` for the reply, a catch-all exception handler, and
``lambda_handler = sb.lambda_handler()``. It also has the template's intent reflector, so that
every intent in the benchmark's mix gets an ordinary answer rather than the exception path
(which would make the baseline slower and flatter the skill).

The benchmark deploys this file as ``lambda_function.py`` next to ``pip install ask-sdk-core``.
"""

from __future__ import annotations

import logging

import ask_sdk_core.utils as ask_utils
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import Response

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class LaunchRequestHandler(AbstractRequestHandler):
    """Handler for skill launch."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(ask_utils.is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class HelloWorldIntentHandler(AbstractRequestHandler):
    """Handler for the one custom intent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(ask_utils.is_intent_name("HelloWorldIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "Hello World!"
        return handler_input.response_builder.speak(speak_output).response


class HelpIntentHandler(AbstractRequestHandler):
    """Handler for the help intent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(ask_utils.is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "You can say hello to me! How can I help?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    """Single handler for the cancel and stop intents."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            ask_utils.is_intent_name("AMAZON.CancelIntent")(handler_input)
            or ask_utils.is_intent_name("AMAZON.StopIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "Goodbye!"
        return handler_input.response_builder.speak(speak_output).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Handler for the session end."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(ask_utils.is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        # Any cleanup logic goes here.
        return handler_input.response_builder.response


class IntentReflectorHandler(AbstractRequestHandler):
    """Repeats the name of any other intent (the template's debugging aid)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(ask_utils.is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        intent_name = str(ask_utils.get_intent_name(handler_input))
        speak_output = "You just triggered " + intent_name + "."
        return handler_input.response_builder.speak(speak_output).response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Catches every error, logs it and apologises."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        logger.error(exception, exc_info=True)
        speak_output = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


sb = SkillBuilder()

sb.add_request_handler(LaunchRequestHandler())
sb.add_request_handler(HelloWorldIntentHandler())
sb.add_request_handler(HelpIntentHandler())
sb.add_request_handler(CancelOrStopIntentHandler())
sb.add_request_handler(SessionEndedRequestHandler())
# Last, so that it does not override the handlers above.
sb.add_request_handler(IntentReflectorHandler())

sb.add_exception_handler(CatchAllExceptionHandler())

lambda_handler = sb.lambda_handler()
