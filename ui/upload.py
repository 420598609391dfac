"""After an upload's ingest (run by another process, the only writer): reopen the store so this process reads what it
wrote, check that the new papers are found by dense and keyword search, and tell whether a failed run changed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rag.errors import RagError, StoreMissingError
from rag.retrieval.chunking import chunk_paper

SAMPLE = 20  # new papers checked after an upload (evenly spread over them)
TOP_N = 10  # a paper's own chunk-0 text must bring it into the top 10 of each search


@dataclass(frozen=True)
class StoreState:
    """The complete papers of the store and their content hashes (read from its files, so never stale)."""

    hashes: frozenset[tuple[str, str]]

    @property
    def doc_ids(self) -> frozenset[str]:
        return frozenset(doc_id for doc_id, _ in self.hashes)


def _index(assistant: Any) -> Any:
    """The assistant's open index; None when there is no store yet. AttributeError for a stand-in without one."""
    try:
        return assistant.index
    except StoreMissingError:
        return None


def snapshot(assistant: Any) -> StoreState | None:
    """Revision and papers of the store as this process sees it; None when the assistant exposes no index."""
    try:
        index = _index(assistant)
    except AttributeError:
        return None
    if index is None:
        return StoreState(frozenset())
    return StoreState(frozenset(index.store.content_hashes().items()))


def reopen(assistant: Any) -> None:
    """Close this process's client of the store, then let the assistant open it afresh on next use."""
    try:
        old = _index(assistant)
    except AttributeError:
        old = None
    assistant.reload()
    if old is not None:
        old.close()


def unsearchable(assistant: Any, doc_ids: frozenset[str]) -> list[str]:
    """Those of (a sample of) `doc_ids` that dense or keyword search does not find by their own text."""
    if not doc_ids:
        return []
    ordered = sorted(doc_ids)
    step = max(1, len(ordered) // SAMPLE)
    sample = ordered[::step][:SAMPLE]
    index, embedder = assistant.index, assistant.embedder
    papers = index.store.papers(sample)
    missing = [d for d in sample if d not in papers]
    present = [papers[d] for d in sample if d in papers]
    texts = [chunk_paper(p, index.settings.chunk_sentences)[0].text for p in present]
    for paper, text, vector in zip(present, texts, embedder.embed(texts), strict=True):
        dense = {hit[0] for hit in index.store.query(vector, TOP_N)}
        keyword = {doc_id for doc_id, _ in index.keyword.search(text, TOP_N)}
        if paper.doc_id not in dense or paper.doc_id not in keyword:
            missing.append(paper.doc_id)
    return missing


def new_papers(assistant: Any, before: StoreState) -> frozenset[str]:
    after = snapshot(assistant)
    return frozenset() if after is None else after.doc_ids - before.doc_ids


def after_failure(assistant: Any, code: int, before: StoreState | None) -> str:
    """Whether a failed ingest changed the store. Not reopened: a half-written store would get its keyword index
    rebuilt (and be marked consistent) by this process, and the one writer is the ingest process."""
    if before is None:  # an assistant without an index to compare (a stand-in)
        if code == 2:  # a usage error: the ingest process stopped before opening the store
            return "The store is unchanged."
        return "Papers written before the failure may be in the store; upload the file again to complete it."
    try:
        after = snapshot(assistant)
    except RagError as err:
        return f"The store could not be read to check it ({err})."
    if after == before:
        return "The store is unchanged."
    changed = len(after.hashes - before.hashes) if after else "some"
    return f"The run stopped part-way after writing {changed} paper(s); upload the file again to complete it."
