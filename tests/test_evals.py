"""The eval harness: runner with a real small model, report files, calibration, BEIR data sets."""

import json

import pytest

from evals import calibration
from evals.__main__ import main as evals_main
from evals.runner import TEST_SET, Config, load_questions
from tests.conftest import ROOT

FIVE = ["q001", "q002", "q039", "q065", "q096"]


@pytest.fixture
def five_questions(tmp_path):
    items = [i for i in load_questions() + load_questions(TEST_SET) if i["id"] in FIVE]  # tuning and test
    path = tmp_path / "five.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    return path


@pytest.mark.slow
def test_runner_on_five_questions_with_a_real_small_model(lab_store, five_questions, tmp_path):
    out = tmp_path / "out"
    args = ["run", "--questions", str(five_questions), "--out", str(out), "--store", str(lab_store.store_dir)]
    assert evals_main([*args, "--configs", "hybrid:smollm2,bm25:smollm2"]) == 0
    for name in ("report.md", "metrics.json", "rows.jsonl", "metrics_by_config.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "abstention_tradeoff.png").read_bytes()[:4] == b"\x89PNG"
    data = json.loads((out / "metrics.json").read_text())
    hybrid = data["configs"]["hybrid:smollm2"]
    assert hybrid["retrieval"]["overall"]["count"] == 4  # the answerable ones
    assert hybrid["retrieval"]["overall"]["recall@10"] == 1.0  # all gold papers are in the 10-paper store
    assert hybrid["abstention"]["accuracy"] is not None
    assert 0.0 <= hybrid["abstention"]["abstained_on_unanswerable"] <= 1.0
    assert hybrid["latency_ms"]["retrieve_p50"] > 0
    rows = [json.loads(line) for line in (out / "rows.jsonl").read_text().splitlines()]
    assert {r["id"] for r in rows} == set(FIVE)
    report = (out / "report.md").read_text()
    assert "| hybrid:smollm2 |" in report
    assert "| bm25:smollm2 |" in report
    assert "## Answers by question type: hybrid:smollm2" in report
    answer_rows = [line for line in report.splitlines() if line.startswith("| overall | 5 |")]
    assert len(answer_rows) == 2  # one per configuration, over all five questions

    # greedy decoding: the same configuration gives the same answers
    again = tmp_path / "again"
    assert evals_main(["run", "--questions", str(five_questions), "--out", str(again), "--store",
                       str(lab_store.store_dir), "--configs", "hybrid:smollm2"]) == 0  # fmt: skip
    first = [r["answer"] for r in rows if r["config"] == "hybrid:smollm2"]
    second = [json.loads(line)["answer"] for line in (again / "rows.jsonl").read_text().splitlines()]
    assert first == second


def test_retrieval_only_runs_without_a_model(lab_store, five_questions, tmp_path):
    out = tmp_path / "out"
    args = ["run", "--questions", str(five_questions), "--out", str(out), "--store", str(lab_store.store_dir)]
    assert evals_main([*args, "--configs", "dense,bm25", "--retrieval-only"]) == 0
    data = json.loads((out / "metrics.json").read_text())
    assert set(data["configs"]) == {"dense", "bm25"}
    assert "answers" not in data["configs"]["dense"]
    assert "Answers by question type" not in (out / "report.md").read_text()


def test_config_parsing():
    assert Config.parse("hybrid+full:fast") == Config("hybrid+full:fast", "hybrid", False, "fast")
    assert Config.parse("bm25") == Config("bm25", "bm25", True, "default")
    with pytest.raises(ValueError, match="mode"):
        Config.parse("sparse")


def _row(p_yes, asked, answerable, split="tuning", quoted=False):
    signals = {"p_yes": p_yes, "asked_stated": asked, "strict_stated": asked, "top_cosine": 0.5, "named": 1.0}
    return {"answerability": signals, "answerable": answerable, "split": split, "quoted": quoted}


def test_the_answerability_model_is_fitted_on_tuning_rows_and_separates_them():
    rows = [_row(0.9 - i * 0.01, 1.0, True) for i in range(12)] + [_row(0.2 + i * 0.01, 0.3, False) for i in range(8)]
    model, fitted = calibration.fit(rows)
    assert fitted["point"]["false_abstention"] <= calibration.MAX_FALSE_ABSTENTION
    assert fitted["point"]["abstention_recall"] >= 0.75
    assert all(model.answers(r["answerability"]) for r in rows[:12])
    assert sum(model.answers(r["answerability"]) for r in rows[12:]) <= 2
    assert model.weights["p_yes"] > 0


def test_calibration_refuses_rows_of_the_test_split():
    rows = [_row(0.9, 1.0, True), _row(0.1, 0.0, False, split="test")]
    with pytest.raises(ValueError, match="tuning split only"):
        calibration.fit(rows)


def test_questions_the_catalog_answered_are_not_fitted():
    rows = [_row(0.9 - i * 0.01, 1.0, True) for i in range(12)] + [_row(0.2 + i * 0.01, 0.3, False) for i in range(8)]
    catalog = [{"signals": {}, "answerable": True, "split": "tuning", "catalog": "first author = X"}] * 30
    alone, _ = calibration.fit(rows)
    with_catalog, _ = calibration.fit(rows + catalog)
    assert with_catalog == alone
    assert with_catalog.fitted_on == "20 tuning questions"


def test_a_corrupt_calibration_file_is_an_error_that_says_how_to_fix_it(tmp_path):
    from rag.errors import ConfigError
    from rag.evidence.answerability import DEFAULT_MODEL, load_model

    assert load_model(tmp_path / "missing.json") == DEFAULT_MODEL
    broken = tmp_path / "calibration.json"
    broken.write_text('{"answerability": {"weights": {}}}')
    with pytest.raises(ConfigError, match="python -m evals calibrate"):
        load_model(broken)


def test_beir_folder_is_ingested_into_its_own_store_and_scored(tmp_path):
    out = tmp_path / "beir"
    assert evals_main(["beir", str(ROOT / "tests" / "fixtures" / "beir_tiny"), "--out", str(out)]) == 0
    data = json.loads((out / "metrics.json").read_text())
    assert data["ingest"]["papers_total"] == 5
    assert data["configs"]["hybrid"]["recall@10"] == 1.0
    assert data["configs"]["hybrid"]["count"] == 3
    assert (out / "store" / "chroma.sqlite3").exists()


def test_the_paper_threshold_sits_between_unanswerable_and_answerable_which_paper_questions():
    def one_paper(p_paper, answerable):
        return {"kind": "one_paper", "answerable": answerable, "answerability": {"p_paper": p_paper}}

    rows = [one_paper(p, False) for p in (0.62, 0.66, 0.70)] + [one_paper(p, True) for p in (0.60, 0.74, 0.8, 0.85)]
    # cutting at 0.70 refuses 3 unanswerable and 1 answerable question: halfway to the next answerable one, 0.74
    assert calibration._paper_threshold(rows) == 0.72
    # equal gains: the cut that refuses fewer answerable questions
    tie = [one_paper(p, False) for p in (0.62, 0.66, 0.70)] + [one_paper(p, True) for p in (0.68, 0.74)]
    assert calibration._paper_threshold(tie) == 0.67
    assert calibration._paper_threshold([one_paper(p, True) for p in (0.5, 0.9)] + [one_paper(0.95, False)]) == 0.0
    assert calibration._paper_threshold([{"kind": None, "answerable": False, "answerability": {}}]) == 0.0
