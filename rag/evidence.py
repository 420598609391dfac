"""Pick the few abstract sentences most relevant to a question, so the LLM reads short evidence."""

from __future__ import annotations

from rag.keyword_index import tokenize
from rag.sentences import split_sentences


def overlap_score(question_tokens: set[str], sentence: str) -> float:
    """Fraction of the question's content words that the sentence contains."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(tokenize(sentence))) / len(question_tokens)


def select_evidence(question: str, abstract: str, best_chunk: str | None, n: int) -> tuple[str, ...]:
    """Up to n sentences in abstract order: word overlap with the question, plus a bonus for the
    sentences of the best-matching dense window (the embedder already judged them relevant)."""
    sentences = split_sentences(abstract)
    if len(sentences) <= n:
        return tuple(sentences)
    q_tokens = set(tokenize(question))
    in_chunk = best_chunk or ""
    scored = []
    for i, sentence in enumerate(sentences):
        score = overlap_score(q_tokens, sentence) + (0.5 if sentence in in_chunk else 0.0)
        scored.append((score, -i, i))
    best = sorted(scored, reverse=True)[:n]
    chosen = sorted(i for _, _, i in best)
    return tuple(sentences[i] for i in chosen)
