"""Resolve a follow-up question by reference: the papers and the named subject of the earlier turns."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.text.terms import name_key, names
from rag.text.tokens import tokenize

_ANAPHORA = re.compile(
    r"\b(they|them|their|theirs|it|its|this|that|these|those|he|she|his|her"
    r"|the (?:paper|method|model|approach|authors?|study|work|framework|system|technique|same))\b",
    re.IGNORECASE,
)

_GOES_ON = re.compile(r"\s*(?:and|also|so|then|what about|how about)\b", re.IGNORECASE)
_DEFINITE = re.compile(r"\bthe ([A-Za-z][\w-]*)", re.IGNORECASE)

# A turn of history: (question, answer) or (question, answer, cited doc_ids).
HistoryTurn = tuple[str, str] | tuple[str, str, Sequence[str]]


@dataclass(frozen=True)
class Resolved:
    """The question to retrieve and select evidence for, and the earlier turn's papers it refers to."""

    question: str
    focus: tuple[str, ...] = ()
    subject: str | None = None  # the earlier turn's named subject, when one was carried over


def is_follow_up(question: str, previous: str = "") -> bool:
    """Refers back to something ("what dataset did they use?"), goes on from the last turn ("And ...?"), says "the
    <thing>" of a thing the previous question named ("the detector" after "... an object detector ..."), or is too
    short to stand alone."""
    if _ANAPHORA.search(question) or _GOES_ON.match(question) or len(question.split()) <= 3:
        return True
    earlier = set(tokenize(previous))
    return any(stem in earlier for thing in _DEFINITE.findall(question) for stem in tokenize(thing)[:1])


def resolve(
    question: str, history: Sequence[HistoryTurn] | None, papers_naming: Callable[[str], int] = lambda _: 0
) -> Resolved:
    """A follow-up keeps the new question's own words (evidence is selected for it alone), gains the named subject
    of the latest earlier question that had one, and is restricted to the papers the latest answer cited.
    A follow-up that names a subject of its own (a name some paper states) moves to that subject instead.
    A rule, not an LLM call: it costs no model time and cannot invent a subject."""
    if not history or not is_follow_up(question, history[-1][0]):
        return Resolved(question)
    if any(papers_naming(n) for n in names(question)):
        return Resolved(question)
    subject = next((s for turn in reversed(history) if (s := _subject(turn[0], papers_naming))), None)
    focus = next((tuple(turn[2]) for turn in reversed(history) if len(turn) > 2 and turn[2]), ())
    if subject is None and not focus:  # nothing to refer to: fall back to the earlier question's words
        return Resolved(f"{question.strip()} ({history[-1][0].strip()})", focus, history[-1][0].strip())
    text = f"{question.strip()} (about {subject})" if subject else question  # "about": a name, not a sentence start
    return Resolved(text, focus, subject)


def _subject(question: str, papers_naming: Callable[[str], int]) -> str | None:
    """The question's name that the fewest papers (at least one) state, as written: its subject."""
    keys = names(question)
    written = [w for w in re.findall(r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*", question) if name_key(w) in keys]
    counted = [(papers_naming(name_key(w)), i, w) for i, w in enumerate(written)]
    known = [c for c in counted if c[0] > 0]
    return min(known)[2] if known else None
