"""Every prompt text the LLM sees, in one place."""

from __future__ import annotations

from rag.types import Passage

SYSTEM = (
    "You answer questions about research papers using only the numbered evidence. "
    "Answer in one to three short sentences that state the answer in your own words. "
    "After each sentence put the number of the evidence it comes from, for example: "
    "The method improves accuracy by 4% [2]."
)

# Two worked examples before the real question. They sit in the fixed prompt prefix, which llama.cpp keeps cached
# between questions, so they cost no first-token time. Without them the 1.5B model often replied with a bare "[1]"
# or answered "which papers" questions with numbers only, never naming the papers.
_SPEECH = (
    "Sparse Mixture Models for Speech (2021): We train a sparse mixture of experts on 10,000 hours of speech "
    "and reduce word error rate by 12% relative to a dense baseline."
)
_GRAPHS = "Graph Transformers at Scale (2023): Our graph transformer handles graphs with one million nodes."
_MOLECULES = "Message Passing for Molecules (2022): We predict molecular properties by passing messages on atom graphs."
EXAMPLES = [
    (
        f"Evidence:\n[1] {_SPEECH}\n[2] {_GRAPHS}\n\nQuestion: How much does the mixture model reduce word error rate?",
        "The sparse mixture of experts reduces word error rate by 12% relative to a dense baseline [1].",
    ),
    (
        f"Evidence:\n[1] {_GRAPHS}\n[2] {_SPEECH}\n[3] {_MOLECULES}\n\nQuestion: Which papers work on graphs?",
        "Graph Transformers at Scale handles graphs with one million nodes [1]. "
        "Message Passing for Molecules predicts molecular properties from atom graphs [3].",
    ),
]

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


# the fixed prefix of every prompt: system text, then the worked examples as earlier turns
PREFIX = [{"role": "system", "content": SYSTEM}] + [
    {"role": role, "content": text}
    for example in EXAMPLES
    for role, text in zip(("user", "assistant"), example, strict=True)
]


def answer_messages(question: str, passages: list[Passage], max_words: int) -> list[dict[str, str]]:
    user = f"Evidence:\n{evidence_block(passages, max_words)}\n\nQuestion: {question}"
    return [*PREFIX, {"role": "user", "content": user}]
