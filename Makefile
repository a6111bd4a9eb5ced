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
PORTAL_PORT ?= 8100
IDP_PORT ?= 8200
PAY_PORT ?= 8300
WEB_PORT ?= 8080
PYTEST_ARGS ?=
# make test runs the test files on this many processes (pytest-xdist, a file's tests together on one of them, each
# with its own local stacks): about 10 minutes on 2 cores instead of 16. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2

.PHONY: run test lint fuzz token totp demo demo-quarter bench package deploy clean lock

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice packaging refuses newer pip
	$(PY) -m pip install --quiet -r requirements-dev.txt  # pinned: `make lock` writes it
	touch $(STAMP)

# requirements*.in hold the loose bounds; this pins them (and what they pull in) into requirements*.txt
# for Python 3.11 on x86_64 Linux. Runtime wheels must suit the Lambda's glibc (manylinux2014), hence
# --only-binary there. Existing pins are kept while the .in files allow them; UPGRADE=1 moves them all.
LOCK = $(VENV)/bin/uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_17 \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(STAMP)  ## re-pin requirements.txt and requirements-dev.txt from the .in files (UPGRADE=1: newest allowed)
	$(LOCK) --only-binary :all: requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

run: $(STAMP)  ## the platform: the web client on http://127.0.0.1:8080, the API on :8000, an embedded moto
	$(PY) -m scripts.local_stack --moto-port $(MOTO_PORT) --api-port $(API_PORT) --portal-port $(PORTAL_PORT) \
		--web-port $(WEB_PORT) --idp-port $(IDP_PORT) --pay-port $(PAY_PORT) $(if $(NO_DEMO_QUARTER),,--demo-quarter)

demo-quarter: $(STAMP)  ## fill an agency of the running local stack with a quarter of work (AGENCY=, DOSSIERS=120)
	$(PY) -m scripts.demo_quarter $(if $(STATE_FILE),--state-file $(STATE_FILE)) $(if $(AGENCY),--agency $(AGENCY)) \
		$(if $(DOSSIERS),--dossiers $(DOSSIERS))

# The browser tests (tests/browser) drive Debian's chromium (CHROMIUM_PATH to use another); without it they are
# skipped with the line that installs it. .ci/run installs it.
test: $(STAMP)  ## lint, unit, integration, end-to-end, browser and template tests
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# `make test` runs the same module with a few cases per operation and caller; this one hunts longer.
fuzz: $(STAMP)  ## property-based API testing from /openapi.json, many cases per operation (FUZZ_EXAMPLES=300)
	MOTCUA_FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),300) $(PY) -m pytest tests/e2e/test_api_fuzz.py $(PYTEST_ARGS)

token: $(STAMP)  ## an ID token for a demo account of the running local stack
	@$(PY) -m scripts.get_token $(USER)

totp: $(STAMP)  ## a demo staff account's current TOTP code (the staff pool requires one at sign-in)
	@$(PY) -m scripts.get_token --totp $(USER)

demo: $(STAMP)  ## walk one dossier through its whole life on the running local stack (EXAMPLE=business, STATE_FILE=...)
	@$(PY) -m scripts.walkthrough $(if $(EXAMPLE),--example $(EXAMPLE)) $(if $(STATE_FILE),--state-file $(STATE_FILE)) \
		$(if $(API_URL),--api-url $(API_URL))

bench: $(STAMP)  ## the figures in docs/performance.md
	$(PY) bench/cold_start.py
	$(PY) bench/pipeline.py
	$(PY) bench/scorecard.py
	$(PY) bench/lifecycle_cost.py
	$(PY) bench/hot_keys.py
	$(PY) bench/portal_sync.py
	$(PY) bench/documents.py
	$(PY) bench/identity.py
	$(PY) bench/payments.py
	$(PY) bench/web_page_weight.py  # drives Debian's chromium (apt-get install chromium)

# Minutes long, so not part of `make bench`; `make test` runs a short version (tests/e2e/test_burst.py).
.PHONY: load
load: $(STAMP)  ## concurrent clients against a local stack of its own, then no loss/duplicate checks (CLIENTS=20 DURATION=120)
	$(PY) bench/load_test.py --clients $(or $(CLIENTS),20) --duration $(or $(DURATION),120)

package: $(STAMP)  ## chalice package + infra/ merge, checked by cfn-lint, into build/$(STAGE)
	$(PY) -m scripts.package --stage $(STAGE) --out build/$(STAGE)

deploy: $(STAMP)  ## package, lint and deploy stack motcua-$(STAGE) (PARAMS="NationalPortalUrl=https://... ...")
	$(PY) -m scripts.deploy --stage $(STAGE) $(foreach p,$(PARAMS),--parameter $(p))

clean:
	rm -rf build .pytest_cache

# ---- operator commands (scripts/operator.py): the local stack by default (build/local-stack.json,
# or STATE_FILE=...); a deployed stack motcua-<STAGE> when STAGE is given on the command line.
.PHONY: emails dlq redrive replay rebuild-metrics portal-status portal-reconcile portal-catalogue signer-status \
	signer-csr signer-install signer-trust staff-disable staff-enable
OPERATOR := $(PY) -m scripts.operator
OPERATOR_STACK = $(if $(filter command line,$(origin STAGE)),--stage $(STAGE)) $(if $(STATE_FILE),--state-file $(STATE_FILE))

emails: $(STAMP)  ## local stack: the emails and SMS moto accepted (TO=address or phone to filter)
	$(OPERATOR) emails $(if $(TO),--to $(TO)) $(OPERATOR_STACK)

dlq: $(STAMP)  ## what waits in the dead-letter queues, left in place (CONSUMER=notifications|relay for one)
	$(OPERATOR) dlq list $(CONSUMER) $(OPERATOR_STACK)

redrive: $(STAMP)  ## move CONSUMER's dead letters back to its queue, once the cause is fixed
	$(if $(CONSUMER),,$(error usage: make redrive CONSUMER=notifications))
	$(OPERATOR) dlq redrive $(CONSUMER) $(OPERATOR_STACK)

rebuild-metrics: $(STAMP)  ## recount every service-quality metric from the event log (consumer paused meanwhile)
	$(OPERATOR) metrics-rebuild $(OPERATOR_STACK)

portal-status: $(STAMP)  ## dossiers changed in the last DAYS (7) that the national portal has not acknowledged
	$(OPERATOR) portal status $(if $(DAYS),--days $(DAYS)) $(OPERATOR_STACK)

portal-reconcile: $(STAMP)  ## ask the national portal about the dossiers changed in the last DAYS; push again what differs
	$(OPERATOR) portal reconcile $(if $(DAYS),--days $(DAYS)) $(OPERATOR_STACK)

portal-catalogue: $(STAMP)  ## our procedures against the national portal's list (LayDanhSachTTHC)
	$(OPERATOR) portal catalogue $(OPERATOR_STACK)

staff-disable: $(STAMP)  ## offboard STAFF=<username>: refused at once, tokens they hold within 60 s
	$(OPERATOR) staff disable "$(STAFF)" $(OPERATOR_STACK)

staff-enable: $(STAMP)  ## let STAFF=<username> work again
	$(OPERATOR) staff enable "$(STAFF)" $(OPERATOR_STACK)

signer-status: $(STAMP)  ## which agencies sign results, with which certificate, and whether it fits the KMS key
	$(OPERATOR) signing status $(OPERATOR_STACK)

signer-csr: $(STAMP)  ## a certificate request for AGENCY=<code>, signed in KMS, to send to the CA
	$(OPERATOR) signing csr --agency "$(AGENCY)" $(OPERATOR_STACK)

signer-install: $(STAMP)  ## install AGENCY=<code>'s certificate chain CHAIN=<file.pem> issued for the KMS key
	$(OPERATOR) signing install --agency "$(AGENCY)" --chain "$(CHAIN)" $(OPERATOR_STACK)

signer-trust: $(STAMP)  ## install the trusted root certificates ROOTS=<file.pem> for verifying signatures
	$(OPERATOR) signing trust --roots "$(ROOTS)" $(OPERATOR_STACK)

replay: $(STAMP)  ## re-deliver stored events to CONSUMER: DOSSIER=<id>, or SINCE=<iso> [UNTIL=<iso>]
	$(if $(CONSUMER),,$(error usage: make replay CONSUMER=notifications DOSSIER=<id> | SINCE=<iso> UNTIL=<iso>))
	$(if $(DOSSIER)$(SINCE),,$(error make replay needs DOSSIER=<id> or SINCE=<iso> [UNTIL=<iso>]))
	$(OPERATOR) replay $(CONSUMER) $(if $(DOSSIER),--dossier $(DOSSIER)) $(if $(SINCE),--since $(SINCE)) \
		$(if $(UNTIL),--until $(UNTIL)) $(OPERATOR_STACK)
