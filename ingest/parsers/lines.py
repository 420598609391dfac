"""Streaming line reading with a line-length cap and UTF-8 checks, and blank-line separated paragraphs."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ingest.entries import Skipped

LINE_LIMIT = 1 << 20  # bytes; a longer "line" means the file is not line-based text
PARAGRAPH_LINES = 2000  # a paragraph longer than this is cut, so no layout can buffer a whole file
_SKIP_CHUNK = 1 << 16


class Line(NamedTuple):
    """One physical line (without its line ending); `problem` is set when the line cannot be used."""

    number: int
    text: str
    problem: str | None = None


class Paragraph(NamedTuple):
    """Consecutive non-blank lines; `start` is the 1-based number of the first one."""

    start: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)


def too_long_reason(size: int, limit: int = LINE_LIMIT) -> str:
    return (
        f"line is longer than the {limit:,}-byte limit ({size:,}+ bytes without a line break); "
        "put one record per line, or split the file"
    )


def _skip_rest_of_line(fh: BinaryIO) -> int:
    """Consume the remainder of an over-long line in small chunks; returns the bytes skipped."""
    skipped = 0
    while True:
        chunk = fh.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        reason = (
            f"line is not valid UTF-8 (byte 0x{bad:02x} at byte {exc.start + 1} of the line); re-save the file as UTF-8"
        )
        return raw.decode("utf-8", "replace"), reason


def iter_lines(path: Path, limit: int = LINE_LIMIT, stop_at_long_line: bool = False) -> Generator[Line, None, None]:
    """Lines of `path`, read one at a time; never holds more than `limit` bytes of one line in memory."""
    with path.open("rb") as fh:
        number = 0
        while True:
            raw = fh.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                if stop_at_long_line:
                    yield Line(number, "", too_long_reason(len(raw), limit))
                    return
                size = len(raw) + _skip_rest_of_line(fh)
                yield Line(number, "", too_long_reason(size, limit))
                continue
            text, problem = _decode(raw)
            text = text.rstrip("\r\n")
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield Line(number, text, problem)


def iter_paragraphs(path: Path, lines: Iterable[Line]) -> Iterator[Paragraph | Skipped]:
    """Group good lines into paragraphs; an unusable line is reported and treated as absent."""
    start = 0
    buf: list[str] = []
    for line in lines:
        if line.problem:
            yield Skipped(str(path), line.number, line.problem)
            continue
        if not line.text.strip():
            if buf:
                yield Paragraph(start, tuple(buf))
                buf = []
            continue
        if not buf:
            start = line.number
        buf.append(line.text)
        if len(buf) >= PARAGRAPH_LINES:
            yield Paragraph(start, tuple(buf))
            buf = []
    if buf:
        yield Paragraph(start, tuple(buf))


def iter_text_lines(path: Path) -> Iterator[Line | Skipped]:
    """Non-blank lines of `path` with their text stripped; unusable lines come as Skipped items."""
    for line in iter_lines(path):
        if line.problem:
            yield Skipped(str(path), line.number, line.problem)
        elif text := line.text.strip():
            yield Line(line.number, text)
