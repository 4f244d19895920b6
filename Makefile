# The two commands of README.md: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run setup venv migrate demo test lint bench bench-tests loadtest clean

run: setup demo
	$(PY) manage.py runserver $(HOST)

setup: venv var
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

var:
	mkdir -p var

demo:
	$(PY) manage.py load_demo

test: venv var
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

# Against DATABASE_URL (PostgreSQL): generates BENCH_SCALE first if the database has no towns.
BENCH_SCALE ?= province
bench: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py bench --scale $(BENCH_SCALE)

bench-tests: venv
	$(VENV)/bin/pytest -m benchmark -p no:randomly $(PYTEST_ARGS)

# 50 users for 60 s against gunicorn on 127.0.0.1 (see loadtest/run.sh); needs DATABASE_URL and REDIS_URL.
loadtest: venv
	bash loadtest/run.sh

clean:
	rm -rf $(VENV) var staticfiles
