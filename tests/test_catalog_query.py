"""The catalog parser and table on the really parsed bundled records: questions about the collection itself."""

from __future__ import annotations

from functools import cache

import pytest

from ingest.merge import merge_entries
from ingest.parsers import iter_entries
from rag.catalog.query import parse
from rag.catalog.table import CatalogTable
from rag.text.author_names import same_person, split_name
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
        ("Ludwig van Beethoven", "L. van Beethoven", True),
        ("Nguyen", "Van Nguyen", True),  # a particle-like given name is not glued to the family name
        ("Dai", "Bin Dai", True),
        ("J. Smith", "John Smith Jr.", True),  # a suffix is neither family nor given name
        ("John Smith", "Smith, Jr., John", True),
        ("Jane Smith", "Smith, Jr., John", False),
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


def with_any_organization(*values: str) -> set[str]:
    return {p.doc_id for p in records() if {p.organization, *p.affiliations} & set(values)}


@pytest.mark.parametrize(
    ("question", "organizations"),
    [
        # affiliation wording frames the question, it is no topic
        ("Which papers bear an Adobe affiliation?", ("Adobe",)),
        ("Which works hold a UW affiliation?", ("uw",)),
        ("Which papers carry a Carnegie Mellon affiliation?", ("cmu",)),
        # several organizations joined by "/", ",", "or", "and": papers with any of them
        ("Papers carrying Adobe or CMU affiliations", ("Adobe", "cmu")),
        ("Which papers are affiliated with Adobe, CMU or UW?", ("Adobe", "cmu", "uw")),
        ("How many papers list CMU/UW affiliations?", ("cmu", "uw")),
        ("Which papers come from LG AI Research and Adobe?", ("Data Intelligence Laboratory, LG AI Research", "Adobe")),
    ],
)
def test_affiliation_wording_and_several_organizations(question: str, organizations: tuple[str, ...]) -> None:
    query, papers = selected(question)
    assert (query.topic, query.unknown) == (None, ())
    assert {p.doc_id for p in papers} == with_any_organization(*organizations)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Show the Statistics - Methodology papers.", "ME"),
        ("Which papers are filed under statistics methodology?", "ME"),
        ("List the computer science machine learning papers from 2025.", "LG"),
        ("Which stat machine learning papers are there?", "ML"),
        ("How many statistical machine learning papers are there?", "ML"),
        ("Which papers are in Computer Science - Computation and Language?", "CL"),
    ],
)
def test_a_category_named_after_its_arxiv_archive(question: str, code: str) -> None:
    """The archive's name is part of the category phrase and picks the category among archives."""
    query, papers = selected(question)
    assert (query.category, query.topic) == (code, None)
    assert papers
    assert all(p.category == code for p in papers)


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
        # in other words than the tuning split's (issue 17's check set)
        "Which paper introduces a benchmark for discovering physical laws from generated videos?",
        "How does BlackVIP estimate gradients without access to the model's parameters?",
        "What is the main contribution of the soft truncation paper?",
        "Which papers compare diffusion models with GANs on image quality?",
        "What do the LG AI Research papers report about out-of-distribution detection?",
        "Which 2024 papers study test-time adaptation?",
        "What did Kyungwoo Song and colleagues find about Bayesian model averaging?",
        "Which work shows that sparse subnetworks can be trained from scratch?",
        # an organization or an archive's name beside a real topic
        "Which papers use statistics to detect anomalies?",
        "Which papers apply statistical methodology to genomics?",
        "What do the Adobe papers say about image editing?",
        "Which CMU or UW papers study robustness?",
        "What did CMU and UW researchers find about reward models?",
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


# -- kinds of question the rules read in any wording (issue 17's check set, evals/data/catalog_check.jsonl)
@pytest.mark.parametrize(
    ("question", "fields"),
    [
        # leftover words are no topic: contractions, the rest of a used word, function and number words
        ("What's the newest paper that has code?", {"order": "newest", "has_code": True, "topic": None}),
        ("How many papers has Seungjae Shin co-authored?", {"intent": "count", "author": "Seungjae Shin"}),
        ("Papers where Hoyoon Byun is the first author", {"author_position": "first", "topic": None}),
        ("Show the four most recent papers.", {"order": "newest", "limit": 4, "topic": None}),
        ("Who's the senior author on Implicit Kernel Attention?", {"attribute": "last_author", "topic": None}),
        # authors: frame words in any case, possessive positions
        ("Did Dongjun Kim write any papers?", {"author": "Dongjun Kim", "topic": None}),
        ("Which paper has Gyeong-Moon Park as its last author?", {"author_position": "last"}),
        ("In which works is Sungjun Lim named first?", {"author": "Sungjun Lim", "author_position": "first"}),
        # author counts: ranges, "no more than", "lone", "N-author", "a pair of"
        ("Which papers have from 4 to 6 authors?", {"authors_min": 4, "authors_max": 6}),
        ("Which papers have between three and five authors?", {"authors_min": 3, "authors_max": 5}),
        ("Papers with no more than 2 authors", {"authors_min": None, "authors_max": 2}),
        ("Papers with no fewer than 9 authors", {"authors_min": 9, "authors_max": None}),
        ("Is there any paper by a lone researcher?", {"authors_min": 1, "authors_max": 1}),
        ("List the three-author papers.", {"authors_min": 3, "authors_max": 3}),
        ("Which papers were written by a pair of authors?", {"authors_min": 2, "authors_max": 2}),
        # dates: a bare "from YEAR" is that year; "predate"/"postdate"; the collection's own years
        ("Which papers are from 2021?", {"date_from": "2021", "date_to": "2021"}),
        ("Which papers predate 2019?", {"date_from": None, "date_to": "2018"}),
        ("Which papers postdate June 2025?", {"date_from": "2025-07", "date_to": None}),
        ("Papers from 2022 onwards", {"date_from": "2022", "date_to": None}),
        ("What appeared in the collection's first year?", {"date_from": "2014", "date_to": "2014"}),
        ("Papers from the most recent year", {"date_from": "2025", "date_to": "2025", "order": None}),
        # categories by prefixed code, code released or not, popularity with a number
        ("Show cs.CV papers.", {"category": "CV"}),
        ("How many stat.ME papers are there?", {"intent": "count", "category": "ME"}),
        ("Which papers lack a repository?", {"has_code": False, "topic": None}),
        ("Which papers ship code?", {"has_code": True}),
        ("Top 3 upvoted papers?", {"order": "most_upvoted", "limit": 3}),
        # a limit before or after the superlative, never a year; "and code"; decades and lists of years
        ("Which are the three most recently posted papers?", {"order": "newest", "limit": 3}),
        ("Show the earliest two papers.", {"order": "oldest", "limit": 2}),
        ("What are the latest 2024 papers?", {"order": "newest", "limit": None, "date_from": "2024"}),
        ("Which papers have fewer than four authors and code?", {"authors_max": 3, "has_code": True}),
        ("Which papers were published in the 2020s?", {"date_from": "2020", "date_to": "2029"}),
        ("How many papers came out in 2022 or 2023?", {"date_from": "2022", "date_to": "2023"}),
        (
            "Which papers were pulled from 003_d49063e7f5512c84.txt?",
            {"source": "003_d49063e7f5512c84.txt", "topic": None},
        ),
        # contractions, "which year", the author count named as a noun, ISO months, "tagged CODE"
        ("What's the publication date of Bivariate Beta-LSTM?", {"attribute": "date", "title": "Bivariate Beta-LSTM"}),
        ("Which year did Implicit Kernel Attention come out?", {"attribute": "date"}),
        ("What is the author count of Implicit Kernel Attention?", {"attribute": "author_count"}),
        ("Papers published before 2024-03", {"date_from": None, "date_to": "2024-02"}),
        ("Papers tagged LG with code", {"category": "LG", "has_code": True}),
        ("Which papers are filed as computer vision work?", {"category": "CV", "topic": None}),
        # a name alone: "machine learning" is cs.LG (stat.ML only after its archive), "statistics" is stat.ML
        ("Which machine learning papers have code?", {"category": "LG", "has_code": True, "topic": None}),
        ("Which statistics papers are there?", {"category": "ML", "topic": None}),
        # counting the whole collection, or anything the rules read
        ("How many papers does the collection hold?", {"intent": "count", "topic": None}),
        ("How many papers are there in total?", {"intent": "count", "topic": None}),
    ],
)
def test_kinds_of_catalog_question_in_new_words(question: str, fields: dict) -> None:
    query, _ = parse(question, table())
    assert query is not None, f"not read as a catalog question: {question}"
    assert {name: getattr(query, name) for name in fields} == fields


def test_constraint_only_questions_are_catalog_questions_without_a_list_word() -> None:
    query, papers = selected("Everything Kyungwoo Song published after 2024")
    assert (query.author, query.date_from, query.topic) == ("Kyungwoo Song", "2025", None)
    assert papers
    assert all(p.year == 2025 for p in papers)
    query, _ = parse("Did Yann LeCun write any of them?", table())
    assert query is not None
    assert query.unknown == ("author Yann LeCun",)


def test_a_topic_word_inside_a_hyphenated_word_counts() -> None:
    """The keyword index keeps "diffusion-based" as one token: a topic "diffusion" still finds the paper."""
    from rag.catalog.search import CatalogSearch
    from rag.retrieval.keyword_index import KeywordIndex

    papers = list(records())
    keyword = KeywordIndex.build(papers, revision="test")
    search = CatalogSearch(lambda: papers, lambda: keyword)
    found = search.search("Which papers with more than 5 authors are about diffusion?")
    assert found is not None
    assert found.query.topic == "diffusion"
    hyphenated = [p for p in papers if "diffusion-" in p.abstract and "diffusion " not in f"{p.title} {p.abstract}"]
    assert hyphenated
    rows = {search.table.papers[r].doc_id for r in found.selection.rows}
    assert {p.doc_id for p in hyphenated if (p.author_count or 0) > 5} <= rows
