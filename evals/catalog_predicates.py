"""The plain predicates over Paper fields that the catalog questions are written with (evals/catalog_questions.py,
evals/catalog_check_questions.py), and the Spec of one question; evals/build_catalog_questions.py computes the gold
from them, independently of rag/catalog/table.py."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.types import Paper

Pred = Callable[[Paper], bool]


# -- facts of a record, as the listing states them
def exact_count(p: Paper) -> int | None:
    if p.authors and not p.authors_truncated:
        return len(p.authors)
    return p.author_count


def at_least(p: Paper) -> int:
    return exact_count(p) or len(p.authors)


def known_date(p: Paper) -> str | None:
    """The sortable date: ISO with a year, else the year; month-day dates without a year cannot be ordered."""
    if p.date and not p.date.startswith("--"):
        return p.date
    return str(p.year) if p.year else None


def folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def has_author(name: str, position: str = "any") -> Pred:
    def pred(p: Paper) -> bool:
        names = [folded(a) for a in p.authors]
        if position == "first":
            return bool(names) and names[0] == folded(name)
        if position == "last":
            return bool(names) and not p.authors_truncated and names[-1] == folded(name)
        return folded(name) in names

    return pred


def year_in(lo: int, hi: int) -> Pred:
    return lambda p: p.year is not None and lo <= p.year <= hi


def count_in(lo: int | None, hi: int | None) -> Pred:
    """Exact counts decide; a lower bound decides "at least" only."""

    def pred(p: Paper) -> bool:
        n = exact_count(p)
        if n is not None:
            return (lo is None or n >= lo) and (hi is None or n <= hi)
        return hi is None and lo is not None and at_least(p) >= lo

    return pred


def org(*values: str) -> Pred:
    return lambda p: any(v in (p.organization, *p.affiliations) for v in values)


def topic(word: str) -> Pred:
    return lambda p: re.search(rf"\b{word}", f"{p.title or ''} {p.abstract}", re.I) is not None


def every(*preds: Pred) -> Pred:
    return lambda p: all(f(p) for f in preds)


@dataclass(frozen=True)
class Spec:
    id: str
    question: str
    kind: str  # list | count | top | name | number | date | none (nothing in the collection answers)
    where: Pred = lambda p: True
    order: str | None = None  # "oldest", "newest", "upvotes", "authors": gold ranked by it
    top: int | None = None  # keep the first `top` (and ties)
    title: str | None = None  # name/number/date questions: the paper asked about
    checked: tuple[str, ...] = ()  # "none" questions: the value no record has
    scope: Callable[[Sequence[Paper]], Pred] | None = None  # a predicate that depends on the whole collection
