"""Frozen value types that cross module boundaries: Paper, Chunk, Passage, Citation, Answer."""

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

    def is_empty(self) -> bool:
        return all(v is None for v in dataclasses.asdict(self).values())

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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
    # the answer is the supporting sentence(s) quoted verbatim, because every claim of the draft was dropped
    quoted: bool = False
    # the signals behind the answer-or-abstain decision and the combined probability that the evidence answers
    answerability: dict[str, float] = field(default_factory=dict)

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
        }


@dataclass(frozen=True)
class CorpusInfo:
    """What the store holds: totals and paper counts per source file."""

    papers_total: int
    chunks_total: int
    sources: dict[str, int]
