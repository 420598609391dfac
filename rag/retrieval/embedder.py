"""Sentence-transformers embedder loaded from a local model folder (never a hub)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
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
        encoding the window alone averages). A text past the model's token limit is read again from its first sentence
        that reading did not reach whole (title + the rest); a window across that cut takes its tokens from both
        readings, each sentence's from the reading that read it whole."""
        pools = [_Pooling(plan) for plan in plans]
        readings = [(pool, pool.plan.head) for pool in pools]  # (pool, where in its text the reading starts)
        while readings:
            texts = [pool.text_from(cut) for pool, cut in readings]
            pooled = (pool.add(cut, *read) for (pool, cut), read in zip(readings, self._read(texts), strict=True))
            readings = [(pool, cut) for (pool, _), cut in zip(readings, pooled, strict=True) if cut is not None]
        return [pool.vectors() for pool in pools]

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

    def _read(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Token vectors and character offsets of each text, truncated at the model's limit, in order."""
        import torch

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths share a batch
        results: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for first in range(0, len(order), self.batch_size):
            batch = order[first : first + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in batch])
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
                spans[
                    np.asarray(encoding.special_tokens_mask, dtype=bool)[mask]
                ] = -1  # special: no characters, always pooled
                results[i] = (hidden[row][mask], spans)
        for i in range(len(texts)):
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


def _unit(vector: np.ndarray) -> list[float]:
    return list(map(float, vector / max(float(np.linalg.norm(vector)), 1e-12)))


class _Pooling:
    """One plan's vectors, filled reading by reading: a window's vector is the direction of the sum of the token
    vectors pooled into it (the direction of their mean)."""

    def __init__(self, plan: PoolingPlan) -> None:
        self.plan = plan
        self.whole: list[float] = []
        self.sums: list[np.ndarray | float] = [0.0] * len(plan.windows)

    def text_from(self, cut: int) -> str:
        """The text of a reading that starts at `cut`: the title, then the plan's text from there."""
        return self.plan.text[: self.plan.head] + self.plan.text[cut:]

    def add(self, cut: int, tokens: np.ndarray, offsets: np.ndarray) -> int | None:
        """Pool the reading that starts at `cut` into every window that has sentences it read whole; returns where
        the next reading starts, or None when every window is complete."""
        plan = self.plan
        if not self.whole:
            self.whole = _unit(tokens.mean(axis=0))  # chunk 0: the first reading, truncated as encoding it alone is
        special = offsets[:, 0] < 0  # [CLS], [SEP]: no characters
        title = ~special & (offsets[:, 1] <= plan.head)
        text = ~special & ~title
        positions = offsets + (cut - plan.head)  # in plan.text, for the tokens after the title
        reached = int(positions[text, 1].max(initial=cut))
        following = _next_cut(plan.sentences, cut, reached)
        until = following if following is not None else len(plan.text)
        for n, (start, end) in enumerate(plan.windows):
            if end > cut and start < until:
                inside = text & (positions[:, 0] >= start) & (positions[:, 1] <= min(end, until))
                self.sums[n] = self.sums[n] + tokens[special | title | inside].sum(axis=0)
        if following is None or all(end <= following for _, end in plan.windows):
            return None
        return following

    def vectors(self) -> list[list[float]]:
        return [self.whole, *(_unit(np.asarray(s)) for s in self.sums)]


def _next_cut(sentences: Sequence[tuple[int, int]], cut: int, reached: int) -> int | None:
    """Where the reading after one that starts at `cut` and reads up to `reached` starts: its first sentence not read
    whole, or None when it read to the end. A single sentence past the limit is read truncated (as encoding it alone
    would be), the next reading starts after it."""
    unread = [start for start, end in sentences if end > reached]
    if unread and unread[0] <= cut:
        unread = unread[1:]
    return unread[0] if unread else None


def query_embedder(name: str, batch_size: int) -> SentenceTransformerEmbedder | onnx_embedder.OnnxEmbedder:
    """For questions and answer checks: the ONNX export when there is one (no torch import), else torch."""
    return onnx_embedder.load(name) or SentenceTransformerEmbedder(name, batch_size)
