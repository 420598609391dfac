"""Deterministic synthetic abstracts recombined from the sentences of an ingested corpus, written as JSONL."""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.config import Settings, set_offline_env
from rag.retrieval.index import PaperIndex
from rag.text.sentences import split_sentences
from rag.types import Paper

FALLBACK_YEARS = (2018, 2025)


@dataclass
class SentencePool:
    """What synthetic papers are made of: real sentences by position, title parts, author names, years."""

    openings: list[str] = field(default_factory=list)  # first sentences of real abstracts
    middles: list[str] = field(default_factory=list)
    closings: list[str] = field(default_factory=list)  # last sentences
    lengths: list[int] = field(default_factory=list)  # sentences per real abstract
    heads: list[str] = field(default_factory=list)  # title part before ":" (a method name), or its first words
    tails: list[str] = field(default_factory=list)  # title part after ":", or the whole title
    authors: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @classmethod
    def from_papers(cls, papers: Iterable[Paper]) -> SentencePool:
        """A pool from real papers, in doc_id order so the same corpus always gives the same pool."""
        pool = cls()
        authors: set[str] = set()
        for paper in sorted(papers, key=lambda p: p.doc_id):
            sentences = split_sentences(paper.abstract)
            if len(sentences) >= 3:
                pool.openings.append(sentences[0])
                pool.middles.extend(sentences[1:-1])
                pool.closings.append(sentences[-1])
                pool.lengths.append(len(sentences))
            if paper.title:
                head, sep, tail = paper.title.partition(":")
                if sep and 0 < len(head.split()) <= 4 and tail.strip():
                    pool.heads.append(head.strip())
                    pool.tails.append(tail.strip())
                else:
                    pool.tails.append(paper.title.strip())
            authors.update(a for a in paper.authors if a.strip())
            if paper.year:
                pool.years.append(paper.year)
        pool.authors = sorted(authors)
        if not (pool.openings and pool.middles and pool.tails):
            raise ValueError("the corpus has too few titled abstracts of 3+ sentences to recombine; ingest more papers")
        return pool

    @classmethod
    def from_store(cls, settings: Settings) -> SentencePool:
        return cls.from_papers(PaperIndex(settings).store.iter_papers())


def synthetic_papers(pool: SentencePool, n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """n records {"title", "abstract", "authors", "year"}; the same pool, n and seed give the same records."""
    rng = random.Random(seed)
    for i in range(n):
        length = max(3, rng.choice(pool.lengths))
        sentences = [rng.choice(pool.openings)]
        sentences += [rng.choice(pool.middles) for _ in range(length - 2)]
        sentences.append(rng.choice(pool.closings))
        head = rng.choice(pool.heads) if pool.heads else rng.choice(pool.tails).split()[0]
        title = f"{head}-{i + 1}: {rng.choice(pool.tails)}"  # the number keeps titles, hence doc_ids, unique
        if pool.authors:
            authors = rng.sample(pool.authors, k=min(len(pool.authors), rng.randint(1, 6)))
        else:
            authors = [f"Synthetic Author{rng.randint(1, 500)}" for _ in range(rng.randint(1, 4))]
        year = rng.choice(pool.years) if pool.years else rng.randint(*FALLBACK_YEARS)
        yield {"title": title, "abstract": " ".join(sentences), "authors": authors, "year": year}


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    parser = argparse.ArgumentParser(prog="python -m evals.synthetic", description=__doc__)
    parser.add_argument("out", type=Path, help="JSONL file to write")
    parser.add_argument("--n", type=int, default=1000, help="papers to generate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic abstracts")
    parser.add_argument("--store", type=Path, default=Path(".rag"), help="an ingested store to recombine")
    args = parser.parse_args(argv)
    pool = SentencePool.from_store(Settings(store_dir=args.store))
    written = write_jsonl(args.out, synthetic_papers(pool, args.n, args.seed))
    print(f"wrote {written} synthetic papers to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
