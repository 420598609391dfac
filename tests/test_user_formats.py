"""Users' own files: JSONL, CSV and BibTeX round trips through parsing and merging, with field aliases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.entries import ParsedEntry, Skipped
from ingest.merge import merge_entries
from ingest.parsers import parse_file, records_jsonl_csv
from ingest.parsers.detect import detect_layout
from ingest.parsers.records import ALIASES
from rag.types import Paper

ABSTRACT = "We study retrieval for question answering. It works."


def parse(path: Path) -> list[ParsedEntry | Skipped]:
    return list(parse_file(path))


def only_entries(path: Path) -> list[ParsedEntry]:
    items = parse(path)
    assert [i for i in items if isinstance(i, Skipped)] == []
    return [i for i in items if isinstance(i, ParsedEntry)]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_full_record(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mine.jsonl",
        [
            {
                "title": "Dense Retrieval",
                "abstract": ABSTRACT,
                "authors": ["Ada Lovelace", "Alan Turing"],
                "year": 2021,
                "id": "2104.08663v2",
                "url": "https://example.org/paper",
                "keywords": ["retrieval", "QA"],
                "category": "cs.IR",
            }
        ],
    )
    assert detect_layout(path) == "jsonl"
    [entry] = only_entries(path)
    assert entry == ParsedEntry(
        source="mine.jsonl",
        line=1,
        abstract=ABSTRACT,
        title="Dense Retrieval",
        authors=("Ada Lovelace", "Alan Turing"),
        year=2021,
        urls=("https://example.org/paper",),
        arxiv_id="2104.08663",
        keywords=("retrieval", "QA"),
        category="cs.IR",
    )


def test_jsonl_aliases_and_author_string(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "aliases.jsonl",
        [
            {
                "name": "T1",
                "summary": ABSTRACT,
                "author": "A One, B Two and C Three",
                "published": "2023-03-26T10:00:00Z",
            },
            {"paper_title": "T2", "Abstract": ABSTRACT + " Two.", "authors": "A One et al.", "date": "Mar 26"},
            {"title": "T3", "abstract": ABSTRACT + " Three.", "arxiv_id": "arXiv:2301.01234", "doi": "10.1/x"},
        ],
    )
    one, two, three = only_entries(path)
    assert (one.title, one.authors, one.year, one.date) == ("T1", ("A One", "B Two", "C Three"), 2023, "2023-03-26")
    assert (two.title, two.authors, two.authors_truncated, two.year, two.date) == (
        "T2",
        ("A One",),
        True,
        None,
        "--03-26",
    )
    assert (three.arxiv_id, three.urls, three.line) == ("2301.01234", ("https://doi.org/10.1/x",), 3)


def test_jsonl_round_trip_to_paper_json(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "rt.jsonl",
        [
            {
                "title": "Round Trip",
                "abstract": ABSTRACT,
                "authors": ["A B"],
                "year": "2020",
                "url": "https://arxiv.org/abs/2001.00001",
            }
        ],
    )
    [paper] = [p for p in merge_entries(lambda: parse_file(path)) if isinstance(p, Paper)]
    assert paper.doc_id == "arxiv-2001.00001"
    assert (paper.arxiv_id, paper.year, paper.sources) == ("2001.00001", 2020, ("rt.jsonl",))
    assert Paper.from_json(paper.to_json()) == paper


def test_csv_with_aliases_quoting_and_multiline_abstract(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Title,Summary,Author,Published,URL,Tags\n"
        '"Commas, Quotes ""and"" More","First line, with comma.\nSecond line.","A One and B Two",2022-05-01,'
        'https://x.org/1,"a; b"\n'
        "\n"
        'Plain,"' + ABSTRACT + '",C Three,2019,,\n',
        encoding="utf-8",
    )
    assert detect_layout(path) == "csv"
    first, second = only_entries(path)
    assert first.title == 'Commas, Quotes "and" More'
    assert first.abstract == "First line, with comma. Second line."
    assert (first.authors, first.year, first.date) == (("A One", "B Two"), 2022, "2022-05-01")
    assert (first.urls, first.keywords, first.line) == (("https://x.org/1",), ("a", "b"), 2)
    assert (second.title, second.year, second.date, second.line) == ("Plain", 2019, None, 5)


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        delimiter.join(["title", "abstract", "year"]) + "\n" + delimiter.join(["T", ABSTRACT, "2001"]) + "\n"
    )
    [entry] = only_entries(path)
    assert (entry.title, entry.abstract, entry.year) == ("T", ABSTRACT, 2001)


def test_csv_with_utf8_bom_header(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftitle,abstract\nÉté,Un résumé.\n".encode())
    [entry] = only_entries(path)
    assert (entry.title, entry.abstract) == ("Été", "Un résumé.")


BIBTEX = r"""% exported by a reference manager
@comment{ignored}
@article{devlin2019,
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  author = {Devlin, Jacob and Chang, Ming-Wei and others},
  year = 2019,
  month = jun,
  eprint = {1810.04805},
  archivePrefix = {arXiv},
  keywords = {nlp, pre-training},
  abstract = {We introduce {BERT}. It obtains new results on eleven tasks, including a 7.7\% improvement
    and Schr\"{o}dinger's $\alpha$.}
}

@inproceedings{hu2021,
  title = "LoRA: Low-Rank Adaptation",
  author = "Edward J. Hu and Yelong Shen",
  booktitle = {ICLR},
  year = {2022},
  url = {https://openreview.net/forum?id=nZeVKeeFYf9},
  abstract = "We propose {LoRA}, which freezes the weights."
}

@misc{noabstract, title = {No Abstract Here}, year = {2020}}

@misc{viajournal,
  title = {Via Journal},
  journal = {arXiv preprint arXiv:2106.09685},
  abstract = {Found through the journal field.}
}
"""


def test_bibtex_entries(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    assert detect_layout(path) == "bibtex"
    items = parse(path)
    bert, lora, skipped, journal = items
    assert isinstance(bert, ParsedEntry)
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers"
    assert (bert.authors, bert.authors_truncated) == (("Jacob Devlin", "Ming-Wei Chang"), True)
    assert (bert.year, bert.date, bert.arxiv_id, bert.line) == (2019, "2019-06", "1810.04805", 3)
    assert bert.abstract == (
        "We introduce BERT. It obtains new results on eleven tasks, including a 7.7% improvement and Schrödinger's α."
    )
    assert bert.keywords == ("nlp", "pre-training")
    assert isinstance(lora, ParsedEntry)
    assert (lora.title, lora.authors, lora.year) == ("LoRA: Low-Rank Adaptation", ("Edward J. Hu", "Yelong Shen"), 2022)
    assert lora.urls == ("https://openreview.net/forum?id=nZeVKeeFYf9",)
    assert lora.abstract == "We propose LoRA, which freezes the weights."
    assert isinstance(skipped, Skipped)
    assert (skipped.line, "no abstract" in skipped.reason, "noabstract" in skipped.reason) == (24, True, True)
    assert isinstance(journal, ParsedEntry)
    assert journal.arxiv_id == "2106.09685"


def test_bibtex_parenthesised_entries_and_concatenated_values(tmp_path: Path) -> None:
    """Forms bibtexparser 2.1 reads differently (evals/results/library-swaps): `#` joins parts of a value (the
    library keeps the raw `A # "b"`), `@article( ... )` is an entry (it was silently dropped before), and a field
    after a missing comma is still read."""
    path = tmp_path / "forms.bib"
    path.write_text(
        "@article(paren, title = {Paren (delimited) entry},\n  abstract = {Read (with) parentheses.})\n"
        '@misc{joined, title = "Part one" # { and two}, abstract = {A } # "b" # {c.}}\n'
        "@misc{nocomma, title = {One} abstract = {Two.}}\n",
        encoding="utf-8",
    )
    assert detect_layout(path) == "bibtex"
    paren, joined, nocomma = only_entries(path)
    assert (paren.title, paren.abstract, paren.line) == ("Paren (delimited) entry", "Read (with) parentheses.", 1)
    assert (joined.title, joined.abstract, joined.line) == ("Part one and two", "A bc.", 3)
    assert (nocomma.title, nocomma.abstract) == ("One", "Two.")


def test_docstring_table_lists_every_alias() -> None:
    doc = records_jsonl_csv.__doc__ or ""
    rows = re.findall(r"^\| `(\w+)`[^|]*\| (.+) \|$", doc, re.MULTILINE)
    table = {field: tuple(re.findall(r"`([\w]+)`", names)) for field, names in rows}
    assert table == ALIASES
