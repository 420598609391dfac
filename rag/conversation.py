"""Turn a follow-up question into a standalone one using the conversation so far."""

from __future__ import annotations

import re

_ANAPHORA = re.compile(
    r"\b(they|them|their|theirs|it|its|this|that|these|those"
    r"|the (?:paper|method|model|approach|authors?|study|work))\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """Refers back to something ("what dataset did they use?") or is too short to stand alone."""
    return bool(_ANAPHORA.search(question)) or len(question.split()) <= 3


def standalone_question(question: str, history: list[tuple[str, str]] | None) -> str:
    """The question with the subject of the previous turn attached when it is a follow-up.
    A rule, not an LLM call: it costs no model time and cannot invent a subject."""
    if not history or not is_follow_up(question):
        return question
    subject = next((q for q, _ in reversed(history) if not is_follow_up(q)), history[-1][0])
    return f"{question.strip()} (about: {subject.strip()})"
