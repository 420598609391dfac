"""Write report.md, metrics.json and PNG plots for a set of evaluated configurations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLUMNS = [
    ("recall@1", "retrieval", "recall@1"),
    ("recall@5", "retrieval", "recall@5"),
    ("recall@10", "retrieval", "recall@10"),
    ("MRR@10", "retrieval", "mrr@10"),
    ("nDCG@10", "retrieval", "ndcg@10"),
]


ANSWER_COLUMNS = ("must_contain", "citation_precision", "citation_recall", "abstained")


def _fmt(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(results: dict[str, dict[str, Any]], curve: list[dict[str, float]], model: Any) -> str:
    lines = ["# Evaluation report", "", "Answer metrics count every question: an abstention on an answerable question"]
    lines += ["scores 0 for key facts (must_contain) and citations.", "", "## Configurations", ""]
    header = ["config", *(c[0] for c in COLUMNS), "answer in evidence", "(outside catalog)", "must_contain"]
    header += ["cit. precision", "cit. recall", "unanswerable abstained", "false abst.", "false abst. (named)"]
    header += ["follow-ups right", "retrieve p50 ms", "first token p50 ms", "answer p50 ms", "tok/s"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, summary in results.items():
        overall = summary["retrieval"]["overall"]
        answers = summary.get("answers", {}).get("overall", {})
        abst = summary.get("abstention", {})
        lat = summary["latency_ms"]
        follow = summary.get("follow_ups") or {}
        cells = [name, *(_fmt(overall.get(c[2])) for c in COLUMNS), _fmt(overall.get("answer_in_evidence"))]
        cells += [_fmt(summary.get("answer_in_evidence_outside_catalog")), _fmt(answers.get("must_contain"))]
        cells += [_fmt(answers.get("citation_precision")), _fmt(answers.get("citation_recall"))]
        cells += [_fmt(abst.get("abstained_on_unanswerable")), _fmt(abst.get("false_abstention_rate"))]
        cells += [_fmt(abst.get("false_abstention_named"))]
        cells += [f"{follow['right']}/{follow['of']}" if follow.get("of") else "–", _fmt(lat.get("retrieve_p50"), 1)]
        cells += [
            _fmt(lat.get("first_token_p50"), 0),
            _fmt(lat.get("total_p50"), 0),
            _fmt(summary.get("tokens_per_s"), 1),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for name, summary in results.items():
        lines += ["", f"## Retrieval by question type: {name}", ""]
        head = " | ".join(c[0] for c in COLUMNS)
        lines += [f"| type | n | {head} | answer in evidence |", "|" + "---|" * (len(COLUMNS) + 3)]
        for group, values in summary["retrieval"].items():
            cells = [group, str(int(values.get("count") or 0)), *(_fmt(values.get(c[2])) for c in COLUMNS)]
            cells.append(_fmt(values.get("answer_in_evidence")))
            lines.append("| " + " | ".join(cells) + " |")
    for name, summary in results.items():
        if "answers" not in summary:
            continue
        lines += ["", f"## Answers by question type: {name}", ""]
        lines += ["| type | n | must_contain | cit. precision | cit. recall | abstained | right |", "|" + "---|" * 7]
        for group, values in summary["answers"].items():
            cells = [group, str(int(values.get("count") or 0))]
            cells += [_fmt(values.get(m)) for m in (*ANSWER_COLUMNS, "right")]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"## Answerability model in use (fitted on {model.fitted_on})", ""]
    by_kind = ", ".join(f"{k}: {v:.4f}" for k, v in model.kind_thresholds.items())
    lines += [
        f"Weights {model.weights}, bias {model.bias}; answers at probability >= {model.threshold:.4f}"
        + (f" (by kind of question: {by_kind})." if by_kind else ".")
    ]
    lines += ["The curve is for this run's questions (first configuration):", ""]
    lines += ["| threshold | coverage | unanswerable refused | balanced acc. |", "|---|---|---|---|"]
    step = max(1, len(curve) // 15)
    for point in curve[::step]:
        lines.append(
            f"| {point['threshold']:.3f} | {point['coverage']:.3f} | {point['abstention_recall']:.3f} "
            f"| {point['balanced_accuracy']:.3f} |"
        )
    lines += ["", "Plots: `metrics_by_config.png`, `latency.png`, `abstention_tradeoff.png`.", ""]
    return "\n".join(lines)


def plots(out: Path, results: dict[str, dict[str, Any]], rows: dict[str, list[dict[str, Any]]], curve: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        overall = results[name]["retrieval"]["overall"]
        values = [overall.get(c[2]) or 0.0 for c in COLUMNS]
        ax.bar([x + i * width for x in range(len(COLUMNS))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(COLUMNS))], [c[0] for c in COLUMNS])
    ax.set_ylim(0, 1)
    ax.set_title("Retrieval metrics by configuration")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "metrics_by_config.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4.5))
    series = {n: [r.get("total_ms") or r["retrieve_ms"] for r in rows[n]] for n in names}
    ax.boxplot(list(series.values()), tick_labels=names)
    ax.set_yscale("log")
    ax.set_ylabel("ms per question (answer, or retrieval when retrieval-only)")
    ax.set_title("Latency distribution")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    thresholds = [p["threshold"] for p in curve]
    for key in ("abstention_recall", "coverage", "balanced_accuracy"):
        ax.plot(thresholds, [p[key] for p in curve], label=key.replace("_", " "))
    ax.set_xlabel("answerability probability threshold")
    ax.set_ylim(0, 1.02)
    ax.set_title("Abstention trade-off")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "abstention_tradeoff.png", dpi=110)
    plt.close(fig)


def write(out: Path, results: dict, rows: dict, curve: list, model: Any) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"configs": results, "answerability": model.to_dict()}, indent=2))
    (out / "rows.jsonl").write_text("\n".join(json.dumps({"config": n, **r}) for n in rows for r in rows[n]) + "\n")
    (out / "report.md").write_text(markdown(results, curve, model))
    plots(out, results, rows, curve)
