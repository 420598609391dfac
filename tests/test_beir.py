"""BEIR loader: the tiny fixture loads into typed records, malformed files fail naming file and line."""

import json
from pathlib import Path

import pytest

from evals.beir import (
    BeirDoc,
    BeirFormatError,
    BeirQuery,
    find_qrels,
    load_beir,
    load_corpus,
    load_qrels,
    load_queries,
    relevant_ids,
    to_ingest_jsonl,
    to_ingest_record,
    write_ingest_jsonl,
)
from rag.errors import InputError

TINY = Path(__file__).parent / "fixtures" / "beir_tiny"


def test_load_tiny_fixture() -> None:
    data = load_beir(TINY)
    assert data.name == "beir_tiny"
    assert list(data.corpus) == ["d1", "d2", "d3", "d4", "5"]
    assert data.corpus["d1"] == BeirDoc(
        doc_id="d1",
        title="Sparse subnetworks",
        text="Dense networks contain small subnetworks that train to full accuracy from their original initialization.",
    )
    assert data.corpus["d3"].title == ""
    assert data.queries["q2"] == BeirQuery(query_id="q2", text="How can sentence embeddings be learned without labels?")
    assert data.qrels == {"q1": {"d1": 1}, "q2": {"d2": 2, "d1": 0}, "q3": {"d3": 1, "5": 1}}
    assert [q.query_id for q in data.judged_queries()] == ["q1", "q2", "q3"]
    assert "q4" in data.queries


def test_records_are_frozen() -> None:
    doc = load_corpus(TINY / "corpus.jsonl")["d1"]
    with pytest.raises(AttributeError):
        doc.title = "changed"  # type: ignore[misc]


def test_relevant_ids_drops_zero_scores() -> None:
    qrels = load_qrels(TINY / "qrels" / "test.tsv")
    assert relevant_ids(qrels, "q2") == {"d2"}
    assert relevant_ids(qrels, "q2", min_score=0) == {"d1", "d2"}
    assert relevant_ids(qrels, "q2", min_score=2) == {"d2"}
    assert relevant_ids(qrels, "unknown") == set()


def test_ingest_record_shape() -> None:
    corpus = load_corpus(TINY / "corpus.jsonl")
    assert to_ingest_record(corpus["d1"]) == {
        "id": "d1",
        "title": "Sparse subnetworks",
        "abstract": corpus["d1"].text,
        "url": "beir:d1",
    }
    assert to_ingest_record(corpus["d3"])["title"] is None
    assert to_ingest_record(corpus["d4"]) == {
        "id": "d4",
        "title": "Title-only record",
        "abstract": "Title-only record",
        "url": "beir:d4",
    }
    line = to_ingest_jsonl(BeirDoc(doc_id="x", title="Ünïcode", text="naïve text"))
    assert "\n" not in line
    assert json.loads(line) == {"id": "x", "title": "Ünïcode", "abstract": "naïve text", "url": "beir:x"}
    assert "Ünïcode" in line


def test_write_ingest_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "beir_tiny.jsonl"
    corpus = load_corpus(TINY / "corpus.jsonl")
    assert write_ingest_jsonl(corpus.values(), out) == 5
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["d1", "d2", "d3", "d4", "5"]
    assert all(set(r) == {"id", "title", "abstract", "url"} and r["abstract"] for r in records)
    assert [r["url"] for r in records] == ["beir:d1", "beir:d2", "beir:d3", "beir:d4", "beir:5"]


def test_qrels_tsv_at_top_level_is_found(tmp_path: Path) -> None:
    for name in ("corpus.jsonl", "queries.jsonl"):
        (tmp_path / name).write_text((TINY / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\n", encoding="utf-8")
    assert find_qrels(tmp_path) == tmp_path / "qrels.tsv"
    assert load_beir(tmp_path).qrels == {"q1": {"d2": 1}}
    with pytest.raises(BeirFormatError, match=r"no qrels/dev\.tsv or qrels\.tsv"):
        find_qrels(TINY, split="dev")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{"_id": "a", "text": "ok"}\n{"_id": "b", "text": \n', 2, "invalid JSON"),
        ('["not", "an", "object"]\n', 1, "expected a JSON object, got list"),
        ('{"title": "t", "text": "x"}\n', 1, "missing required field '_id'"),
        ('{"_id": "a", "title": "t"}\n', 1, "missing required field 'text'"),
        ('{"_id": "a", "text": 3}\n', 1, "field 'text' must be a string"),
        ('{"_id": " ", "text": "x"}\n', 1, "field '_id' is empty"),
        ('{"_id": "a", "title": "", "text": "  "}\n', 1, "has neither title nor text"),
        ('{"_id": "a", "text": "x"}\n\n{"_id": "a", "text": "y"}\n', 3, "duplicate _id 'a' (first seen on line 1)"),
    ],
)
def test_malformed_corpus_names_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = _write(tmp_path, "corpus.jsonl", text)
    with pytest.raises(BeirFormatError) as info:
        load_corpus(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert reason in str(info.value)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InputError)


def test_malformed_queries(tmp_path: Path) -> None:
    path = _write(tmp_path, "queries.jsonl", '{"_id": "q1", "text": "fine"}\n{"_id": "q2", "text": ""}\n')
    with pytest.raises(BeirFormatError, match=r"queries\.jsonl:2: query 'q2' has empty text"):
        load_queries(path)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", None, "empty qrels file"),
        ("qid\tdid\trel\nq1\td1\t1\n", 1, "expected header"),
        ("query-id\tcorpus-id\tscore\nq1\td1\n", 2, "expected 3 columns"),
        ("query-id\tcorpus-id\tscore\nq1\td1\thigh\n", 2, "score must be an integer, got 'high'"),
        ("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t2\n", 3, "duplicate judgement"),
    ],
)
def test_malformed_qrels_names_file_and_line(tmp_path: Path, text: str, line: int | None, reason: str) -> None:
    path = _write(tmp_path, "test.tsv", text)
    with pytest.raises(BeirFormatError) as info:
        load_qrels(path)
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(info.value).startswith(f"{where}: ")
    assert reason in str(info.value)


def test_qrels_accepts_space_separated_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "test.tsv", "query-id corpus-id score\nq1 d1 1\n")
    assert load_qrels(path) == {"q1": {"d1": 1}}


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(BeirFormatError, match=r"file not found; a BEIR folder holds corpus\.jsonl"):
        load_corpus(tmp_path / "corpus.jsonl")
    with pytest.raises(BeirFormatError, match="not a directory"):
        load_beir(tmp_path / "nope")
    bad = tmp_path / "corpus.jsonl"
    bad.write_bytes(b'{"_id": "a", "text": "\xff"}\n')
    with pytest.raises(BeirFormatError, match="not UTF-8"):
        load_corpus(bad)


def test_qrels_must_reference_known_ids(tmp_path: Path) -> None:
    for name in ("corpus.jsonl", "queries.jsonl"):
        _write(tmp_path, name, (TINY / name).read_text(encoding="utf-8"))
    (tmp_path / "qrels").mkdir()
    _write(tmp_path, "qrels/test.tsv", "query-id\tcorpus-id\tscore\nq9\td1\t1\n")
    with pytest.raises(BeirFormatError, match=r"query id 'q9' is not in queries\.jsonl"):
        load_beir(tmp_path)
    _write(tmp_path, "qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\tmissing\t1\n")
    with pytest.raises(BeirFormatError, match=r"judges corpus ids not in corpus.jsonl: \['missing'\]"):
        load_beir(tmp_path)
