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


def markdown(results: dict[str, dict[str, Any]], curve: list[dict[str, float]], threshold: float) -> str:
    lines = ["# Evaluation report", "", "## Configurations", ""]
    header = ["config", *(c[0] for c in COLUMNS), "must_contain", "cit. precision", "cit. recall"]
    header += ["abstain acc.", "false abst.", "retrieve p50 ms", "first token p50 ms", "answer p50 ms", "tok/s"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, summary in results.items():
        overall = summary["retrieval"]["overall"]
        answers = summary.get("answers", {}).get("overall", {})
        abst = summary.get("abstention", {})
        lat = summary["latency_ms"]
        cells = [name, *(_fmt(overall.get(c[2])) for c in COLUMNS)]
        cells += [_fmt(answers.get("must_contain")), _fmt(answers.get("citation_precision"))]
        cells += [_fmt(answers.get("citation_recall")), _fmt(abst.get("accuracy"))]
        cells += [_fmt(abst.get("false_abstention_rate")), _fmt(lat.get("retrieve_p50"), 1)]
        cells += [
            _fmt(lat.get("first_token_p50"), 0),
            _fmt(lat.get("total_p50"), 0),
            _fmt(summary.get("tokens_per_s"), 1),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for name, summary in results.items():
        lines += ["", f"## Retrieval by question type: {name}", ""]
        lines += ["| type | n | " + " | ".join(c[0] for c in COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 2)]
        for group, values in summary["retrieval"].items():
            cells = [group, str(int(values.get("count") or 0)), *(_fmt(values.get(c[2])) for c in COLUMNS)]
            lines.append("| " + " | ".join(cells) + " |")
    for name, summary in results.items():
        if "answers" not in summary:
            continue
        lines += ["", f"## Answers by question type: {name}", ""]
        lines += ["| type | n | must_contain | cit. precision | cit. recall | abstained |", "|---|---|---|---|---|---|"]
        for group, values in summary["answers"].items():
            cells = [group, str(int(values.get("count") or 0))]
            cells += [_fmt(values.get(m)) for m in ANSWER_COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"## Abstention threshold: {threshold:.4f} (in use)", ""]
    lines += ["Dense similarity below the threshold makes the assistant abstain before the LLM is called.", ""]
    lines += [
        "| threshold | abstention precision | abstention recall | coverage | balanced acc. |",
        "|---|---|---|---|---|",
    ]
    step = max(1, len(curve) // 15)
    for point in curve[::step]:
        lines.append(
            f"| {point['threshold']:.3f} | {point['abstention_precision']:.3f} | {point['abstention_recall']:.3f} "
            f"| {point['coverage']:.3f} | {point['balanced_accuracy']:.3f} |"
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
    for key in ("abstention_precision", "abstention_recall", "coverage", "balanced_accuracy"):
        ax.plot(thresholds, [p[key] for p in curve], label=key.replace("_", " "))
    ax.set_xlabel("dense similarity threshold")
    ax.set_ylim(0, 1.02)
    ax.set_title("Abstention trade-off")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "abstention_tradeoff.png", dpi=110)
    plt.close(fig)


def write(out: Path, results: dict, rows: dict, curve: list, threshold: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"configs": results, "threshold": threshold}, indent=2))
    (out / "rows.jsonl").write_text("\n".join(json.dumps({"config": n, **r}) for n in rows for r in rows[n]) + "\n")
    (out / "report.md").write_text(markdown(results, curve, threshold))
    plots(out, results, rows, curve)
