"""Benchmark: dense search latency per HNSW ef_search on one store, and its top-10 papers against ef_search 500."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from evals.bench_qa import questions
from rag.config import Settings, set_offline_env
from rag.retrieval.embedder import query_embedder
from rag.retrieval.index import PaperIndex
from rag.retrieval.store import EF_SEARCH


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    parser = argparse.ArgumentParser(prog="python -m evals.bench_dense", description=__doc__)
    parser.add_argument("--store", type=Path, required=True, help="index folder (its ef_search is restored after)")
    parser.add_argument("--ef", default="50,64,100", help="comma-separated ef_search values")
    parser.add_argument("--queries", type=int, default=50, help="dev-set questions")
    args = parser.parse_args(argv)
    settings = Settings(store_dir=args.store, chroma_url=None)
    index = PaperIndex(settings)
    embedder = query_embedder(settings.embedder, settings.embed_batch_size)
    vectors = [embedder.embed_query(q) for q in questions(args.queries)]

    def run(ef: int) -> tuple[list[float], list[list[str]]]:
        index.store.collection.modify(configuration={"hnsw": {"ef_search": ef}})
        index.store.query(vectors[0], 50)  # untimed
        times, tops = [], []
        for vector in vectors:
            started = time.perf_counter()
            found = index.store.query(vector, 50)
            times.append((time.perf_counter() - started) * 1000)
            tops.append(list(dict.fromkeys(d for d, _, _ in found))[:10])
        return times, tops

    try:
        _, reference = run(500)
        for ef in [int(x) for x in args.ef.split(",")]:
            times, tops = run(ef)
            same = sum(len(set(a) & set(b)) for a, b in zip(tops, reference, strict=True))
            recall = same / max(1, sum(len(b) for b in reference))
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            p50 = statistics.median(times)
            print(f"ef_search {ef}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, top-10 papers as ef 500: {recall:.3f}")
    finally:
        index.store.collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
