"""A stream whose consumer vanishes (closed, collected, abandoned) frees the model; `rag.ask` is thread-safe.
The real llama.cpp backend with the small smollm2 model."""

from __future__ import annotations

import gc
import threading
import time

import pytest

import rag
from rag import startup
from rag.config import Settings
from rag.generation.llama_cpp import LlamaCppGenerator
from rag.generation.locked_stream import locked_stream
from rag.generation.prompts import answer_messages
from rag.types import Paper, Passage

pytestmark = pytest.mark.slow

SONA = Passage(1, Paper(doc_id="s", title="SONA", abstract="x", authors=()), 1.0, ("SONA reaches 88% AUROC.",))
LONG = answer_messages("Describe SONA in as much detail as you can, step by step, at length.", [SONA])


@pytest.fixture(scope="module")
def generator() -> LlamaCppGenerator:
    return LlamaCppGenerator("smollm2", Settings())


def free_within(lock: threading.Lock, seconds: float) -> float | None:
    """Seconds until `lock` could be taken (then released again), or None if not within `seconds`."""
    started = time.perf_counter()
    if not lock.acquire(timeout=seconds):
        return None
    lock.release()
    return time.perf_counter() - started


def test_a_closed_stream_frees_the_model_within_a_second(generator):
    stream = generator.stream(LONG, max_tokens=2000)
    assert next(stream)
    assert not generator._lock.acquire(blocking=False)  # generating: the worker holds it
    stream.close()
    assert free_within(generator._lock, 1.0) is not None


def test_a_garbage_collected_stream_frees_the_model_within_a_second(generator):
    stream = generator.stream(LONG, max_tokens=2000)
    assert next(stream)
    del stream
    gc.collect()
    assert free_within(generator._lock, 1.0) is not None


def test_an_abandoned_stream_never_keeps_the_model(generator):
    """A consumer that stops reading but keeps its reference (a stuck client) does not hold the lock: the worker
    finishes the answer and frees it (holding it across the yield would wait forever here)."""
    stream = generator.stream(LONG, max_tokens=64)
    assert next(stream)
    assert free_within(generator._lock, 60.0) is not None
    assert generator.yes_probability(answer_messages("Is SONA an OOD method?", [SONA])) >= 0.0
    rest = "".join(stream)  # what it generated meanwhile is still there for a consumer that comes back
    assert isinstance(rest, str)
    stream.close()


def test_a_stream_read_to_the_end_gives_the_same_text_as_before(generator):
    first = "".join(generator.stream(LONG, max_tokens=24))
    assert first == "".join(generator.stream(LONG, max_tokens=24))
    assert first.strip()


def test_an_error_while_generating_reaches_the_consumer():
    lock = threading.Lock()

    def failing():
        yield "a"
        raise ValueError("boom at token 2")

    stream = locked_stream(lock, failing)
    assert next(stream) == "a"
    with pytest.raises(ValueError, match="boom at token 2"):
        next(stream)
    assert free_within(lock, 1.0) is not None


def test_rag_ask_from_many_threads_at_once_builds_one_assistant_and_answers_all(monkeypatch, small_store):
    settings, _ = small_store
    monkeypatch.setenv("RAG_STORE_DIR", str(settings.store_dir))
    monkeypatch.setenv("RAG_MODEL", "smollm2")
    monkeypatch.setenv("RAG_MAX_NEW_TOKENS", "24")
    monkeypatch.setattr(rag, "_default", None)
    monkeypatch.setattr(rag, "_generation_checked", False)
    real_check = startup.check_startup

    def slow_check(*args, **kwargs):  # widen the window in which two threads could each build an assistant
        time.sleep(0.2)
        real_check(*args, **kwargs)

    monkeypatch.setattr(startup, "check_startup", slow_check)
    questions = [
        "How can a deep hashing model be trained with just one learning objective?",
        "What does BlackVIP adapt?",
        "Which papers study out-of-distribution detection?",
        "How are zero-shot models fine-tuned robustly?",
    ]
    assistants, answers, errors = [], [], []
    barrier = threading.Barrier(len(questions))

    def worker(question: str) -> None:
        barrier.wait()
        try:
            assistants.append(rag.default_assistant())
            answers.append(rag.ask(question))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == []
    assert len({id(a) for a in assistants}) == 1
    assert len(answers) == len(questions)
    assert {a.question for a in answers} == set(questions)
    assert len(assistants[0]._generators) == 1  # one model loaded for all of them


def test_loading_a_model_does_not_block_other_users_retrieval(monkeypatch, small_store):
    from rag import qa
    from tests.conftest import ScriptedGenerator

    settings, _ = small_store
    assistant = qa.Assistant(settings)
    assistant.retrieve("deep hashing")  # index and embedder built

    def slow_load(settings, name=None):  # a GGUF model loading from disk
        time.sleep(3.0)
        return ScriptedGenerator("x")

    monkeypatch.setattr(qa, "make_generator", slow_load)
    loader = threading.Thread(target=assistant.generator, args=("other",))
    loader.start()
    time.sleep(0.2)
    started = time.perf_counter()
    assistant.retrieve("deep hashing")
    waited = time.perf_counter() - started
    loader.join()
    assert waited < 1.0
