# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install model bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Build the demo tenant's model if absent, then triage the demo backlog and print a summary.
run: $(STAMP)
	$(BIN)/lapor-triage demo

model: $(STAMP)
	$(BIN)/lapor-triage build-default

## The whole test suite (real-data tests skip with a message when ../shared/data is absent).
test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_routing.py

clean:
	rm -rf demo-output test-artifacts models/default
