"""Daily-papers listing layout: page chrome, then title / abstract / `• N authors` / `·` / date blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.build import build_entry
from ingest.parsers.dates import PAGE_DATE_LINE, parse_page_date
from ingest.parsers.lines import Paragraph, iter_lines, iter_paragraphs
from ingest.parsers.pairing import Pair, Pairer

AUTHOR_COUNT = re.compile(r"^•\s*(\d+)\s+authors?$")
SEPARATOR = "·"
_ORG_HANDLE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


def is_metadata(paragraph: Paragraph) -> bool:
    """Author count, `·` and date lines (or an organisation line before `·`)."""
    lines = [line.strip() for line in paragraph.lines]
    if SEPARATOR in lines:
        return all(len(line) <= 120 for line in lines)
    return all(AUTHOR_COUNT.match(line) or PAGE_DATE_LINE.match(line) for line in lines)


def organization_name(line: str) -> str:
    """'adobe Adobe' (page handle, display name) -> 'Adobe'."""
    handle, _, name = line.partition(" ")
    return name.strip() if name.strip() and _ORG_HANDLE.match(handle) else line


class Metadata(NamedTuple):
    year: int | None = None
    date: str | None = None
    organization: str | None = None
    author_count: int | None = None
    upvotes: int | None = None


def parse_metadata(paragraph: Paragraph) -> Metadata:
    year, date, organization, author_count, upvotes = None, None, None, None, None
    for raw in paragraph.lines:
        line = raw.strip()
        if line == SEPARATOR:
            continue
        if count := AUTHOR_COUNT.match(line):
            author_count = int(count.group(1))  # the page shows only how many authors there are, not who
        elif dated := PAGE_DATE_LINE.match(line):
            year, date = parse_page_date(line)
            upvotes = int(dated.group("upvotes")) if dated.group("upvotes") else None
        else:
            organization = organization_name(line)
    return Metadata(year, date, organization, author_count, upvotes)


def parse_daily_papers(path: Path) -> Iterator[ParsedEntry | Skipped]:
    pairer = Pairer(path)
    held: Pair | None = None  # a complete title + abstract that may still get its metadata block
    for item in iter_paragraphs(path, iter_lines(path)):
        if isinstance(item, Skipped):
            yield item
            continue
        if is_metadata(item):
            if held is not None:
                meta = parse_metadata(item)
                yield build_entry(
                    path, held.line, held.abstract, held.title,
                    year=meta.year, date=meta.date, organization=meta.organization,
                    author_count=meta.author_count, upvotes=meta.upvotes,
                )  # fmt: skip
                held = None
            elif pairer.started:
                yield from pairer.interrupt()
                yield Skipped(
                    str(path),
                    item.start,
                    "authors/date block without a title and abstract before it; it was ignored",
                )
            else:
                yield from pairer.interrupt()  # the page's own date ("Oct 29") is not a paper's date
            continue
        if held is not None:
            yield build_entry(path, held.line, held.abstract, held.title)  # an entry without metadata
            held = None
        for result in pairer.feed(item.start, item.text):
            if isinstance(result, Pair):
                held = result
            else:
                yield result
    if held is not None:
        yield build_entry(path, held.line, held.abstract, held.title)
    yield from pairer.interrupt()
