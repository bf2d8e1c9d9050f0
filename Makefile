# Two commands do all set-up on a fresh machine (Python >= 3.11):
#   make demo   - the demo pipeline on the embedded emulator
#   make test   - lint, type-check and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest schemas clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ior demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy contracts services entrypoints

pytest: $(STAMP)
	$(BIN)/pytest -q

schemas: $(STAMP)
	$(BIN)/python -m contracts.schema_export

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
