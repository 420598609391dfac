"""Local, cited question answering over paper abstracts: `ask`, `retrieve`, `Assistant`, `Settings`.

Importing this package loads no model and no heavy library; they load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rag.config import Settings

if TYPE_CHECKING:
    from rag.qa import Assistant
    from rag.types import Answer, Passage

__all__ = ["Assistant", "Settings", "ask", "retrieve"]

_default: Assistant | None = None


def __getattr__(name: str) -> Any:
    if name == "Assistant":
        from rag.qa import Assistant

        return Assistant
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def default_assistant() -> Assistant:
    """The process-wide assistant built from RAG_* settings on first use."""
    global _default
    if _default is None:
        from rag.qa import Assistant
        from rag.startup import check_startup

        settings = Settings()
        check_startup(settings)  # a misspelt RAG_* variable, bad calibration or missing model fails here, loudly
        _default = Assistant(settings)
    return _default


def ask(question: str, **options: Any) -> Answer:
    """Answer `question` from the default store; options: history, k, year_from, year_to, author, source, model."""
    answer: Answer = default_assistant().ask(question, **options)
    return answer


def retrieve(question: str, k: int = 10, **filters: Any) -> list[Passage]:
    """Retrieval only: the top-k papers with evidence; filters: year_from, year_to, author, source."""
    return default_assistant().retrieve(question, k, **filters)
