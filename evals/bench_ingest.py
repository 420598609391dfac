"""Benchmark: cold and warm ingest of the bundled corpus vs the raw embedder time of the same chunk texts."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.config import Settings, set_offline_env
from rag.embedder import SentenceTransformerEmbedder
from rag.index import PaperIndex


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
        texts = PaperIndex(Settings(store_dir=store)).store.chunk_texts()
        embedder = SentenceTransformerEmbedder()
        embedder.embed(texts[:8])  # load the model outside the timed part, as ingest's own timing also excludes
        started = time.perf_counter()
        embedder.embed(texts)
        encode = time.perf_counter() - started
    papers = cold["papers_total"]
    print(f"papers {papers}, chunks {cold['chunks_total']}, skipped {len(cold['skipped'])}")
    rate = papers / cold_wall
    print(f"cold ingest: {cold['seconds']:.1f} s in-process, {cold_wall:.1f} s wall ({rate:.1f} papers/s)")
    print(f"warm ingest: {warm['seconds']:.2f} s in-process, {warm_wall:.2f} s wall (unchanged {warm['unchanged']})")
    print(f"raw encode of the same {len(texts)} chunk texts: {encode:.1f} s")
    print(f"overhead: cold in-process ingest / raw encode = {cold['seconds'] / encode:.2f}")
    print(f"peak memory of the ingest process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
