# Fresh machine: `make demo` runs the main job, `make test` the whole suite.
# Both create .venv (Python 3.11) when it is missing.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

# Benchmark-only peers (statsforecast, neuralforecast) in their own environment.
BENCH := .venv-bench
BENCH_STAMP := $(BENCH)/.installed

.PHONY: setup demo test test-oldest interop lint docs bench bench-m3 clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP_INSTALL) -c constraints.txt torch==2.13.0
	$(PIP_INSTALL) -c constraints.txt -e ".[test,docs,plot,dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/sk-rnn evaluate --plot shampoo.png --json shampoo.json --overwrite

test: $(STAMP)
	SCIPY_ARRAY_API=1 $(BIN)/python -m pytest

# The whole suite in the oldest supported environment (constraints-oldest.txt).
$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST) || python3 -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-oldest.txt -e ".[test]"
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)
	SCIPY_ARRAY_API=1 $(OLDEST)/bin/python -m pytest -p no:cacheprovider

# sk_rnn inside skforecast, sktime, darts, MAPIE, Optuna, mlflow and skops:
# one nox session (its own pinned environment under .nox/) per peer.
interop: $(STAMP)
	$(BIN)/nox --no-reuse-existing-virtualenvs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(STAMP) bench-m3
	$(BIN)/python -m benchmarks.run

$(BENCH_STAMP): pyproject.toml constraints-bench.txt
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH) || python3 -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-bench.txt torch==2.13.0
	$(BENCH)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-bench.txt -e . statsforecast neuralforecast
	touch $(BENCH_STAMP)

# The M3 competition: sk_rnn's global network beside statsforecast and
# neuralforecast (about 30 minutes on 2 cores); writes benchmarks/results/m3.json.
bench-m3: $(BENCH_STAMP)
	$(BENCH)/bin/python -m benchmarks.m3

clean:
	rm -rf $(VENV) $(OLDEST) $(BENCH) .nox docs/_build docs/auto_examples docs/generated
