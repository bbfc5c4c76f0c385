"""How long someone has had their pain, from the ISO 8601 durations Alexa sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.durations import parse_iso_duration

INTERACTION_MODEL = Path(__file__).parent.parent / "interaction_model" / "en-GB.json"


@pytest.mark.parametrize(
    "text, days, words",
    [
        ("P2W", 14, "2 weeks"),
        ("P1W", 7, "1 week"),
        ("P1D", 1, "1 day"),
        ("P1M", 30, "1 month"),
        ("P6M", 180, "6 months"),
        ("P1Y", 365, "1 year"),
        ("PT6H", 0.25, "6 hours"),
        ("PT1M", 1 / 1440, "1 minute"),
        ("P1Y2M3D", 365 + 60 + 3, "1 year, 2 months and 3 days"),
        ("P1M2W", 44, "1 month and 2 weeks"),
        ("P1.5W", 10.5, "1.5 weeks"),
        ("P2.0W", 14, "2 weeks"),
        ("P1DT12H", 1.5, "1 day and 12 hours"),
        ("P0DT6H", 0.25, "6 hours"),
        (" P2W ", 14, "2 weeks"),
    ],
)
def test_a_duration_is_understood_and_said_back_plainly(text: str, days: float, words: str) -> None:
    duration = parse_iso_duration(text)
    assert duration is not None
    assert duration.days == pytest.approx(days)
    assert duration.words == words


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("P", id="P"),
        pytest.param("PT", id="PT"),
        pytest.param("P0D", id="zero-days"),
        pytest.param("PT0H", id="zero-hours"),
        pytest.param("2 weeks", id="words"),
        pytest.param("P2X", id="unknown-unit"),
        pytest.param("2W", id="no-P"),
        pytest.param("P-2W", id="negative"),
        pytest.param("PW", id="unit-without-number"),
        pytest.param("P2WT", id="T-without-time"),
        pytest.param("P2W3Y", id="units-out-of-order"),
        pytest.param("P2W extra", id="trailing-text"),
    ],
)
def test_anything_else_is_not_a_duration(text: str | None) -> None:
    assert parse_iso_duration(text) is None


def _rough_duration_ids() -> list[str]:
    model = json.loads(INTERACTION_MODEL.read_text(encoding="utf-8"))
    for slot_type in model["interactionModel"]["languageModel"]["types"]:
        if slot_type["name"] == "ROUGH_DURATION":
            return [value["id"] for value in slot_type["values"]]
    raise AssertionError("no ROUGH_DURATION slot type")


@pytest.mark.parametrize("value_id", _rough_duration_ids())
def test_every_rough_duration_alexa_can_match_is_understood(value_id: str) -> None:
    duration = parse_iso_duration(value_id)
    assert duration is not None
    assert duration.days > 0
    assert ".0" not in duration.words
