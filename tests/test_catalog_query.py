"""The catalog parser and table on the really parsed bundled records: questions about the collection itself."""

from __future__ import annotations

from functools import cache

import pytest

from ingest.merge import merge_entries
from ingest.parsers import iter_entries
from rag.author_names import same_person, split_name
from rag.catalog_query import parse
from rag.catalog_table import CatalogTable
from rag.types import CatalogQuery, Paper
from tests.conftest import SEEDS


@cache
def records() -> tuple[Paper, ...]:
    paths = sorted(SEEDS.glob("*.txt"))
    return tuple(p for p in merge_entries(lambda: iter_entries(paths)) if isinstance(p, Paper))


@cache
def table() -> CatalogTable:
    return CatalogTable(records())


def selected(question: str) -> tuple[CatalogQuery, list[Paper]]:
    query, _ = parse(question, table())
    assert query is not None, f"not read as a catalog question: {question}"
    return query, [table().papers[r] for r in table().select(query).rows]


def test_listing_fields_the_records_used_to_drop_are_kept() -> None:
    papers = records()
    yue = next(p for p in papers if p.title and p.title.startswith("YuE:"))
    assert (yue.author_count, yue.upvotes) == (57, 3)  # "• 57 authors" and "Mar 11 3" on the daily listing
    assert sum(p.upvotes is not None for p in papers) == 13


@pytest.mark.parametrize(
    ("written", "listed", "same"),
    [
        ("J. Doe", "Jane Doe", True),
        ("Doe, Jane", "Jane Doe", True),
        ("Jane Doé", "Jane Doe", True),
        ("Heeyoung Lee", "Hee-young Lee", True),
        ("H.-Y. Lee", "Hee-young Lee", True),
        ("Song Kyungwoo", "Kyungwoo Song", True),
        ("John Doe", "Jane Doe", False),
        ("J. Smith", "Jane Doe", False),
    ],
)
def test_name_variants(written: str, listed: str, same: bool) -> None:
    asked, found = split_name(written), split_name(listed)
    assert asked is not None
    assert found is not None
    assert same_person(asked, found) is same


def test_author_count_comparisons_use_exact_counts_and_lower_bounds() -> None:
    query, papers = selected("Which papers have more than 40 authors?")
    assert (query.authors_min, query.authors_max) == (41, None)
    assert sorted(p.author_count for p in papers) == [43, 47, 57]
    _, single = selected("Which papers were written by one person?")
    assert single
    assert all(p.author_count == 1 or len(p.authors) == 1 for p in single)
    # "3 names et al." + the profile owner: at least 4, so it answers "more than 3" but never "exactly 4"
    _, exactly = selected("Which papers have exactly 4 authors?")
    assert not any(p.authors_truncated for p in exactly)


def test_superlatives_keep_only_papers_with_the_field_and_say_how_many_lack_it() -> None:
    query, oldest = selected("What is the earliest paper in the collection?")
    assert query.order == "oldest"
    assert query.limit == 1
    assert [p.date for p in oldest] == ["2014-11-10"]
    selection = table().select(query)
    assert selection.unknown_counts["date"] == sum(p.year is None for p in records())
    _, top = selected("Which paper got the most upvotes?")
    assert [p.upvotes for p in top] == [4]
    _, three = selected("Give me the 3 newest papers.")
    assert len(three) >= 3
    assert three[0].date >= three[-1].date


def test_author_position_and_variants_against_real_records() -> None:
    query, papers = selected("Which papers list C. Oh as first author?")
    assert query.author_position == "first"
    assert papers
    assert all(p.authors[0] == "Changdae Oh" for p in papers)
    _, lowercase = selected("Which papers were written by hoyoon byun?")
    assert len(lowercase) == 6
    _, last = selected("Which papers have Il-Chul Moon as the last author?")
    assert {p.authors[-1] for p in last} == {"Il-Chul Moon"}
    assert not any(p.authors_truncated for p in last)


def test_unknown_values_are_said_not_dropped() -> None:
    query, _ = parse("Which papers by Geoffrey Hinton are in the collection?", table())
    assert query is not None
    assert query.unknown == ("author Geoffrey Hinton",)
    query, _ = parse("Which papers come from Stanford University?", table())
    assert query is not None
    assert query.unknown == ("organization Stanford University",)
    query, _ = parse("List the robotics papers.", table())
    assert query is not None
    assert query.unknown == ("category RO",)


def test_category_code_organization_and_source() -> None:
    query, papers = selected("Which computer vision papers release their code?")
    assert (query.category, query.has_code) == ("CV", True)
    assert papers
    assert all(p.category == "CV" and p.has_code for p in papers)
    _, cmu = selected("Which papers have authors at Carnegie Mellon?")
    assert cmu
    assert all("cmu" in p.affiliations for p in cmu)
    query, both = selected("Which papers are in both 003_d49063e7f5512c84.txt and 004_3699ef32a6941384.txt?")
    assert query.source == "003_d49063e7f5512c84.txt & 004_3699ef32a6941384.txt"
    assert both
    assert all(len(p.sources) == 2 for p in both)


def test_dates_ranges_and_months() -> None:
    query, _ = selected("Which papers appeared after 2024?")
    assert (query.date_from, query.date_to) == ("2025", None)
    query, march = selected("Which papers were published in March 2023?")
    assert (query.date_from, query.date_to) == ("2023-03", "2023-03")
    assert march
    assert all(p.date.startswith("2023-03") for p in march)
    query, _ = selected("Which papers were published before May 2020?")
    assert query.date_to == "2020-04"


def test_attribute_questions_name_one_paper() -> None:
    query, papers = selected("Who is the lead author of Bivariate Beta-LSTM?")
    assert (query.intent, query.attribute) == ("attribute", "first_author")
    assert [p.title for p in papers] == ["Bivariate Beta-LSTM"]


@pytest.mark.parametrize(
    "question",
    [
        "What speedups for DeiT-B does the block-structured pruning of vision transformers reach?",
        "Which paper proposes a watermarking scheme for text generated by large language models?",
        "What did Changdae Oh propose for robust fine-tuning?",
        "Which papers from 2023 discuss prompt tuning?",
        "Which papers improve accuracy by pruning weights?",
        "Which papers use Conditional Masked Units?",
    ],
)
def test_content_questions_stay_with_retrieval(question: str) -> None:
    assert parse(question, table())[0] is None


def test_selection_is_fast_at_scale() -> None:
    """A 100k-paper table: filters and sorts are numpy masks, well under the 200 ms target."""
    import time

    many = CatalogTable([p for _ in range(160) for p in records()])  # 100,480 rows
    query, _ = parse("Which papers with code have more than 3 authors, newest first?", table())
    assert query is not None
    started = time.perf_counter()
    selection = many.select(query)
    assert (time.perf_counter() - started) < 0.2
    assert selection.total == 160 * len(table().select(query).rows)
