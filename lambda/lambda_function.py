"""AWS Lambda entry point: ``lambda_function.lambda_handler``.

Set the SKILL_ID environment variable to your skill's id ("amzn1.ask.skill...") so that
requests for any other skill are refused. The skill object is built once per container, so
warm requests pay nothing for start-up. It is the lean LambdaSkill: the same handlers and
answers as the SDK's CustomSkill, without the imports that Lambda would pay for at every cold
start (see skill/alexa.py and docs/performance.md).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from skill.alexa import create_lambda_skill, handle_event

_level = os.environ.get("LOG_LEVEL", "INFO").upper()
# A mistyped LOG_LEVEL must not stop the function from starting.
logging.getLogger("skill").setLevel(_level if _level in logging.getLevelNamesMapping() else "INFO")

SKILL_ID = os.environ.get("SKILL_ID") or None
_SKILL = create_lambda_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(_SKILL, event, context, skill_id=SKILL_ID)
