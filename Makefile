# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast check fmt bench gates train-detector

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/mentorbot run --or-playground

test: $(VENV)/.installed-dev
	$(MAKE) check

# Everything but the tests marked slow (several real processes, soaks); `make check` runs all.
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -m "not slow"

check:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy --strict bot handlers storage playground
	# The slowest tests are listed at the end: the suite must stay well under 20 minutes.
	$(BIN)/pytest --durations=15

fmt:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild the ask detector's gate tables from its cue patterns (docs/detection.md, "The gates");
# commit bot/data/detection_gates.json. The detector refuses to load tables built for other cues.
gates: $(VENV)/.installed
	$(BIN)/python -m bot.detection_gate_build

# Retrain the ask detector on tests/data/corpus (docs/detection.md); commit the weights file.
train-detector: $(VENV)/.installed-dev gates
	$(BIN)/python -m bot.detection_train

# Benchmarks against a bare-Bolt floor: writes docs/benchmarks.md. `make bench BENCH_QUICK=1` takes a minute.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run $(if $(filter 1,$(BENCH_QUICK)),--quick)
