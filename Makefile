# The two commands of README.md: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run setup venv migrate demo test test-fast lint bench bench-tests loadtest clean npm backup restore

run: setup demo
	$(PY) manage.py runserver $(HOST)

setup: venv var npm
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_divisions --if-available
	$(PY) manage.py collectstatic --noinput -v 0

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

var:
	mkdir -p var

# Front-end libraries pinned in package-lock.json (ECharts); pages fall back to tables without npm.
npm:
	@if [ -f package.json ] && command -v npm >/dev/null 2>&1; then \
	  [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: dashboards show tables without charts"; fi

migrate: venv var
	$(PY) manage.py migrate --noinput

demo:
	$(PY) manage.py load_demo

test: venv var npm
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The inner loop: embedded SQLite, in-process tasks, no browser or slow tests, stop at the first failure.
FAST_ARGS ?= -x -q -p no:randomly --ignore=tests/browser -m "not slow"
test-fast: venv var
	env -u DATABASE_URL -u REDIS_URL -u CACHE_URL $(VENV)/bin/pytest $(FAST_ARGS) $(PYTEST_ARGS)

# Exactly what CI runs for linting (.ci/run calls this).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Against DATABASE_URL (PostgreSQL): generates BENCH_SCALE first if the database has no towns.
BENCH_SCALE ?= province
BENCH_RUNS ?= 3
bench: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py bench --scale $(BENCH_SCALE) --runs $(BENCH_RUNS)

bench-tests: venv
	$(VENV)/bin/pytest -m benchmark -p no:randomly $(PYTEST_ARGS)

# 50 users for 60 s against gunicorn on 127.0.0.1 (benchmarks/loadtest/run.sh); needs DATABASE_URL, REDIS_URL.
loadtest: venv
	bash benchmarks/loadtest/run.sh

clean:
	rm -rf $(VENV) var staticfiles

# Backup and restore of the PostgreSQL database named by DATABASE_URL (custom format, no owners, so a
# dump restores into any fresh database). `make restore BACKUP=var/backup-….dump` into an empty database.
BACKUP ?= var/backup-$(shell date +%Y%m%d-%H%M%S).dump

backup: var
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP)" "$$DATABASE_URL"
	@echo "backup written to $(BACKUP)"

restore:
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$$DATABASE_URL" "$(BACKUP)"
