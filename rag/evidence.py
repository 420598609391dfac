"""Pick the few abstract sentences most relevant to a question, so the LLM reads short evidence."""

from __future__ import annotations

import re

from rag.keyword_index import tokenize
from rag.sentences import split_sentences

# a question asking for an amount ("How much ...", "What accuracy ...", "What AMOTA does X reach?") is answered by a
# sentence with a figure in it; without a bonus the overlap rule often picks the method sentence instead
_QUANTITY = re.compile(
    r"\bhow (?:much|many|large|big|long|fast|small|high|low|often)\b|\bby how\b"
    r"|\bwhat (?:\w+ )?(?:percentage|fraction|share|number|size|rate|accuracy|score|speed-?up|gain|improvement"
    r"|reduction|error)"
    r"|\bwhat\b.*\b(?:reach|achieve|attain|obtain|score)s?\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
QUANTITY_BONUS = 1.0


def overlap_score(question_tokens: set[str], sentence: str) -> float:
    """Fraction of the question's content words that the sentence contains."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(tokenize(sentence))) / len(question_tokens)


def select_evidence(question: str, abstract: str, best_chunk: str | None, n: int) -> tuple[str, ...]:
    """Up to n sentences in abstract order: word overlap with the question, plus a bonus for the
    sentences of the best-matching dense window (the embedder already judged them relevant) and, when the
    question asks for an amount, for sentences that state a figure."""
    sentences = split_sentences(abstract)
    if len(sentences) <= n:
        return tuple(sentences)
    q_tokens = set(tokenize(question))
    in_chunk = best_chunk or ""
    wants_figure = bool(_QUANTITY.search(question))
    scored = []
    for i, sentence in enumerate(sentences):
        score = overlap_score(q_tokens, sentence) + (0.5 if sentence in in_chunk else 0.0)
        if wants_figure and _DIGIT.search(sentence):
            score += QUANTITY_BONUS
        scored.append((score, -i, i))
    best = sorted(scored, reverse=True)[:n]
    chosen = sorted(i for _, _, i in best)
    return tuple(sentences[i] for i in chosen)
