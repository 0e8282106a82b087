# UrbanGrid — the short list of things a developer runs. See README.md and CONTRIBUTING.md.
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6 needs Python 3.12 or newer: take the first interpreter that is new enough.
PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: help run test lint format messages clean python npm

# Bytecode is cached (some machines set PYTHONDONTWRITEBYTECODE=1): without the cache every
# pytest-xdist worker compiles the project and rewrites the test modules' asserts again,
# 10 s of each worker's collection.
unexport PYTHONDONTWRITEBYTECODE

help:
	@echo "make run    set up, migrate, load the demo district, simulate its last 90 days and serve http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff, formatting, mypy, Django checks, missing migrations"

python:
	@test -n "$(PYTHON)" || { echo "UrbanGrid needs Python 3.12 or newer (Django 6); none was found on PATH." \
		"Install Python 3.13 (with pyenv: pyenv install 3.13) and try again." >&2; exit 1; }

# ECharts comes from npm (package.json); only node_modules/echarts/dist/ is served.
npm:
	@command -v npm >/dev/null || { echo "UrbanGrid needs npm (Node.js) for ECharts; none was found on PATH." \
		"Install it (apt-get install nodejs npm) and try again." >&2; exit 1; }

$(BIN)/.installed: pyproject.toml package-lock.json | python npm
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# After the demo, ninety simulated days up to now, so every chart has a history
# (docs/simulation.md); skipped when one is there already, so running again does not double it.
# Then the months over are settled (docs/evaluation.md), as the daily cron does in production.
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py simulate --days 90 --seed 1 --if-empty
	$(BIN)/python manage.py evaluate --settle
	@echo "Serving http://$(HOST):$(PORT)/ — press Ctrl-C to stop."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(BIN)/.installed
	$(BIN)/python manage.py makemessages --locale=zh_Hans --ignore=.venv --ignore=node_modules --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .mypy_cache .ruff_cache
