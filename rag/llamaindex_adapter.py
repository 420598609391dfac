"""LlamaIndex adapters: our hybrid retriever as a llama-index retriever, our generators as a llama-index LLM."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

from rag.protocols import Generator
from rag.qa import Assistant
from rag.types import Filters, Passage


def passage_to_node(passage: Passage) -> NodeWithScore:
    """A node holding the whole abstract, the selected evidence and the flat paper metadata."""
    paper = passage.paper
    metadata = {
        "doc_id": paper.doc_id,
        "title": paper.label,
        "authors": ", ".join(paper.authors),
        "year": paper.year,
        "sources": ", ".join(paper.sources),
        "evidence": passage.text,
    }
    node = TextNode(
        id_=paper.doc_id,
        text=paper.abstract,
        metadata=metadata,
        excluded_llm_metadata_keys=["doc_id", "evidence", "sources"],
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=passage.score)


class PaperRetriever(BaseRetriever):
    """Plug our hybrid, filter-aware retrieval into any llama-index query engine."""

    def __init__(self, assistant: Assistant, k: int = 5, filters: Filters | None = None) -> None:
        super().__init__()
        self._assistant = assistant
        self._k = k
        self._filters = filters or Filters()

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._assistant.retrieve(query_bundle.query_str, self._k, **self._filters.to_dict())
        return [passage_to_node(p) for p in passages]


class GeneratorLLM(CustomLLM):
    """One of our local generators (greedy, offline) behind llama-index's LLM interface."""

    max_tokens: int = 192
    _generator: Any = PrivateAttr()

    def __init__(self, generator: Generator, max_tokens: int = 192) -> None:
        super().__init__(max_tokens=max_tokens)
        self._generator = generator

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self._generator.name, num_output=self.max_tokens, is_chat_model=False)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = "".join(self._stream(prompt))
        return CompletionResponse(text=text)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = ""
        for delta in self._stream(prompt):
            text += delta
            yield CompletionResponse(text=text, delta=delta)

    def _stream(self, prompt: str) -> Any:
        return self._generator.stream([{"role": "user", "content": prompt}], self.max_tokens)
