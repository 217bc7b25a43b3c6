# zonegen: every target installs what it needs (pip into .venv, Debian packages with apt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Two stamps: `make build` installs what running zonegen needs, `make test` adds the tools.
STAMP := $(VENV)/.zonegen-installed
DEV_STAMP := $(VENV)/.zonegen-dev-installed
PROVIDERS_STAMP := $(VENV)/.zonegen-providers-installed
# named + named-checkzone (tests), dig, unbound (the validating resolver of the DNSSEC tests),
# PowerDNS with its sqlite3 back end (the PowerDNS sync tests), chromium (headless: the
# tests open every HTML page zonegen writes)
APT_PACKAGES := bind9 bind9-utils bind9-dnsutils unbound pdns-server pdns-backend-sqlite3 \
  chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all install system-deps build check-zones plan sync test bench lint docs format clean

all: build

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# The octoDNS provider packages of config/octodns-*.yaml: for plan/sync, and for the tests
# (check --provider reads each provider's class).
$(PROVIDERS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[providers]'
	@touch $(PROVIDERS_STAMP)

$(DEV_STAMP): $(PROVIDERS_STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,providers]'
	@touch $(DEV_STAMP)

install: $(STAMP)

system-deps:
	@need=""; for c in named named-checkzone dig unbound pdns_server chromium; do \
	  command -v $$c >/dev/null 2>&1 || [ -x /usr/sbin/$$c ] || need=1; done; \
	[ -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ] || need=1; \
	if [ -n "$$need" ]; then \
	  echo "installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(APT_PACKAGES) >/dev/null; \
	fi

## build: install, then build zones/ from config/site.yaml (the bundled example)
build: $(STAMP)
	$(BIN)/zonegen build

## check-zones: exit 1 if zones/ is not what config/site.yaml builds
check-zones: $(STAMP)
	$(BIN)/zonegen build --check

## plan: zones/ must be current, then show what octodns-sync would change (changes nothing)
OCTODNS_CONFIG ?= config/octodns.yaml
plan: $(PROVIDERS_STAMP)
	$(BIN)/zonegen build --check
	$(BIN)/octodns-sync --config-file $(OCTODNS_CONFIG)

## sync: the same, then apply it
sync: $(PROVIDERS_STAMP)
	$(BIN)/zonegen build --check
	$(BIN)/octodns-sync --config-file $(OCTODNS_CONFIG) --doit

## test: install everything (pip and apt), lint, run the tests with branch coverage of src
# (other branches add code in parallel: the floor is here, not in the config)
COVERAGE_FLOOR ?= 90
test: $(DEV_STAMP) system-deps lint
	PATH="$$PATH:/usr/sbin" $(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

## bench: zonegen build against dnspython alone for 10, 100 and 1000 domains (README table)
bench: $(DEV_STAMP) system-deps
	PATH="$$PATH:/usr/sbin" $(BIN)/python bench/run.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m zonegen.checks.doc --check README.md

## docs: write the README's rule table from the rule registry (src/zonegen/checks)
docs: $(STAMP)
	$(BIN)/python -m zonegen.checks.doc README.md

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
