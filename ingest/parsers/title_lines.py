"""Title/abstract layout: alternating title and abstract lines after page chrome (maybe glued to the first title)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.build import build_entry
from ingest.parsers.lines import iter_lines
from ingest.parsers.pairing import Pair, Pairer


def parse_title_lines(path: Path) -> Iterator[ParsedEntry | Skipped]:
    pairer = Pairer(path)
    for line in iter_lines(path):
        if line.problem:
            yield Skipped(str(path), line.number, line.problem)
            continue
        if not line.text.strip():
            continue
        for item in pairer.feed(line.number, line.text.strip()):
            yield build_entry(path, item.line, item.abstract, item.title) if isinstance(item, Pair) else item
    yield from pairer.interrupt()
