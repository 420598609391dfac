"""transformers adapter: the same GGUF files (dequantized) or any local HF model folder; uses a GPU if present."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from rag import models
from rag.config import Settings, set_offline_env
from rag.errors import GenerationError


class TransformersGenerator:
    """Greedy streaming generation through the tokenizer's chat template."""

    def __init__(self, model: str, settings: Settings) -> None:
        set_offline_env()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = models.path(model, settings.model_dir)
        self.name = models.canonical(model) if models.canonical(model) in models.SPECS else path.name
        kwargs: dict[str, Any] = {"local_files_only": True}
        folder = path
        if path.is_file():  # a GGUF file: transformers dequantizes it
            folder, kwargs["gguf_file"] = path.parent, path.name
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), **kwargs)
        loaded: Any = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32, **kwargs)
        self.model = loaded.to(self.device)
        self.model.eval()

    def warm_up(self, prefix: list[dict[str, str]]) -> None:
        """Nothing to prepare: generate() keeps no cache between calls."""

    def yes_probability(self, messages: list[dict[str, str]]) -> float:
        """P(Yes) / (P(Yes) + P(No)) for the reply's first token (see `choice_probabilities`)."""
        return self.choice_probabilities(messages, ("Yes", "No"))[0]

    def choice_probabilities(self, messages: list[dict[str, str]], options: Sequence[str]) -> list[float]:
        """The probability of each option as the reply's first token, normalised over the options (one pass)."""
        import torch

        encoded: Any = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        wanted = [self.tokenizer.encode(option, add_special_tokens=False)[0] for option in options]
        with torch.no_grad():
            logits = self.model(**encoded.to(self.device)).logits[0, -1]
        return [float(p) for p in torch.softmax(logits[wanted], dim=0)]

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        encoded: Any = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        inputs = encoded.to(self.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                self.model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False, streamer=streamer)
            except Exception as exc:  # surfaced to the caller below
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        yield from (piece for piece in streamer if piece)
        worker.join()
        if failure:
            raise GenerationError(f"The model {self.name} failed while generating: {failure[0]}") from failure[0]
