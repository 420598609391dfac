"""How many of the retrieved papers the LLM reads: prompt reading dominates the time to the first token."""

from __future__ import annotations

import re

from rag.config import Settings
from rag.types import Filters

# Plural nouns for documents, or words that ask for a list: the answer may span several papers.
_SEVERAL = re.compile(r"\b(papers|works|studies|articles|publications|preprints|list|compare|comparison)\b", re.I)


def asks_for_several_papers(question: str, filters: Filters) -> bool:
    """A list question ("Which papers ...", "papers by X in 2019") rather than one fact or one paper."""
    return not filters.is_empty() or bool(_SEVERAL.search(question))


def papers_to_read(question: str, filters: Filters, settings: Settings, sure: bool = False) -> int:
    """All of `llm_passages` for list questions; for a question about one fact or paper, the one paper when
    retrieval is sure of it (`sure`: the question names something only that paper states), else
    `llm_passages_single`: the papers retrieval is unsure between."""
    if asks_for_several_papers(question, filters):
        return settings.llm_passages
    return 1 if sure else min(settings.llm_passages_single, settings.llm_passages)
