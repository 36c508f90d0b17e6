# Plaza: `make run` to try it, `make test` to check it. `make help` lists everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANGS := es ca sv ko id ar
PLAZA_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PLAZA_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist); each gets its own SQLite files, PostgreSQL database and Redis database.
TEST_WORKERS ?= 2
export FLASK_APP := plaza.app:create_app

.PHONY: help run install install-test test test-services lint translations bench bench-smoke page-weight screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[prod]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,prod]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,prod,bench]'
	touch $@

install: $(VENV)/.installed ## create .venv and install Plaza

install-test: $(VENV)/.installed-test ## install Plaza with its test tools

run: install ## migrate, seed demo data, start Redis, a worker and the web server on 127.0.0.1:$PORT (5000)
	@scripts/run-dev

test: install-test ## run the whole suite on SQLite and an embedded Redis
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS)

test-services: install-test ## run the whole suite on PLAZA_TEST_DATABASE_URL and PLAZA_TEST_REDIS_URL
	PLAZA_TEST_DATABASE_URL='$(PLAZA_TEST_DATABASE_URL)' PLAZA_TEST_REDIS_URL='$(PLAZA_TEST_REDIS_URL)' \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	PLAZA_TEST_DATABASE_URL='$(PLAZA_TEST_DATABASE_URL)' PLAZA_TEST_REDIS_URL='$(PLAZA_TEST_REDIS_URL)' \
		$(BIN)/python -m pytest -m serial $(PYTEST_ARGS)

lint: install-test ## ruff, and the import contracts of .importlinter (layers, pure counting code)
	$(BIN)/ruff check .
	PYTHONPATH=platform $(BIN)/lint-imports --no-cache

translations: install ## extract messages, update every catalog, compile them
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output \
		--project Plaza --copyright-holder "Plaza contributors" .
	@for lang in $(LANGS); do \
		if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i translations/messages.pot -d translations -l $$lang --no-fuzzy-matching; \
		else \
			$(BIN)/pybabel init -i translations/messages.pot -d translations -l $$lang; \
		fi; \
	done
	$(BIN)/pybabel compile -d translations --statistics

bench: $(VENV)/.installed-bench ## benchmarks (long: about 10 minutes); see bench/README.md
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

bench-smoke: $(VENV)/.installed-bench ## a short run of every benchmark, as CI does
	@for b in bench/*.py; do echo "== $$b --quick"; $(BIN)/python $$b --quick || exit 1; done

page-weight: install ## bytes each page type costs, raw, gzip and br; fails when a page passes 60 KB compressed
	$(BIN)/python bench/page_weight.py

screenshots: install-test ## 360 px screenshots of home, consultation, ballot, check and result (en, ar) in docs/screenshots/
	$(BIN)/python scripts/screenshots.py

clean: ## remove the virtualenv and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache
