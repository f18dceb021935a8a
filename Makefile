# The two commands of the README: `make run` and `make test`. `make bench` for the benchmarks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
ISUPPORT := $(VENV)/bin/isupport
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench install install-test translations lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(PIP) install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP) translations

install-test: $(TEST_STAMP) translations

translations: $(STAMP)
	@set -e; for dir in app/translations app/*/translations; do \
		if [ -d "$$dir" ]; then $(VENV)/bin/pybabel -q compile --use-fuzzy -d "$$dir"; fi; \
	done

run: install
	$(ISUPPORT) init
	$(ISUPPORT) demo
	$(ISUPPORT) serve --host 127.0.0.1 --port 5000

test: install-test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) -m bench $(BENCH_ARGS)

lint: install-test
	$(VENV)/bin/ruff check app tests

clean:
	rm -rf $(VENV) instance index/_* .pytest_cache
