"""Shared fixtures: the Lambda entry point loaded as Lambda loads it, and the interaction model."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from skill import envelopes
from skill.nlu import InteractionModel, model_path

LAMBDA_FILE = Path(__file__).resolve().parent.parent / "lambda" / "lambda_function.py"


def _import_lambda() -> ModuleType:
    """A fresh import of lambda/lambda_function.py by path (``lambda`` is a keyword)."""
    spec = importlib.util.spec_from_file_location("lambda_function", LAMBDA_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def load_lambda() -> Callable[[], ModuleType]:
    """Import the Lambda module again, for a test that has changed the environment first."""
    return _import_lambda


@pytest.fixture
def lambda_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The Lambda module as deployed: SKILL_ID is set before import, as the module reads it then."""
    monkeypatch.setenv("SKILL_ID", envelopes.DEFAULT_SKILL_ID)
    return _import_lambda()


@pytest.fixture(scope="session")
def model() -> InteractionModel:
    return InteractionModel.load(model_path())
