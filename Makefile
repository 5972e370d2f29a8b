# One command each for the demo and the tests, on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/claims.db
HOST := 127.0.0.1
PORT ?= 8001
# System packages (see system-packages): Debian's Chromium and its driver for the real-browser tests
# (Playwright's own download does not work here); Node and npm for citeproc-js, the reference CSL
# engine the formatting test compares with; pandoc reads the CSL-JSON export back in the round trip.
CITEPROC_JS := tests/citeproc_js

.PHONY: demo test install install-test system-packages build serve lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-packages
	$(BIN)/pip install --quiet -e '.[test]'
	cd $(CITEPROC_JS) && npm ci --no-audit --no-fund --silent

# Installs each system package only when its command is missing (npm comes with some nodejs
# builds, and Debian's npm package would conflict with them); needs root (as on CI) or sudo.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v pandoc >/dev/null || missing="$$missing pandoc"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
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
