"""Local, cited question answering over paper abstracts: `ask`, `retrieve`, `Assistant`, `Settings`.

Importing this package loads no model and no heavy library; they load on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from rag.config import Settings

if TYPE_CHECKING:
    from rag.qa import Assistant
    from rag.types import Answer, Passage

__all__ = ["Assistant", "Settings", "ask", "retrieve"]

_default: Assistant | None = None
_generation_checked = False
_default_lock = threading.Lock()  # threads calling `ask` at once must share one assistant (one model in memory)


def __getattr__(name: str) -> Any:
    if name == "Assistant":
        from rag.qa import Assistant

        return Assistant
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def default_assistant(generation: bool = True) -> Assistant:
    """The process-wide assistant built from RAG_* settings on first use. A misspelt RAG_* variable, a missing
    embedder and, before the first `ask`, a bad calibration file or generator model fail here, loudly."""
    global _default, _generation_checked
    from rag.startup import check_startup

    with _default_lock:  # cheap: the checks read files, the models themselves load on first use, not here
        if _default is None:
            from rag.qa import Assistant

            settings = Settings()
            check_startup(settings, generation=False)
            _default = Assistant(settings)
        if generation and not _generation_checked:
            check_startup(_default.settings)
            _generation_checked = True
        return _default


def ask(question: str, **options: Any) -> Answer:
    """Answer `question` from the default store; options: history, k, year_from, year_to, author, source, model."""
    answer: Answer = default_assistant().ask(question, **options)
    return answer


def retrieve(question: str, k: int = 10, **filters: Any) -> list[Passage]:
    """Retrieval only: the top-k papers with evidence; filters: year_from, year_to, author, source."""
    return default_assistant(generation=False).retrieve(question, k, **filters)
