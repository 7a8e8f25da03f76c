# Two commands do everything on a fresh machine (Python 3.11+ with venv):
#   make run    install and start the dashboard (the first start builds the database from data/)
#   make test   install the test dependencies and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev bench

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
