"""Benchmark: this project side by side with LlamaIndex's default pipeline (VectorStoreIndex over Chroma, top-2,
default prompts) on the same MiniLM embedder, the same loaded GGUF generator and the same held-out questions, in one
process; prints both columns and the ratios against the targets of issue 19.

Both sides index the same inputs into their own temporary stores (the live store is never touched). This project
ingests with `python -m ingest` in a child process (docs/s: papers over the seconds its report gives: parsing, model
load, embedding, writing); the peer indexes the papers that ingest parsed, one Document (title + abstract) per paper
(docs/s: embedder load, splitting, embedding, writing). Then one generator is loaded and shared; each side gets one
warm-up question, then retrieval alone is timed on every question, then every question is answered (the peer first).
Key facts and citations are scored by evals.metrics as evals.runner scores this project; see evals/peer_table.py
for how the peer's citations and refusals are counted."""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals import peer_table
from evals.bench_ingest import run_ingest
from evals.runner import TEST_SET, answer_row, load_questions
from rag.config import Settings, set_offline_env
from rag.qa import Assistant

WARM_UP = "Which methods detect out-of-distribution inputs?"  # not a test question; read once by each side, untimed


def select_questions(items: list[dict[str, Any]], n: int | None, files: set[str] | None) -> list[dict[str, Any]]:
    """The answerable and unanswerable test questions outside the catalog (type metadata: answered from the records)
    and without earlier turns; with `files`, only those whose papers all come from those files; `n` of them spread
    evenly over the file (None: all)."""
    chosen = [
        i
        for i in items
        if i["type"] != "metadata"
        and not i.get("history")
        and (files is None or set(i.get("source_files") or ()) <= files)
    ]
    if n is None or n >= len(chosen):
        return chosen
    step = len(chosen) / max(1, n)
    return [chosen[int(k * step)] for k in range(n)]


class PeakRSS:
    """The process's peak resident memory since the last reset (Linux VmHWM, reset through /proc/self/clear_refs);
    where the reset is refused, the peak of the whole process so far."""

    def __init__(self) -> None:
        self.resettable = True

    def reset(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            self.resettable = False

    def peak_mb(self) -> float:
        status = Path("/proc/self/status")
        found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text()) if status.exists() else None
        if found and self.resettable:
            return int(found.group(1)) / 1024
        self.resettable = False
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_ms(call: Callable[[str], Any], question: str) -> float:
    started = time.perf_counter()
    call(question)
    return (time.perf_counter() - started) * 1000


def progress(side: str, item: dict[str, Any], row: dict[str, Any]) -> None:
    state = "abstained" if row["abstained"] else f"key facts {row['must_contain']}"
    print(f"  {side} {item['id']} ({item['type']}): {row['total_ms'] / 1000:.1f} s, {state}", file=sys.stderr)


def base_row(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "type": item["type"], "answerable": bool(item["answerable"])}


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "paths",
        nargs="*",
        help="inputs (default: the bundled corpus); questions about papers of other files are left out",
    )
    parser.add_argument("--model", default="default", help="generator both sides use (default, fast, smollm2, a path)")
    parser.add_argument(
        "--n", type=int, default=None, help="questions, spread evenly (default: all non-catalog test questions)"
    )
    parser.add_argument("--out", type=Path, help="run folder to write result.json and README.md (the command, table)")
    args = parser.parse_args()
    from evals.peer_llamaindex import LlamaIndexPeer  # loads llama-index: after the arguments

    files = {Path(p).name for p in args.paths} if args.paths else None
    items = select_questions(load_questions(TEST_SET), args.n, files)
    if not items:
        parser.error("no test question is about papers from those inputs")
    rss = PeakRSS()
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        settings = Settings(store_dir=Path(tmp) / "project", model=args.model)
        report, ingest_wall = run_ingest(settings.store_dir, args.paths)
        ingest_rss_project = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        assistant = Assistant(settings)
        papers = list(assistant.index.store.iter_papers())
        rss.reset()
        peer = LlamaIndexPeer(papers, Path(tmp) / "llamaindex")
        ingest_rss_peer = rss.peak_mb()
        generator = assistant.generator()  # one GGUF load, shared; the project's fixed prompt prefix is read now
        print(f"{len(items)} questions; ingest done; answering with {generator.name}", file=sys.stderr)

        rss.reset()
        peer.use(generator, settings.max_new_tokens)
        peer.ask(WARM_UP)
        peer_retrieve = [timed_ms(peer.retrieve, item["question"]) for item in items]
        peer_rows = []
        for item in items:
            got = peer.ask(item["question"])
            row = base_row(item) | peer_table.peer_row(item, got.text, got.source_doc_ids, got.first_token_ms,
                                                      got.total_ms)  # fmt: skip
            peer_rows.append(row)
            progress("llamaindex", item, row)
        peer_rss = rss.peak_mb()
        peer_docs_s = peer.docs / peer.ingest_s
        del peer
        gc.collect()

        rss.reset()
        assistant.ask(WARM_UP)
        retrieve = [timed_ms(assistant.retrieve, item["question"]) for item in items]
        rows = []
        for item in items:
            row = base_row(item) | answer_row(assistant, item, list(item.get("gold_doc_ids") or []), [])
            rows.append(row)
            progress("project", item, row)
        project_rss = rss.peak_mb()

    project_docs_s = report["papers_total"] / report["seconds"] if report["seconds"] else None
    ours = peer_table.side_summary(rows, retrieve, project_docs_s, project_rss)
    theirs = peer_table.side_summary(peer_rows, peer_retrieve, peer_docs_s, peer_rss)
    table = peer_table.compare(ours, theirs)
    answerable = sum(i["answerable"] for i in items)
    notes = [
        f"generator {generator.name} loaded once and shared (threads {settings.n_threads}, context {settings.n_ctx}, "
        f"at most {settings.max_new_tokens} new tokens, greedy); embedder {settings.embedder} on both sides",
        f"{len(items)} test questions ({answerable} answerable, {len(items) - answerable} unanswerable; no catalog "
        f"questions, no follow-ups); {report['papers_total']} papers",
        f"ingest: this project {report['seconds']:.1f} s in its process ({ingest_wall:.1f} s wall with start-up), "
        f"{report['chunks_total']} chunks; LlamaIndex {len(papers) / peer_docs_s:.1f} s, one node per paper",
        "retrieval: this project's hybrid search for the top 10 papers; LlamaIndex's retriever, top 2 nodes",
        "first token: questions where text was generated; answer p50/p95: every question, abstentions included",
        "citation precision of LlamaIndex: its retrieved source nodes count as its citations (it writes no [n] "
        "markers); a refusal cites nothing",
        "abstention of LlamaIndex: it never abstains by design; an answer counts as a refusal when its "
        + peer_table.REFUSAL_RULE,
        f"peak RSS answering: the whole process in each side's phase (the shared model in both; LlamaIndex's phase "
        f"first, its objects freed before this project's); while ingesting: this project {ingest_rss_project:.0f} MB "
        f"(own process), LlamaIndex {ingest_rss_peer:.0f} MB (this process)"
        + ("" if rss.resettable else "; the peak could not be reset here: process peaks so far"),
    ]
    text = peer_table.markdown(table) + "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(text)
    if args.out:
        command = " ".join(["python -m evals.bench_peer", *sys.argv[1:]])
        args.out.mkdir(parents=True, exist_ok=True)
        result = {"command": command, "table": table, "project": ours, "llamaindex": theirs, "notes": notes,
                  "questions": [i["id"] for i in items], "rows": {"project": rows, "llamaindex": peer_rows},
                  "ingest_report": report}  # fmt: skip
        (args.out / "result.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
        (args.out / "README.md").write_text(f"# bench_peer\n\n```\n{command}\n```\n\n{text}")
        print(f"wrote {args.out}/result.json and README.md", file=sys.stderr)


if __name__ == "__main__":
    main()
