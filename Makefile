# mailwarden: `make run` installs into .venv and scans the bundled demo messages;
# `make test` installs what the tests need (Python packages, Debian packages, services) and runs them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install run test test-fast lint system-deps services bench

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The demo answers DNS from a bundled zone (no network): it publishes the key that DKIM-signs demo 04
# (a Microsoft notification whose tenant name is a call-back lure) and microsoftonline.com's DMARC policy.
run: install
	$(VENV)/bin/mailwarden scan src/mailwarden/data/demo --format table --dns-zone src/mailwarden/data/demo-dns.json || [ $$? -eq 1 ]

system-deps:
	bash .ci/system-deps.sh

services: system-deps
	bash .ci/services.sh

lint: install
	$(VENV)/bin/ruff check src tests bench

test: install services lint
	$(PY) -m pytest -m "not slow"

test-fast: install
	$(PY) -m pytest -m "not slow and not services" -x

bench: install
	$(PY) bench/throughput.py
