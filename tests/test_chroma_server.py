"""RAG_CHROMA_URL: a real `chroma run` server gives the same retrieval as the embedded store, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import StoreUnavailableError
from rag.qa import Assistant
from rag.retrieval.index import DIRTY, PaperIndex
from tests.conftest import LAB_FILE, ROOT, title_line_papers
from tests.servers import free_port, running

CHROMA = Path(sys.executable).with_name("chroma")  # the CLI that ships with the chromadb package
QUESTIONS = [
    "How are outliers generated for out-of-distribution detection?",
    "What is EXAONE 3.0?",
    "machine unlearning and the right to be forgotten",
    "music generation with repeating structures",
    "deep hashing with a single learning objective",
    "continual learning in generalized category discovery",
]
LATE_QUESTION = "InfoDiffusion information maximizing diffusion models"  # the 7th title-lines paper
TOLERANCE = 1e-4


@contextmanager
def chroma_server(tmp: Path) -> Iterator[str]:
    """A `chroma run` server on a free loopback port, up within 60 s, stopped on exit; yields its URL."""
    port = free_port()
    command = [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp / "data")]
    with running(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", tmp / "chroma.log", timeout_s=60):
        yield f"http://127.0.0.1:{port}"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RAG_CHROMA_URL"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma")) as url:
        yield url


@pytest.fixture(scope="module")
def jsonl_file(tmp_path_factory) -> Path:
    """Five real abstracts of the title-lines page as a user's JSONL, with authors and years."""
    path = tmp_path_factory.mktemp("jsonl") / "papers.jsonl"
    rows = [
        {"title": p.title, "abstract": p.abstract, "authors": [f"Author{i} Tester"], "year": 2020 + i}
        for i, p in enumerate(title_line_papers(5))
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def stores(server, jsonl_file, tmp_path_factory) -> tuple[Settings, Settings]:
    """The same inputs ingested by the real CLI once into an embedded store and once into the server."""
    base = tmp_path_factory.mktemp("stores")
    inputs = [str(LAB_FILE), str(jsonl_file)]
    reports = []
    for extra in (["--store", str(base / "embedded")], ["--store", str(base / "local"), "--chroma-url", server]):
        done = run_cli("-m", "ingest", *inputs, *extra, "--json", "--quiet")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        report.pop("seconds")
        reports.append(report)
    assert reports[0] == reports[1]
    assert reports[0]["papers_total"] == 15
    assert not (base / "local" / "chroma.sqlite3").exists()  # the vectors went to the server, not the local dir
    return Settings(store_dir=base / "embedded", chroma_url=None), Settings(store_dir=base / "local", chroma_url=server)


def ranked(assistant: Assistant, question: str, **filters) -> list[tuple[str, float]]:
    return [(p.paper.doc_id, p.score) for p in assistant.retrieve(question, k=8, **filters)]


def assert_same_ranking(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> None:
    assert [d for d, _ in a] == [d for d, _ in b]
    assert all(abs(x - y) <= TOLERANCE for (_, x), (_, y) in zip(a, b, strict=True)), (a, b)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_server_retrieval_matches_embedded(stores, mode):
    embedded, remote = (Assistant(settings, mode=mode) for settings in stores)
    for question in QUESTIONS:
        expected = ranked(embedded, question)
        assert expected, question
        assert_same_ranking(expected, ranked(remote, question))
    expected = ranked(embedded, QUESTIONS[4], year_from=2021)  # a metadata filter becomes a server `where`
    assert expected
    assert_same_ranking(expected, ranked(remote, QUESTIONS[4], year_from=2021))


def test_server_dense_similarities_match_embedded(stores, embedder):
    """Raw chunk similarities (not just fused ranks) agree, so the server collection is cosine as well."""
    embedded, remote = (PaperIndex(s).store for s in stores)
    assert remote.url
    assert remote.count_chunks() == embedded.count_chunks()
    for question in QUESTIONS:
        vector = embedder.embed_query(question)
        want = {(d, t): s for d, t, s in embedded.query(vector, n=20)}
        got = {(d, t): s for d, t, s in remote.query(vector, n=20)}
        assert want.keys() == got.keys()
        assert all(abs(want[key] - got[key]) <= TOLERANCE for key in want)
        assert max(want.values()) > 0.3


def test_keyword_index_follows_the_server_revision(server, tmp_path, embedder):
    """A reader with its own local dir builds BM25 from the server's papers and rebuilds it after another writer."""
    settings = Settings(store_dir=tmp_path / "reader", chroma_url=server, chunk_sentences=2)  # its own collection
    papers = title_line_papers(8)
    writer = PaperIndex(Settings(store_dir=tmp_path / "writer", chroma_url=server, chunk_sentences=2), create=True)
    writer.write(papers[:6], embedder)
    writer.commit()

    reader = Assistant(settings, mode="bm25")
    assert [p.paper.doc_id for p in reader.retrieve(papers[1].title, k=1)] == [papers[1].doc_id]
    assert (settings.store_dir / f"keyword-{reader.index.fingerprint}" / "catalog.json").exists()
    assert papers[6].doc_id not in {p.paper.doc_id for p in reader.retrieve(LATE_QUESTION, k=3)}

    writer.write(papers[6:], embedder)  # another process's ingest, as far as the reader can tell
    assert writer.store.revision().startswith(DIRTY)
    assert papers[6].doc_id not in {p.paper.doc_id for p in reader.retrieve(LATE_QUESTION, k=3)}  # kept its index
    newcomer = Assistant(settings.model_copy(update={"store_dir": tmp_path / "newcomer"}), mode="bm25")
    assert newcomer.retrieve(LATE_QUESTION, k=1)[0].paper.doc_id == papers[6].doc_id  # built from what is there
    assert writer.store.revision().startswith(DIRTY)  # readers never mark a store clean while it is being written
    writer.commit()
    found = reader.retrieve(LATE_QUESTION, k=3)  # the same Assistant: no reload()
    assert found
    assert found[0].paper.doc_id == papers[6].doc_id
    assert reader.index.keyword.revision == writer.store.revision()


def test_evals_run_against_the_server(stores, tmp_path):
    """`python -m evals run --chroma-url` gives the same retrieval metrics as on the embedded store."""
    from evals.__main__ import main

    questions = tmp_path / "questions.jsonl"
    dev = (ROOT / "evals" / "data" / "tuning.jsonl").read_text().splitlines()
    lab = [line for line in dev if line.strip() and json.loads(line).get("source_files") == [LAB_FILE.name]]
    assert len(lab) >= 3
    questions.write_text("\n".join(lab[:6]) + "\n")
    metrics = []
    for settings in stores:
        out = tmp_path / ("remote" if settings.chroma_url else "embedded")
        argv = ["run", "--retrieval-only", "--configs", "dense,hybrid", "--questions", str(questions)]
        argv += ["--out", str(out), "--store", str(settings.store_dir)]
        assert main(argv + (["--chroma-url", settings.chroma_url] if settings.chroma_url else [])) == 0
        configs = json.loads((out / "metrics.json").read_text())["configs"]
        metrics.append({name: config["retrieval"] for name, config in configs.items()})  # latency differs
    assert metrics[0] == metrics[1]
    assert metrics[0]["hybrid"]["overall"]["recall@10"] > 0.5


def test_closed_port_raises_store_unavailable(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailableError, match=url.replace(".", r"\.")):
        PaperIndex(Settings(store_dir=tmp_path, chroma_url=url))
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        Assistant(Settings(store_dir=tmp_path, chroma_url=url)).retrieve("deep hashing")


@pytest.mark.parametrize("command", ["rag", "ingest"])
def test_cli_with_closed_port_exits_1_without_traceback(tmp_path, command):
    url = f"http://127.0.0.1:{free_port()}"
    args = ["What is EXAONE 3.0?"] if command == "rag" else [str(LAB_FILE)]
    done = run_cli("-m", command, *args, "--chroma-url", url, "--store", str(tmp_path / "local"))
    assert done.returncode == 1, done.stderr
    assert "error: Cannot reach the Chroma server at " + url in done.stderr
    assert "Traceback" not in done.stderr


def test_server_lost_mid_session_raises_store_unavailable(tmp_path, embedder):
    with chroma_server(tmp_path) as url:
        index = PaperIndex(Settings(store_dir=tmp_path / "local", chroma_url=url), create=True)
        index.write(title_line_papers(2), embedder)
        index.commit()
        assert index.store.query(embedder.embed_query("deep hashing"), n=3)
    vector = embedder.embed_query("deep hashing")  # the server is stopped now
    with pytest.raises(StoreUnavailableError, match=f"Lost the Chroma server at {url}"):
        index.store.query(vector, n=3)
    with pytest.raises(StoreUnavailableError, match=url):
        index.store.revision()


def test_ui_cli_serves_the_server_store(stores, monkeypatch):
    """`python -m ui --chroma-url` reads the server's papers, and its uploads ingest into that server."""
    import ui.__main__
    import ui.app
    from ui import handlers
    from ui.__main__ import main

    launched = {}
    warmed = []
    monkeypatch.setattr(ui.__main__, "_warm_up", warmed.append)  # the real one loads the 1.5B model in a thread
    monkeypatch.setattr(ui.app, "build_app", lambda assistant, settings: launched.update(a=assistant, s=settings))
    monkeypatch.setattr(ui.app, "launch", lambda demo, host, port: launched.update(host=host, port=port))
    remote = stores[1]
    main(["--chroma-url", str(remote.chroma_url), "--store", str(remote.store_dir), "--port", "7999"])
    assert launched["s"].chroma_url == remote.chroma_url
    assert launched["port"] == 7999
    deadline = time.monotonic() + 5
    while not warmed and time.monotonic() < deadline:  # the warm-up runs in its own thread
        time.sleep(0.01)
    assert warmed == [launched["a"]]  # the assistant it serves is warmed up in the background
    assert "<strong>15</strong> papers indexed" in handlers.corpus_overview(launched["a"])
    command = handlers.ingest_command("new.jsonl", launched["s"])
    assert command[command.index("--chroma-url") + 1] == remote.chroma_url
