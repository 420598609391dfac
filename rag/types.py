"""Frozen value types that cross module boundaries: Paper, Chunk, Passage, Citation, Retrieved, Answer."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paper:
    """One normalized paper record, merged across every file it was seen in."""

    doc_id: str
    title: str | None
    abstract: str
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    year: int | None = None
    date: str | None = None  # ISO "2023-03-26"; "--03-26" (ISO 8601 month-day) when the year is unknown
    category: str | None = None
    has_code: bool = False
    urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    content_hash: str = ""
    arxiv_id: str | None = None
    organization: str | None = None
    affiliations: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    version_of: str | None = None  # shared key of papers that have the same title but different abstracts
    author_count: int | None = None  # stated count of authors (daily listings show "7 authors", not the names)
    upvotes: int | None = None  # the listing's upvote count; None where the page shows none

    @property
    def label(self) -> str:
        """Title, or a short descriptor from the first sentence for untitled papers."""
        if self.title:
            return self.title
        words = self.abstract.split()
        head = " ".join(words[:12])
        return f"Untitled: {head}…" if len(words) > 12 else f"Untitled: {head}"

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        names = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> Paper:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class Chunk:
    """A piece of a paper that is embedded; metadata is flat so Chroma can filter on it."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """One retrieved paper: its record, fused score and the evidence sentences chosen for the LLM."""

    rank: int
    paper: Paper
    score: float
    evidence: tuple[str, ...] = ()
    used: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.evidence) if self.evidence else self.paper.abstract

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "doc_id": self.paper.doc_id,
            "title": self.paper.label,
            "text": self.text,
            "score": round(self.score, 4),
            "used": self.used,
        }


@dataclass(frozen=True)
class Citation:
    """A cited paper and the exact abstract sentence that supports the claim citing it."""

    n: int
    paper: Paper
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.paper.doc_id,
            "title": self.paper.label,
            "authors": list(self.paper.authors),
            "year": self.paper.year,
            "sources": list(self.paper.sources),
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Filters:
    """Metadata constraints, from explicit options or recognised in the question."""

    year_from: int | None = None
    year_to: int | None = None
    author: str | None = None
    source: str | None = None
    paper: str | None = None  # one paper's doc_id: a question asked about that paper alone

    def is_empty(self) -> bool:
        return all(v is None for v in dataclasses.asdict(self).values())

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Retrieval:
    """Ranked passages plus what the ranking was based on (for abstention and the UI)."""

    passages: tuple[Passage, ...]
    filters: Filters
    top_similarity: float  # best dense cosine similarity among all candidates: the abstention signal


@dataclass(frozen=True)
class Retrieved:
    """The papers retrieval found, streamed by `Assistant.ask(stream=True)` before the answer: not yet checked."""

    passages: tuple[Passage, ...]
    filters: Filters = Filters()


@dataclass(frozen=True)
class Answer:
    """The result of one question; to_dict() is the JSON contract of `python -m rag --json`."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    filters: Filters = Filters()
    timings_ms: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    standalone_question: str | None = None
    # claims of the model's draft that the citation check removed ("not supported by the cited abstract")
    dropped_claims: tuple[str, ...] = ()
    # the answer is sentences quoted verbatim: the paper a which-paper question asks for, or the supporting
    # sentence(s) when every claim of the draft was dropped (answerability then has no "pick")
    quoted: bool = False
    # the signals behind the answer-or-abstain decision and the combined probability that the evidence answers
    answerability: dict[str, float] = field(default_factory=dict)
    # a question about the collection's records: the query it was read as (answered from the catalog, not the LLM)
    catalog: CatalogQuery | None = None
    # what shaped the answer, for `python -m rag --replay` (model file sha256, embedder, store revision, settings,
    # prompt hash; see rag/replay.py); None for an Answer built outside Assistant.ask
    replay: dict[str, Any] | None = None

    @property
    def cited_doc_ids(self) -> tuple[str, ...]:
        return tuple(c.paper.doc_id for c in self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "quoted": self.quoted,
            "dropped_claims": list(self.dropped_claims),
            "answerability": {k: round(v, 4) for k, v in self.answerability.items()},
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "filters": self.filters.to_dict(),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "models": dict(self.models),
            "catalog": self.catalog.to_dict() if self.catalog else None,
            "replay": self.replay,
        }

    def to_bibtex(self) -> str:
        """The cited papers as a .bib file, each once in citation order (empty text when nothing is cited)."""
        from rag.bibtex_export import to_bibtex

        return to_bibtex(c.paper for c in self.citations)


@dataclass(frozen=True)
class CorpusInfo:
    """What the store holds: totals and paper counts per source file."""

    papers_total: int
    chunks_total: int
    sources: dict[str, int]


ORGANIZATIONS_JOINED = " or "  # several organizations in one CatalogQuery.organization: "CMU or UW" (any of them)


@dataclass(frozen=True)
class CatalogQuery:
    """A question about the collection's records ("papers with more than 10 authors", "the oldest paper", "who is
    the first author of X"), answered exactly by filtering and sorting the records instead of by retrieval."""

    intent: str = "list"  # "list" the matching papers, "count" them, or "attribute": one fact of the paper `title`
    attribute: str | None = None  # "first_author", "last_author", "authors", "author_count", "date", "category", ...
    title: str | None = None  # the paper an attribute question names, as the question wrote it
    author: str | None = None  # a name as asked: "J. Doe", "Doe, Jane"; matched against name variants
    author_position: str = "any"  # "any", "first" or "last"
    authors_min: int | None = None  # at least this many authors ("more than 5" -> 6; "single author" -> 1)
    authors_max: int | None = None  # at most this many ("fewer than 3" -> 2; "single author" -> 1)
    date_from: str | None = None  # ISO prefix, inclusive: "2023", "2023-05", "2023-05-02"
    date_to: str | None = None  # ISO prefix, inclusive
    category: str | None = None  # a category code the records use ("CV")
    has_code: bool | None = None
    organization: str | None = None  # organization or affiliation text ("LG AI Research", "CMU"), several: "CMU or UW"
    source: str | None = None  # a source file name
    order: str | None = None  # "oldest", "newest", "most_upvoted", "least_upvoted", "most_authors", "fewest_authors"
    limit: int | None = None  # "the oldest paper" -> 1 (ties are all kept); "the 3 newest" -> 3
    topic: str | None = None  # words left for ranking (and filtering) by title and abstract text
    unknown: tuple[str, ...] = ()  # values the question named that no record has, to say so ("author J. Smith")
    parsed_by: str = "rules"  # "rules", or "rules+llm" when the generator filled a field the rules saw a cue for

    def organizations(self) -> list[str]:
        """The organizations asked for; a paper with any of them matches ("a CMU / UW affiliation")."""
        return self.organization.split(ORGANIZATIONS_JOINED) if self.organization else []

    def describe(self) -> str:
        """The filters as the user reads them: "first author = J. Doe, more than 5 authors, has code"."""
        parts: list[str] = []
        if self.title:
            parts.append(f"paper = {self.title}")
        if self.author:
            role = {"first": "first author", "last": "last author"}.get(self.author_position, "author")
            parts.append(f"{role} = {self.author}")
        parts.extend(_author_count_words(self.authors_min, self.authors_max))
        if self.date_from and self.date_from == self.date_to:
            parts.append(f"date {self.date_from}")
        else:
            bounds = (self.date_from and f"from {self.date_from}", self.date_to and f"to {self.date_to}")
            parts.extend(w for w in bounds if w)
        for label, value in (("category", self.category), ("organization", self.organization), ("source", self.source)):
            if value:
                parts.append(f"{label} = {value}")
        if self.has_code is not None:
            parts.append("has code" if self.has_code else "no code")
        if self.order:
            parts.append(self.order.replace("_", " ") + (f" (top {self.limit})" if self.limit else ""))
        if self.topic:
            parts.append(f"about \u201c{self.topic}\u201d")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["unknown"] = list(self.unknown)
        out["described"] = self.describe()
        return out


def _author_count_words(low: int | None, high: int | None) -> list[str]:
    if low is None and high is None:
        return []
    if low == high:
        return ["single author" if low == 1 else f"exactly {low} authors"]
    if high is None:
        return [f"more than {low - 1} authors" if low is not None else ""]
    if low is None:
        return [f"fewer than {high + 1} authors"]
    return [f"{low}-{high} authors"]
