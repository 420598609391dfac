"""Lab page layout: a header line (the lab, kept as `organization`), then one `Abstract:<text>` line per paper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.build import build_entry
from ingest.parsers.lines import iter_text_lines

PREFIX = "Abstract:"


def parse_lab_page(path: Path) -> Iterator[ParsedEntry | Skipped]:
    organization: str | None = None
    current: tuple[int, list[str]] | None = None
    for line in iter_text_lines(path):
        if isinstance(line, Skipped):
            yield line
            continue
        text = line.text
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
