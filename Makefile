# The two commands a newcomer needs: `make chat` and `make test`.
# Each creates .venv with the packages it needs on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint typecheck unit validate cfn-lint package bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,web]'
	@touch $@

## Talk to the skill in the terminal, no Amazon account needed.
chat: $(STAMP)
	$(BIN)/backpain chat

## Lint, type-check, check the skill's model, manifest and template, and run every test.
test: lint typecheck validate cfn-lint unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

validate: $(STAMP)
	$(BIN)/backpain validate

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

## The Lambda zip (dist/lambda.zip, and build/lambda for the ASK CLI).
package: $(STAMP)
	$(BIN)/backpain package

## The skill against an idiomatic ask-sdk-core hello world: cold, warm, memory, zip, web
## (about 30 seconds; see docs/performance.md). BENCH_ARGS="--python python3.12" for example.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
