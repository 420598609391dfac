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
from evals.catalog_eval import catalog_row, catalog_summary
from rag.config import Settings
from rag.qa import Assistant
from rag.query.conversation import HistoryTurn
from rag.retrieval.retrieval import Mode
from rag.types import Answer

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
    """One scored row per question: retrieval metrics, answer in evidence, answerability signals and, unless
    retrieval_only, the answer. A follow-up item's earlier questions are asked first, through the real assistant
    (retrieval-only: their questions alone, without the papers their answers would cite)."""
    assistant = config.assistant(settings)
    rows = []
    iterable: Iterable[dict[str, Any]] = progress(items, desc=config.name) if progress else items
    for item in iterable:
        gold = list(item.get("gold_doc_ids") or [])
        history: list[HistoryTurn] = []
        for earlier in item.get("history") or []:
            if retrieval_only:
                history.append((earlier, ""))
            else:
                previous = assistant.ask(earlier, history=list(history))
                history.append((earlier, previous.answer, previous.cited_doc_ids))
        if not history and (taken := catalog_row(assistant, item, gold, retrieval_row)) is not None:
            rows.append(taken if retrieval_only else {**taken, **answer_row(assistant, item, gold, history)})
            continue
        started = time.perf_counter()
        plan = assistant.plan(item["question"], history=history)
        retrieve_ms = (time.perf_counter() - started) * 1000
        ranked = [p.paper.doc_id for p in plan.passages]
        row: dict[str, Any] = {
            "id": item["id"],
            "type": item["type"],
            "split": item.get("split", ""),
            "answerable": bool(item["answerable"]),
            "top_similarity": plan.signals["top_cosine"],
            "filtered": not plan.filters.is_empty(),
            "ranked": ranked,
            "retrieve_ms": retrieve_ms,
            "signals": dict(plan.signals),
            "kind": plan.kind,
            "named": plan.signals["named"],
            **retrieval_row(ranked, gold),
            "answer_in_evidence": metrics.must_contain_coverage(plan.evidence_text, item["must_contain"])
            if item["answerable"]
            else None,
        }
        if not retrieval_only:
            row.update(answer_row(assistant, item, gold, history))
        if "exact" in item:  # a catalog question the catalog did not take: counted as not answered exactly
            row["exact_right"] = False
        rows.append(row)
    return rows


def answer_row(
    assistant: Assistant, item: dict[str, Any], gold: list[str], history: list[HistoryTurn]
) -> dict[str, Any]:
    """Answer metrics that count every question: an abstention on an answerable one scores 0 for key facts and
    citations; on an unanswerable one they are undefined and abstention is what counts."""
    pieces: list[str] = []
    answer: Answer | None = None
    for piece in assistant.ask(item["question"], stream=True, history=history):
        if isinstance(piece, Answer):
            answer = piece
        elif isinstance(piece, str):  # not the Retrieved papers streamed first
            pieces.append(piece)
    deltas = len(pieces)
    assert answer is not None
    cited = [c.paper.doc_id for c in answer.citations]
    generate_s = answer.timings_ms.get("generate", 0.0) / 1000
    answerable = bool(item["answerable"])
    must = metrics.must_contain_coverage(answer.answer, item["must_contain"]) if answerable else None
    precision = metrics.citation_precision(cited, gold) if answerable else None
    row = {
        "answer": answer.answer,
        "draft": "".join(pieces),
        "cited": cited,
        "abstained": answer.abstained,
        "quoted": answer.quoted,
        "dropped_claims": list(answer.dropped_claims),
        "answerability": dict(answer.answerability),
        "must_contain": 0.0 if answerable and answer.abstained else must,
        "citation_precision": (precision if precision is not None else 0.0) if answerable else None,
        "citation_recall": metrics.citation_recall(cited, gold) if answerable else None,
        "first_token_ms": answer.timings_ms.get("first_token") or None,
        "total_ms": answer.timings_ms.get("total"),
        "tokens_per_s": deltas / generate_s if generate_s > 0 and deltas else None,
    }
    row["right"] = _right(answerable, row)
    return row


def _right(answerable: bool, row: dict[str, Any]) -> bool:
    """Answered with every key fact and a gold citation, or abstained on a question the collection cannot answer."""
    if not answerable:
        return bool(row["abstained"])
    return not row["abstained"] and row["must_contain"] == 1.0 and (row["citation_recall"] or 0.0) > 0


def summarize(rows: list[dict[str, Any]], retrieval_only: bool) -> dict[str, Any]:
    """Aggregates: retrieval metrics over answerable questions (overall and per type), answer and latency metrics."""
    answerable = [r for r in rows if r["answerable"]]
    summary: dict[str, Any] = {"retrieval": metrics.aggregate(answerable, [*RETRIEVAL_METRICS, "answer_in_evidence"])}
    summary["catalog"] = catalog_summary(rows)
    outside_catalog = [r for r in answerable if r["type"] != "metadata"]
    summary["answer_in_evidence_outside_catalog"] = metrics.mean_defined(
        r["answer_in_evidence"] for r in outside_catalog
    )
    summary["latency_ms"] = {
        "retrieve_p50": metrics.percentile([r["retrieve_ms"] for r in rows], 50),
        "retrieve_p95": metrics.percentile([r["retrieve_ms"] for r in rows], 95),
    }
    if retrieval_only:
        return summary
    pairs = [(r["answerable"], r["abstained"]) for r in rows]
    summary["answers"] = metrics.aggregate(rows, [*ANSWER_METRICS, "right"])
    named = [(ok, a) for r in rows if r["named"] for ok, a in [(r["answerable"], r["abstained"])]]
    summary["abstention"] = {
        "accuracy": metrics.abstention_accuracy(pairs),  # abstained exactly on the unanswerable questions
        "false_abstention_rate": metrics.false_abstention_rate(pairs),
        "abstained_on_unanswerable": metrics.mean_defined(float(a) for ok, a in pairs if not ok),
        "false_abstention_named": metrics.false_abstention_rate(named),
    }
    follow_ups = [r for r in rows if r["type"] == "follow_up"]
    summary["follow_ups"] = {"right": sum(r["right"] for r in follow_ups), "of": len(follow_ups)}
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
