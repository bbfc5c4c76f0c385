"""``backpain validate``: check the interaction model and skill manifest before Amazon does.

Structure and field types are checked against the ask-smapi-model classes, which describe
Amazon's schema; since deserialising with them silently accepts unknown fields and wrong
types (a string where a list belongs becomes a list of letters), the raw JSON is walked
beside the classes' declared types instead. Alexa's published rules for invocation names,
intents, slots and utterances come next, and last the cross-checks with the code: every
intent handled, every example phrase understood, the skill package's copy of the model
identical to ``interaction_model/``.
"""

from __future__ import annotations

import importlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import Any

from skill.conversation import HANDLED_INTENTS
from skill.nlu import FALLBACK, InteractionModel, normalise

MODEL_TYPE = (
    "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData"
)
MANIFEST_TYPE = "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope"

REQUIRED_BUILT_INS = (
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent",
)
# Not required by Amazon, but the conversation depends on them.
EXPECTED_BUILT_INS = (
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
)
LAUNCH_WORDS = frozenset(
    {"ask", "open", "launch", "load", "begin", "tell", "start", "enable", "play", "resume", "run"}
)
FORBIDDEN_INVOCATION_WORDS = frozenset({"alexa", "amazon", "echo", "skill", "app"})
MIN_SAMPLES = 20
MAX_UTTERANCE_CHARS = 200
MAX_EXAMPLE_PHRASES = 3
NAME = re.compile(r"^[A-Za-z_]+$")
_WORD = r"(?:[a-zA-Z']+|(?:[a-zA-Z]\.)+|\{[A-Za-z_]+\})"
"""A word, a spelled-out acronym ("m. r. i.") or a {slot}."""
UTTERANCE = re.compile(rf"^{_WORD}(?: {_WORD})*$")
SLOT = re.compile(r"\{([^}]*)\}")
EXAMPLE = re.compile(r"^Alexa, (?P<verb>open|ask|tell|launch|start|talk to) (?P<rest>.+)$")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    path: str
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.path}: {self.severity}: {self.message}"


# -- structure, from the ask-smapi-model classes ------------------------------------------


def _load_class(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _shape(raw: Any, type_name: str, path: str) -> Iterator[tuple[str, str]]:
    """(path, problem) for every place where ``raw`` does not fit ``type_name``."""
    if type_name == "object":
        return
    if type_name in ("str", "bool", "int", "float"):
        expected: dict[str, type | tuple[type, ...]] = {
            "str": str,
            "bool": bool,
            "int": int,
            "float": (int, float),
        }
        wrong_bool = type_name in ("int", "float") and isinstance(raw, bool)
        if not isinstance(raw, expected[type_name]) or wrong_bool:
            yield path, f"expected {type_name}, got {type(raw).__name__}"
        return
    if type_name.startswith("list["):
        if not isinstance(raw, list):
            yield path, f"expected a list, got {type(raw).__name__}"
            return
        for n, item in enumerate(raw):
            yield from _shape(item, type_name[5:-1], f"{path}[{n}]")
        return
    if type_name.startswith("dict("):
        if not isinstance(raw, dict):
            yield path, f"expected an object, got {type(raw).__name__}"
            return
        value_type = type_name[5:-1].split(", ", 1)[1]
        for key, value in raw.items():
            yield from _shape(value, value_type, f"{path}.{key}")
        return
    cls = _load_class(type_name)
    if isinstance(cls, type) and issubclass(cls, Enum):
        allowed = {member.value for member in cls}
        if raw not in allowed:
            yield path, f"{raw!r} is not one of {sorted(allowed)}"
        return
    if not isinstance(raw, dict):
        yield path, f"expected an object, got {type(raw).__name__}"
        return
    discriminator = getattr(cls, "json_discriminator_key", None)
    if discriminator and raw.get(discriminator) in getattr(
        cls, "discriminator_value_class_map", {}
    ):
        cls = _load_class(cls.discriminator_value_class_map[raw[discriminator]])
    fields = {json_key: name for name, json_key in cls.attribute_map.items()}
    for key, value in raw.items():
        if key not in fields:
            yield f"{path}.{key}", "unknown field"
            continue
        yield from _shape(value, cls.deserialized_types[fields[key]], f"{path}.{key}")


def check_structure(raw: Any, type_name: str, file: str) -> list[Finding]:
    return [Finding(file, path, "error", problem) for path, problem in _shape(raw, type_name, "$")]


# -- Alexa's rules for an interaction model -----------------------------------------------


def _language_model(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    language = raw.get("interactionModel", {}).get("languageModel", {})
    return language if isinstance(language, Mapping) else {}


def check_invocation_name(name: Any, file: str, path: str) -> list[Finding]:
    def error(message: str) -> Finding:
        return Finding(file, path, "error", message)

    if not isinstance(name, str) or not name:
        return [error("the invocation name is missing")]
    findings = []
    words = name.split(" ")
    if name != name.lower():
        findings.append(error("the invocation name must be lower case"))
    if len(words) < 2:
        findings.append(error("the invocation name needs two or more words"))
    if not re.fullmatch(r"[a-z' .]+", name.lower()) or "  " in name or name != name.strip():
        findings.append(error("the invocation name may hold only letters, spaces, ' and ."))
    if len(name) > 50:
        findings.append(error("the invocation name is longer than 50 characters"))
    launch = LAUNCH_WORDS.intersection(w.lower() for w in words)
    if launch:
        findings.append(error(f"the invocation name contains a launch word: {sorted(launch)}"))
    banned = FORBIDDEN_INVOCATION_WORDS.intersection(w.lower() for w in words)
    if banned:
        findings.append(error(f"the invocation name contains {sorted(banned)}"))
    return findings


def _fill_values(model: InteractionModel, slot_type: str) -> list[str]:
    """A few values to put in a slot of ``slot_type`` when looking for near-collisions."""
    if slot_type == "AMAZON.DURATION":
        return ["two weeks", "a month"]
    return [phrase for phrase in islice(model.slot_values.get(slot_type, {}), 40)]


def check_model_rules(raw: Mapping[str, Any], file: str) -> list[Finding]:
    findings: list[Finding] = []
    language = _language_model(raw)
    base = "$.interactionModel.languageModel"
    findings += check_invocation_name(
        language.get("invocationName"), file, f"{base}.invocationName"
    )

    intents = [i for i in language.get("intents", []) if isinstance(i, Mapping)]
    types = [t for t in language.get("types", []) if isinstance(t, Mapping)]
    names = [i.get("name") for i in intents]
    declared_types = {t.get("name") for t in types}
    for built_in in REQUIRED_BUILT_INS:
        if built_in not in names:
            findings.append(Finding(file, f"{base}.intents", "error", f"{built_in} is required"))
    for built_in in EXPECTED_BUILT_INS:
        if built_in not in names:
            findings.append(
                Finding(file, f"{base}.intents", "error", f"{built_in} is needed by the skill")
            )

    seen_names: set[str] = set()
    owner: dict[str, tuple[str, str]] = {}
    for n, intent in enumerate(intents):
        where = f"{base}.intents[{n}]"
        name = str(intent.get("name", ""))
        if name in seen_names:
            findings.append(Finding(file, f"{where}.name", "error", f"{name} is declared twice"))
        seen_names.add(name)
        is_built_in = name.startswith("AMAZON.")
        if not is_built_in and not NAME.match(name):
            findings.append(
                Finding(file, f"{where}.name", "error", "intent names take letters and _ only")
            )
        slots = {}
        for s, slot in enumerate(intent.get("slots", []) or []):
            slot_name, slot_type = slot.get("name", ""), slot.get("type", "")
            if not NAME.match(str(slot_name)):
                findings.append(
                    Finding(
                        file, f"{where}.slots[{s}].name", "error", "slot names take letters and _"
                    )
                )
            if slot_name in slots:
                findings.append(
                    Finding(file, f"{where}.slots[{s}]", "error", f"slot {slot_name} twice")
                )
            if not str(slot_type).startswith("AMAZON.") and slot_type not in declared_types:
                findings.append(
                    Finding(file, f"{where}.slots[{s}].type", "error", f"no slot type {slot_type}")
                )
            slots[slot_name] = slot_type
        samples = [s for s in intent.get("samples", []) or [] if isinstance(s, str)]
        if not is_built_in and len(samples) < MIN_SAMPLES:
            findings.append(
                Finding(
                    file,
                    f"{where}.samples",
                    "error",
                    f"{name} has {len(samples)} sample utterances; at least {MIN_SAMPLES}",
                )
            )
        used: set[str] = set()
        for s, sample in enumerate(samples):
            at = f"{where}.samples[{s}]"
            if len(sample) > MAX_UTTERANCE_CHARS:
                findings.append(Finding(file, at, "error", "longer than 200 characters"))
            if re.search(r"\d", sample):
                findings.append(Finding(file, at, "error", "numbers must be words, not digits"))
            elif not UTTERANCE.match(sample):
                findings.append(
                    Finding(file, at, "error", f"{sample!r}: only words, ' and {{slots}}")
                )
            for slot in SLOT.findall(sample):
                used.add(slot)
                if slot not in slots:
                    findings.append(Finding(file, at, "error", f"slot {{{slot}}} is not declared"))
            key = normalise(SLOT.sub(lambda m: "{" + m.group(1).lower() + "}", sample))
            if key in owner:
                other, other_at = owner[key]
                detail = f"also in {other} at {other_at}" if other != name else "a duplicate"
                findings.append(Finding(file, at, "error", f"{sample!r} is {detail}"))
            else:
                owner[key] = (name, at)
        for slot in sorted(set(slots) - used):
            findings.append(
                Finding(file, f"{where}.slots", "error", f"slot {slot} is never used in a sample")
            )

    for t, slot_type in enumerate(types):
        where = f"{base}.types[{t}]"
        if not NAME.match(str(slot_type.get("name", ""))):
            findings.append(
                Finding(file, f"{where}.name", "error", "type names take letters and _")
            )
        ids: set[str] = set()
        phrases: dict[str, int] = {}
        for v, value in enumerate(slot_type.get("values", []) or []):
            value_id = value.get("id")
            if value_id is not None:
                if value_id in ids:
                    findings.append(
                        Finding(file, f"{where}.values[{v}].id", "error", f"id {value_id} twice")
                    )
                ids.add(value_id)
            value_name = value.get("name", {}) or {}
            for phrase in [value_name.get("value", ""), *(value_name.get("synonyms", []) or [])]:
                key = normalise(str(phrase))
                if key in phrases:
                    findings.append(
                        Finding(
                            file,
                            f"{where}.values[{v}]",
                            "error",
                            f"{phrase!r} is already a value or synonym (values[{phrases[key]}])",
                        )
                    )
                phrases.setdefault(key, v)
    return findings


def near_collisions(raw: Mapping[str, Any], file: str) -> list[Finding]:
    """Samples of different intents that become the same words once slots are filled in."""
    model = InteractionModel(raw)
    plain: dict[str, set[str]] = defaultdict(set)
    filled: dict[str, set[str]] = defaultdict(set)
    for intent, samples in model.samples.items():
        for sample in samples:
            plain[normalise(sample)].add(intent)
            for text in _fill(model, intent, sample):
                filled[text].add(intent)
    findings = []
    # Exact duplicates are errors found elsewhere; these only exist once slots are filled.
    for text, intents in sorted(filled.items()):
        intents = intents | plain.get(text, set())
        if len(intents) > 1:
            findings.append(
                Finding(
                    file,
                    "$.interactionModel.languageModel.intents",
                    "warning",
                    f"{text!r} could be heard as {' or '.join(sorted(intents))}",
                )
            )
    return findings


def _fill(model: InteractionModel, intent: str, sample: str) -> Iterable[str]:
    slots = SLOT.findall(sample)
    if not slots:
        return []
    texts = [sample]
    for slot in slots:
        values = _fill_values(model, model.intents.get(intent, {}).get(slot, ""))
        texts = [t.replace("{" + slot + "}", v, 1) for t in texts for v in values]
    return [normalise(t) for t in texts]


# -- cross-checks with the code and the manifest ------------------------------------------


def check_handled(raw: Mapping[str, Any], file: str) -> list[Finding]:
    names = {i.get("name") for i in _language_model(raw).get("intents", [])}
    path = "$.interactionModel.languageModel.intents"
    findings = [
        Finding(file, path, "error", f"{name} is in the model but no code handles it")
        for name in sorted(str(n) for n in names - HANDLED_INTENTS)
    ]
    findings += [
        Finding(file, path, "error", f"the code handles {name} but the model lacks it")
        for name in sorted(HANDLED_INTENTS - names)
    ]
    return findings


def check_manifest(
    manifest: Mapping[str, Any], models: Mapping[str, InteractionModel], file: str
) -> list[Finding]:
    findings = []
    information = manifest.get("manifest", {}).get("publishingInformation", {})
    locales = information.get("locales", {}) if isinstance(information, Mapping) else {}
    base = "$.manifest.publishingInformation.locales"
    for locale in models:
        if locale not in locales:
            findings.append(Finding(file, base, "error", f"no publishing information for {locale}"))
    for locale, details in locales.items():
        where = f"{base}.{locale}"
        description = str(details.get("description", ""))
        if "not a substitute" not in description.lower() or "999" not in description:
            findings.append(
                Finding(
                    file,
                    f"{where}.description",
                    "error",
                    "a health skill's description needs the disclaimer (not a substitute for "
                    "a doctor's advice; in an emergency phone 999)",
                )
            )
        phrases = details.get("examplePhrases", []) or []
        if not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            findings.append(
                Finding(file, f"{where}.examplePhrases", "error", "give one to three phrases")
            )
        model = models.get(locale)
        for p, phrase in enumerate(phrases):
            at = f"{where}.examplePhrases[{p}]"
            problem = _example_problem(str(phrase), model) if model else None
            if problem:
                findings.append(Finding(file, at, "error", problem))
    return findings


def _example_problem(phrase: str, model: InteractionModel) -> str | None:
    found = EXAMPLE.match(phrase)
    if found is None:
        return f"{phrase!r} must start 'Alexa, open' / 'Alexa, ask' and name the skill"
    rest = normalise(found["rest"])
    name = normalise(model.invocation_name)
    if rest == name and found["verb"] in ("open", "launch", "start", "talk to", "ask"):
        return None
    if not rest.startswith(name + " "):
        return f"{phrase!r} does not use the invocation name {model.invocation_name!r}"
    request = rest[len(name) + 1 :]
    if model.resolve(request).intent != FALLBACK:
        return None
    _, _, without_joining_word = request.partition(" ")
    if without_joining_word and model.resolve(without_joining_word).intent != FALLBACK:
        return None
    return f"{phrase!r} does not match any sample utterance"


# -- the whole project -----------------------------------------------------------------------


def _read_json(path: Path, root: Path) -> tuple[Any, list[Finding]]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Finding(str(path.relative_to(root)), "$", "error", "file not found")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Finding(str(path.relative_to(root)), "$", "error", f"not JSON: {exc}")]


def validate_project(root: Path) -> list[Finding]:
    """Every finding for the models under interaction_model/ and skill-package/."""
    findings: list[Finding] = []
    models: dict[str, InteractionModel] = {}
    model_files = sorted((root / "interaction_model").glob("*.json"))
    if not model_files:
        findings.append(Finding("interaction_model", "$", "error", "no interaction model"))
    for path in model_files:
        file = str(path.relative_to(root))
        raw, problems = _read_json(path, root)
        findings += problems
        if raw is None:
            continue
        structure = check_structure(raw, MODEL_TYPE, file)
        findings += structure
        if structure:
            continue  # the rules below assume the structure is right
        findings += check_model_rules(raw, file)
        findings += check_handled(raw, file)
        findings += near_collisions(raw, file)
        models[path.stem] = InteractionModel(raw)

        packaged = root / "skill-package" / "interactionModels" / "custom" / path.name
        copy, problems = _read_json(packaged, root)
        findings += problems
        if copy is not None and copy != raw:
            findings.append(
                Finding(
                    str(packaged.relative_to(root)),
                    "$",
                    "error",
                    f"differs from {file}: run 'backpain sync-model'",
                )
            )

    manifest_path = root / "skill-package" / "skill.json"
    manifest, problems = _read_json(manifest_path, root)
    findings += problems
    if manifest is not None:
        file = str(manifest_path.relative_to(root))
        structure = check_structure(manifest, MANIFEST_TYPE, file)
        findings += structure
        if not structure:
            findings += check_manifest(manifest, models, file)
    return sorted(set(findings))


def sync_model(root: Path) -> list[Path]:
    """Copy interaction_model/*.json into skill-package/ (the ASK CLI's layout)."""
    written = []
    target = root / "skill-package" / "interactionModels" / "custom"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((root / "interaction_model").glob("*.json")):
        destination = target / path.name
        content = path.read_bytes()
        if not destination.exists() or destination.read_bytes() != content:
            destination.write_bytes(content)
            written.append(destination)
    return written
