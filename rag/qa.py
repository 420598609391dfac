"""The Assistant: retrieve, decide whether to answer, generate, verify citations; models stay loaded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from rag.citations import CitationChecker
from rag.config import Settings, set_offline_env
from rag.conversation import standalone_question
from rag.embedder import query_embedder
from rag.errors import EmptyQuestionError
from rag.generators import make_generator
from rag.index import PaperIndex
from rag.prompts import ABSTAINED, PREFIX, answer_messages
from rag.protocols import Embedder, Generator
from rag.reading import papers_to_read
from rag.retrieval import HybridRetriever, Mode
from rag.types import Answer, CorpusInfo, Filters, Paper, Passage


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
        self._lock = threading.RLock()  # UI handlers run in threads: build each part once

    # -- lazily built parts
    @property
    def index(self) -> PaperIndex:
        with self._lock:
            if self._index is None:
                self._index = PaperIndex(self.settings)
            return self._index

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = query_embedder(self.settings.embedder, self.settings.embed_batch_size)
            return self._embedder

    @property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, self.embedder, self.mode, self.settings.evidence_sentences)

    def generator(self, model: str | None = None) -> Generator:
        if self._fixed_generator is not None:
            return self._fixed_generator
        name = model or self.settings.model
        with self._lock:
            created = name not in self._generators
            if created:
                self._generators[name] = make_generator(self.settings, name)
            generator = self._generators[name]
        if created:  # outside the lock, which retrieval shares: reading the prefix can take 10 s
            generator.warm_up(PREFIX)  # loads the prefix state saved by an earlier process, or reads and saves it
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
        """Answer a question; with stream=True yields text deltas and then the final Answer."""
        run = self._run(question, **options)
        if stream:
            return run
        for item in run:
            if isinstance(item, Answer):
                return item
        raise AssertionError("the answer pipeline ended without an Answer")

    def _run(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        k: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        author: str | None = None,
        source: str | None = None,
        model: str | None = None,
    ) -> Iterator[str | Answer]:
        _require_question(question)
        started = time.perf_counter()
        query = standalone_question(question, history)
        explicit = Filters(year_from, year_to, author or None, source or None)
        found = self.retriever.search(query, k or self.settings.k, explicit)
        timings = {"retrieve": _ms(started)}
        models = {"embedder": self.settings.embedder, "generator": ""}
        passages = list(found.passages)
        base = Answer(question, "", False, (), tuple(passages), found.filters, timings, models, query)

        weak = found.top_similarity < self.settings.abstain_threshold and found.filters.is_empty()
        if not passages or weak:
            timings.update(generate=0.0, first_token=0.0, total=_ms(started))
            yield _abstain(base, passages)
            return

        used = passages[: papers_to_read(query, found.filters, self.settings)]
        generator = self.generator(model)
        models["generator"] = generator.name
        gen_started = time.perf_counter()
        pieces: list[str] = []
        messages = answer_messages(query, used, self.settings.evidence_words)
        for delta in generator.stream(messages, self.settings.max_new_tokens):
            if not pieces:
                timings["first_token"] = _ms(started)
            pieces.append(delta)
            yield delta
        timings["generate"] = _ms(gen_started)
        timings.setdefault("first_token", timings["generate"])

        checked = CitationChecker(self.embedder).check("".join(pieces), used, query, not found.filters.is_empty())
        timings["total"] = _ms(started)
        marked = tuple(replace(p, used=i < len(used)) for i, p in enumerate(passages))
        if not checked.citations:  # nothing supported, or the model said the evidence lacks the answer
            yield _abstain(replace(base, passages=marked), passages)
            return
        text = " ".join([checked.text, *checked.declined])  # an honest "not stated" stays, uncited
        yield replace(base, answer=text, citations=checked.citations, passages=marked)


def _abstain(base: Answer, passages: list[Passage]) -> Answer:
    closest = "; ".join(f"{p.paper.label} ({p.paper.year or 'n.d.'})" for p in passages[:3])
    text = ABSTAINED + (f" The closest papers are: {closest}." if closest else " No paper matched.")
    return replace(base, answer=text, abstained=True, citations=())


def _require_question(question: str) -> None:
    if not question or not question.strip():
        raise EmptyQuestionError("The question is empty: type a question about the papers in the collection.")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
