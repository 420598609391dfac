"""The fault matrix (evals/faults.py): a fast subset against real stores, plus the parser fixes it led to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import faults
from evals.fault_kit import FIX, Outcome
from ingest.entries import ParsedEntry, Skipped
from ingest.parsers import parse_file

pytestmark = pytest.mark.slow

# cheap cases and the ones that interrupt or starve a real ingest; the rest run in `python -m evals.faults`
FAST_SUBSET = ("empty file", "binary file", "UTF-16 file", "kill -9", "disk full", "--prune", "does not exist")


def test_the_matrix_has_at_least_twenty_kinds_of_fault_with_distinct_names():
    names = [faults.name_of(c) for c in faults.CASES]
    assert len(names) >= 20
    assert len(set(names)) == len(names)
    assert all(names)


def test_a_case_that_loses_a_paper_or_shows_a_vague_message_fails_the_matrix():
    good = Outcome("x", "exit 1", 10, 10, 10, 0, "/data/a.jsonl:3: not valid UTF-8; re-save it as UTF-8", "a.jsonl")
    assert good.ok
    assert not Outcome("x", "exit 0", 10, 9, 10, 0).ok  # lost one
    assert not Outcome("x", "exit 0", 10, 11, 11, 1).ok  # a duplicate
    assert not Outcome("x", "exit 1", 10, 10, 10, 0, "something went wrong", "a.jsonl").ok  # names nothing
    assert not Outcome("x", "exit 1", 10, 10, 10, 0, "a.jsonl is bad", "a.jsonl").ok  # says no fix
    assert "FAIL" in faults.table([Outcome("x", "exit 0", 10, 9, 10, 0)])


def test_fast_subset_of_the_fault_matrix_loses_nothing_and_names_every_fix():
    cases = [c for c in faults.CASES if any(s in faults.name_of(c) for s in FAST_SUBSET)]
    assert len(cases) == len(FAST_SUBSET)
    outcomes = faults.run_cases(cases, log=lambda _: None)
    report = faults.table(outcomes)
    assert all(o.ok for o in outcomes), report
    killed = next(o for o in outcomes if "kill -9" in o.case)
    assert killed.after == killed.expected == 56  # the base 10 and the page's 46, each once


def split(path: Path) -> tuple[list[ParsedEntry], list[Skipped]]:
    items = list(parse_file(path))
    return [i for i in items if isinstance(i, ParsedEntry)], [i for i in items if isinstance(i, Skipped)]


def test_a_jsonl_abstract_that_is_a_number_is_skipped_naming_the_line_and_value(tmp_path):
    path = tmp_path / "types.jsonl"
    good = {"title": "Good", "abstract": "A good abstract."}
    lines = [good, {"title": ["a", "list"], "abstract": 12345, "year": "soon"}, {**good, "abstract": ["Two", "parts."]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    entries, skipped = split(path)
    assert [e.line for e in entries] == [1, 3]  # a list of strings is text in parts
    assert [(s.line, s.path) for s in skipped] == [(2, str(path))]
    assert "12345" in skipped[0].reason
    assert FIX.search(skipped[0].reason)


def test_a_broken_bibtex_entry_loses_only_itself(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{a,\n  title = {First},\n  abstract = {One abstract.}\n}\n\n"
        "@article{broken,\n  title = {Half an entry,\n  abstract = {Never closed\n\n"
        "@misc{c,\n  title = {Third},\n  abstract = {Another abstract.}\n}\n"
    )
    entries, skipped = split(path)
    assert [e.title for e in entries] == ["First", "Third"]
    assert [s.line for s in skipped] == [6]
    assert "before line 10" in skipped[0].reason
    assert "add the missing }" in skipped[0].reason


@pytest.mark.parametrize(("name", "data"), [("empty.jsonl", b""), ("figure.png", b"\x89PNG\x00\x00" + bytes(300))])
def test_empty_and_binary_files_say_what_to_do(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    _, skipped = split(path)
    assert len(skipped) == 1
    assert FIX.search(skipped[0].reason), skipped[0].reason
