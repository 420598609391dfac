"""BM25 keyword index plus a small metadata catalog, persisted beside the store and tied to its revision."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.chunking import author_key
from rag.types import Filters, Paper

FORMAT = 3  # bump when the saved layout or catalog contents change: old indexes are rebuilt
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
RARE_MAX = 5  # a word in at most this many papers is distinctive: a question naming it is about those papers


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer, a bm25s dependency

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    """Lowercased, stopword-free, stemmed word tokens."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _stopwords()]
    return list(_stemmer().stemWords(words))


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
            words = set(_WORD.findall(wanted))
            mask &= np.array(
                [
                    wanted in org.lower()
                    or words <= set(_WORD.findall(org.lower()))
                    or any(wanted in s.lower() for s in srcs)
                    for srcs, org in zip(self.sources, self.organizations, strict=True)
                ],
                dtype=bool,
            )
        return mask

    def index_rare_words(self, texts: Iterable[str]) -> None:
        """Remember, for every word that at most RARE_MAX papers state, which papers they are."""
        postings: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for word in set(_WORD.findall(unicodedata.normalize("NFKC", text).lower())):
                docs = postings.setdefault(word, [])
                if len(docs) <= RARE_MAX:
                    docs.append(i)
        self.rare_words = {w: d for w, d in postings.items() if len(d) <= RARE_MAX}

    def papers_naming(self, words: Iterable[str]) -> dict[str, float]:
        """doc_id -> sum over the given words that few papers state of 1 / (papers stating it)."""
        weights: dict[str, float] = {}
        for word in words:
            docs = self.rare_words.get(word.lower(), [])
            for i in docs:
                weights[self.doc_ids[i]] = weights.get(self.doc_ids[i], 0.0) + 1.0 / len(docs)
        return weights


class KeywordIndex:
    """BM25 over title + abstract, one document per paper."""

    def __init__(self, bm25: Any, catalog: Catalog, revision: str) -> None:
        self.bm25 = bm25
        self.catalog = catalog
        self.revision = revision

    @classmethod
    def build(cls, papers: Iterable[Paper], revision: str) -> KeywordIndex:
        import bm25s

        catalog = Catalog()
        corpus, texts = [], []
        for paper in papers:
            catalog.add(paper)
            texts.append(f"{paper.title or ''} {paper.abstract}")
            corpus.append(tokenize(texts[-1]) or ["<empty>"])
        catalog.index_rare_words(texts)
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        return cls(bm25, catalog, revision)

    def save(self, directory: Path) -> None:
        """Write to a sibling temp dir, then swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.catalog.doc_ids:
            self.bm25.save(str(tmp))
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
        import bm25s

        try:
            meta = json.loads((directory / "catalog.json").read_text())
            if meta.pop("format", None) != FORMAT:
                return None
            revision = meta.pop("revision")
            catalog = Catalog(**meta)
            bm25 = bm25s.BM25.load(str(directory)) if catalog.doc_ids else bm25s.BM25()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(bm25, catalog, revision)

    def search(self, question: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-n (doc_id, BM25 score) among papers allowed by `mask`, best first; zero scores dropped."""
        tokens = [t for t in tokenize(question) if t in self.bm25.vocab_dict] if self.catalog.doc_ids else []
        if not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=float)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:n]
        return [(self.catalog.doc_ids[i], float(scores[i])) for i in top if scores[i] > 0]
