"""The chat's "Export citations (.bib)": one answer's cited papers or the whole conversation's, as a .bib file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gradio_client import Client

from rag.config import Settings
from tests.ui_fakes import FakeAssistant, serve
from ui import export, handlers
from ui.app import build_app


def chat(assistant: FakeAssistant, questions: list[str]) -> list[dict]:
    """Turns as the app keeps them: each question asked through the capture, the newest turn given its papers."""
    turns: list[dict] = []
    settings = Settings()
    for question in questions:
        capture = export.AnswerCapture(assistant)
        for _, _, updated, _ in handlers.chat_turn(capture, settings, question, turns):
            shown = export.with_cited(updated, capture.answer)
        turns = shown
    return turns


def keys_in(text: str) -> list[str]:
    return re.findall(r"^@misc\{([^,]+),$", text, flags=re.M)


def test_each_turn_keeps_its_cited_papers_and_one_answer_or_the_conversation_is_exported(tmp_path):
    turns = chat(FakeAssistant(), ["What are BlackVIP's components?", "Is there life on Mars?", "What is BlackVIP?"])
    assert [len(t.get("cited", [])) for t in turns] == [1, 0, 2]
    newest = Path(export.bib_file(turns, export.ANSWER, None, tmp_path) or "")
    assert newest.name == "paper-qa-answer-3.bib"
    assert keys_in(newest.read_text()) == ["2303.14773", "bevilb2024scriptalert1"]
    assert "eprint = {2303.14773}" in newest.read_text()
    first = Path(export.bib_file(turns, export.ANSWER, 0, tmp_path) or "")
    assert keys_in(first.read_text()) == ["2303.14773"]
    assert export.bib_file(turns, export.ANSWER, 1, tmp_path) is None  # the abstained turn cites nothing
    everything = Path(export.bib_file(turns, export.CONVERSATION, 1, tmp_path) or "")
    assert everything.name == "paper-qa-conversation.bib"
    assert keys_in(everything.read_text()) == ["2303.14773", "bevilb2024scriptalert1"]  # each paper once
    assert r"\ensuremath{<}script\ensuremath{>}" in everything.read_text()  # markup is escaped text, not LaTeX
    assert export.bib_file([], export.CONVERSATION, None, tmp_path) is None


def test_a_failed_turn_has_nothing_to_export(tmp_path):
    from rag.errors import GenerationError

    turns = chat(FakeAssistant(error=GenerationError("the model crashed")), ["What is BlackVIP?"])
    assert turns[-1]["ok"] is False
    assert "cited" not in turns[-1]
    assert export.bib_file(turns, export.ANSWER, None, tmp_path) is None


@pytest.mark.slow
def test_the_served_app_offers_the_bib_file_for_download():
    settings = Settings()
    with serve(build_app(FakeAssistant(), settings)) as url:
        client = Client(url, verbose=False)
        client.predict("What is BlackVIP?", "", "", "", 10, settings.model, api_name="/ask")
        both = client.predict(export.CONVERSATION, api_name="/export_citations")
        path = Path(both["value"] if isinstance(both, dict) else both)
        assert path.name == "paper-qa-conversation.bib"
        assert keys_in(path.read_text()) == ["2303.14773", "bevilb2024scriptalert1"]
