"""Run the Python API over a question set for one configuration and score every question."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import metrics
from rag.config import Settings
from rag.qa import Assistant
from rag.retrieval import Mode
from rag.types import Answer, Filters

DEV_SET = Path(__file__).resolve().parent / "data" / "tuning.jsonl"
TEST_SET = Path(__file__).resolve().parent / "data" / "test.jsonl"
RETRIEVAL_METRICS = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"]
ANSWER_METRICS = ["must_contain", "citation_precision", "citation_recall", "abstained"]


@dataclass(frozen=True)
class Config:
    """`mode[+full][:model]`: retrieval mode, whole abstracts instead of evidence sentences, generator model."""

    name: str
    mode: Mode
    evidence_selection: bool
    model: str

    @classmethod
    def parse(cls, text: str) -> Config:
        head, _, model = text.partition(":")
        mode, _, flag = head.partition("+")
        if mode not in ("hybrid", "dense", "bm25") or flag not in ("", "full"):
            raise ValueError(f"bad configuration {text!r}: use mode[+full][:model], mode one of hybrid, dense, bm25")
        return cls(text, mode, flag != "full", model or "default")  # type: ignore[arg-type]

    def assistant(self, settings: Settings) -> Assistant:
        updates: dict[str, Any] = {"model": self.model}
        if not self.evidence_selection:
            updates["evidence_sentences"] = 0  # the LLM reads whole abstracts
            updates["evidence_words"] = 10_000
        return Assistant(settings.model_copy(update=updates), mode=self.mode)


def load_questions(path: Path = DEV_SET) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc}); fix or remove the line") from exc
    return items


def retrieval_row(ranked: list[str], gold: list[str]) -> dict[str, float | None]:
    return {
        "recall@1": metrics.recall_at_k(ranked, gold, 1),
        "recall@5": metrics.recall_at_k(ranked, gold, 5),
        "recall@10": metrics.recall_at_k(ranked, gold, 10),
        "mrr@10": metrics.reciprocal_rank(ranked, gold, 10),
        "ndcg@10": metrics.ndcg_at_k(ranked, gold, 10),
    }


def evaluate(
    config: Config, items: list[dict[str, Any]], settings: Settings, retrieval_only: bool, progress: Any = None
) -> list[dict[str, Any]]:
    """One scored row per question: retrieval metrics, abstention signal and, unless retrieval_only, the answer."""
    assistant = config.assistant(settings)
    rows = []
    iterable: Iterable[dict[str, Any]] = progress(items, desc=config.name) if progress else items
    for item in iterable:
        gold = list(item.get("gold_doc_ids") or [])
        started = time.perf_counter()
        found = assistant.retriever.search(item["question"], assistant.settings.k, Filters())
        retrieve_ms = (time.perf_counter() - started) * 1000
        ranked = [p.paper.doc_id for p in found.passages]
        row: dict[str, Any] = {
            "id": item["id"],
            "type": item["type"],
            "answerable": bool(item["answerable"]),
            "top_similarity": found.top_similarity,
            "filtered": not found.filters.is_empty(),
            "ranked": ranked,
            "retrieve_ms": retrieve_ms,
            **retrieval_row(ranked, gold),
        }
        if not retrieval_only:
            row.update(answer_row(assistant, item, gold))
        rows.append(row)
    return rows


def answer_row(assistant: Assistant, item: dict[str, Any], gold: list[str]) -> dict[str, Any]:
    deltas = 0
    answer: Answer | None = None
    for piece in assistant.ask(item["question"], stream=True):
        if isinstance(piece, Answer):
            answer = piece
        else:
            deltas += 1
    assert answer is not None
    cited = [c.paper.doc_id for c in answer.citations]
    generate_s = answer.timings_ms.get("generate", 0.0) / 1000
    return {
        "answer": answer.answer,
        "cited": cited,
        "abstained": answer.abstained,
        "must_contain": None
        if answer.abstained
        else metrics.must_contain_coverage(answer.answer, item["must_contain"]),
        "citation_precision": metrics.citation_precision(cited, gold) if gold else None,
        "citation_recall": metrics.citation_recall(cited, gold) if gold else None,
        "first_token_ms": answer.timings_ms.get("first_token") or None,
        "total_ms": answer.timings_ms.get("total"),
        "tokens_per_s": deltas / generate_s if generate_s > 0 else None,
    }


def summarize(rows: list[dict[str, Any]], retrieval_only: bool) -> dict[str, Any]:
    """Aggregates: retrieval metrics over answerable questions (overall and per type), answer and latency metrics."""
    answerable = [r for r in rows if r["answerable"]]
    summary: dict[str, Any] = {"retrieval": metrics.aggregate(answerable, RETRIEVAL_METRICS)}
    summary["latency_ms"] = {
        "retrieve_p50": metrics.percentile([r["retrieve_ms"] for r in rows], 50),
        "retrieve_p95": metrics.percentile([r["retrieve_ms"] for r in rows], 95),
    }
    if retrieval_only:
        return summary
    pairs = [(r["answerable"], r["abstained"]) for r in rows]
    summary["answers"] = metrics.aggregate(rows, ANSWER_METRICS)
    summary["abstention"] = {
        "accuracy": metrics.abstention_accuracy(pairs),  # abstained exactly on the unanswerable questions
        "false_abstention_rate": metrics.false_abstention_rate(pairs),
        "abstained_on_unanswerable": metrics.mean_defined(float(a) for ok, a in pairs if not ok),
    }
    generated = [r for r in rows if r.get("first_token_ms")]
    for key in ("first_token_ms", "total_ms"):
        values = [r[key] for r in generated]
        summary["latency_ms"][key.replace("_ms", "_p50")] = metrics.percentile(values, 50)
        summary["latency_ms"][key.replace("_ms", "_p95")] = metrics.percentile(values, 95)
    summary["tokens_per_s"] = metrics.mean_defined(r.get("tokens_per_s") for r in generated)
    return summary


def stderr_progress(items: list[Any], desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="q", file=sys.stderr, leave=False)
