"""BibTeX files: entries with an abstract field become papers; braces, `and`-lists and arXiv eprints handled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.identity import find_arxiv_id
from ingest.latex import repair_latex
from ingest.parsers.build import build_entry
from ingest.parsers.dates import iso_date, month_number, parse_date
from ingest.parsers.lines import LINE_LIMIT, iter_lines
from ingest.parsers.records import arxiv_id_from

ENTRY_START = re.compile(r"^\s*@\s*(?P<type>[A-Za-z]+)\s*(?P<open>[{(])")
_IGNORED_TYPES = {"comment", "string", "preamble"}
_FIELD = re.compile(r"\s*,?\s*(?P<name>[A-Za-z][\w\-:.]*)\s*=\s*")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _value(text: str, pos: int) -> tuple[str, int]:
    """One field value at `pos` ({...}, "..." or a bare word, joined with #); returns it and the end."""
    parts: list[str] = []
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        opener = text[pos]
        if opener in '{"':
            depth, i = 0, pos
            while i < len(text):
                ch = text[i]
                if ch == "\\":
                    i += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if opener == "{" and depth == 0:
                        break
                elif ch == '"' and opener == '"' and depth == 0 and i > pos:
                    break
                i += 1
            parts.append(text[pos + 1 : i])
            pos = i + 1
        else:
            match = re.match(r"[^,#}\s]+", text[pos:])
            parts.append(match.group(0) if match else "")
            pos += len(match.group(0)) if match else 1
        rest = text[pos:].lstrip()
        if not rest.startswith("#"):
            break
        pos = len(text) - len(rest) + 1
    return "".join(parts), pos


def parse_fields(body: str) -> tuple[str, dict[str, str]]:
    """Citation key and fields (lower-case names) of an entry body (the text inside the outer braces)."""
    key, _, rest = body.partition(",")
    fields: dict[str, str] = {}
    pos = 0
    while match := _FIELD.match(rest, pos):
        value, pos = _value(rest, match.end())
        fields[match.group("name").lower()] = value
    return key.strip(), fields


def _strip_braces(text: str) -> str:
    return re.sub(r"(?<!\\)[{}]", "", text)


def _text(text: str) -> str:
    """Field text with LaTeX repaired first, then the case-protecting braces BibTeX adds removed."""
    return _strip_braces(repair_latex(text))


def _person(name: str) -> str:
    """'Doe, Jane' -> 'Jane Doe'; '{Google Research}' stays one name."""
    name = " ".join(name.split())
    if "," in _strip_braces(re.sub(r"\{[^{}]*\}", "", name)):
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return _strip_braces(name).strip()


def entry_from_fields(path: Path, line: int, key: str, fields: dict[str, str]) -> ParsedEntry | Skipped:
    abstract = fields.get("abstract", "").strip()
    if not abstract:
        return Skipped(str(path), line, f"BibTeX entry {key!r} has no abstract field; add abstract = {{...}}")
    people = [p for p in _AND.split(" ".join(fields.get("author", "").split())) if p.strip()]
    truncated = bool(people) and people[-1].strip().lower() == "others"
    authors = [_person(p) for p in (people[:-1] if truncated else people)]
    year, date = parse_date(fields["date"]) if "date" in fields else (None, None)
    if fields.get("year", "").strip().isdigit():
        year = int(fields["year"].strip())
    month = month_number(fields.get("month", ""))
    if date is None and year is not None and month is not None:
        day = fields.get("day", "").strip()
        date = iso_date(year, month, int(day) if day.isdigit() else None)
    urls = [u for u in fields.get("url", "").split() if u]
    if fields.get("doi"):
        urls.append("https://doi.org/" + fields["doi"].strip().removeprefix("https://doi.org/"))
    eprint = fields.get("eprint") or fields.get("arxiv") or fields.get("arxivid") or ""
    arxiv = arxiv_id_from(eprint) if eprint else find_arxiv_id(fields.get("journal"), fields.get("note"), *urls)
    return build_entry(
        path,
        line,
        _text(abstract),
        _text(fields.get("title", "")) or None,
        authors=authors,
        authors_truncated=truncated,
        year=year,
        date=date,
        category=fields.get("primaryclass"),
        urls=urls,
        arxiv_id=arxiv,
        affiliations=[a.strip() for a in _strip_braces(fields.get("affiliation", "")).split(" and ") if a.strip()],
        keywords=[k.strip() for k in re.split(r"[;,]", _strip_braces(fields.get("keywords", ""))) if k.strip()],
    )


def _entries(path: Path) -> Iterator[tuple[int, str, str] | Skipped]:
    """(start line, entry type, body) per entry, streamed; an entry is capped at LINE_LIMIT characters."""
    start, kind, depth, size, parens = 0, "", 0, 0, False
    buf: list[str] = []
    for line in iter_lines(path):
        if line.problem:
            yield Skipped(str(path), line.number, line.problem)
            continue
        text = line.text
        if buf and ENTRY_START.match(text):  # an entry starts while the last is open: only that one is lost
            yield Skipped(str(path), start, f"BibTeX entry is not closed before line {line.number}; add the missing }}")
            buf = []
        if not buf:
            match = ENTRY_START.match(text)
            if not match:
                continue  # text between entries is a comment in BibTeX
            start, kind, size = line.number, match.group("type").lower(), 0
            parens = match.group("open") == "("  # `@article(key, ...)`: braces inside balance, a `)` closes
            depth = 0 if parens else 1
            text = text[match.end() :]
        depth += text.count("{") - text.count("\\{") - text.count("}") + text.count("\\}")
        buf.append(text)
        size += len(text)
        if parens and depth <= 0 and text.rstrip().endswith(")"):
            yield start, kind, "\n".join(buf).rstrip().removesuffix(")")
            buf = []
        elif not parens and depth <= 0:
            body = "\n".join(buf).rstrip()
            yield start, kind, body[: body.rfind("}")] if depth == 0 else body
            buf = []
        elif size > LINE_LIMIT:
            yield Skipped(str(path), start, "BibTeX entry never closes (unbalanced braces); check its { and }")
            buf = []
    if buf:
        yield Skipped(str(path), start, "BibTeX entry is not closed at the end of the file; add the missing }")


def parse_bibtex(path: Path) -> Iterator[ParsedEntry | Skipped]:
    for item in _entries(path):
        if isinstance(item, Skipped):
            yield item
            continue
        line, kind, body = item
        if kind in _IGNORED_TYPES:
            continue
        key, fields = parse_fields(body)
        yield entry_from_fields(path, line, key, fields)
