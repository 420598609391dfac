"""The paper index: the Chroma store and the keyword index, opened together and kept in step."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rag.config import Settings
from rag.retrieval import chunking
from rag.retrieval.chunking import chunk_paper, chunking_fingerprint, pooling_plan
from rag.retrieval.keyword_index import KeywordIndex
from rag.retrieval.store import ChromaStore, open_client
from rag.types import CorpusInfo, Paper

if TYPE_CHECKING:
    from rag.retrieval.chunking import PoolingPlan

log = logging.getLogger(__name__)
DIRTY = "dirty-"  # revision prefix set while an ingest run is writing


class PoolingEmbedder(Protocol):
    """What writing needs: each paper read once, its window vectors pooled (rag.retrieval.embedder does it with the
    model)."""

    def embed_pooled(self, plans: Sequence[PoolingPlan]) -> list[list[list[float]]]: ...


def keyword_dir(settings: Settings, fingerprint: str | None = None) -> Path:
    """Where the keyword index of the current embedder and chunking settings (or of `fingerprint`) is saved."""
    fingerprint = fingerprint or chunking_fingerprint(settings.embedder, settings.chunk_sentences)
    return settings.store_dir / f"keyword-{fingerprint}"


class PaperIndex:
    """Owns both halves; `keyword` is rebuilt from the store whenever their revisions differ."""

    def __init__(self, settings: Settings, create: bool = False) -> None:
        self.settings = settings
        self.fingerprint = chunking_fingerprint(settings.embedder, settings.chunk_sentences)
        client = open_client(settings.store_dir, settings.chroma_url, create=create)
        url = settings.chroma_url or None
        self.store = ChromaStore(client, self.fingerprint, create=create, url=url, path=settings.store_dir)
        self._keyword: KeywordIndex | None = None
        self._keyword_lock = threading.RLock()  # UI threads share one index: one rebuild at a time
        # what this object wrote since the store was last consistent (doc_id -> paper, None: removed), and that
        # consistent revision: `commit` applies it to the keyword index saved at that revision instead of rebuilding
        self._changes: dict[str, Paper | None] = {}
        self._base: str | None = None

    @property
    def keyword_dir(self) -> Path:
        return keyword_dir(self.settings)

    @property
    def keyword(self) -> KeywordIndex:
        revision = self.store.revision()
        # On a server, a dirty revision means another process is ingesting right now: keep what we have,
        # and never mark its half-written store clean (the embedded store cannot be written by others meanwhile).
        elsewhere = bool(self.store.url) and revision.startswith(DIRTY)
        current = self._keyword
        if current is not None and (current.revision == revision or elsewhere):
            return current
        with self._keyword_lock:
            if self._keyword is None or self._keyword.revision != revision:
                loaded = KeywordIndex.load(self.keyword_dir)
                if loaded and loaded.revision == revision:
                    self._keyword = loaded
                elif elsewhere:  # the last saved index, else what is there now; either is rebuilt after its commit
                    self._keyword = loaded or KeywordIndex.build(self.store.iter_papers(), revision)
                else:
                    self._keyword = self.rebuild_keyword(revision)
            return self._keyword

    def rebuild_keyword(self, revision: str | None = None) -> KeywordIndex:
        """Rebuild BM25 from the papers in the store; a half-written (dirty) store gets a fresh revision."""
        with self._keyword_lock:
            revision = revision if revision is not None else self.store.revision()
            if not revision or revision.startswith(DIRTY):
                revision = self.store.set_revision()
            log.info("rebuilding the keyword index from the store (revision %s)", revision)
            index = KeywordIndex.build(self.store.iter_papers(), revision)
            index.save(self.keyword_dir)
            self._keyword = index
            return index

    def write(self, papers: Sequence[Paper], embedder: PoolingEmbedder, replace: Sequence[str] = ()) -> int:
        """Chunk, embed and store papers (removing the old chunks of `replace` first); returns chunks written.
        The keyword index catches up at the next `commit()`."""
        if not papers:
            return 0
        self.mark_dirty()
        window = self.settings.chunk_sentences
        chunks = [c for p in papers for c in chunk_paper(p, window)]
        # one reading per paper: window vectors are pooled from its token vectors (since CHUNKING_VERSION 2)
        vectors = [v for group in embedder.embed_pooled([pooling_plan(p, window) for p in papers]) for v in group]
        self.store.delete(list(replace))
        self.store.upsert(papers, chunks, vectors)
        self._changes.update((p.doc_id, p) for p in papers)
        return len(chunks)

    def remove(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.mark_dirty()
            self.store.delete(doc_ids)
            self._changes.update(dict.fromkeys(doc_ids))

    def commit(self) -> None:
        """Mark the store consistent under a new revision and bring the keyword index to it: this object's changes
        applied to the index saved at the revision it started from, else a rebuild from the store."""
        with self._keyword_lock:
            dirty = self.store.revision()
            base = None
            if self._base is not None and dirty == DIRTY + self._base:  # nobody else wrote since: our changes are all
                base = KeywordIndex.load(self.keyword_dir) if self._base else KeywordIndex.empty()  # "": a new store
            revision = self.store.set_revision()
            if base is not None and base.revision == self._base:
                papers = [p for p in self._changes.values() if p is not None]
                removed = [d for d, p in self._changes.items() if p is None]
                log.info("updating the keyword index: %d papers written, %d removed", len(papers), len(removed))
                self._keyword = base.updated(papers, removed, revision)
                self._keyword.save(self.keyword_dir)
            else:
                self.rebuild_keyword(revision)
            self._changes.clear()
            self._base = None

    def superseded(self) -> list[ChromaStore]:
        """The collections this store holds for the same embedder and window under an older CHUNKING_VERSION: their
        papers are moved into the current collection by the next ingest, then they are dropped."""
        held = self.store.siblings()
        older = [
            chunking_fingerprint(self.settings.embedder, self.settings.chunk_sentences, version)
            for version in range(1, chunking.CHUNKING_VERSION)
        ]
        url, path = self.settings.chroma_url or None, self.settings.store_dir
        return [ChromaStore(self.store.client, f, url=url, path=path) for f in older if f in held]

    def drop_superseded(self, old: ChromaStore) -> None:
        """Delete an older version's collection and its saved keyword index (once its papers are in this one)."""
        old.drop()
        shutil.rmtree(keyword_dir(self.settings, old.fingerprint), ignore_errors=True)

    def close(self) -> None:
        """Release the store's client; open a new PaperIndex to read what another process wrote since."""
        self.store.close()

    def mark_dirty(self) -> None:
        revision = self.store.revision()
        if not revision.startswith(DIRTY):
            self._base = revision  # consistent until now: the keyword index saved at it can be updated in place
            self._changes.clear()
            self.store.set_revision(DIRTY + revision)

    def corpus_info(self) -> CorpusInfo:
        catalog = self.keyword.catalog
        sources: dict[str, int] = {}
        for srcs in catalog.sources:
            for source in srcs:
                sources[source] = sources.get(source, 0) + 1
        return CorpusInfo(len(catalog.doc_ids), self.store.count_chunks(), dict(sorted(sources.items())))

    def find_papers(self, title_query: str, limit: int = 50) -> list[Paper]:
        """Papers whose title (or untitled descriptor) contains every word of the query."""
        words = title_query.lower().split()
        catalog = self.keyword.catalog
        hits = [d for d, t in zip(catalog.doc_ids, catalog.titles, strict=True) if all(w in t.lower() for w in words)]
        found = self.store.papers(hits[:limit])
        return [found[d] for d in hits[:limit] if d in found]
