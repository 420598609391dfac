"""Chroma adapter: chunks with vectors and flat metadata; the full Paper record rides on chunk 0."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rag.config import set_offline_env
from rag.errors import ConfigError, StoreMismatchError, StoreMissingError, StoreUnavailableError
from rag.types import Chunk, Paper

COLLECTION_PREFIX = "chunks"
# HNSW search breadth (candidates kept while searching; never fewer than the 50 chunks a query asks for), set on
# every collection so it is the same here and on a server. At 100k papers (484k chunks) 50, 64 and 100 all found the
# same top-10 papers as 500, in 8 to 10 ms: the graph search is not the cost (evals/results/scale-100k), so Chroma's
# default stays.
EF_SEARCH = 100


def open_client(store_dir: Path, chroma_url: str | None, create: bool) -> Any:
    """An embedded PersistentClient on disk, or an HttpClient when a server URL is configured."""
    set_offline_env()
    import chromadb  # heavy: imported when a store is opened, not at `import rag`
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"RAG_CHROMA_URL={chroma_url!r} is not a URL; use e.g. http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 80),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises many transport-level types
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {chroma_url} ({type(exc).__name__}: {exc}). "
                "Start it (`chroma run --host 127.0.0.1 --port 8000 --path DIR`) or unset RAG_CHROMA_URL."
            ) from exc
        if create:
            store_dir.mkdir(parents=True, exist_ok=True)  # still holds the keyword index and ingest manifest
        return client
    if not create and not (store_dir / "chroma.sqlite3").exists():
        raise StoreMissingError(
            f"No index at {store_dir.resolve()}. Build it with `python -m ingest` "
            "(or point RAG_STORE_DIR / --store at an existing index)."
        )
    store_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)


def _is_transport_error(exc: Exception) -> bool:
    """Connection-level failures of chromadb's HTTP transport (httpx), told apart without importing httpx."""
    return isinstance(exc, ConnectionError | TimeoutError) or type(exc).__module__.split(".")[0] == "httpx"


@contextmanager
def _reaching(url: str | None) -> Iterator[None]:
    """Turn transport failures talking to the server at `url` into StoreUnavailableError (no-op when embedded)."""
    try:
        yield
    except Exception as exc:
        if url is None or not _is_transport_error(exc):
            raise
        raise StoreUnavailableError(
            f"Lost the Chroma server at {url} ({type(exc).__name__}: {exc}). "
            "Check that `chroma run` is still up, or unset RAG_CHROMA_URL."
        ) from exc


class _RemoteCollection:
    """A server collection whose transport failures surface as StoreUnavailableError naming the URL."""

    def __init__(self, collection: Any, url: str) -> None:
        self._collection = collection
        self._url = url

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with _reaching(self._url):
                return attr(*args, **kwargs)

        return call


def _collection_names(client: Any) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


class ChromaStore:
    """One Chroma collection named after the embedder+chunking fingerprint; scores are cosine similarity."""

    def __init__(
        self, client: Any, fingerprint: str, create: bool = False, url: str | None = None, path: Path | None = None
    ) -> None:
        self.client = client
        self.url = url  # set for a Chroma server: other processes may write, so metadata is re-read
        self.where = url or (str(path.resolve()) if path else "the index folder")
        self.fingerprint = fingerprint
        self.name = f"{COLLECTION_PREFIX}-{fingerprint}"
        with _reaching(url):
            existing = _collection_names(client)
            if self.name not in existing and not create:
                others = sorted(n for n in existing if n.startswith(COLLECTION_PREFIX))
                if others:
                    raise StoreMismatchError(
                        f"The index holds {', '.join(others)}, built with other embedder or chunking settings than "
                        f"the current ones ({self.name}). Re-run `python -m ingest` to index with the current "
                        "settings."
                    )
                raise StoreMissingError("The index is empty. Build it with `python -m ingest`.")
            collection = client.get_or_create_collection(
                self.name, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}, embedding_function=None
            )
            if create and (collection.configuration.get("hnsw") or {}).get("ef_search") != EF_SEARCH:
                collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})  # a store made before the tuning
        self.collection = _RemoteCollection(collection, url) if url else collection

    def siblings(self) -> set[str]:
        """The fingerprints of every chunk collection the same client holds (this one's too)."""
        with _reaching(self.url):
            names = _collection_names(self.client)
        return {n.removeprefix(f"{COLLECTION_PREFIX}-") for n in names if n.startswith(f"{COLLECTION_PREFIX}-")}

    def has_sibling(self, fingerprint: str) -> bool:
        """Whether the same client holds the collection of another fingerprint."""
        return fingerprint in self.siblings()

    def drop(self) -> None:
        """Delete this collection and everything in it."""
        with _reaching(self.url):
            self.client.delete_collection(self.name)

    def close(self) -> None:
        """Release the client. Embedded Chroma keeps one cached system (vector index, collection metadata) per folder
        and process, and never reads another process's writes into it; once every client of the folder is closed, the
        next open reads the files again."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    # -- revision: lets the keyword index know whether it is in step with the vectors
    def revision(self) -> str:
        if self.url:  # the cached copy misses revisions written by other processes (an ingest, another UI)
            with _reaching(self.url):
                metadata = self.client.get_collection(self.name, embedding_function=None).metadata
        else:
            metadata = self.collection.metadata
        return str((metadata or {}).get("revision", ""))

    def set_revision(self, revision: str | None = None) -> str:
        revision = revision or uuid.uuid4().hex
        with self._writing():
            self.collection.modify(metadata={"revision": revision})
        return revision

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A failed write (disk full, a file-size limit, a read-only folder) as a StoreUnavailableError naming the
        store and the fix; chunk 0 is written last, so the store stays consistent and a re-run completes it."""
        try:
            yield
        except StoreUnavailableError:
            raise
        except Exception as exc:  # chromadb raises its own types (from its Rust bindings) or sqlite/OS errors
            detail = " ".join(str(exc).split())[-200:]
            raise StoreUnavailableError(
                f"Cannot write the index at {self.where} ({type(exc).__name__}: {detail}). Free disk space, raise the "
                "file-size limit or make the folder writable, then run the same command again: papers written so far "
                "are kept and the rest is completed."
            ) from exc

    # -- writing
    def upsert(self, papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: Sequence[list[float]]) -> None:
        """Write window chunks first and chunk 0 last: a paper whose chunk 0 exists is complete."""
        order = sorted(range(len(chunks)), key=lambda i: chunks[i].index == 0)
        limit = int(getattr(self.client, "get_max_batch_size", lambda: 5000)())  # Chroma rejects larger writes
        windows, firsts = [i for i in order if chunks[i].index != 0], [i for i in order if chunks[i].index == 0]
        for part in [*(windows[a : a + limit] for a in range(0, len(windows), limit)),
                     *(firsts[a : a + limit] for a in range(0, len(firsts), limit))]:  # fmt: skip
            if part:
                with self._writing():
                    self.collection.upsert(
                        ids=[chunks[i].chunk_id for i in part],
                        documents=[chunks[i].text for i in part],
                        metadatas=[dict(chunks[i].metadata) for i in part],
                        embeddings=[vectors[i] for i in part],
                    )

    def delete(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk of these papers (chunk 0 first, so a half-deleted paper counts as absent)."""
        if doc_ids:
            with self._writing():
                self.collection.delete(ids=[f"{d}:0" for d in doc_ids])
                self.collection.delete(where={"doc_id": {"$in": list(doc_ids)}})

    # -- reading
    def content_hashes(self) -> dict[str, str]:
        """doc_id -> content_hash of every complete paper."""
        out: dict[str, str] = {}
        for meta in self._iter_meta(where={"chunk_index": 0}, include_paper=False):
            out[str(meta["doc_id"])] = str(meta["content_hash"])
        return out

    def papers(self, doc_ids: Sequence[str]) -> dict[str, Paper]:
        if not doc_ids:
            return {}
        got = self.collection.get(ids=[f"{d}:0" for d in doc_ids], include=["metadatas"])
        return {str(m["doc_id"]): Paper.from_json(str(m["paper"])) for m in got["metadatas"] or []}

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        for meta in self._iter_meta(where={"chunk_index": 0}, include_paper=True, batch_size=batch_size):
            yield Paper.from_json(str(meta["paper"]))

    def _iter_meta(self, where: dict[str, Any], include_paper: bool, batch_size: int = 1000) -> Iterator[dict]:
        offset = 0
        while True:
            got = self.collection.get(where=where, include=["metadatas"], limit=batch_size, offset=offset)
            metas = got["metadatas"] or []
            yield from metas
            if len(metas) < batch_size:
                return
            offset += batch_size

    def query(self, vector: list[float], n: int, where: dict[str, Any] | None = None) -> list[tuple[str, str, float]]:
        """Nearest chunks as (doc_id, chunk text, cosine similarity), best first. The doc_id is read off the chunk id
        (`doc_id:i`): fetching metadata would also read each chunk 0's whole paper record."""
        got = self.collection.query(
            query_embeddings=[vector], n_results=n, where=where or None, include=["documents", "distances"]
        )
        ids, docs, dists = got["ids"][0], got["documents"][0], got["distances"][0]
        return [(_doc_id(i), str(d), 1.0 - float(x)) for i, d, x in zip(ids, docs, dists, strict=True)]

    def nearest_ids(self, vector: list[float], n: int) -> list[tuple[str, str, float]]:
        """Nearest chunks as (doc_id, chunk id, cosine similarity), best first, without reading texts: about 10x
        faster than `query` for thousands of results (a filtered question searches that deep, then reads the few it
        keeps)."""
        got = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [(_doc_id(i), i, 1.0 - float(x)) for i, x in zip(got["ids"][0], got["distances"][0], strict=True)]

    def texts_of(self, chunk_ids: list[str]) -> dict[str, str]:
        got = self.collection.get(ids=chunk_ids, include=["documents"])
        return {i: str(d) for i, d in zip(got["ids"], got["documents"] or [], strict=True)}

    def chunk_texts(self, batch_size: int = 1000) -> list[str]:
        """Every chunk text (for benchmarks against the raw embedder)."""
        texts: list[str] = []
        while True:
            got = self.collection.get(include=["documents"], limit=batch_size, offset=len(texts))
            texts.extend(got["documents"] or [])
            if len(got["documents"] or []) < batch_size:
                return texts

    def count_chunks(self) -> int:
        return int(self.collection.count())


def _doc_id(chunk_id: str) -> str:
    """The paper a chunk belongs to: chunk ids are `doc_id:i`."""
    return chunk_id.rsplit(":", 1)[0]
