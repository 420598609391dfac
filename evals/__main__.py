"""CLI: python -m evals run [--questions F] [--out DIR] [--configs LIST] [--retrieval-only] | calibrate | regate |
beir DIR."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals import calibration, report, runner
from rag.config import Settings, set_offline_env
from rag.errors import RagError
from rag.evidence.answerability import load_model


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Offline evaluation of the assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="evaluate configurations and write a report")
    run.add_argument("--questions", type=Path, default=runner.DEV_SET, help="question set (JSONL)")
    run.add_argument(
        "--out", type=Path, default=Path("evals/out"), help="folder for report.md, metrics.json and rows.jsonl"
    )
    run.add_argument("--configs", default="hybrid", help="comma-separated mode[+full][:model], e.g. bm25,dense,hybrid")
    run.add_argument("--retrieval-only", action="store_true", help="no generation: runs in seconds")
    run.add_argument("--store", type=Path, help="index folder (default: RAG_STORE_DIR or .rag)")
    run.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    cal = sub.add_parser(
        "calibrate", help="fit the answerability model on tuning rows; writes rag/evidence/calibration.json"
    )
    cal.add_argument(
        "--rows",
        type=Path,
        required=True,
        help="rows.jsonl of `RAG_ANSWER_THRESHOLD=0 python -m evals run` on the tuning split (its first config)",
    )
    gate = sub.add_parser(
        "regate", help="apply the current calibration to the rows of an always-answer run (or merge live rows)"
    )
    gate.add_argument("--rows", type=Path, required=True, help="rows.jsonl of an always-answer `python -m evals run`")
    gate.add_argument("--out", type=Path, required=True, help="folder for the re-gated report and rows")
    gate.add_argument(
        "--merge", type=Path, help="rows.jsonl of a gated run of some of the same questions: they replace those rows"
    )
    gate.add_argument(
        "--live", action="store_true", help="--rows are of a gated run: keep each row's own gate, only merge"
    )
    beir = sub.add_parser("beir", help="measure retrieval on a BEIR-format data set (ingested into its own store)")
    beir.add_argument(
        "folder", type=Path, help="a BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv (or qrels.tsv)"
    )
    beir.add_argument("--out", type=Path, default=Path("evals/out/beir"), help="folder for the store and the report")
    beir.add_argument("--configs", default="bm25,dense,hybrid", help="comma-separated retrieval modes")
    return parser


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    args = build_parser().parse_args(argv)
    overrides = {"store_dir": getattr(args, "store", None), "chroma_url": getattr(args, "chroma_url", None)}
    settings = Settings(**{k: v for k, v in overrides.items() if v})
    try:
        if args.command == "run":
            return run(args, settings)
        if args.command == "calibrate":
            return calibrate(args, settings)
        if args.command == "regate":
            return regate(args)
        from evals.beir_eval import run_beir

        return run_beir(args.folder, args.out, args.configs.split(","))
    except (RagError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run(args: argparse.Namespace, settings: Settings) -> int:
    items = runner.load_questions(args.questions)
    configs = [runner.Config.parse(c.strip()) for c in args.configs.split(",") if c.strip()]
    results, rows = {}, {}
    for config in configs:
        rows[config.name] = runner.evaluate(config, items, settings, args.retrieval_only, runner.stderr_progress)
        results[config.name] = runner.summarize(rows[config.name], args.retrieval_only)
    model = load_model()
    curve = calibration.tradeoff(rows[configs[0].name], model) if not args.retrieval_only else []
    report.write(args.out, results, rows, curve, model)
    print((args.out / "report.md").read_text())
    return 0


def regate(args: argparse.Namespace) -> int:
    from evals.regate import regate as apply_gate

    model = load_model()
    lines = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    rerun = [json.loads(line) for line in args.merge.read_text().splitlines() if line.strip()] if args.merge else []
    replaced = {(r["config"], r["id"]): r for r in rerun}
    results, rows = {}, {}
    for name in dict.fromkeys(r["config"] for r in lines):
        own = [r for r in lines if r["config"] == name]
        gated = own if args.live else apply_gate(own, model)
        rows[name] = [{k: v for k, v in replaced.get((name, r["id"]), r).items() if k != "config"} for r in gated]
        results[name] = runner.summarize(rows[name], retrieval_only=False)
    curve = calibration.tradeoff(rows[next(iter(rows))], model)
    report.write(args.out, results, rows, curve, model)
    print((args.out / "report.md").read_text())
    return 0


def calibrate(args: argparse.Namespace, settings: Settings) -> int:
    lines = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    first = lines[0]["config"] if lines else None
    model, fitted = calibration.fit([r for r in lines if r["config"] == first])
    calibration.write_model(model, fitted["point"])
    point = fitted["point"]
    print(
        f"answerability weights {model.weights}, bias {model.bias}; threshold {model.threshold:.4f} "
        f"(tuning: false abstention {point['false_abstention']:.3f}, unanswerable refused "
        f"{point['abstention_recall']:.3f}); by kind of question {model.kind_thresholds}; "
        f"quote threshold {model.quote_threshold:.4f}; "
        "written to rag/evidence/calibration.json"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
