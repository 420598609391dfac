"""The synthetic corpus generator: deterministic, unique titles, real sentences, JSONL that ingestion accepts."""

from __future__ import annotations

from dataclasses import replace

from evals.synthetic import SentencePool, synthetic_papers, write_jsonl
from ingest.entries import ParsedEntry
from ingest.parsers.records_jsonl_csv import parse_jsonl
from rag.text.sentences import split_sentences
from tests.conftest import title_line_papers


def pool(backwards: bool = False) -> SentencePool:
    papers = [
        replace(p, authors=(f"Ada Tester{i % 7}",), year=2018 + i % 6) for i, p in enumerate(title_line_papers(30))
    ]
    return SentencePool.from_papers(reversed(papers) if backwards else papers)


def test_same_seed_same_papers_other_seed_other_papers():
    first = list(synthetic_papers(pool(), 50, seed=3))
    assert first == list(synthetic_papers(pool(), 50, seed=3))
    assert first != list(synthetic_papers(pool(), 50, seed=4))
    assert first[:20] == list(synthetic_papers(pool(), 20, seed=3))  # a prefix of a larger corpus
    assert first == list(synthetic_papers(pool(backwards=True), 50, seed=3))  # the store's order does not matter


def test_records_recombine_real_sentences_with_unique_titles():
    real = {s for p in title_line_papers(30) for s in split_sentences(p.abstract)}
    records = list(synthetic_papers(pool(), 300))
    assert len({r["title"] for r in records}) == 300
    assert len({r["abstract"] for r in records}) == 300
    for record in records:
        assert set(split_sentences(record["abstract"])) <= real
        assert len(split_sentences(record["abstract"])) >= 3
        assert 1 <= len(record["authors"]) <= 6
        assert 2018 <= record["year"] <= 2023


def test_ingestion_reads_every_field(tmp_path):
    path = tmp_path / "synthetic.jsonl"
    records = list(synthetic_papers(pool(), 25))
    assert write_jsonl(path, records) == 25
    entries = list(parse_jsonl(path))
    assert all(isinstance(e, ParsedEntry) for e in entries)
    assert [(e.title, e.abstract, list(e.authors), e.year) for e in entries] == [
        (r["title"], r["abstract"], r["authors"], r["year"]) for r in records
    ]
