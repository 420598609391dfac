"""Pairing title and abstract texts in listing pages, dropping page chrome before the first paper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ingest.entries import Skipped
from ingest.textclean import looks_like_title

# Navigation text of the scraped listing pages; it can be glued to the first title ("SubscribeOne Loss for All").
CHROME = (
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "byAK and the research community",
    "Daily Papers",
    "Subscribe",
    "new",
)


class Pair(NamedTuple):
    """A title (None when the page had none) and its abstract; `line` is where the pair starts."""

    line: int
    title: str | None
    abstract: str


def strip_chrome(text: str) -> str:
    """Text without leading page chrome; "" when the text is only chrome."""
    text = text.strip()
    changed = True
    while changed and text:
        changed = False
        for phrase in CHROME:
            if text == phrase:
                return ""
            rest = text[len(phrase) :].lstrip()
            if text.startswith(phrase) and (rest[:1].isupper() or rest[:1].isdigit()):
                text, changed = rest, True
                break
    return text


class Pairer:
    """Feeds texts in page order: a title-like text waits for the next text, which becomes its abstract.

    Unpaired texts before the first paper are page chrome and are dropped silently; a title that never gets
    an abstract after that is reported.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: tuple[int, str] | None = None
        self.started = False

    def feed(self, line: int, text: str) -> Iterator[Pair | Skipped]:
        if not self.started:
            text = strip_chrome(text)
            if not text:
                return
        if self.pending is None:
            if looks_like_title(text):
                self.pending = (line, text)
            else:
                self.started = True
                yield Pair(line, None, text)
            return
        if looks_like_title(text):
            yield from self.interrupt()
            self.pending = (line, text)
            return
        start, title = self.pending
        self.pending = None
        self.started = True
        yield Pair(start, title, text)

    def interrupt(self) -> Iterator[Skipped]:
        """Something that is not an abstract follows the pending title (metadata, another title, end of file)."""
        if self.pending is not None and self.started:
            line, title = self.pending
            yield Skipped(
                str(self.path),
                line,
                f"title {title[:80]!r} is not followed by an abstract; add the abstract on the next line "
                "(an abstract is a text that ends with a full stop)",
            )
        self.pending = None
