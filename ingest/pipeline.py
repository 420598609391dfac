"""Run one ingestion: parse and merge the inputs, embed what changed, write the store and keyword index."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ingest.entries import ParsedEntry, Skipped
from ingest.manifest import InputManifest
from ingest.merge import merge_entries, merge_stored, with_sources
from ingest.parsers import iter_entries, iter_source_files
from ingest.prune import Reading, plan_prune
from ingest.report import IngestReport
from rag.config import Settings
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.index import DIRTY, PaperIndex, keyword_dir
from rag.types import Paper

SEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "seeds"


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
    files = [p for p in iter_source_files(paths) if isinstance(p, Path)]
    reading = Reading(files)

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        return reading.watch(iter_entries(paths))

    if strict:
        rejected = [e for e in open_entries() if isinstance(e, Skipped)]
        if rejected:
            raise StrictModeError(rejected)

    manifest = InputManifest.for_inputs(files, prune)
    previous = InputManifest.load(settings.store_dir)
    current = keyword_dir(settings).is_dir()  # else the embedder or chunking changed: the vectors are re-made
    if previous and current and not settings.chroma_url and previous.untouched_since(manifest, settings.store_dir):
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

    # an index made by an older chunking version holds papers the inputs may not (a file ingested once, an upload):
    # they are re-made here first, so a version change loses none of them, and then count as stored
    superseded = index.superseded()
    for old in superseded:
        for paper in old.iter_papers():
            if stored.get(paper.doc_id) != paper.content_hash:
                pending.append(paper)
                report.carried += 1
                if len(pending) >= settings.ingest_batch_papers:
                    flush()
        flush()
    if superseded:
        stored = index.store.content_hashes()

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
                paper = _merge_with_stored(index, paper, reading, prune)
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
        plan = plan_prune(index.store.papers(sorted(set(stored) - seen)), reading)
        pending.extend(plan.rewrite)
        report.updated += len(plan.rewrite)
        flush()
        index.remove(plan.remove)
        report.removed = len(plan.remove)
        report.kept = plan.kept

    revision = index.store.revision()
    if report.added + report.updated + report.removed > 0 or not revision or revision.startswith(DIRTY):
        index.commit()
    for old in superseded:  # its papers are all in this index now
        index.drop_superseded(old)
    report.papers_total = len(index.keyword.catalog.doc_ids)
    report.chunks_total = index.store.count_chunks()
    manifest.save(settings.store_dir, index.store.revision(), report)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _merge_with_stored(index: PaperIndex, paper: Paper, reading: Reading, prune: bool) -> Paper:
    """A paper already stored from files this run did not read completely keeps those sources and their richer
    metadata; under --prune only the files it could not read count (the others are gone from the inputs)."""
    stored = index.store.papers([paper.doc_id]).get(paper.doc_id)
    if stored is None:
        return paper
    keep = reading.incomplete_names if prune else set(stored.sources) - reading.complete_names
    outside = [s for s in stored.sources if s in keep]
    if not outside:
        return paper  # the same files: this run's version replaces the stored one
    merged = merge_stored(stored, paper)
    if not prune:
        return merged
    return with_sources(merged, [s for s in merged.sources if s in outside or s in paper.sources])


def default_paths() -> list[Path]:
    if not SEEDS_DIR.is_dir():
        print(f"error: the bundled corpus folder {SEEDS_DIR} is missing", file=sys.stderr)
    return [SEEDS_DIR]
