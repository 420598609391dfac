"""Per-question retrieval, citation, answer and abstention metrics, and their averages over a run."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

# Conventions shared by every function below:
# - Rankings are lists, best first, so ties cannot occur: a list fixes one order.
# - A paper id repeated in a ranking (e.g. several chunks of one paper) counts once, at its first rank; later
#   copies are dropped and the ids after them move up, so ranks are positions in the de-duplicated list.
# - Gold ids are a set: duplicates in the gold list are ignored.
# - A metric that is undefined for a question returns None (never 0.0); `mean_defined` and `aggregate` skip None.


def unique_in_order(ids: Iterable[str]) -> list[str]:
    """The ids with later repeats removed, first occurrences kept in order."""
    seen: set[str] = set()
    out: list[str] = []
    for doc_id in ids:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def recall_at_k(ranked_ids: Sequence[str], gold_ids: Iterable[str], k: int) -> float | None:
    """Fraction of the gold papers found in the top k of the de-duplicated ranking.

    None when there are no gold ids (unanswerable questions): recall is undefined there.
    Raises ValueError when k < 1.
    """
    _check_k(k)
    gold = set(gold_ids)
    if not gold:
        return None
    top = unique_in_order(ranked_ids)[:k]
    return sum(1 for doc_id in top if doc_id in gold) / len(gold)


def reciprocal_rank(ranked_ids: Sequence[str], gold_ids: Iterable[str], k: int = 10) -> float | None:
    """1 / rank of the first gold paper within the top k of the de-duplicated ranking (rank 1 = best).

    0.0 when no gold paper is in the top k; None when there are no gold ids. Raises ValueError when k < 1.
    """
    _check_k(k)
    gold = set(gold_ids)
    if not gold:
        return None
    for rank, doc_id in enumerate(unique_in_order(ranked_ids)[:k], start=1):
        if doc_id in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked_ids: Sequence[str], gold_ids: Iterable[str], k: int) -> float | None:
    """Normalized discounted cumulative gain at k with binary relevance.

    DCG = sum over ranks r <= k of rel(r) / log2(r + 1), on the de-duplicated ranking; the ideal DCG places
    min(len(gold), k) relevant papers at ranks 1.. so the value lies in [0, 1]. None when there are no gold ids.
    Raises ValueError when k < 1.
    """
    _check_k(k)
    gold = set(gold_ids)
    if not gold:
        return None
    top = unique_in_order(ranked_ids)[:k]
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc_id in enumerate(top, start=1) if doc_id in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def citation_precision(cited_ids: Iterable[str], gold_ids: Iterable[str]) -> float | None:
    """Fraction of the distinct cited papers that are gold papers.

    None when nothing is cited (precision of an empty set is undefined). With citations but no gold ids
    (an unanswerable question answered anyway) every citation is wrong: 0.0.
    """
    cited = set(cited_ids)
    if not cited:
        return None
    return len(cited & set(gold_ids)) / len(cited)


def citation_recall(cited_ids: Iterable[str], gold_ids: Iterable[str]) -> float | None:
    """Fraction of the gold papers that are cited; None when there are no gold ids, 0.0 when nothing is cited."""
    gold = set(gold_ids)
    if not gold:
        return None
    return len(gold & set(cited_ids)) / len(gold)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def must_contain_coverage(answer_text: str, must_contain: Sequence[str]) -> float | None:
    """Fraction of the required strings found in the answer, case-insensitively and ignoring whitespace runs.

    None when nothing is required (e.g. unanswerable questions). Duplicate required strings count once.
    """
    required = unique_in_order(_fold(s) for s in must_contain)
    if not required:
        return None
    answer = _fold(answer_text)
    return sum(1 for s in required if s in answer) / len(required)


def abstention_accuracy(items: Iterable[tuple[bool, bool]]) -> float | None:
    """Fraction of (answerable, abstained) pairs where the assistant abstained exactly when it should have.

    A pair is correct when abstained == (not answerable). None for an empty input.
    """
    pairs = list(items)
    if not pairs:
        return None
    return sum(1 for answerable, abstained in pairs if abstained != answerable) / len(pairs)


def false_abstention_rate(items: Iterable[tuple[bool, bool]]) -> float | None:
    """Among answerable questions, the fraction where the assistant abstained; None if none is answerable."""
    abstained_on_answerable = [abstained for answerable, abstained in items if answerable]
    if not abstained_on_answerable:
        return None
    return sum(abstained_on_answerable) / len(abstained_on_answerable)


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0 <= p <= 100) with linear interpolation between closest ranks (numpy's default).

    For sorted values v[0..n-1] the position is p/100 * (n - 1); None for an empty input.
    Raises ValueError when p is outside [0, 100].
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile p must be within [0, 100], got {p!r}")
    ordered = sorted(values)
    if not ordered:
        return None
    position = p / 100 * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean_defined(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when every value is None or there are none."""
    defined = [v for v in values if v is not None]
    if not defined:
        return None
    return sum(defined) / len(defined)


def aggregate(
    rows: Sequence[Mapping[str, object]],
    metrics: Sequence[str],
    group_key: str = "type",
) -> dict[str, dict[str, float | None]]:
    """Average per-question metrics overall and per group (by default per question type).

    Each row maps metric names to a float or None (undefined for that question) and holds `group_key`.
    Returns {"overall": {...}, "<group>": {...}, ...}; each inner dict has "count" (questions in the group)
    and, per metric, the mean over the questions where it is defined (None if it is defined for none).
    Groups are listed in order of first appearance. A metric name missing from a row counts as undefined;
    booleans average as 1.0/0.0. Raises ValueError for a group named "overall", TypeError for a non-number.
    """
    groups: dict[str, list[Mapping[str, object]]] = {"overall": list(rows)}
    for row in rows:
        group = str(row[group_key])
        if group == "overall":
            raise ValueError(f"group {group_key}={group!r} clashes with the 'overall' summary; rename the group")
        groups.setdefault(group, []).append(row)
    summary: dict[str, dict[str, float | None]] = {}
    for name, members in groups.items():
        summary[name] = {"count": float(len(members))}
        for metric in metrics:
            summary[name][metric] = mean_defined(_as_metric(row.get(metric), metric) for row in members)
    return summary


def _as_metric(value: object, metric: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float):  # bool is an int: True/False average as 1.0/0.0
        raise TypeError(f"metric {metric!r} must be a number or None, got {value!r}")
    return float(value)


def exact_answer_right(
    exact: Mapping[str, object] | None, answer_text: str, cited_ids: Sequence[str], cited_titles: Sequence[str]
) -> bool | None:
    """Whether a catalog answer states the exact fact asked: the count (the first number in the answer), the top
    paper(s) of an ordering (exactly those cited), a name or date (in the text), an author count (a number outside
    the cited titles), or that nothing in the collection matches (nothing cited). None for plain lists (nDCG
    measures them) and for questions without an exact answer."""
    if not exact or exact.get("kind") in (None, "list"):
        return None
    kind, value = exact["kind"], exact.get("value")
    if kind == "none":
        return not cited_ids
    if kind == "top":
        return isinstance(value, list) and set(cited_ids) == set(value)
    if kind in ("name", "date"):
        return _fold(str(value)) in _fold(answer_text)
    text = answer_text
    for title in cited_titles:  # a number inside a title ("EXAONE 3.0") is not the answer
        text = text.replace(title, " ")
    numbers = [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.]\d)", text)]
    if kind == "count":
        return bool(numbers) and numbers[0] == value
    return value in numbers
