"""Rules for the catalog-query fields that need no lookup in the records: author counts, order, code, dates, files."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.catalog import rules as R
from rag.types import CatalogQuery


def read_author_count(text: str, q: CatalogQuery, spans: list[str]) -> CatalogQuery:
    if m := R.SINGLE_AUTHOR.search(text):
        spans.append(m.group(0))
        return replace(q, authors_min=1, authors_max=1)
    if m := R.BETWEEN_AUTHORS.search(text):
        spans.append(m.group(0))
        bounds = sorted(R.number(g) for g in m.groups() if g)
        return replace(q, authors_min=bounds[0], authors_max=bounds[-1])
    for pattern, make in (
        (R.MORE_THAN, lambda n: (n + 1, None)),
        (R.AT_LEAST, lambda n: (n, None)),
        (R.FEWER_THAN, lambda n: (None, n - 1)),
        (R.AT_MOST, lambda n: (None, n)),
    ):
        if m := pattern.search(text):
            spans.append(m.group(0))
            low, high = make(R.number(next(g for g in m.groups() if g)))
            return replace(q, authors_min=low, authors_max=high)
    if (
        q.intent != "attribute"
        and (m := R.EXACTLY.search(text))
        and not re.search(r"\bhow\s+many\s+" + m.group(0).strip(), text, re.I)
    ):
        n = R.number(next(g for g in m.groups() if g))
        spans.append(m.group(0))
        return replace(q, authors_min=n, authors_max=n)
    return q


def read_order(text: str, q: CatalogQuery, spans: list[str]) -> CatalogQuery:
    for pattern, order in (
        (R.LEAST_UPVOTED, "least_upvoted"),
        (R.MOST_UPVOTED, "most_upvoted"),
        (R.FEWEST_AUTHORS, "fewest_authors"),
        (R.MOST_AUTHORS, "most_authors"),
        (R.OLDEST, "oldest"),
        (R.NEWEST, "newest"),
    ):
        if q.intent == "attribute":
            return q
        if m := pattern.search(text):
            spans.append(m.group(0))
            return replace(q, order=order, limit=_limit(text))
    return q


def _limit(text: str) -> int | None:
    """ "The 3 newest" -> 3; "the oldest paper" -> 1; "newest first" / "oldest papers" -> no limit."""
    if m := R.TOP_N.search(text):
        return R.number(next(g for g in m.groups() if g))
    if re.search(r"\b(?:first|sorted|order(?:ed)?|rank(?:ed)?)\b", text, re.I) and not re.search(
        r"\bpublished\s+first\b", text, re.I
    ):
        return None
    return 1 if R.SINGULAR_SUPERLATIVE.search(text) else None


def read_code(text: str, q: CatalogQuery, spans: list[str]) -> CatalogQuery:
    if m := R.NO_CODE.search(text):
        spans.append(m.group(0))
        return replace(q, has_code=False)
    if m := R.HAS_CODE.search(text):
        spans.append(m.group(0))
        return replace(q, has_code=True)
    return q


def read_dates(text: str, q: CatalogQuery, spans: list[str]) -> CatalogQuery:
    text = R.ISO_MONTH.sub(lambda m: f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}", text)
    m = R.BETWEEN.search(text)
    if m and not re.match(r"(?i)from\b.*\band\b", m.group(0)):  # "from 2019 and 2021" names two years
        spans.append(m.group(0))
        return replace(q, date_from=_iso(m.group(2), m.group(1)), date_to=_iso(m.group(4), m.group(3)))
    if m := R.DECADE.search(text):  # "the 2010s": 2010-2019
        spans.append(m.group(0))
        return replace(q, date_from=m.group(1) + "0", date_to=m.group(1) + "9")
    if m := R.YEAR_LIST.search(text):  # "2020 or 2021", "2019, 2020 and 2021": consecutive years are one range
        years = sorted({int(y) for y in re.findall(r"(?:19|20)\d\d", m.group(0))})
        if years == list(range(years[0], years[-1] + 1)):
            spans.append(m.group(0))
            return replace(q, date_from=str(years[0]), date_to=str(years[-1]))
    if m := R.SINCE.search(text):
        spans.append(m.group(0))
        month, year = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
        start = _iso(year, month)
        if re.match(r"(?i)after|later\s+than|newer\s+than|postdat", m.group(0)):
            start = _next(start)
        q = replace(q, date_from=start)
    if m := R.BEFORE.search(text):
        spans.append(m.group(0))
        word, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(3) else (m.group(6), m.group(4), m.group(5))
        end = _iso(year, month)
        if re.match(r"(?i)before|earlier\s+than|older\s+than|prior\s+to|predat|pre-dat|preced", word):
            end = _previous(end)
        q = replace(q, date_to=end)
    if q.date_from is None and q.date_to is None and (m := R.IN_YEAR.search(text)):
        spans.append(m.group(0))
        month, year = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
        q = replace(q, date_from=_iso(year, month), date_to=_iso(year, month))
    return q


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _iso(year: str, month: str | None) -> str:
    return f"{year}-{_MONTHS.index(month[:3].lower()) + 1:02d}" if month else year


def _next(iso: str) -> str:
    year, _, month = iso.partition("-")
    if not month:
        return str(int(year) + 1)
    return f"{int(year) + 1}-01" if month == "12" else f"{year}-{int(month) + 1:02d}"


def _previous(iso: str) -> str:
    year, _, month = iso.partition("-")
    if not month:
        return str(int(year) - 1)
    return f"{int(year) - 1}-12" if month == "01" else f"{year}-{int(month) - 1:02d}"


def read_source(text: str, q: CatalogQuery, spans: list[str]) -> CatalogQuery:
    """Source files named in the question; several ("in both X and Y") must all hold the paper."""
    names = []
    for m in R.SOURCE_FILE.finditer(text):
        spans.append(m.group(0))
        names.append(m.group(1) if m.group(1).lower().endswith(".txt") else m.group(1) + ".txt")
    return replace(q, source=" & ".join(dict.fromkeys(names))) if names else q
