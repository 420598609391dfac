"""The four seams: Embedder, Store, Retriever, Generator."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from rag.types import Chunk, Filters, Paper, Retrieval


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class Store(Protocol):
    def upsert(self, papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: Sequence[list[float]]) -> None: ...

    def delete(self, doc_ids: Sequence[str]) -> None: ...

    def content_hashes(self) -> dict[str, str]: ...

    def papers(self, doc_ids: Sequence[str]) -> dict[str, Paper]: ...

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]: ...

    def query(
        self, vector: list[float], n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, str, float]]: ...

    def count_chunks(self) -> int: ...


class Retriever(Protocol):
    def search(
        self, question: str, k: int, explicit: Filters, recognise_filters: bool = True, within: tuple[str, ...] = ()
    ) -> Retrieval: ...


class Generator(Protocol):
    name: str

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]: ...

    def warm_up(self, prefix: list[dict[str, str]]) -> None:
        """Prepare for prompts that start with `prefix` (a backend without a prompt cache does nothing)."""

    def yes_probability(self, messages: list[dict[str, str]]) -> float | None:
        """P("Yes") / P("Yes" or "No") as the reply's first token; None when the backend cannot tell."""

    def choice_probabilities(self, messages: list[dict[str, str]], options: Sequence[str]) -> list[float] | None:
        """The probability of each option as the reply's first token, normalised over the options; None when the
        backend cannot tell."""
