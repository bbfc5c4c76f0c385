"""AWS Lambda entry point: ``lambda_function.lambda_handler``.

Set the SKILL_ID environment variable to your skill's id ("amzn1.ask.skill...") so that
requests for any other skill are refused. The skill object is built once per container, so
warm requests pay nothing for start-up.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from skill.alexa import create_skill, handle_event

logging.getLogger("skill").setLevel(os.environ.get("LOG_LEVEL", "INFO"))

SKILL_ID = os.environ.get("SKILL_ID") or None
_SKILL = create_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(_SKILL, event, context, skill_id=SKILL_ID)
