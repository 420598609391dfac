"""Fit the answerability model on the tuning split's rows and write it where the QA core reads it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np

from rag.evidence.answerability import CALIBRATION_FILE, FEATURES, AnswerabilityModel, kind_key

MAX_FALSE_ABSTENTION = 0.06  # on the tuning split, leaving room under the 0.08 target for held-out questions
KIND_MIN_ROWS = (8, 4)  # a kind gets its own threshold only with this many answerable and unanswerable tuning rows


def features(row: dict[str, Any]) -> list[float]:
    signals = row.get("answerability") or row["signals"]
    return [float(signals.get(f, 0.5)) for f in FEATURES]


def signals_of(row: dict[str, Any]) -> dict[str, float]:
    """The row's answerability signals by name, as the model reads them."""
    return dict(zip(FEATURES, features(row), strict=True))


def gated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows the answerability gate decides: not those the catalog answered from the records (they have no
    signals, and would be fitted as constant features)."""
    return [r for r in rows if not r.get("catalog")]


def tradeoff(rows: list[dict[str, Any]], model: AnswerabilityModel) -> list[dict[str, float]]:
    """For each candidate threshold on the combined probability: the share of answerable questions still answered
    (coverage) and of unanswerable ones refused before the model answers (abstention recall)."""
    scored = [(model.probability(signals_of(r)), r["answerable"]) for r in gated(rows)]
    n_ok = sum(1 for _, a in scored if a) or 1
    n_not = sum(1 for _, a in scored if not a) or 1
    curve = []
    for t in sorted({0.0, *(round(p, 4) for p, _ in scored), 1.0}):
        refused_not = sum(1 for p, a in scored if not a and p < t)
        answered_ok = sum(1 for p, a in scored if a and p >= t)
        curve.append(
            {
                "threshold": t,
                "coverage": answered_ok / n_ok,
                "abstention_recall": refused_not / n_not,
                "false_abstention": 1 - answered_ok / n_ok,
                "balanced_accuracy": (answered_ok / n_ok + refused_not / n_not) / 2,
            }
        )
    return curve


def fit(rows: list[dict[str, Any]]) -> tuple[AnswerabilityModel, dict[str, Any]]:
    """Logistic regression (scikit-learn, L2) of answerable on the signals; the threshold refuses the most
    unanswerable questions while refusing at most MAX_FALSE_ABSTENTION of the answerable ones; the quote threshold
    is where a quoted sentence was right at least as often as wrong among the drafts the check rejected."""
    from sklearn.linear_model import LogisticRegression

    tuning = [r for r in rows if r.get("split") == "tuning"]
    if len(tuning) != len(rows):
        raise ValueError(
            f"calibration uses the tuning split only; {len(rows) - len(tuning)} rows are from another split"
        )
    tuning = gated(tuning)
    x = np.array([features(r) for r in tuning])
    y = np.array([bool(r["answerable"]) for r in tuning])
    regression = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(x, y)
    weights = {f: round(float(w), 4) for f, w in zip(FEATURES, regression.coef_[0], strict=True)}
    provisional = AnswerabilityModel(weights, round(float(regression.intercept_[0]), 4), 0.5)
    curve = tradeoff(tuning, provisional)
    point = _best_point(curve)
    kinds = _kind_thresholds(tuning, provisional)
    quote_threshold = _quote_threshold(tuning, provisional)
    one_paper = kinds.get("one_paper", point["threshold"])
    answered = [r for r in tuning if provisional.probability(signals_of(r)) >= one_paper]
    paper = _paper_threshold(answered)
    model = AnswerabilityModel(
        weights, provisional.bias, point["threshold"], quote_threshold, f"{len(tuning)} tuning questions", kinds, paper
    )
    return model, {"point": point, "curve": curve, "kinds": kinds, "paper_threshold": paper}


def _paper_threshold(rows: list[dict[str, Any]]) -> float:
    """The which-paper probe's threshold, over the one-paper questions the gate answers: the cut that refuses the
    most unanswerable ones net of answerable ones refused, placed halfway to the next answerable question above it
    (0: no cut gains, the probe stays off)."""
    scored = sorted(
        (float(r["answerability"]["p_paper"]), bool(r["answerable"]))
        for r in rows
        if r.get("kind") == "one_paper" and (r.get("answerability") or {}).get("p_paper") is not None
    )
    best, best_gain = 0.0, 0
    for i, (p, _) in enumerate(scored):
        below = scored[: i + 1]
        gain = sum(-1 if answerable else 1 for _, answerable in below)
        above = [q for q, answerable in scored[i + 1 :] if answerable]
        if gain > best_gain and above:
            best, best_gain = round((p + above[0]) / 2, 4), gain
    return best


def _best_point(curve: list[dict[str, float]]) -> dict[str, float]:
    """The threshold that refuses the most unanswerable questions within MAX_FALSE_ABSTENTION."""
    allowed = [p for p in curve if p["false_abstention"] <= MAX_FALSE_ABSTENTION] or curve[:1]
    return max(allowed, key=lambda p: (p["abstention_recall"], -p["threshold"]))


def _kind_thresholds(rows: list[dict[str, Any]], model: AnswerabilityModel) -> dict[str, float]:
    """A threshold of its own for each kind of question with enough tuning rows of both classes, placed halfway
    between the lowest probability it answers and the highest one below it (not on the edge of a tuning question)."""
    out = {}
    for kind in sorted({kind_key(r.get("kind")) for r in rows}):
        of_kind = [r for r in rows if kind_key(r.get("kind")) == kind]
        answerable = sum(1 for r in of_kind if r["answerable"])
        if answerable < KIND_MIN_ROWS[0] or len(of_kind) - answerable < KIND_MIN_ROWS[1]:
            continue
        cut = _best_point(tradeoff(of_kind, model))["threshold"]
        scores = [model.probability(signals_of(r)) for r in of_kind]
        below = [p for p in scores if p < cut]
        out[kind] = round((cut + max(below)) / 2, 4) if below else cut
    return out


def _quote_threshold(rows: list[dict[str, Any]], model: AnswerabilityModel) -> float:
    # the quote fallback of rejected drafts only (a which-paper answer is quoted too, from the paper the model picked)
    fallbacks = [r for r in rows if r.get("quoted") and r.get("kind") != "one_paper"]
    quoted = [(model.probability(signals_of(r)), r) for r in fallbacks]
    best, best_gain = 1.0, 0
    for t, _ in sorted(quoted, key=lambda pr: pr[0]):
        above = [r for p, r in quoted if p >= t]
        gain = sum(1 if r["answerable"] and (r.get("citation_recall") or 0) > 0 else -1 for r in above)
        if gain >= best_gain and gain > 0:
            best, best_gain = t, gain
    return round(best, 4)


def write_model(model: AnswerabilityModel, point: dict[str, float]) -> None:
    record = {
        "answerability": model.to_dict(),
        "on_tuning_split": {k: round(v, 4) for k, v in point.items()},
        "max_false_abstention": MAX_FALSE_ABSTENTION,
        "computed_on": date.today().isoformat(),
        "by": "python -m evals calibrate --rows ROWS (rows of `python -m evals run` on the tuning split)",
    }
    CALIBRATION_FILE.write_text(json.dumps(record, indent=2) + "\n")
