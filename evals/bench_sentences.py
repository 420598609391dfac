"""Benchmark: sentence splitting against hand-labelled boundaries (evals/data/sentence_gold.jsonl).

The gold file holds 50 bundled abstracts (drawn with random.Random(20) from the 628 papers sorted by doc_id), one
JSON line each: {"doc_id", "sentences"}; the abstract is the sentences joined by single spaces. A boundary is the
character offset where a sentence starts (the first sentence's 0 excluded). Each splitter's wrong splits are counted
as false boundaries (a split inside a sentence, e.g. after "vs.") and missed boundaries (two sentences kept as one).
Splitters: rag.text.sentences.split_sentences (the project's) and pysbd 0.3.4 (English, clean=False).
Usage: python -m evals.bench_sentences [--gold FILE] [--show]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import pysbd

from rag.text.sentences import split_sentences

GOLD = Path(__file__).resolve().parent / "data" / "sentence_gold.jsonl"
Splitter = Callable[[str], list[str]]


def boundaries(text: str, sentences: list[str]) -> set[int]:
    """Offsets in `text` where the 2nd, 3rd, ... sentence starts; each sentence must occur in order."""
    found, pos = set(), 0
    for index, sentence in enumerate(s.strip() for s in sentences if s.strip()):
        start = text.find(sentence, pos)
        if start < 0:
            raise ValueError(f"sentence {index + 1} is not in the text in order: {sentence[:60]!r}")
        if index:
            found.add(start)
        pos = start + len(sentence)
    return found


def load_gold(path: Path) -> list[tuple[str, str, set[int]]]:
    """(doc_id, text, gold boundaries) per line; a line that is not a labelled abstract is an error naming it."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            sentences = record["sentences"]
            text = " ".join(sentences)
            rows.append((record["doc_id"], text, boundaries(text, sentences)))
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"{path}:{number}: not a labelled abstract ({exc}); expected {{doc_id, sentences}}"
            raise SystemExit(reason) from exc
    return rows


def pysbd_splitter() -> Splitter:
    segmenter = pysbd.Segmenter(language="en", clean=False)
    return lambda text: [str(s) for s in segmenter.segment(text)]


def score(split: Splitter, gold: list[tuple[str, str, set[int]]], show: bool) -> dict[str, float]:
    false = missed = 0
    started = time.perf_counter()
    for doc_id, text, truth in gold:
        predicted = boundaries(text, split(text))
        false += len(predicted - truth)
        missed += len(truth - predicted)
        wrong = [("false", o) for o in predicted - truth] + [("missed", o) for o in truth - predicted]
        for kind, offset in sorted(wrong, key=lambda w: w[1]) if show else ():
            print(f"  {kind:6} {doc_id}: ...{text[max(0, offset - 40) : offset]}|{text[offset : offset + 30]}...")
    seconds = time.perf_counter() - started
    return {"false": false, "missed": missed, "wrong": false + missed, "ms": 1000 * seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_sentences", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="JSONL of labelled abstracts: {doc_id, sentences}")
    parser.add_argument("--show", action="store_true", help="print every wrong split with its context")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    sentences = sum(len(b) + 1 for _, _, b in gold)
    print(f"{len(gold)} abstracts, {sentences} sentences, {sentences - len(gold)} gold boundaries ({args.gold.name})")
    print(f"{'splitter':<28}{'false':>7}{'missed':>8}{'wrong':>7}{'ms':>8}")
    for name, split in (("rag.sentences", split_sentences), ("pysbd 0.3.4", pysbd_splitter())):
        if args.show:
            print(f"{name}:")
        row = score(split, gold, args.show)
        print(f"{name:<28}{row['false']:>7}{row['missed']:>8}{row['wrong']:>7}{row['ms']:>8.0f}")


if __name__ == "__main__":
    main()
