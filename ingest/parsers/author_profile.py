"""Author profile layout: owner and glued stats header, then category+date+Code / title / authors / abstract blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.build import build_entry
from ingest.parsers.dates import MONTHS, PAGE_DATE, iso_date
from ingest.parsers.lines import iter_text_lines
from ingest.textclean import NameCanonicalizer, author_key, looks_like_title, split_authors

# "CVMar 26, 2023Code", "LGMay 21": category, date and the Code flag glued together.
PAPER_HEADER = re.compile(rf"^(?P<category>[A-Za-z][A-Za-z.\-]{{0,11}}?)?{PAGE_DATE.pattern}(?P<code>\s*Code)?$")
_STAT_KEY_FIRST = re.compile(r"^(?P<key>[A-Za-z][A-Za-z \-]*?)\s*(?P<value>\d[\d,.]*%?)$")  # "h-index13"
_STAT_VALUE_FIRST = re.compile(r"^(?P<value>\d[\d,.]*)\s*(?P<key>[A-Za-z][A-Za-z \-]*)$")  # "46papers"


@dataclass
class ProfileHeader:
    """The page owner and the glued key/value stats under the name (`h-index13` -> {"h-index": "13"})."""

    owner: str
    stats: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # values without a key, e.g. the main category "LG"

    def add(self, line: str) -> None:
        match = _STAT_KEY_FIRST.match(line) or _STAT_VALUE_FIRST.match(line)
        if match:
            self.stats.setdefault(match.group("key").strip().lower(), match.group("value"))
        else:
            self.labels.append(line)


def _is_author_line(text: str) -> bool:
    if " · " in text or re.search(r"\bet al\.?$", text):
        return True
    return looks_like_title(text) and all(0 < len(part.split()) <= 5 for part in text.split(","))


class _Block:
    def __init__(self, line: int, header: re.Match[str]) -> None:
        self.line = line
        self.header = header
        self.texts: list[str] = []


def _entry(path: Path, block: _Block, owner: str, names: NameCanonicalizer) -> ParsedEntry | Skipped:
    texts = list(block.texts)
    title = texts.pop(0) if texts and looks_like_title(texts[0]) else None
    authors: list[str] = []
    affiliations: list[str] = []
    truncated = False
    if texts and len(texts) > 1 and _is_author_line(texts[0]):
        people, _, places = texts.pop(0).partition(" · ")
        found, truncated = split_authors(people)
        authors = [names(name) for name in found]
        affiliations = [a.strip() for a in places.split(",") if a.strip()]
    if not texts:
        return Skipped(str(path), block.line, "paper block has no abstract; it was ignored")
    if owner and author_key(owner) not in {author_key(a) for a in authors}:
        authors.append(owner)  # the profile owner wrote every paper on the page, even when "et al." hides it
    match = block.header
    year = int(match.group("year")) if match.group("year") else None
    return build_entry(
        path,
        block.line,
        " ".join(texts),
        title,
        authors=authors,
        authors_truncated=truncated,
        year=year,
        date=iso_date(year, MONTHS[match.group("month").lower()], int(match.group("day"))),
        category=match.group("category"),
        has_code=bool(match.group("code")),
        affiliations=affiliations,
    )


def parse_author_profile(path: Path, header_out: list[ProfileHeader] | None = None) -> Iterator[ParsedEntry | Skipped]:
    """Entries of the page; the parsed header is appended to `header_out` when given."""
    header: ProfileHeader | None = None
    names = NameCanonicalizer()
    block: _Block | None = None
    for line in iter_text_lines(path):
        if isinstance(line, Skipped):
            yield line
            continue
        text = line.text
        if header is None:
            header = ProfileHeader(owner=text)
            names(text)
            if header_out is not None:
                header_out.append(header)
        elif match := PAPER_HEADER.match(text):
            if block is not None:
                yield _entry(path, block, header.owner, names)
            block = _Block(line.number, match)
        elif block is None:
            header.add(text)
        else:
            block.texts.append(text)
    if block is not None and header is not None:
        yield _entry(path, block, header.owner, names)
