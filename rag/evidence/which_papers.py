"""Questions that ask for one paper ("Which paper ...?", "Is there a study ...?"): the model picks which of the papers
it read the question describes, and code writes the answer from that paper's record, quoting its sentences. A drafted
restatement of the question next to a title cannot be checked term by term (the question's paraphrase is in no
abstract), so the model is asked only to pick, never to write. Questions asking for several papers keep the drafted
answer: judged one paper at a time the 1.5B model said yes to nearly every paper (P(yes) 0.65-0.87, gold or not)."""

from __future__ import annotations

import re
from typing import Literal

from rag.evidence.evidence import SentenceVectors, best_sentence, evidence_candidates, naming_sentence
from rag.evidence.reading import asks_for_several_papers
from rag.types import Citation, Filters, Passage

Kind = Literal["one_paper", "papers"]

# Nouns a question asks for when it asks for papers: documents, and the things papers contribute. "Which method ...?"
# asks for a paper unless it is about a paper the question already names ("Which dataset was ECG-Byte trained on?").
_DOCUMENTS = {"paper", "work", "study", "article", "preprint", "publication"}
_THINGS = {
    "method",
    "model",
    "system",
    "approach",
    "framework",
    "technique",
    "benchmark",
    "dataset",
    "architecture",
    "algorithm",
}
_PLURAL = {"studies": "study", **{f"{w}s": w for w in _DOCUMENTS | _THINGS}}
_OPENER = re.compile(
    r"^\s*(?:which|what)\b|\b(?:is|are|was|were) there\b|\b(?:does|do|did) any\b"
    r"|\b(?:looking for|want|need|find|show me|point me to)\b|^\s*(?:list|name)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[\w'-]+|[,.;:?!()]")
_AUXILIARY = {"does", "do", "did", "was", "were", "is", "are", "has", "have", "had"}
_DO = {"does", "do", "did", "has", "have", "had"}
LOOK_AHEAD = 4  # the artifact noun comes within this many words of the opener ("Which reinforcement learning paper")
QUOTE_WORDS = 60  # at most this many words quoted per paper


def kind_of(question: str, filters: Filters, names_a_paper: bool = False) -> Kind | None:
    """The kind of paper question: "one_paper" when it asks which single paper (or method, system ...) does something,
    "papers" when it asks for several; None for any other question (a fact, a number, a detail of a named paper).
    `names_a_paper`: the question names something only a few papers state (SONA, ECG-Byte)."""
    for opener in _OPENER.finditer(question):
        words = _WORDS.findall(question[opener.end() :])[: LOOK_AHEAD + 1]
        for i, word in enumerate(words):
            if not word[0].isalnum():
                break
            lower = word.lower()
            if lower in _AUXILIARY:
                return None  # "What perplexity does a model ... reach?": the question asks for a detail
            noun = _PLURAL.get(lower, lower)
            if noun not in _DOCUMENTS | _THINGS:
                continue
            after = words[i + 1].lower() if i + 1 < len(words) else ""
            if noun in _THINGS and (names_a_paper or after in _DO):
                return None  # "Which model does X use?", "Which dataset was ECG-Byte trained on?": a detail
            several = lower != noun or (asks_for_several_papers(question, filters) and not filters.is_empty())
            return "papers" if several else "one_paper"
    return None


def quoted_sentences(question: str, passage: Passage, vectors: SentenceVectors) -> list[str]:
    """The sentence that names the paper's contribution and the one that best matches the question, in abstract
    order (one when they are the same), within QUOTE_WORDS."""
    candidates = evidence_candidates(passage)
    best = best_sentence(question, passage, vectors, wants_name=True)
    naming = naming_sentence(candidates)
    picked = {best}
    if naming and naming != best and len(f"{naming} {best}".split()) <= QUOTE_WORDS:
        picked.add(naming)
    return [s for s in candidates if s in picked]


def compose(question: str, passage: Passage, vectors: SentenceVectors) -> tuple[str, tuple[Citation, ...]]:
    """The answer written from the paper's record: title (year) [1] and its own sentences, quoted."""
    return _quoted(question, passage, vectors, 1)


def compose_list(
    question: str, passages: list[Passage], vectors: SentenceVectors, name: str
) -> tuple[str, tuple[Citation, ...]]:
    """A list answer written from the records of the papers that state the name the question asks about: each one's
    title (year) [n] and its own naming and best-matching sentences, quoted."""
    quoted = [_quoted(question, passage, vectors, n) for n, passage in enumerate(passages, start=1)]
    listed = "; ".join(text for text, _ in quoted)
    return f"Papers in the collection that state {name}, quoted from their abstracts: {listed}", tuple(
        c for _, cs in quoted for c in cs
    )


def _quoted(question: str, passage: Passage, vectors: SentenceVectors, n: int) -> tuple[str, tuple[Citation, ...]]:
    paper = passage.paper
    year = f" ({paper.year})" if paper.year else ""
    quote = " ".join(quoted_sentences(question, passage, vectors))
    return f"{paper.label}{year} [{n}]: \u201c{quote}\u201d", (Citation(n, paper, quote),)
