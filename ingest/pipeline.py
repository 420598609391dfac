"""Run one ingestion: parse and merge the inputs, embed what changed, write the store and keyword index."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.entries import ParsedEntry, Skipped
from ingest.manifest import InputManifest
from ingest.merge import merge_entries, merge_stored
from ingest.parsers import iter_entries, iter_source_files
from rag.config import Settings
from rag.embedder import SentenceTransformerEmbedder
from rag.index import DIRTY, PaperIndex
from rag.types import Paper

SEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "seeds"


@dataclass
class IngestReport:
    """The `--json` report of the ingest CLI."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    papers_total: int = 0
    chunks_total: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class StrictModeError(Exception):
    """--strict found rejected input; nothing was written."""

    def __init__(self, skipped: list[Skipped]) -> None:
        self.skipped = skipped
        super().__init__(f"{len(skipped)} input(s) rejected")


def ingest(
    paths: list[Path],
    settings: Settings,
    prune: bool = False,
    strict: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest `paths` into the store of `settings`; idempotent, resumable after an interrupted run."""
    started = time.perf_counter()
    report = IngestReport()

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        return iter_entries(paths)

    if strict:
        rejected = [e for e in open_entries() if isinstance(e, Skipped)]
        if rejected:
            raise StrictModeError(rejected)

    files = [p for p in iter_source_files(paths) if isinstance(p, Path)]
    run_sources = {p.name for p in files}
    manifest = InputManifest.for_inputs(files, prune)
    previous = InputManifest.load(settings.store_dir)
    if previous and not settings.chroma_url and previous.untouched_since(manifest, settings.store_dir):
        return previous.unchanged_report(time.perf_counter() - started)
    index = PaperIndex(settings, create=True)
    if previous and previous.matches(manifest, index.store.revision()):
        report = previous.unchanged_report(time.perf_counter() - started)
        manifest.save(settings.store_dir, index.store.revision(), report)  # refresh the store snapshot
        return report
    stored = index.store.content_hashes()
    embedder: SentenceTransformerEmbedder | None = None
    seen: set[str] = set()
    pending: list[Paper] = []

    def flush() -> None:
        nonlocal embedder
        if pending:
            embedder = embedder or SentenceTransformerEmbedder(settings.embedder, settings.embed_batch_size)
            index.write(pending, embedder, replace=[p.doc_id for p in pending if p.doc_id in stored])
            pending.clear()
        if on_batch:
            on_batch(len(seen))

    items: Iterable[Paper | Skipped] = merge_entries(open_entries)
    for item in progress(items) if progress else items:
        if isinstance(item, Skipped):
            report.skipped.append({"path": item.path, "line": item.line, "reason": item.reason})
            continue
        paper = item
        if paper.doc_id in seen:
            continue
        seen.add(paper.doc_id)
        if paper.doc_id in stored:
            if stored[paper.doc_id] != paper.content_hash:
                paper = _merge_with_stored(index, paper, run_sources)
            if stored[paper.doc_id] == paper.content_hash:
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added += 1
        pending.append(paper)
        if len(pending) >= settings.ingest_batch_papers:
            flush()
    flush()

    if prune:
        gone = sorted(set(stored) - seen)
        index.remove(gone)
        report.removed = len(gone)

    revision = index.store.revision()
    if report.added + report.updated + report.removed > 0 or not revision or revision.startswith(DIRTY):
        index.commit()
    report.papers_total = len(index.keyword.catalog.doc_ids)
    report.chunks_total = index.store.count_chunks()
    manifest.save(settings.store_dir, index.store.revision(), report)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _merge_with_stored(index: PaperIndex, paper: Paper, run_sources: set[str]) -> Paper:
    """A paper already stored from files outside this run keeps those sources and their richer metadata."""
    stored = index.store.papers([paper.doc_id]).get(paper.doc_id)
    if stored is None:
        return paper
    outside = [s for s in stored.sources if s not in run_sources]
    if not outside:
        return paper  # the same files: this run's version replaces the stored one
    return merge_stored(stored, paper)


def default_paths() -> list[Path]:
    if not SEEDS_DIR.is_dir():
        print(f"error: the bundled corpus folder {SEEDS_DIR} is missing", file=sys.stderr)
    return [SEEDS_DIR]
