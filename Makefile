# The two commands of the README: `make run` and `make test`. Nothing else needs doing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
export APP_ENV ?= development
# Both cores: each pytest worker has its own SQLite files and its own PostgreSQL database.
PYTEST_WORKERS ?= 2

.PHONY: run test lint test-sqlite test-postgres translations extract-messages bench bench-exports bench-indicators bench-pages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# Compiled catalogues are built, not committed.
translations: $(VENV)/.runtime-installed
	$(BIN)/pybabel compile -d mobility/translations

extract-messages: $(VENV)/.runtime-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o mobility/translations/messages.pot .
	$(BIN)/pybabel update -i mobility/translations/messages.pot -d mobility/translations

# The flask command reads .env (python-dotenv): with it, every `flask --app wsgi …` command of the
# README works in this checkout as printed. Written once, never overwritten, gitignored; an
# installation without it still starts in production and refuses to without SECRET_KEY.
.env:
	@printf '%s\n' \
		'# Written by `make run` for this development checkout (gitignored, kept if present).' \
		'# Production sets its environment in the service manager instead: see .env.example.' \
		'APP_ENV=development' > $@
	@echo "Wrote .env (APP_ENV=development) for the flask command."

# The web server and the one scheduler process together (Procfile, honcho); Ctrl-C stops both.
run: .env $(VENV)/.runtime-installed translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

# The import contract first, then SQLite always, PostgreSQL too when TEST_DATABASE_URL is set
# (CI sets it).
test: lint test-sqlite test-postgres

# The floors of the house (pyproject.toml, [tool.importlinter]), pyflakes, and the security
# checks (bandit, findings triaged in pyproject.toml [tool.bandit] and on their lines).
lint: $(VENV)/.dev-installed
	$(BIN)/lint-imports
	$(BIN)/ruff check mobility tests bench
	$(BIN)/bandit -q -c pyproject.toml -r mobility

test-sqlite: $(VENV)/.dev-installed translations
	env -u TEST_DATABASE_URL APP_ENV=testing $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev-installed translations
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		APP_ENV=testing $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (CI runs it)."; \
	fi

# Availability search and booking creation timed at 20,000 and 200,000 bookings, on SQLite (a
# temporary file) and, when BENCH_DATABASE_URL is set, on PostgreSQL too. That database's public
# schema is dropped and re-created for each size: point it at a database kept for the bench.
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/availability.py $(BENCH_ARGS)

# Exports (200,000 bookings, each format: rows/s and peak memory growth) and the admin
# dashboard's queries (20,000 and 200,000 bookings), on SQLite and, with BENCH_DATABASE_URL, on
# PostgreSQL (databases <name>_<size>, their public schema dropped and re-created).
bench-exports: $(VENV)/.dev-installed
	$(BIN)/python bench/exports.py $(BENCH_ARGS)

bench-indicators: $(VENV)/.dev-installed
	$(BIN)/python bench/indicators.py $(BENCH_ARGS)

# The pages of every role under gunicorn (2 sync workers, production settings) with wrk, beside a
# hello-world and a two-query route, at demo size then with 200,000 bookings on the demo
# organisations. PostgreSQL only: BENCH_DATABASE_URL's public schema is dropped and re-created.
# BENCH_ARGS="--duration 20" for longer runs. Not part of `make test`.
bench-pages: $(VENV)/.dev-installed translations
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
