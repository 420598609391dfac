"""--prune never loses papers of a file it could not read completely; real parsing, embedder and Chroma on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import SEEDS_DIR
from rag.config import Settings
from rag.retrieval.index import PaperIndex
from tests.conftest import title_line_papers

SEED = SEEDS_DIR / "000_7260f6b4ff62f6ec.txt"  # the smallest bundled listing page


def run_ingest(*args: str | Path, json_out: bool = True) -> tuple[int, dict, str]:
    flags = ["--json", "--quiet"] if json_out else ["--quiet"]
    out = subprocess.run([sys.executable, "-m", "ingest", *map(str, args), *flags], capture_output=True, text=True)
    report = json.loads(out.stdout) if json_out and out.stdout.strip() else {}
    return out.returncode, report, out.stderr


def write_jsonl(path: Path, papers, tail: str = "") -> Path:
    lines = [json.dumps({"title": p.title, "abstract": p.abstract, "year": 2021}) for p in papers]
    path.write_text("\n".join(lines) + "\n" + tail)
    return path


def stored(store: Path) -> dict[str, tuple[str, ...]]:
    """doc_id and title -> sources of every paper in the store."""
    papers = list(PaperIndex(Settings(store_dir=store)).store.iter_papers())
    return {p.doc_id: tuple(p.sources) for p in papers} | {p.title: tuple(p.sources) for p in papers if p.title}


def count(store: Path) -> int:
    return len(PaperIndex(Settings(store_dir=store)).store.content_hashes())


@pytest.fixture(scope="module")
def papers():
    return title_line_papers(8)


def test_utf16_resave_of_a_seed_file_keeps_its_papers_and_exits_1(tmp_path):
    folder, store = tmp_path / "seeds", tmp_path / "store"
    folder.mkdir()
    copy = folder / SEED.name
    shutil.copy(SEED, copy)
    code, report, _ = run_ingest(folder, "--store", store)
    assert code == 0
    before = report["papers_total"]
    assert before >= 5

    copy.write_bytes(SEED.read_text(encoding="utf-8").encode("utf-16"))
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert code == 1  # a pruning script notices
    assert (report["removed"], report["papers_total"]) == (0, before)
    assert [s["reason"] for s in report["skipped"]] == ["file is UTF-16 text; re-save it as UTF-8"]
    assert [(k["path"], k["papers"]) for k in report["kept"]] == [(str(copy), before)]
    assert count(store) == before

    code, _, stderr = run_ingest(folder, "--store", store, "--prune", json_out=False)
    assert code == 1
    assert f"kept {before} papers of unreadable file {copy}" in stderr

    code, report, _ = run_ingest(folder, "--store", store)  # without --prune: the documented exit codes
    assert code == 1  # nothing could be ingested
    assert report["papers_total"] == before

    shutil.copy(SEED, copy)  # re-saved as UTF-8: read completely again, nothing to prune, exit 0
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert (code, report["removed"], report["kept"], report["papers_total"]) == (0, 0, [], before)


def test_half_written_file_keeps_its_papers_and_a_complete_file_prunes(tmp_path, papers):
    folder, store = tmp_path / "in", tmp_path / "store"
    folder.mkdir()
    growing = write_jsonl(folder / "growing.jsonl", papers[:4])
    other = write_jsonl(folder / "other.jsonl", papers[4:6])
    code, report, _ = run_ingest(folder, "--store", store)
    assert (code, report["added"]) == (0, 6)

    # growing.jsonl is being rewritten: two lines so far and half of the third; other.jsonl lost a paper
    record = json.dumps({"title": papers[2].title, "abstract": papers[2].abstract})
    write_jsonl(growing, papers[:2], tail=record[: len(record) // 2])
    write_jsonl(other, papers[4:5])
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert code == 1
    assert [(Path(s["path"]).name, s["line"]) for s in report["skipped"]] == [("growing.jsonl", 3)]
    assert [(k["path"], k["papers"]) for k in report["kept"]] == [(str(growing), 2)]
    assert "partly read file" in report["kept"][0]["message"]
    assert report["removed"] == 1  # papers[5]: its file was read completely and no longer has it
    titles = set(stored(store))
    assert {p.title for p in papers[:5]} <= titles
    assert papers[5].title not in titles


def test_pruned_file_is_dropped_from_merged_sources(tmp_path, papers):
    folder, store = tmp_path / "in", tmp_path / "store"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", papers[:2])
    write_jsonl(folder / "b.jsonl", papers[1:3])  # papers[1] is in a and b
    write_jsonl(folder / "c.jsonl", papers[2:4])  # papers[2] is in b and c
    run_ingest(folder, "--store", store)
    assert stored(store)[papers[1].title] == ("a.jsonl", "b.jsonl")

    (folder / "b.jsonl").unlink()
    (folder / "c.jsonl").write_bytes((folder / "c.jsonl").read_text().encode("utf-16"))
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert code == 1
    sources = stored(store)
    assert sources[papers[1].title] == ("a.jsonl",)  # seen in a only: b is gone
    assert sources[papers[2].title] == ("c.jsonl",)  # kept for the unreadable c; b is gone
    assert sources[papers[3].title] == ("c.jsonl",)
    assert (report["removed"], report["papers_total"]) == (0, 4)
    assert [(Path(k["path"]).name, k["papers"]) for k in report["kept"]] == [("c.jsonl", 2)]


def test_unreadable_file_keeps_its_source_on_a_paper_seen_elsewhere(tmp_path, papers):
    folder, store = tmp_path / "in", tmp_path / "store"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", papers[:2])
    write_jsonl(folder / "u.jsonl", papers[1:3])
    run_ingest(folder, "--store", store)
    (folder / "u.jsonl").write_bytes((folder / "u.jsonl").read_text().encode("utf-16"))
    write_jsonl(folder / "a.jsonl", papers[:3])  # a changes, so the run does not stop at the manifest
    code, report, _ = run_ingest(folder, "--store", store)
    assert code == 0  # without --prune a skipped file is only reported
    assert stored(store)[papers[1].title] == ("a.jsonl", "u.jsonl")
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert code == 1
    assert stored(store)[papers[1].title] == ("a.jsonl", "u.jsonl")
    assert report["papers_total"] == 3


def test_empty_input_folder_prunes_nothing(tmp_path, papers):
    folder, store = tmp_path / "in", tmp_path / "store"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", papers[:3])
    run_ingest(folder, "--store", store)
    (folder / "a.jsonl").unlink()  # say, a network folder that is not mounted right now
    code, report, _ = run_ingest(folder, "--store", store, "--prune")
    assert code == 1
    assert (report["removed"], report["papers_total"]) == (0, 3)
    assert report["kept"][0]["papers"] == 3
    assert "no (non-hidden) files" in report["kept"][0]["message"]
