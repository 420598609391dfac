"""The embedder's weights run by ONNX Runtime, for questions and answer checks: no torch import.

Importing torch and sentence-transformers costs a new process about 5 s, most of a one-shot `python -m rag` call
spent outside the LLM; onnxruntime and tokenizers import in 0.1 s. The vectors are the sentence-transformers ones
(measured max difference 2e-7), so a store built with either serves the other. Ingest keeps torch: for large
batches it is 15% faster on this CPU. The ONNX file is exported once, by the first process that loads the torch
model, and verified against it before it is used.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from rag import models

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the export below changes: older files are then ignored
TOLERANCE = 1e-4  # largest difference from the torch vectors accepted at export
# a question, and a text longer than the 256-token limit so truncation is compared too
_PROBES = ["What AUROC does the method reach?", "A longer probe, with punctuation: commas; numbers 3.5%. " * 40]


def onnx_path(name: str, cache_dir: Path | None = None) -> Path:
    """Where the export of embedder `name` lives; the name changes whenever the weights or the format do."""
    weights = models.path(name) / "model.safetensors"
    stat = weights.stat()
    key = f"{FORMAT}-{stat.st_size}-{stat.st_mtime_ns}"
    return (cache_dir or models.default_model_dir() / "onnx") / f"{_stem(name)}-{key}.onnx"


def _stem(name: str) -> str:
    return Path(models.canonical(name)).name  # a model given as a folder path is named by its last part


def is_plain_mean_pooling(model_dir: Path) -> bool:
    """The model is transformer, mean pooling, normalize: exactly what OnnxEmbedder computes."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((model_dir / "modules.json").read_text())]
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    return modules == ["Transformer", "Pooling", "Normalize"] and modes == ["pooling_mode_mean_tokens"]


class OnnxEmbedder:
    """Normalized mean-pooled embeddings, as SentenceTransformerEmbedder gives them."""

    def __init__(self, name: str, file: Path) -> None:
        self.name = name
        self.file = file
        self.model_dir = models.path(name)

    @cached_property
    def _session(self) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only
        return onnxruntime.InferenceSession(str(self.file), options, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        max_tokens = json.loads((self.model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
        return tokenizer

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, v)) for v in self.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return np.concatenate([self._encode_batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)])

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def load(name: str, cache_dir: Path | None = None) -> OnnxEmbedder | None:
    """The ONNX embedder when its export exists and runs, else None (the caller uses torch, which exports it)."""
    try:
        file = onnx_path(name, cache_dir)
        if not file.is_file():
            return None
        embedder = OnnxEmbedder(name, file)
        embedder.encode(_PROBES[:1])  # fails here, not in a user's question, if the file is unusable
        return embedder
    except Exception as exc:  # a damaged file or a missing runtime must never stop answering: torch still works
        log.warning("Not using the ONNX embedder (%s); questions are embedded with torch.", exc)
        return None


def export(name: str, model: Any, cache_dir: Path | None = None) -> Path | None:
    """Export the loaded sentence-transformers `model` once; kept only if it reproduces the torch vectors."""
    try:
        target = onnx_path(name, cache_dir)
        if target.is_file() or not is_plain_mean_pooling(models.path(name)):
            return None
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    except OSError:
        return None  # weights not in safetensors form: nothing to key an export on
    try:
        import torch

        target.parent.mkdir(parents=True, exist_ok=True)

        class Hidden(torch.nn.Module):  # keyword arguments only: BertModel's positional ones changed across versions
            def __init__(self) -> None:
                super().__init__()
                self.transformer = model[0].auto_model

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                out = self.transformer(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                )
                return out.last_hidden_state

        inputs = model.tokenizer(
            _PROBES, padding=True, truncation=True, max_length=model.max_seq_length, return_tensors="pt"
        )
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
        args = tuple(inputs[n] for n in names)
        # the TorchScript exporter is deprecated but, unlike the dynamo one, needs no extra packages; if a future
        # torch drops it, this fails into the warning below and questions are embedded with torch
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecation notes and tracer remarks; the result is verified below
            torch.onnx.export(
                Hidden(), args, str(partial), input_names=names, output_names=["last_hidden_state"],
                dynamic_axes=axes, opset_version=17, dynamo=False,
            )  # fmt: skip
        expected = model.encode(_PROBES, normalize_embeddings=True, convert_to_numpy=True)
        difference = float(np.abs(OnnxEmbedder(name, partial).encode(_PROBES) - expected).max())
        if difference > TOLERANCE:
            raise ValueError(f"the export differs from the torch model by {difference:.1e}")
        os.replace(partial, target)
        for old in target.parent.glob(f"{_stem(name)}-*.onnx"):  # exports of earlier weights or formats
            if old != target and re.fullmatch(r"\d+-\d+-\d+", old.stem.removeprefix(f"{_stem(name)}-")):
                old.unlink(missing_ok=True)
        return target
    except Exception as exc:  # the export is an optimisation: without it questions are embedded with torch
        log.warning("Could not export %s to ONNX (%s); questions will be embedded with torch.", name, exc)
        return None
    finally:
        partial.unlink(missing_ok=True)
