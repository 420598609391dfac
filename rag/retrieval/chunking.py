"""Turn a Paper into Chunks: the whole abstract, plus overlapping sentence windows, each headed by the title."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rag.text.sentences import split_sentences
from rag.types import Chunk, Paper

# bump when the chunk text or vector recipe changes: it renames the collection, and the next ingest moves the papers
# over (2: pooled window vectors; 3: the sentence splitting fixes for "(e.g. X)" and "etc."; 4: second readings from
# the first unfinished sentence; 5: 4 undone, it lost answer-in-evidence, see evals/results/ingest-speed/README.md)
CHUNKING_VERSION = 5  # since 2, window vectors are pooled from one reading (rag.retrieval.embedder.embed_pooled)


def chunking_fingerprint(embedder_name: str, window: int, version: int | None = None) -> str:
    """Short hash naming the collection (of CHUNKING_VERSION unless `version` is given), so vectors from other
    settings are never mixed in."""
    key = f"{embedder_name}|window={window}|v{CHUNKING_VERSION if version is None else version}"
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


def window_ranges(n_sentences: int, window: int) -> list[tuple[int, int]]:
    """Sentence index ranges [start, end) of the windows: `window` sentences overlapping by one, none when the
    abstract has at most `window` sentences (chunk 0 already is the whole of it)."""
    if window <= 0 or n_sentences <= window:
        return []
    step = max(1, window - 1)
    ranges = []
    for start in range(0, n_sentences - 1, step):
        ranges.append((start, min(start + window, n_sentences)))
        if start + window >= n_sentences:
            break
    return ranges


def chunk_paper(paper: Paper, window: int = 3) -> list[Chunk]:
    """Chunk 0 is title + abstract; with window > 0, windows of `window` sentences overlapping by one."""
    head = f"{paper.title}. " if paper.title else ""
    texts = [head + paper.abstract]
    sentences = split_sentences(paper.abstract)
    texts += [head + " ".join(sentences[a:b]) for a, b in window_ranges(len(sentences), window)]
    return [
        Chunk(chunk_id=f"{paper.doc_id}:{i}", doc_id=paper.doc_id, index=i, text=t, metadata=chunk_metadata(paper, i))
        for i, t in enumerate(texts)
    ]


@dataclass(frozen=True)
class PoolingPlan:
    """One paper read once: `text` is title + abstract (as chunk 0, whitespace normalized), `head` the length of its
    title part, `windows` the character spans of the window chunks in it, in chunk order."""

    text: str
    head: int
    windows: tuple[tuple[int, int], ...]


def pooling_plan(paper: Paper, window: int = 3) -> PoolingPlan:
    """Where each window chunk of `chunk_paper` lies in the paper's whole text, so its vector can be pooled from the
    token vectors of one reading instead of encoding the window again."""
    head = f"{paper.title}. " if paper.title else ""
    sentences = split_sentences(paper.abstract)
    starts = []
    position = len(head)
    for sentence in sentences:
        starts.append(position)
        position += len(sentence) + 1
    spans = tuple((starts[a], starts[b - 1] + len(sentences[b - 1])) for a, b in window_ranges(len(sentences), window))
    return PoolingPlan(head + " ".join(sentences), len(head), spans)
