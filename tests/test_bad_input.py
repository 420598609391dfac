"""Bad input never crashes or loses anything: each problem is a Skipped(path, line, reason); good content parses."""

from __future__ import annotations

import json
import shutil
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.merge import merge_entries
from ingest.parsers import iter_entries, iter_source_files, parse_file
from ingest.parsers.lines import LINE_LIMIT
from rag.types import Paper

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
GOOD = json.dumps({"title": "Good", "abstract": "A good abstract."})


def split(items: list[ParsedEntry | Skipped]) -> tuple[list[ParsedEntry], list[Skipped]]:
    return [i for i in items if isinstance(i, ParsedEntry)], [i for i in items if isinstance(i, Skipped)]


def only_skipped(path: Path) -> Skipped:
    items = list(parse_file(path))
    assert len(items) == 1
    assert isinstance(items[0], Skipped)
    assert items[0].path == str(path)
    return items[0]


def test_unknown_layout(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list\nmilk\neggs\n", encoding="utf-8")
    skipped = only_skipped(path)
    assert skipped.line is None
    assert "unrecognised layout" in skipped.reason
    assert "'Shopping list'" in skipped.reason
    assert "JSONL" in skipped.reason  # says what would work


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary file" in only_skipped(path).reason


def test_utf16_and_pdf_are_named(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_text(GOOD + "\n", encoding="utf-16")
    assert "UTF-16" in only_skipped(utf16).reason
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "PDF" in only_skipped(pdf).reason


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n   \n\t\n", encoding="utf-8")
    for path in (empty, blank):
        assert "empty" in only_skipped(path).reason


def test_invalid_utf8_line_is_reported_and_other_lines_parse(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(GOOD.encode() + b'\n{"title": "Caf\xe9", "abstract": "Latin-1."}\n' + GOOD.encode() + b"\n")
    entries, skipped = split(list(parse_file(path)))
    assert [e.line for e in entries] == [1, 3]
    assert [(s.path, s.line) for s in skipped] == [(str(path), 2)]
    assert "not valid UTF-8" in skipped[0].reason
    assert "0xe9" in skipped[0].reason
    assert "re-save" in skipped[0].reason


def test_invalid_utf8_inside_a_page_layout(tmp_path: Path) -> None:
    lines = (SEEDS / "004_3699ef32a6941384.txt").read_bytes().split(b"\n")
    lines[5] = lines[5][:40] + b"\xff\xfe" + lines[5][40:]  # line 6: the abstract of the second paper
    path = tmp_path / "damaged.txt"
    path.write_bytes(b"\n".join(lines))
    entries, skipped = split(list(parse_file(path)))
    assert len(entries) == 417
    assert [(s.line, "UTF-8" in s.reason) for s in skipped[:1]] == [(6, True)]
    assert [(s.line, "not followed by an abstract" in s.reason) for s in skipped[1:]] == [(5, True)]


def test_malformed_jsonl_lines(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    lines = [
        GOOD,
        '{"title": "Cut off", "abstract": "never clo',
        '["a", "list"]',
        json.dumps({"title": "No abstract here", "year": 2020}),
        json.dumps({"title": "Empty abstract", "abstract": "   "}),
        "",
        GOOD.replace("Good", "Also good"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    entries, skipped = split(list(parse_file(path)))
    assert [(e.line, e.title) for e in entries] == [(1, "Good"), (7, "Also good")]
    reasons = {s.line: s.reason for s in skipped}
    assert list(reasons) == [2, 3, 4, 5]
    assert "invalid JSON" in reasons[2]
    assert "JSON list, not an object" in reasons[3]
    assert "no abstract" in reasons[4]
    assert "summary" in reasons[4]  # lists the accepted names
    assert "no abstract" in reasons[5]


def test_csv_without_required_column(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,age,city\nAda,36,London\n", encoding="utf-8")
    skipped = only_skipped(path)
    assert skipped.line == 1
    assert "no abstract column" in skipped.reason
    assert "found: name, age, city" in skipped.reason


def test_csv_with_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_bytes(b"title,abstract\nOne,First.\nTwo,\nThr\xe9e,Third.\nFour,Fourth.\n")
    entries, skipped = split(list(parse_file(path)))
    assert [(e.line, e.title) for e in entries] == [(2, "One"), (5, "Four")]
    assert [s.line for s in skipped] == [3, 4]
    assert "no abstract" in skipped[0].reason
    assert "UTF-8" in skipped[1].reason


def test_huge_file_without_newlines_is_rejected_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    chunk = b'{"abstract": "' + b"x" * (1 << 20)
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(chunk)
    assert path.stat().st_size > 50 * (1 << 20)
    tracemalloc.start()
    started = time.perf_counter()
    items = list(parse_file(path))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(items) == 1
    assert isinstance(items[0], Skipped)
    assert (items[0].path, items[0].line) == (str(path), 1)
    assert f"{LINE_LIMIT:,}-byte limit" in items[0].reason
    assert peak < 8 * LINE_LIMIT
    assert seconds < 5


def test_one_overlong_line_inside_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(GOOD + "\n")
        fh.write(json.dumps({"abstract": "y" * (2 * LINE_LIMIT)}) + "\n")
        fh.write(GOOD + "\n")
    entries, skipped = split(list(parse_file(path)))
    assert [e.line for e in entries] == [1, 3]
    assert [s.line for s in skipped] == [2]
    assert "limit" in skipped[0].reason


def test_unclosed_bibtex_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@article{ok, abstract={Fine.}}\n@article{bad,\n  abstract = {Never closed.\n", encoding="utf-8")
    entries, skipped = split(list(parse_file(path)))
    assert [e.abstract for e in entries] == ["Fine."]
    assert [(s.line, "not closed" in s.reason) for s in skipped] == [(2, True)]


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    items = list(iter_source_files([tmp_path / "nope.jsonl", tmp_path / "empty"]))
    assert items == [
        Skipped(str(tmp_path / "nope.jsonl"), None, "no such file or folder; check the path"),
        Skipped(str(tmp_path / "empty"), None, "folder has no (non-hidden) files to ingest"),
    ]


def test_folder_of_mixed_files(tmp_path: Path) -> None:
    root = tmp_path / "drop"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config.jsonl").write_text(GOOD + "\n")
    (root / ".hidden.jsonl").write_text(GOOD + "\n")
    (root / "b.jsonl").write_text(GOOD + "\n" + "{oops\n")
    (root / "a.csv").write_text("summary,title\nCSV abstract.,From CSV\n")
    (root / "sub" / "c.bin").write_bytes(b"\x00\x01\x02")
    (root / "sub" / "deeper" / "d.txt").write_text("")
    shutil.copy(SEEDS / "000_7260f6b4ff62f6ec.txt", root / "sub" / "lab.txt")
    files = [p for p in iter_source_files([root]) if isinstance(p, Path)]
    assert [p.relative_to(root).as_posix() for p in files] == [
        "a.csv",
        "b.jsonl",
        "sub/c.bin",
        "sub/deeper/d.txt",
        "sub/lab.txt",
    ]
    entries, skipped = split(list(iter_entries([root])))
    assert [(e.source, e.line) for e in entries[:2]] == [("a.csv", 2), ("b.jsonl", 1)]
    assert len(entries) == 2 + 10
    assert [(Path(s.path).name, s.line) for s in skipped] == [("b.jsonl", 2), ("c.bin", None), ("d.txt", None)]


def _numbered_jsonl(path: Path, lines: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            record = {"title": f"Paper number {i}", "abstract": f"Abstract {i} about topic {i % 97}.", "year": 2000}
            fh.write(json.dumps(record) + "\n")
    return path


def test_100k_line_jsonl_is_streamed(tmp_path: Path) -> None:
    path = _numbered_jsonl(tmp_path / "big.jsonl", 100_000)
    assert path.stat().st_size > 8_000_000
    items = parse_file(path)
    tracemalloc.start()
    lines = [item.line for _, item in zip(range(5_000), items, strict=False) if isinstance(item, ParsedEntry)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000  # reading the whole file (or a list of its lines) would need far more
    assert lines == list(range(1, 5_001))
    assert sum(1 for item in items if isinstance(item, ParsedEntry)) == 95_000


def test_merge_emits_single_papers_before_pass_two_ends(tmp_path: Path) -> None:
    path = _numbered_jsonl(tmp_path / "big.jsonl", 20_000)
    consumed = {"pass": 0, "entries": 0}

    def open_entries() -> Iterator[ParsedEntry | Skipped]:
        consumed["pass"] += 1
        consumed["entries"] = 0
        for item in parse_file(path):
            consumed["entries"] += 1
            yield item

    merged = merge_entries(open_entries)
    first = next(merged)
    assert isinstance(first, Paper)
    assert consumed == {"pass": 2, "entries": 1}
    assert sum(1 for _ in merged) == 19_999
