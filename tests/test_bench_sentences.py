"""evals/bench_sentences.py: boundaries are counted where they should be, and a bad gold line is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench_sentences import GOLD, boundaries, load_gold, score


def test_boundaries_are_sentence_starts_and_wrong_splits_are_counted() -> None:
    text = "We use e.g. BERT. It works. See vs. others."
    assert boundaries(text, ["We use e.g. BERT.", "It works.", "See vs. others."]) == {18, 28}
    gold = [("d", text, {18, 28})]
    naive = score(lambda t: [s + "." for s in t.rstrip(".").split(". ")], gold, show=False)
    assert (naive["false"], naive["missed"]) == (2, 0)  # after "e.g." and "vs."
    assert score(lambda t: [t], gold, show=False)["missed"] == 2
    with pytest.raises(ValueError, match="not in the text"):
        boundaries(text, ["It works.", "We use e.g. BERT."])


def test_gold_file_is_50_labelled_abstracts_and_a_bad_line_is_named(tmp_path: Path) -> None:
    gold = load_gold(GOLD)
    assert len(gold) == len({doc_id for doc_id, _, _ in gold}) == 50
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"doc_id": "a", "sentences": ["One."]}) + "\n" + json.dumps({"doc_id": "b"}) + "\n")
    with pytest.raises(SystemExit, match=r"gold.jsonl:2: not a labelled abstract"):
        load_gold(bad)
