"""Catalog questions end to end: the table over the store's records, parse (rules, then the LLM for cued fields),
execute, write the answer. The Assistant asks this first; None means "not a catalog question"."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.catalog import answer as catalog_answer
from rag.catalog import llm as catalog_llm
from rag.catalog.query import is_catalog_question, parse
from rag.catalog.table import CatalogTable, Selection
from rag.protocols import Generator
from rag.retrieval.keyword_index import KeywordIndex
from rag.text.tokens import tokenize
from rag.types import Answer, CatalogQuery, Paper


@dataclass(frozen=True)
class CatalogResult:
    """A parsed catalog question and the papers it selects, best first."""

    query: CatalogQuery
    selection: Selection
    timings_ms: dict[str, float]


class CatalogSearch:
    """Answers catalog questions over one store revision; the table is rebuilt when the store changes."""

    def __init__(self, papers: Callable[[], list[Paper]], keyword: Callable[[], KeywordIndex]) -> None:
        self._papers = papers
        self._keyword = keyword
        self._table: CatalogTable | None = None
        self._revision: str | None = None
        self._order: np.ndarray | None = None  # keyword-index row -> table row
        self._compounds: dict[str, list[str]] | None = None  # "diffus" -> ["diffusion-bas", ...] of the vocabulary
        self._lock = threading.RLock()

    @property
    def table(self) -> CatalogTable:
        keyword = self._keyword()
        with self._lock:
            if self._table is None or self._revision != keyword.revision:
                self._table = CatalogTable(self._papers())
                self._order = np.array([self._table.row_of.get(d, -1) for d in keyword.catalog.doc_ids], dtype=np.int64)
                self._revision = keyword.revision
                self._compounds = None
            return self._table

    def search(self, question: str, generator: Callable[[], Generator | None] | None = None) -> CatalogResult | None:
        started = time.perf_counter()
        table = self.table
        query, cues = parse(question, table)
        timings = {"parse": _ms(started)}
        if query is None:
            return None
        if cues.any() and generator is not None and (model := generator()) is not None:
            llm_started = time.perf_counter()
            query = catalog_llm.fill(question, query, cues, table, model)
            timings["llm_parse"] = _ms(llm_started)
        if not is_catalog_question(question, query):  # only a cue, and the model found no value for it
            return None
        execute_started = time.perf_counter()
        selection = table.select(query, self.topic_scores)
        timings["execute"] = _ms(execute_started)
        return CatalogResult(query, selection, timings)

    def answer(self, question: str, result: CatalogResult) -> Answer:
        return catalog_answer.write(question, result.query, result.selection, self.table)

    def topic_scores(self, topic: str) -> np.ndarray | None:
        """BM25 score per table row for papers stating every topic word (title or abstract); None: no usable words."""
        keyword = self._keyword()
        vocab = keyword.bm25.vocab_dict if keyword.catalog.doc_ids else {}
        tokens = list(dict.fromkeys(tokenize(topic)))
        if not tokens:
            return None
        table = self.table
        compounds = self._compound_tokens(vocab)
        if any(t not in vocab and t not in compounds for t in tokens):  # a word no paper states: nothing is about it
            return np.zeros(len(table), dtype=float)
        total = np.zeros(len(keyword.catalog.doc_ids), dtype=float)
        every = np.ones(len(keyword.catalog.doc_ids), dtype=bool)
        for token in tokens:
            forms = [token] if token in vocab else []
            forms += compounds.get(token, [])  # "diffusion" is also stated by "diffusion-based"
            scores = np.asarray(keyword.bm25.get_scores(forms), dtype=float)
            every &= scores > 0
            total += scores
        out = np.zeros(len(table), dtype=float)
        assert self._order is not None
        known = self._order >= 0
        out[self._order[known]] = np.where(every, total, 0.0)[known]
        return out

    def _compound_tokens(self, vocab: dict[str, int]) -> dict[str, list[str]]:
        """Hyphenated index tokens by their stemmed parts: the index keeps "diffusion-based" as one token."""
        with self._lock:
            if self._compounds is None:
                compounds: dict[str, list[str]] = {}
                for word in vocab:
                    if "-" in word:
                        for part in dict.fromkeys(tokenize(word.replace("-", " "))):
                            compounds.setdefault(part, []).append(word)
                self._compounds = compounds
            return self._compounds


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
