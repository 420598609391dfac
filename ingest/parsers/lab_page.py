"""Lab page layout: a header line (the lab, kept as `organization`), then one `Abstract:<text>` line per paper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.build import build_entry
from ingest.parsers.lines import iter_lines

PREFIX = "Abstract:"


def parse_lab_page(path: Path) -> Iterator[ParsedEntry | Skipped]:
    organization: str | None = None
    current: tuple[int, list[str]] | None = None
    for line in iter_lines(path):
        if line.problem:
            yield Skipped(str(path), line.number, line.problem)
            continue
        text = line.text.strip()
        if not text:
            continue
        if text.startswith(PREFIX):
            if current:
                yield build_entry(path, current[0], " ".join(current[1]), organization=organization)
            current = (line.number, [text[len(PREFIX) :]])
        elif current:
            current[1].append(text)  # a wrapped abstract continues on the next line
        elif organization is None:
            organization = text
    if current:
        yield build_entry(path, current[0], " ".join(current[1]), organization=organization)
