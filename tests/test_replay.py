"""Replayable answers: the record each Answer carries, re-running it, and saying what changed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from rag import replay
from rag.config import Settings
from rag.errors import ConfigError
from rag.evidence.answerability import FEATURES, AnswerabilityModel
from rag.models import SPECS
from rag.qa import Assistant
from rag.retrieval.index import PaperIndex
from tests.conftest import ScriptedGenerator, title_line_papers

HASHING_Q = "How can a deep hashing model be trained with just one learning objective?"
HASHING_A = "A single cosine similarity objective is enough for deep hashing [1]."
ALWAYS_ANSWER = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=0.5)


@pytest.fixture
def own_store(tmp_path, embedder):
    """A store this test may change: 12 real abstracts."""
    settings = Settings(store_dir=tmp_path / "store")
    index = PaperIndex(settings, create=True)
    index.write(title_line_papers(12), embedder)
    index.commit()
    return settings


def scripted(settings: Settings, reply: str = HASHING_A) -> tuple[Assistant, ScriptedGenerator]:
    generator = ScriptedGenerator(reply)
    assistant = Assistant(settings, generator=generator)
    assistant._answerability = ALWAYS_ANSWER
    return assistant, generator


def test_each_answer_records_model_corpus_settings_and_the_hash_of_the_prompt_the_model_read(own_store):
    assistant, generator = scripted(own_store.model_copy(update={"model": "fast"}))
    answer = assistant.ask(HASHING_Q, k=5)
    record = answer.to_dict()["replay"]
    assert record == answer.replay
    assert json.loads(json.dumps(record)) == record  # plain JSON
    assert record["generator"]["sha256"] == SPECS["qwen2.5-coder-0.5b"].sha256
    assert record["settings"]["model"] == "fast"
    assert record["settings"]["k"] == 10
    assert record["options"]["k"] == 5
    assert record["settings"]["evidence_sentences"] == own_store.evidence_sentences
    assert record["embedder"] == "all-minilm-l6-v2"
    assert record["store"]["papers"] == 12
    assert record["store"]["revision"] == PaperIndex(own_store).store.revision()
    # the hash is of the exact messages the model was given to draft the answer
    sent = hashlib.sha256(json.dumps(generator.calls[-1], ensure_ascii=False).encode()).hexdigest()
    assert record["prompt_sha256"] == sent
    other = assistant.ask("Which papers study speech recognition?")
    assert other.replay is not None
    assert other.replay["prompt_sha256"] not in (None, sent)


def test_a_replay_of_an_unchanged_answer_is_identical_and_follow_ups_keep_their_history(own_store):
    assistant, generator = scripted(own_store)
    first = assistant.ask(HASHING_Q)
    history = [(HASHING_Q, first.answer, tuple(first.cited_doc_ids))]
    answer = assistant.ask("What does it compare against?", history=history)
    data = json.loads(json.dumps(answer.to_dict()))
    result = replay.rerun(assistant, data)
    assert result.identical
    assert result.changes == {}
    assert generator.calls[-1] == generator.calls[-2]  # the same prompt, history included
    assert replay.report(result).splitlines()[:3] == ["text: identical", "model: same", "corpus: same"]


def test_a_changed_corpus_settings_and_text_are_named(own_store, embedder):
    assistant, _ = scripted(own_store)
    data = json.loads(json.dumps(assistant.ask(HASHING_Q).to_dict()))
    index = PaperIndex(own_store)
    index.write(title_line_papers(14)[12:], embedder)  # two more papers
    index.commit()
    index.close()
    settings = replay.replay_settings(data["replay"], own_store, {"evidence_sentences": 2})
    changed, _ = scripted(settings, reply="Deep hashing needs one objective [1].")
    result = replay.rerun(changed, data)
    assert not result.identical
    assert set(result.changes) >= {"corpus", "settings", "prompt"}
    assert "model" not in result.changes
    assert any(line.startswith("store.papers: 12 -> 14") for line in result.changes["corpus"])
    assert result.changes["settings"] == ["settings.evidence_sentences: 6 -> 2"]
    text = replay.report(result)
    assert "text: changed" in text
    assert "-A single cosine similarity objective is enough for deep hashing [1]." in text
    assert "+Deep hashing needs one objective [1]." in text


def test_recorded_settings_win_over_the_environment_but_not_over_explicit_overrides(tmp_path):
    recorded = {"settings": {"k": 4, "evidence_words": 90, "model": "fast", "store_dir": "/elsewhere"}}
    base = Settings(store_dir=tmp_path, k=12)
    settings = replay.replay_settings(recorded, base, {"model": "smollm2"})
    assert (settings.k, settings.evidence_words, settings.model) == (4, 90, "smollm2")
    assert settings.store_dir == tmp_path  # where the store is now, not where it was


def test_a_file_without_a_replay_record_is_refused_with_the_fix(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(ConfigError, match=r"nope\.json.*--json"):
        replay.load(missing)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"question": "q", "answer": "a"}))
    with pytest.raises(ConfigError, match="has no replay record"):
        replay.load(old)


def test_the_prompt_hash_is_none_when_the_model_read_nothing(own_store):
    assistant, _ = scripted(own_store)
    answer = assistant.ask(HASHING_Q)
    assert replay.prompt_sha256(answer) is not None
    assert replay.prompt_sha256(replace(answer, passages=())) is None


def run_rag(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_cli_replay_with_a_real_small_model(lab_store, tmp_path):
    question = "What AUROC does the SONA framework reach on near-OOD datasets?"
    store = ["--store", str(lab_store.store_dir)]
    out = run_rag(question, "--json", *store, "--model", "smollm2")
    assert out.returncode == 0, out.stderr
    saved = tmp_path / "answer.json"
    saved.write_text(out.stdout)
    data = json.loads(out.stdout)
    assert data["replay"]["settings"]["model"] == "smollm2"
    assert len(data["replay"]["generator"]["sha256"]) == 64

    again = run_rag("--replay", str(saved), *store)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[0] == "text: identical"
    assert "model: same" in again.stdout
    assert "settings: same" in again.stdout

    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**data, "answer": "Something else entirely."}))
    changed = run_rag("--replay", str(tampered), *store, "--k", "2", "--json")
    assert changed.returncode == 3, changed.stderr
    result = json.loads(changed.stdout)
    assert result["identical"] is False
    assert result["old_answer"] == "Something else entirely."
    assert "options.k: null -> 2" in result["changes"]["settings"]

    assert run_rag("--replay", str(tmp_path / "missing.json")).returncode == 2
    assert run_rag("a question", "--replay", str(saved)).returncode == 2
