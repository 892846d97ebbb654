# Rehabit: `make run` serves the app with demo data; `make test` runs every test.
# Both create the virtual environment in .venv on first use, pinned by constraints.txt.

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

# The first interpreter on PATH that is Python 3.12 or newer.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && echo $$p && break; \
	done)

.PHONY: run demo test lint check-python system-packages

check-python:
	@test -n "$(PYTHON)" || { echo "Rehabit needs Python 3.12 or newer (python3.12 on PATH)." >&2; exit 1; }

# Chromium, Node.js (for the JavaScript tests), fonts and WeasyPrint's libraries: installed when
# run as root on Debian or Ubuntu, otherwise named in the one command to run.
system-packages:
	@bin/system-packages

$(VENV)/.app: pyproject.toml constraints.txt | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt .
	touch $@

$(VENV)/.test: $(VENV)/.app
	$(PY) -m pip install --quiet -c constraints.txt ".[test]"
	touch $@

# Migrate, load the shared catalog and the demo clinics (both idempotent). The demo's VAPID
# keys for notifications on devices are made once, into .vapid-keys (git-ignored), which only
# the development settings read; production takes them from the environment.
demo: $(VENV)/.app
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py seed_demo
	test -f .vapid-keys || $(PY) manage.py vapid_keys --output .vapid-keys

# The web server, the task worker and the scheduler of periodic work, side by side (Procfile).
run: demo
	REHABIT_HOST=$(HOST) $(VENV)/bin/honcho start --procfile Procfile

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The shell expands the pattern: Node 22 and later take no directory after --test.
test: system-packages $(VENV)/.test
	node --test tests/js/*.test.mjs
	$(PY) -m pytest
