"""Score the LlamaIndex peer's answers like ours, sum each side up and lay the two out side by side with the ratios."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals import metrics

# The peer never abstains on purpose; an answer counts as a refusal when its first sentence both negates (not, no,
# cannot, n't, unable) and points at its sources (context, information, mention): "The context does not provide
# information about ...". Conservative: a refusal worded otherwise, or after a first sentence of content, counts as an
# answer.
NEGATION = re.compile(r"\b(?:not|no|cannot|unable)\b|n't\b", re.I)
SOURCE_WORD = re.compile(r"\b(?:context|information|mention(?:s|ed)?)\b", re.I)
REFUSAL_RULE = (
    "first sentence has a negation (not/no/cannot/n't/unable) and a word pointing at the sources "
    "(context/information/mention)"
)


def refuses(text: str) -> bool:
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return bool(NEGATION.search(first) and SOURCE_WORD.search(first))


def peer_row(
    item: dict[str, Any], text: str, source_doc_ids: Sequence[str], first_token_ms: float | None, total_ms: float
) -> dict[str, Any]:
    """The peer's answer scored by evals.runner.answer_row's rules: its retrieved source nodes count as its citations
    (it writes none), a refusal is an abstention and cites nothing, and an abstention on an answerable question
    scores 0 for key facts and citations."""
    gold = list(item.get("gold_doc_ids") or [])
    answerable = bool(item["answerable"])
    abstained = refuses(text)
    cited = [] if abstained else metrics.unique_in_order(source_doc_ids)
    must = metrics.must_contain_coverage(text, item["must_contain"]) if answerable else None
    precision = metrics.citation_precision(cited, gold) if answerable else None
    return {
        "answer": text,
        "cited": cited,
        "abstained": abstained,
        "must_contain": 0.0 if answerable and abstained else must,
        "citation_precision": (precision if precision is not None else 0.0) if answerable else None,
        "citation_recall": metrics.citation_recall(cited, gold) if answerable else None,
        "first_token_ms": first_token_ms,
        "total_ms": total_ms,
    }


def side_summary(
    rows: Sequence[dict[str, Any]], retrieve_ms: Sequence[float], ingest_docs_s: float | None, peak_rss_mb: float | None
) -> dict[str, float | None]:
    """One side's numbers. Rows carry `answerable` plus answer_row's keys; first token counts questions where text
    was generated (an abstention decided before generation has none); answer latency counts every question."""
    answerable = [r for r in rows if r["answerable"]]
    pairs = [(bool(r["answerable"]), bool(r["abstained"])) for r in rows]
    return {
        "ingest_docs_s": ingest_docs_s,
        "retrieve_p50_ms": metrics.percentile(retrieve_ms, 50),
        "first_token_p50_ms": metrics.percentile([r["first_token_ms"] for r in rows if r.get("first_token_ms")], 50),
        "answer_p50_ms": metrics.percentile([r["total_ms"] for r in rows], 50),
        "answer_p95_ms": metrics.percentile([r["total_ms"] for r in rows], 95),
        "peak_rss_mb": peak_rss_mb,
        "key_facts": metrics.mean_defined(r["must_contain"] for r in answerable),
        "citation_precision": metrics.mean_defined(r["citation_precision"] for r in answerable),
        "abstained_unanswerable": metrics.mean_defined(float(a) for ok, a in pairs if not ok),
        "false_abstention": metrics.false_abstention_rate(pairs),
        "abstention_accuracy": metrics.abstention_accuracy(pairs),
    }


@dataclass(frozen=True)
class Line:
    """One table row: what it measures, how it prints, and the issue's target for it if there is one."""

    key: str
    label: str
    fmt: str
    target: str = ""  # "ratio<=X", "ratio>=X" or "higher" (ours strictly above theirs)


LINES = [
    Line("ingest_docs_s", "ingest docs/s", "{:.1f}", "ratio>=0.8"),
    Line("retrieve_p50_ms", "retrieval p50 (ms)", "{:.0f}"),
    Line("first_token_p50_ms", "first token p50 (ms)", "{:.0f}"),
    Line("answer_p50_ms", "answer p50 (ms)", "{:.0f}", "ratio<=0.35"),
    Line("answer_p95_ms", "answer p95 (ms)", "{:.0f}"),
    Line("peak_rss_mb", "peak RSS answering (MB)", "{:.0f}"),
    Line("key_facts", "key facts (must_contain, answerable)", "{:.3f}", "higher"),
    Line("citation_precision", "citation precision (answerable)", "{:.3f}", "higher"),
    Line("abstained_unanswerable", "abstained on unanswerable", "{:.3f}"),
    Line("false_abstention", "abstained on answerable", "{:.3f}"),
    Line("abstention_accuracy", "abstention accuracy", "{:.3f}"),
]


TARGET_TEXT = {"ratio>=0.8": ">= 0.8x", "ratio<=0.35": "<= 0.35x", "higher": "project higher"}


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or not theirs:
        return None
    return ours / theirs


def met(line: Line, ours: float | None, theirs: float | None) -> bool | None:
    """Whether the target holds; None when the line has none or a number is missing."""
    if not line.target or ours is None or theirs is None:
        return None
    if line.target == "higher":
        return ours > theirs
    value = ratio(ours, theirs)
    if value is None:
        return None
    bound = float(line.target[7:])
    return value <= bound if line.target.startswith("ratio<=") else value >= bound


def compare(ours: dict[str, float | None], theirs: dict[str, float | None]) -> list[dict[str, Any]]:
    """The table as data: per line both values, ours / theirs, the target and whether it is met."""
    return [
        {
            "key": line.key,
            "label": line.label,
            "project": ours.get(line.key),
            "llamaindex": theirs.get(line.key),
            "ratio": ratio(ours.get(line.key), theirs.get(line.key)),
            "target": line.target,
            "met": met(line, ours.get(line.key), theirs.get(line.key)),
        }
        for line in LINES
    ]


def markdown(table: Sequence[dict[str, Any]]) -> str:
    fmt = {line.key: line.fmt for line in LINES}

    def shown(value: float | None, pattern: str) -> str:
        return "n/a" if value is None else pattern.format(value)

    out = ["| | this project | LlamaIndex defaults | ratio (project / LlamaIndex) | target |", "|---|---|---|---|---|"]
    for row in table:
        verdict = {True: "met", False: "NOT met", None: ""}[row["met"]]
        target = f"{TARGET_TEXT.get(row['target'], row['target'])}: {verdict}" if row["target"] else ""
        out.append(
            f"| {row['label']} | {shown(row['project'], fmt[row['key']])} | {shown(row['llamaindex'], fmt[row['key']])}"
            f" | {shown(row['ratio'], '{:.2f}x')} | {target} |"
        )
    return "\n".join(out) + "\n"
