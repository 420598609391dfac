"""Score catalog questions the way the assistant answers them: from the catalog, not from retrieval.

A question the catalog parser takes is ranked by the catalog's result (so nDCG@10 counts its papers) and its answer
is checked for the exact fact asked (`exact` in evals/data: a count, the top paper, a name, a date, or nothing).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from evals import metrics
from rag.qa import Assistant
from rag.types import Answer


def catalog_row(
    assistant: Assistant, item: dict[str, Any], gold: list[str], retrieval_row: Callable[..., dict[str, Any]]
) -> dict[str, Any] | None:
    """The scored row of a question the catalog answers, or None when it is not a catalog question."""
    started = time.perf_counter()
    found = assistant.catalog.search(item["question"], assistant.generator)
    if found is None:
        return None
    answer = assistant.catalog.answer(item["question"], found)
    ranked = [p.paper.doc_id for p in answer.passages]
    return {
        "id": item["id"],
        "type": item["type"],
        "split": item.get("split", ""),
        "answerable": bool(item["answerable"]),
        "top_similarity": 1.0,
        "filtered": True,
        "ranked": ranked,
        "retrieve_ms": (time.perf_counter() - started) * 1000,
        "signals": {},
        "kind": None,
        "gold_doc_ids": gold,
        "named": False,
        **retrieval_row(ranked, gold),
        "answer_in_evidence": metrics.must_contain_coverage(answer.answer, item["must_contain"])
        if item["answerable"]
        else None,
        "catalog": answer.catalog.describe() if answer.catalog else "",
        "catalog_parsed_by": answer.catalog.parsed_by if answer.catalog else "",
        "catalog_ms": dict(found.timings_ms),
        "exact_right": exact_right(item, answer),
    }


def exact_right(item: dict[str, Any], answer: Answer) -> bool | None:
    cited = [c.paper.doc_id for c in answer.citations]
    titles = [c.paper.label for c in answer.citations]
    return metrics.exact_answer_right(item.get("exact"), answer.answer, cited, titles)


def catalog_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Over the rows of catalog questions (`exact` in the data; the runner marks those the catalog did not take as
    not exact) and of questions the catalog took: how many
    the catalog took, nDCG@10 over the answerable ones, and the exact-answer rate where one is defined."""
    chosen = [r for r in rows if "catalog" in r or "exact_right" in r]
    answerable = [r for r in chosen if r["answerable"]]
    exact = [r["exact_right"] for r in chosen if r.get("exact_right") is not None]
    return {
        "questions": len(chosen),
        "taken_by_catalog": sum("catalog" in r for r in chosen),
        "ndcg@10": metrics.mean_defined(r["ndcg@10"] for r in answerable),
        "recall@10": metrics.mean_defined(r["recall@10"] for r in answerable),
        "exact_right": metrics.mean_defined(float(v) for v in exact),
        "exact_of": len(exact),
        "parse_ms_p50": metrics.percentile([r["catalog_ms"]["parse"] for r in chosen if "catalog_ms" in r], 50),
    }
