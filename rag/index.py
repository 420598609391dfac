"""The paper index: the Chroma store and the keyword index, opened together and kept in step."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from rag.chunking import chunk_paper, chunking_fingerprint
from rag.config import Settings
from rag.keyword_index import KeywordIndex
from rag.protocols import Embedder
from rag.store import ChromaStore, open_client
from rag.types import CorpusInfo, Paper

log = logging.getLogger(__name__)
DIRTY = "dirty-"  # revision prefix set while an ingest run is writing


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

    @property
    def keyword_dir(self) -> Path:
        return self.settings.store_dir / f"keyword-{self.fingerprint}"

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

    def write(self, papers: Sequence[Paper], embedder: Embedder, replace: Sequence[str] = ()) -> int:
        """Chunk, embed and store papers (removing the old chunks of `replace` first); returns chunks written.
        The keyword index catches up at the next `commit()`."""
        if not papers:
            return 0
        self.mark_dirty()
        chunks = [c for p in papers for c in chunk_paper(p, self.settings.chunk_sentences)]
        vectors = embedder.embed([c.text for c in chunks])
        self.store.delete(list(replace))
        self.store.upsert(papers, chunks, vectors)
        return len(chunks)

    def remove(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.mark_dirty()
            self.store.delete(doc_ids)

    def commit(self) -> None:
        """Mark the store consistent under a new revision and rebuild the keyword index to match it."""
        self.rebuild_keyword(self.store.set_revision())

    def close(self) -> None:
        """Release the store's client; open a new PaperIndex to read what another process wrote since."""
        self.store.close()

    def mark_dirty(self) -> None:
        if not self.store.revision().startswith(DIRTY):
            self.store.set_revision(DIRTY + self.store.revision())

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
