SHELL := /bin/bash
# Attest: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements.lock requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist); CI's PostgreSQL run uses 0, as its Celery worker reads one test database.
PYTEST_WORKERS ?= 2
CHROMIUM ?= /usr/bin/chromium
# Keep compiled modules (and pytest's rewritten test modules) between runs: where the environment
# turns that off, every test process and every subprocess a test starts compiles the project and
# the test files again, a quarter of the time it takes to collect the suite.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: venv run test fuzz lint format typecheck check bench worker beat lock clean

$(STAMP): $(LOCKS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; without it they are deselected, and we say so.
# Work stealing evens out the workers' long tails; the 15 slowest tests are printed to keep the
# suite's time in view.
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15
test: venv
	@if [ -x $(CHROMIUM) ]; then \
		$(PYTEST) $(PYTEST_ARGS); \
	else \
		echo "note: $(CHROMIUM) not found, browser tests deselected (apt-get install chromium)"; \
		$(PYTEST) -m "not browser" $(PYTEST_ARGS); \
	fi

# Schemathesis over the whole API schema (tests/governance/test_schema_fuzz.py): no 5xx. A few
# generated requests per operation by default, the same each run; FUZZ_EXAMPLES=200 for a bigger,
# random run.
fuzz: venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -m fuzz $(PYTEST_ARGS) \
		tests/governance/test_schema_fuzz.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: venv
	$(BIN)/mypy

check: lint typecheck
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: venv
	$(BIN)/python bench/inventory.py

# Real services: run these beside gunicorn when CELERY_BROKER_URL is set (docs/operations.md).
worker: venv
	$(BIN)/celery -A governance worker --loglevel=info

beat: venv
	$(BIN)/celery -A governance beat --loglevel=info

# Re-pin every dependency from pyproject.toml in a scratch virtualenv. The dev lock also pins
# every tracker extra (mlflow, wandb, evidently, ...): the adapters' tests need them all.
lock:
	rm -rf /tmp/attest-lock && $(PYTHON) -m venv /tmp/attest-lock
	$(PYTHON) -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); \
		open('/tmp/attest-lock/rt.in', 'w').write('\n'.join(d['project']['dependencies'])); \
		extras = d['project']['optional-dependencies']; \
		trackers = [r for k, v in extras.items() if k not in ('dev', 'trackers') for r in v]; \
		open('/tmp/attest-lock/dev.in', 'w').write('\n'.join(extras['dev'] + trackers))"
	/tmp/attest-lock/bin/pip install --quiet -r /tmp/attest-lock/rt.in
	/tmp/attest-lock/bin/pip freeze > /tmp/attest-lock/rt.txt
	/tmp/attest-lock/bin/pip install --quiet -r /tmp/attest-lock/dev.in
	/tmp/attest-lock/bin/pip freeze > /tmp/attest-lock/all.txt
	# An extra may move a runtime pin (mlflow caps gunicorn): the runtime lock takes the final one.
	$(PYTHON) -c "import re; name = lambda l: re.split('[=<>]', l)[0].lower(); \
		rt = {name(l) for l in open('/tmp/attest-lock/rt.txt')}; \
		open('/tmp/attest-lock/rt.txt', 'w').writelines(l for l in open('/tmp/attest-lock/all.txt') if name(l) in rt)"
	{ echo "# Runtime dependencies, pinned. Regenerate with: make lock"; cat /tmp/attest-lock/rt.txt; } > requirements.lock
	{ echo "# Test, lint and tracker-extra dependencies, pinned on top of requirements.lock. Regenerate with: make lock"; \
		echo "-r requirements.lock"; \
		sort /tmp/attest-lock/all.txt | comm -13 <(sort /tmp/attest-lock/rt.txt) -; } > requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
