"""Pick the abstract sentences that answer a question: embedding similarity, the names it asks about, figures."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from rag.evidence.injection import addresses_model
from rag.protocols import Embedder
from rag.text.sentences import split_sentences
from rag.text.terms import names, qualifiers, stated
from rag.text.tokens import tokenize
from rag.types import Passage

# a question asking for an amount ("How much ...", "What accuracy ...", "What AMOTA does X reach?") is answered by a
# sentence with a figure in it ("What improvements ...?" asks for results, which may be stated in words)
_QUANTITY = re.compile(
    r"\bhow (?:much|many|large|big|long|fast|small|high|low|often)\b|\bby how\b"
    r"|\bwhat (?:[\w-]+ ){0,2}(?:(?:percentage|fraction|share|number|size|rate|ratio|accuracy|score|speed-?up"
    r"|error|auroc|auc|f1|bleu|perplexity)s?|gain|improvement|reduction)\b"
    r"|\bwhat\b.*(?<!\bto\s)\b(?:reach|achieve|attain|obtain|score)s?\b",  # not a purpose ("built to score models")
    re.IGNORECASE,
)
# ... and one asking what a paper reports or achieves, by the sentence stating its results
_RESULTS_ASKED = re.compile(
    r"\b(?:results?|performance|improvements?|gains?|findings?|outcomes?|effective|how well)\b"
    r"|\b(?:on|across|over|in)\s+(?:\w+\s+){0,2}?benchmarks?\b",  # "on its benchmarks", not "the benchmark of ..."
    re.I,
)
_ASKS_WHAT = re.compile(r"\s*(?:and\s+)?(?:what|how)\b", re.IGNORECASE)
_RESULT_STATED = re.compile(
    r"\d|\b(?:outperform|achiev|surpass|improv|state-of-the-art|demonstrat|experiments? show|results? show)", re.I
)
_DIGIT = re.compile(r"\d")
# "How does X adapt ...?", "How do they generate outliers?": asks how a method works (not how much, well or fast)
_ASKS_HOW = re.compile(r"^\s*(?:and\s+)?how\s+(?:does|do|did|is|are|was|were|can|could)\b", re.IGNORECASE)
METHOD_WORDS = 60  # at most this many words quoted to say how a named method works
# The sentence that names a paper's contribution, what a which-paper or list answer, or any answer about an untitled
# paper, must be able to name: "we propose X", "... called X". A paper's own name comes with or after what it
# proposes: an acronym defined before that ("Yet, ... (AR) TTS remains underexplored" before "we propose BELLE") is
# background, and so is one defined in passing ("using a Batch Normalization (BN) layer"), while "We design a novel
# loss ..." followed by "the proposed robust DPO (rDPO) policy" names it in the second.
_PROPOSES = re.compile(
    r"\b(?:[Ww]e (?:propose|introduce|present|develop|design|call|name|dub|term)|(?:called|named|dubbed|termed)\b)"
)
_ACRONYM = r"\((?=[a-z0-9-]*[A-Z][A-Za-z-]*[A-Z0-9])[A-Za-z0-9-]+\)"  # "(AR)", "(rDPO)", "(P3T)"
_ACRONYM_DEFINED = re.compile(_ACRONYM)
_OWN_ACRONYM_DEFINED = re.compile(r"\b(?:[Pp]roposed|[Oo]ur|novel|new)\b[^.()]{0,60}" + _ACRONYM)
_WHICH = re.compile(
    r"\b(?:which|what|any|is there an?|are there)\b.{0,30}\b(?:papers?|works?|stud(?:y|ies)|methods?)\b", re.I
)
NAME_BONUS = 0.15  # per share of the question's names and qualifiers that the sentence states
FIGURE_BONUS = 0.2  # a sentence with a figure (or results), for a question asking for an amount (or results)
NAMING_BONUS = 0.2  # the sentence naming the method, for which-paper questions and untitled papers
OVERLAP_WEIGHT = 0.2  # share of the question's content words the sentence states


def asks_for_amount(question: str) -> bool:
    """The question asks for a figure: an answer without one does not answer it."""
    return bool(_QUANTITY.search(question))


def asks_for_results(question: str) -> bool:
    """The question asks what a paper reports or achieves ("What does X report on its benchmarks?", "How well does it
    do?"), not which benchmark or dataset it used ("Which benchmark ...?")."""
    return bool(_ASKS_WHAT.match(question) and _RESULTS_ASKED.search(question))


def asks_how_it_works(question: str) -> bool:
    """The question asks how a method works ("How does BlackVIP adapt a model ...?"), not for a figure or results."""
    return bool(_ASKS_HOW.match(question)) and not asks_for_amount(question) and not asks_for_results(question)


def method_sentences(passage: Passage, subject: set[str]) -> str:
    """The abstract's first sentence stating one of the `subject` names (where it introduces the method) and the
    sentence after it (what the method is made of), verbatim, within METHOD_WORDS; the first alone when the pair is
    longer; "" when no sentence states one."""
    sentences = split_sentences(passage.paper.abstract)
    at = next((i for i, s in enumerate(sentences) if any(stated(s).has_name(n) for n in subject)), None)
    if at is None:
        return ""
    pair = " ".join(sentences[at : at + 2])
    return pair if len(pair.split()) <= METHOD_WORDS else sentences[at]


def states_a_result(text: str) -> bool:
    """A figure, or a word of results ("outperforms", "achieves", "improves", "state-of-the-art", ...)."""
    return bool(_RESULT_STATED.search(text))


def overlap_score(question_tokens: set[str], sentence: str) -> float:
    """Fraction of the question's content words that the sentence contains."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(tokenize(sentence))) / len(question_tokens)


def select_evidence(question: str, abstract: str, best_chunk: str | None, n: int) -> tuple[str, ...]:
    """Lexical preview for retrieved papers the LLM does not read (the sources panel): up to n sentences in
    abstract order by word overlap, preferring the best-matching dense window."""
    sentences = split_sentences(abstract)
    if len(sentences) <= n:
        return tuple(sentences)
    q_tokens = set(tokenize(question))
    in_chunk = best_chunk or ""
    scored = [(overlap_score(q_tokens, s) + (0.5 if s in in_chunk else 0.0), -i, i) for i, s in enumerate(sentences)]
    chosen = sorted(i for _, _, i in sorted(scored, reverse=True)[:n])
    return tuple(sentences[i] for i in chosen)


class SentenceVectors:
    """Sentence splits and embeddings of abstracts, cached by content: evidence selection and the claim check of
    one answer (and follow-ups about the same papers) embed each abstract once."""

    def __init__(self, embedder: Embedder, capacity: int = 512) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, abstracts: list[str]) -> list[tuple[list[str], np.ndarray]]:
        with self._lock:
            missing = [a for a in dict.fromkeys(abstracts) if a not in self._cache]
        if missing:
            splits = [split_sentences(a) or [a] for a in missing]
            flat = [s for group in splits for s in group]
            vectors = np.asarray(self.embedder.embed(flat), dtype=np.float32).reshape(len(flat), -1)
            start = 0
            with self._lock:
                for abstract, group in zip(missing, splits, strict=True):
                    self._cache[abstract] = (group, vectors[start : start + len(group)])
                    start += len(group)
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            for a in abstracts:
                self._cache.move_to_end(a)
            return [self._cache[a] for a in abstracts]

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed(texts), dtype=np.float32).reshape(len(texts), -1)


def sentence_scores(
    question: str, question_vector: np.ndarray, sentences: list[str], vectors: np.ndarray, untitled: bool = False
) -> np.ndarray:
    """How well each sentence answers the question: cosine, plus the share of the question's names and content
    words it states, plus a figure for an amount question, plus the naming sentence when the answer must name
    the paper (a which-paper question, or a paper without a title)."""
    wants_name = untitled or bool(_WHICH.search(question))
    asked_names = names(question) | qualifiers(question)
    q_tokens = set(tokenize(question))
    wants_figure = bool(_QUANTITY.search(question))
    naming = is_naming(sentences)
    wants_results = bool(_RESULTS_ASKED.search(question))
    scores = vectors @ question_vector
    for i, sentence in enumerate(sentences):
        where = stated(sentence)
        if asked_names:
            scores[i] += NAME_BONUS * sum(where.has_name(n) for n in asked_names) / len(asked_names)
        scores[i] += OVERLAP_WEIGHT * overlap_score(q_tokens, sentence)
        if (wants_figure and _DIGIT.search(sentence)) or (wants_results and _RESULT_STATED.search(sentence)):
            scores[i] += FIGURE_BONUS
        if wants_name and naming(sentence):
            scores[i] += NAMING_BONUS
    return scores


def choose(
    scores: np.ndarray, sentences: list[str], n: int, max_words: int, must: tuple[Callable[[str], object], ...] = ()
) -> tuple[str, ...]:
    """The n best sentences within max_words, in abstract order (the best one always, even if longer). For each
    test in `must`, one chosen sentence passes it when any does (in place of the weakest other one): an amount
    question gets a sentence with a figure even when another sentence matches its subject better."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    picked: list[int] = []
    words = 0
    for i in order:
        length = len(sentences[i].split())
        if picked and (len(picked) >= n or words + length > max_words):
            continue
        picked.append(i)
        words += length
    kept: set[int] = set()
    for test in must:
        matching = [i for i in order if test(sentences[i])]
        have = [i for i in picked if i in matching]
        if have:
            kept.add(have[0])
        elif matching:
            weakest = [i for i in picked if i not in kept]
            if len(picked) < n:
                picked.append(matching[0])
            elif weakest:
                picked[picked.index(weakest[-1])] = matching[0]
            kept.add(matching[0])
    return tuple(sentences[i] for i in sorted(set(picked)))


def read_evidence(
    question: str, passages: list[Passage], vectors: SentenceVectors, per_paper: tuple[int, int], max_words: int
) -> list[Passage]:
    """The passages with the sentences the LLM reads: the best `per_paper[0]` of the top paper and `per_paper[1]`
    of each other one (0: the whole abstract), each paper within `max_words`."""
    if not passages:
        return []
    question_vector = vectors.embed([question])[0]
    figure = _DIGIT if _QUANTITY.search(question) else _RESULT_STATED if _RESULTS_ASKED.search(question) else None
    out = []
    asks_which = bool(_WHICH.search(question))
    for rank, (passage, (all_sentences, all_vecs)) in enumerate(
        zip(passages, vectors.of([p.paper.abstract for p in passages]), strict=True)
    ):
        # the model never reads a sentence that instructs it (prompt injection in a user's file)
        clean = [i for i, s in enumerate(all_sentences) if not addresses_model(s)] or list(range(len(all_sentences)))
        sentences, sent_vecs = [all_sentences[i] for i in clean], all_vecs[clean]
        n = per_paper[0] if rank == 0 else per_paper[1]
        if n <= 0:
            out.append(replace(passage, evidence=tuple(sentences)))
            continue
        untitled = not passage.paper.title
        scores = sentence_scores(question, question_vector, sentences, sent_vecs, untitled)
        must: tuple[Callable[[str], object], ...] = (figure.search,) if figure else ()
        if untitled or asks_which:
            # the answer has to name each paper it lists or picks: its naming sentence is read beside its best one
            # (tuning split: the listed papers' names were missing from the one best sentence of the other papers)
            n = max(n, 2)
            must = (*must, is_naming(sentences))
        out.append(replace(passage, evidence=choose(scores, sentences, n, max_words, must)))
    return out


def naming_sentence(sentences: list[str]) -> str | None:
    """The first sentence that gives the paper's method its name ("We propose X ..."), if any."""
    naming = is_naming(sentences)
    return next((s for s in sentences if naming(s)), None)


def is_naming(sentences: list[str]) -> Callable[[str], bool]:
    """Which sentences of this abstract name its contribution, best kind first: one that proposes something with a
    name; else one defining an acronym for what it calls its own ("our", "the proposed"); else one that proposes;
    else any defining an acronym."""
    proposing = [i for i, s in enumerate(sentences) if _PROPOSES.search(s)]
    kinds = (
        {sentences[i] for i in proposing if names(sentences[i])},
        {s for s in sentences if _OWN_ACRONYM_DEFINED.search(s)},
        {sentences[i] for i in proposing},
        {s for s in sentences if _ACRONYM_DEFINED.search(s)},
    )
    chosen = next((kind for kind in kinds if kind), set())
    return chosen.__contains__


def evidence_candidates(passage: Passage) -> list[str]:
    """The sentences an answer may quote from a passage: its evidence, else its abstract's sentences."""
    return list(passage.evidence) or split_sentences(passage.paper.abstract) or [passage.paper.abstract]


def best_sentence(
    question: str,
    passage: Passage,
    vectors: SentenceVectors,
    wants_name: bool = False,
    keep: Callable[[str], bool] | None = None,
) -> str:
    """The one evidence sentence of the passage that best answers the question (`wants_name`: the answer must name
    the paper, so its naming sentence is preferred), among those `keep` accepts when any does."""
    candidates = evidence_candidates(passage)
    if keep is not None:
        candidates = [s for s in candidates if keep(s)] or candidates
    scores = sentence_scores(question, vectors.embed([question])[0], candidates, vectors.embed(candidates), wants_name)
    return candidates[int(np.argmax(scores))]
