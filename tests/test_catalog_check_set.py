"""The catalog check set (evals/data/catalog_check.jsonl): a development set for the catalog rules, kept apart from
the tuning and test splits, with gold computed from the really parsed seeds."""

from __future__ import annotations

import json
import re

from evals.build_catalog_questions import CHECK_PATH, row
from evals.catalog_check_questions import CHECK
from tests.test_dev_set import FILES, papers


def items() -> list[dict]:
    return [json.loads(line) for line in CHECK_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_check_set_is_its_own_set_of_catalog_questions() -> None:
    rows = items()
    assert len(rows) >= 40
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(re.fullmatch(r"k\d{3}", r["id"]) and r["split"] == "check" and "exact" in r for r in rows)
    others = {json.loads(line)["question"].lower() for path in FILES.values() for line in path.open(encoding="utf-8")}
    assert not [r["question"] for r in rows if r["question"].lower() in others]


def test_the_check_set_gold_is_what_the_builder_computes_from_the_seeds() -> None:
    """Fails when the seeds or the predicates change without `python -m evals.build_catalog_questions`."""
    records = list(papers().values())
    assert items() == [row(spec, records, "check") for spec in CHECK]
