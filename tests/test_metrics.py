"""Metric functions against hand-computed values, including empty gold, duplicates and edge cases."""

import math

import pytest

from evals.metrics import (
    abstention_accuracy,
    aggregate,
    citation_precision,
    citation_recall,
    false_abstention_rate,
    mean_defined,
    must_contain_coverage,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    unique_in_order,
)

LOG2_3 = math.log2(3)


def test_unique_in_order_keeps_first_occurrences() -> None:
    assert unique_in_order(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_recall_at_k_counts_gold_found_in_top_k() -> None:
    ranked = ["x", "g1", "y", "g2", "z"]
    assert recall_at_k(ranked, ["g1", "g2"], 1) == 0.0
    assert recall_at_k(ranked, ["g1", "g2"], 2) == 0.5
    assert recall_at_k(ranked, ["g1", "g2"], 4) == 1.0
    assert recall_at_k(ranked, ["g1", "g2", "g3"], 10) == pytest.approx(2 / 3)


def test_recall_with_duplicate_ids_counts_a_paper_once_and_moves_later_ids_up() -> None:
    # de-duplicated ranking is [g1, x, g2]: g2 is at rank 3, so it is inside k=3 although it is 4th in the raw list
    ranked = ["g1", "g1", "x", "g2"]
    assert recall_at_k(ranked, ["g1", "g2"], 2) == 0.5
    assert recall_at_k(ranked, ["g1", "g2"], 3) == 1.0
    # a duplicated gold paper cannot push recall above 1 either
    assert recall_at_k(["g1", "g1", "g1"], ["g1"], 3) == 1.0


def test_gold_duplicates_are_ignored() -> None:
    assert recall_at_k(["g1"], ["g1", "g1"], 5) == 1.0
    assert ndcg_at_k(["g1"], ["g1", "g1"], 5) == 1.0


def test_empty_gold_makes_ranking_metrics_undefined() -> None:
    assert recall_at_k(["a", "b"], [], 5) is None
    assert reciprocal_rank(["a", "b"], [], 5) is None
    assert ndcg_at_k(["a", "b"], [], 5) is None


def test_empty_ranking_scores_zero_when_gold_exists() -> None:
    assert recall_at_k([], ["g"], 5) == 0.0
    assert reciprocal_rank([], ["g"]) == 0.0
    assert ndcg_at_k([], ["g"], 5) == 0.0


@pytest.mark.parametrize("metric", [recall_at_k, reciprocal_rank, ndcg_at_k])
def test_non_positive_k_is_rejected(metric) -> None:
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metric(["a"], ["a"], 0)


def test_reciprocal_rank_uses_first_gold_within_k() -> None:
    assert reciprocal_rank(["g", "x"], ["g"]) == 1.0
    assert reciprocal_rank(["x", "y", "g2", "g1"], ["g1", "g2"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "y", "g"], ["g"], k=2) == 0.0
    # duplicates: de-duplicated ranking is [x, g], so g is at rank 2
    assert reciprocal_rank(["x", "x", "x", "g"], ["g"], k=2) == 0.5


def test_ndcg_hand_computed() -> None:
    # gold {g1, g2}; ranking [x, g1, y, g2]: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expected = (1 / LOG2_3 + 1 / math.log2(5)) / (1 + 1 / LOG2_3)
    assert ndcg_at_k(["x", "g1", "y", "g2"], ["g1", "g2"], 4) == pytest.approx(expected)
    # perfect ranking
    assert ndcg_at_k(["g1", "g2", "x"], ["g1", "g2"], 3) == pytest.approx(1.0)


def test_ndcg_ideal_uses_min_of_gold_count_and_k() -> None:
    # 3 gold papers, k=2, the two ranks hold gold papers: ideal DCG has only 2 terms, so the score is 1.0
    assert ndcg_at_k(["g1", "g3", "g2"], ["g1", "g2", "g3"], 2) == pytest.approx(1.0)
    # one gold found at rank 2 of k=2 with 3 gold: (1/log2 3) / (1 + 1/log2 3)
    assert ndcg_at_k(["x", "g2"], ["g1", "g2", "g3"], 2) == pytest.approx((1 / LOG2_3) / (1 + 1 / LOG2_3))


def test_ndcg_with_duplicates_counts_first_rank_only() -> None:
    # raw [g1, g1, g2] de-duplicates to [g1, g2]: a perfect ranking, not double credit for g1
    assert ndcg_at_k(["g1", "g1", "g2"], ["g1", "g2"], 2) == pytest.approx(1.0)
    assert ndcg_at_k(["g1", "g1", "g1"], ["g1", "g2"], 3) == pytest.approx(1 / (1 + 1 / LOG2_3))


def test_citation_precision_and_recall() -> None:
    assert citation_precision(["g1", "x"], ["g1", "g2"]) == 0.5
    assert citation_recall(["g1", "x"], ["g1", "g2"]) == 0.5
    assert citation_precision(["g1", "g1", "g2"], ["g1", "g2", "g3"]) == 1.0
    assert citation_recall(["g1", "g1", "g2"], ["g1", "g2", "g3"]) == pytest.approx(2 / 3)


def test_citation_edge_cases() -> None:
    assert citation_precision([], ["g1"]) is None
    assert citation_recall([], ["g1"]) == 0.0
    # citing anything on an unanswerable question is wrong, and recall is undefined
    assert citation_precision(["x"], []) == 0.0
    assert citation_recall(["x"], []) is None
    assert citation_precision([], []) is None


def test_must_contain_coverage_is_case_insensitive_fraction() -> None:
    answer = "SONA reaches an AUROC of 88% on near-OOD data."
    assert must_contain_coverage(answer, ["88%", "sona"]) == 1.0
    assert must_contain_coverage(answer, ["88%", "far-OOD"]) == 0.5
    assert must_contain_coverage(answer, ["6%"]) == 0.0
    assert must_contain_coverage("Tic-Tac-\n  Toe", ["tic-tac- toe"]) == 1.0
    assert must_contain_coverage(answer, ["SONA", "sona"]) == 1.0
    assert must_contain_coverage(answer, []) is None
    assert must_contain_coverage("", ["x"]) == 0.0


def test_abstention_metrics() -> None:
    # (answerable, abstained)
    items = [(True, False), (True, True), (False, True), (False, False), (True, False)]
    assert abstention_accuracy(items) == pytest.approx(3 / 5)
    assert false_abstention_rate(items) == pytest.approx(1 / 3)
    assert abstention_accuracy([]) is None
    assert false_abstention_rate([]) is None
    assert false_abstention_rate([(False, True), (False, False)]) is None
    assert false_abstention_rate(iter([(True, True)])) == 1.0


def test_percentile_linear_interpolation() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 0) == 15.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 50) == 35.0
    # position 0.4 * 4 = 1.6 -> 20 + 0.6 * (35 - 20) = 29
    assert percentile(values, 40) == pytest.approx(29.0)
    # order of the input does not matter; position 0.95 * 3 = 2.85 -> 3 + 0.85 * (4 - 3)
    assert percentile([4.0, 1.0, 3.0, 2.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 90) == 7.0
    assert percentile([], 50) is None


@pytest.mark.parametrize("p", [-1, 100.5])
def test_percentile_rejects_out_of_range(p: float) -> None:
    with pytest.raises(ValueError, match="within"):
        percentile([1.0], p)


def test_mean_defined_skips_none() -> None:
    assert mean_defined([1.0, None, 0.0]) == 0.5
    assert mean_defined([None, None]) is None
    assert mean_defined([]) is None


def test_aggregate_overall_and_per_type_skips_undefined() -> None:
    rows = [
        {"type": "factual", "recall@5": 1.0, "mrr": 1.0, "abstained_ok": True},
        {"type": "factual", "recall@5": 0.0, "mrr": 0.5, "abstained_ok": False},
        {"type": "unanswerable", "recall@5": None, "mrr": None, "abstained_ok": True},
        {"type": "multi_paper", "recall@5": 0.5, "abstained_ok": True},
    ]
    summary = aggregate(rows, ["recall@5", "mrr", "abstained_ok"])
    assert list(summary) == ["overall", "factual", "unanswerable", "multi_paper"]
    assert summary["overall"] == {"count": 4.0, "recall@5": 0.5, "mrr": 0.75, "abstained_ok": 0.75}
    assert summary["factual"] == {"count": 2.0, "recall@5": 0.5, "mrr": 0.75, "abstained_ok": 0.5}
    assert summary["unanswerable"] == {"count": 1.0, "recall@5": None, "mrr": None, "abstained_ok": 1.0}
    assert summary["multi_paper"]["mrr"] is None


def test_aggregate_other_group_key_and_errors() -> None:
    rows = [{"config": "bm25", "r": 1.0}, {"config": "dense", "r": 0.0}]
    assert aggregate(rows, ["r"], group_key="config")["dense"]["r"] == 0.0
    assert aggregate([], ["r"]) == {"overall": {"count": 0.0, "r": None}}
    with pytest.raises(ValueError, match="overall"):
        aggregate([{"type": "overall", "r": 1.0}], ["r"])
    with pytest.raises(TypeError, match="must be a number"):
        aggregate([{"type": "factual", "r": "high"}], ["r"])
