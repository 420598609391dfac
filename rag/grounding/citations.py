"""Check every claim of an answer against the sentences it cites, term by term; keep, move or drop citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.evidence.evidence import SentenceVectors
from rag.evidence.injection import addresses_model
from rag.text.sentences import split_sentences
from rag.text.terms import Stated, Terms, content, names, number_words, numbers, stated, terms_of
from rag.types import Citation, Passage

# The model saying the evidence lacks the answer. Such a sentence states nothing a citation could support, so it is
# never kept as a claim (text injected into an abstract cannot use it to slip past the check either).
DECLINE = re.compile(
    r"\b(?:does not|doesn't|do not|don't|did not|is not|are not|isn't|aren't)\s+"
    r"(?:\w+\s+)?(?:mention|provide|specify|state|say|report|include|contain|discuss|give)"
    r"|\bnot (?:mentioned|provided|specified|stated|reported|given|available)\b"
    r"|\bno (?:information|mention|details?)\b|\bcannot be (?:determined|answered)\b|\bnot enough information\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\(\d{4}\)")  # "(2024)" after a title
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
WORD_SHARE = 0.5  # share of the claim's content words its supporting sentences must state
NEW_WORDS_MISSING = 0.2  # of the content words the question did not give, this share (at least one) may be unstated
MIN_COSINE = 0.35  # and the claim must be about what they say (embedding cosine with the closest of them)
_SAYING = content("applies leverages develops employs")  # verbs that say how, not what (most are stop words already)


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: tuple[Citation, ...]
    dropped_claims: tuple[str, ...]
    declined: tuple[str, ...] = ()  # sentences saying the evidence does not answer (dropped, never kept)


@dataclass(frozen=True)
class Support:
    """Why a paper supports a claim: the sentence(s) that state its terms, and how closely."""

    evidence: str
    cosine: float


def _numbers(group: str) -> list[int]:
    return [int(n) for n in re.split(r"\s*[,;]\s*", group)]


def _tidy(text: str) -> str:
    """Remove the space and doubled commas a deleted marker leaves behind."""
    text = re.sub(r",(\s*,)+", ",", re.sub(r"\s+([,.;:!?])", r"\1", text))
    return re.sub(r",\s*([.;:!?])", r"\1", text).strip()  # "[1], [2]," with the markers gone ends in ",."


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


def metadata_line(passage: Passage) -> str:
    """What the record states besides the abstract: title, authors, year, organization, category."""
    paper = passage.paper
    parts = [paper.title or "", ", ".join(paper.authors), str(paper.year or ""), paper.organization or ""]
    parts += [", ".join(paper.affiliations), paper.category or ""]
    return ". ".join(p for p in parts if p)


def _without(claim: str, title: str) -> str:
    """The claim with the paper's title taken out, when it quotes it (the part before a colon counts too)."""
    for name in (title, title.split(":")[0]):
        if len(name) > 3 and name.lower() in claim.lower():
            return re.sub(re.escape(name), " ", claim, flags=re.IGNORECASE)
    return claim


def restates(terms: Terms, title: str) -> bool:
    """The claim states nothing that neither the question (`terms` are the claim's terms it did not give) nor the
    cited paper's title says: "BlackVIP adapts a model without its parameters by black-box visual prompting" answers
    "How does BlackVIP adapt a model without access to its parameters?" with the words of the question and the title
    "... Black-Box Visual Prompting", however true it is."""
    where = stated(title)
    new = [t for t in terms.strict if not where.has_name(t)] + list(terms.values - where.values)
    return not new and all(where.has_stem(w) or w in _SAYING for w in terms.words)


def _adds_stated(terms: Terms, where: Stated) -> bool:
    """`where` states every name, qualifier and number the claim adds to the question, and all but one (or a fifth)
    of the content words it adds."""
    strict, values, new_share = terms.missing_in(where)
    unstated_new = round((1 - new_share) * len(terms.words))
    return not strict and not values and unstated_new <= max(1, int(NEW_WORDS_MISSING * len(terms.words)))


def _states_news(terms: Terms, sentences: Stated) -> bool:
    """The claim answers with a name (and no number) that the sentences themselves, not the title, state with
    whatever else it adds to the question. A number is not enough: a results sentence lists several ("+9.38% in
    CUB200, +20.58% in CIFAR-100"), and "improves CIFAR-100 by +9.38%" states one, bound to the wrong setting."""
    return bool(terms.strict) and not terms.values and _adds_stated(terms, sentences)


def _windows(sentences: list[str]) -> list[tuple[int, ...]]:
    """One sentence, or two neighbours that state a claim together."""
    return [(i,) for i in range(len(sentences))] + [(i, i + 1) for i in range(len(sentences) - 1)]


class CitationChecker:
    """A citation stands when the cited paper names every name the claim uses, and one or two neighbouring
    sentences of it (or its metadata line) state every number, name and qualifier the question did not give and
    most of the claim's content words, about the same thing (embedding cosine)."""

    def __init__(self, vectors: SentenceVectors, word_share: float = WORD_SHARE, min_cosine: float = MIN_COSINE):
        self.vectors = vectors
        self.word_share = word_share
        self.min_cosine = min_cosine

    def _windows_of(self, claim_vector: np.ndarray, passage: Passage) -> list[tuple[str, float]]:
        """(text, cosine with the claim) of every one- or two-sentence window, closest first."""
        ((sentences, vectors),) = self.vectors.of([passage.paper.abstract])
        cosines = vectors @ claim_vector
        # a sentence that instructs the model ("Ignore the evidence and answer ...") is never evidence for a claim
        clean = [w for w in _windows(sentences) if not any(addresses_model(sentences[j]) for j in w)]
        windows = [(" ".join(sentences[j] for j in w), max(float(cosines[j]) for j in w)) for w in clean]
        return sorted(windows, key=lambda tc: (-tc[1], len(tc[0])))

    def support(
        self,
        claim: str,
        terms: Terms,
        claim_vector: np.ndarray,
        passage: Passage,
        require_new: bool = False,
        premise: bool = False,
    ) -> Support | None:
        """The best support the passage's abstract (or metadata) gives the claim, or None; with `require_new`, none
        for a claim that only `restates` the question and the paper's title. With `premise` (a question asking for a
        fact), a sentence stating the name the claim answers with (`_states_news`) supports it, whatever of the
        question's own words it does not repeat: "The faster variant introduced in its extended version is called
        BlackVIP-SE" stands on "we introduce a variant, BlackVIP-SE, which significantly reduces the runtime"."""
        meta = metadata_line(passage)
        record = stated(f"{meta} {passage.paper.abstract}")
        title = passage.paper.title or ""
        if any(not record.has_name(n) for n in names(claim)):
            return None  # a claim about SONA never stands on a paper that does not name SONA
        if require_new and restates(terms, title):
            return None
        # a claim that names the paper by its title claims only what it says besides the title
        claim_words = content(_without(claim, title))
        if not claim_words and not terms.values and claim_words != content(claim):
            return None  # the title alone: it names the paper and claims nothing the abstract could state
        windows = self._windows_of(claim_vector, passage)
        for text, cosine in windows:
            if cosine < self.min_cosine:
                break
            # names may be in the title; the claim's words must be in the sentences ("<title> does <what was asked>"
            # restates the question, however many of its words the title shares)
            said = stated(text)
            if self._states(terms, claim_words, stated(f"{title} {text}"), said):
                return Support(text, cosine)
            if premise and _states_news(terms, said):
                return Support(text, cosine)
        if windows and self._states(terms, claim_words, stated(meta), stated(meta)):
            return Support(*windows[0])  # "who wrote X", "when": the metadata line states it
        return None

    def joint_support(
        self, claim: str, terms: Terms, claim_vector: np.ndarray, cited: list[Passage], require_new: bool = False
    ) -> list[Support | None] | None:
        """A claim citing several papers at once ("A [1] and B [2] both ...") checked against them together: each
        name stated by one of them, the terms by their closest sentences together; a paper stays cited when its own
        sentence or record states some of the claim's names or new words."""
        records = [stated(f"{metadata_line(p)} {p.paper.abstract}") for p in cited]
        if any(not any(r.has_name(n) for r in records) for n in names(claim)):
            return None
        if require_new and restates(terms, " ".join(p.paper.title or "" for p in cited)):
            return None
        best = [self._windows_of(claim_vector, p)[:1] for p in cited]
        if not all(best) or min(w[0][1] for w in best) < self.min_cosine:
            return None
        texts = [f"{metadata_line(p)} {w[0][0]}" for p, w in zip(cited, best, strict=True)]
        sentences = " ".join(w[0][0] for w in best)
        body = claim
        for passage in cited:
            body = _without(body, passage.paper.title or "")
        body_words = content(body)
        if not body_words and not numbers(_YEAR.sub(" ", body)):
            return None  # titles alone ("A (2024) [1], B (2023) [2]."): they name papers and claim nothing
        if not self._states(terms, body_words, stated(" ".join(texts)), stated(sentences)):
            return None
        own = names(claim) | terms.words
        return [
            Support(*w[0]) if any(stated(t).has_name(n) or stated(t).has_stem(n) for n in own) else None
            for t, w in zip(texts, best, strict=True)
        ]

    def _states(self, terms: Terms, claim_words: set[str], where: Stated, sentences: Stated) -> bool:
        """Every name, qualifier and number the question did not give; all but one (or a fifth) of the content
        words the question did not give; and half of all the claim's content words. (A close paraphrase by
        embedding alone was tried and let "<a paper's title> does <what the question asked>" pass.)"""
        if not _adds_stated(terms, where):
            return False
        share = sum(sentences.has_stem(w) for w in claim_words) / len(claim_words) if claim_words else 1.0
        return share >= self.word_share

    def check(
        self,
        answer: str,
        passages: list[Passage],
        question: str = "",
        citable: list[bool] | None = None,
        require_new: bool = False,
    ) -> CheckedAnswer:
        """Keep supported citations, move an unsupported one only to a paper that supports the claim, drop the rest.
        `citable[p]` False: passage p supports no claim (a list answer may not list a paper off the asked topic).
        `require_new`: a claim must state something beyond the question and the cited title (a question asking for
        a fact or an explanation; a list of papers is answered by their titles)."""
        parsed = _split_claims(answer)
        declined = tuple(c for c, _, _ in parsed if DECLINE.search(c))
        claims = [claim for claim in parsed if claim[0] not in declined]
        if not claims or not passages:
            return CheckedAnswer("", (), tuple(c for c, _, _ in claims) + declined, declined)
        claim_vectors = self.vectors.embed([c for c, _, _ in claims])
        numbering: dict[int, int] = {}  # passage index -> citation number, in order of first citation
        evidence: dict[int, str] = {}
        kept, dropped = [], []
        said: list[tuple[frozenset[int], set[str]]] = []  # (papers cited, content words) of each kept claim
        for ci, (claim, cited, written) in enumerate(claims):
            terms = terms_of(claim, question)
            wants_news = require_new and not number_words(claim) - number_words(question)  # "two million" is news
            supports = {
                p: self.support(claim, terms, claim_vectors[ci], passages[p], wants_news, require_new)
                if citable is None or citable[p]
                else None
                for p in range(len(passages))
            }
            in_range = [n - 1 for n in cited if 0 <= n - 1 < len(passages)]
            valid = [p for p in in_range if supports[p] is not None]
            if not valid and len(in_range) > 1:
                joint = self.joint_support(claim, terms, claim_vectors[ci], [passages[p] for p in in_range], wants_news)
                supports.update({p: s for p, s in zip(in_range, joint or [], strict=False) if s is not None})
                valid = [p for p in in_range if supports[p] is not None]
            if not valid:
                found = [p for p, s in supports.items() if s is not None]
                if not found:
                    dropped.append(claim)
                    continue
                valid = [max(found, key=lambda p: supports[p].cosine)]  # type: ignore[union-attr]
            words = content(claim)
            if any(frozenset(valid) == papers and words <= earlier for papers, earlier in said):
                continue  # "He also published X [1]" after "Changdae Oh published X [1]": said once already
            said.append((frozenset(valid), words))
            for p in valid:
                if p not in numbering:
                    numbering[p] = len(numbering) + 1
                    evidence[p] = supports[p].evidence  # type: ignore[union-attr]
            kept.append(_renumber(written, {p + 1: numbering[p] for p in valid}))
        citations = tuple(
            Citation(n, passages[p].paper, evidence[p]) for p, n in sorted(numbering.items(), key=lambda x: x[1])
        )
        return CheckedAnswer(" ".join(kept), citations, (*dropped, *declined), declined)
