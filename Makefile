# The front door: `make run` and `make test` work on a fresh machine.
#   make run     .venv, install, migrate, demo data when empty, web + task worker on SQLite
#   make test    lint, migrations check, the whole suite (PostgreSQL too when DATABASE_URL is set)
#   make bench   the order list benchmark (see bench/__main__.py)
#   make bench-import   CSV import and export speed on PostgreSQL (see bench/imports.py)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check-migrations bench bench-import install clean

# Re-installs whenever pyproject.toml changes (new dependencies); a failed install leaves
# no stamp, so the next run tries again.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"Bestellwerk needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		(echo "Creating the venv failed: install python3-venv (apt-get install python3-venv)"; exit 1)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	$(BIN)/bestellwerk migrate --no-input
	$(BIN)/bestellwerk bootstrap
	@echo
	@echo "Bestellwerk runs at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "Sign in as admin / $${BESTELLWERK_DEMO_PASSWORD:-bestellwerk}. Stop with Ctrl-C."
	@echo
	@# The worker runs without DEBUG: with it, db_worker would restart itself on code changes.
	@# Links in e-mails (payment links) point at this server unless PUBLIC_BASE_URL says otherwise.
	@trap 'kill 0' EXIT INT TERM; \
	export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/bestellwerk worker & \
	DEBUG=$${DEBUG:-1} $(BIN)/bestellwerk runserver --noreload $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

check-migrations: $(STAMP)
	@$(BIN)/bestellwerk makemigrations --check --dry-run >/dev/null || \
		(echo "Models changed without a migration: run bestellwerk makemigrations"; exit 1)

# pytest-django creates test_<name> on PostgreSQL and drops it afterwards (an old one left by
# a killed run is replaced without asking).
test: lint check-migrations
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# A Shopify export of 1,000,000 orders (var/bench-shopify-*.csv, kept) imported into a fresh
# PostgreSQL database bw_import_bench (BENCH_DATABASE_URL overrides), then exported again.
bench-import: $(STAMP)
	$(BIN)/python -m bench.imports $(BENCH_IMPORT_ARGS)

clean:
	rm -rf $(VENV) var
