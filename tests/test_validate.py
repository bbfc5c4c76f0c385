"""``backpain validate``: the project passes, and each broken rule is reported where it is."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skill.cli import main
from skill.validate import Finding, sync_model, validate_project

ROOT = Path(__file__).resolve().parent.parent
MODEL = "interaction_model/en-GB.json"
PACKAGED_MODEL = "skill-package/interactionModels/custom/en-GB.json"
MANIFEST = "skill-package/skill.json"

Json = dict[str, Any]


def test_the_project_as_committed_has_no_errors_or_warnings() -> None:
    assert validate_project(ROOT) == []


def test_backpain_validate_exits_zero_on_the_project() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("interaction_model", "skill-package"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _edit(project: Path, name: str, change: Callable[[Json], None], *, both: bool = True) -> None:
    """Change a JSON file; for the model, the packaged copy too (unless ``both`` is False)."""
    names = [name, PACKAGED_MODEL] if name == MODEL and both else [name]
    for each in names:
        path = project / each
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")


def _language(data: Json) -> Json:
    language: Json = data["interactionModel"]["languageModel"]
    return language


def _intent(data: Json, name: str) -> Json:
    return next(i for i in _language(data)["intents"] if i["name"] == name)


def _errors(project: Path) -> list[Finding]:
    return [f for f in validate_project(project) if f.severity == "error"]


def _one_error(project: Path, path_part: str, words: str) -> Finding:
    errors = _errors(project)
    matching = [f for f in errors if path_part in f.path and words in f.message]
    assert matching, "\n".join(map(str, errors)) or "no errors"
    return matching[0]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("back pain skill", "['skill']"),
        ("open back pain", "launch word"),
        ("Back Pain Helper", "lower case"),
        ("backpain", "two or more words"),
        ("back pain helper 2", "only letters"),
        ("alexa back pain", "['alexa']"),
    ],
)
def test_invocation_name_rules(project: Path, name: str, words: str) -> None:
    _edit(project, MODEL, lambda d: _language(d).update(invocationName=name))
    finding = _one_error(project, "invocationName", words)
    assert finding.file == MODEL


@pytest.mark.parametrize("built_in", ["AMAZON.HelpIntent", "AMAZON.NavigateHomeIntent"])
def test_a_required_built_in_intent_missing(project: Path, built_in: str) -> None:
    def drop(data: Json) -> None:
        language = _language(data)
        language["intents"] = [i for i in language["intents"] if i["name"] != built_in]

    _edit(project, MODEL, drop)
    _one_error(project, "intents", f"{built_in} is required")


def test_an_utterance_in_two_intents_after_normalising(project: Path) -> None:
    _edit(project, MODEL, lambda d: _intent(d, "WorkIntent")["samples"].append("Do I need a SCAN"))
    finding = _one_error(project, "samples", "is also in")
    assert "ScanIntent" in finding.message


def test_an_utterance_with_digits(project: Path) -> None:
    _edit(project, MODEL, lambda d: _intent(d, "WorkIntent")["samples"].append("can I work 2 days"))
    _one_error(project, "samples", "numbers must be words")


def test_an_utterance_with_special_characters(project: Path) -> None:
    _edit(project, MODEL, lambda d: _intent(d, "WorkIntent")["samples"].append("work & pain?"))
    _one_error(project, "samples", "only words")


def test_a_slot_used_but_not_declared(project: Path) -> None:
    _edit(project, MODEL, lambda d: _intent(d, "WorkIntent")["samples"].append("work on {day}"))
    _one_error(project, "samples", "slot {day} is not declared")


def test_a_slot_declared_but_never_used(project: Path) -> None:
    def unused_slot(data: Json) -> None:
        _intent(data, "WorkIntent")["slots"] = [{"name": "day", "type": "AMAZON.DATE"}]

    _edit(project, MODEL, unused_slot)
    _one_error(project, "slots", "slot day is never used")


def test_a_slot_of_an_undeclared_type(project: Path) -> None:
    def bad_type(data: Json) -> None:
        intent = _intent(data, "WorkIntent")
        intent["slots"] = [{"name": "day", "type": "WEEKDAY"}]
        intent["samples"].append("can I work on {day}")

    _edit(project, MODEL, bad_type)
    _one_error(project, "slots[0].type", "no slot type WEEKDAY")


def test_a_custom_slot_synonym_listed_twice(project: Path) -> None:
    def twice(data: Json) -> None:
        medicine = next(t for t in _language(data)["types"] if t["name"] == "MEDICINE")
        medicine["values"][1]["name"]["synonyms"].append("panadol")

    _edit(project, MODEL, twice)
    _one_error(project, "types", "'panadol' is already a value or synonym")


def test_too_few_sample_utterances(project: Path) -> None:
    _edit(project, MODEL, lambda d: _intent(d, "WorkIntent").update(samples=["should I work"]))
    _one_error(project, "samples", "at least 20")


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: _intent(d, "WorkIntent").update(samples="should I work"), "samples", "a list"),
        (lambda d: _intent(d, "WorkIntent").update(sample=["x"]), "sample", "unknown field"),
        (lambda d: _language(d).update(invocationName=7), "invocationName", "expected str"),
    ],
    ids=["samples-a-string", "misspelt-field", "name-a-number"],
)
def test_structure_errors_the_smapi_classes_would_accept_silently(
    project: Path, change: Callable[[Json], None], path: str, words: str
) -> None:
    _edit(project, MODEL, change)
    _one_error(project, path, words)


def test_an_intent_the_code_does_not_handle(project: Path) -> None:
    def extra(data: Json) -> None:
        samples = [f"tell me about my {w} knee" for w in "abcdefghijklmnopqrstuv"]
        _language(data)["intents"].append({"name": "KneeIntent", "samples": samples})

    _edit(project, MODEL, extra)
    _one_error(project, "intents", "KneeIntent is in the model but no code handles it")


def test_an_intent_the_code_handles_missing_from_the_model(project: Path) -> None:
    def drop(data: Json) -> None:
        language = _language(data)
        language["intents"] = [i for i in language["intents"] if i["name"] != "SourceIntent"]

    _edit(project, MODEL, drop)
    _one_error(project, "intents", "the code handles SourceIntent but the model lacks it")


def test_the_packaged_model_out_of_sync(project: Path) -> None:
    _edit(
        project,
        MODEL,
        lambda d: _intent(d, "WorkIntent")["samples"].append("may I work"),
        both=False,
    )
    finding = _one_error(project, "$", "backpain sync-model")
    assert finding.file == PACKAGED_MODEL


def test_near_collision_once_slot_values_are_filled_in_is_a_warning(project: Path) -> None:
    # "can I take {medicine}" with "ibuprofen" filled in becomes a Work sample's words.
    _edit(
        project, MODEL, lambda d: _intent(d, "WorkIntent")["samples"].append("can I take nurofen")
    )
    warnings = [f for f in validate_project(project) if f.severity == "warning"]
    assert any("PainReliefIntent or WorkIntent" in w.message for w in warnings)


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        ("Alexa, ask spine buddy do I need a scan", "does not use the invocation name"),
        ("Alexa, ask back pain helper what's the weather", "does not match any sample"),
        ("Open back pain helper", "must start"),
    ],
)
def test_example_phrases_must_name_the_skill_and_be_understood(
    project: Path, phrase: str, words: str
) -> None:
    def set_phrase(data: Json) -> None:
        data["manifest"]["publishingInformation"]["locales"]["en-GB"]["examplePhrases"][1] = phrase

    _edit(project, MANIFEST, set_phrase)
    finding = _one_error(project, "examplePhrases[1]", words)
    assert finding.file == MANIFEST


def test_the_description_must_carry_the_health_disclaimer(project: Path) -> None:
    def no_disclaimer(data: Json) -> None:
        data["manifest"]["publishingInformation"]["locales"]["en-GB"]["description"] = "Help."

    _edit(project, MANIFEST, no_disclaimer)
    _one_error(project, "description", "disclaimer")


def test_a_manifest_field_of_the_wrong_type(project: Path) -> None:
    def wrong(data: Json) -> None:
        data["manifest"]["privacyAndCompliance"]["usesPersonalInfo"] = "no"

    _edit(project, MANIFEST, wrong)
    _one_error(project, "usesPersonalInfo", "expected bool")


def test_the_cli_prints_one_line_per_finding_and_fails(project: Path) -> None:
    _edit(project, MODEL, lambda d: _language(d).update(invocationName="Back Pain Skill"))
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(lines) == len(_errors(project))
    assert all(re.match(r"^[\w./-]+\.json:\$\S*: error: ", line) for line in lines)
    assert any(
        line.startswith(f"{MODEL}:$.interactionModel.languageModel.invocationName: ")
        for line in lines
    )


def test_a_missing_manifest_is_an_error(project: Path) -> None:
    (project / MANIFEST).unlink()
    _one_error(project, "$", "file not found")


def test_validation_does_not_change_the_files(project: Path) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*.json")}
    validate_project(project)
    assert {p: p.read_bytes() for p in project.rglob("*.json")} == before


def test_sync_model_brings_the_packaged_copy_back_in_line(project: Path) -> None:
    _edit(
        project,
        MODEL,
        lambda d: _intent(d, "WorkIntent")["samples"].append("may I work"),
        both=False,
    )
    assert sync_model(project) == [project / PACKAGED_MODEL]
    assert validate_project(project) == []
    assert sync_model(project) == []
