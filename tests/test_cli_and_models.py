"""The question CLI's JSON contract and real local models end to end."""

import json
import subprocess
import sys

import pytest

from rag.qa import Assistant

SONA_Q = "What AUROC does the SONA framework reach on near-OOD datasets?"


def run_rag(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_json_contract_with_a_real_small_model(lab_store):
    out = run_rag(SONA_Q, "--json", "--store", str(lab_store.store_dir), "--model", "smollm2", "--k", "5")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {
        "question", "answer", "abstained", "quoted", "dropped_claims", "answerability", "citations", "passages",
        "filters", "timings_ms", "models", "catalog", "replay",
    }  # fmt: skip
    assert data["question"] == SONA_Q
    assert isinstance(data["answer"], str)
    assert data["answer"]
    assert isinstance(data["abstained"], bool)
    assert len(data["passages"]) == 5
    assert data["passages"][0]["rank"] == 1
    assert "AUROC of 88%" in data["passages"][0]["text"]  # the evidence sentence the LLM read answers the question
    assert data["filters"] == {"year_from": None, "year_to": None, "author": None, "source": None, "paper": None}
    assert data["models"] == {"embedder": "all-minilm-l6-v2", "generator": "smollm2-135m"}
    assert data["timings_ms"]["total"] >= data["timings_ms"]["retrieve"] > 0
    for citation in data["citations"]:
        assert set(citation) == {"n", "doc_id", "title", "authors", "year", "sources", "evidence"}
        assert citation["title"].startswith("Untitled: ")  # lab-page papers are cited by a descriptor


@pytest.mark.slow
def test_fast_model_answers_with_a_verified_citation(lab_store):
    answer = Assistant(lab_store.model_copy(update={"model": "fast"})).ask(SONA_Q)
    assert not answer.abstained
    assert "88" in answer.answer
    assert "[1]" in answer.answer
    assert "SONA" in answer.citations[0].paper.abstract
    assert "88%" in answer.citations[0].evidence


def test_cli_errors_are_clear(tmp_path):
    out = run_rag("anything?", "--store", str(tmp_path / "none"))
    assert out.returncode == 1
    assert "python -m ingest" in out.stderr
    assert "Traceback" not in out.stderr
    out = run_rag("   ", "--store", str(tmp_path / "none"))
    assert out.returncode == 1
    assert "empty" in out.stderr
    out = run_rag("q", "--k", "0")
    assert out.returncode == 2


def test_unknown_model_is_a_clear_error(lab_store):
    out = run_rag(SONA_Q, "--store", str(lab_store.store_dir), "--model", "not-a-model")
    assert out.returncode == 1
    assert "Unknown model 'not-a-model'" in out.stderr
    assert "Traceback" not in out.stderr
