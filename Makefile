# Every task a person runs. The first run of any target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
DEPS := $(VENV)/.installed
SAM_DEPS := $(SAM_VENV)/.installed
export SAM_CLI_TELEMETRY := 0
export PYTHONPATH := $(CURDIR)/layers/common:$(CURDIR)

PORT ?= 3000
MOTO_PORT ?= 3001
# 0.0.0.0 lets `sam local`'s containers reach moto on Linux (host.docker.internal)
MOTO_HOST ?= 127.0.0.1
ROLE ?= owner
# the token's subject; not USER, which every shell sets to its login name
SUB ?= local-user
ORG ?= owner
USER_ROLES ?=

.PHONY: help install debian dynalite test-dynalite local sam-env token s3-import test unit integration e2e lint format typecheck sam-validate build bench openapi clean

$(DEPS): requirements-dev.txt layers/common/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Debian's packages the tests use (LibreOffice Calc opens the reports as a user would),
# installed on first run; root installs directly, anyone else through sudo
DEBIAN_PACKAGES := libreoffice-calc-nogui
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
debian: ; @command -v soffice >/dev/null || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(DEBIAN_PACKAGES); }

# dynalite (npm, pinned by local/npm/dynalite/package-lock.json) with Debian's Node where
# the machine has none
DYNALITE := local/npm/dynalite/node_modules/dynalite/cli.js
$(DYNALITE): local/npm/dynalite/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends nodejs npm; }
	npm ci --prefix local/npm/dynalite --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(SAM_DEPS): requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

## Every target and what it does
help:
	@awk '/^## /{if(!doc)doc=substr($$0,4); next} /^[a-z0-9-]+:/{if(doc){split($$0,t,":"); printf "  %-14s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

## Install the tools (.venv), the SAM CLI (.venv-sam) and Debian's LibreOffice Calc; every other target does it on first run
install: $(DEPS) $(SAM_DEPS) debian

## The local stack (moto for DynamoDB and S3, an API Gateway-like front) on 127.0.0.1:$(PORT), moto on $(MOTO_PORT)
local: $(DEPS)
	$(BIN)/python -m local.stack --port $(PORT) --moto-port $(MOTO_PORT) --moto-host $(MOTO_HOST)

## events/env.local.json for `sam local --env-vars`, pointing at moto on $(MOTO_PORT)
sam-env: $(DEPS)
	$(BIN)/python -m local.sam_env --moto-port $(MOTO_PORT) > events/env.local.json

## A token for the local stack: make token ROLE=distributor ORG=<distributor id> SUB=u1 USER_ROLES=Admin
token: $(DEPS)
	@$(BIN)/python -m local.token --role $(ROLE) --user $(SUB) --org $(ORG) --user-roles "$(USER_ROLES)"

## Put a CSV under the local stack's incoming/<kind>/ and print its report:
## make s3-import FILE=path/to.csv OVERRIDE=true KIND=resellers (moto on MOTO_PORT, 3001 by default)
s3-import: $(DEPS)
	@test -n "$(FILE)" || { echo "usage: make s3-import FILE=path/to.csv [OVERRIDE=true]"; exit 2; }
	$(BIN)/python -m local.s3_put "$(FILE)" $(if $(OVERRIDE),--override "$(OVERRIDE)") $(if $(KIND),--kind "$(KIND)") --endpoint-url "$(or $(MOTO_URL),http://127.0.0.1:$(MOTO_PORT))"

## Everything CI checks: lint, types, every test, the template lint and build
test: lint typecheck unit integration test-dynalite e2e sam-validate build

## The domain with in-memory fakes, no AWS
unit: $(DEPS) debian
	ORGIMPORT_REQUIRE_TOOLS=1 $(BIN)/python -m pytest tests/unit -q

## The handlers with real event shapes against in-process moto
integration: $(DEPS)
	$(BIN)/python -m pytest tests/integration -q

## A second DynamoDB: dynalite from npm (installed on first use)
dynalite: $(DYNALITE)

## The integration and end-to-end tests again, with DynamoDB's requests served by dynalite
test-dynalite: $(DEPS) $(DYNALITE)
	$(BIN)/python -m local.dynalite -- $(BIN)/python -m pytest tests/integration -q -p no:cacheprovider
	ORGIMPORT_DYNAMODB=dynalite $(BIN)/python -m pytest tests/e2e -q -p no:cacheprovider

## The local stack over HTTP, as a client uses it
e2e: $(DEPS)
	$(BIN)/python -m pytest tests/e2e -q

## ruff check and format check
lint: $(DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## ruff fix and format
format: $(DEPS)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## mypy on the production package and the fakes of its ports
typecheck: $(DEPS)
	$(BIN)/mypy layers/common/orgimport tests/unit/fakes.py

## sam validate --lint
sam-validate: $(SAM_DEPS)
	$(SAM) validate --lint --template template.yaml --region eu-west-1

## sam build
build: $(SAM_DEPS)
	$(SAM) build --template template.yaml --build-dir .aws-sam/build

## The benchmarks of every issue, side by side in one run
bench: $(DEPS) $(DYNALITE)
	$(BIN)/python -m bench.run

## The OpenAPI document, generated from the handlers' routes and models: openapi.json
## (commit it; tests/unit/test_openapi_drift.py fails when it is out of date)
openapi: $(DEPS)
	$(BIN)/python -m local.openapi

## Remove build output and caches
clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
