"""CLI: python -m rag "QUESTION" [--json | --bibtex] [--store DIR] [--k N] [--year-from Y] [--year-to Y] [--author A];
python -m rag --replay ANSWER.json [--json]."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.config import Settings, set_offline_env
from rag.errors import ConfigError, RagError
from rag.startup import check_startup
from rag.types import Answer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description="Ask a question about the indexed abstracts.")
    parser.add_argument("question", nargs="?", help="the question (not needed with --replay)")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the Answer as JSON (with --replay: the comparison)")
    shown.add_argument("--bibtex", action="store_true", help="print only the cited papers as a .bib file")
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="ANSWER_JSON",
        help="re-run an answer saved with --json under its recorded settings and say whether the text is identical "
        "or what changed (exit 0: identical, 3: changed)",
    )
    parser.add_argument("--store", type=Path, help="index folder (default: RAG_STORE_DIR or .rag)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    parser.add_argument("--k", type=int, help="papers to retrieve (default 10)")
    parser.add_argument("--year-from", type=int, help="only papers from this year on")
    parser.add_argument("--year-to", type=int, help="only papers up to this year")
    parser.add_argument("--author", help="only papers by this author")
    parser.add_argument("--source", help="only papers from this source file or organisation")
    parser.add_argument("--model", help="default | fast | smollm2 | path to a GGUF file")
    return parser


def print_answer(answer: Answer) -> None:
    print()
    if answer.abstained:
        print("(abstained)")
    for c in answer.citations:
        year = c.paper.year or "n.d."
        print(f"[{c.n}] {c.paper.label} ({year}) - {', '.join(c.paper.sources)}\n    evidence: {c.evidence}")
    recognised = {k: v for k, v in answer.filters.to_dict().items() if v is not None}
    if recognised:
        print(f"filters: {recognised}")


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    args = build_parser().parse_args(argv)
    if args.k is not None and args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    if (args.question is None) == (args.replay is None):
        print('error: give a QUESTION or --replay ANSWER_JSON (not both): python -m rag "What is X?"', file=sys.stderr)
        return 2
    if args.replay is not None:
        return replay_main(args)
    overrides = {"store_dir": args.store, "chroma_url": args.chroma_url, "model": args.model}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v})
        check_startup(settings)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    from rag.qa import Assistant

    options = {"k": args.k, "year_from": args.year_from, "year_to": args.year_to, "author": args.author}
    options["source"] = args.source
    try:
        assistant = Assistant(settings)
        if args.json:
            print(json.dumps(assistant.ask(args.question, **options).to_dict(), ensure_ascii=False))
            return 0
        if args.bibtex:
            answer = assistant.ask(args.question, **options)
            if not answer.citations:
                print("note: the answer cites no paper, so the .bib is empty", file=sys.stderr)
            print(answer.to_bibtex(), end="")
            return 0
        answer = None
        for item in assistant.ask(args.question, stream=True, **options):
            if isinstance(item, Answer):
                answer = item
            elif isinstance(item, str):  # the Retrieved papers come first; the checked answer lists them
                print(item, end="", flush=True)
        assert answer is not None
        print("\n\nchecked answer: " + answer.answer)
        print_answer(answer)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def replay_main(args: argparse.Namespace) -> int:
    """`--replay FILE`: the recorded question under its recorded settings (--model and --k override them)."""
    from rag import replay

    try:
        data = replay.load(args.replay)
        base = Settings(**{k: v for k, v in {"store_dir": args.store, "chroma_url": args.chroma_url}.items() if v})
        overrides = {k: v for k, v in {"model": args.model, "k": args.k}.items() if v}
        settings = replay.replay_settings(data["replay"], base, overrides)
        check_startup(settings)
        from rag.qa import Assistant

        result = replay.rerun(Assistant(settings), data, overrides)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else replay.report(result))
    return 0 if result.identical else 3


if __name__ == "__main__":
    raise SystemExit(main())
