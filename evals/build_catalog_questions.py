"""Generate the catalog questions of evals/data with gold answers computed from the records, never by hand.

Each question below comes with a plain predicate (and ordering) over Paper fields, written independently of
rag/catalog/table.py, so the gold is a second implementation of what the question asks. Running this replaces the
catalog rows (ids c### in tuning.jsonl, t1## in test.jsonl) with freshly computed ones; the other rows are kept.

Usage: `python -m ingest` (the bundled seeds), then `python -m evals.build_catalog_questions [--papers FILE]`.
The tuning questions were written first, to develop the rules; the test questions afterwards, in other words.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.build_gold import DEV_PATH, gold_title_of, load_papers_jsonl, load_store_papers
from evals.catalog_predicates import Spec, at_least, exact_count, known_date
from rag.types import Paper

TEST_PATH = DEV_PATH.with_name("test.jsonl")
CHECK_PATH = DEV_PATH.with_name("catalog_check.jsonl")  # development check set for the rules (not tuning, not test)


def _key(order: str | None) -> Callable[[Paper], Any]:
    return {
        "oldest": lambda p: known_date(p) or "9999",
        "newest": lambda p: "".join(chr(0x10FFFF - ord(c)) for c in (known_date(p) or "")),
        "upvotes": lambda p: -(p.upvotes or 0),
        "authors": lambda p: -at_least(p),
        "fewest_upvotes": lambda p: p.upvotes or 10**6,
    }.get(order or "", lambda p: "".join(chr(0x10FFFF - ord(c)) for c in (known_date(p) or "")))


def gold_of(spec: Spec, papers: Sequence[Paper]) -> list[Paper]:
    """The papers that answer the question, in answer order; ordered questions keep only papers with the field."""
    if spec.title:
        return [p for p in papers if p.title == spec.title]
    where = spec.scope(papers) if spec.scope else spec.where
    chosen = [p for p in papers if where(p)]
    needs = {
        "oldest": known_date,
        "newest": known_date,
        "upvotes": lambda p: p.upvotes,
        "fewest_upvotes": lambda p: p.upvotes,
        "authors": at_least,
    }
    if spec.order:
        chosen = [p for p in chosen if needs[spec.order](p)]
    chosen.sort(key=lambda p: (_key(spec.order)(p), p.doc_id))
    if spec.top and len(chosen) > spec.top:
        edge = _key(spec.order)(chosen[spec.top - 1])
        chosen = chosen[: spec.top] + [p for p in chosen[spec.top :] if _key(spec.order)(p) == edge]
    return chosen


def exact_of(spec: Spec, gold: list[Paper]) -> dict[str, Any]:
    """What an exact answer must state: the count, the top paper(s), the first author, the author count, the date."""
    if spec.kind == "count":
        return {"kind": "count", "value": len(gold)}
    if spec.kind == "top":
        return {"kind": "top", "value": [p.doc_id for p in gold]}
    if spec.kind == "name":
        return {"kind": "name", "value": gold[0].authors[0]}
    if spec.kind == "number":
        return {"kind": "number", "value": exact_count(gold[0])}
    if spec.kind == "date":
        return {"kind": "date", "value": gold[0].date}
    return {"kind": spec.kind, "value": None}


def first_sentence(abstract: str) -> str:
    return re.split(r"(?<=[.!?])\s", abstract, maxsplit=1)[0]


def row(spec: Spec, papers: Sequence[Paper], split: str) -> dict[str, Any]:
    gold = gold_of(spec, papers)
    if spec.kind == "none":
        assert not gold, f"{spec.id}: {len(gold)} papers match a question meant to have no answer"
        return {
            "id": spec.id,
            "question": spec.question,
            "type": "unanswerable",
            "gold_doc_ids": [],
            "gold_titles": [],
            "must_contain": [],
            "answerable": False,
            "source_files": [],
            "checked_terms": list(spec.checked),
            "notes": "catalog question: no record has this value (checked by evals/build_catalog_questions.py)",
            "exact": {"kind": "none", "value": None},
            "split": split,
        }
    assert gold, f"{spec.id}: no paper answers {spec.question!r}"
    must = [gold[0].authors[0]] if spec.kind == "name" else [gold_title_of(p)[:60] for p in gold[:3]]
    return {
        "id": spec.id,
        "question": spec.question,
        "type": "metadata",
        "gold_doc_ids": [p.doc_id for p in gold],
        "gold_titles": [gold_title_of(p) for p in gold],
        "must_contain": must,
        "answerable": True,
        "source_files": sorted({s for p in gold for s in p.sources}),
        "evidence": [first_sentence(p.abstract) for p in gold],
        "metadata_evidence": [gold_title_of(p)[:60] for p in gold[:3]],
        "exact": exact_of(spec, gold),
        "split": split,
    }


def write(path: Path, prefix: str, rows: list[dict[str, Any]]) -> None:
    """Replace this builder's rows (ids starting with `prefix`) in a question file; keep every other row."""
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []
    kept = [line for line in kept if not re.fullmatch(prefix, json.loads(line)["id"])]
    text = "".join(line + "\n" for line in kept) + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from evals.catalog_check_questions import CHECK
    from evals.catalog_questions import TEST, TUNING

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=Path, help="Paper JSONL (default: the ingested store)")
    args = parser.parse_args(argv)
    papers = load_papers_jsonl(args.papers) if args.papers else load_store_papers()
    write(DEV_PATH, r"c\d{3}", [row(s, papers, "tuning") for s in TUNING])
    write(TEST_PATH, r"t1\d{2}", [row(s, papers, "test") for s in TEST])
    write(CHECK_PATH, r"k\d{3}", [row(s, papers, "check") for s in CHECK])
    print(f"wrote {len(TUNING)} tuning, {len(TEST)} test and {len(CHECK)} check-set catalog questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
