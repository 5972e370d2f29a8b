# One command each for the demo and the tests, on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/claims.db
HOST := 127.0.0.1
PORT ?= 8001
# Debian's Chromium and its driver for the real-browser tests (Playwright's own download does not work here).
APT_PACKAGES := chromium chromium-driver

.PHONY: demo test install install-test system-packages build serve lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-packages
	$(BIN)/pip install --quiet -e '.[test]'

# Installs the browser only when it is missing; needs root (as on CI) or sudo.
system-packages:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

build: install
	$(BIN)/claims build --db $(DB)

demo: build
	$(BIN)/claims reviewers demo --db $(DB) --host $(HOST) --port $(PORT)
	@echo "To use the claims command in another shell: source $(VENV)/bin/activate (or run $(BIN)/claims)"
	@echo "and export CLAIMS_DB=$(abspath $(DB)) so its changes land in the database served here."
	$(BIN)/claims serve --db $(DB) --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check claims tests bench
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install-test
	$(BIN)/ruff check claims tests bench

clean:
	rm -rf $(VENV) $(DB) test-artifacts
