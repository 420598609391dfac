"""Recognise metadata filters written in a question ("papers by Changdae Oh", "since 2023", "from the X page")."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.types import Filters

_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[a-z]{1,4}\s+)?[A-Z][\w'’.-]*){1,3}"
_AUTHOR = re.compile(rf"\b(?:papers?\s+|work\s+)?(?:written\s+|authored\s+|co-authored\s+)?by\s+(?P<name>{_NAME})")
_AUTHOR_POSSESSIVE = re.compile(
    rf"\b(?P<name>{_NAME})(?:(?:'s|’s)\s+(?:papers?|work|publications?|profile|page)|\s+(?:papers?|publications?))\b"
)
_AUTHOR_ACTS = re.compile(rf"\b(?:did|has|have|does)\s+(?P<name>{_NAME})\s+(?:publish|write|propose|stud(?:y|ied))")
_AUTHOR_ROLE = re.compile(
    rf"\b(?:list|lists|listing|have|has|with|name|names)\s+(?P<name>{_NAME})\s+as\s+(?:an?\s+|the\s+)?"
    r"(?:first\s+|last\s+|co-?)?author"
)
_SOURCE = re.compile(
    r"\bfrom\s+(?:the\s+)?(?P<src>[\w .,'&-]+?)\s+(?:page|listing|lab|laboratory|file|profile|collection)\b",
    re.IGNORECASE,
)
_ORG = r"[A-Z][\w&.-]*(?:\s+(?:/\s+)?[A-Z][\w&.-]*)*"
_SOURCE_NAMED = re.compile(rf"\bthe\s+(?P<src>{_ORG})\s+(?:lab|laboratory|page|listing)\b")
_SOURCE_AFFILIATION = re.compile(rf"\b(?:an?\s+)?(?P<src>{_ORG})\s+affiliation")
_SOURCE_FROM = re.compile(rf"\b(?:comes?|come|are|is|papers?)\s+from\s+(?:the\s+)?(?P<src>{_ORG})")
_BETWEEN = re.compile(r"\b(?:between|from)\s+((?:19|20)\d\d)\s+(?:and|to|-|–)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_SINCE = re.compile(r"\b(?:since|after|from|starting(?: in)?)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_BEFORE = re.compile(r"\b(before|until|up to|through)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_IN_YEAR = re.compile(
    r"\b(?:in|during|published in|from the year)\s+((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s+(?:papers?|work)\b",
    re.IGNORECASE,
)
_STOP_NAMES = {"The", "This", "That", "These", "Using", "Which", "What", "Are", "Is", "Did", "Does", "List", "Show"}


def recognise(question: str) -> tuple[Filters, str]:
    """Filters written in the question, and the question with those phrases removed for ranking."""
    filters = Filters()
    rest = question
    if m := _BETWEEN.search(rest) or _RANGE.search(rest):
        lo, hi = sorted((int(m.group(1)), int(m.group(2))))
        filters = replace(filters, year_from=lo, year_to=hi)
        rest = rest.replace(m.group(0), " ")
    else:
        if m := _SINCE.search(rest):
            filters = replace(filters, year_from=int(m.group(1)) + (1 if m.group(0).lower().startswith("after") else 0))
            rest = rest.replace(m.group(0), " ")
        if m := _BEFORE.search(rest):
            year = int(m.group(2))
            filters = replace(filters, year_to=year - 1 if m.group(1).lower() == "before" else year)
            rest = rest.replace(m.group(0), " ")
        if filters.year_from is None and filters.year_to is None and (m := _IN_YEAR.search(rest)):
            year = int(m.group(1) or m.group(2))
            filters = replace(filters, year_from=year, year_to=year)
            rest = rest.replace(m.group(0), " ")
    # "comes from Adobe" is loose: like every recognised filter it is kept only if it matches a paper
    source_patterns = (_SOURCE, _SOURCE_NAMED, _SOURCE_AFFILIATION, _SOURCE_FROM)
    if m := next((found for p in source_patterns if (found := p.search(rest))), None):
        filters = replace(filters, source=m.group("src").strip())
        rest = rest.replace(m.group(0), " ")
    for pattern in (_AUTHOR, _AUTHOR_ROLE, _AUTHOR_ACTS, _AUTHOR_POSSESSIVE):
        m = pattern.search(rest)
        words = m.group("name").split() if m else []
        while words and words[0] in _STOP_NAMES:
            words = words[1:]
        if m and len(words) >= 2:
            filters = replace(filters, author=re.sub(r"['’]s$", "", " ".join(words)).strip(" .,'’"))
            rest = rest.replace(m.group(0), " ")
            break
    return filters, " ".join(rest.split())


def combine(explicit: Filters, recognised: Filters) -> Filters:
    """Explicit options win over what was recognised in the question."""
    return Filters(
        year_from=explicit.year_from if explicit.year_from is not None else recognised.year_from,
        year_to=explicit.year_to if explicit.year_to is not None else recognised.year_to,
        author=explicit.author or recognised.author,
        source=explicit.source or recognised.source,
        paper=explicit.paper,
    )
