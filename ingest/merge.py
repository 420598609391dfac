"""Merge parsed entries into Paper records in two streaming passes: duplicates joined, versions kept apart."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ingest.entries import ParsedEntry, Skipped
from ingest.identity import content_hash, doc_id_for, find_arxiv_id, normalize_key, version_doc_id
from ingest.textclean import merge_unique
from rag.record import PaperRecord
from rag.types import Paper

_HASHED_FIELDS = tuple(f.name for f in dataclasses.fields(Paper) if f.name != "content_hash")


def entry_arxiv_id(entry: PaperRecord) -> str | None:
    return entry.arxiv_id or find_arxiv_id(*entry.urls, entry.abstract)


def group_key(entry: ParsedEntry) -> str:
    """arXiv id, else the normalized title, else the normalized abstract."""
    if arxiv := entry_arxiv_id(entry):
        return f"arxiv:{arxiv}"
    if entry.title and (title := normalize_key(entry.title)):
        return f"title:{title}"
    return f"abstract:{normalize_key(entry.abstract)}"


def _small(key: str) -> bytes:
    """A 12-byte stand-in for a key, so pass 1 stays small for huge inputs."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).digest()


def _date_rank(record: PaperRecord) -> int:
    """Full date > year and month > year only > month-day only > nothing."""
    full = record.date is not None and len(record.date) == 10 and not record.date.startswith("--")
    return 2 * (record.year is not None) + (record.date is not None) + full


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v), None)


def combine(records: Sequence[PaperRecord]) -> dict[str, Any]:
    """Fields of one paper from several sightings: the richest metadata wins, lists are united in order."""
    authored = max(records, key=lambda r: (bool(r.authors), not r.authors_truncated, len(r.authors)))
    dated = max(records, key=_date_rank)
    return {
        "title": _first(r.title for r in records),
        "abstract": records[0].abstract,
        "authors": tuple(authored.authors),
        "authors_truncated": authored.authors_truncated if authored.authors else False,
        "year": dated.year,
        "date": dated.date,
        "category": _first(r.category for r in records),
        "has_code": any(r.has_code for r in records),
        "urls": merge_unique(*(r.urls for r in records)),
        "arxiv_id": _first(entry_arxiv_id(r) for r in records),
        "organization": _first(r.organization for r in records),
        "affiliations": merge_unique(*(r.affiliations for r in records)),
        "keywords": merge_unique(*(r.keywords for r in records)),
        "author_count": _first(r.author_count for r in records),
        "upvotes": max((r.upvotes for r in records if r.upvotes is not None), default=None),
    }


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Paper)}


def make_paper(**fields: Any) -> Paper:
    """A Paper with its content_hash computed over every other field."""
    values = [fields[name] if name in fields else _DEFAULTS[name] for name in _HASHED_FIELDS]
    return Paper(**fields, content_hash=content_hash(*values))


def merge_group(entries: Sequence[ParsedEntry]) -> list[Paper]:
    """One group key's entries: one Paper per distinct abstract; later abstracts are versions of the first."""
    clusters: dict[str, list[ParsedEntry]] = {}
    for entry in entries:
        key = normalize_key(entry.abstract) if len(entries) > 1 else ""
        clusters.setdefault(key, []).append(entry)
    papers: list[Paper] = []
    base = ""
    for index, cluster in enumerate(clusters.values()):
        fields = combine(cluster)
        if index == 0:
            base = doc_id_for(fields["title"], fields["abstract"], fields["arxiv_id"])
        doc_id = base if index == 0 else version_doc_id(base, fields["abstract"])
        version_of = base if len(clusters) > 1 else None
        sources = merge_unique([e.source for e in cluster])
        papers.append(make_paper(doc_id=doc_id, sources=sources, version_of=version_of, **fields))
    return papers


def merge_entries(open_entries: Callable[[], Iterable[ParsedEntry | Skipped]]) -> Iterator[Paper | Skipped]:
    """Papers from entries, memory-bounded: `open_entries` is called twice and must give the same stream.

    Pass 1 counts entries per group key (12-byte digests only). Pass 2 emits single-entry groups at once and
    holds a multi-entry group only until its last entry arrives. Skipped items pass through once, in pass 2.
    """
    counts: Counter[bytes] = Counter()
    for item in open_entries():
        if isinstance(item, ParsedEntry):
            counts[_small(group_key(item))] += 1
    pending: dict[bytes, list[ParsedEntry]] = {}
    for item in open_entries():
        if isinstance(item, Skipped):
            yield item
            continue
        key = _small(group_key(item))
        expected = counts.get(key, 0)
        if expected <= 1 and key not in pending:
            yield from merge_group([item])
            continue
        group = pending.setdefault(key, [])
        group.append(item)
        if len(group) >= expected:
            del pending[key]
            yield from merge_group(group)
    for group in pending.values():  # only when the input changed between the passes
        yield from merge_group(group)


def merge_stored(stored: Paper, paper: Paper) -> Paper:
    """`paper` (this run) combined with the stored record of the same doc_id: its sources and richer metadata."""
    fields = combine([paper, stored])
    sources = merge_unique(stored.sources, paper.sources)
    return make_paper(doc_id=paper.doc_id, sources=sources, version_of=paper.version_of, **fields)


def with_sources(paper: Paper, sources: Sequence[str]) -> Paper:
    """`paper` listing only `sources` (say, after --prune dropped a file), with its content_hash recomputed."""
    fields = {name: getattr(paper, name) for name in _HASHED_FIELDS}
    return make_paper(**{**fields, "sources": tuple(sources)})
