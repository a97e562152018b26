# levier — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
SEED_ARGS ?=
export LEVIER_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-dev system-deps runtime-deps bench lint messages screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages: what levier loads (WeasyPrint's libraries, fonts), and for the tests Chromium
# and Dovecot too; no-op when present (scripts/install-system-deps.sh).
runtime-deps:
	@bash scripts/install-system-deps.sh runtime

system-deps:
	@bash scripts/install-system-deps.sh test

# The demo trusts the 2D-Docs its own test authority signs (levier.demo.twoddoc); nothing else does.
# It is the demo: its public secret key is accepted (elsewhere levier refuses to start with it).
demo: export LEVIER_DEMO = 1
demo: export LEVIER_2DDOC_TRUSTED_CERTIFICATES = FR00:$(LEVIER_VAR_DIR)/demo-2ddoc/demo-2ddoc-cert.pem
demo: install runtime-deps
	$(BIN)/levier migrate --noinput
	$(BIN)/levier seed $(SEED_ARGS)
	@bash scripts/run-demo.sh "$(BIN)" "$(HOST)" "$(PORT)"

test: install-dev system-deps
	$(BIN)/levier makemigrations --check --dry-run
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: install-dev
	$(BIN)/python bench/queue.py $(BENCH_ARGS)
	$(BIN)/python bench/intake.py $(BENCH_ARGS)
	$(BIN)/python bench/documents.py $(BENCH_ARGS)
	$(BIN)/python bench/controls.py $(BENCH_ARGS)
	$(BIN)/python bench/uploads.py $(BENCH_ARGS)
	$(BIN)/python bench/ocr_certainty.py $(BENCH_ARGS)
	$(BIN)/python bench/mining.py $(BENCH_ARGS)
	$(BIN)/python bench/insights.py $(BENCH_ARGS)
	$(BIN)/python bench/dashboards.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Regenerate the French catalogue (needs Debian's gettext); the compiled .mo is committed.
messages: install-dev
	cd src/levier && ../../$(BIN)/levier makemessages -l fr --no-obsolete -i "demo/data/*" && ../../$(BIN)/levier compilemessages -l fr

screenshots: install-dev system-deps
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
