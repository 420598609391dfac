"""The Assistant: retrieve, decide whether to answer, generate, verify citations; models stay loaded."""

from __future__ import annotations

import collections.abc
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from rag.catalog.search import CatalogSearch
from rag.config import Settings, set_offline_env
from rag.errors import EmptyQuestionError, QuestionTooLongError
from rag.evidence.answerability import (
    AnswerabilityModel,
    answering_sentences,
    code_signals,
    list_citable,
    load_model,
    states_asked_figure,
)
from rag.evidence.evidence import (
    SentenceVectors,
    asks_for_amount,
    asks_for_results,
    asks_how_it_works,
    best_sentence,
    method_sentences,
    read_evidence,
)
from rag.evidence.reading import papers_to_read
from rag.evidence.which_papers import Kind, compose, compose_list, kind_of
from rag.generation import make_generator
from rag.generation.prompts import (
    ABSTAINED,
    PREFIX,
    answer_messages,
    paper_probe_messages,
    pick_messages,
    probe_messages,
)
from rag.grounding.citations import CitationChecker
from rag.protocols import Embedder, Generator
from rag.query.conversation import HistoryTurn, Resolved, is_follow_up, resolve
from rag.replay import record, with_replay
from rag.retrieval.embedder import query_embedder
from rag.retrieval.index import PaperIndex
from rag.retrieval.retrieval import HybridRetriever, Mode
from rag.text.terms import name_key, names, qualifiers, stated
from rag.types import Answer, Citation, CorpusInfo, Filters, Paper, Passage, Retrieved


@dataclass(frozen=True)
class Plan:
    """What the model will be given for a question: computed without the model, so evals can measure it alone."""

    resolved: Resolved
    filters: Filters
    passages: list[Passage]  # the top-k papers
    read: list[Passage]  # the first few, with the evidence sentences the model reads
    signals: dict[str, float]  # answerability signals computed in code
    kind: Kind | None = None  # a question asking which paper: the model picks it, code writes the answer

    @property
    def evidence_text(self) -> str:
        return " ".join(f"{p.paper.title or ''} {p.text}" for p in self.read)


class Assistant:
    """Holds the index, embedder and generators for repeated questions (the one composition root)."""

    def __init__(self, settings: Settings | None = None, generator: Generator | None = None, mode: Mode = "hybrid"):
        set_offline_env()
        self.settings = settings or Settings()
        self.mode = mode
        self._fixed_generator = generator  # tests inject a fake; otherwise built per model name
        self._generators: dict[str, Generator] = {}
        self._index: PaperIndex | None = None
        self._embedder: Embedder | None = None
        self._sentence_vectors: SentenceVectors | None = None
        self._answerability: AnswerabilityModel | None = None
        self._catalog: CatalogSearch | None = None
        self._lock = threading.RLock()  # UI handlers run in threads: build each part once
        self._loading: dict[str, threading.Lock] = {}  # one per generator model being loaded

    # -- lazily built parts
    def _once(self, attribute: str, build: Callable[[], Any]) -> Any:
        """The part stored under `attribute`, built on first use; UI threads share it, so under the lock."""
        with self._lock:
            if getattr(self, attribute) is None:
                setattr(self, attribute, build())
            return getattr(self, attribute)

    @property
    def index(self) -> PaperIndex:
        return self._once("_index", lambda: PaperIndex(self.settings))

    @property
    def embedder(self) -> Embedder:
        return self._once("_embedder", lambda: query_embedder(self.settings.embedder, self.settings.embed_batch_size))

    @property
    def sentence_vectors(self) -> SentenceVectors:
        return self._once("_sentence_vectors", lambda: SentenceVectors(self.embedder))

    @property
    def answerability(self) -> AnswerabilityModel:
        return self._once("_answerability", load_model)

    @property
    def catalog(self) -> CatalogSearch:
        papers, keyword = (lambda: list(self.index.store.iter_papers())), (lambda: self.index.keyword)
        return self._once("_catalog", lambda: CatalogSearch(papers, keyword))

    @property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, self.embedder, self.mode)

    def generator(self, model: str | None = None) -> Generator:
        if self._fixed_generator is not None:
            return self._fixed_generator
        name = model or self.settings.model
        with self._lock:
            if name in self._generators:
                return self._generators[name]
            loading = self._loading.setdefault(name, threading.Lock())
        # loaded under a lock of its own, not the one retrieval shares: loading and reading the prefix take seconds
        with loading:
            with self._lock:
                generator = self._generators.get(name)
            if generator is None:
                generator = make_generator(self.settings, name)
                generator.warm_up(PREFIX)  # loads the prefix state saved by an earlier process, or reads and saves it
                with self._lock:
                    self._generators[name] = generator
        return generator

    def warm_up(self) -> None:
        """Load what a first question needs (indexes, embedder, model, and the fixed prompt prefix read or loaded
        from disk), so the first answer is as fast as later ones. The UI runs this in a thread at start."""
        self.retrieve("warm up")
        self.generator().warm_up(PREFIX)

    def reload(self) -> None:
        """Re-open the store and keyword index (after an ingest by another process)."""
        with self._lock:
            self._index = None

    def corpus_info(self) -> CorpusInfo:
        return self.index.corpus_info()

    def find_papers(self, title_query: str, limit: int = 50) -> list[Paper]:
        return self.index.find_papers(title_query, limit)

    # -- questions
    def retrieve(self, question: str, k: int | None = None, **filters: Any) -> list[Passage]:
        _require_question(question)
        return list(self.retriever.search(question, k or self.settings.k, Filters(**filters)).passages)

    def ask(self, question: str, *, stream: bool = False, **options: Any) -> Any:
        """Answer a question; with stream=True yields the Retrieved papers (unless the catalog answers), text deltas
        and then the final Answer."""
        run = with_replay(self._run(question, **options), lambda answer: record(self, answer, options))
        if stream:
            return run
        for item in run:
            if isinstance(item, Answer):
                return item
        raise AssertionError("the answer pipeline ended without an Answer")

    def plan(
        self,
        question: str,
        history: list[HistoryTurn] | None = None,
        k: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        author: str | None = None,
        source: str | None = None,
        paper: str | None = None,
    ) -> Plan:
        """Everything before the model: the resolved question, retrieval, and the evidence the model will read."""
        steps = self._planning(question, history, k, year_from, year_to, author, source, paper)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def _planning(
        self,
        question: str,
        history: list[HistoryTurn] | None,
        k: int | None,
        year_from: int | None,
        year_to: int | None,
        author: str | None,
        source: str | None,
        paper: str | None,
    ) -> collections.abc.Generator[Retrieved, None, Plan]:
        """plan() in steps: yields the retrieved papers as soon as retrieval returns, before the evidence sentences
        are embedded (about 1 s on 2 cores), then returns the Plan."""
        _require_question(question)
        catalog = self.index.keyword.catalog

        def papers_naming(word: str) -> int:
            return len(catalog.papers_naming({word, word + "s"}))

        resolved = resolve(question, history, papers_naming)
        explicit = Filters(year_from, year_to, author or None, source or None, paper or None)
        found = self.retriever.search(resolved.question, k or self.settings.k, explicit, within=resolved.focus)
        passages = list(found.passages)
        yield Retrieved(found.passages, found.filters)
        top = stated(f"{passages[0].paper.title or ''} {passages[0].paper.abstract}") if passages else None
        subject = {n for n in names(resolved.question) if papers_naming(n) and top and top.has_name(n)}
        sure = any(papers_naming(n) == 1 for n in subject)  # a name only the top paper states
        n = papers_to_read(resolved.question, found.filters, self.settings, sure)
        if resolved.focus:  # a follow-up by reference is about the papers the last answer cited, ranked first
            n = min(len(resolved.focus), self.settings.llm_passages)
        per_paper = (self.settings.evidence_sentences, self.settings.evidence_sentences_other)
        read = read_evidence(
            resolved.question, passages[:n], self.sentence_vectors, per_paper, self.settings.evidence_words
        )
        signals = code_signals(resolved.question, subject, read, found.top_similarity)
        kind = kind_of(resolved.question, found.filters, any(papers_naming(n) for n in names(resolved.question)))
        return Plan(resolved, found.filters, passages, read, signals, kind)

    def _papers_stating_a_name(self, question: str, read: list[Passage]) -> tuple[str, list[Passage]] | None:
        """The question's name (or qualifier) that few papers state, as written, with the read papers stating it:
        the one most of them state."""
        catalog, keys = self.index.keyword.catalog, names(question) | qualifiers(question)
        found = []
        for word in dict.fromkeys(re.findall(r"\w[\w.-]*\w|\w", question)):
            if len(word) > 1 and name_key(word) in keys:  # "H" of "H&E" names nothing
                stating = catalog.papers_naming({name_key(word), name_key(word) + "s"})
                found.append((word, [p for p in read if p.paper.doc_id in stating]))
        return max((f for f in found if f[1]), key=lambda f: len(f[1]), default=None)

    def _run(
        self,
        question: str,
        history: list[HistoryTurn] | None = None,
        k: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        author: str | None = None,
        source: str | None = None,
        model: str | None = None,
        paper: str | None = None,
    ) -> Iterator[str | Retrieved | Answer]:
        started = time.perf_counter()
        _require_question(question)
        # the records answer it exactly, also mid-conversation unless the question refers back to an earlier turn
        standalone = not history or not is_follow_up(question, history[-1][0])
        if standalone and not (year_from or year_to or author or source or paper):
            found = self.catalog.search(question, lambda: self.generator(model))
            if found is not None:
                timings = {**found.timings_ms, "retrieve": _ms(started), "generate": 0.0, "first_token": 0.0}
                yield replace(self.catalog.answer(question, found), timings_ms={**timings, "total": _ms(started)})
                return
        plan = yield from self._planning(question, history, k, year_from, year_to, author, source, paper)
        query, passages, read = plan.resolved.question, plan.passages, plan.read
        timings = {"retrieve": _ms(started)}
        models = {"embedder": self.settings.embedder, "generator": ""}
        base = Answer(question, "", False, (), tuple(passages), plan.filters, timings, models, query)
        if not passages:
            timings.update(generate=0.0, first_token=0.0, total=_ms(started))
            yield _abstain(base, passages)
            return

        generator = self.generator(model)
        # read from the prefix on: the same question gets the same answer whatever was asked before
        generator.warm_up(PREFIX)
        models["generator"] = generator.name
        gen_started = time.perf_counter()
        by_author = plan.filters.author is not None
        p_yes = generator.yes_probability(probe_messages(query, read, by_author))
        timings["probe"] = _ms(gen_started)
        signals = {**plan.signals, "p_yes": 0.5 if p_yes is None else p_yes}
        judge = self.answerability
        probability = judge.probability(signals)
        threshold, quote_threshold = judge.threshold_for(plan.kind), judge.quote_threshold
        # an override sets both (0: always answer, as calibration runs); the which-paper probe is then recorded only
        paper_gate = self.settings.answer_threshold is None
        if self.settings.answer_threshold is not None:
            threshold = quote_threshold = self.settings.answer_threshold
        verdict = {**signals, "probability": probability, "threshold": threshold}
        marked = tuple(replace(p, used=i < len(read)) for i, p in enumerate(passages))
        marked = tuple(replace(p, evidence=read[i].evidence) if i < len(read) else p for i, p in enumerate(marked))
        base = replace(base, passages=marked, answerability=verdict)
        if probability < threshold:
            timings.update(generate=_ms(gen_started), first_token=0.0, total=_ms(started))
            yield _abstain(base, passages)
            return

        if plan.kind == "one_paper":
            p_paper = generator.yes_probability(paper_probe_messages(query, read, by_author))
            if p_paper is not None:  # None: the backend cannot tell (the OpenAI-server one), and the gate is off
                verdict["p_paper"] = p_paper
            if paper_gate and judge.paper_refused(p_paper):  # no read paper is the one asked for, only near it
                timings.update(generate=_ms(gen_started), first_token=0.0, total=_ms(started))
                yield _abstain(base, passages)
                return
            picked = _pick_paper(generator, plan, by_author)
            if picked is not None:  # None: the backend cannot tell, and the drafted answer follows
                best, verdict["pick"] = picked
                text, citations = compose(query, read[best], self.sentence_vectors)
                if probability < 0.5:  # answered, but less likely than not to be the paper asked for: say so
                    text = f"The closest match in the collection: {text}"
                timings.update(first_token=_ms(started), generate=_ms(gen_started))
                yield text
                timings["total"] = _ms(started)
                yield replace(base, answer=text, citations=citations, quoted=True)
                return

        pieces: list[str] = []
        for delta in generator.stream(answer_messages(query, read, by_author), self.settings.max_new_tokens):
            if not pieces:
                timings["first_token"] = _ms(started)
            pieces.append(delta)
            yield delta
        timings["generate"] = _ms(gen_started)
        timings.setdefault("first_token", timings["generate"])

        citable = list_citable(query, read) if plan.kind == "papers" else None
        checker = CitationChecker(self.sentence_vectors)
        checked = checker.check("".join(pieces), read, query, citable, require_new=plan.kind is None)
        timings["total"] = _ms(started)
        base = replace(base, dropped_claims=checked.dropped_claims)
        if checked.citations and states_asked_figure(query, checked.text):
            yield replace(base, answer=checked.text, citations=checked.citations)
            return
        if asks_for_results(query) and not asks_for_amount(query):
            # a verified draft that leaves out the results its own supporting sentence states ("BlackVIPs enable
            # robust adaptation" from "Experiments on 19 datasets demonstrate that BlackVIPs enable ..."): quote it
            stating = [c for c in checked.citations if states_asked_figure(query, c.evidence)]
            if stating:
                yield _quoted(base, stating[0].paper, stating[0].evidence)
                return
        if plan.kind == "papers" and (named := self._papers_stating_a_name(query, read)):
            # a list question about a name few papers state (JEPA, GFlowNets) whose draft failed the check: the read
            # papers stating it are the list (the gate judged the evidence answers), each quoted from its abstract
            text, citations = compose_list(query, named[1], self.sentence_vectors, named[0])
            yield replace(base, answer=text, citations=citations, quoted=True)
            return
        # the quote is looked for only now: a kept draft needs none
        quotable = probability >= max(threshold, quote_threshold) and read[0].evidence
        quote = ""
        if quotable and plan.signals["named"] and asks_how_it_works(query):
            # how the named method works: the sentence naming it and the next (what it is made of), not the sentence
            # most like the question, which restates it ("... adapts PTMs without knowledge of their parameters")
            quote = method_sentences(read[0], names(query))
        if quotable and not quote:  # the sentence stating what was asked, not the most similar one
            keep = answering_sentences(query, read[0])
            quote = best_sentence(query, read[0], self.sentence_vectors, keep=keep)
        if quote and states_asked_figure(query, quote):
            # every drafted claim failed the check, but the evidence answers: quote it rather than say nothing
            yield _quoted(base, read[0].paper, quote)
        else:  # nothing checked states what was asked (for an amount question: a figure the question did not give)
            yield _abstain(base, passages)


PICK_OVER_RETRIEVAL = 0.5  # the model's pick replaces retrieval's first paper from this probability on


def _pick_paper(generator: Generator, plan: Plan, by_author: bool) -> tuple[int, float] | None:
    """The read paper a which-paper question asks for, as (index, the model's probability for it): the model's pick
    when it is more likely than not, else retrieval's first paper (tuning split, 17 questions: the model's pick alone
    was right 12 times, retrieval's first 13, the two combined 14). None when the backend cannot give probabilities.
    Code rules that pick by the question's words failed: the questions describe papers in other words (tuning split:
    the gold paper stated half the question's content words in 3 of 17)."""
    query, read = plan.resolved.question, plan.read
    if len(read) == 1:
        return 0, 1.0
    numbers = [str(i + 1) for i in range(len(read))]
    picks = generator.choice_probabilities(pick_messages(query, read, by_author), numbers)
    if picks is None:
        return None
    best = max(range(len(picks)), key=picks.__getitem__)
    if picks[best] < PICK_OVER_RETRIEVAL:
        best = 0  # not confident: retrieval's first paper stands
    return best, picks[best]


def _quoted(base: Answer, paper: Paper, sentence: str) -> Answer:
    """The answer that quotes one paper's sentence(s) verbatim, cited as [1]."""
    text = f"The closest statement in the collection: \u201c{sentence}\u201d [1]"
    return replace(base, answer=text, citations=(Citation(1, paper, sentence),), quoted=True)


def _abstain(base: Answer, passages: list[Passage]) -> Answer:
    closest = "; ".join(f"{p.paper.label} ({p.paper.year or 'n.d.'})" for p in passages[:3])
    text = ABSTAINED + (f" The closest papers are: {closest}." if closest else " No paper matched.")
    return replace(base, answer=text, abstained=True, citations=())


MAX_QUESTION_CHARS = 2000  # about 500 tokens: with the evidence and the prompt it still fits the model's context


def _require_question(question: str) -> None:
    if not question or not question.strip():
        raise EmptyQuestionError("The question is empty: type a question about the papers in the collection.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionTooLongError(
            f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Ask it in fewer words (the assistant answers from short abstracts, not from pasted documents)."
        )


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
