# Dealer CR — the two quick-start commands, `make run` and `make test`, work on a bare machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3.11
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench lint format vendor messages services chromium clean-var

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

# The demo: SQLite and a filesystem Celery broker unless DATABASE_URL / REDIS_URL are set.
# (staticfiles/ is STATIC_ROOT: whitenoise warns at start-up when it is missing.)
run: $(VENV)/.run-installed
	mkdir -p var/celery-broker/out var/celery-broker/processed var/celery-broker/control var/media staticfiles
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py beat_schedule
	@echo ""
	@echo "Dealer CR: http://127.0.0.1:$(PORT)/   (Ctrl-C stops the web server, worker and beat)"
	DCR_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

services:
	./scripts/ensure_services.sh

chromium:
	./scripts/ensure_chromium.sh

# The whole suite on PostgreSQL and Redis, on both cores, once per clock in TEST_CLOCKS: each run starts
# the session's wall clock at that local (Asia/Shanghai) time — tests/conftest.py, DCR_TEST_CLOCK — so a
# test that reads the real clock instead of freezing it fails here, whatever hour CI happens to run at
# (23:30 is inside the SMS quiet hours, 12:00 outside). `TEST_CLOCKS=now` runs once on the real clock;
# a clock may also be a full local time, e.g. 2027-03-01T00:10. pytest exits non-zero when no test ran.
TEST_CLOCKS ?= 23:30 12:00

test: $(VENV)/.dev-installed services chromium
	$(VENV)/bin/ruff check .
	PYTHONWARNINGS=ignore $(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test > /dev/null
	@test -n "$(strip $(TEST_CLOCKS))" || { echo "TEST_CLOCKS is empty: no test would run" >&2; exit 2; }
	@set -e; for clock in $(TEST_CLOCKS); do \
		echo "== the whole suite with the clock at $$clock (Asia/Shanghai)"; \
		DCR_TEST_CLOCK=$$clock $(PY) -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS); \
	done

bench: $(VENV)/.dev-installed services
	$(PY) -m bench.run

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Refresh the vendored front-end assets from npm (committed under static/vendor; never a CDN).
vendor:
	npm install --no-save --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/

# Translations: the .mo files are committed so that a bare machine needs no gettext tools.
messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=static --ignore=var
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean-var:
	rm -rf var
