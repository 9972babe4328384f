# The verbs people type. `make run` and `make test` work on a fresh machine: they create
# .venv and install what the project needs.
PYTHON ?= python3.11
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

# Where `make run` listens: `make run PORT=8001 HOST=0.0.0.0`.
HOST ?= 127.0.0.1
PORT ?= 8000

# Settings for local runs and tests; production sets its own (docs/operations.md).
DEV_ENV := DJANGO_DEBUG=1
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=make-test-only-not-a-secret \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: system-deps install static run serve bench bench-table loadtest backup restore test lint format check migrate seed demo-accounts messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py load_initial_data

demo-accounts: migrate
	$(DEV_ENV) $(PY) manage.py create_demo_accounts --host $(HOST) --port $(PORT)

# The dev server and, beside it, the task worker that writes audit workbooks in the
# background; stopping the server (Ctrl-C) stops the worker too.
run: seed demo-accounts
	$(DEV_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run with production static storage (hashed, compressed): collect it first.
static: install
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0

# Production-like server: gunicorn, 2 workers, static files from whitenoise, and the task
# worker beside it (several app servers can share one or more workers: the queue is in
# the database). Needs the production environment (DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, DATABASE_URL; DJANGO_CACHE_URL=redis://… for several servers).
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn paju_pledges.wsgi:application --workers 2 --bind $(HOST):$(PORT)

# The scale budget (docs/performance.md): the seed's 6 pledges against a city over decades
# (10 terms x 300 pledges, 8 publications each) and a stress term of 50,000 pledges, every
# verdict a ratio to the same page over the seed in the same run (PostgreSQL when
# DATABASE_URL points there; each shape keeps its own database and reuses it); see
# benchmarks/bench.py. BENCH_ARGS="--shapes decades --requests 15" for less. The run fails
# when a page takes a different number of queries at scale than over the seed.
bench: install
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# docs/performance.md's bench tables, printed from one run's JSON (the newest without JSON=…):
# make bench-table JSON=benchmarks/results/bench-….json
bench-table: install
	$(PY) benchmarks/bench.py table $(JSON)

# Bounded load test on loopback against PostgreSQL (DATABASE_URL): 50 readers for 60 s while
# staff save figures and import files; LOADTEST_ARGS="--restart-postgres-at 20" adds a fault,
# LOADTEST_ARGS="--servers 2" runs two gunicorn servers sharing Redis (DJANGO_CACHE_URL).
loadtest: install
	$(PY) benchmarks/loadtest.py $(LOADTEST_ARGS)

# Backup and restore of the whole database, history included, portable between SQLite and
# PostgreSQL (JSON, compressed). Production PostgreSQL may use pg_dump as well (docs/operations.md).
BACKUP_DIR ?= backups
backup: install
	mkdir -p $(BACKUP_DIR)
	$(PY) manage.py dumpdata --natural-foreign --exclude contenttypes --exclude auth.permission \
		--exclude sessions --exclude axes \
		--output $(BACKUP_DIR)/paju-$$(date +%Y%m%d-%H%M%S).json.gz
	@ls -1t $(BACKUP_DIR) | head -n 1

# make restore FILE=backups/paju-....json.gz  (into an empty database)
restore: install
	test -n "$(FILE)" || { echo "usage: make restore FILE=backups/paju-....json.gz"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata $(FILE)

# What the whole suite needs beyond Python: Debian's Chromium and CJK fonts (browser tests)
# and LibreOffice (the audit workbook is opened and printed by it). Installed with apt when
# missing and we are root (the project's machines); otherwise say what to install.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libreoffice-calc-nogui
system-deps:
	@if [ -x /usr/bin/chromium ] && command -v soffice >/dev/null \
		&& fc-list 2>/dev/null | grep -qi "noto sans cjk"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES) (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$(SYSTEM_PACKAGES) >/dev/null; \
	else echo "missing system packages: apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi

test: static system-deps
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

messages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
