"""How long someone has had their pain, from what Alexa heard.

AMAZON.DURATION slots arrive as ISO 8601 durations ("P2W", "P1M", "PT6H"); the
ROUGH_DURATION slot's value ids use the same form, so both take one path here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ISO = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)

# Days per unit, and the unit's name for speech. A month counts as 30 days, so "a month"
# reaches the four-week threshold, as a person would expect.
_UNITS: dict[str, tuple[float, str]] = {
    "Y": (365.0, "year"),
    "M": (30.0, "month"),
    "W": (7.0, "week"),
    "D": (1.0, "day"),
    "h": (1 / 24, "hour"),
    "m": (1 / 1440, "minute"),
    "s": (1 / 86400, "second"),
}


@dataclass(frozen=True)
class Duration:
    days: float
    words: str
    """How to say it back: "2 weeks", "1 year and 3 months"."""


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def parse_iso_duration(text: str | None) -> Duration | None:
    """A :class:`Duration`, or None when the text is not a usable ISO 8601 duration."""
    if not text:
        return None
    match = _ISO.match(text.strip())
    if match is None:
        return None
    days = 0.0
    parts: list[str] = []
    for key, (per_unit, name) in _UNITS.items():
        amount = match.group(key)
        if amount is None:
            continue
        value = float(amount)
        days += value * per_unit
        if value:
            parts.append(f"{_number(amount)} {name}{'' if value == 1 else 's'}")
    if not parts:
        return None
    words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return Duration(days=days, words=words)
