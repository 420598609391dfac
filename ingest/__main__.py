"""CLI: python -m ingest [PATH ...] [--store DIR] [--json] [--prune] [--strict]."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.config import Settings, set_offline_env
from rag.errors import ConfigError, RagError
from rag.startup import check_startup


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Parse paper abstracts (listing pages, JSONL, CSV, BibTeX) and index them for `python -m rag`.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the bundled data/seeds)")
    parser.add_argument("--store", type=Path, help="index folder (default: RAG_STORE_DIR or .rag)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove papers that are no longer in the inputs (a file that cannot be read completely keeps its papers,"
        " and the exit code is 1)",
    )
    parser.add_argument("--strict", action="store_true", help="reject everything if any input is bad")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    args = build_parser().parse_args(argv)
    overrides = {k: v for k, v in {"store_dir": args.store, "chroma_url": args.chroma_url}.items() if v}
    try:
        settings = Settings(**overrides)
        check_startup(settings, generation=False)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1

    from tqdm import tqdm

    from ingest.pipeline import StrictModeError, default_paths, ingest

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}; check the path", file=sys.stderr)
        return 2
    paths = args.paths or default_paths()

    def progress(items: Iterable[Any]) -> Iterable[Any]:
        return tqdm(items, desc="ingest", unit="paper", file=sys.stderr, leave=False)

    def on_batch(done: int) -> None:  # plain lines when stderr is a pipe (the UI and tests read them)
        print(f"ingest: {done} papers processed", file=sys.stderr, flush=True)

    interactive = sys.stderr.isatty() and not args.quiet
    quiet_pipe = args.quiet or interactive
    try:
        report = ingest(
            paths,
            settings,
            prune=args.prune,
            strict=args.strict,
            progress=progress if interactive else None,
            on_batch=None if quiet_pipe else on_batch,
        )
    except StrictModeError as exc:
        skipped = [{"path": s.path, "line": s.line, "reason": s.reason} for s in exc.skipped]
        if args.json:
            print(json.dumps({"error": "rejected under --strict; nothing was written", "skipped": skipped}))
        for s in skipped:
            print(f"rejected: {s['path']}:{s['line'] or '-'}: {s['reason']}", file=sys.stderr)
        print("error: --strict: nothing was written; fix the inputs above or drop --strict", file=sys.stderr)
        return 1
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the store is consistent; run the same command again to finish", file=sys.stderr)
        return 130

    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        for s in report.skipped:
            print(f"skipped: {s['path']}:{s['line'] or '-'}: {s['reason']}", file=sys.stderr)
        for kept in report.kept:
            print(kept["message"], file=sys.stderr)
        carried = f", carried over {report.carried} from an older index version" if report.carried else ""
        print(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"removed {report.removed}{carried}; {report.papers_total} papers, {report.chunks_total} chunks in "
            f"{settings.store_dir}; {len(report.skipped)} skipped; {report.seconds:.1f} s"
        )
    if args.prune and report.skipped:  # a pruning script must notice that some papers were kept, not pruned
        print("error: --prune: some input was skipped; its papers were kept (see above)", file=sys.stderr)
        return 1
    ingested = report.added + report.updated + report.unchanged
    return 1 if ingested == 0 and report.skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
