"""Gating an always-answer run after calibration gives what the gated assistant would have answered."""

from evals.regate import gate
from rag.evidence.answerability import FEATURES, AnswerabilityModel

# probability = sigmoid(2 * p_yes - 1): p_yes 0.1 -> 0.31, 0.5 -> 0.5, 0.9 -> 0.69
MODEL = AnswerabilityModel({**dict.fromkeys(FEATURES, 0.0), "p_yes": 2.0}, -1.0, 0.4, 0.6, "test", {"papers": 0.55})


def row(p_yes, kind=None, quoted=False, answerable=True):
    return {
        "id": "q",
        "kind": kind,
        "answerable": answerable,
        "abstained": False,
        "quoted": quoted,
        "answer": "An answer [1].",
        "cited": ["d1"],
        "must_contain": 1.0 if answerable else None,
        "citation_precision": 1.0 if answerable else None,
        "citation_recall": 1.0 if answerable else None,
        "first_token_ms": 900.0,
        "right": answerable,
        "answerability": dict.fromkeys(FEATURES, 0.5) | {"p_yes": p_yes},
    }


def test_below_the_threshold_of_its_kind_the_answer_becomes_an_abstention():
    refused = gate(row(0.1), MODEL)
    assert refused["abstained"]
    assert refused["must_contain"] == refused["citation_precision"] == 0.0  # an answerable question scores 0
    assert refused["cited"] == []
    assert not refused["right"]
    assert not gate(row(0.5), MODEL)["abstained"]
    assert gate(row(0.5, kind="papers"), MODEL)["abstained"]  # the list threshold is higher
    assert gate(row(0.1, answerable=False), MODEL)["right"]


def test_a_quote_needs_the_quote_threshold_but_a_which_paper_answer_does_not():
    assert gate(row(0.5, quoted=True), MODEL)["abstained"]
    assert not gate(row(0.9, quoted=True), MODEL)["abstained"]
    assert not gate(row(0.5, kind="one_paper", quoted=True), MODEL)["abstained"]


def test_catalog_rows_and_abstentions_are_left_as_they_are():
    catalog = {**row(0.0), "catalog": {"kind": "count"}, "answerability": {}}
    assert gate(catalog, MODEL) == catalog
    abstained = {**row(0.9), "abstained": True}
    assert gate(abstained, MODEL) == abstained


def test_a_which_paper_question_is_refused_below_the_paper_threshold():
    model = AnswerabilityModel(MODEL.weights, MODEL.bias, 0.4, 0.6, "test", {}, paper_threshold=0.7)
    near = row(0.9, kind="one_paper", quoted=True) | {"answerability": row(0.9)["answerability"] | {"p_paper": 0.65}}
    assert gate(near, model)["abstained"]
    exact = near | {"answerability": near["answerability"] | {"p_paper": 0.8}}
    assert not gate(exact, model)["abstained"]
    assert not gate(row(0.9, quoted=True) | {"answerability": near["answerability"]}, model)["abstained"]  # no kind


def test_live_rows_keep_their_own_gate_and_merged_rows_replace_theirs(tmp_path):
    import json
    from pathlib import Path

    from evals.__main__ import main

    live = Path(__file__).resolve().parent.parent / "evals/results/2026-12-05-live/test/rows.jsonl"
    answered = [r for r in map(json.loads, live.read_text().splitlines()) if not r["abstained"] and r["answerability"]]
    first = {**answered[0], "answerability": dict.fromkeys(answered[0]["answerability"], 0.0)}  # a regate refuses it
    second = answered[1]
    rerun = {**second, "abstained": True, "cited": []}
    rows, merge = tmp_path / "rows.jsonl", tmp_path / "merge.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in (first, second)))
    merge.write_text(json.dumps(rerun) + "\n")
    assert main(["regate", "--rows", str(rows), "--merge", str(merge), "--live", "--out", str(tmp_path / "out")]) == 0
    out = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "rows.jsonl").read_text().splitlines())}
    assert not out[first["id"]]["abstained"]  # its own (live) gate stands
    assert out[second["id"]]["abstained"]  # the merged re-run replaced the row
    assert main(["regate", "--rows", str(rows), "--out", str(tmp_path / "regated")]) == 0
    regated = [json.loads(r) for r in (tmp_path / "regated" / "rows.jsonl").read_text().splitlines()]
    assert next(r for r in regated if r["id"] == first["id"])["abstained"]  # without --live the gate is re-applied
