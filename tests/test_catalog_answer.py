"""Catalog answers through the Assistant: written from the records, each paper cited with its metadata line."""

from __future__ import annotations

import json

import pytest

from rag.catalog.llm import validated
from rag.catalog.query import parse
from rag.config import Settings
from rag.qa import Assistant
from rag.retrieval.index import PaperIndex
from rag.types import Answer, CatalogQuery
from tests.conftest import ScriptedGenerator
from tests.test_catalog_query import records, table

PROFILE = "002_87569abedee599f0.txt"
LISTING = "003_d49063e7f5512c84.txt"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> tuple[Assistant, ScriptedGenerator]:
    """A real store of the profile page and the second daily listing (real records), a scripted generator."""
    papers = [p for p in records() if PROFILE in p.sources or LISTING in p.sources]
    settings = Settings(store_dir=tmp_path_factory.mktemp("catalog-store"))
    index = PaperIndex(settings, create=True)
    index.write(papers, embedder)
    index.commit()
    generator = ScriptedGenerator("The scripted model answered [1].")
    return Assistant(settings, generator=generator), generator


def test_a_count_question_is_answered_from_the_records_without_the_model(assistant) -> None:
    bot, generator = assistant
    calls = len(generator.calls) + len(generator.probes)
    answer = bot.ask("How many papers have more than 10 authors?")
    expected = [p for p in records() if LISTING in p.sources and (p.author_count or 0) > 10]
    assert answer.answer.startswith(f"{len(expected)} papers in the collection match")
    assert {c.paper.doc_id for c in answer.citations} == {p.doc_id for p in expected}
    assert all(
        c.evidence.startswith("metadata: ") and "authors (names not listed)" in c.evidence for c in answer.citations
    )
    assert "(filtered: more than 10 authors)" in answer.answer
    assert len(generator.calls) + len(generator.probes) == calls  # the model wrote none of it


def test_a_catalog_question_mid_conversation_is_answered_from_the_records(assistant) -> None:
    bot, generator = assistant
    history = [("How does BlackVIP adapt a model without its parameters?", "It ... [1].", ["some-doc"])]
    calls = len(generator.calls) + len(generator.probes)
    answer = bot.ask("How many papers have more than 10 authors?", history=history)
    assert "(filtered: more than 10 authors)" in answer.answer
    assert len(generator.calls) + len(generator.probes) == calls
    referring = bot.ask("How many authors does it have?", history=history)  # refers back: the earlier paper's path
    assert referring.catalog is None


def test_first_author_answer_and_json_echo(assistant) -> None:
    bot, _ = assistant
    answer = bot.ask("Who is the first author of Geodesic Multi-Modal Mixup for Robust Fine-Tuning?")
    assert "is Changdae Oh" in answer.answer
    assert not answer.abstained
    assert "category CV" in answer.citations[0].evidence
    data = json.loads(json.dumps(answer.to_dict()))
    assert data["catalog"]["attribute"] == "first_author"
    assert data["catalog"]["described"] == "paper = Geodesic Multi-Modal Mixup for Robust Fine-Tuning"
    assert {"question", "answer", "abstained", "citations", "passages", "filters", "timings_ms", "models"} <= set(data)


def test_unknown_author_and_organization_are_said(assistant) -> None:
    bot, _ = assistant
    answer = bot.ask("Which papers by Geoffrey Hinton are in the collection?")
    assert answer.abstained
    assert not answer.citations
    assert not answer.passages
    assert "No paper in the collection lists an author named Geoffrey Hinton" in answer.answer
    org = bot.ask("Which papers come from Stanford University?")
    assert "lists an affiliation with Stanford University" in org.answer
    assert "cmu (2)" in org.answer


def test_an_empty_result_says_which_papers_could_not_be_checked(assistant) -> None:
    bot, _ = assistant
    answer = bot.ask("Which papers with code have exactly 2 authors?")
    assert answer.abstained
    assert "No paper in the collection matches exactly 2 authors, has code." in answer.answer
    assert "show no author count and could not be checked" in answer.answer


def test_content_questions_still_take_the_model_path(assistant) -> None:
    bot, generator = assistant
    before = len(generator.calls)
    answer = bot.ask("How does BlackVIP adapt a model without access to its parameters?")
    assert answer.catalog is None
    assert len(generator.calls) == before + 1


def test_model_proposed_values_must_exist_in_the_records() -> None:
    query = CatalogQuery()
    assert validated({"category": "RO", "organization": "MIT"}, query, table()) == query
    filled = validated({"category": "CV", "organization": "none"}, query, table())
    assert (filled.category, filled.organization, filled.parsed_by) == ("CV", None, "rules+llm")


def test_the_fallback_is_asked_only_for_cued_fields() -> None:
    query, cues = parse("Which papers come out of a Korean AI lab?", table())
    assert query is not None
    assert cues.organization
    assert not cues.category
    _, none = parse("Which papers have more than 6 authors?", table())
    assert not none.any()


def test_answer_json_has_no_catalog_for_other_answers() -> None:
    assert Answer("q", "a", False).to_dict()["catalog"] is None


def test_the_sources_panel_echoes_the_parsed_query(assistant) -> None:
    from ui import render

    bot, _ = assistant
    answer = bot.ask("Which papers list Changdae Oh as first author and have code?")
    html = render.sources_html(answer)
    assert "Answered from the catalog (rules), filtered: first author = Changdae Oh, has code" in html
    assert "metadata: " in html
    unknown = render.sources_html(bot.ask("Which papers by Geoffrey Hinton are in the collection?"))
    assert "not in the collection: author Geoffrey Hinton" in unknown
