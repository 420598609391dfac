"""OpenAI-compatible HTTP adapter (vLLM, llama.cpp server, Ollama): streaming chat completions."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from rag.config import Settings
from rag.errors import GenerationError

log = logging.getLogger(__name__)
SERVED_MODEL = "local"  # the default RAG_OPENAI_MODEL: use the model the server lists at GET /models
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})  # busy or restarting: worth another attempt
CONNECT_TIMEOUT_S = 10.0


class _Retryable(Exception):
    """A failure before the first token that another attempt may not hit."""


class OpenAIGenerator:
    """Streams from {base_url}/chat/completions with a timeout and bounded retries before the first token."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.openai_base_url.rstrip("/")
        self.configured = settings.openai_model
        self.api_key = settings.openai_api_key
        seconds = settings.openai_timeout_s  # per read: also the longest wait for the first token
        self.timeout = httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT_S, seconds))
        self.retries = max(0, settings.openai_retries)
        self.name = self.configured if self.configured != SERVED_MODEL else self._served_model() or self.configured

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def _served_model(self) -> str | None:
        """The id of the one model GET {base_url}/models lists; None when it lists several or cannot say (yet)."""
        try:
            response = httpx.get(f"{self.base_url}/models", headers=self.headers, timeout=CONNECT_TIMEOUT_S)
            response.raise_for_status()
            ids = [str(m["id"]) for m in response.json()["data"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("could not list the models of %s (%s); sending model=%r", self.base_url, exc, self.configured)
            return None
        if len(ids) != 1:
            log.warning("%s serves %s; set RAG_OPENAI_MODEL to choose one", self.base_url, ids or "no model")
            return None
        return ids[0]

    def warm_up(self, prefix: list[dict[str, str]]) -> None:
        """Nothing to prepare: the server keeps its own prompt cache."""

    def yes_probability(self, messages: list[dict[str, str]]) -> float | None:
        """Not asked of a server: answerability then rests on the checks in code."""
        return None

    def choice_probabilities(self, messages: list[dict[str, str]], options: Sequence[str]) -> list[float] | None:
        """Not asked of a server either (its API does not promise next-token log-probabilities)."""
        return None

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        if self.name == SERVED_MODEL == self.configured:  # the server was down when this generator was built
            self.name = self._served_model() or self.name
        body = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True}
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.retries + 1):
            started = False
            try:
                for delta in self._attempt(url, body):
                    started = True
                    yield delta
                return
            except (httpx.HTTPError, _Retryable) as exc:
                if started:
                    raise GenerationError(
                        f"The LLM server at {self.base_url} broke off the answer: {type(exc).__name__}: {exc}. "
                        "Ask again; if it keeps happening, check the server's log."
                    ) from exc
                if attempt == self.retries:
                    raise GenerationError(
                        f"The LLM server at {self.base_url} failed after {attempt + 1} attempt(s): "
                        f"{type(exc).__name__}: {exc}. Check that it is running and serves model {self.name!r} "
                        "(RAG_OPENAI_BASE_URL, RAG_OPENAI_MODEL)."
                    ) from exc
                time.sleep(min(0.5 * 2**attempt, 4.0))

    def _attempt(self, url: str, body: dict[str, Any]) -> Iterator[str]:
        with httpx.stream("POST", url, json=body, headers=self.headers, timeout=self.timeout) as response:
            if response.status_code >= 400:
                response.read()
                message = f"HTTP {response.status_code}: {error_message(response.text)}"
                if response.status_code in RETRY_STATUS:
                    raise _Retryable(message)
                raise GenerationError(f"The LLM server at {url} refused the request: {message}{hint(response)}")
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                delta = parse_delta(data, url)
                if delta:
                    yield delta


def parse_delta(data: str, url: str) -> str | None:
    """The text of one server-sent chunk; an error chunk or malformed JSON becomes a GenerationError."""
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise GenerationError(f"The LLM server at {url} sent a chunk that is not JSON: {data[:200]!r}") from exc
    if not isinstance(payload, dict):
        raise GenerationError(f"The LLM server at {url} sent an unexpected chunk: {data[:200]!r}")
    if "error" in payload:
        raise GenerationError(f"The LLM server at {url} failed while answering: {error_message(data)}")
    choices = payload.get("choices") or []  # a usage-only chunk has none
    if not choices or not isinstance(choices[0], dict):
        return None
    content = (choices[0].get("delta") or {}).get("content")
    return content if isinstance(content, str) else None


def error_message(text: str) -> str:
    """The message of an OpenAI-style ({"error": {"message"}}), vLLM or FastAPI error body, else its start."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:300] or "(empty body)"
    if isinstance(body, dict):
        error = body.get("error")
        found = error.get("message") if isinstance(error, dict) else error
        found = found or body.get("message") or body.get("detail")
        if found:
            return str(found).strip()[:300]
    return text.strip()[:300]


def hint(response: httpx.Response) -> str:
    """What to check for the usual client errors."""
    if response.status_code in (401, 403):
        return ". Set RAG_OPENAI_API_KEY to a key the server accepts."
    if response.status_code == 404:
        return (
            ". Check RAG_OPENAI_BASE_URL (it usually ends in /v1) and RAG_OPENAI_MODEL "
            "(at 'local' it is the one model the server lists)."
        )
    return ""
