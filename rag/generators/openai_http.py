"""OpenAI-compatible HTTP adapter (vLLM, llama.cpp server, Ollama): streaming chat completions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from rag.config import Settings
from rag.errors import GenerationError


class OpenAIGenerator:
    """Streams from {base_url}/chat/completions with a timeout and bounded retries before the first token."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.openai_base_url.rstrip("/")
        self.name = settings.openai_model
        self.api_key = settings.openai_api_key
        self.timeout = settings.openai_timeout_s
        self.retries = settings.openai_retries

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        body = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True}
        headers = {"Authorization": f"Bearer {self.api_key}"}
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.retries + 1):
            started = False
            try:
                with httpx.stream("POST", url, json=body, headers=headers, timeout=self.timeout) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise GenerationError(
                            f"The LLM server at {url} answered HTTP {response.status_code}: {response.text[:300]}"
                        )
                    for line in response.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            return
                        delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                        if delta:
                            started = True
                            yield delta
                return
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                if started or attempt == self.retries:
                    raise GenerationError(
                        f"The LLM server at {self.base_url} failed after {attempt + 1} attempt(s): "
                        f"{type(exc).__name__}: {exc}. Check that it is running (RAG_OPENAI_BASE_URL)."
                    ) from exc
                time.sleep(0.5 * 2**attempt)
