"""What parsers produce: one ParsedEntry per paper seen in a file, or a Skipped item for input that was rejected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedEntry:
    """One paper as seen in one file, before merging."""

    source: str  # file name (basename), e.g. "002_87569abedee599f0.txt"
    line: int  # 1-based line where the entry starts
    abstract: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    year: int | None = None
    date: str | None = None  # "YYYY-MM-DD", "YYYY-MM", or "--MM-DD" when the year is unknown
    category: str | None = None
    has_code: bool = False
    urls: tuple[str, ...] = ()
    arxiv_id: str | None = None
    organization: str | None = None
    affiliations: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    author_count: int | None = None  # how many authors the page says there are (listings show only the count)
    upvotes: int | None = None  # the listing's upvote count, where it shows one


@dataclass(frozen=True)
class Skipped:
    """Input that was not ingested: where it is and what is wrong with it (and how to fix it)."""

    path: str
    line: int | None
    reason: str
