"""Hybrid retrieval: dense (Chroma) and keyword (BM25) results fused by reciprocal rank, one per paper."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Literal

from rag.evidence.evidence import select_evidence
from rag.evidence.reading import asks_for_several_papers
from rag.protocols import Embedder
from rag.query.filters import combine, recognise
from rag.retrieval.index import PaperIndex
from rag.text.terms import names
from rag.types import Filters, Passage, Retrieval

RRF_K = 60
OVERSAMPLE = 3  # a filtered question's unfiltered search expects this many times the allowed chunks it needs
DEEPEST = 20_000  # ... but reads at most this many hits (ids and distances: about 0.2 s at 100k papers)
NAME_WEIGHT = 2.0 / (RRF_K + 1)  # a name only one paper states counts as much as ranking first in both lists
Mode = Literal["hybrid", "dense", "bm25"]


class HybridRetriever:
    """Ranks papers by fused dense and keyword ranks under metadata filters."""

    def __init__(self, index: PaperIndex, embedder: Embedder, mode: Mode = "hybrid", evidence_sentences: int = 2):
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.evidence_sentences = evidence_sentences

    def search(
        self,
        question: str,
        k: int,
        explicit: Filters,
        recognise_filters: bool = True,
        within: tuple[str, ...] = (),
    ) -> Retrieval:
        """The top-k papers; `within` (a follow-up's papers) ranks those papers first."""
        recognised, rest = recognise(question) if recognise_filters else (Filters(), question)
        catalog = self.index.keyword.catalog
        recognised = _keep_matching(recognised, catalog)
        filters = combine(explicit, recognised)
        query = rest if recognised != Filters() and len(rest.split()) >= 2 else question
        mask = None if filters.is_empty() else catalog.matching(filters)
        if mask is not None and filters.paper is not None:  # one paper: "ask about this paper"
            mask &= [d == filters.paper for d in catalog.doc_ids]
        if mask is not None and not mask.any():
            return Retrieval((), filters, 0.0)

        allowed = None if mask is None else {d for d, ok in zip(catalog.doc_ids, mask, strict=True) if ok}
        dense: dict[str, tuple[float, str]] = {}  # doc_id -> (best chunk similarity, that chunk's text)
        if self.mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            for doc_id, text, sim in self._nearest_chunks(vector, k * 5, filters, allowed):
                if doc_id not in dense or sim > dense[doc_id][0]:
                    dense[doc_id] = (sim, text)
        keyword = self.index.keyword.search(query, n=k * 3, mask=mask) if self.mode in ("hybrid", "bm25") else []

        fused: dict[str, float] = {}
        for rank, doc_id in enumerate(sorted(dense, key=lambda d: -dense[d][0])):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, (doc_id, _) in enumerate(keyword):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        # names win: a method, model or dataset name that few papers state puts those papers first (all of them,
        # when the question asks for several papers: a list of JEPA papers wants every paper stating JEPA; not for a
        # hyphenated qualifier such as "BERT-based", which describes rather than names what is asked for)
        keys = names(query)
        every = {k for k in keys if "-" not in k} if asks_for_several_papers(query, Filters()) else set()
        for group, shared in ((keys - every, True), (every, False)):
            variants = {v for key in group for v in (key, key + "s")}
            for doc_id, weight in catalog.papers_naming(variants, shared).items():
                if allowed is None or doc_id in allowed:
                    fused[doc_id] = fused.get(doc_id, 0.0) + NAME_WEIGHT * weight
        for doc_id in within:  # a follow-up's papers, as far as the filters allow
            if allowed is None or doc_id in allowed:
                fused[doc_id] = fused.get(doc_id, 0.0) + 10.0  # above anything retrieval alone can score
        ranked = sorted(fused, key=lambda d: (-fused[d], d))[:k]
        papers = self.index.store.papers(ranked)
        best = 2.0 / (RRF_K + 1)  # a paper ranked first by both lists
        passages: list[Passage] = []
        for doc_id in ranked:
            paper = papers.get(doc_id)
            if paper is None:
                continue
            chunk = dense.get(doc_id, (0.0, None))[1]
            evidence = select_evidence(query, paper.abstract, chunk, self.evidence_sentences)
            passages.append(Passage(len(passages) + 1, paper, min(1.0, fused[doc_id] / best), evidence))
        top = max((s for s, _ in dense.values()), default=0.0)
        return Retrieval(tuple(passages), filters, top)

    def _nearest_chunks(
        self, vector: list[float], n: int, filters: Filters, allowed: set[str] | None
    ) -> list[tuple[str, str, float]]:
        """The n chunks nearest the question among the allowed papers', best first. A Chroma search with a `where`
        clause took 0.5 to 2 s at 100k papers against 10 ms without one, so a filtered question first searches
        without it, deep enough to expect n of the allowed papers' chunks OVERSAMPLE times over (ids and distances
        only: 5,000 hits in about 45 ms), and keeps those: they are the n nearest when at least n remain (or the
        search read the whole store). A narrow filter (a rare author, one paper) falls back to Chroma's."""
        store = self.index.store
        if allowed is None:
            return store.query(vector, n=n)
        share = len(allowed) / max(1, len(self.index.keyword.catalog.doc_ids))
        depth = min(DEEPEST, max(n * OVERSAMPLE, math.ceil(n * OVERSAMPLE / max(share, 1e-9))))
        hits = store.nearest_ids(vector, depth)
        kept = [hit for hit in hits if hit[0] in allowed][:n]
        if len(kept) == n or len(hits) < depth:  # enough, or the whole store was read
            texts = store.texts_of([chunk_id for _, chunk_id, _ in kept])
            return [(doc_id, texts.get(chunk_id, ""), sim) for doc_id, chunk_id, sim in kept]
        return store.query(vector, n=n, where=_chroma_where(filters, allowed))


def _chroma_where(filters: Filters, allowed: set[str]) -> dict[str, Any] | None:
    """Years filter natively (unknown years are stored as -1); author, source and paper become the matching doc_ids,
    which the catalog already knows (substring and name-variant matching that Chroma cannot do)."""
    clauses: list[dict[str, Any]] = []
    if filters.year_from is not None or filters.year_to is not None:
        clauses.append({"year": {"$gte": filters.year_from if filters.year_from is not None else 0}})
        if filters.year_to is not None:
            clauses.append({"year": {"$lte": filters.year_to}})
    if filters.author or filters.source or filters.paper:
        clauses.append({"doc_id": {"$in": sorted(allowed)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _keep_matching(recognised: Filters, catalog: Any) -> Filters:
    """Drop a recognised author or source that matches no paper: it was a misreading, not a constraint."""
    if recognised.author and not catalog.matching(Filters(author=recognised.author)).any():
        recognised = replace(recognised, author=None)
    if recognised.source and not catalog.matching(Filters(source=recognised.source)).any():
        recognised = replace(recognised, source=None)
    return recognised
