# The two commands: `make chat` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: chat test check install bench snapshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project metadata changes; pip's wheel cache keeps llama-cpp-python from recompiling.
$(STAMP): pyproject.toml | $(BIN)/python
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	$(BIN)/finagent chat

# the layer contract (import-linter), lint and types over the library, then the whole suite
check: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check core tools orchestrations prompts agent
	$(BIN)/mypy

test: check
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench fanout --json
	$(BIN)/python -m bench overhead --json
	$(BIN)/python -m bench llm_calls --json

snapshot: $(STAMP)
	$(BIN)/python scripts/build_snapshot.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
