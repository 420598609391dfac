"""The peer of evals.bench_peer: LlamaIndex's default pipeline (VectorStoreIndex over Chroma, top-2, default prompts)
running on this project's MiniLM embedder and GGUF generator, so only the pipeline differs.

The llama-index integration packages (vector-stores-chroma, embeddings-huggingface, llms-llama-cpp) are not installed;
these are thin stand-ins built on llama_index.core's base classes and written the way those packages work:
- `ChromaVectorStore`: nodes into one Chroma collection (Chroma's default space, no embedding function), the node
  JSON in the metadata (`node_to_metadata_dict`, text removed), its text as the document; queries return the nodes.
- `MiniLMEmbedding`: sentence-transformers all-MiniLM-L6-v2 from its local package folder, normalized vectors,
  LlamaIndex's default batch of 10 texts (as HuggingFaceEmbedding does).
- the LLM: rag.llamaindex_adapter.GeneratorLLM over the very generator the project uses (one GGUF load, same
  threads, context and max new tokens); a completion model, so LlamaIndex's text QA prompt is sent as one user turn
  of the model's chat template.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.constants import DEFAULT_EMBED_BATCH_SIZE, DEFAULT_SIMILARITY_TOP_K
from llama_index.core.schema import BaseNode, Document, MetadataMode
from llama_index.core.vector_stores.types import BasePydanticVectorStore, VectorStoreQuery, VectorStoreQueryResult
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict
from pydantic import PrivateAttr

from rag.llamaindex_adapter import GeneratorLLM
from rag.protocols import Generator
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.store import open_client
from rag.types import Paper

TOP_K = DEFAULT_SIMILARITY_TOP_K  # 2: what index.as_query_engine() retrieves unless told otherwise


class MiniLMEmbedding(BaseEmbedding):
    """The project's MiniLM (torch, local folder) behind LlamaIndex's embedding interface."""

    _embedder: Any = PrivateAttr()

    def __init__(self, name: str = "all-minilm-l6-v2", embed_batch_size: int = DEFAULT_EMBED_BATCH_SIZE) -> None:
        super().__init__(model_name=name, embed_batch_size=embed_batch_size)
        self._embedder = SentenceTransformerEmbedder(name, batch_size=embed_batch_size)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts)


class ChromaVectorStore(BasePydanticVectorStore):
    """Nodes in one Chroma collection, as llama-index-vector-stores-chroma keeps them."""

    stores_text: bool = True
    flat_metadata: bool = True
    _collection: Any = PrivateAttr()

    def __init__(self, collection: Any) -> None:
        super().__init__(stores_text=True)
        self._collection = collection

    @property
    def client(self) -> Any:
        return self._collection

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        if not nodes:
            return []
        self._collection.add(
            ids=[n.node_id for n in nodes],
            embeddings=[n.get_embedding() for n in nodes],
            metadatas=[node_to_metadata_dict(n, remove_text=True, flat_metadata=True) for n in nodes],
            documents=[n.get_content(metadata_mode=MetadataMode.NONE) for n in nodes],
        )
        return [n.node_id for n in nodes]

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        self._collection.delete(where={"document_id": ref_doc_id})

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        got = self._collection.query(
            query_embeddings=[query.query_embedding],
            n_results=query.similarity_top_k,
            include=["documents", "metadatas", "distances"],
        )
        nodes = [
            metadata_dict_to_node(dict(m), text=d)
            for m, d in zip(got["metadatas"][0], got["documents"][0], strict=True)
        ]
        return VectorStoreQueryResult(
            nodes=nodes,
            similarities=[math.exp(-float(d)) for d in got["distances"][0]],
            ids=list(got["ids"][0]),
        )


def documents(papers: Sequence[Paper]) -> list[Document]:
    """One Document per paper: title and abstract, the paper's doc_id as the document id (cited via ref_doc_id)."""
    return [Document(text=f"{p.title}\n\n{p.abstract}" if p.title else p.abstract, id_=p.doc_id) for p in papers]


@dataclass
class PeerAnswer:
    text: str
    source_doc_ids: list[str]
    first_token_ms: float | None
    total_ms: float


class LlamaIndexPeer:
    """Build the peer's index (timed) and answer questions with its default query engine."""

    def __init__(self, papers: Sequence[Paper], store_dir: Path) -> None:
        started = time.perf_counter()
        embed_model = MiniLMEmbedding()  # the model loads on first use, inside the timed build
        client = open_client(store_dir, None, create=True)
        collection = client.get_or_create_collection("quickstart", embedding_function=None)
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(collection))
        self.index = VectorStoreIndex.from_documents(
            documents(papers), storage_context=storage, embed_model=embed_model
        )
        self.ingest_s = time.perf_counter() - started
        self.docs = len(papers)
        self.retriever = self.index.as_retriever(similarity_top_k=TOP_K)
        self.engine: Any = None

    def use(self, generator: Generator, max_tokens: int) -> None:
        """Answer with `generator` (the project's loaded model) through the default query engine, streamed."""
        llm = GeneratorLLM(generator, max_tokens=max_tokens)
        self.engine = self.index.as_query_engine(llm=llm, similarity_top_k=TOP_K, streaming=True)

    def retrieve(self, question: str) -> list[str]:
        return [n.node.ref_doc_id or "" for n in self.retriever.retrieve(question)]

    def ask(self, question: str) -> PeerAnswer:
        started = time.perf_counter()
        response = self.engine.query(question)
        first: float | None = None
        pieces: list[str] = []
        for delta in _deltas(response):
            if first is None:
                first = (time.perf_counter() - started) * 1000
            pieces.append(delta)
        total = (time.perf_counter() - started) * 1000
        sources = [n.node.ref_doc_id or "" for n in response.source_nodes]
        return PeerAnswer("".join(pieces).strip(), sources, first, total)


def _deltas(response: Any) -> Iterator[str]:
    gen = getattr(response, "response_gen", None)
    if gen is None:  # no nodes retrieved: LlamaIndex answers "Empty Response" without the LLM
        yield str(response)
        return
    yield from gen
