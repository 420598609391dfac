"""Settings: defaults < RAG_* environment variables < CLI flags; read once at entry points."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

# RAG_* variables read outside Settings (each by one entry point); any other unknown RAG_* name is a typo
OTHER_VARIABLES = {"RAG_UI_PASSWORD": "the chat UI's access password (python -m ui --allow-remote)"}


def cpu_count() -> int:
    """the CPU count"""
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything configurable; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    store_dir: Path = Field(
        default=Path(".rag"), description="the index folder: Chroma store, keyword index, ingest manifest"
    )
    chroma_url: str | None = Field(
        default=None,
        description="a Chroma server to use instead of the embedded store, e.g. `http://127.0.0.1:8000` "
        "(the keyword index stays in store_dir)",
    )
    model_dir: Path = Field(
        default=Path.home() / ".cache" / "paper-rag" / "models",
        description="where generator GGUF files are assembled from their packages (and the embedder's ONNX export)",
    )
    prompt_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "paper-rag" / "prompt-state",
        description="saved KV state of the fixed prompt prefix, one file per model (safe to delete)",
    )

    embedder: str = Field(
        default="all-minilm-l6-v2",
        description="sentence-embedding model; changing it (or chunk_sentences) needs a re-ingest",
    )
    chunk_sentences: int = Field(
        default=3,
        description="sentences per extra chunk (windows overlapping by one, title prepended); chunk 0 is always "
        "title + whole abstract (0: that chunk only)",
    )
    embed_batch_size: int = Field(default=64, description="texts embedded per batch")
    ingest_batch_papers: int = Field(
        default=128, description="papers embedded and written per store transaction when ingesting"
    )

    model: str = Field(
        default="default",
        description="generator: `default` (Qwen2.5-Coder-1.5B), `fast` (0.5B), `smollm2`, or a GGUF path / HF folder",
    )
    backend: Literal["llama-cpp", "transformers", "openai"] = Field(
        default="llama-cpp",
        description="`llama-cpp` (local CPU), `transformers` (GPU if present), `openai` (an OpenAI-compatible server)",
    )
    n_ctx: int = Field(default=4096, description="llama.cpp context window, in tokens")
    n_threads: int = Field(default_factory=cpu_count, description="llama.cpp CPU threads")
    max_new_tokens: int = Field(default=192, description="longest answer the generator may write, in tokens")
    openai_base_url: str = Field(
        default="http://127.0.0.1:8000/v1", description="the server's API base, for backend=openai"
    )
    openai_model: str = Field(
        default="local", description="model name sent to the server (`local`: the one model its /models lists)"
    )
    openai_api_key: str = Field(default="not-needed", description="bearer token sent to the server")
    openai_timeout_s: float = Field(
        default=120.0, description="seconds to wait for each read from the server, the first token included"
    )
    openai_retries: int = Field(default=2, description="retries of a failed request before the first token arrives")

    k: int = Field(default=10, description="papers retrieved per question")
    # What the LLM reads, chosen on the tuning split's "answer in evidence" against prompt words (see the README)
    llm_passages: int = Field(
        default=5,
        description="of those, how many the LLM reads when the question asks for several papers "
        '("Which papers ...", or an author/year/source filter)',
    )
    llm_passages_single: int = Field(
        default=3,
        description="... when it asks about one fact or one paper (1 when the question names something only one "
        "paper states)",
    )
    evidence_sentences: int = Field(
        default=6, description="best sentences of the top paper given to the LLM (0: the whole abstract)"
    )
    evidence_sentences_other: int = Field(default=1, description="... and of each other paper it reads")
    evidence_words: int = Field(default=200, description="cap on the words per paper given to the LLM")
    answer_threshold: float | None = Field(
        default=None,
        description="answerability probability below which the assistant abstains (0: always answer); "
        "unset: the calibrated thresholds in `rag/evidence/calibration.json`",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _loud(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A misspelt RAG_* variable or a value of the wrong type stops start-up with a ConfigError naming it."""
        check_environment(os.environ)
        try:
            return handler(data)
        except ValidationError as exc:
            raise ConfigError(describe_invalid(exc)) from exc


def known_variables() -> set[str]:
    return {f"RAG_{name.upper()}" for name in Settings.model_fields} | set(OTHER_VARIABLES)


def check_environment(environ: Mapping[str, str]) -> None:
    """Raise ConfigError for a RAG_* variable no setting reads (it would be ignored without a word)."""
    known = known_variables()
    unknown = sorted(key for key in environ if key.upper().startswith("RAG_") and key.upper() not in known)
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key.upper(), sorted(known), n=1, cutoff=0.75)
        hints.append(f"{key} (did you mean {close[0]}?)" if close else key)
    raise ConfigError(
        f"Unknown environment variable {', '.join(hints)}: no setting reads it, so it would be ignored. "
        f"Fix the spelling or unset it. Known RAG_* variables: {', '.join(sorted(known))}."
    )


def describe_invalid(exc: ValidationError) -> str:
    """Each invalid value with its setting name, environment variable and pydantic's reason."""
    parts = []
    for error in exc.errors():
        name = ".".join(str(x) for x in error["loc"]) or "settings"
        parts.append(f"{name} (RAG_{name.upper()} or its flag) = {error.get('input')!r}: {error['msg']}")
    return "Invalid setting: " + "; ".join(parts) + ". Set a valid value or unset the variable."


def set_offline_env() -> None:
    """Entry points call this first: no hub downloads, no telemetry, no analytics."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # quiet model loading on stderr
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
