# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres lint bench migrate translations extract-translations demo browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	@scripts/i18n.sh compile

extract-translations: $(VENV)/.installed
	scripts/i18n.sh extract

migrate: translations
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load

## make run: install, migrate the SQLite database in instance/, load demo data, start web + scheduler
run: migrate
	@PORT=$(PORT) scripts/run-dev.sh

## make test: install what tests need (Debian's chromium too), lint, run every test on SQLite and PostgreSQL
test: $(VENV)/.installed-test translations browser lint
	@scripts/run-tests.sh

browser:
	@scripts/install-browser.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
