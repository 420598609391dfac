"""Every prompt text the LLM sees, in one place."""

from __future__ import annotations

import re

from rag.evidence.answerability import PAPER_PROBE, PROBE
from rag.types import Passage

_ASKS_AUTHORS = re.compile(r"\b(?:authors?|authored|wrote|written|who)\b", re.IGNORECASE)

SYSTEM = (
    "You answer questions about research papers using only the numbered evidence. "
    "Answer in one to three short sentences, using the wording of the evidence. "
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
EVIDENCE = "Evidence:"  # how every question's user turn starts: the fixed prefix's KV cells end at it


def evidence_block(passages: list[Passage], with_authors: bool = False) -> str:
    """One line per paper: [n] title (year), authors when asked for, and its evidence sentences."""
    lines = []
    for i, passage in enumerate(passages, start=1):
        paper = passage.paper
        head = paper.title or "Untitled paper"
        year = f" ({paper.year})" if paper.year else ""
        authors = ""
        if with_authors and paper.authors:
            more = " et al." if paper.authors_truncated or len(paper.authors) > 6 else ""
            authors = f" by {', '.join(paper.authors[:6])}{more}"
        lines.append(f"[{i}] {head}{year}{authors}: {passage.text}")
    return "\n".join(lines)


# the fixed prefix of every prompt: system text, then the worked examples as earlier turns
PREFIX = [{"role": "system", "content": SYSTEM}] + [
    {"role": role, "content": text}
    for example in EXAMPLES
    for role, text in zip(("user", "assistant"), example, strict=True)
]


def _asked(question: str, passages: list[Passage], with_authors: bool) -> str:
    with_authors = with_authors or bool(_ASKS_AUTHORS.search(question))
    return f"{EVIDENCE}\n{evidence_block(passages, with_authors)}\n\nQuestion: {question}"


def answer_messages(question: str, passages: list[Passage], with_authors: bool = False) -> list[dict[str, str]]:
    return [*PREFIX, {"role": "user", "content": _asked(question, passages, with_authors)}]


PICK = "Which numbered paper above is the one the question asks for? Reply with its number only."


def pick_messages(question: str, passages: list[Passage], with_authors: bool = False) -> list[dict[str, str]]:
    """The answer prompt with the question of which read paper is the one asked for: it shares every token up to
    the question with the probe and the answer, so it costs only its own few tokens."""
    return [*PREFIX, {"role": "user", "content": f"{_asked(question, passages, with_authors)}\n\n{PICK}"}]


def paper_probe_messages(question: str, passages: list[Passage], with_authors: bool = False) -> list[dict[str, str]]:
    """The answer prompt with the question whether any read paper is the one asked for (shares the prefix too)."""
    return [*PREFIX, {"role": "user", "content": f"{_asked(question, passages, with_authors)}\n\n{PAPER_PROBE}"}]


def probe_messages(question: str, passages: list[Passage], with_authors: bool = False) -> list[dict[str, str]]:
    """The answer prompt with the probe after the question: both share every token up to the question, so the
    model's prompt cache reads the evidence once for both."""
    return [*PREFIX, {"role": "user", "content": f"{_asked(question, passages, with_authors)}\n\n{PROBE}"}]
