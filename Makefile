# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# One stamp per requirements set: `make run` installs only what runs the console, `make test`
# adds the test stack (pytest, playwright, boto3, moto, schemathesis...).
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PYTEST_ARGS ?= -n 2

.PHONY: run test lint install browser js demo clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.run-*
	touch $(RUN_STAMP)

$(STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Debian's chromium for the Playwright tests and xmlsec1 for the SAML IdP tests (no browser download works here); skipped when not root.
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }
	@command -v xmlsec1 >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null) \
	  || echo "xmlsec1 not installed: the SAML IdP tests will be skipped"; }

## The AWS SDK for JavaScript v3 (pinned in tests/js) for the second-SDK scenario; skipped without npm.
JS_STAMP := tests/js/node_modules/.installed-$(shell cat tests/js/package-lock.json | cksum | cut -d' ' -f1)
js: $(JS_STAMP)
$(JS_STAMP): tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/js --no-audit --no-fund --silent && rm -f tests/js/node_modules/.installed-* && touch $@; \
	else echo "npm not installed: the JavaScript SDK scenario will be skipped"; fi

## The certified OpenID Connect provider (pinned in tests/oidc_idp_node) for the federated
## console sign-in tests; skipped without npm.
IDP_STAMP := tests/oidc_idp_node/node_modules/.installed-$(shell cat tests/oidc_idp_node/package-lock.json | cksum | cut -d' ' -f1)
js: $(IDP_STAMP)
$(IDP_STAMP): tests/oidc_idp_node/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/oidc_idp_node --no-audit --no-fund --silent && rm -f tests/oidc_idp_node/node_modules/.installed-* && touch $@; \
	else echo "npm not installed: the federated console sign-in tests will be skipped"; fi

demo: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

run: demo
	IAMCONSOLE_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) browser js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
