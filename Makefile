# PatchMon Cloud — the two commands: `make run` (the product, locally) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench setup lint template frontend e2e clean operator-key load agent rootfs-test

run: setup frontend ## Start the local stack on http://localhost:$(PORT)
	$(PY) -m infra.local --port $(PORT)

test: setup frontend lint ## Set up and run the whole test suite
	$(PY) -m pytest -n 2 --dist loadgroup -m "not bench" $(PYTEST_ARGS)

bench: setup ## DynamoDB requests, capacity units and cost per operation (tests/bench; takes a few minutes)
	$(PY) -m pytest tests/bench -m bench -s -p no:xdist $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required (the Lambda runtime), found {sys.version.split()[0]}"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

lint: setup ## Static checks
	$(PY) -m ruff check .

template: setup ## Render the CloudFormation template to build/template.json
	$(PY) -m infra.template --out build/template.json

agent: setup ## Build our agent's zipapp to dist/patchmon-agent.pyz (deterministic; prints its version and SHA-256)
	$(PY) -m chalicelib.install.artefact dist/patchmon-agent.pyz

ROOTFS ?= .local/rootfs
rootfs-test: setup ## As root: the install one-liner in a debootstrapped Debian (built once in $(ROOTFS))
	@command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
	@test -x $(ROOTFS)/usr/bin/python3 || debootstrap --variant=minbase --include=python3,curl,ca-certificates bookworm $(ROOTFS) http://deb.debian.org/debian
	PATCHMON_TEST_ROOTFS=$(abspath $(ROOTFS)) $(PY) -m pytest tests/e2e/test_install_in_rootfs.py -v $(PYTEST_ARGS)

frontend: ## Build the web app when there is one (the local stack serves a placeholder until then)
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi

e2e: setup ## Only the end-to-end tests against a started local stack
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

load: setup ## Hundreds of simulated agents against a started local stack (LOAD_AGENTS=500)
	$(PY) -m pytest tests/load -m bench -s -p no:xdist $(PYTEST_ARGS)

operator-key: setup ## Print a new operator API key and the SHA-256 to deploy (OperatorKeySha256)
	@$(PY) -c 'import hashlib, secrets; k = secrets.token_urlsafe(32); print("operator key (keep secret):", k); print("OperatorKeySha256:", hashlib.sha256(k.encode()).hexdigest())'

clean: ## Remove the virtualenv, build output and local data
	rm -rf $(VENV) build dist .local frontend/dist
