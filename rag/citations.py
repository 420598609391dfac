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
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s?(thousand|million|billion|[kKMB])\b)?")
_SCALE = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "B": 1e9, "billion": 1e9}
SUPPORT_THRESHOLD = 0.55  # combined lexical/embedding support a claim needs from a passage sentence


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: tuple[Citation, ...]
    dropped_claims: tuple[str, ...]
    declined: tuple[str, ...] = ()  # sentences saying the evidence does not answer (kept out of `text`)


def _numbers(group: str) -> list[int]:
    return [int(n) for n in re.split(r"\s*[,;]\s*", group)]


def _tidy(text: str) -> str:
    """Remove the space and doubled commas a deleted marker leaves behind."""
    return re.sub(r",(\s*,)+", ",", re.sub(r"\s+([,.;:!?])", r"\1", text)).strip()


def _split_claims(answer: str) -> list[tuple[str, list[int], str]]:
    """(sentence without markers, the [n] numbers it cites, the sentence as written) per answer sentence."""
    claims = []
    for sentence in split_sentences(answer):
        cited = [n for group in _MARKERS.findall(sentence) for n in _numbers(group)]
        text = _tidy(_MARKERS.sub("", sentence))
        if text and text not in ".;,":
            claims.append((text, list(dict.fromkeys(cited)), sentence))
    return claims


def parse_claims(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences of the answer with the [n] numbers they cite (markers removed from the text)."""
    return [(text, cited) for text, cited, _ in _split_claims(answer)]


def _renumber(sentence: str, numbers: dict[int, int]) -> str:
    """The sentence as written with markers renumbered in place (old -> new); markers not in `numbers` go, and
    new numbers the sentence does not show yet go at its end. In place keeps "papers [1] and [2] both ..." readable."""
    shown: list[int] = []

    def replace(match: re.Match[str]) -> str:
        marks = [numbers[n] for n in dict.fromkeys(_numbers(match.group(1))) if n in numbers]
        shown.extend(marks)
        return " " + "".join(f"[{m}]" for m in marks) if marks else ""

    body = _tidy(_MARKERS.sub(replace, sentence))
    missing = "".join(f"[{m}]" for m in dict.fromkeys(numbers.values()) if m not in shown)
    if not missing:
        return body if body[-1] in ".!?" else body + "."
    end = body[-1] if body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?')} {missing}{end}"


def _restates(claim: str, question: str, cited: list[Passage]) -> bool:
    """The claim adds at most one content word to the question and the cited papers' metadata."""
    known = set(tokenize(question)).union(*(tokenize(_metadata_line(p)) for p in cited))
    return bool(cited) and len(set(tokenize(claim)) - known) <= 1


def _numbers_in(text: str, with_bare: bool = False) -> set[str]:
    """The values of the numbers a text states: "52K", "52,000" and "52 thousand" are one number. `with_bare` also
    lists each scaled number's digits alone ("7.8" of "7.8B"), which a claim may repeat without the unit."""
    values = set()
    for digits, scale in _NUMBER.findall(text):
        plain = digits.replace(",", "")
        if plain.count(".") > 1:  # a version or date such as 3.5.1: compared as written
            values.add(plain)
            continue
        value = float(plain)
        values.add(f"{value * _SCALE.get(scale, 1):.9g}")
        if with_bare:
            values.add(f"{value:.9g}")
    return values


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

    def check(self, answer: str, passages: list[Passage], question: str = "", filtered: bool = False) -> CheckedAnswer:
        """Keep supported citations, move unsupported ones to the best supporting passage, drop unsupported claims.

        With `filtered` (every passage matched the question's author/year/source filter), a claim that only
        restates the question about the papers it cites ("Changdae Oh's 2022 papers are [1] and [2]") is
        supported by that metadata match, which no abstract sentence states."""
        parsed = _split_claims(answer)
        declined = tuple(c for c, _, _ in parsed if _DECLINE.search(c))
        claims = [claim for claim in parsed if claim[0] not in declined]
        if not claims or not passages:
            return CheckedAnswer("", (), tuple(c for c, _, _ in claims), declined)
        scores, _ = self.support([c for c, _, _ in claims], passages)
        # The small models invent figures ("80%" for a paper that reports 68.2%) in sentences that read as supported:
        # a passage supports a claim's numbers only if its abstract or metadata (or the question) states them all.
        stated_numbers = [_numbers_in(f"{_metadata_line(p)} {p.paper.abstract}", with_bare=True) for p in passages]
        asked_numbers = _numbers_in(question, with_bare=True)
        numbering: dict[int, int] = {}  # passage index -> citation number, in order of first citation
        evidence: dict[int, str] = {}
        kept_sentences, dropped = [], []
        for ci, (claim, cited, written) in enumerate(claims):
            claim_numbers = _numbers_in(claim) - asked_numbers
            allowed = [p for p, stated in enumerate(stated_numbers) if claim_numbers <= stated]
            in_range = [n - 1 for n in cited if 1 <= n <= len(passages) and n - 1 in allowed]
            valid = [p for p in in_range if scores[ci, p] >= self.threshold]
            if not valid and filtered and _restates(claim, question, [passages[p] for p in in_range]):
                valid = in_range
            if not valid:
                best = max(allowed, key=lambda p: scores[ci, p], default=None)
                if best is None or scores[ci, best] < self.threshold:
                    dropped.append(claim)
                    continue
                valid = [best]
            for p in valid:
                if p not in numbering:
                    numbering[p] = len(numbering) + 1
                    evidence[p] = self.best_sentence(ci, p)
            kept_sentences.append(_renumber(written, {p + 1: numbering[p] for p in valid}))
        citations = tuple(
            Citation(n, passages[p].paper, evidence[p]) for p, n in sorted(numbering.items(), key=lambda x: x[1])
        )
        return CheckedAnswer(" ".join(kept_sentences), citations, tuple(dropped), declined)
