# MotCua: `make run` starts the platform locally on moto, `make test` runs every test.
# Both create their own virtual environment on first use; no AWS account is needed.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STAGE  ?= dev
USER   ?= citizen.an
MOTO_PORT ?= 5000
API_PORT  ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint token bench package deploy clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)  ## the platform on http://127.0.0.1:8000 with an embedded moto
	$(PY) -m scripts.local_stack --moto-port $(MOTO_PORT) --api-port $(API_PORT)

test: $(STAMP)  ## lint, unit, integration, end-to-end and template tests
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

token: $(STAMP)  ## an ID token for a demo account of the running local stack
	@$(PY) -m scripts.get_token $(USER)

bench: $(STAMP)  ## the figures in docs/performance.md
	$(PY) bench/cold_start.py

package: $(STAMP)  ## chalice package + infra/ merge, checked by cfn-lint, into build/$(STAGE)
	$(PY) -m scripts.package --stage $(STAGE) --out build/$(STAGE)

deploy: $(STAMP)  ## package, lint and deploy stack motcua-$(STAGE) to the AWS account in your environment
	$(PY) -m scripts.deploy --stage $(STAGE)

clean:
	rm -rf build .pytest_cache
