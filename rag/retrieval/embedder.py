"""Sentence-transformers embedder loaded from a local model folder (never a hub)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from rag import models
from rag.config import set_offline_env
from rag.retrieval import onnx_embedder
from rag.retrieval.chunking import PoolingPlan


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

    def embed_pooled(self, plans: Sequence[PoolingPlan]) -> list[list[list[float]]]:
        """Per plan: the vector of its whole text, then one per window span, from one reading of the text: a window's
        vector is the normalized mean of its tokens' vectors with the title's and the two special tokens' (what
        encoding the window alone averages). Windows past the model's token limit are read again in a shorter text
        (title + the rest), so each window is pooled from a reading that reaches its end."""
        out: list[list[list[float]]] = [[] for _ in plans]
        jobs = [_Reading(i, p.text, p.head, tuple(enumerate(p.windows))) for i, p in enumerate(plans)]
        while jobs:
            followups = []
            for job, (tokens, offsets) in zip(jobs, self._read(jobs), strict=True):
                if not out[job.plan]:
                    out[job.plan] = [[0.0]] * (1 + len(plans[job.plan].windows))
                    out[job.plan][0] = _mean_unit(tokens)
                followup = job.pool(tokens, offsets, out[job.plan])
                if followup:
                    followups.append(followup)
            jobs = followups
        return out

    @cached_property
    def _reader(self) -> Any:
        """The transformer that reads texts for `embed_pooled`. Under bfloat16 autocast, a copy whose Linear weights are
        bfloat16 already: autocast would cast the same weights again at every batch (the same numbers, measured about
        10% slower); layer norms and softmax still run in float32. `embed` keeps the float32 model."""
        import torch

        transformer = self._model[0].auto_model
        if not _native_bf16():
            return transformer
        reader = copy.deepcopy(transformer)
        for module in reader.modules():
            if isinstance(module, torch.nn.Linear):
                module.to(torch.bfloat16)
        return reader

    @cached_property
    def _tokenizer(self) -> Any:
        """The model's own Rust tokenizer, truncating and padding as `SentenceTransformer.encode` does, used directly:
        the transformers wrapper's per-token Python work (offsets, special-token masks) cost more than tokenizing."""
        tokenizer = copy.deepcopy(self._model.tokenizer.backend_tokenizer)  # a copy: the wrapper resets its settings
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.enable_padding(pad_id=self._model.tokenizer.pad_token_id, pad_token=self._model.tokenizer.pad_token)
        return tokenizer

    def _read(self, jobs: Sequence[_Reading]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Token vectors and character offsets of each job's text, truncated at the model's limit, in job order."""
        import torch

        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].text))  # similar lengths share a batch
        results: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for first in range(0, len(order), self.batch_size):
            batch = order[first : first + self.batch_size]
            encodings = self._tokenizer.encode_batch([jobs[i].text for i in batch])
            features = {
                name: torch.tensor([getattr(e, key) for e in encodings])
                for name, key in (
                    ("input_ids", "ids"),
                    ("attention_mask", "attention_mask"),
                    ("token_type_ids", "type_ids"),
                )
            }
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=_native_bf16()):
                hidden = self._reader(**features).last_hidden_state.float().numpy()
            for row, (i, encoding) in enumerate(zip(batch, encodings, strict=True)):
                mask = np.asarray(encoding.attention_mask, dtype=bool)
                spans = np.asarray(encoding.offsets)[mask]
                special = np.asarray(encoding.special_tokens_mask, dtype=bool)[mask]
                spans[special] = -1  # special tokens: no characters, always pooled
                results[i] = (hidden[row][mask], spans)
        for i in range(len(jobs)):
            yield results.pop(i)


@lru_cache(maxsize=1)
def _native_bf16() -> bool:
    """The CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX): ingest's reading then runs under bfloat16 autocast,
    measured 1.4 times faster on 2 cores with cosine >= 0.99997 to the float32 vectors (norms and softmax stay float32).
    Elsewhere bfloat16 would be emulated, and slower: float32."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _mean_unit(vectors: np.ndarray) -> list[float]:
    mean = vectors.mean(axis=0)
    return list(map(float, mean / max(float(np.linalg.norm(mean)), 1e-12)))


@dataclass(frozen=True)
class _Reading:
    """One text to read for plan `plan`; `windows` are (window number, character span in `text`) still to pool."""

    plan: int
    text: str
    head: int
    windows: tuple[tuple[int, tuple[int, int]], ...]

    def pool(self, tokens: np.ndarray, offsets: np.ndarray, out: list[list[float]]) -> _Reading | None:
        """Fill out[1 + n] for each window this reading reaches the end of (or that follows the title directly, so
        no shorter reading exists: it is truncated as encoding it alone would be); the rest go to a new reading."""
        reached = int(offsets[:, 1].max())
        special = offsets[:, 0] < 0
        title = ~special & (offsets[:, 1] <= self.head)
        for k, (number, (start, end)) in enumerate(self.windows):
            if end > reached and (k > 0 or start > self.head):
                rest = self.windows[k:]
                shift = start - self.head
                moved = tuple((n, (a - shift, b - shift)) for n, (a, b) in rest)
                return _Reading(self.plan, self.text[: self.head] + self.text[start:], self.head, moved)
            inside = (offsets[:, 0] >= start) & (offsets[:, 1] <= end) & ~special
            out[1 + number] = _mean_unit(tokens[special | title | inside])
        return None


def query_embedder(name: str, batch_size: int) -> SentenceTransformerEmbedder | onnx_embedder.OnnxEmbedder:
    """For questions and answer checks: the ONNX export when there is one (no torch import), else torch."""
    return onnx_embedder.load(name) or SentenceTransformerEmbedder(name, batch_size)
