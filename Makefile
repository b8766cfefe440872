# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate seed-demo bench bench-smoke vendor clean-db mutation mutation-changed mutation-clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m civic run

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check civic tests bench
	$(VENV)/bin/lint-imports --no-cache

migrate: $(STAMP)
	$(PY) -m civic migrate

seed-demo: $(STAMP)
	$(PY) -m civic seed-demo

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Every bench at a tiny size, so none can rot: it checks that each runs, never how fast.
bench-smoke: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b --smoke"; $(PY) $$b --smoke || exit 1; done

vendor:
	scripts/vendor.sh

# Stops nothing that is running: use it only when no `make run` is up.
clean-db:
	rm -rf var/pg

# Mutation testing of civic/*/rules.py, validation.py, thai.py, keyset.py and the ideas' and handovers' cards.py against tests/unit: the score per
# file and every survivor. Incremental (mutmut keeps mutants/); FILES=civic/ideas/rules.py narrows it.
mutation: $(STAMP)
	$(PY) scripts/mutation.py run $(FILES)

# What CI runs: only the functions of those files that this change touched, goal 90 %.
mutation-changed: $(STAMP)
	$(PY) scripts/mutation.py gate

mutation-clean:
	rm -rf mutants
