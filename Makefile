# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install model demo bench bench-all clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Migrate the embedded SQLite database, build the demo model if absent, seed demo complaints, serve
## the API and the operator console on http://127.0.0.1:8000 (a local admin key is printed on first start).
run: $(STAMP)
	$(BIN)/lapor-triage db upgrade
	$(BIN)/lapor-triage build-default
	$(BIN)/lapor-triage db seed-demo
	$(BIN)/lapor-triage serve

## Batch demo: triage the demo backlog file and print a summary.
demo: $(STAMP)
	$(BIN)/lapor-triage demo

model: $(STAMP)
	$(BIN)/lapor-triage build-default

## The whole test suite (real-data tests skip with a message when ../shared/data is absent).
test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_routing.py

bench-all: bench
	$(BIN)/python benchmarks/bench_screening.py
	$(BIN)/python benchmarks/bench_dedup.py --n 100000
	$(BIN)/python benchmarks/bench_service.py --duration 20

clean:
	rm -rf demo-output test-artifacts models/default lapor.db lapor.db-wal lapor.db-shm
