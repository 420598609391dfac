"""Choose the abstention threshold from the dev set and write it where the QA core reads it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rag.config import CALIBRATION_FILE


def tradeoff(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """For each candidate threshold: abstention precision (share of abstentions that were right), coverage
    (share of answerable questions still answered), and balanced accuracy. Rows whose question carried
    recognised filters are left out: the threshold does not apply to them."""
    scored = [(r["top_similarity"], r["answerable"]) for r in rows if not r.get("filtered")]
    n_answerable = sum(1 for _, a in scored if a) or 1
    n_unanswerable = sum(1 for _, a in scored if not a) or 1
    candidates = sorted({0.0, *(round(s, 4) for s, _ in scored), 1.0})
    curve = []
    for t in candidates:
        abstained = [(s, a) for s, a in scored if s < t]
        right = sum(1 for _, a in abstained if not a)
        answered_ok = sum(1 for s, a in scored if a and s >= t)
        curve.append(
            {
                "threshold": t,
                "abstention_precision": right / len(abstained) if abstained else 1.0,
                "abstention_recall": right / n_unanswerable,
                "coverage": answered_ok / n_answerable,
                "balanced_accuracy": (right / n_unanswerable + answered_ok / n_answerable) / 2,
            }
        )
    return curve


MIN_COVERAGE = 0.95  # answerable questions the threshold may turn away: at most 5%


def choose_threshold(curve: list[dict[str, float]], min_coverage: float = MIN_COVERAGE) -> dict[str, float]:
    """Best balanced accuracy among thresholds that still answer `min_coverage` of the answerable questions;
    among ties the lowest threshold. Near-miss questions (right paper, missing detail) are left to the
    checks after generation: no retrieval score separates them."""
    allowed = [p for p in curve if p["coverage"] >= min_coverage] or curve[:1]
    return max(allowed, key=lambda p: (round(p["balanced_accuracy"], 6), -p["threshold"]))


def write_threshold(point: dict[str, float], questions: int) -> None:
    record = {
        "abstain_threshold": point["threshold"],
        "balanced_accuracy": round(point["balanced_accuracy"], 4),
        "coverage": round(point["coverage"], 4),
        "abstention_recall": round(point["abstention_recall"], 4),
        "min_coverage": MIN_COVERAGE,
        "questions": questions,
        "computed_on": date.today().isoformat(),
        "by": "python -m evals calibrate",
    }
    CALIBRATION_FILE.write_text(json.dumps(record, indent=2) + "\n")
