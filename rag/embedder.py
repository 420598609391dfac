"""Sentence-transformers embedder loaded from a local model folder (never a hub)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from rag import models, onnx_embedder
from rag.config import set_offline_env


class SentenceTransformerEmbedder:
    """Normalized embeddings, so cosine similarity is a dot product."""

    def __init__(self, name: str = "all-minilm-l6-v2", batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self.path = models.path(name)

    @cached_property
    def _model(self) -> Any:
        set_offline_env()
        from sentence_transformers import SentenceTransformer  # heavy: imported on first use only

        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        onnx_embedder.export(self.name, model)  # once per machine: later processes embed questions without torch
        return model

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer.tokenize(text))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]


def query_embedder(name: str, batch_size: int) -> SentenceTransformerEmbedder | onnx_embedder.OnnxEmbedder:
    """For questions and answer checks: the ONNX export when there is one (no torch import), else torch."""
    return onnx_embedder.load(name) or SentenceTransformerEmbedder(name, batch_size)
