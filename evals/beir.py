"""Load a BEIR-format data set (corpus, queries, qrels) and turn its documents into ingestible JSONL records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError

QRELS_HEADER = ("query-id", "corpus-id", "score")
LAYOUT_HINT = "a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv (or qrels.tsv)"

Qrels = dict[str, dict[str, int]]  # query id -> corpus id -> graded relevance (0 = judged not relevant)


class BeirFormatError(InputError, ValueError):
    """A BEIR file is missing or malformed; the message names the file, the line and what is wrong."""


@dataclass(frozen=True)
class BeirDoc:
    """One corpus document: `_id`, `title` (may be empty) and `text`."""

    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class BeirQuery:
    """One query: `_id` and `text`."""

    query_id: str
    text: str


@dataclass(frozen=True)
class BeirDataset:
    """A loaded data set; qrels only reference ids present in `queries` and `corpus`."""

    name: str
    corpus: dict[str, BeirDoc]
    queries: dict[str, BeirQuery]
    qrels: Qrels

    def judged_queries(self) -> list[BeirQuery]:
        """The queries that have at least one qrels entry (the ones an evaluation runs), in qrels order."""
        return [self.queries[query_id] for query_id in self.qrels]


def relevant_ids(qrels: Mapping[str, Mapping[str, int]], query_id: str, min_score: int = 1) -> set[str]:
    """Corpus ids judged relevant to a query: score >= min_score (BEIR uses 0 for judged-not-relevant)."""
    return {doc_id for doc_id, score in qrels.get(query_id, {}).items() if score >= min_score}


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) for each non-blank line; missing or undecodable files become BeirFormatError."""
    if not path.is_file():
        raise BeirFormatError(str(path), None, f"file not found; {LAYOUT_HINT}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BeirFormatError(str(path), None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in _read_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BeirFormatError(str(path), number, f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(record, dict):
            raise BeirFormatError(str(path), number, f"expected a JSON object, got {type(record).__name__}")
        yield number, record


def _field(record: dict[str, Any], key: str, path: Path, number: int, *, required: bool = True) -> str:
    """A string field; ids may also be JSON integers. Missing optional fields are ''."""
    if key not in record or record[key] is None:
        if required:
            raise BeirFormatError(str(path), number, f"missing required field {key!r}")
        return ""
    value = record[key]
    if key == "_id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise BeirFormatError(str(path), number, f"field {key!r} must be a string, got {value!r}")
    if key == "_id" and not value.strip():
        raise BeirFormatError(str(path), number, "field '_id' is empty")
    return value


def _check_unique(seen: dict[str, int], item_id: str, path: Path, number: int) -> None:
    if item_id in seen:
        raise BeirFormatError(str(path), number, f"duplicate _id {item_id!r} (first seen on line {seen[item_id]})")
    seen[item_id] = number


def load_corpus(path: str | Path) -> dict[str, BeirDoc]:
    """Read corpus.jsonl: one object per line with `_id`, `text` and optional `title`; ids must be unique."""
    path = Path(path)
    docs: dict[str, BeirDoc] = {}
    seen: dict[str, int] = {}
    for number, record in _json_objects(path):
        doc_id = _field(record, "_id", path, number)
        _check_unique(seen, doc_id, path, number)
        title = _field(record, "title", path, number, required=False)
        text = _field(record, "text", path, number)
        if not (title.strip() or text.strip()):
            raise BeirFormatError(str(path), number, f"document {doc_id!r} has neither title nor text")
        docs[doc_id] = BeirDoc(doc_id=doc_id, title=title, text=text)
    return docs


def load_queries(path: str | Path) -> dict[str, BeirQuery]:
    """Read queries.jsonl: one object per line with `_id` and non-empty `text`; ids must be unique."""
    path = Path(path)
    queries: dict[str, BeirQuery] = {}
    seen: dict[str, int] = {}
    for number, record in _json_objects(path):
        query_id = _field(record, "_id", path, number)
        _check_unique(seen, query_id, path, number)
        text = _field(record, "text", path, number)
        if not text.strip():
            raise BeirFormatError(str(path), number, f"query {query_id!r} has empty text")
        queries[query_id] = BeirQuery(query_id=query_id, text=text)
    return queries


def load_qrels(path: str | Path) -> Qrels:
    """Read a qrels TSV: header `query-id corpus-id score`, then one judgement per line with an integer score."""
    path = Path(path)
    qrels: Qrels = {}
    lines = _read_lines(path)
    header = next(lines, None)
    if header is None:
        raise BeirFormatError(str(path), None, "empty qrels file; expected header 'query-id\\tcorpus-id\\tscore'")
    if tuple(_split_row(header[1])) != QRELS_HEADER:
        raise BeirFormatError(
            str(path), header[0], f"expected header 'query-id\\tcorpus-id\\tscore', got {header[1].strip()!r}"
        )
    for number, line in lines:
        columns = _split_row(line)
        if len(columns) != 3:
            raise BeirFormatError(str(path), number, f"expected 3 columns (query-id, corpus-id, score), got {line!r}")
        query_id, doc_id, raw_score = columns
        try:
            score = int(raw_score)
        except ValueError:
            raise BeirFormatError(str(path), number, f"score must be an integer, got {raw_score!r}") from None
        judged = qrels.setdefault(query_id, {})
        if doc_id in judged:
            raise BeirFormatError(str(path), number, f"duplicate judgement for query {query_id!r}, doc {doc_id!r}")
        judged[doc_id] = score
    return qrels


def _split_row(line: str) -> list[str]:
    """BEIR writes tab-separated rows; fall back to any whitespace for hand-written files."""
    columns = [c.strip() for c in line.split("\t")]
    return columns if len(columns) > 1 else line.split()


def find_qrels(folder: str | Path, split: str = "test") -> Path:
    """qrels/<split>.tsv if present, else qrels.tsv at the top of the folder."""
    folder = Path(folder)
    for candidate in (folder / "qrels" / f"{split}.tsv", folder / "qrels.tsv"):
        if candidate.is_file():
            return candidate
    raise BeirFormatError(str(folder), None, f"no qrels/{split}.tsv or qrels.tsv; {LAYOUT_HINT}")


def load_beir(folder: str | Path, split: str = "test") -> BeirDataset:
    """Load corpus, queries and the split's qrels from a BEIR folder and check that qrels ids exist."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BeirFormatError(str(folder), None, f"not a directory; {LAYOUT_HINT}")
    corpus = load_corpus(folder / "corpus.jsonl")
    queries = load_queries(folder / "queries.jsonl")
    qrels_path = find_qrels(folder, split)
    qrels = load_qrels(qrels_path)
    for query_id, judged in qrels.items():
        if query_id not in queries:
            raise BeirFormatError(str(qrels_path), None, f"query id {query_id!r} is not in queries.jsonl")
        missing = sorted(doc_id for doc_id in judged if doc_id not in corpus)
        if missing:
            raise BeirFormatError(
                str(qrels_path), None, f"query {query_id!r} judges corpus ids not in corpus.jsonl: {missing[:5]}"
            )
    return BeirDataset(name=folder.name, corpus=corpus, queries=queries, qrels=qrels)


BEIR_URL_PREFIX = "beir:"


def beir_id_of(urls: Iterable[str]) -> str | None:
    """The BEIR document id carried through ingestion in the paper's urls."""
    return next((u.removeprefix(BEIR_URL_PREFIX) for u in urls if u.startswith(BEIR_URL_PREFIX)), None)


def to_ingest_record(doc: BeirDoc) -> dict[str, str | None]:
    """The JSONL record our ingestion accepts: {"id", "title", "abstract", "url"}; `url` carries the BEIR id
    (as `beir:<id>`) through ingestion so retrieved papers map back to qrels.

    An empty title becomes null (an untitled paper). A document with a title but no text uses the title as
    its abstract, since ingestion needs a non-empty abstract.
    """
    title = doc.title.strip() or None
    abstract = doc.text.strip() or (title or "")
    return {"id": doc.doc_id, "title": title, "abstract": abstract, "url": BEIR_URL_PREFIX + doc.doc_id}


def to_ingest_jsonl(doc: BeirDoc) -> str:
    """One JSONL line (without newline) for `to_ingest_record(doc)`."""
    return json.dumps(to_ingest_record(doc), ensure_ascii=False)


def write_ingest_jsonl(docs: Iterable[BeirDoc], path: str | Path) -> int:
    """Write the documents as ingestible JSONL (one per line, UTF-8); returns how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(to_ingest_jsonl(doc) + "\n")
            count += 1
    return count
