# PatchMon Cloud — the two commands: `make run` (the product, locally) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench setup chromium lint template frontend frontend-check e2e ui-speed clean operator-key load agent rootfs rootfs-test package lock deploy rollback

run: setup frontend ## Start the local stack on http://localhost:$(PORT)
	$(PY) -m infra.local --port $(PORT)

test: setup frontend frontend-check lint ## Set up and run the whole test suite (as root also the real installs in a disposable Debian root)
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory rootfs || echo "note: no Debian root could be built; the rootfs tests will be skipped"; fi
	PATCHMON_TEST_ROOTFS=$$(test -x $(ROOTFS)/usr/bin/python3 && echo $(abspath $(ROOTFS))) \
	  $(PY) -m pytest -n 2 --dist loadgroup -m "not bench" $(PYTEST_ARGS)

bench: setup ## DynamoDB requests, capacity units and cost per operation (tests/bench; takes a few minutes)
	$(PY) -m pytest tests/bench -m bench -s -p no:xdist $(PYTEST_ARGS)

setup: $(STAMP) chromium

CHROMIUM := /usr/bin/chromium
chromium: ## Debian's chromium for the browser tests (tests/ui): installed when missing, as root (Playwright's own download does not work here)
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's chromium for the browser tests (tests/ui)"; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends chromium; \
	else \
	  echo "note: $(CHROMIUM) is missing and this is not root, so the browser tests (tests/ui) will be skipped;" \
	       "install it with: sudo apt-get install -y chromium"; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required (the Lambda runtime), found {sys.version.split()[0]}"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

lint: setup ## Static checks
	$(PY) -m ruff check .

template: setup ## Render the CloudFormation template to build/template.json
	$(PY) -m infra.template --out build/template.json

package: $(STAMP) frontend ## Build a release into build/package: the Lambda zip (reproducible; offline once cached), the template, the web app
	$(PY) -m infra.package
	$(PY) -m infra.template --out build/package/template.json

STAGE ?= dev
deploy: $(STAMP) ## Deploy build/package to AWS as the stack patchmon-$(STAGE) (docs/deploy.md; needs AWS credentials). DEPLOY_ARGS='--no-execute' to review
	$(PY) -m infra.deploy --stage $(STAGE) $(DEPLOY_ARGS)

rollback: $(STAMP) ## Redeploy the release before the current one of patchmon-$(STAGE) (DEPLOY_ARGS='--to RELEASE' for another)
	$(PY) -m infra.deploy --stage $(STAGE) --rollback $(DEPLOY_ARGS)

lock: $(STAMP) ## Re-resolve the Lambda package's dependencies into infra/lambda-requirements.lock (needs PyPI)
	$(PY) -m infra.package --lock

agent: setup ## Build our agent's zipapp to dist/patchmon-agent.pyz (deterministic; prints its version and SHA-256)
	$(PY) -m chalicelib.install.artefact dist/patchmon-agent.pyz

ROOTFS ?= .local/rootfs
ROOTFS_TESTS = $(wildcard tests/e2e/test_*rootfs*.py)
rootfs: setup ## As root: debootstrap the Debian bookworm base root for the rootfs tests in $(ROOTFS), once (~1 min)
	@command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
	$(PY) -m tests.e2e.rootfs $(ROOTFS)

rootfs-test: rootfs ## As root: every tests/e2e/test_*rootfs*.py (name a new one so), each test in a disposable copy of $(ROOTFS)
	PATCHMON_TEST_ROOTFS=$(abspath $(ROOTFS)) $(PY) -m pytest $(ROOTFS_TESTS) -v $(PYTEST_ARGS)

frontend: ## Build the web app when there is one (the local stack serves a placeholder until then)
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi

frontend-check: frontend ## Lint, type-check and unit-test the web app (eslint, tsc, vitest)
	@if [ -f frontend/package.json ]; then cd frontend && npm run lint && npm test; fi

e2e: setup frontend ## Only the end-to-end tests against a started local stack, browser tests included
	$(PY) -m pytest tests/e2e tests/ui -m "not bench" $(PYTEST_ARGS)

ui-speed: setup frontend ## With 1,000 hosts seeded, every page interactive within 1 s (tests/ui/test_page_speed.py; takes a while)
	$(PY) -m pytest tests/ui/test_page_speed.py -m bench -s -p no:xdist $(PYTEST_ARGS)

load: setup ## Hundreds of simulated agents against a started local stack (LOAD_AGENTS=500)
	$(PY) -m pytest tests/load -m bench -s -p no:xdist $(PYTEST_ARGS)

operator-key: $(STAMP) ## Print a new operator API key and the SHA-256 to deploy (OperatorKeySha256)
	@$(PY) -c 'import hashlib, secrets; k = secrets.token_urlsafe(32); print("operator key (keep secret):", k); print("OperatorKeySha256:", hashlib.sha256(k.encode()).hexdigest())'

clean: ## Remove the virtualenv, build output and local data
	rm -rf $(VENV) build dist .local frontend/dist
