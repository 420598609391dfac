"""The development question set: schema, balance, and gold papers that exist in the really ingested seeds."""

import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache

import pytest

from evals.build_gold import DEV_PATH, SEEDS_DIR, gold_title_of, rebuild

# Imported at module level on purpose: if ingestion is broken these tests must fail, never skip.
from ingest.entries import ParsedEntry, Skipped
from ingest.merge import merge_entries
from ingest.parsers import iter_entries
from rag.types import Paper

TYPES = {"factual", "which_paper", "metadata", "multi_paper", "unanswerable"}
MIN_PER_TYPE = {"factual": 20, "which_paper": 15, "metadata": 8, "multi_paper": 12, "unanswerable": 15}
REQUIRED = {"id", "question", "type", "gold_doc_ids", "gold_titles", "must_contain", "answerable", "source_files"}
OPTIONAL = {"evidence", "metadata_evidence", "checked_terms", "notes"}
SEED_FILES = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))


@cache
def items() -> tuple[dict, ...]:
    lines = DEV_PATH.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


@cache
def papers() -> dict[str, Paper]:
    """The bundled seeds parsed and merged exactly as `python -m ingest` does (without embedding)."""

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        return iter_entries([SEEDS_DIR])

    merged = [item for item in merge_entries(open_entries) if isinstance(item, Paper)]
    return {p.doc_id: p for p in merged}


def answerable() -> list[dict]:
    return [item for item in items() if item["answerable"]]


def test_file_is_one_json_object_per_line() -> None:
    lines = DEV_PATH.read_text(encoding="utf-8").splitlines()
    assert lines, "dev.jsonl is empty"
    for number, line in enumerate(lines, start=1):
        assert isinstance(json.loads(line), dict), f"line {number} is not a JSON object"


def test_schema() -> None:
    for item in items():
        keys = set(item)
        assert keys >= REQUIRED, f"{item.get('id')}: missing {sorted(REQUIRED - keys)}"
        assert keys <= REQUIRED | OPTIONAL, f"{item['id']}: unknown {sorted(keys - REQUIRED - OPTIONAL)}"
        assert re.fullmatch(r"q\d{3}", item["id"])
        assert item["type"] in TYPES
        assert isinstance(item["question"], str)
        assert item["question"].strip().endswith(("?", ".")), item["id"]
        for key in ("gold_doc_ids", "gold_titles", "must_contain", "source_files"):
            assert isinstance(item[key], list), (item["id"], key)
            assert all(isinstance(v, str) and v for v in item[key]), (item["id"], key)
        assert item["answerable"] is (item["type"] != "unanswerable")
        assert set(item["source_files"]) <= set(SEED_FILES), item["id"]


def test_ids_and_questions_are_unique() -> None:
    ids = [item["id"] for item in items()]
    assert len(ids) == len(set(ids))
    assert ids == [f"q{n:03d}" for n in range(1, len(ids) + 1)]
    questions = [item["question"].casefold() for item in items()]
    assert len(questions) == len(set(questions))


def test_counts_per_type_and_unanswerable_share() -> None:
    counts = Counter(item["type"] for item in items())
    assert len(items()) >= 90
    for qtype, minimum in MIN_PER_TYPE.items():
        assert counts[qtype] >= minimum, f"{qtype}: {counts[qtype]} < {minimum}"
    assert counts["unanswerable"] / len(items()) >= 0.15


def test_every_seed_file_has_at_least_ten_questions() -> None:
    per_file = Counter(name for item in items() for name in item["source_files"])
    assert set(SEED_FILES) == set(per_file), "every bundled file must be covered"
    for name in SEED_FILES:
        assert per_file[name] >= 10, f"{name}: {per_file[name]} questions"


def test_answerable_items_are_complete() -> None:
    for item in answerable():
        n = len(item["gold_doc_ids"])
        assert n >= 1, item["id"]
        assert len(item["gold_titles"]) == n, item["id"]
        assert len(item["evidence"]) == n, item["id"]
        assert len(set(item["gold_doc_ids"])) == n, item["id"]
        assert 1 <= len(item["must_contain"]) <= 3, item["id"]
        assert item["source_files"], item["id"]
        if item["type"] in {"factual", "which_paper"}:
            assert n == 1, item["id"]
        if item["type"] == "multi_paper":
            assert n >= 2, item["id"]
        if item["type"] == "metadata":
            assert item.get("metadata_evidence"), item["id"]


def test_unanswerable_items_are_empty_and_document_their_checks() -> None:
    for item in items():
        if item["answerable"]:
            continue
        assert item["gold_doc_ids"] == item["gold_titles"] == item["must_contain"] == [], item["id"]
        assert "evidence" not in item, item["id"]
        assert item["checked_terms"], item["id"]
        assert all(isinstance(t, str) and t for t in item["checked_terms"]), item["id"]


def test_gold_doc_ids_exist_among_merged_bundled_papers() -> None:
    known = papers()
    assert len(known) > 600, f"only {len(known)} papers parsed from the seeds"
    for item in answerable():
        for doc_id, title in zip(item["gold_doc_ids"], item["gold_titles"], strict=True):
            assert doc_id in known, f"{item['id']}: {doc_id} ({title}) is not an ingested paper"
            assert gold_title_of(known[doc_id]) == title, item["id"]


def test_evidence_is_a_substring_of_the_gold_abstract() -> None:
    known = papers()
    for item in answerable():
        for doc_id, sentence in zip(item["gold_doc_ids"], item["evidence"], strict=True):
            assert sentence in known[doc_id].abstract, f"{item['id']}: evidence not in {doc_id}: {sentence!r}"


def test_must_contain_comes_from_the_gold_abstracts() -> None:
    known = papers()
    for item in answerable():
        text = " ".join(known[d].abstract for d in item["gold_doc_ids"]).casefold()
        for needle in item["must_contain"]:
            assert needle.casefold() in text, f"{item['id']}: {needle!r}"


def test_source_files_are_where_the_gold_papers_were_seen() -> None:
    known = papers()
    for item in answerable():
        sources = sorted({s for d in item["gold_doc_ids"] for s in known[d].sources})
        assert item["source_files"] == sources, item["id"]


def test_metadata_evidence_is_in_the_source_files() -> None:
    for item in answerable():
        text = "".join((SEEDS_DIR / name).read_text(encoding="utf-8") for name in item["source_files"])
        for needle in item.get("metadata_evidence", []):
            assert needle in text, f"{item['id']}: {needle!r}"


def _term_pattern(part: str) -> re.Pattern[str]:
    case_sensitive = part.endswith("(case-sensitive)")
    part = part.removesuffix("(case-sensitive)").strip()
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(part)}", 0 if case_sensitive else re.IGNORECASE)


def test_unanswerable_checked_terms_do_not_occur() -> None:
    # Items without a note: no paper (title or abstract) contains a checked term ("a + b": both in one paper).
    # Items with a note document near misses (the term occurs, but in papers that do not answer the question).
    texts = [f"{p.title or ''} {p.abstract}" for p in papers().values()]
    for item in items():
        if item["answerable"] or item.get("notes"):
            continue
        for term in item["checked_terms"]:
            patterns = [_term_pattern(part) for part in term.split(" + ")]
            hits = [t[:60] for t in texts if all(p.search(t) for p in patterns)]
            assert not hits, f"{item['id']}: {term!r} occurs in {hits[:3]}"


def test_file_is_up_to_date_with_ingestion() -> None:
    # build_gold would rewrite nothing: ids, titles and source files match the current parser and merge.
    rebuilt = rebuild([dict(item) for item in items()], list(papers().values()))
    assert rebuilt == list(items()), "run: python -m evals.build_gold"


@pytest.mark.parametrize("qtype", sorted(TYPES))
def test_each_type_is_present(qtype: str) -> None:
    assert any(item["type"] == qtype for item in items())
