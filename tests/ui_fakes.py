"""A stand-in for rag.Assistant that follows its contract exactly, for fast UI tests without models."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.errors import RagError, StoreMissingError
from rag.types import Answer, Citation, CorpusInfo, Filters, Paper, Passage, Retrieved

BLACKVIP = Paper(
    doc_id="2303.14773",
    title="BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning",
    abstract=(
        "With the surge of large-scale pre-trained models (PTMs), fine-tuning these models to numerous downstream "
        "tasks becomes a crucial problem. In this work, we propose black-box visual prompting (BlackVIP), which "
        "efficiently adapts the PTMs without knowledge about model architectures and parameters. BlackVIP has two "
        "components; 1) Coordinator and 2) simultaneous perturbation stochastic approximation with gradient "
        "correction (SPSA-GC)."
    ),
    authors=("Changdae Oh", "Hyeji Hwang", "Hee-young Lee"),
    authors_truncated=True,
    year=2023,
    date="2023-03-26",
    arxiv_id="2303.14773",
    sources=("002_87569abedee599f0.txt",),
)
EVIL = Paper(
    doc_id="evil0001",
    title="<script>alert(1)</script> Robust fine-tuning of zero-shot models",
    abstract=(
        "Robust fine-tuning keeps zero-shot models calibrated. We show that <img src=x onerror=alert(2)> calibration "
        "and robustness improve together. Templates like ${alert(3)} and {{constructor}} stay text."
    ),
    authors=("Mallory <b>Evil</b>",),
    year=2024,
    urls=("javascript:alert(4)", "https://example.org/paper?a=1&b=2"),
    sources=("evil<img>.jsonl",),
)
UNTITLED = Paper(
    doc_id="untitled01",
    title=None,
    abstract=(
        "We introduce EXAONE 3.0 instruction-tuned language model, the first open model in the family of Large "
        "Language Models developed by LG AI Research. It excels particularly in Korean."
    ),
    sources=("000_7260f6b4ff62f6ec.txt",),
)
PAPERS = (BLACKVIP, EVIL, UNTITLED)

ANSWER_TEXT = (
    "BlackVIP adapts pre-trained models it can only query, without knowing their architecture or parameters [1]. "
    "Calibration and robustness can improve together when fine-tuning zero-shot models [2]."
)
# "components": the draft has a claim no abstract supports (with markup in it); the checked answer drops it
DROPPED_CLAIM = "It beats every <b>white-box</b> method on 14 benchmarks."
COMPONENTS_TEXT = "BlackVIP has two components: a Coordinator and SPSA-GC [1]."
COMPONENTS_DRAFT = f"{COMPONENTS_TEXT} {DROPPED_CLAIM.removesuffix('.')} [1]."
# "GPU": every drafted claim is dropped, so the answer quotes the supporting sentence
QUOTED_CLAIM = "BlackVIP trains in 3 minutes on a single GPU."
QUOTED_DRAFT = "BlackVIP trains in 3 minutes on a single GPU [1]."
QUOTED_TEXT = (
    "“In this work, we propose black-box visual prompting (BlackVIP), which efficiently adapts the PTMs without "
    "knowledge about model architectures and parameters.” [1]"
)
# "life on Mars": abstains after the check dropped the draft's only claim
MARS_CLAIM = "Mars once hosted microbial life."
MARS_DRAFT = "Mars once hosted microbial life [1]."


class FakeAssistant:
    """Streams the retrieved papers, a canned draft, then the checked Answer: cited; with a dropped claim
    ("components"); quoted because every claim was dropped ("GPU"); abstained on Mars (with a dropped claim for "life
    on Mars"). A paper filter keeps that paper only. Raises `error` when set (a missing store also fails corpus_info
    and find_papers)."""

    def __init__(self, delay: float = 0.0, error: RagError | None = None) -> None:
        self.delay = delay
        self.error = error
        self.calls: list[dict[str, Any]] = []
        self.reloads = 0

    def ask(
        self,
        question: str,
        history: list[tuple[Any, ...]] | None = None,
        k: int = 10,
        year_from: int | None = None,
        year_to: int | None = None,
        author: str | None = None,
        model: str | None = None,
        paper: str | None = None,
        stream: bool = False,
    ) -> Any:
        self.calls.append(
            {
                "question": question,
                "history": list(history or []),
                "k": k,
                "year_from": year_from,
                "year_to": year_to,
                "author": author,
                "model": model,
                "paper": paper,
                "stream": stream,
            }
        )
        filters = Filters(year_from=year_from, year_to=year_to, author=author, paper=paper)
        answer = self._answer(question, k, filters)
        if not stream and self.error is not None:
            raise self.error
        return self._stream(self._draft(answer), answer) if stream else answer

    @staticmethod
    def _draft(answer: Answer) -> str:
        question = answer.question.lower()
        if "life on mars" in question:
            return MARS_DRAFT
        if "components" in question:
            return COMPONENTS_DRAFT
        return QUOTED_DRAFT if answer.quoted else answer.answer

    def _stream(self, draft: str, answer: Answer) -> Iterator[str | Answer]:
        if self.error is not None:
            raise self.error
        yield Retrieved(tuple(replace(p, used=False) for p in answer.passages), answer.filters)
        time.sleep(self.delay * 10)  # the model reads the evidence before its first token
        for piece in re.findall(r"\S+\s*", draft):
            time.sleep(self.delay)
            yield piece
        yield answer

    def _answer(self, question: str, k: int, filters: Filters) -> Answer:
        if (m := re.search(r"since (\d{4})", question)) and filters.year_from is None:
            filters = replace(filters, year_from=int(m.group(1)))
        papers = [p for p in PAPERS if filters.paper in (None, p.doc_id)]
        passages = tuple(
            Passage(rank=i + 1, paper=p, score=0.8 - 0.1 * i, evidence=(p.abstract.split(". ")[0],), used=i < 2)
            for i, p in enumerate(papers[:k])
        )
        if "mars" in question.lower():
            return Answer(
                question=question,
                answer="The collection does not say.",
                abstained=True,
                passages=passages,
                filters=filters,
                dropped_claims=(MARS_CLAIM,) if "life on mars" in question.lower() else (),
            )
        citations: tuple[Citation, ...] = (
            Citation(
                1,
                BLACKVIP,
                "In this work, we propose black-box visual prompting (BlackVIP), which efficiently "
                "adapts the PTMs without knowledge about model architectures and parameters.",
            ),
            Citation(2, EVIL, "We show that <img src=x onerror=alert(2)> calibration and robustness improve together."),
        )
        text, quoted, dropped = ANSWER_TEXT, False, tuple[str, ...]()
        if "components" in question.lower():
            parts = BLACKVIP.abstract.split(". ")[-1]
            text, dropped, citations = COMPONENTS_TEXT, (DROPPED_CLAIM,), (Citation(1, BLACKVIP, parts),)
        elif "gpu" in question.lower():
            text, dropped, quoted, citations = QUOTED_TEXT, (QUOTED_CLAIM,), True, citations[:1]
        return Answer(
            question=question,
            answer=text,
            abstained=False,
            citations=tuple(c for c in citations if c.paper in papers),
            passages=passages,
            filters=filters,
            models={"generator": "fake"},
            dropped_claims=dropped,
            quoted=quoted,
        )

    def corpus_info(self) -> CorpusInfo:
        if isinstance(self.error, StoreMissingError):
            raise self.error
        sources: dict[str, int] = {}
        for paper in PAPERS:
            for source in paper.sources:
                sources[source] = sources.get(source, 0) + 1
        return CorpusInfo(papers_total=len(PAPERS), chunks_total=3 * len(PAPERS), sources=sources)

    def find_papers(self, title_query: str, limit: int = 50) -> list[Paper]:
        if isinstance(self.error, StoreMissingError):
            raise self.error
        words = title_query.lower().split()  # as the real index: every word in the title; no words: every paper
        return [p for p in PAPERS if all(w in p.label.lower() for w in words)][:limit]

    def reload(self) -> None:
        self.reloads += 1


class RecordingAssistant:
    """Wraps any assistant (fake or real): records ask() calls and the most answers streaming at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[dict[str, Any]] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def ask(self, question: str, **options: Any) -> Any:
        self.calls.append({"question": question, **options})
        result = self.inner.ask(question, **options)
        return self._watch(result) if options.get("stream") else result

    def _watch(self, items: Iterator[Any]) -> Iterator[Any]:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            yield from items
        finally:
            with self._lock:
                self.active -= 1

    def corpus_info(self) -> CorpusInfo:
        return self.inner.corpus_info()

    def find_papers(self, title_query: str, limit: int = 50) -> list[Paper]:
        return self.inner.find_papers(title_query, limit)

    def reload(self) -> None:
        self.inner.reload()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(demo: Any) -> Iterator[str]:
    """Launch a built app in this process on a free 127.0.0.1 port; yields its URL and closes it afterwards."""
    from ui.app import launch

    _, url, _ = launch(demo, port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield url.rstrip("/")
    finally:
        demo.close()


ROOT = Path(__file__).resolve().parent.parent
SEED_SUBSET = ("000_7260f6b4ff62f6ec.txt", "002_87569abedee599f0.txt")
XSS_RECORD = {
    "title": EVIL.title,
    "abstract": EVIL.abstract,
    "authors": list(EVIL.authors),
    "year": EVIL.year,
    "url": "javascript:alert(4)",
}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as a JSONL file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def ingest_store(root: Path) -> Path:
    """A real store in root/store from the seed subset plus a JSONL file holding the script-injection paper."""
    xss = write_jsonl(root / "xss_papers.jsonl", [XSS_RECORD])
    store = root / "store"
    seeds = [str(ROOT / "data" / "seeds" / name) for name in SEED_SUBSET]
    command = [sys.executable, "-m", "ingest", *seeds, str(xss), "--store", str(store), "--json", "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["papers_total"] > 40
    return store


def real_assistant(factory: pytest.TempPathFactory, name: str, model: str = "fast") -> tuple[Any, Settings]:
    """The real rag.Assistant with a small real model over its own copy of a store ingested once per session."""
    from rag import Assistant

    pristine = factory.getbasetemp() / "ui-pristine"
    if not (pristine / "store").exists():
        pristine.mkdir(exist_ok=True)
        ingest_store(pristine)
    store = factory.mktemp(name) / "store"
    shutil.copytree(pristine / "store", store)
    settings = Settings(store_dir=store, model=model)
    return Assistant(settings), settings


def fake_assistant(factory: pytest.TempPathFactory, name: str) -> tuple[FakeAssistant, Settings]:
    """The stand-in, with settings pointing at an empty store folder."""
    return FakeAssistant(delay=0.02), Settings(store_dir=factory.mktemp(name) / "store", model="default")
