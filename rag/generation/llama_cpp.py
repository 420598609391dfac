"""llama-cpp-python adapter: a GGUF model kept loaded, greedy streaming chat completions."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from rag import models
from rag.config import Settings
from rag.errors import GenerationError, ModelMissingError
from rag.generation.locked_stream import locked_stream
from rag.generation.prompt_state import PromptStateCache
from rag.generation.prompts import EVIDENCE


class LlamaCppGenerator:
    """Greedy decoding with the model's own chat template; the prompt prefix cache is reused across questions."""

    def __init__(self, model: str, settings: Settings, prompt_lookup: int = 0) -> None:
        """`prompt_lookup` > 0 drafts that many tokens by prompt lookup (speculative decoding, for measuring it:
        see evals/results/prompt-lookup/)."""
        self.path = models.path(model, settings.model_dir)
        self.name = models.canonical(model) if models.canonical(model) in models.SPECS else self.path.name
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
        except ImportError as exc:
            raise ModelMissingError(
                "llama-cpp-python is not installed. Build it for this CPU with: make install  (or: python -m "
                "rag.models build-llama; or set RAG_BACKEND=transformers)"
            ) from exc
        draft = LlamaPromptLookupDecoding(num_pred_tokens=prompt_lookup) if prompt_lookup else None
        with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
            self.llm: Any = Llama(
                model_path=str(self.path),
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                n_batch=512,
                draft_model=draft,
                logits_all=draft is not None,  # a draft model turns it on inside, but sizes `scores` by this argument
                verbose=False,
            )
        self._lock = threading.Lock()  # one generation at a time: the UI's warm-up thread and its questions share it
        self._format = _chat_formatter(self.llm)
        self.last_prompt_read = 0  # prompt tokens the last call had to read (the rest came from the KV cache)
        self._prompt_state = PromptStateCache(settings.prompt_cache_dir, self.path, settings.n_ctx)
        self._warmed_prefix: list[dict[str, str]] | None = None
        self._prefix_tokens = 0  # KV cache cells that hold the warmed prefix

    def warm_up(self, prefix: list[dict[str, str]]) -> None:
        """Read the fixed prompt prefix now: llama-cpp-python keeps it in the KV cache and every later prompt that
        starts with it skips those tokens (measured: 8.6 to 11 s of prompt reading for the default model on 2 cores).
        The state is saved to disk, so the next process (a one-shot CLI call, a restarted UI) just loads it.
        Called again with the same prefix (at the start of each question), it forgets what came after the prefix:
        the question is then read from the same point whatever was asked before, so its probabilities and answer
        cannot depend on the last question (whose prompt it would otherwise reuse up to where the two differ)."""
        with self._lock:
            if prefix == self._warmed_prefix:
                self.llm.n_tokens = min(self.llm.n_tokens, self._prefix_tokens)
                return
            if not self._prompt_state.load(self.llm, prefix):
                for _ in self._stream([*prefix, {"role": "user", "content": EVIDENCE}], max_tokens=1):
                    pass
                self._prompt_state.save(self.llm, prefix)
            self._warmed_prefix = prefix
            # the tokens every question's prompt shares with the warm-up prompt (up to its "Evidence:")
            warmed, _ = self._tokens([*prefix, {"role": "user", "content": EVIDENCE}])
            asked, _ = self._tokens([*prefix, {"role": "user", "content": f"{EVIDENCE}\n[1] A"}])
            self._prefix_tokens = min(self.llm.longest_token_prefix(warmed, asked), self.llm.n_tokens)

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        """Tokens as they come; the lock is held by a worker thread only while it generates, so a consumer that
        is closed, collected or abandoned mid-answer (a browser tab gone) never keeps the next question waiting."""
        return locked_stream(self._lock, lambda: self._stream(messages, max_tokens))

    def yes_probability(self, messages: list[dict[str, str]]) -> float:
        """P(Yes) / (P(Yes) + P(No)) for the reply's first token (see `choice_probabilities`)."""
        return self.choice_probabilities(messages, ("Yes", "No"))[0]

    def choice_probabilities(self, messages: list[dict[str, str]], options: Sequence[str]) -> list[float]:
        """The probability of each option as the reply's first token, normalised over the options. Only the tokens
        after the longest prefix already in the KV cache are read, so a probe that shares the answer prompt up to
        the question costs a few tokens, and the answer that follows it reuses the evidence the probe read."""
        tokens, _ = self._tokens(messages)
        wanted = [self._first_token(option) for option in options]
        with self._lock:
            llm = self.llm
            reuse = min(llm.longest_token_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens), len(tokens) - 1)
            llm.n_tokens = reuse
            self.last_prompt_read = len(tokens) - reuse
            try:
                llm.eval(tokens[reuse:])
            except (RuntimeError, ValueError) as exc:
                raise GenerationError(f"The model {self.name} failed while reading the prompt: {exc}") from exc
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            chosen = np.array([float(logits[t]) for t in wanted])
        weights = np.exp(chosen - chosen.max())
        return [float(w) for w in weights / weights.sum()]

    def complete_json(self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int = 64) -> str:
        """The reply as JSON text that the grammar built from `schema` forces to be valid (greedy); the cached
        KV prefix is reused as in `stream`, so a fixed instructions-and-examples prefix is read once."""
        import json

        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        tokens, stop = self._tokens(messages)
        with self._lock:
            try:
                out = self.llm.create_completion(
                    prompt=tokens, max_tokens=max_tokens, temperature=0.0, top_k=1, seed=0, stop=stop, grammar=grammar
                )
            except (RuntimeError, ValueError) as exc:
                raise GenerationError(f"The model {self.name} failed while generating: {exc}") from exc
        return str(out["choices"][0]["text"])

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _first_token(self, word: str) -> int:
        return int(self.llm.tokenize(word.encode(), add_bos=False, special=False)[0])

    def _tokens(self, messages: list[dict[str, str]]) -> tuple[list[int], list[str]]:
        """The prompt tokens exactly as the model's chat template gives them, and its stop strings."""
        result = self._format(messages=messages)
        tokens = self.llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)
        stop = result.stop if isinstance(result.stop, list) else [result.stop] if result.stop else []
        return list(tokens), stop

    def _stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        tokens, stop = self._tokens(messages)
        cached = self.llm.longest_token_prefix(self.llm.input_ids[: self.llm.n_tokens].tolist(), tokens)
        self.last_prompt_read = len(tokens) - min(cached, len(tokens) - 1)
        try:
            chunks = self.llm.create_completion(
                prompt=tokens, max_tokens=max_tokens, temperature=0.0, top_k=1, stream=True, seed=0, stop=stop
            )
            for chunk in chunks:
                delta = chunk["choices"][0].get("text")
                if delta:
                    yield delta
        except (RuntimeError, ValueError) as exc:
            raise GenerationError(f"The model {self.name} failed while generating: {exc}") from exc


def _chat_formatter(llm: Any) -> Any:
    """The model's own chat template (from its GGUF metadata), as llama-cpp-python builds it for chat completions;
    the answer and the probe are formatted and tokenized by this one function, so their shared prefix is exact."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def text(token: int) -> str:
        return llm._model.token_get_text(token) if token != -1 else ""

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelMissingError(f"{llm.model_path} has no chat template in its metadata; use an instruct GGUF model.")
    eos = llm.token_eos()
    return Jinja2ChatFormatter(
        template=template, eos_token=text(eos), bos_token=text(llm.token_bos()), stop_token_ids=[eos]
    )
