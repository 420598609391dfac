"""Every prompt text the LLM sees, in one place."""

from __future__ import annotations

from rag.types import Passage

SYSTEM = (
    "You answer questions about research papers using only the numbered evidence. "
    "Answer in one to three short sentences that state the answer in your own words. "
    "After each sentence put the number of the evidence it comes from, for example: "
    "The method improves accuracy by 4% [2]."
)

# One worked example before the real question. It sits in the fixed prompt prefix, which llama.cpp keeps cached
# between questions, so it costs no first-token time; without it the 1.5B model often replies with a bare "[1]".
EXAMPLE_QUESTION = (
    "Evidence:\n"
    "[1] Sparse Mixture Models for Speech (2021): We train a sparse mixture of experts on 10,000 hours of speech "
    "and reduce word error rate by 12% relative to a dense baseline.\n"
    "[2] Graph Transformers at Scale (2023): Our graph transformer handles graphs with one million nodes by "
    "sampling neighbourhoods.\n\n"
    "Question: How much does the sparse mixture model reduce word error rate?"
)
EXAMPLE_ANSWER = "The sparse mixture of experts reduces word error rate by 12% relative to a dense baseline [1]."

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
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": EXAMPLE_QUESTION},
        {"role": "assistant", "content": EXAMPLE_ANSWER},
        {"role": "user", "content": user},
    ]
