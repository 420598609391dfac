"""Benchmark: cold and warm ingest of the bundled corpus in papers/s, vs encoding each paper once (encoder speed)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.config import Settings, set_offline_env
from rag.retrieval.chunking import chunk_paper
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.index import PaperIndex


def run_ingest(store: Path, paths: list[str]) -> tuple[dict, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "ingest", *paths, "--store", str(store), "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout), time.perf_counter() - started


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", help="inputs (default: the bundled corpus)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        cold, cold_wall = run_ingest(store, args.paths)
        warm, warm_wall = run_ingest(store, args.paths)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        index = PaperIndex(Settings(store_dir=store))
        texts = [chunk_paper(p, 0)[0].text for p in index.store.iter_papers()]  # chunk 0: title + abstract
        chunks = index.store.count_chunks()
    embedder = SentenceTransformerEmbedder()
    embedder.embed(texts[:8])  # load the model outside the timed part
    started = time.perf_counter()
    embedder.embed(texts)
    encode = time.perf_counter() - started
    papers = cold["papers_total"]
    print(f"papers {papers}, chunks {chunks} ({chunks / max(papers, 1):.1f} per paper), skipped {len(cold['skipped'])}")
    print(f"cold ingest: {cold_wall:.1f} s wall, {papers / cold_wall:.1f} papers/s ({cold['seconds']:.1f} s inside)")
    print(
        f"warm ingest: {warm_wall:.2f} s wall, {papers / warm_wall:.0f} papers/s ({warm['seconds']:.2f} s in-process, "
        f"unchanged {warm['unchanged']})"
    )
    print(f"encoder speed: each paper's text encoded once, {encode:.1f} s ({papers / encode:.1f} papers/s)")
    print(f"cold in-process ingest / encoding each paper once = {cold['seconds'] / encode:.2f}")
    print(f"peak memory of the ingest process: {peak_mb:.0f} MB; load average (1 min) {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
