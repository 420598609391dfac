"""Fault-matrix helpers: run `python -m ingest` as a child, count a store's papers and duplicates, judge a case."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import RagError
from rag.retrieval.chunking import chunk_paper
from rag.retrieval.index import PaperIndex

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "seeds"
LAB = SEEDS / "000_7260f6b4ff62f6ec.txt"  # 10 papers: the base store of most cases
PAGE = SEEDS / "002_87569abedee599f0.txt"  # 46 papers: long enough to interrupt
LAB_PAPERS, PAGE_PAPERS = 10, 46
# a message "says the fix" when it tells the user what to do
FIX = re.compile(
    r"\b(re-?save|use|run|re-run|fix|remove|check|free|install|add|drop|split|set|unset|point|choose|convert|"
    r"make|give|upload|retry|try|shorten|ask|rename|raise|wait|name|write)\b",
    re.IGNORECASE,
)


@dataclass
class Run:
    code: int
    report: dict[str, Any]
    stderr: str

    def messages(self) -> str:
        """What the user is shown: skipped and kept entries of the report, error lines of stderr."""
        shown = [f"{s['path']}:{s.get('line') or '-'}: {s['reason']}" for s in self.report.get("skipped", [])]
        shown += [k.get("message", "") for k in self.report.get("kept", [])]
        shown += [line for line in self.stderr.splitlines() if line.startswith(("error", "rejected", "interrupted"))]
        return " | ".join(shown)


@dataclass
class Outcome:
    case: str
    outcome: str
    before: int
    after: int
    expected: int  # papers that must be in the store after the case
    duplicates: int
    message: str = ""
    names: str | None = None  # what the message must name (a file, a value); None: no message is expected

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.after)

    @property
    def names_it(self) -> bool:
        return self.names is None or self.names.lower() in self.message.lower()

    @property
    def says_fix(self) -> bool:
        return self.names is None or bool(FIX.search(self.message))

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0 and self.names_it and self.says_fix


def ingest(
    paths: list[Path],
    store: Path,
    *flags: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 900,
) -> Run:
    """`python -m ingest PATHS --store STORE --json FLAGS` in a child process."""
    command = [sys.executable, "-m", "ingest", *map(str, paths), "--store", str(store), "--json", *flags]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
        check=False,
    )
    return Run(done.returncode, parse_report(done.stdout), done.stderr)


def parse_report(stdout: str) -> dict[str, Any]:
    try:
        report = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    except json.JSONDecodeError:
        return {}
    return report if isinstance(report, dict) else {}


def stats(store: Path) -> tuple[int, int]:
    """(papers, duplicates) of a store: duplicates are extra records of one (title, abstract) plus chunks beyond
    what the stored papers chunk into (orphans of a half-written paper). A missing store has (0, 0)."""
    if not (store / "chroma.sqlite3").exists():
        return 0, 0
    settings = Settings(store_dir=store)
    try:
        index = PaperIndex(settings)
    except RagError:
        return 0, 0
    try:
        papers = list(index.store.iter_papers())
        expected_chunks = sum(len(chunk_paper(p, settings.chunk_sentences)) for p in papers)
        extra_chunks = max(0, index.store.count_chunks() - expected_chunks)
    finally:
        index.close()  # embedded Chroma caches a folder per process: reopen to see a child's writes
    same = Counter(((p.title or "").lower(), p.abstract) for p in papers)
    return len(papers), sum(n - 1 for n in same.values()) + extra_chunks


def copy_store(base: Path, to: Path) -> Path:
    shutil.copytree(base, to)
    return to


def first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
