"""Benchmark: ingest rate, store size, peak memory and retrieval latency per mode as the corpus grows."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals import scale_proxy
from evals.bench_qa import questions
from evals.metrics import percentile
from evals.synthetic import SentencePool, synthetic_papers, write_jsonl
from rag.config import Settings, set_offline_env
from rag.qa import Assistant
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.index import PaperIndex
from rag.retrieval.retrieval import Mode

MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")


def run_ingest(paths: list[Path], store: Path, restarts: int = 3) -> dict[str, Any]:
    """`python -m ingest` in a child process: its report plus wall time, the child's CPU time (which, unlike wall
    time, a shared or paused machine does not inflate) and its own peak RSS.
    A child killed by a signal is run again (ingest resumes where it stopped), up to `restarts` times."""
    env = {k: v for k, v in os.environ.items() if k != "RAG_CHROMA_URL"}  # always a fresh embedded store
    command = [sys.executable, "-m", "ingest", *map(str, paths), "--store", str(store), "--json", "--quiet"]
    wall, cpu, peak = 0.0, 0.0, 0.0
    for attempt in range(restarts + 1):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(child.pid, 0)  # this child's rusage (RUSAGE_CHILDREN keeps a running max)
            wall += time.perf_counter() - started
            cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss / 1024)
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            if child.returncode == 0:
                report = json.loads(out.read())
                return {**report, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak, "restarts": attempt}
            if child.returncode > 0 or attempt == restarts:
                raise RuntimeError(f"ingest failed ({child.returncode}): {err.read().decode()[-2000:]}")
            print(f"ingest was killed (signal {-child.returncode}); resuming", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def disk_mb(path: Path) -> float:
    """Disk usage of a folder, as `du` counts it (allocated blocks)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 1e6


def time_retrieval(store: Path, queries: list[str], rebuild: bool = True) -> dict[str, Any]:
    """Per-query p50/p95 of Assistant.retrieve for each mode, plus loading, updating and rebuilding the keyword
    index."""
    settings = Settings(store_dir=store, chroma_url=None)
    result: dict[str, Any] = {}
    for mode in MODES:
        assistant = Assistant(settings, mode=mode)
        assistant.retrieve(queries[0])  # untimed: loads the embedder, opens Chroma, loads the keyword index
        times = []
        for query in queries:
            started = time.perf_counter()
            assistant.retrieve(query)
            times.append((time.perf_counter() - started) * 1000)
        result[f"{mode}_p50_ms"] = percentile(times, 50)
        result[f"{mode}_p95_ms"] = percentile(times, 95)
    index = PaperIndex(settings)
    started = time.perf_counter()
    index.keyword  # noqa: B018 - what a new UI process pays on its first question (after opening Chroma)
    result["keyword_load_ms"] = (time.perf_counter() - started) * 1000
    result["query_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # running max
    result["keyword_update_s"] = time_keyword_update(settings)
    if rebuild:
        started = time.perf_counter()
        index.rebuild_keyword()  # the fallback after an interrupted ingest: BM25 from all stored papers
        result["keyword_rebuild_s"] = time.perf_counter() - started
    return result


def time_keyword_update(settings: Settings, n: int = 10) -> float:
    """Seconds a commit takes to bring the keyword index up to date after n papers were rewritten (as an ingest of a
    changed file does); the papers are written back unchanged afterwards, untimed."""
    index = PaperIndex(settings, create=True)
    papers = list(index.store.papers(index.keyword.catalog.doc_ids[:n]).values())
    embedder = SentenceTransformerEmbedder(settings.embedder, settings.embed_batch_size)
    changed = [replace(p, abstract=p.abstract + " Revised.", content_hash=p.content_hash + "-r") for p in papers]
    index.write(changed, embedder, replace=[p.doc_id for p in changed])
    started = time.perf_counter()
    index.commit()
    seconds = time.perf_counter() - started
    index.write(papers, embedder, replace=[p.doc_id for p in papers])
    index.commit()
    index.close()
    return seconds


def measure(
    label: str, paths: list[Path], store: Path, queries: list[str], proxy: bool = False, rebuild: bool = True
) -> dict[str, Any]:
    if proxy:  # sentence-mean vectors (evals.scale_proxy): no ingest figures
        records = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
        if not store.exists():
            scale_proxy.build_store(records, store, paths[0].name)
        index = PaperIndex(Settings(store_dir=store, chroma_url=None))
        papers, chunks = len(index.keyword.catalog.doc_ids), index.store.count_chunks()
        index.close()
        row: dict[str, Any] = {"corpus": label + " (proxy vectors)", "papers": papers, "chunks": chunks}
    else:
        report = run_ingest(paths, store)
        row = {"corpus": label, "papers": report["papers_total"], "chunks": report["chunks_total"]}
        ingested = report["added"] + report["updated"]  # less than papers_total when an earlier run was resumed
        row.update(ingested=ingested, ingest_s=report["wall_s"], papers_per_s=ingested / report["wall_s"])
        row.update(papers_per_cpu_s=ingested / report["cpu_s"])
        row.update(peak_rss_mb=report["peak_rss_mb"], ingest_restarts=report["restarts"])
    row.update(store_mb=disk_mb(store), keyword_mb=sum(disk_mb(p) for p in store.glob("keyword-*")))
    row.update(time_retrieval(store, queries, rebuild))
    row["load_avg"] = os.getloadavg()[1]  # 5-minute load: the machine may be shared, and timings depend on it
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


COLUMNS = [
    ("corpus", "corpus", "{}"),
    ("papers", "papers", "{}"),
    ("chunks", "chunks", "{}"),
    ("ingested", "ingested this run", "{}"),
    ("ingest_s", "ingest s", "{:.0f}"),
    ("ingest_restarts", "restarts", "{}"),
    ("papers_per_s", "papers/s", "{:.1f}"),
    ("papers_per_cpu_s", "papers/CPU-s", "{:.2f}"),
    ("peak_rss_mb", "ingest peak MB", "{:.0f}"),
    ("store_mb", "store MB", "{:.1f}"),
    ("keyword_update_s", "BM25 update s (10 papers)", "{:.2f}"),
    ("keyword_rebuild_s", "BM25 rebuild s", "{:.2f}"),
    ("dense_p50_ms", "dense p50/p95 ms", "{:.0f}"),
    ("bm25_p50_ms", "bm25 p50/p95 ms", "{:.0f}"),
    ("hybrid_p50_ms", "hybrid p50/p95 ms", "{:.0f}"),
    ("keyword_load_ms", "BM25 load ms", "{:.0f}"),
    ("query_rss_mb", "query RSS MB", "{:.0f}"),
    ("load_avg", "load avg", "{:.1f}"),
]


def table(rows: list[dict[str, Any]]) -> str:
    """One markdown table; latency cells read p50/p95."""
    lines = ["| " + " | ".join(title for _, title, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = []
        for key, _, fmt in COLUMNS:
            if key not in row:
                cells.append("–")
                continue
            cell = fmt.format(row[key])
            if key.endswith("_p50_ms"):
                cell += "/" + fmt.format(row[key.replace("p50", "p95")])
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    parser = argparse.ArgumentParser(prog="python -m evals.bench_scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated synthetic corpus sizes")
    parser.add_argument("--queries", type=int, default=50, help="dev-set questions timed per mode")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic abstracts")
    parser.add_argument("--workdir", type=Path, help="keep stores and JSONL here (default: a temp dir)")
    parser.add_argument("--skip-seeds", action="store_true", help="no row for the bundled corpus itself")
    parser.add_argument(
        "--resume", action="store_true", help="finish an interrupted store in --workdir (rate = papers of this run / s)"
    )
    parser.add_argument(
        "--proxy-vectors", action="store_true", help="synthetic stores with sentence-mean vectors: minutes, not hours"
    )
    parser.add_argument("--skip-rebuild", action="store_true", help="do not time a full keyword-index rebuild")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    queries = questions(args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        seeds = work / "seeds"
        rows = []
        if seeds.exists() or args.skip_seeds:
            run_ingest([], seeds)  # only the source of the sentence pool (an unchanged re-run takes seconds)
        else:
            rows.append(measure("bundled", [], seeds, queries, rebuild=not args.skip_rebuild))
        pool = SentencePool.from_store(Settings(store_dir=seeds, chroma_url=None))
        for n in sizes:
            data = work / f"synthetic-{n}.jsonl"
            write_jsonl(data, synthetic_papers(pool, n, args.seed))
            store = work / f"store-{n}"
            if store.exists() and not args.resume:
                raise SystemExit(f"error: {store} exists; remove it for a fresh store, or pass --resume to finish it")
            rows.append(measure(f"synthetic {n}", [data], store, queries, args.proxy_vectors, not args.skip_rebuild))
        print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
