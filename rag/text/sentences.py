"""Split abstracts into sentences without breaking on abbreviations, decimals or initials."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "e.g", "i.e", "vs", "fig", "figs", "eq", "eqs", "al", "cf", "approx", "resp", "sec", "no",
    "dr", "prof", "mr", "ms", "st", "ref", "refs", "tab", "u.s", "incl", "viz", "ca", "ph.d", "inc",
}  # fmt: skip
_CANDIDATE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each stripped; joining them with spaces gives back the text's words."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        before = text[start : match.start()]
        last_word = before.rsplit(" ", 1)[-1].rstrip(".!?\"')]").lower()
        if last_word.lstrip("([\"'") in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue  # "e.g. X", "(e.g. X)", "Fig. 2", an initial like "J. Smith"; "etc." ends a sentence
        sentences.append(text[start : match.start()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]
