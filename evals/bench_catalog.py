"""Benchmark: catalog parse + execute latency (p50/p95) on the bundled store, with the LLM fallback, and at 100k papers.

Questions: every catalog question of evals/data (tuning and test). The fallback is timed on questions whose cue the
rules see but cannot resolve (the model fills the field from the catalog's values). The 100k table is the real
records' metadata spread over synthetic papers (evals/synthetic.py abstracts, seeded counts, dates, categories).
Usage: python -m evals.bench_catalog [--papers 100000] [--model default] [--out evals/results/catalog-bench]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals.metrics import percentile
from evals.synthetic import SentencePool, synthetic_papers
from rag.catalog.search import CatalogSearch
from rag.config import Settings, set_offline_env
from rag.generation import make_generator
from rag.protocols import Generator
from rag.retrieval.index import PaperIndex
from rag.retrieval.keyword_index import KeywordIndex
from rag.types import Paper

DATA = Path(__file__).resolve().parent / "data"
CUED = [  # a cue the rules see ("lab", "classified") without a value they can resolve
    "Which papers come out of a Korean AI lab?",
    "Which papers are classified under computational statistics?",
    "What papers does a company in the collection have?",
    "Which papers are tagged as reinforcement learning?",
    "Which papers were written at a lab in industry?",
    "Which papers are classified as pattern recognition work?",
]


def catalog_questions() -> list[str]:
    rows = [json.loads(line) for name in ("tuning.jsonl", "test.jsonl") for line in (DATA / name).open()]
    return [r["question"] for r in rows if "exact" in r]


def timed(search: CatalogSearch, questions: list[str], generator: Callable[[], Generator] | None = None) -> dict:
    totals, taken = [], 0
    for question in questions:
        started = time.perf_counter()
        found = search.search(question, generator)
        totals.append((time.perf_counter() - started) * 1000)
        taken += found is not None
    return {
        "questions": len(questions),
        "taken": taken,
        "p50_ms": percentile(totals, 50),
        "p95_ms": percentile(totals, 95),
    }


def scaled_papers(real: list[Paper], n: int, seed: int = 0) -> list[Paper]:
    """n papers: synthetic abstracts and authors, with the metadata kinds of the real records drawn at their rates."""
    rng = random.Random(seed)
    pool = SentencePool.from_papers(real)
    out = []
    for i, record in enumerate(synthetic_papers(pool, n, seed)):
        like = real[rng.randrange(len(real))]  # metadata shaped like a real record's
        paper = Paper(
            doc_id=f"s{i}", title=record["title"], abstract=record["abstract"], authors=tuple(record["authors"])
        )
        out.append(replace(paper, year=like.year, date=like.date, category=like.category, has_code=like.has_code,
                           upvotes=like.upvotes, author_count=like.author_count, organization=like.organization,
                           affiliations=like.affiliations, sources=like.sources))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000, help="papers in the scaled table")
    parser.add_argument("--model", default="default", help="generator of the LLM fallback")
    parser.add_argument("--out", type=Path, default=Path("evals/results/catalog-bench"), help="folder for bench.json")
    args = parser.parse_args(argv)
    set_offline_env()
    settings = Settings()
    index = PaperIndex(settings)
    real = list(index.store.iter_papers())
    search = CatalogSearch(lambda: real, lambda: index.keyword)
    questions = catalog_questions()
    search.table  # noqa: B018  (built once, as the Assistant does on its first catalog question)
    result: dict[str, Any] = {"papers": len(real), "rules_only": timed(search, questions)}

    generator = make_generator(settings, args.model)
    started = time.perf_counter()
    first = search.search(CUED[0], lambda: generator)
    first_ms = (time.perf_counter() - started) * 1000
    result["with_llm_fallback"] = {"model": generator.name, "first_question_ms": first_ms, "first_parsed": first and
                                   first.query.describe(), **timed(search, CUED[1:], lambda: generator)}  # fmt: skip
    result["with_llm_fallback"]["readings"] = {
        q: (f.query.describe(), f.query.parsed_by) if (f := search.search(q, lambda: generator)) else None for q in CUED
    }

    started = time.perf_counter()
    many = scaled_papers(real, args.papers)
    keyword = KeywordIndex.build(many, "bench")
    big = CatalogSearch(lambda: many, lambda: keyword)
    big.table  # noqa: B018
    result["scaled"] = {"papers": len(many), "build_s": time.perf_counter() - started, **timed(big, questions)}

    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=str)
    (args.out / "bench.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
