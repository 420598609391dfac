"""The question sets (tuning.jsonl for tuning, test.jsonl held out): schema, splits, balance, and gold papers that
exist in the really ingested seeds."""

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from evals.build_gold import KEY_ORDER, SEEDS_DIR, gold_title_of, rebuild

# Imported at module level on purpose: if ingestion is broken these tests must fail, never skip.
from ingest.entries import ParsedEntry, Skipped
from ingest.merge import merge_entries
from ingest.parsers import iter_entries
from rag.types import Paper

DATA_DIR = Path(__file__).resolve().parent.parent / "evals" / "data"
FILES = {"tuning": DATA_DIR / "tuning.jsonl", "test": DATA_DIR / "test.jsonl"}
SPLITS = sorted(FILES)
SPLIT_SEED = 16  # random.Random(16), stratified by type: 2/3 of the original 115 questions to tuning
ORIGINAL_COUNT = 115
TYPES = {"factual", "which_paper", "metadata", "multi_paper", "unanswerable", "follow_up"}
MIN_PER_TYPE = {
    "tuning": {"factual": 20, "which_paper": 15, "metadata": 8, "multi_paper": 12, "unanswerable": 12, "follow_up": 8},
    "test": {"factual": 20, "which_paper": 15, "metadata": 8, "multi_paper": 10, "unanswerable": 20, "follow_up": 8},
}
REQUIRED = {
    "id",
    "question",
    "type",
    "gold_doc_ids",
    "gold_titles",
    "must_contain",
    "answerable",
    "source_files",
    "split",
}
OPTIONAL = {"evidence", "metadata_evidence", "checked_terms", "notes", "history", "near_miss_doc_id", "exact"}
# not known to evals.build_gold; "exact" (catalog questions) is written by evals.build_catalog_questions
EXTRA_KEYS = {"split", "history", "near_miss_doc_id", "exact"}
ID_PATTERN = {"tuning": r"q\d{3}|f0\d{2}|c\d{3}", "test": r"q\d{3}|t\d{3}|f1\d{2}"}
SEED_FILES = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))


@cache
def items_of(split: str) -> tuple[dict, ...]:
    lines = FILES[split].read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def all_items() -> list[dict]:
    return [item for split in SPLITS for item in items_of(split)]


@cache
def papers() -> dict[str, Paper]:
    """The bundled seeds parsed and merged exactly as `python -m ingest` does (without embedding)."""

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        return iter_entries([SEEDS_DIR])

    merged = [item for item in merge_entries(open_entries) if isinstance(item, Paper)]
    return {p.doc_id: p for p in merged}


def answerable() -> list[dict]:
    return [item for item in all_items() if item["answerable"]]


def near_misses() -> list[dict]:
    return [item for item in all_items() if "near_miss_doc_id" in item]


def occurs(term: str, text: str) -> bool:
    """A near-miss term occurs when it is not part of a longer word (digits may touch it: "88%")."""
    return re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text, re.IGNORECASE) is not None


def paper_text(paper: Paper) -> str:
    return f"{paper.title or ''} {paper.abstract}"


def metadata_text(paper: Paper) -> str:
    fields = [paper_text(paper), " ".join(paper.authors), str(paper.year or ""), paper.date or "", paper.category or ""]
    fields += [" ".join(paper.sources), paper.organization or "", " ".join(paper.affiliations)]
    return " ".join(fields)


def test_dev_jsonl_was_split_and_removed() -> None:
    assert not (DATA_DIR / "dev.jsonl").exists(), "dev.jsonl was split into tuning.jsonl and test.jsonl"


@pytest.mark.parametrize("split", SPLITS)
def test_file_is_one_json_object_per_line(split: str) -> None:
    lines = FILES[split].read_text(encoding="utf-8").splitlines()
    assert lines, f"{FILES[split].name} is empty"
    for number, line in enumerate(lines, start=1):
        assert isinstance(json.loads(line), dict), f"{FILES[split].name}: line {number} is not a JSON object"


@pytest.mark.parametrize("split", SPLITS)
def test_schema_and_split_labels(split: str) -> None:
    for item in items_of(split):
        keys = set(item)
        assert keys >= REQUIRED, f"{item.get('id')}: missing {sorted(REQUIRED - keys)}"
        assert keys <= REQUIRED | OPTIONAL, f"{item['id']}: unknown {sorted(keys - REQUIRED - OPTIONAL)}"
        assert item["split"] == split, item["id"]
        assert re.fullmatch(ID_PATTERN[split], item["id"]), item["id"]
        assert item["type"] in TYPES
        assert item["id"].startswith("f") is (item["type"] == "follow_up"), item["id"]
        assert isinstance(item["question"], str)
        assert item["question"].strip().endswith(("?", ".")), item["id"]
        for key in ("gold_doc_ids", "gold_titles", "must_contain", "source_files"):
            assert isinstance(item[key], list), (item["id"], key)
            assert all(isinstance(v, str) and v for v in item[key]), (item["id"], key)
        assert isinstance(item["answerable"], bool), item["id"]
        if item["type"] == "follow_up":
            assert item["answerable"] is bool(item["gold_doc_ids"]), item["id"]
        else:
            assert item["answerable"] is (item["type"] != "unanswerable"), item["id"]
            assert "history" not in item, item["id"]
        assert set(item["source_files"]) <= set(SEED_FILES), item["id"]


def test_ids_and_questions_are_unique_across_files() -> None:
    ids = [item["id"] for item in all_items()]
    assert len(ids) == len(set(ids))
    keys = [(tuple(item.get("history", [])), item["question"].casefold()) for item in all_items()]
    assert len(keys) == len(set(keys))
    standalone = [item["question"].casefold() for item in all_items() if item["type"] != "follow_up"]
    assert len(standalone) == len(set(standalone))


def test_original_questions_are_a_stratified_seeded_split() -> None:
    # The 115 questions of the former dev.jsonl: per type (sorted), shuffled with one random.Random(16) in id
    # order; the first round(2/3 n) of each type went to tuning.jsonl, the rest to test.jsonl.
    original = sorted((item for item in all_items() if item["id"].startswith("q")), key=lambda item: item["id"])
    assert [item["id"] for item in original] == [f"q{n:03d}" for n in range(1, ORIGINAL_COUNT + 1)]
    rng = random.Random(SPLIT_SEED)
    expected = {}
    for qtype in sorted({item["type"] for item in original}):
        group = [item["id"] for item in original if item["type"] == qtype]
        rng.shuffle(group)
        cut = round(len(group) * 2 / 3)
        expected |= dict.fromkeys(group[:cut], "tuning") | dict.fromkeys(group[cut:], "test")
    assert {item["id"]: item["split"] for item in original} == expected


@pytest.mark.parametrize("split", SPLITS)
def test_counts_per_type_and_unanswerable_share(split: str) -> None:
    items = items_of(split)
    counts = Counter(item["type"] for item in items)
    for qtype, minimum in MIN_PER_TYPE[split].items():
        assert counts[qtype] >= minimum, f"{split} {qtype}: {counts[qtype]} < {minimum}"
    assert sum(not item["answerable"] for item in items) / len(items) >= 0.15


def test_test_set_has_new_questions_and_near_misses() -> None:
    new = [item for item in items_of("test") if item["id"].startswith("t")]
    assert len(new) >= 45
    assert sum(item["type"] == "unanswerable" and "near_miss_doc_id" in item for item in new) >= 14
    assert sum(item["type"] == "unanswerable" and "near_miss_doc_id" not in item for item in new) >= 3
    for qtype in ("factual", "which_paper", "multi_paper", "metadata"):
        assert sum(item["type"] == qtype for item in new) >= 5, qtype


@pytest.mark.parametrize("split", SPLITS)
def test_follow_up_items(split: str) -> None:
    follow = [item for item in items_of(split) if item["type"] == "follow_up"]
    assert sum(item["answerable"] for item in follow) >= 5, split
    assert sum("near_miss_doc_id" in item for item in follow) >= 2, split
    for item in follow:
        history = item.get("history")
        assert isinstance(history, list), item["id"]
        assert 1 <= len(history) <= 2, item["id"]
        assert all(isinstance(turn, str) and turn.strip().endswith("?") for turn in history), item["id"]
        assert item["answerable"] or "near_miss_doc_id" in item, item["id"]


def test_follow_up_papers_differ_between_splits() -> None:
    def follow_up_papers(split: str) -> set[str]:
        found = set()
        for item in items_of(split):
            if item["type"] == "follow_up":
                found |= set(item["gold_doc_ids"]) | (
                    {item["near_miss_doc_id"]} if "near_miss_doc_id" in item else set()
                )
        return found

    assert not follow_up_papers("tuning") & follow_up_papers("test")


def test_every_seed_file_has_at_least_ten_questions() -> None:
    per_file = Counter(name for item in all_items() for name in item["source_files"])
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
        assert "near_miss_doc_id" not in item, item["id"]
        if item["type"] in {"factual", "which_paper"}:
            assert n == 1, item["id"]
        if item["type"] == "multi_paper":
            assert n >= 2, item["id"]
        if item["type"] == "metadata":
            assert item.get("metadata_evidence"), item["id"]


def test_unanswerable_items_are_empty_and_document_their_checks() -> None:
    for item in all_items():
        if item["answerable"]:
            continue
        assert item["gold_doc_ids"] == item["gold_titles"] == item["must_contain"] == [], item["id"]
        assert item["source_files"] == [], item["id"]
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


def test_must_contain_comes_from_the_gold_papers() -> None:
    # Title or abstract of a gold paper; for metadata questions also its metadata (authors, year, category, ...).
    known = papers()
    for item in answerable():
        texts = [
            metadata_text(known[d]) if item["type"] == "metadata" else paper_text(known[d])
            for d in item["gold_doc_ids"]
        ]
        text = " ".join(texts).casefold()
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


def test_near_misses_name_a_real_paper_that_does_not_state_the_detail() -> None:
    known = papers()
    assert near_misses()
    for item in near_misses():
        assert not item["answerable"], item["id"]
        assert item.get("notes"), item["id"]
        doc_id = item["near_miss_doc_id"]
        assert doc_id in known, f"{item['id']}: near_miss_doc_id {doc_id} is not an ingested paper"
        text = paper_text(known[doc_id])
        for term in item["checked_terms"]:
            assert not occurs(term, text), f"{item['id']}: {term!r} occurs in {doc_id}"


def _term_pattern(part: str) -> re.Pattern[str]:
    case_sensitive = part.endswith("(case-sensitive)")
    part = part.removesuffix("(case-sensitive)").strip()
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(part)}", 0 if case_sensitive else re.IGNORECASE)


def test_unanswerable_checked_terms_do_not_occur() -> None:
    # Items without a note: no paper (title or abstract) contains a checked term ("a + b": both in one paper).
    # Items with a note document near misses (the term occurs, but in papers that do not answer the question).
    texts = [paper_text(p) for p in papers().values()]
    for item in all_items():
        if item["answerable"] or item.get("notes"):
            continue
        for term in item["checked_terms"]:
            patterns = [_term_pattern(part) for part in term.split(" + ")]
            hits = [t[:60] for t in texts if all(p.search(t) for p in patterns)]
            assert not hits, f"{item['id']}: {term!r} occurs in {hits[:3]}"


def test_files_are_up_to_date_with_ingestion() -> None:
    # build_gold would rewrite nothing: ids, titles and source files match the current parser and merge.
    # build_gold knows neither the split/follow-up/near-miss fields nor metadata answers (author names, years)
    # that are not in the abstract: those are checked by the tests above.
    def core(item: dict) -> dict:
        kept = {key: value for key, value in item.items() if key not in EXTRA_KEYS}
        if item["type"] == "metadata":
            kept["must_contain"] = []
        return kept

    assert set(KEY_ORDER) | EXTRA_KEYS == REQUIRED | OPTIONAL
    current = [core(item) for item in all_items()]
    rebuilt = rebuild([dict(item) for item in current], list(papers().values()))
    assert rebuilt == current, "gold ids, titles or source files are out of date with the parser"


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("qtype", sorted(TYPES))
def test_each_type_is_present(split: str, qtype: str) -> None:
    assert any(item["type"] == qtype for item in items_of(split))
