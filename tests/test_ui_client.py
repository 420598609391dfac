"""The served app driven over HTTP with gradio_client: ask, stream, sources, history, queueing, corpus, upload."""

from __future__ import annotations

import re
import threading

import pytest
from gradio_client import Client, handle_file

from rag.config import Settings
from tests import ui_fakes
from tests.ui_fakes import RecordingAssistant, serve, write_jsonl
from ui.app import build_app

pytestmark = pytest.mark.slow

QUESTION = "How does BlackVIP adapt a pre-trained model without access to its parameters?"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app over the real Assistant (fast 0.5B model) and a store of a seed subset, on a free port."""
    assistant, settings = ui_fakes.real_assistant(tmp_path_factory, "ui-client")  # or ui_fakes.fake_assistant
    recorder = RecordingAssistant(assistant)
    with serve(build_app(recorder, settings)) as url:
        yield url, recorder, settings


def ask(client: Client, question: str, model: str, **options) -> list[tuple]:
    """Every streamed update of one question: (messages, sources html, textbox)."""
    job = client.submit(
        question,
        options.get("year_from", ""),
        options.get("year_to", ""),
        options.get("author", ""),
        options.get("k", 10),
        model,
        api_name="/ask",
    )
    updates = list(job)
    assert job.status().success
    return updates


def text_of(message: dict) -> str:
    return "".join(part.get("text", "") for part in message["content"])


def test_answer_streams_in_and_its_markers_match_the_sources(app):
    url, recorder, settings = app
    updates = ask(Client(url, verbose=False), QUESTION, settings.model)
    assert len(updates) >= 3  # pending, streamed text, final
    assert any("rag-streaming" in text_of(u[0][-1]) for u in updates)
    messages, sources, textbox = updates[-1]
    assert textbox == ""
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = text_of(messages[-1])
    assert "rag-answer" in answer, answer  # this seed question is answerable: cited, not abstained
    markers = set(re.findall(r'<span class="rag-cite">\[(\d+)\]</span>', answer))
    assert markers
    badges = set(re.findall(r'<span class="rag-badge">\[(\d+)\]</span>', sources))
    assert markers <= badges
    assert "BlackVIP" in sources
    assert "<mark>" in sources
    assert "002_87569abedee599f0.txt" in sources
    assert recorder.calls[-1]["stream"] is True


def test_follow_up_sends_the_conversation(app):
    url, recorder, settings = app
    client = Client(url, verbose=False)
    _, sources, _ = ask(client, QUESTION, settings.model)[-1]
    messages, _, _ = ask(client, "What are its two components?", settings.model)[-1]
    assert len(messages) == 4
    history = recorder.calls[-1]["history"]
    assert len(history) == 1
    question, answer, papers = history[0]  # the checked answer and the papers it cites resolve "its"
    assert question == QUESTION
    assert answer
    cited = re.findall(r'<span class="rag-badge">\[\d+\]</span>', sources)
    assert len(papers) == len(cited)
    assert all(f'data-doc-id="{doc_id}"' in sources for doc_id in papers)


def test_unanswerable_question_is_a_notice_with_the_closest_papers(app):
    url, _, settings = app
    messages, sources, _ = ask(
        Client(url, verbose=False), "What is the boiling point of iron on Mars?", settings.model
    )[-1]
    assert "rag-abstain" in text_of(messages[-1])
    assert "The collection does not answer this question. Closest papers" in sources


def test_controls_and_recognised_filters(app):
    url, recorder, settings = app
    _, sources, _ = ask(Client(url, verbose=False), QUESTION, settings.model, year_from="2022", author="Oh", k=4)[-1]
    call = recorder.calls[-1]
    assert (call["year_from"], call["author"], call["k"]) == (2022, "Oh", 4)
    assert '<span class="rag-chip">from 2022</span>' in sources
    assert '<span class="rag-chip">author: Oh</span>' in sources


def test_two_users_at_once_are_queued_and_both_answered(app):
    url, recorder, settings = app
    results: dict[int, list[tuple]] = {}

    def user(i: int) -> None:
        results[i] = ask(Client(url, verbose=False), f"{QUESTION} ({i})", settings.model)

    recorder.max_active = 0
    threads = [threading.Thread(target=user, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert sorted(results) == [0, 1]
    for i, updates in results.items():
        messages = updates[-1][0]
        assert text_of(messages[0]).endswith(f"({i})</div>")
        assert "rag-streaming" not in text_of(messages[-1])
    assert recorder.max_active == 1  # one LLM: the second question waited in the queue


def test_corpus_overview_and_title_search(app):
    url, _, _ = app
    client = Client(url, verbose=False)
    overview = client.predict(api_name="/corpus")
    assert "papers indexed" in overview
    assert "<code>002_87569abedee599f0.txt</code>" in overview
    found = client.predict("BlackVIP", api_name="/search_titles")
    assert "BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning" in found
    found = client.predict("script", api_name="/search_titles")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found
    assert "<script" not in found


def papers_total(overview: str) -> int:
    return int(re.search(r"<strong>(\d+)</strong> papers indexed", overview).group(1))


def test_upload_ingests_a_file_and_rejects_a_bad_one(app, tmp_path):
    url, _, _ = app
    client = Client(url, verbose=False)
    before = papers_total(client.predict(api_name="/corpus"))
    good = write_jsonl(
        tmp_path / "my_papers.jsonl",
        [
            {
                "title": "Quantum annealing schedules for protein folding",
                "abstract": "We study quantum annealing schedules for protein folding. Adaptive ones halve the error.",
                "authors": ["Ada Lovelace"],
                "year": 2021,
            }
        ],
    )
    status, overview = client.predict(handle_file(str(good)), api_name="/upload")
    assert "<strong>my_papers.jsonl</strong> ingested: 1 added" in status
    assert papers_total(overview) == before + 1
    assert "<code>my_papers.jsonl</code>" in overview
    found = client.predict("protein folding", api_name="/search_titles")
    assert "Quantum annealing schedules for protein folding" in found

    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"title": "Fine", "abstract": "A fine abstract about things."}\n{not json\n')
    status, overview = client.predict(handle_file(str(bad)), api_name="/upload")
    assert "rejected" in status.lower()
    assert "the store is unchanged" in status.lower()
    assert "broken.jsonl" in status
    assert papers_total(overview) == before + 1


def test_missing_store_is_a_readable_message_and_the_app_keeps_working(tmp_path):
    from rag import Assistant

    settings = Settings(store_dir=tmp_path / "no-index-here", model="smollm2")
    with serve(build_app(Assistant(settings), settings)) as url:
        client = Client(url, verbose=False)
        for attempt in range(2):
            messages, sources, _ = ask(client, QUESTION, settings.model)[-1]
            assert len(messages) == 2 * (attempt + 1)
            assert "No index found" in text_of(messages[-1])
            assert "python -m ingest" in text_of(messages[-1])
            assert "rag-error" in sources
        assert "No index yet" in client.predict(api_name="/corpus")
    assert not settings.store_dir.exists()
