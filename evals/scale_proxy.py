"""Synthetic stores at 100k papers in minutes: chunk vectors averaged from sentence vectors, for latency benchmarks.

Synthetic papers recombine the bundled abstracts' sentences, so each sentence is encoded once and a chunk's vector is
the normalized mean of its sentences' vectors. The stored vectors then have the spread of real ones (every one is a
mix of real sentence embeddings) without hours of encoding; ingest speed and retrieval quality are not measured
this way, only what depends on the store's size: search latency, the keyword index, memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.retrieval.chunking import PoolingPlan
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.index import PaperIndex
from rag.text.sentences import split_sentences
from rag.types import Paper


@dataclass
class SentenceMeanEmbedder:
    """`embed_pooled` as ingest calls it, from cached sentence vectors (each distinct sentence encoded once)."""

    embedder: SentenceTransformerEmbedder
    cache: dict[str, np.ndarray] = field(default_factory=dict)

    def embed_pooled(self, plans: Sequence[PoolingPlan]) -> list[list[list[float]]]:
        spans = [[(p.head, len(p.text)), *p.windows] for p in plans]
        texts = [[split_sentences(p.text[a:b]) for a, b in s] for p, s in zip(plans, spans, strict=True)]
        missing = list(dict.fromkeys(x for paper in texts for chunk in paper for x in chunk if x not in self.cache))
        if missing:
            self.cache.update(zip(missing, np.asarray(self.embedder.embed(missing), dtype=np.float32), strict=True))
        return [[_unit([self.cache[x] for x in chunk]) for chunk in paper] for paper in texts]


def _unit(vectors: list[np.ndarray]) -> list[float]:
    mean = np.mean(vectors, axis=0)
    return list(map(float, mean / max(float(np.linalg.norm(mean)), 1e-12)))


def to_paper(record: dict[str, Any], source: str) -> Paper:
    key = hashlib.sha1(record["title"].encode()).hexdigest()[:16]
    content = hashlib.sha1(f"{record['title']}|{record['abstract']}".encode()).hexdigest()
    return Paper(
        doc_id=f"syn-{key}", title=record["title"], abstract=record["abstract"], authors=tuple(record["authors"]),
        year=record["year"], sources=(source,), content_hash=content,
    )  # fmt: skip


def build_store(records: Sequence[dict[str, Any]], store: Path, source: str, batch: int = 2000) -> int:
    """Write these synthetic records into a new store with sentence-mean vectors; returns the chunks written."""
    settings = Settings(store_dir=store, chroma_url=None)
    index = PaperIndex(settings, create=True)
    embedder = SentenceMeanEmbedder(SentenceTransformerEmbedder(settings.embedder, settings.embed_batch_size))
    written = 0
    for start in range(0, len(records), batch):
        papers = [to_paper(r, source) for r in records[start : start + batch]]
        written += index.write(papers, embedder)
    index.commit()
    index.close()
    return written
