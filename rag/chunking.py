"""Turn a Paper into Chunks: the whole abstract, plus overlapping sentence windows, each headed by the title."""

from __future__ import annotations

import hashlib

from rag.sentences import split_sentences
from rag.types import Chunk, Paper

CHUNKING_VERSION = 1  # bump when the chunk text recipe changes: it renames the collection


def chunking_fingerprint(embedder_name: str, window: int) -> str:
    """Short hash naming the collection, so vectors from other settings are never mixed in."""
    key = f"{embedder_name}|window={window}|v{CHUNKING_VERSION}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def author_key(name: str) -> str:
    """Case- and space-insensitive author key: 'Seung jae Shin' and 'Seungjae Shin' match."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def chunk_metadata(paper: Paper, index: int) -> dict[str, str | int | float | bool]:
    """Flat metadata for Chroma filters; -1 stands for an unknown year (Chroma has no null)."""
    meta: dict[str, str | int | float | bool] = {
        "doc_id": paper.doc_id,
        "chunk_index": index,
        "title": paper.title or "",
        "year": paper.year if paper.year is not None else -1,
        "authors": "; ".join(paper.authors),
        "author_keys": "|" + "|".join(author_key(a) for a in paper.authors) + "|",
        "sources": "|" + "|".join(paper.sources) + "|",
        "content_hash": paper.content_hash,
    }
    if index == 0:
        meta["paper"] = paper.to_json()  # the full record lives once, on the whole-abstract chunk
    return meta


def chunk_paper(paper: Paper, window: int = 3) -> list[Chunk]:
    """Chunk 0 is title + abstract; with window > 0, windows of `window` sentences overlapping by one."""
    head = f"{paper.title}. " if paper.title else ""
    texts = [head + paper.abstract]
    sentences = split_sentences(paper.abstract)
    if window > 0 and len(sentences) > window:
        step = max(1, window - 1)
        for start in range(0, len(sentences) - 1, step):
            texts.append(head + " ".join(sentences[start : start + window]))
            if start + window >= len(sentences):
                break
    return [
        Chunk(chunk_id=f"{paper.doc_id}:{i}", doc_id=paper.doc_id, index=i, text=t, metadata=chunk_metadata(paper, i))
        for i, t in enumerate(texts)
    ]
