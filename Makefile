# Two commands do everything on a fresh machine (Python 3.11+ with venv):
#   make run    install and start the dashboard (the first start builds the database from data/)
#   make test   install the test dependencies and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev bench bench-load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .

run: install
	$(BIN)/python -m streamlit run app.py

test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/run.py

# Concurrent visitors (issue 17): 1-100 websocket sessions on the real data and 100k demo records,
# one process and two replicas behind nginx (deploy/nginx.conf); writes its section of bench/results.md.
# About 20 minutes. Needs nginx (apt-get install nginx) for the two-replica rows.
bench-load: install-dev
	$(BIN)/python -m bench.load.run
