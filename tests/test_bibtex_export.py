"""BibTeX export: the bundled papers survive a round trip through the project's own BibTeX reader; keys, arXiv
fields and LaTeX escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from ingest.entries import ParsedEntry
from ingest.merge import merge_entries
from ingest.parsers import iter_entries
from ingest.parsers.bibtex import parse_bibtex
from rag.bibtex_export import arxiv_id, base_key, keys, latex, to_bibtex
from rag.types import Answer, Citation, Paper
from tests.conftest import SEEDS

BLACKVIP = Paper(
    doc_id="t-blackvip",
    title="BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning",
    abstract="We propose black-box visual prompting (BlackVIP).",
    authors=("Changdae Oh", "Hyeji Hwang"),
    authors_truncated=True,
    year=2023,
    date="2023-03-26",
)


@cache
def bundled() -> tuple[Paper, ...]:
    paths = sorted(SEEDS.glob("*.txt"))
    return tuple(p for p in merge_entries(lambda: iter_entries(paths)) if isinstance(p, Paper))


def read_back(text: str, tmp_path: Path) -> list[ParsedEntry]:
    file = tmp_path / "export.bib"
    file.write_text(text, encoding="utf-8")
    entries = list(parse_bibtex(file))
    assert all(isinstance(e, ParsedEntry) for e in entries), [e for e in entries if not isinstance(e, ParsedEntry)]
    return [e for e in entries if isinstance(e, ParsedEntry)]


def test_all_bundled_papers_round_trip_with_the_same_titles_authors_and_years(tmp_path):
    papers = bundled()
    assert len(papers) == 628
    back = read_back(to_bibtex(papers), tmp_path)
    assert len(back) == len(papers)
    same = [
        (p.title, p.authors, p.authors_truncated, p.year) == (b.title, b.authors, b.authors_truncated, b.year)
        for p, b in zip(papers, back, strict=True)
    ]
    assert sum(same) == 628, [p.label for p, ok in zip(papers, same, strict=True) if not ok][:5]
    # the abstract is exported too; the reader does not know \textasciitilde, \textasciicircum and escaped braces,
    # so the 12 abstracts with ~, ^ or literal { } come back changed
    assert sum(p.abstract == b.abstract for p, b in zip(papers, back, strict=True)) >= 616


def test_keys_are_unique_and_untitled_papers_have_no_title_but_a_note(tmp_path):
    text = to_bibtex(bundled())
    found = re.findall(r"^@misc\{([^,]+),$", text, flags=re.M)
    assert len(found) == len(set(found)) == 628
    assert all(re.fullmatch(r"[a-z0-9\-]+", key) for key in found)
    untitled = [p for p in bundled() if not p.title]
    assert len(untitled) == 10
    one = to_bibtex(untitled[:1])
    assert "title =" not in one
    assert "note = {Untitled in the collection; the abstract begins: " in one
    assert read_back(one, tmp_path)[0].title is None


def test_key_is_surname_year_and_first_title_word_and_stable_under_collisions():
    assert base_key(BLACKVIP) == "oh2023blackvip"
    assert base_key(replace(BLACKVIP, authors=(), year=None, title="A Survey of Müller Nets")) == "anonsurvey"
    untitled = replace(BLACKVIP, title=None, abstract="Ünïcode words first. More.", authors=("Zoë Doe",))
    assert base_key(untitled) == "doe2023unicode"
    twin = replace(BLACKVIP, doc_id="t-blackvip-2", abstract="Another version.")
    forward, backward = keys([BLACKVIP, twin]), keys([twin, BLACKVIP])
    assert forward == backward  # a paper's key does not depend on citation order
    assert len(set(forward.values())) == 2
    assert all(k.startswith("oh2023blackvip-") for k in forward.values())
    assert keys([BLACKVIP]) == {"t-blackvip": "oh2023blackvip"}


def test_arxiv_papers_are_keyed_by_their_id_with_eprint_fields(tmp_path):
    from_field = replace(BLACKVIP, arxiv_id="2303.14773", category="cs.CV")
    from_doc_id = replace(BLACKVIP, doc_id="arxiv-2401.00001")
    from_url = replace(BLACKVIP, urls=("https://arxiv.org/pdf/2402.12345v2",))
    assert [arxiv_id(p) for p in (from_field, from_doc_id, from_url, BLACKVIP)] == [
        "2303.14773",
        "2401.00001",
        "2402.12345",
        None,
    ]
    text = to_bibtex([from_field])
    assert text.startswith("@misc{2303.14773,\n")
    for line in ("eprint = {2303.14773}", "archivePrefix = {arXiv}", "primaryClass = {cs.CV}"):
        assert line in text
    assert "url = {https://arxiv.org/abs/2303.14773}" in text
    back = read_back(text, tmp_path)[0]
    assert back.arxiv_id == "2303.14773"
    assert back.category == "cs.CV"
    assert back.date == "2023-03-26"


def test_fields_are_latex_escaped_and_read_back_unchanged(tmp_path):
    assert latex("Café & naïve: 50% of #1 $5 a_b") == r"Caf\'e \& na{\"\i}ve: 50\% of \#1 \$5 a\_b"
    assert latex("Łódź — R³") == r"{\L}\'od\'z {\textemdash} R\ensuremath{^{3}}"
    paper = replace(
        BLACKVIP,
        title="Café & Naïve Bayes: 50% of #1 R³ models",
        authors=("José Müller", "Smith, Jr., John", "Ann and Bob Lab"),
        authors_truncated=False,
    )
    text = to_bibtex([paper])
    assert r"title = {Caf\'e \& Na{\"\i}ve Bayes: 50\% of \#1 R\ensuremath{^{3}} models}" in text
    assert r"author = {Jos\'e M\"uller and {Smith, Jr., John} and Ann {and} Bob Lab}" in text
    back = read_back(text, tmp_path)[0]
    assert back.title == paper.title
    assert back.authors == ("José Müller", "Smith, Jr., John", "Ann and Bob Lab")


def test_acronyms_in_titles_are_protected_from_lower_casing():
    text = to_bibtex([BLACKVIP])
    assert "title = {{BlackVIP}: {Black-Box} Visual Prompting for Robust Transfer Learning}" in text
    assert "month = mar," in text  # the month macro, unbraced


def test_answer_to_bibtex_exports_each_cited_paper_once_in_citation_order():
    other = replace(BLACKVIP, doc_id="t-other", title="Other Paper", authors=("Ann Lee",), year=2021)
    answer = Answer("q", "a [1] b [2] c [3]", False, citations=(Citation(1, other, "e"), Citation(2, BLACKVIP, "e")))
    answer = replace(answer, citations=(*answer.citations, Citation(3, other, "e2")))
    text = answer.to_bibtex()
    assert re.findall(r"^@misc\{([^,]+),$", text, flags=re.M) == ["lee2021other", "oh2023blackvip"]
    assert Answer("q", "I don't know.", True).to_bibtex() == ""


@pytest.mark.slow
def test_cli_prints_the_bib_of_the_cited_papers(lab_store, tmp_path):
    question = "What AUROC does the SONA framework reach on near-OOD datasets?"
    args = [question, "--store", str(lab_store.store_dir), "--model", "smollm2"]
    out = subprocess.run([sys.executable, "-m", "rag", *args, "--bibtex"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    shown = subprocess.run([sys.executable, "-m", "rag", *args, "--json"], capture_output=True, text=True, timeout=600)
    cited = json.loads(shown.stdout)["citations"]
    if not cited:
        assert out.stdout == ""
        return
    back = read_back(out.stdout, tmp_path)
    assert len(back) == len({c["doc_id"] for c in cited})
    assert all(any(c["evidence"] in b.abstract for b in back) for c in cited)  # the cited papers' own abstracts
    assert all(b.title is None for b in back)  # the lab page's papers are untitled: no invented title
