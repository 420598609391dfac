"""Every prompt text the LLM sees, in one place."""

from __future__ import annotations

from rag.types import Passage

SYSTEM = (
    "You answer questions about research papers using only the numbered evidence. "
    "Reply in one to three short sentences. End every sentence with the number of the evidence it uses, like [1]."
)

ABSTAINED = "The collection doesn't answer this question."


def evidence_block(passages: list[Passage], max_words: int) -> str:
    lines = []
    for i, passage in enumerate(passages, start=1):
        paper = passage.paper
        head = paper.title or "Untitled paper"
        year = f" ({paper.year})" if paper.year else ""
        words = passage.text.split()
        text = " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")
        lines.append(f"[{i}] {head}{year}: {text}")
    return "\n".join(lines)


def answer_messages(question: str, passages: list[Passage], max_words: int = 60) -> list[dict[str, str]]:
    user = f"Evidence:\n{evidence_block(passages, max_words)}\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
