"""Apply the answerability gate to the rows of an always-answer run (`RAG_ANSWER_THRESHOLD=0`), as the assistant
would have: the gate is a function of the signals alone, so one always-answer run gives both the rows to calibrate
on and, after calibration, the gated result without generating every answer again."""

from __future__ import annotations

from typing import Any

from evals.calibration import signals_of
from rag.evidence.answerability import AnswerabilityModel
from rag.generation.prompts import ABSTAINED


def gate(row: dict[str, Any], model: AnswerabilityModel) -> dict[str, Any]:
    """The row as the gated assistant would have answered it: abstained below the threshold of its kind, a
    which-paper question also below the paper threshold (its probe's P(yes), recorded as `p_paper`), and a quoted
    fallback (not a which-paper answer, which is quoted too) below the quote threshold as well."""
    signals = row.get("answerability")
    if row.get("catalog") or row.get("abstained") or not signals:
        return row
    probability = model.probability(signals_of(row))
    threshold = model.threshold_for(row.get("kind"))
    quote_refused = row.get("quoted") and row.get("kind") != "one_paper"
    paper_refused = row.get("kind") == "one_paper" and model.paper_refused(signals.get("p_paper"))
    if (
        probability >= threshold
        and not paper_refused
        and not (quote_refused and probability < max(threshold, model.quote_threshold))
    ):
        return {**row, "answerability": {**signals, "probability": probability, "threshold": threshold}}
    answerable = bool(row["answerable"])
    return {
        **row,
        "answer": ABSTAINED,
        "cited": [],
        "abstained": True,
        "quoted": False,
        "must_contain": 0.0 if answerable else None,
        "citation_precision": 0.0 if answerable else None,
        "citation_recall": 0.0 if answerable else None,
        "first_token_ms": None,  # the gated assistant would not have drafted
        "right": not answerable,
        "answerability": {**signals, "probability": probability, "threshold": threshold},
        "gated_after_run": True,
    }


def regate(rows: list[dict[str, Any]], model: AnswerabilityModel) -> list[dict[str, Any]]:
    return [gate(r, model) for r in rows]
