"""Retrieval metrics on a user's BEIR-format data set, ingested into its own store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from evals import metrics
from evals.beir import beir_id_of, load_beir, relevant_ids, write_ingest_jsonl
from evals.runner import RETRIEVAL_METRICS, Config, retrieval_row
from rag.config import Settings
from rag.types import Filters


def ingest_corpus(corpus_jsonl: Path, store: Path) -> dict:
    """Run the ingest CLI (evals may import only rag) and return its report."""
    out = subprocess.run(
        [sys.executable, "-m", "ingest", str(corpus_jsonl), "--store", str(store), "--json", "--quiet"],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise ValueError(f"ingesting {corpus_jsonl} failed: {out.stderr.strip()[-500:]}")
    report: dict = json.loads(out.stdout)
    return report


def run_beir(folder: Path, out: Path, config_names: list[str], k: int = 10) -> int:
    dataset = load_beir(folder)
    out.mkdir(parents=True, exist_ok=True)
    corpus_jsonl = out / "corpus.jsonl"
    write_ingest_jsonl(dataset.corpus.values(), corpus_jsonl)
    report = ingest_corpus(corpus_jsonl, out / "store")
    settings = Settings(store_dir=out / "store")
    results = {}
    for name in config_names:
        assistant = Config.parse(name).assistant(settings)
        rows = []
        for query in dataset.judged_queries():
            found = assistant.retriever.search(query.text, k, Filters(), recognise_filters=False)
            ranked = [b for p in found.passages if (b := beir_id_of(p.paper.urls))]
            gold = sorted(relevant_ids(dataset.qrels, query.query_id))
            rows.append({"type": "beir", **retrieval_row(ranked, gold)})
        results[name] = metrics.aggregate(rows, RETRIEVAL_METRICS)["overall"]
    (out / "metrics.json").write_text(json.dumps({"ingest": report, "configs": results}, indent=2))
    lines = [f"# BEIR retrieval: {folder}", "", f"{report['papers_total']} documents indexed.", ""]
    lines += [
        "| config | queries | " + " | ".join(RETRIEVAL_METRICS) + " |",
        "|" + "---|" * (len(RETRIEVAL_METRICS) + 2),
    ]
    for name, values in results.items():
        cells = [name, str(int(values["count"] or 0))]
        cells += ["–" if values[m] is None else f"{values[m]:.3f}" for m in RETRIEVAL_METRICS]
        lines.append("| " + " | ".join(cells) + " |")
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0
