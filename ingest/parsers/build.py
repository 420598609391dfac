"""Build a ParsedEntry from raw page or record text: the text repairs every layout shares."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.textclean import clean_abstract, clean_text, clean_title, merge_unique


def build_entry(
    path: Path,
    line: int,
    abstract: str,
    title: str | None = None,
    *,
    authors: Iterable[str] = (),
    authors_truncated: bool = False,
    year: int | None = None,
    date: str | None = None,
    category: str | None = None,
    has_code: bool = False,
    urls: Iterable[str] = (),
    arxiv_id: str | None = None,
    organization: str | None = None,
    affiliations: Iterable[str] = (),
    keywords: Iterable[str] = (),
    author_count: int | None = None,
    upvotes: int | None = None,
) -> ParsedEntry | Skipped:
    """A cleaned entry, or Skipped when nothing of the abstract is left."""
    text, found_urls, found_keywords = clean_abstract(abstract)
    if not text:
        return Skipped(str(path), line, "the abstract is empty; every paper needs its abstract text")
    return ParsedEntry(
        source=path.name,
        line=line,
        abstract=text,
        title=clean_title(title),
        authors=merge_unique([clean_text(a) for a in authors]),
        authors_truncated=authors_truncated,
        year=year,
        date=date,
        category=clean_title(category),
        has_code=has_code,
        urls=merge_unique([u.strip() for u in urls], found_urls),
        arxiv_id=arxiv_id or None,
        organization=clean_title(organization),
        affiliations=merge_unique([clean_text(a) for a in affiliations]),
        keywords=merge_unique([clean_text(k) for k in keywords], found_keywords),
        author_count=author_count,
        upvotes=upvotes,
    )
