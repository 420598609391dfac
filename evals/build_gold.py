"""Recompute the gold doc_ids, titles and source files of an evals/data question file from the ingested papers."""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.types import Paper

# Usage: `python -m ingest` (the bundled seeds into the default store), then `python -m evals.build_gold`.
# Or pass `--papers FILE` with one Paper JSON per line. tests/test_dev_set.py parses and merges the seeds itself
# (evals may import only rag, so the parse+merge lives in the test) and fails when this file is out of date.

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "data" / "seeds"
DEV_PATH = Path(__file__).resolve().parent / "data" / "tuning.jsonl"  # or test.jsonl: --questions
KEY_ORDER = (
    "id",
    "question",
    "type",
    "gold_doc_ids",
    "gold_titles",
    "must_contain",
    "answerable",
    "source_files",
    "evidence",
    "metadata_evidence",
    "checked_terms",
    "notes",
)
UNTITLED_PREFIX_WORDS = 10  # gold_titles of untitled (lab page) papers: the first 10 words of the abstract


class GoldError(ValueError):
    """A question's gold paper cannot be resolved unambiguously, or its supporting text is not where it claims."""


def load_store_papers(store_dir: Path | None = None) -> list[Paper]:
    """Every paper in the store that `python -m ingest` wrote (default settings, or `store_dir`)."""
    from rag.config import Settings
    from rag.retrieval.index import PaperIndex

    settings = Settings(store_dir=store_dir) if store_dir else Settings()
    return list(PaperIndex(settings).store.iter_papers())


def load_papers_jsonl(path: Path) -> list[Paper]:
    """Papers from a file with one `Paper.to_json()` per line."""
    return [Paper.from_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _loose_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def untitled_label(abstract: str) -> str:
    """The gold title of an untitled paper: the first 10 words of its abstract."""
    return " ".join(abstract.split()[:UNTITLED_PREFIX_WORDS])


def gold_title_of(paper: Paper) -> str:
    return paper.title if paper.title else untitled_label(paper.abstract)


def matches_title(paper: Paper, gold_title: str) -> bool:
    """Same normalized title; an untitled paper matches when its abstract starts with the gold title words."""
    key = _loose_key(gold_title)
    if paper.title:
        return _loose_key(paper.title) == key
    return _loose_key(paper.abstract).startswith(key)


def resolve(item: dict[str, Any], papers: Sequence[Paper]) -> list[Paper]:
    """The gold papers of one answerable item: title match, disambiguated by the evidence sentence.

    The evidence sentence must be an exact substring of the paper's abstract; this also tells apart
    versions of a paper that share a title but not an abstract.
    """
    titles, evidence = item["gold_titles"], item["evidence"]
    if len(titles) != len(evidence):
        raise GoldError(f"{item['id']}: {len(titles)} gold titles but {len(evidence)} evidence sentences")
    resolved: list[Paper] = []
    for title, sentence in zip(titles, evidence, strict=True):
        by_title = [p for p in papers if matches_title(p, title)]
        if not by_title:
            raise GoldError(f"{item['id']}: no parsed paper has the title {title!r}")
        found = [p for p in by_title if sentence in p.abstract]
        if len(found) != 1:
            raise GoldError(
                f"{item['id']}: evidence for {title!r} matches {len(found)} of {len(by_title)} papers with that "
                f"title; fix the evidence (it must be an exact substring of the parsed abstract): {sentence!r}"
            )
        resolved.append(found[0])
    return resolved


def check_item(item: dict[str, Any], gold: Sequence[Paper], seeds_dir: Path = SEEDS_DIR) -> None:
    """must_contain strings occur in some gold abstract; metadata evidence occurs in the gold papers' files."""
    abstracts = " ".join(p.abstract for p in gold).casefold()
    for needle in item["must_contain"]:
        if needle.casefold() not in abstracts:
            raise GoldError(f"{item['id']}: must_contain {needle!r} is in none of the gold abstracts")
    if item.get("metadata_evidence"):
        files = sorted({source for p in gold for source in p.sources})
        text = "".join((seeds_dir / name).read_text(encoding="utf-8") for name in files)
        for needle in item["metadata_evidence"]:
            if needle not in text:
                raise GoldError(f"{item['id']}: metadata evidence {needle!r} is not in {files}")


def rebuild(items: Iterable[dict[str, Any]], papers: Sequence[Paper]) -> list[dict[str, Any]]:
    """Items with gold_doc_ids, gold_titles and source_files recomputed from the parsed papers."""
    out: list[dict[str, Any]] = []
    for item in items:
        item = dict(item)
        if item["answerable"]:
            gold = resolve(item, papers)
            check_item(item, gold)
            item["gold_doc_ids"] = [p.doc_id for p in gold]
            item["gold_titles"] = [gold_title_of(p) for p in gold]
            item["source_files"] = sorted({source for p in gold for source in p.sources})
        unknown = set(item) - set(KEY_ORDER)
        if unknown:
            raise GoldError(f"{item['id']}: unknown fields {sorted(unknown)}")
        out.append({key: item[key] for key in KEY_ORDER if key in item})
    return out


def read_items(path: Path = DEV_PATH) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def dump_items(items: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def summary(items: Sequence[dict[str, Any]]) -> str:
    types = Counter(item["type"] for item in items)
    files = Counter(name for item in items for name in item["source_files"])
    lines = [f"{len(items)} questions; unanswerable {types['unanswerable'] / max(len(items), 1):.1%}"]
    lines += [f"  {name}: {count}" for name, count in sorted(types.items())]
    lines += [f"  {name}: {count}" for name, count in sorted(files.items())]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEV_PATH, help="question file to rewrite in place")
    parser.add_argument("--papers", type=Path, help="Paper JSONL to resolve against (default: the ingested store)")
    parser.add_argument("--store", type=Path, help="store directory (default: RAG_STORE_DIR or .rag)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    items = read_items(args.questions)
    try:
        papers = load_papers_jsonl(args.papers) if args.papers else load_store_papers(args.store)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not papers:
        print("error: no papers to resolve against; run `python -m ingest` first or pass --papers", file=sys.stderr)
        return 1
    try:
        rebuilt = rebuild(items, papers)
    except GoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = dump_items(rebuilt)
    changed = text != args.questions.read_text(encoding="utf-8")
    if args.check:
        print(summary(rebuilt))
        print("out of date: run python -m evals.build_gold" if changed else "up to date")
        return 1 if changed else 0
    if changed:
        args.questions.write_text(text, encoding="utf-8")
    print(summary(rebuilt))
    print("rewrote " + str(args.questions) if changed else "already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
