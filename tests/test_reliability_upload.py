"""An upload through the real UI is searchable in the UI process before it says "added" (real Chroma, embedder)."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from gradio_client import Client, handle_file

from rag import Assistant
from rag.config import Settings
from tests.ui_fakes import serve
from ui import handlers, upload
from ui.app import build_app

pytestmark = pytest.mark.slow

NEW = {
    "title": "Quantum annealing schedules for protein folding",
    "abstract": "We study quantum annealing schedules for protein folding. Adaptive schedules halve the folding "
    "error on lattice proteins compared with linear ones.",
    "authors": ["Ada Lovelace"],
    "year": 2021,
}
QUESTION = "Which quantum annealing schedules halve the protein folding error?"


@pytest.fixture
def assistant(lab_store, tmp_path):
    """A dense-only assistant over a copy of the lab store, with its vector index already loaded in memory."""
    store = tmp_path / "store"
    shutil.copytree(lab_store.store_dir, store)
    settings = Settings(store_dir=store, model="smollm2")
    assistant = Assistant(settings, mode="dense")  # dense only: the keyword index cannot hide a stale vector index
    assert NEW["title"] not in {p.paper.title for p in assistant.retrieve(QUESTION, k=3)}
    return assistant, settings


def test_uploaded_paper_is_found_by_the_ui_process(assistant, tmp_path):
    assistant, settings = assistant
    source = tmp_path / "annealing.jsonl"
    source.write_text(json.dumps(NEW) + "\n")
    with serve(build_app(assistant, settings)) as url:
        client = Client(url, verbose=False)
        status, overview = client.predict(handle_file(str(source)), api_name="/upload")
        assert "<strong>annealing.jsonl</strong> ingested: 1 added" in status, status
        assert "<code>annealing.jsonl</code>" in overview
        job = client.submit(QUESTION, "", "", "", 5, settings.model, api_name="/ask")
        _, sources, _ = list(job)[-1]
    assert NEW["title"] in sources  # the UI's own retrieval (dense) found it
    top = assistant.retrieve(QUESTION, k=3)
    assert top[0].paper.title == NEW["title"]
    assert len(assistant.index.store.content_hashes()) == 11


def test_without_reopening_the_ui_process_would_not_find_it(assistant, tmp_path, monkeypatch):
    """The failure the reopen prevents: embedded Chroma keeps the vector index this process loaded."""
    assistant, settings = assistant
    monkeypatch.setattr(upload, "reopen", lambda a: a.reload())  # the old behaviour: drop the index, keep the client
    source = tmp_path / "annealing.jsonl"
    source.write_text(json.dumps(NEW) + "\n")
    with serve(build_app(assistant, settings)) as url:
        status, _ = Client(url, verbose=False).predict(handle_file(str(source)), api_name="/upload")
    assert "not found by search in this app yet" in status, status  # said, instead of a false "added"
    assert NEW["title"] not in {p.paper.title for p in assistant.retrieve(QUESTION, k=3)}


def test_a_failed_ingest_says_whether_the_store_changed(assistant, tmp_path, monkeypatch):
    """A crash message promises "unchanged" only when the store's papers are the same as before the run."""
    assistant, settings = assistant
    source = tmp_path / "annealing.jsonl"
    source.write_text(json.dumps(NEW) + "\n")
    real = handlers.ingest_command(source, settings)

    def crash_after(command: list[str]) -> None:  # run `command`, then fail as a killed or crashed run would
        script = f"import subprocess, sys; subprocess.run({command!r}, capture_output=True); sys.exit('MemoryError')"
        monkeypatch.setattr(handlers, "ingest_command", lambda path, settings: [sys.executable, "-c", script])

    crash_after([sys.executable, "-c", "pass"])  # fails before writing anything
    status, _ = list(handlers.ingest_file(assistant, settings, str(source), poll_s=0.05))[-1]
    assert "Rejected: annealing.jsonl: MemoryError" in status
    assert "The store is unchanged." in status

    crash_after(real)  # fails after the real ingest wrote the paper
    status, _ = list(handlers.ingest_file(assistant, settings, str(source), poll_s=0.05))[-1]
    assert "The store is unchanged." not in status
    assert "The run stopped part-way after writing 1 paper(s); upload the file again to complete it." in status
