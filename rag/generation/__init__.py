"""Generation: the prompts the LLM sees and the generator backends (llama.cpp, transformers, OpenAI-compatible HTTP);
build one with `make_generator`."""

from __future__ import annotations

from rag.config import Settings
from rag.errors import ConfigError
from rag.protocols import Generator


def make_generator(settings: Settings, model: str | None = None) -> Generator:
    """The configured backend for `model` (default: settings.model)."""
    name = model or settings.model
    if settings.backend == "llama-cpp":
        from rag.generation.llama_cpp import LlamaCppGenerator

        return LlamaCppGenerator(name, settings)
    if settings.backend == "transformers":
        from rag.generation.transformers_backend import TransformersGenerator

        return TransformersGenerator(name, settings)
    if settings.backend == "openai":
        from rag.generation.openai_http import OpenAIGenerator

        return OpenAIGenerator(settings)
    raise ConfigError(f"Unknown backend {settings.backend!r}: use llama-cpp, transformers or openai (RAG_BACKEND).")
