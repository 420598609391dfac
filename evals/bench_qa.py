"""Benchmark: retrieval, first-token and whole-answer latency (p50/p95) and peak memory per generator model.

The model reads the fixed prompt prefix when it is loaded, or loads the prefix state an earlier process saved; both
costs, and the first question of the process (what a one-shot CLI call waits for), are reported on their own line.
Run it twice to see both: the first run of a new prompt or model saves the state."""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from pathlib import Path

from evals.metrics import percentile
from rag import models
from rag.config import Settings, set_offline_env
from rag.generation.prompt_state import PromptStateCache
from rag.generation.prompts import PREFIX
from rag.qa import Assistant

QUESTIONS = Path(__file__).resolve().parent / "data" / "test.jsonl"


def questions(limit: int) -> list[str]:
    """`limit` answerable held-out questions spread evenly over the file, so every question type is represented
    (follow-ups are left out: they need their earlier turns)."""
    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    answerable = [i["question"] for i in items if i["answerable"] and not i.get("history")]
    step = max(1, len(answerable) // max(1, limit))
    return answerable[::step][:limit]


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path(".rag"), help="an ingested store")
    parser.add_argument("--models", default="default,fast", help="comma-separated generator models")
    parser.add_argument("--n", type=int, default=20, help="answerable dev questions to ask")
    args = parser.parse_args()
    qs = questions(args.n + 1)
    first_question, qs = qs[-1], qs[:-1]
    for model in args.models.split(","):
        settings = Settings(store_dir=args.store, model=model)
        state = PromptStateCache(settings.prompt_cache_dir, models.path(model, settings.model_dir), settings.n_ctx)
        saved = state.file_for(PREFIX).is_file()
        assistant = Assistant(settings)
        assistant.retrieve("warm up the embedder and indexes")
        started = time.perf_counter()
        assistant.generator()
        load_s = time.perf_counter() - started
        first_answer = assistant.ask(first_question).timings_ms.get("first_token", 0.0)
        retrieve_ms = []
        for q in qs:
            started = time.perf_counter()
            assistant.retrieve(q)
            retrieve_ms.append((time.perf_counter() - started) * 1000)
        first: list[float] = []
        total: list[float] = []
        probe: list[float] = []
        reread: list[float] = []
        read: list[int] = []
        abstained = from_records = 0
        for q in qs:
            answer = assistant.ask(q)
            if answer.catalog is not None:  # answered from the paper records, without the model: not timed here
                from_records += 1
                continue
            if answer.abstained and not answer.timings_ms.get("generate"):
                abstained += 1
                continue
            first.append(answer.timings_ms["first_token"])
            total.append(answer.timings_ms["total"])
            probe.append(answer.timings_ms.get("probe", 0.0))
            reread.append(float(getattr(assistant.generator(), "last_prompt_read", 0)))
            read.append(sum(p.used for p in answer.passages))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"model {model}: {len(qs)} questions, {from_records} answered from the records (catalog, not timed), "
            f"{abstained} abstained before generation"
        )
        prefix = "prefix state loaded from disk" if saved else "prefix read (no state saved yet)"
        print(f"  model load + {prefix}: {load_s:.1f} s; first question's first token {first_answer:.0f} ms")
        print(f"  papers read by the LLM per question: {dict(sorted(Counter(read).items()))}")
        timed = (("retrieval", retrieve_ms), ("probe", probe), ("first token", first), ("whole answer", total))
        for label, values in timed:
            print(f"  {label:<13} ms  p50 {percentile(values, 50) or 0:8.1f}  p95 {percentile(values, 95) or 0:8.1f}")
        print(
            f"  answer prompt tokens read after the probe (the rest came from its cache): p50 "
            f"{percentile(reread, 50) or 0:.0f}, p95 {percentile(reread, 95) or 0:.0f}"
        )
        print(f"  peak memory (process so far) {peak:.0f} MB")


if __name__ == "__main__":
    main()
