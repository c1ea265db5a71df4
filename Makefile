# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bytecode model demo bench bench-all clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) bytecode

## The project's own bytecode, as pip writes it for every non-editable package: a process that may not write it
## (PYTHONDONTWRITEBYTECODE, a read-only checkout) would otherwise compile every module at each start (≈ 0.3 s of
## every `lapor-triage` command). Only changed modules are recompiled.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q pipeline service > /dev/null

## Migrate the embedded SQLite database, build the demo model if absent, seed demo complaints, serve
## the API and the operator console on http://127.0.0.1:8000 (a local admin key is printed on first start).
run: $(STAMP) bytecode
	$(BIN)/lapor-triage db upgrade
	$(BIN)/lapor-triage build-default
	$(BIN)/lapor-triage db seed-demo
	$(BIN)/lapor-triage serve

## Batch demo: triage the demo backlog file and print a summary.
demo: $(STAMP) bytecode
	$(BIN)/lapor-triage demo

model: $(STAMP) bytecode
	$(BIN)/lapor-triage build-default

## The whole test suite (real-data tests skip with a message when ../shared/data is absent).
test: $(STAMP) bytecode
	$(BIN)/python -m pytest

bench: $(STAMP) bytecode
	$(BIN)/python benchmarks/bench_routing.py

bench-all: bench
	$(BIN)/python benchmarks/bench_screening.py
	$(BIN)/python benchmarks/bench_dedup.py --n 100000
	$(BIN)/python benchmarks/bench_service.py --duration 20

clean:
	rm -rf demo-output test-artifacts models/default lapor.db lapor.db-wal lapor.db-shm
