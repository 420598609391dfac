"""Settings: defaults < RAG_* environment variables < CLI flags; read once at entry points."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

# RAG_* variables read outside Settings (each by one entry point); any other unknown RAG_* name is a typo
OTHER_VARIABLES = {"RAG_UI_PASSWORD": "the chat UI's access password (python -m ui --allow-remote)"}


class Settings(BaseSettings):
    """Everything configurable; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    store_dir: Path = Path(".rag")
    chroma_url: str | None = None
    model_dir: Path = Path.home() / ".cache" / "paper-rag" / "models"
    prompt_cache_dir: Path = Path.home() / ".cache" / "paper-rag" / "prompt-state"

    embedder: str = "all-minilm-l6-v2"
    chunk_sentences: int = 3  # sentences per window chunk (title prepended); chunk 0 is the whole abstract
    embed_batch_size: int = 64
    ingest_batch_papers: int = 128  # papers embedded and written per store transaction

    model: str = "default"  # default | fast | smollm2 | a path to a GGUF file or HF model folder
    backend: Literal["llama-cpp", "transformers", "openai"] = "llama-cpp"
    n_ctx: int = 4096
    n_threads: int = max(1, os.cpu_count() or 1)
    max_new_tokens: int = 192
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "local"
    openai_api_key: str = "not-needed"
    openai_timeout_s: float = 120.0
    openai_retries: int = 2

    k: int = 10
    # What the LLM reads, chosen on the tuning split's "answer in evidence" against prompt words (see the README)
    llm_passages: int = 5  # how many of the top-k papers the LLM reads for a question asking for several papers
    llm_passages_single: int = 3  # ... for a question about one fact or one paper, unless one paper is named
    evidence_sentences: int = 6  # best sentences of the top paper the LLM reads (0: the whole abstract)
    evidence_sentences_other: int = 1  # ... and of each other paper it reads
    evidence_words: int = 200  # and at most this many words per paper
    answer_threshold: float | None = None  # answerability probability needed to answer; None: the calibrated one

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
