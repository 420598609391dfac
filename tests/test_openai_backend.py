"""RAG_BACKEND=openai against a real llama-cpp-python server on loopback: streaming QA, clear errors when it fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from rag import models
from rag.config import Settings
from rag.errors import GenerationError
from rag.generation.openai_http import OpenAIGenerator
from rag.qa import Assistant
from rag.types import Answer, Retrieved
from tests.conftest import ROOT
from tests.servers import free_port, running

ALIAS = "smollm2-135m-instruct"  # the name the server lists at /v1/models
QUESTION = "What is EXAONE 3.0?"  # answerable from the lab page: clears the abstention threshold


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    """`python -m llama_cpp.server` with SmolLM2-135M on a free loopback port; yields its /v1 URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(models.path("smollm2"))]
    command += ["--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    command += ["--n_threads", "2"]
    base = f"http://127.0.0.1:{port}/v1"
    with running(command, f"{base}/models", log, timeout_s=120):
        yield base, log


def openai_settings(store: Settings, base_url: str, **extra) -> Settings:
    return Settings(store_dir=store.store_dir, chroma_url=None, backend="openai", openai_base_url=base_url, **extra)


def test_streaming_answer_through_the_server(llm_server, lab_store):
    base, log = llm_server
    assistant = Assistant(openai_settings(lab_store, base, max_new_tokens=48))
    items = list(assistant.ask(QUESTION, stream=True))
    retrieved, deltas, answer = items[0], items[1:-1], items[-1]
    assert isinstance(retrieved, Retrieved)
    assert [p.paper.doc_id for p in retrieved.passages] == [p.paper.doc_id for p in answer.passages]
    assert isinstance(answer, Answer)
    assert deltas, "no text came through the stream"
    assert all(isinstance(d, str) for d in deltas)
    assert "".join(deltas).strip()
    assert answer.models["generator"] == ALIAS
    assert answer.timings_ms["first_token"] > 0
    assert answer.passages[0].used
    assert "POST /v1/chat/completions" in log.read_text()
    if not answer.abstained:
        assert {c.n for c in answer.citations} <= set(range(1, len(answer.passages) + 1))


def test_cli_answers_through_the_server(llm_server, lab_store):
    """`RAG_BACKEND=openai python -m rag --json` uses the server with no code change."""
    base, _ = llm_server
    env = {k: v for k, v in os.environ.items() if k != "RAG_CHROMA_URL"}
    env.update(RAG_BACKEND="openai", RAG_OPENAI_BASE_URL=base, RAG_MAX_NEW_TOKENS="48")
    done = subprocess.run(
        [sys.executable, "-m", "rag", QUESTION, "--json", "--store", str(lab_store.store_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["models"]["generator"] == ALIAS


def test_dead_server_fails_clearly_after_the_retries(lab_store):
    base = f"http://127.0.0.1:{free_port()}/v1"
    assistant = Assistant(openai_settings(lab_store, base, openai_retries=2, openai_timeout_s=5))
    started = time.monotonic()
    with pytest.raises(GenerationError, match=r"127\.0\.0\.1.*failed after 3 attempt\(s\)"):
        assistant.ask(QUESTION)
    assert time.monotonic() - started < 60  # retrieval plus 0.5 s + 1 s of backoff, not the 5 s timeouts


def test_http_errors_are_not_retried_and_say_what_to_check(llm_server):
    base, _ = llm_server
    wrong = base.removesuffix("/v1") + "/v2"  # a real server answering 404
    generator = OpenAIGenerator(Settings(backend="openai", openai_base_url=wrong, openai_retries=3))
    assert generator.name == "local"  # nothing listed at the wrong URL: the configured name is sent
    started = time.monotonic()
    with pytest.raises(GenerationError, match=r"HTTP 404.*RAG_OPENAI_BASE_URL"):
        list(generator.stream([{"role": "user", "content": "hi"}], 8))
    assert time.monotonic() - started < 3  # no backoff: a 404 does not get better


def test_configured_model_name_is_sent_as_is(llm_server):
    base, _ = llm_server
    generator = OpenAIGenerator(Settings(backend="openai", openai_base_url=base, openai_model="my-model"))
    assert generator.name == "my-model"
    text = "".join(generator.stream([{"role": "user", "content": "Say hello."}], 8))
    assert text.strip()
