"""Layout detection from a file's content (never its name): which parser reads it, or why none can."""

from __future__ import annotations

import re
from itertools import islice, pairwise
from pathlib import Path

from ingest.entries import Skipped
from ingest.parsers.author_profile import PAPER_HEADER
from ingest.parsers.bibtex import ENTRY_START
from ingest.parsers.daily_papers import AUTHOR_COUNT, SEPARATOR
from ingest.parsers.lab_page import PREFIX as LAB_PREFIX
from ingest.parsers.lines import iter_lines
from ingest.parsers.pairing import strip_chrome
from ingest.parsers.records_jsonl_csv import header_delimiter
from ingest.textclean import looks_like_title

HEAD_LINES = 80
SNIFF_BYTES = 8192
SUPPORTED = (
    "convert it to a supported format: JSONL (one JSON object per line), CSV with a header row, BibTeX, or the"
    " bundled listing-page layouts"
)
_STAT = re.compile(r"^(?:h-index\d+|\d+\s*papers|\d+\s*citations)$", re.IGNORECASE)
_CSVISH_NAME = re.compile(r"^[\w .\-]{1,40}$")


def _binary_reason(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "file is UTF-16 text; re-save it as UTF-8"
    if head.startswith(b"%PDF"):
        return "file is a PDF; export the papers' titles and abstracts to JSONL, CSV or BibTeX"
    if b"\x00" in head:
        return "binary file (contains NUL bytes), not text; " + SUPPORTED
    return None


def _profile_header(text: str) -> bool:
    """A glued category + date line ("CVMar 26, 2023Code"); a bare date is a listing page's."""
    match = PAPER_HEADER.match(text)
    return bool(match and match.group("category"))


def _alternating(lines: list[str]) -> bool:
    """Title line, abstract line, title line, ...: the title/abstract layout (one missing line is tolerated)."""
    texts = [t for t in (strip_chrome(t) for t in lines) if t][:24]
    titles = [looks_like_title(t) for t in texts]
    good = sum(a and not b for a, b in pairwise(titles))
    return len(texts) >= 2 and good >= 0.4 * len(texts)


def _generic_csv(lines: list[str]) -> bool:
    """A header of short column names, and a next line with as many columns."""
    if len(lines) < 2:
        return False
    for delimiter in (",", "\t", ";", "|"):
        names = lines[0].split(delimiter)
        if len(names) >= 2 and all(_CSVISH_NAME.match(n.strip().strip('"')) for n in names):
            return lines[1].count(delimiter) >= len(names) - 1
    return False


def detect_layout(path: Path) -> str | Skipped:
    """One of: jsonl, csv, bibtex, lab_page, author_profile, daily_papers, title_lines; or Skipped."""
    where = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if (reason := _binary_reason(head)) is not None:
            return Skipped(where, None, reason)
        reader = iter_lines(path, stop_at_long_line=True)
        try:
            lines = list(islice(reader, HEAD_LINES))
        finally:
            reader.close()
    except OSError as exc:
        return Skipped(where, None, f"cannot read the file ({exc.strerror or exc}); check that it is readable")
    if lines and lines[0].problem and not lines[0].text:
        return Skipped(where, 1, f"{lines[0].problem} (no line break in the first MB: not a text file with lines)")
    texts = [line.text for line in lines if not line.problem]
    nonblank = [t.strip() for t in texts if t.strip()]
    if not nonblank:
        if any(line.problem for line in lines):
            return Skipped(where, None, "no readable UTF-8 text at the start of the file; re-save it as UTF-8")
        return Skipped(
            where, None, "file is empty (or only whitespace); nothing to ingest: check that it was saved completely"
        )
    first = nonblank[0]
    if first.startswith("{"):
        return "jsonl"
    if first.startswith("["):
        return Skipped(where, 1, "file is a JSON array; write one JSON object per line (JSONL), e.g. jq -c '.[]'")
    code = [t for t in nonblank if not t.startswith("%")]
    if code and ENTRY_START.match(code[0]):
        return "bibtex"
    if header_delimiter(first):
        return "csv"
    if sum(t.startswith(LAB_PREFIX) for t in nonblank) >= max(1, (len(nonblank) - 1) // 2):
        return "lab_page"
    if any(_STAT.match(t) for t in nonblank[:12]) or any(_profile_header(t) for t in nonblank):
        return "author_profile"
    if any(AUTHOR_COUNT.match(t) or t == SEPARATOR for t in nonblank):
        return "daily_papers"
    if _generic_csv(nonblank):
        return "csv"
    if _alternating(nonblank):
        return "title_lines"
    return Skipped(where, None, f"unrecognised layout (first line: {first[:60]!r}); {SUPPORTED}")
