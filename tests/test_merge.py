"""Merging: 634 corpus entries become 628 papers; duplicates joined with the richest metadata, versions kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.entries import ParsedEntry, Skipped
from ingest.identity import content_hash, doc_id_for, version_doc_id
from ingest.merge import merge_entries, merge_stored
from ingest.parsers import iter_entries
from rag.types import Paper

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
DAILY_1, DAILY_3, TITLES = "001_5dc950244780a2b1.txt", "003_d49063e7f5512c84.txt", "004_3699ef32a6941384.txt"


@pytest.fixture(scope="module")
def corpus() -> list[Paper]:
    items = list(merge_entries(lambda: iter_entries([SEEDS])))
    assert all(isinstance(i, Paper) for i in items)
    return [i for i in items if isinstance(i, Paper)]


def by_title(papers: list[Paper], title: str) -> list[Paper]:
    return [p for p in papers if p.title == title]


def test_corpus_merges_634_entries_into_628_papers(corpus: list[Paper]) -> None:
    assert sum(1 for _ in iter_entries([SEEDS])) == 634
    assert len(corpus) == 628
    assert len({p.doc_id for p in corpus}) == 628


def test_six_cross_file_duplicates_record_both_sources(corpus: list[Paper]) -> None:
    shared = sorted((p.title or "", p.sources) for p in corpus if len(p.sources) > 1)
    assert shared == [
        ("Discovering Temporally-Aware Reinforcement Learning Algorithms", (DAILY_3, TITLES)),
        ("Learning Unnormalized Statistical Models via Compositional Optimization", (DAILY_1, TITLES)),
        ("The Unreasonable Effectiveness of Gaussian Score Approximation for Diffusion Models and its Applications",
         (DAILY_1, DAILY_3)),
        ("Towards Better Understanding of In-Context Learning Ability from In-Context Uncertainty Quantification",
         (DAILY_3, TITLES)),
        ("Towards Exact Computation of Inductive Bias", (DAILY_1, DAILY_3)),
        ("What can a Single Attention Layer Learn? A Study Through the Random Features Lens", (DAILY_1, DAILY_3)),
    ]  # fmt: skip


def test_duplicate_takes_the_date_only_one_file_has(corpus: list[Paper]) -> None:
    [paper] = by_title(corpus, "Learning Unnormalized Statistical Models via Compositional Optimization")
    assert (paper.year, paper.date) == (2023, "2023-06-12")  # from the listing page; the title list has none


def test_same_title_different_abstracts_are_versions(corpus: list[Paper]) -> None:
    first, second = by_title(corpus, "Natural Language Reinforcement Learning")
    base = doc_id_for(first.title, first.abstract)
    assert first.doc_id == base
    assert second.doc_id == version_doc_id(base, second.abstract)
    assert first.version_of == second.version_of == base
    assert first.abstract != second.abstract
    assert sum(1 for p in corpus if p.version_of) == 2


def test_doc_ids_are_stable_and_follow_identity_rules(corpus: list[Paper]) -> None:
    again = [p for p in merge_entries(lambda: iter_entries([SEEDS])) if isinstance(p, Paper)]
    assert [(p.doc_id, p.content_hash) for p in again] == [(p.doc_id, p.content_hash) for p in corpus]
    [dale] = by_title(corpus, "Dale meets Langevin: A Multiplicative Denoising Diffusion Model")
    assert dale.doc_id == doc_id_for(dale.title, dale.abstract)
    assert dale.doc_id.startswith("t-")
    untitled = [p for p in corpus if p.title is None]
    assert len(untitled) == 10
    assert all(p.doc_id == doc_id_for(None, p.abstract) and p.doc_id.startswith("a-") for p in untitled)
    assert all(p.version_of is None for p in untitled)


def test_content_hash_covers_every_other_field(corpus: list[Paper]) -> None:
    paper = corpus[0]
    fields = [getattr(paper, f.name) for f in dataclasses.fields(Paper) if f.name != "content_hash"]
    assert paper.content_hash == content_hash(*fields)
    changed = dataclasses.replace(paper, sources=(*paper.sources, "other.jsonl"))
    changed_fields = [getattr(changed, f.name) for f in dataclasses.fields(Paper) if f.name != "content_hash"]
    assert content_hash(*changed_fields) != paper.content_hash


def entry(source: str, line: int, **fields: object) -> ParsedEntry:
    base: dict[str, object] = {"abstract": "Shared abstract text.", "title": "A Title"}
    base.update(fields)
    return ParsedEntry(source=source, line=line, **base)  # type: ignore[arg-type]


def merged(items: list[ParsedEntry | Skipped]) -> list[Paper | Skipped]:
    return list(merge_entries(lambda: iter(items)))


def test_richest_metadata_wins() -> None:
    items: list[ParsedEntry | Skipped] = [
        entry("a.txt", 1, authors=("X", "Y", "Z"), authors_truncated=True, year=2020, urls=("u1",)),
        entry("b.txt", 5, title="A Title", authors=("X", "Y"), date="--03-01", category="cs.LG", has_code=True),
        entry("c.txt", 9, title="A title!", year=2021, date="2021-03-01", urls=("u2", "u1"), keywords=("k",)),
        entry("d.txt", 2, organization="Lab", affiliations=("cmu",), urls=("u3",)),
    ]
    [paper] = merged(items)
    assert isinstance(paper, Paper)
    assert paper.title == "A Title"
    assert (paper.authors, paper.authors_truncated) == (("X", "Y"), False)  # complete beats longer-but-cut
    assert (paper.year, paper.date) == (2021, "2021-03-01")
    assert (paper.category, paper.organization, paper.has_code) == ("cs.LG", "Lab", True)
    assert paper.urls == ("u1", "u2", "u3")
    assert (paper.keywords, paper.affiliations) == (("k",), ("cmu",))
    assert paper.sources == ("a.txt", "b.txt", "c.txt", "d.txt")
    assert paper.version_of is None


def test_title_beats_none_and_longer_author_list_wins() -> None:
    [paper] = merged(
        [
            entry("a.jsonl", 1, title=None, arxiv_id="2101.00002", authors=("A",)),
            entry("b.jsonl", 1, title="Found Later", arxiv_id="2101.00002", authors=("A", "B"), year=1999),
        ]
    )
    assert isinstance(paper, Paper)
    assert (paper.title, paper.authors, paper.year) == ("Found Later", ("A", "B"), 1999)
    assert paper.doc_id == "arxiv-2101.00002"


def test_arxiv_id_groups_entries_even_with_different_titles() -> None:
    items: list[ParsedEntry | Skipped] = [
        entry("a.jsonl", 1, title="Old Title", arxiv_id="2101.00001"),
        entry("b.jsonl", 1, title="New Title", urls=("https://arxiv.org/abs/2101.00001v3",)),
    ]
    [paper] = merged(items)
    assert isinstance(paper, Paper)
    assert (paper.doc_id, paper.arxiv_id, paper.title) == ("arxiv-2101.00001", "2101.00001", "Old Title")


def test_skipped_items_pass_through_once_in_order() -> None:
    skip = Skipped("bad.jsonl", 3, "invalid JSON")
    items: list[ParsedEntry | Skipped] = [entry("a.txt", 1), skip, entry("b.txt", 1, title="Other")]
    out = merged(items)
    assert out.count(skip) == 1
    assert [type(o).__name__ for o in out] == ["Paper", "Skipped", "Paper"]


def test_duplicate_group_is_held_only_until_complete() -> None:
    calls = {"n": 0}
    items: list[ParsedEntry | Skipped] = [
        entry("a.txt", 1),
        entry("x.txt", 1, title="Single"),
        entry("b.txt", 1),
        entry("y.txt", 1, title="Last"),
    ]

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        calls["n"] += 1
        yield from items

    out = [p for p in merge_entries(open_entries) if isinstance(p, Paper)]
    assert calls["n"] == 2
    assert [(p.title, p.sources) for p in out] == [
        ("Single", ("x.txt",)),
        ("A Title", ("a.txt", "b.txt")),  # emitted when its second member arrived, before "Last"
        ("Last", ("y.txt",)),
    ]


def test_merge_stored_keeps_outside_sources_and_metadata() -> None:
    [stored] = merged([entry("old.txt", 1, year=2020, date="2020-01-02", authors=("A", "B"), has_code=True)])
    [fresh] = merged([entry("new.txt", 1, urls=("https://x.org",))])
    assert isinstance(stored, Paper)
    assert isinstance(fresh, Paper)
    combined = merge_stored(stored, fresh)
    assert combined.doc_id == fresh.doc_id
    assert combined.sources == ("old.txt", "new.txt")
    assert (combined.year, combined.date, combined.authors, combined.has_code) == (2020, "2020-01-02", ("A", "B"), True)
    assert combined.urls == ("https://x.org",)
    assert combined.content_hash not in (stored.content_hash, fresh.content_hash)
