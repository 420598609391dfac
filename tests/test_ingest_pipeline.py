"""The ingest CLI end to end: real parsing, real embedder, real Chroma on disk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from rag.config import Settings
from rag.retrieval.chunking import chunk_paper
from rag.retrieval.index import PaperIndex
from tests.conftest import title_line_papers


def write_jsonl(path: Path, papers, extra: list[str] = ()) -> Path:
    records = [{"title": p.title, "abstract": p.abstract, "authors": ["Ada Lovelace"], "year": 2021} for p in papers]
    lines = [json.dumps(r) for r in records]
    path.write_text("\n".join([*lines, *extra]) + "\n")
    return path


def run_ingest(*args: str | Path) -> tuple[int, dict, str]:
    out = subprocess.run(
        [sys.executable, "-m", "ingest", *map(str, args), "--json", "--quiet"], capture_output=True, text=True
    )
    report = json.loads(out.stdout) if out.stdout.strip() else {}
    return out.returncode, report, out.stderr


@pytest.fixture(scope="module")
def papers():
    return title_line_papers(12)


def test_add_then_idempotent_then_update_then_prune(tmp_path, papers):
    store = tmp_path / "store"
    source = write_jsonl(tmp_path / "mine.jsonl", papers[:6])
    code, report, _ = run_ingest(source, "--store", store)
    assert code == 0
    assert (report["added"], report["papers_total"]) == (6, 6)
    expected_chunks = sum(len(chunk_paper(p, Settings().chunk_sentences)) for p in papers[:6])
    assert report["chunks_total"] == expected_chunks

    code, report, _ = run_ingest(source, "--store", store)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 6)

    changed = [*papers[:5], replace(papers[5], abstract=papers[6].abstract)]
    write_jsonl(source, changed)
    code, report, _ = run_ingest(source, "--store", store)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 1, 5)
    index = PaperIndex(Settings(store_dir=store))
    hits = index.keyword.search(papers[6].abstract[:200], n=1)
    assert index.store.papers([hits[0][0]])[hits[0][0]].title == papers[5].title  # new text, same paper

    write_jsonl(source, papers[:4])
    code, report, _ = run_ingest(source, "--store", store)
    assert (report["removed"], report["papers_total"]) == (0, 6)  # without --prune nothing is removed
    code, report, _ = run_ingest(source, "--store", store, "--prune")
    assert (report["removed"], report["papers_total"]) == (2, 4)
    assert len(PaperIndex(Settings(store_dir=store)).keyword.catalog.doc_ids) == 4


def test_same_paper_in_two_runs_keeps_both_sources(tmp_path, papers):
    store = tmp_path / "store"
    first = write_jsonl(tmp_path / "a.jsonl", papers[:2])
    second = write_jsonl(tmp_path / "b.jsonl", papers[1:3])
    run_ingest(first, "--store", store)
    _, report, _ = run_ingest(second, "--store", store)
    assert (report["added"], report["updated"], report["papers_total"]) == (1, 1, 3)
    index = PaperIndex(Settings(store_dir=store))
    shared = [p for p in index.store.iter_papers() if p.title == papers[1].title]
    assert len(shared) == 1
    assert set(shared[0].sources) == {"a.jsonl", "b.jsonl"}


def test_bad_inputs_are_reported_and_good_ones_kept(tmp_path, papers):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", papers[:2], extra=["{not json", json.dumps({"title": "No abstract here"})])
    (folder / "empty.txt").write_text("")
    (folder / "binary.bin").write_bytes(b"\x00\x01\x02 binary \x00")
    (folder / "table.csv").write_text("name,colour\nfoo,red\n")
    code, report, _ = run_ingest(folder, "--store", tmp_path / "store")
    assert code == 0
    assert report["added"] == 2
    reasons = {(Path(s["path"]).name, s["line"]) for s in report["skipped"]}
    assert {("good.jsonl", 3), ("good.jsonl", 4)} <= reasons
    assert {"empty.txt", "binary.bin", "table.csv"} <= {name for name, _ in reasons}
    assert all(s["reason"] for s in report["skipped"])


def test_strict_rejects_and_writes_nothing(tmp_path, papers):
    source = write_jsonl(tmp_path / "mine.jsonl", papers[:2], extra=["{broken"])
    store = tmp_path / "store"
    code, report, stderr = run_ingest(source, "--store", store, "--strict")
    assert code == 1
    assert report["skipped"][0]["line"] == 3
    assert "mine.jsonl:3" in stderr
    assert not store.exists()


def test_nothing_ingestible_exits_1_and_usage_errors_exit_2(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    code, report, _ = run_ingest(tmp_path / "empty.txt", "--store", tmp_path / "store")
    assert code == 1
    assert report["skipped"]
    code, _, stderr = run_ingest(tmp_path / "missing.jsonl", "--store", tmp_path / "store")
    assert code == 2
    assert "missing.jsonl" in stderr


@pytest.mark.slow
def test_killed_run_is_completed_by_the_next_one_without_duplicates(tmp_path):
    papers = title_line_papers(60)
    source = write_jsonl(tmp_path / "many.jsonl", papers)
    store = tmp_path / "store"
    env = {**os.environ, "RAG_INGEST_BATCH_PAPERS": "8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(source), "--store", str(store)], stderr=subprocess.PIPE, text=True, env=env
    )
    progressed = threading.Event()

    def watch() -> None:
        buffer = ""
        while chunk := proc.stderr.read(64):
            buffer = (buffer + chunk)[-400:]
            counts = [int(n) for n in re.findall(r"ingest: (\d+)", buffer)]
            if counts and max(counts) >= 16:  # two batches of 8 papers have been written
                progressed.set()

    threading.Thread(target=watch, daemon=True).start()
    assert progressed.wait(timeout=600), "ingest never got past its first batch"
    proc.kill()
    proc.wait()
    assert proc.returncode == -9

    code, report, _ = run_ingest(source, "--store", store)
    assert code == 0
    assert report["unchanged"] >= 16  # the killed run's work was kept
    assert report["added"] >= 1  # and it really was cut short
    assert report["added"] + report["unchanged"] == 60
    assert report["papers_total"] == 60
    assert report["chunks_total"] == sum(len(chunk_paper(p, Settings().chunk_sentences)) for p in papers)
    index = PaperIndex(Settings(store_dir=store))
    assert len(index.keyword.catalog.doc_ids) == 60
    assert not index.store.revision().startswith("dirty-")
