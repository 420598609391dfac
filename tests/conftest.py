"""Shared fixtures: real bundled papers, the real embedder (loaded once), fresh stores in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.types import Paper
from tests.tiers import pytest_collection_modifyitems, pytest_runtest_makereport, pytest_runtest_protocol

__all__ = ["pytest_collection_modifyitems", "pytest_runtest_makereport", "pytest_runtest_protocol"]  # tier hooks

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "seeds"
TITLE_LINES_FILE = SEEDS / "004_3699ef32a6941384.txt"


def title_line_papers(n: int) -> list[Paper]:
    """The first n papers of the title/abstract-lines file, read directly (independent of the parsers)."""
    lines = [line.strip() for line in TITLE_LINES_FILE.read_text().splitlines() if line.strip()][2:]
    lines[0] = lines[0].removeprefix("Subscribe")
    papers = []
    for i in range(0, 2 * n, 2):
        title, abstract = lines[i], lines[i + 1]
        papers.append(Paper(doc_id=f"p{i // 2}", title=title, abstract=abstract, sources=(TITLE_LINES_FILE.name,)))
    return papers


@pytest.fixture(autouse=True)
def _own_prompt_state_dir(tmp_path_factory, monkeypatch):
    """Saved prompt states go to a fresh folder per test (not ~/.cache), so no test depends on another's."""
    monkeypatch.setenv("RAG_PROMPT_CACHE_DIR", str(tmp_path_factory.mktemp("prompt-state")))


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def sample_papers() -> dict[str, Paper]:
    by_title = {p.title.split(":")[0]: p for p in title_line_papers(45) if p.title}
    return by_title


class ScriptedGenerator:
    """Generator fake for fast unit tests: answers with a fixed text (or a function of the messages)."""

    name = "scripted"

    def __init__(self, reply, p_yes=0.95, picks=None):
        self.reply = reply
        self.p_yes = p_yes  # every Yes/No probe's P(Yes), or a function of the messages
        self.picks = picks  # which-paper probe: P(option) for papers "1", "2", ...; default: paper 1 surely
        self.calls: list[list[dict[str, str]]] = []
        self.probes: list[list[dict[str, str]]] = []
        self.warmed: list[list[dict[str, str]]] = []

    def warm_up(self, prefix):
        self.warmed.append(prefix)

    def yes_probability(self, messages):
        self.probes.append(messages)
        return self.p_yes(messages) if callable(self.p_yes) else self.p_yes

    def choice_probabilities(self, messages, options):
        if tuple(options) == ("Yes", "No"):
            p = self.yes_probability(messages)
            return [p, 1 - p]
        self.probes.append(messages)
        picks = list(self.picks or [0.9])  # indexed by paper number - 1; options are paper numbers "1", "3", ...
        chosen = [picks[int(o) - 1] if int(o) <= len(picks) else 0.01 for o in options]
        return [p / sum(chosen) for p in chosen]

    def stream(self, messages, max_tokens):
        self.calls.append(messages)
        text = self.reply(messages) if callable(self.reply) else self.reply
        for word in text.split(" "):
            yield word + " "


@pytest.fixture(scope="session")
def small_store(tmp_path_factory, embedder):
    """A real Chroma store + keyword index of 40 real abstracts, with years and authors for filter tests."""
    from dataclasses import replace

    from rag.config import Settings
    from rag.retrieval.index import PaperIndex

    papers = [
        replace(p, year=2019 + i % 6, authors=(f"Author{i % 4} Tester", "Changdae Oh" if i % 5 == 0 else "Kim Lee"))
        for i, p in enumerate(title_line_papers(40))
    ]
    settings = Settings(store_dir=tmp_path_factory.mktemp("store"))
    index = PaperIndex(settings, create=True)
    index.write(papers, embedder)
    index.commit()
    return settings, papers


LAB_FILE = SEEDS / "000_7260f6b4ff62f6ec.txt"


@pytest.fixture(scope="session")
def lab_store(tmp_path_factory):
    """The lab page (10 real papers) ingested by the real CLI into its own store."""
    import subprocess
    import sys

    from rag.config import Settings

    store = tmp_path_factory.mktemp("lab") / "store"
    subprocess.run(
        [sys.executable, "-m", "ingest", str(LAB_FILE), "--store", str(store), "--quiet"],
        check=True,
        capture_output=True,
    )
    return Settings(store_dir=store)


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory):
    """The whole bundled corpus ingested by the real CLI (the slowest fixture: about a minute on 2 cores)."""
    import json
    import subprocess
    import sys

    from rag.config import Settings

    store = tmp_path_factory.mktemp("seeds") / "store"
    out = subprocess.run(
        [sys.executable, "-m", "ingest", "--store", str(store), "--json", "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Settings(store_dir=store), json.loads(out.stdout)
