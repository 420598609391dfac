"""Find source files and parse each with the parser its content calls for."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.author_profile import parse_author_profile
from ingest.parsers.bibtex import parse_bibtex
from ingest.parsers.daily_papers import parse_daily_papers
from ingest.parsers.detect import detect_layout
from ingest.parsers.lab_page import parse_lab_page
from ingest.parsers.records_jsonl_csv import parse_csv, parse_jsonl
from ingest.parsers.title_lines import parse_title_lines

__all__ = ["PARSERS", "iter_entries", "iter_source_files", "parse_file"]

PARSERS: dict[str, Callable[[Path], Iterator[ParsedEntry | Skipped]]] = {
    "jsonl": parse_jsonl,
    "csv": parse_csv,
    "bibtex": parse_bibtex,
    "lab_page": parse_lab_page,
    "author_profile": parse_author_profile,
    "daily_papers": parse_daily_papers,
    "title_lines": parse_title_lines,
}


def _walk(folder: Path, seen: set[str]) -> Iterator[Path | Skipped]:
    """Files under `folder`, recursively, sorted by name; hidden files and folders are left out."""
    real = os.path.realpath(folder)
    if real in seen:
        return  # a symlink loop
    seen.add(real)
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield Skipped(str(folder), None, f"cannot list the folder ({exc.strerror or exc}); check its permissions")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child, seen)
        elif child.is_file():
            yield child
        elif child.is_symlink():  # a link to a file that is gone (or unreachable): say so, not skip it silently
            target = os.readlink(child)
            yield Skipped(str(child), None, f"broken symbolic link to {target}; fix or remove the link")


def iter_source_files(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """The files to parse: files as given, folders expanded; missing paths and empty folders are reported."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = False
            for item in _walk(path, set()):
                found = found or isinstance(item, Path)
                yield item
            if not found:
                yield Skipped(str(path), None, "folder has no (non-hidden) files to ingest")
        elif path.is_file():
            yield path
        elif path.exists():
            yield Skipped(str(path), None, "not a regular file or folder; pass files or folders")
        else:
            yield Skipped(str(path), None, "no such file or folder; check the path")


def parse_file(path: Path) -> Iterator[ParsedEntry | Skipped]:
    """Entries of one file, streamed, in file order; problems become Skipped items, never exceptions."""
    layout = detect_layout(path)
    if isinstance(layout, Skipped):
        yield layout
        return
    try:
        yield from PARSERS[layout](path)
    except OSError as exc:
        yield Skipped(str(path), None, f"reading failed part-way ({exc.strerror or exc}); entries before it were kept")


def iter_entries(paths: Iterable[Path]) -> Iterator[ParsedEntry | Skipped]:
    """Every entry of every file under `paths`, in order; what could not be read comes as Skipped."""
    for item in iter_source_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from parse_file(item)
