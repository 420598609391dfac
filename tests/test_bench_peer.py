"""evals.bench_peer: the peer's scoring, the side summaries, the ratio table (fake rows, no model), the peer pipeline
with a stand-in generator, and one real question end to end with SmolLM2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evals import peer_table
from evals.bench_peer import select_questions

ROOT = Path(__file__).resolve().parent.parent
SMALLEST_SEED = ROOT / "data" / "seeds" / "000_7260f6b4ff62f6ec.txt"

ANSWERABLE = {
    "id": "q1",
    "type": "factual",
    "answerable": True,
    "gold_doc_ids": ["g1"],
    "must_contain": ["88%", "AUROC"],
}
UNANSWERABLE = {"id": "q2", "type": "unanswerable", "answerable": False, "gold_doc_ids": [], "must_contain": []}


@pytest.mark.parametrize(
    "text",
    [
        "The context does not provide information about SONA.",
        "There is no mention of the dataset size in the provided text.",
        "I can't answer: the information is not given.",
        "The provided context information doesn't say. It is about OOD detection.",
    ],
)
def test_refusals_are_abstentions(text):
    assert peer_table.refuses(text)


@pytest.mark.parametrize(
    "text",
    [
        "SONA reaches 88% AUROC on near-OOD datasets.",
        "The method does not need labels. The context says it reaches 88%.",  # negation without a source word
        "It reaches 88%. The context does not mention other datasets.",  # the refusal is not the first sentence
        "",
    ],
)
def test_answers_are_not_abstentions(text):
    assert not peer_table.refuses(text)


def test_peer_rows_count_sources_as_citations_and_refusals_as_abstentions():
    row = peer_table.peer_row(ANSWERABLE, "SONA: 88% auroc.", ["g1", "x", "g1"], 100.0, 900.0)
    assert row["cited"] == ["g1", "x"]
    assert row["citation_precision"] == 0.5
    assert row["citation_recall"] == 1.0
    assert row["must_contain"] == 1.0
    assert row["abstained"] is False
    refused = peer_table.peer_row(ANSWERABLE, "The context does not state the AUROC 88%.", ["g1"], 100.0, 900.0)
    assert refused["abstained"]
    assert refused["cited"] == []
    assert refused["must_contain"] == 0.0
    assert refused["citation_precision"] == 0.0
    wrong = peer_table.peer_row(UNANSWERABLE, "It is 42.", ["x", "y"], 50.0, 500.0)
    assert wrong["must_contain"] is None
    assert wrong["citation_precision"] is None
    assert not wrong["abstained"]


def fake_rows(kind: str) -> list[dict]:
    """Four answers: three answerable, one unanswerable; the project abstains on the unanswerable one before
    generating (no first token), the peer answers it."""
    rows = []
    for total in [1000.0, 2000.0, 3000.0]:
        rows.append({"answerable": True, "abstained": False, "must_contain": 1.0 if kind == "project" else 0.5,
                     "citation_precision": 1.0 if kind == "project" else 0.5, "first_token_ms": total / 2,
                     "total_ms": total})  # fmt: skip
    project = kind == "project"
    rows.append({"answerable": False, "abstained": project, "must_contain": None, "citation_precision": None,
                 "first_token_ms": None if project else 700.0, "total_ms": 400.0 if project else 9000.0})  # fmt: skip
    return rows


def test_side_summary_uses_every_question_for_latency_and_answerable_ones_for_quality():
    ours = peer_table.side_summary(fake_rows("project"), [10.0, 20.0, 30.0, 40.0], 25.0, 1000.0)
    assert ours["answer_p50_ms"] == 1500.0  # 400, 1000, 2000, 3000
    assert ours["first_token_p50_ms"] == 1000.0  # the abstention generated nothing: 500, 1000, 1500
    assert ours["retrieve_p50_ms"] == 25.0
    assert ours["key_facts"] == 1.0
    assert ours["citation_precision"] == 1.0
    assert ours["abstained_unanswerable"] == 1.0
    assert ours["false_abstention"] == 0.0
    assert ours["abstention_accuracy"] == 1.0
    theirs = peer_table.side_summary(fake_rows("peer"), [100.0], 40.0, 900.0)
    assert theirs["abstained_unanswerable"] == 0.0
    assert theirs["abstention_accuracy"] == 0.75


def test_table_gives_ratios_and_checks_the_issue_targets():
    ours = peer_table.side_summary(fake_rows("project"), [10.0], 32.0, 1000.0)
    theirs = peer_table.side_summary(fake_rows("peer"), [20.0], 40.0, 800.0)
    table = {row["key"]: row for row in peer_table.compare(ours, theirs)}
    assert [row["key"] for row in peer_table.compare(ours, theirs)] == [line.key for line in peer_table.LINES]
    assert table["ingest_docs_s"]["ratio"] == pytest.approx(0.8)
    assert table["ingest_docs_s"]["met"] is True
    assert table["answer_p50_ms"]["ratio"] == pytest.approx(1500 / 2500)
    assert table["answer_p50_ms"]["met"] is False  # 0.6x, the target is <= 0.35x
    assert table["retrieve_p50_ms"]["ratio"] == 0.5
    assert table["retrieve_p50_ms"]["met"] is None
    assert table["key_facts"]["met"] is True
    assert table["citation_precision"]["met"] is True
    assert table["peak_rss_mb"]["ratio"] == 1.25
    same = peer_table.compare(theirs, theirs)
    assert {r["key"]: r["met"] for r in same}["key_facts"] is False  # equal is not better
    text = peer_table.markdown(peer_table.compare(ours, theirs))
    assert "| answer p50 (ms) | 1500 | 2500 | 0.60x | <= 0.35x: NOT met |" in text
    assert "| ingest docs/s | 32.0 | 40.0 | 0.80x | >= 0.8x: met |" in text
    assert "| abstained on answerable | 0.000 | 0.000 | n/a |  |" in text  # 0 / 0: no ratio


def test_missing_numbers_print_as_not_available():
    empty = peer_table.side_summary([], [], None, None)
    text = peer_table.markdown(peer_table.compare(empty, empty))
    assert text.count("n/a") == 3 * len(peer_table.LINES)


def test_question_selection_leaves_out_catalog_and_follow_ups_and_spreads_evenly():
    items = [
        {"id": f"q{i}", "type": "factual", "answerable": True, "source_files": ["a.txt" if i % 2 else "b.txt"]}
        for i in range(10)
    ]
    items += [
        {"id": "m", "type": "metadata", "answerable": True, "source_files": ["a.txt"]},
        {"id": "f", "type": "follow_up", "answerable": True, "source_files": ["a.txt"], "history": ["earlier"]},
        {"id": "u", "type": "unanswerable", "answerable": False, "source_files": []},
    ]
    assert [i["id"] for i in select_questions(items, None, None)] == [*(f"q{i}" for i in range(10)), "u"]
    assert [i["id"] for i in select_questions(items, None, {"a.txt"})] == ["q1", "q3", "q5", "q7", "q9", "u"]
    assert [i["id"] for i in select_questions(items, 3, {"a.txt"})] == ["q1", "q5", "q9"]


class RecordingGenerator:
    """Stands in for the shared GGUF model: records the prompts and answers with a fixed text."""

    name = "recording"

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def stream(self, messages, max_tokens):
        self.prompts.append(messages[-1]["content"])
        yield from ["SONA reaches ", "88% AUROC."]


@pytest.mark.slow  # loads the MiniLM embedder with torch
def test_the_peer_indexes_one_node_per_paper_and_answers_with_llamaindex_default_prompt(tmp_path):
    from evals.peer_llamaindex import LlamaIndexPeer
    from rag.types import Paper

    def paper(doc_id: str, title: str, abstract: str) -> Paper:
        return Paper(doc_id=doc_id, title=title, abstract=abstract, year=2024, sources=("x.txt",), content_hash=doc_id)

    papers = [
        paper("p1", "SONA", "SONA generates outliers and reaches 88% AUROC on near-OOD datasets."),
        paper("p2", "Tango music", "A text-to-music diffusion model trained on 52K captions."),
        paper("p3", "Random forests", "Tree ensembles are adaptive smoothers."),
    ]
    peer = LlamaIndexPeer(papers, tmp_path / "store")
    assert peer.docs == 3
    assert peer.ingest_s > 0
    assert peer.retrieve("AUROC of outlier generation on near-OOD data")[0] == "p1"
    generator = RecordingGenerator()
    peer.use(generator, max_tokens=32)
    got = peer.ask("What AUROC does SONA reach?")
    assert got.text == "SONA reaches 88% AUROC."
    assert got.source_doc_ids[0] == "p1"
    assert len(got.source_doc_ids) == 2
    assert got.first_token_ms is not None
    assert got.total_ms >= got.first_token_ms
    (prompt,) = generator.prompts
    assert prompt.startswith("Context information is below.")  # LlamaIndex's default text QA prompt
    assert "SONA generates outliers" in prompt
    assert "Query: What AUROC does SONA reach?" in prompt


@pytest.mark.slow
@pytest.mark.llm
def test_bench_peer_runs_one_question_with_the_small_model(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "evals.bench_peer", str(SMALLEST_SEED), "--n", "1", "--model", "smollm2",
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for line in peer_table.LINES:
        assert f"| {line.label} |" in done.stdout
    result = json.loads((out / "result.json").read_text())
    assert len(result["rows"]["project"]) == len(result["rows"]["llamaindex"]) == 1
    assert result["llamaindex"]["ingest_docs_s"] > 0
    assert result["project"]["ingest_docs_s"] > 0
    assert result["llamaindex"]["answer_p50_ms"] > 0
    assert result["project"]["answer_p50_ms"] > 0
    assert "python -m evals.bench_peer" in (out / "README.md").read_text()
