"""User records (a JSON object or a CSV row) to a ParsedEntry: field names, aliases and value shapes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.entries import ParsedEntry, Skipped
from ingest.identity import find_arxiv_id
from ingest.parsers.build import build_entry
from ingest.parsers.dates import parse_date
from ingest.textclean import split_authors

# canonical field -> accepted names (compared lower-case, with spaces and hyphens read as underscores)
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title", "name"),
    "abstract": ("abstract", "summary", "abstract_text", "abstract_note", "paper_abstract", "description"),
    "authors": ("authors", "author", "author_names", "author_list", "creators"),
    "year": ("year", "publication_year", "pub_year"),
    "date": ("date", "published", "publication_date", "published_date", "pub_date", "publish_date", "created"),
    "arxiv_id": ("arxiv_id", "arxiv", "arxivid", "eprint", "id", "paper_id", "entry_id"),
    "url": ("url", "urls", "link", "links", "pdf_url", "abs_url", "html_url"),
    "doi": ("doi",),
    "category": ("category", "categories", "primary_category", "subject"),
    "keywords": ("keywords", "keyword", "tags"),
    "organization": ("organization", "organisation", "org", "institution"),
    "affiliations": ("affiliations", "affiliation"),
    "has_code": ("has_code", "code", "code_url"),
    "authors_truncated": ("authors_truncated",),
}
_LOOKUP = {alias: canonical for canonical, aliases in ALIASES.items() for alias in aliases}
_BARE_ARXIV = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
_TRUE = {"1", "true", "yes", "y", "t"}


@lru_cache(maxsize=4096)
def _normal_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def field_name(name: str) -> str | None:
    """Canonical field for a column or key name, or None when it is not one we read."""
    return _LOOKUP.get(_normal_name(str(name)))


def canonical_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Record keyed by canonical field; the first non-empty value wins when aliases repeat a field."""
    out: dict[str, Any] = {}
    for key in sorted(record, key=lambda k: _alias_rank(str(k))):
        canonical = field_name(str(key))
        value = record[key]
        if canonical and canonical not in out and value not in (None, "", [], {}):
            out[canonical] = value
    return out


@lru_cache(maxsize=4096)
def _alias_rank(key: str) -> int:
    canonical = field_name(key)
    return ALIASES[canonical].index(_normal_name(key)) if canonical else 99


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("value") or "")
    return "" if value is None else str(value).strip()


def _list(value: Any, separators: str = r"[;,]") -> list[str]:
    if isinstance(value, list):
        return [t for t in (_text(v) for v in value) if t]
    return [t.strip() for t in re.split(separators, _text(value)) if t.strip()]


def _authors(value: Any) -> tuple[list[str], bool]:
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict) and ("family" in item or "given" in item):
                names.append(f"{item.get('given', '')} {item.get('family', '')}".strip())
            else:
                names.append(_text(item))
        return [n for n in names if n], False
    found, truncated = split_authors(_text(value))
    return list(found), truncated


def arxiv_id_from(value: Any) -> str | None:
    text = _text(value)
    bare = _BARE_ARXIV.match(text.removeprefix("arXiv:").removeprefix("arxiv:").strip())
    return bare.group(1) if bare else find_arxiv_id(text)


def entry_from_record(path: Path, line: int, record: Mapping[str, Any]) -> ParsedEntry | Skipped:
    """One paper from a record; Skipped (with the accepted names) when it has no abstract."""
    fields = canonical_fields(record)
    raw = fields.get("abstract")
    if raw is not None and not isinstance(raw, str | list):  # a number or object is a broken record, not a paper
        shown = json.dumps(raw)[:60]
        return Skipped(str(path), line, f"abstract is {type(raw).__name__} {shown}, not text; write it as a string")
    abstract = _text(raw)
    if not abstract:
        names = ", ".join(ALIASES["abstract"])
        return Skipped(str(path), line, f"record has no abstract (accepted field names: {names}); add one")
    year, date = parse_date(_text(fields["date"])) if "date" in fields else (None, None)
    if "year" in fields:
        year = parse_date(_text(fields["year"]))[0] or year
    authors, truncated = _authors(fields.get("authors", []))
    urls = _list(fields.get("url", []), r"[\s;|]+")
    code = _text(fields.get("has_code", ""))
    if code.startswith(("http://", "https://")):
        urls.append(code)
    if fields.get("doi"):
        urls.append("https://doi.org/" + _text(fields["doi"]).removeprefix("https://doi.org/"))
    categories = _list(fields.get("category", []), r"[\s;,]+")
    return build_entry(
        path,
        line,
        abstract,
        _text(fields.get("title")) or None,
        authors=authors,
        authors_truncated=truncated or _text(fields.get("authors_truncated")).lower() in _TRUE,
        year=year,
        date=date,
        category=categories[0] if categories else None,
        has_code=code.lower() in _TRUE or code.startswith("http") or fields.get("has_code") is True,
        urls=urls,
        arxiv_id=arxiv_id_from(fields["arxiv_id"]) if "arxiv_id" in fields else None,
        organization=_text(fields.get("organization")) or None,
        affiliations=_list(fields.get("affiliations", []), r";"),
        keywords=_list(fields.get("keywords", [])),
    )


def known_columns(names: Iterable[str]) -> set[str]:
    return {c for c in (field_name(n) for n in names) if c}
