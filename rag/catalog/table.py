"""The records as an in-memory column table: exact filters and sorts for catalog questions, fast at 100k papers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.text.author_names import NameParts, fold, same_person, split_name
from rag.types import CatalogQuery, Paper

UNKNOWN = -1  # integer columns use -1 for "the record does not say"
_ORG_STOP = {"of", "the", "and", "for", "at", "in", "de"}
TopicMask = Callable[[str], "np.ndarray | None"]  # topic text -> papers whose title/abstract state it (None: no words)


def date_key(date: str | None, year: int | None) -> int:
    """yyyymmdd as an int for sorting; a year-only or month-only date sorts at its start; unknown year -> -1."""
    if date and not date.startswith("--"):
        parts = [int(p) for p in date.split("-")[:3]]
        parts += [0] * (3 - len(parts))
        return parts[0] * 10000 + parts[1] * 100 + parts[2]
    return year * 10000 if year else UNKNOWN


def title_key(title: str) -> str:
    """A title's words, lowercase and accent-free: "BlackVIP: Black-Box ..." -> "blackvip black box ..."."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(title)))


def bound_key(text: str, upper: bool) -> int:
    """An inclusive ISO prefix bound ("2023", "2023-05") as a date key covering the whole year or month."""
    parts = [int(p) for p in text.split("-")[:3]]
    fill = [12, 31] if upper else [0, 0]
    parts += fill[len(parts) - 1 :]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def author_counts(paper: Paper) -> tuple[int, int]:
    """(exact count or -1, lower bound). A full list is exact; a list cut by "et al." is a lower bound;
    daily listings state only the count."""
    if paper.authors and not paper.authors_truncated:
        return len(paper.authors), len(paper.authors)
    if paper.author_count is not None:
        return paper.author_count, paper.author_count
    return UNKNOWN, len(paper.authors) or UNKNOWN


def acronym(text: str) -> str:
    """ "Carnegie Mellon University" -> "cmu", "University of Washington" -> "uw": how affiliations get shortened."""
    words = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _ORG_STOP]
    return "".join(w[0] for w in words)


def _abbreviations(name: str) -> set[str]:
    """How a multi-word name is shortened: its initials, with the "University" a short form drops or keeps
    ("Carnegie Mellon" -> "cmu", "University of Washington" -> "uw")."""
    short = acronym(name)
    return {short, short + "u", "u" + short}


@dataclass
class Selection:
    """Row numbers of the papers a query selects, best first, and facts for explaining an empty or partial result."""

    rows: list[int]
    total: int  # papers that matched before `limit`
    unknown_counts: dict[str, int] = field(default_factory=dict)  # field -> matching papers lacking it (not counted)


class CatalogTable:
    """Columns over the records; every filter is a numpy mask, so a query costs milliseconds at 100k papers."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = list(papers)
        self.row_of = {p.doc_id: i for i, p in enumerate(self.papers)}
        self.date = np.array([date_key(p.date, p.year) for p in self.papers], dtype=np.int64)
        counts = [author_counts(p) for p in self.papers]
        self.n_authors = np.array([c[0] for c in counts], dtype=np.int64)
        self.n_authors_min = np.array([c[1] for c in counts], dtype=np.int64)
        self.has_code = np.array([p.has_code for p in self.papers], dtype=bool)
        self.upvotes = np.array([p.upvotes if p.upvotes is not None else UNKNOWN for p in self.papers], dtype=np.int64)
        self.categories = _Values([(p.category,) if p.category else () for p in self.papers])
        self.organizations = _Values([tuple(_orgs(p)) for p in self.papers])
        self.sources = _Values([tuple(p.sources) for p in self.papers])
        self.by_family: dict[str, list[tuple[int, int, NameParts]]] = {}
        for row, paper in enumerate(self.papers):
            for position, name in enumerate(paper.authors):
                parts = split_name(name)
                if parts:
                    self.by_family.setdefault(parts.family, []).append((row, position, parts))
        # titles as " word word " lines of one text: a title lookup is one C-level substring search, not a loop
        keys = [f" {title_key(p.label)} " for p in self.papers]
        self.rows_by_title: dict[str, list[int]] = {}
        for row, key in enumerate(keys):
            self.rows_by_title.setdefault(key, []).append(row)
        self._titles_text = "\n".join(keys)
        self._title_starts = np.cumsum([0] + [len(k) + 1 for k in keys[:-1]]) if keys else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.papers)

    # -- value lookups, used by the parser to validate what it read
    def authors_named(self, name: str) -> list[str]:
        """Distinct author names in the records that `name` can stand for."""
        asked = split_name(name)
        if asked is None:
            return []
        found = {
            self.papers[r].authors[pos]
            for r, pos, parts in self.by_family.get(asked.family, ())
            if same_person(asked, parts)
        }
        if not found and len(asked.given) == 1:  # "Song Kyungwoo": family name written first
            swapped = NameParts((asked.family,), asked.given[0])
            found = {
                self.papers[r].authors[pos]
                for r, pos, parts in self.by_family.get(swapped.family, ())
                if same_person(swapped, parts)
            }
        return sorted(found)

    def organizations_matching(self, text: str, abbreviations: bool = True) -> list[str]:
        """Organization/affiliation values containing the words of `text`, or whose acronym `text` is; with
        `abbreviations`, also the acronyms `text` shortens to ("Carnegie Mellon" -> "cmu")."""
        wanted = fold(text).strip()
        words = set(re.findall(r"[a-z0-9]+", wanted)) - _ORG_STOP
        short = re.sub(r"[^a-z0-9]", "", wanted)
        hits = []
        for value in self.organizations.values:
            folded = fold(value)
            value_words = set(re.findall(r"[a-z0-9]+", folded))
            if (
                (words and words <= value_words)
                or (len(short) >= 2 and short in {acronym(value), folded})
                or (abbreviations and len(words) >= 2 and re.sub(r"[^a-z0-9]", "", folded) in _abbreviations(wanted))
            ):
                hits.append(value)
        return hits

    # -- the query
    def select(self, query: CatalogQuery, topic_mask: TopicMask | None = None) -> Selection:
        mask = np.ones(len(self.papers), dtype=bool)
        unknown: dict[str, int] = {}
        if query.title:
            mask &= self.title_mask(query.title)
        if query.author:
            mask &= self._author_mask(query.author, query.author_position)
        mask, unknown = self._author_count_filter(mask, query, unknown)
        if query.date_from or query.date_to:
            lo = bound_key(query.date_from, False) if query.date_from else 0
            hi = bound_key(query.date_to, True) if query.date_to else 10**9
            unknown["date"] = int((mask & (self.date == UNKNOWN)).sum())
            mask &= (self.date >= lo) & (self.date <= hi)
        if query.category:
            mask &= self.categories.mask({query.category})
        if query.has_code is not None:
            mask &= self.has_code == query.has_code
        if query.organization:  # several named: a paper with any of them
            mask &= self.organizations.mask(
                {v for name in query.organizations() for v in self.organizations_matching(name)}
            )
        for source in query.source.split(" & ") if query.source else ():  # several files: in every one
            mask &= self.sources.mask({source})
        scores = None
        if query.topic and topic_mask is not None and (found := topic_mask(query.topic)) is not None:
            if query.parsed_by == "rules":  # after the model filled a field, its cue words may still be in the topic
                mask &= found > 0
            scores = found
        rows, unknown = self._ordered(mask, query, scores, unknown)
        total = len(rows)
        return Selection(_limited(rows, query, self), total, unknown)

    def title_mask(self, title: str) -> np.ndarray:
        """Papers whose title contains the asked title's words in order; exact-title matches win over partial ones."""
        mask = np.zeros(len(self.papers), dtype=bool)
        wanted = f" {title_key(title)} "
        if wanted.strip() and wanted in self.rows_by_title:
            mask[self.rows_by_title[wanted]] = True
            return mask
        at = self._titles_text.find(wanted)
        while wanted.strip() and at != -1:
            mask[int(np.searchsorted(self._title_starts, at, side="right")) - 1] = True
            at = self._titles_text.find(wanted, at + 1)
        return mask

    def _author_mask(self, name: str, position: str) -> np.ndarray:
        mask = np.zeros(len(self.papers), dtype=bool)
        wanted = set(self.authors_named(name))
        for key in {p.family for n in wanted if (p := split_name(n))}:
            for row, pos, _ in self.by_family.get(key, ()):
                paper = self.papers[row]
                if paper.authors[pos] not in wanted:
                    continue
                last_known = not paper.authors_truncated and pos == len(paper.authors) - 1
                if position == "any" or (position == "first" and pos == 0) or (position == "last" and last_known):
                    mask[row] = True
        return mask

    def _author_count_filter(
        self, mask: np.ndarray, query: CatalogQuery, unknown: dict[str, int]
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Exact counts decide; a lower bound ("3 names et al.") decides only "more than"; the rest are unknown."""
        low, high = query.authors_min, query.authors_max
        if low is None and high is None:
            return mask, unknown
        exact = self.n_authors != UNKNOWN
        ok = exact.copy()
        if low is not None:
            ok &= self.n_authors >= low
        if high is not None:
            ok &= self.n_authors <= high
        if high is None and low is not None:
            ok |= ~exact & (self.n_authors_min >= low)  # "at least 4 listed" answers "more than 3"
        undecided = ~exact & ~ok
        unknown = {**unknown, "author count": int((mask & undecided).sum())}
        return mask & ok, unknown

    def _ordered(
        self, mask: np.ndarray, query: CatalogQuery, scores: np.ndarray | None, unknown: dict[str, int]
    ) -> tuple[list[int], dict[str, int]]:
        """Rows in answer order: by the asked ordering (papers lacking the field are left out and counted), else by
        topic score, else newest first (papers without a date last)."""
        column = self.order_column(query.order) if query.order else None
        if column is not None:
            lacking = mask & (column == UNKNOWN)
            label = {"oldest": "date", "newest": "date", "most_upvoted": "upvotes", "least_upvoted": "upvotes"}
            unknown = {**unknown, label.get(query.order or "", "author count"): int(lacking.sum())}
            rows = np.flatnonzero(mask & (column != UNKNOWN))
            ascending = query.order in ("oldest", "least_upvoted", "fewest_authors")
            keys = column[rows] if ascending else -column[rows]
            return rows[np.argsort(keys, kind="stable")].tolist(), unknown
        rows = np.flatnonzero(mask)
        keys = -scores[rows] if scores is not None else -self.date[rows]
        return rows[np.argsort(keys, kind="stable")].tolist(), unknown

    def order_column(self, order: str) -> np.ndarray:
        """The column an ordering sorts by; "most authors" counts "3 names et al." as at least 3."""
        dated, voted = {"oldest", "newest"}, {"most_upvoted", "least_upvoted"}
        columns = {**dict.fromkeys(dated, self.date), **dict.fromkeys(voted, self.upvotes)}
        return columns.get(order, self.n_authors_min if order == "most_authors" else self.n_authors)

    def sort_value(self, row: int, order: str) -> int:
        return int(self.order_column(order)[row])


def _limited(rows: list[int], query: CatalogQuery, table: CatalogTable) -> list[int]:
    """The first `limit` rows, plus any tied with the last one kept ("the oldest paper" when two share a date)."""
    if not query.limit or len(rows) <= query.limit:
        return rows
    if not query.order:
        return rows[: query.limit]
    edge = table.sort_value(rows[query.limit - 1], query.order)
    kept = rows[: query.limit]
    kept += [r for r in rows[query.limit :] if table.sort_value(r, query.order) == edge]
    return kept


def _orgs(paper: Paper) -> list[str]:
    return [v for v in (paper.organization, *paper.affiliations) if v]


class _Values:
    """A multi-valued text column: distinct values and, for each, the rows holding it (fast masks)."""

    def __init__(self, per_row: Sequence[tuple[str, ...]]) -> None:
        self.n = len(per_row)
        rows: dict[str, list[int]] = {}
        for row, values in enumerate(per_row):
            for value in values:
                rows.setdefault(value, []).append(row)
        self.values = sorted(rows)
        self.rows = {v: np.array(r, dtype=np.int64) for v, r in rows.items()}

    def mask(self, wanted: set[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for value in wanted:
            if value in self.rows:
                out[self.rows[value]] = True
        return out

    def count(self, value: str) -> int:
        return len(self.rows.get(value, ()))
