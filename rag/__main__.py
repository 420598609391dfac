"""CLI: python -m rag "QUESTION" [--json] [--store DIR] [--k N] [--year-from Y] [--year-to Y] [--author A]."""

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
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the Answer as JSON")
    parser.add_argument("--store", type=Path, help="index folder (default: RAG_STORE_DIR or .rag)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    parser.add_argument("--k", type=int, help="papers to retrieve (default 10)")
    parser.add_argument("--year-from", type=int)
    parser.add_argument("--year-to", type=int)
    parser.add_argument("--author")
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
        answer = None
        for item in assistant.ask(args.question, stream=True, **options):
            if isinstance(item, Answer):
                answer = item
            else:
                print(item, end="", flush=True)
        assert answer is not None
        print("\n\nchecked answer: " + answer.answer)
        print_answer(answer)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
