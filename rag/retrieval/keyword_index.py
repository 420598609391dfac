"""BM25 keyword index and a small metadata catalog, saved beside the store, tied to its revision, updated in place."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.retrieval.bm25 import Bm25, TermCounts
from rag.retrieval.chunking import author_key
from rag.text.tokens import WORD, tokenize
from rag.types import Filters, Paper

FORMAT = 5  # bump when the saved layout or catalog contents change: old indexes are rebuilt
RARE_MAX = 5  # a word in at most this many papers is distinctive: a question naming it is about those papers


@dataclass
class Catalog:
    """Per-paper metadata kept in memory for filters, stats and title search (not the abstracts)."""

    doc_ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)
    author_keys: list[list[str]] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    rare_words: dict[str, list[int]] = field(default_factory=dict)  # word -> the few papers (indexes) that state it

    def add(self, paper: Paper) -> None:
        self.doc_ids.append(paper.doc_id)
        self.titles.append(paper.label)
        self.years.append(paper.year)
        self.author_keys.append([author_key(a) for a in paper.authors])
        self.sources.append(list(paper.sources))
        self.organizations.append(" | ".join([paper.organization or "", *paper.affiliations]))

    def matching(self, filters: Filters) -> np.ndarray:
        """Boolean mask of papers that satisfy every filter; papers lacking the metadata never match."""
        mask = np.ones(len(self.doc_ids), dtype=bool)
        if filters.year_from is not None or filters.year_to is not None:
            lo = filters.year_from if filters.year_from is not None else -(10**9)
            hi = filters.year_to if filters.year_to is not None else 10**9
            mask &= np.array([y is not None and lo <= y <= hi for y in self.years], dtype=bool)
        if filters.author:
            key = author_key(filters.author)
            mask &= np.array([any(key in k for k in keys) for keys in self.author_keys], dtype=bool)
        if filters.source:
            wanted = filters.source.lower()
            words = set(WORD.findall(wanted))
            mask &= np.array(
                [
                    wanted in org.lower()
                    or words <= set(WORD.findall(org.lower()))
                    or any(wanted in s.lower() for s in srcs)
                    for srcs, org in zip(self.sources, self.organizations, strict=True)
                ],
                dtype=bool,
            )
        return mask

    def keeping(self, keep: np.ndarray) -> Catalog:
        """Only the papers where `keep` is true, in order (rare words are recomputed by the caller)."""

        def kept(values: list[Any]) -> list[Any]:
            return [v for v, k in zip(values, keep, strict=True) if k]

        return Catalog(
            kept(self.doc_ids), kept(self.titles), kept(self.years), kept(self.author_keys), kept(self.sources),
            kept(self.organizations),
        )  # fmt: skip

    def index_rare_words(self, words: TermCounts) -> None:
        """Remember, for every word that at most RARE_MAX papers state, which papers they are."""
        rare = (words.document_frequencies() <= RARE_MAX)[words.indices]
        columns, rows = words.indices[rare], words.rows()[rare]
        order = np.lexsort((rows, columns))
        terms = sorted(words.vocab, key=words.vocab.__getitem__)
        postings: dict[str, list[int]] = {}
        for column, row in zip(columns[order].tolist(), rows[order].tolist(), strict=True):
            postings.setdefault(terms[column], []).append(row)
        self.rare_words = postings

    def papers_naming(self, words: Iterable[str], shared: bool = True) -> dict[str, float]:
        """doc_id -> sum over the given words that few papers state of 1 / (papers stating it), or of 1 when not
        `shared` (a list question: every paper stating the name is one of those asked for)."""
        weights: dict[str, float] = {}
        for word in words:
            docs = self.rare_words.get(word.lower(), [])
            for i in docs:
                weights[self.doc_ids[i]] = weights.get(self.doc_ids[i], 0.0) + (1.0 / len(docs) if shared else 1.0)
        return weights


def words_of(text: str) -> list[str]:
    """The distinct plain (unstemmed) words of a text, as the rare-word index counts them; a hyphenated word also
    states its parts ("V-JEPA" and "MC-JEPA" state "JEPA")."""
    words = set(WORD.findall(unicodedata.normalize("NFKC", text).lower()))
    return list(words | {part for word in words if "-" in word for part in word.split("-")})


class KeywordIndex:
    """BM25 over title + abstract, one document per paper; `updated` applies a change without re-reading the rest."""

    def __init__(self, bm25: Bm25, words: TermCounts, catalog: Catalog, revision: str) -> None:
        self.bm25 = bm25
        self.words = words  # papers x plain words, for the rare-word index
        self.catalog = catalog
        self.revision = revision

    @classmethod
    def build(cls, papers: Iterable[Paper], revision: str) -> KeywordIndex:
        return cls.empty().updated(list(papers), (), revision)

    @classmethod
    def empty(cls, revision: str = "") -> KeywordIndex:
        return cls(Bm25(TermCounts.empty()), TermCounts.empty(), Catalog(), revision)

    def updated(self, papers: Sequence[Paper], removed: Iterable[str], revision: str) -> KeywordIndex:
        """A new index: these papers added or replaced, the `removed` doc_ids dropped; only `papers` are tokenized."""
        gone = set(removed) | {p.doc_id for p in papers}
        keep = np.array([d not in gone for d in self.catalog.doc_ids], dtype=bool)
        catalog = self.catalog.keeping(keep)
        texts = []
        for paper in papers:
            catalog.add(paper)
            texts.append(f"{paper.title or ''} {paper.abstract}")
        terms = self.bm25.terms.keeping(keep).plus([tokenize(t) or ["<empty>"] for t in texts])
        words = self.words.keeping(keep).plus([words_of(t) for t in texts])
        catalog.index_rare_words(words)
        return KeywordIndex(Bm25(terms), words, catalog, revision)

    def save(self, directory: Path) -> None:
        """Write to a sibling temp dir, then swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.bm25.save(tmp)
        self.words.save(tmp, "words_")
        meta = {"format": FORMAT, "revision": self.revision, **self.catalog.__dict__}
        (tmp / "catalog.json").write_text(json.dumps(meta))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex | None:
        """The saved index, or None when absent or unreadable (the caller rebuilds it)."""
        try:
            meta = json.loads((directory / "catalog.json").read_text())
            if meta.pop("format", None) != FORMAT:
                return None
            revision = meta.pop("revision")
            catalog = Catalog(**meta)
            bm25, words = Bm25.load(directory), TermCounts.load(directory, "words_")
            if bm25.n_docs != len(catalog.doc_ids) or words.n_rows != len(catalog.doc_ids):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(bm25, words, catalog, revision)

    def search(self, question: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-n (doc_id, BM25 score) among papers allowed by `mask`, best first; zero scores dropped."""
        tokens = [t for t in tokenize(question) if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=float)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:n]
        return [(self.catalog.doc_ids[i], float(scores[i])) for i in top if scores[i] > 0]
