"""Check every cited sentence against its passage; repair, drop or renumber citations; pick evidence sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.evidence import overlap_score
from rag.keyword_index import tokenize
from rag.protocols import Embedder
from rag.sentences import split_sentences
from rag.types import Citation, Passage

# the model saying the evidence lacks the answer: honest, needs no citation, and never counts as support
_DECLINE = re.compile(
    r"\b(?:does not|doesn't|do not|don't|did not|is not|are not|isn't|aren't)\s+"
    r"(?:\w+\s+)?(?:mention|provide|specify|state|say|report|include|contain|discuss|give)"
    r"|\bnot (?:mentioned|provided|specified|stated|reported|given|available)\b"
    r"|\bno (?:information|mention|details?)\b|\bcannot be (?:determined|answered)\b|\bnot enough information\b",
    re.IGNORECASE,
)
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
SUPPORT_THRESHOLD = 0.55  # combined lexical/embedding support a claim needs from a passage sentence


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: tuple[Citation, ...]
    dropped_claims: tuple[str, ...]
    declined: tuple[str, ...] = ()  # sentences saying the evidence does not answer (kept out of `text`)


def parse_claims(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences of the answer with the [n] numbers they cite (markers removed from the text)."""
    claims = []
    for sentence in split_sentences(answer):
        cited = [int(n) for group in _MARKERS.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
        text = _MARKERS.sub("", sentence).strip()
        if text and text not in ".;,":
            claims.append((text, list(dict.fromkeys(cited))))
    return claims


def _metadata_line(passage: Passage) -> str:
    paper = passage.paper
    parts = [paper.title or "", ", ".join(paper.authors), str(paper.year or ""), paper.organization or ""]
    return ". ".join(p for p in parts if p)


class CitationChecker:
    """Scores support of a claim by a passage as the best over its abstract sentences of
    max(embedding cosine, lexical overlap of the claim's content words)."""

    def __init__(self, embedder: Embedder, threshold: float = SUPPORT_THRESHOLD) -> None:
        self.embedder = embedder
        self.threshold = threshold

    def support(self, claims: list[str], passages: list[Passage]) -> tuple[np.ndarray, list[list[str]]]:
        """support[c, p] and, per passage, its sentences; best[c, p] index via argmax later."""
        # each passage's metadata line counts as support (for "who wrote X" claims) but is never shown as evidence
        sentences = [[_metadata_line(p), *(split_sentences(p.paper.abstract) or [p.paper.abstract])] for p in passages]
        flat = [s for group in sentences for s in group]
        vectors = np.asarray(self.embedder.embed(claims + flat), dtype=float)
        claim_vecs, sent_vecs = vectors[: len(claims)], vectors[len(claims) :]
        cosine = claim_vecs @ sent_vecs.T if len(flat) else np.zeros((len(claims), 0))
        lexical = np.array([[overlap_score(set(tokenize(c)), s) for s in flat] for c in claims]).reshape(cosine.shape)
        combined = np.maximum(cosine, lexical)
        self._combined, self._sentences = combined, sentences
        scores = np.zeros((len(claims), len(passages)))
        start = 0
        for p, group in enumerate(sentences):
            scores[:, p] = combined[:, start : start + len(group)].max(axis=1)
            start += len(group)
        return scores, sentences

    def best_sentence(self, claim_index: int, passage_index: int) -> str:
        offsets = np.cumsum([0] + [len(g) for g in self._sentences])
        row = self._combined[claim_index, offsets[passage_index] + 1 : offsets[passage_index + 1]]
        return self._sentences[passage_index][1 + int(np.argmax(row))]

    def check(self, answer: str, passages: list[Passage]) -> CheckedAnswer:
        """Keep supported citations, move unsupported ones to the best supporting passage, drop unsupported claims."""
        parsed = parse_claims(answer)
        declined = tuple(c for c, _ in parsed if _DECLINE.search(c))
        claims = [(c, cited) for c, cited in parsed if c not in declined]
        if not claims or not passages:
            return CheckedAnswer("", (), tuple(c for c, _ in claims), declined)
        scores, _ = self.support([c for c, _ in claims], passages)
        numbering: dict[int, int] = {}  # passage index -> citation number, in order of first citation
        evidence: dict[int, str] = {}
        kept_sentences, dropped = [], []
        for ci, (claim, cited) in enumerate(claims):
            valid = [n - 1 for n in cited if 1 <= n <= len(passages) and scores[ci, n - 1] >= self.threshold]
            if not valid:
                best = int(np.argmax(scores[ci]))
                if scores[ci, best] < self.threshold:
                    dropped.append(claim)
                    continue
                valid = [best]
            marks = []
            for p in valid:
                if p not in numbering:
                    numbering[p] = len(numbering) + 1
                    evidence[p] = self.best_sentence(ci, p)
                marks.append(f"[{numbering[p]}]")
            body = claim.rstrip()
            end = body[-1] if body[-1] in ".!?" else "."
            kept_sentences.append(f"{body.rstrip('.!?')} {''.join(marks)}{end}")
        citations = tuple(
            Citation(n, passages[p].paper, evidence[p]) for p, n in sorted(numbering.items(), key=lambda x: x[1])
        )
        return CheckedAnswer(" ".join(kept_sentences), citations, tuple(dropped), declined)
