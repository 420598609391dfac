"""Author names as comparable parts, so "J. Doe", "Doe, Jane", "Jané Doe" and "Jane Doe" find the same person."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_PARTICLES = {"van", "von", "der", "de", "da", "di", "del", "la", "le", "du", "den", "ter", "bin"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}  # "John Smith Jr.", "Smith, Jr., John": not part of either name
_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII: accents removed ("Müller" -> "muller"), so a question typed without them still matches."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@dataclass(frozen=True)
class NameParts:
    """A name split into given-name words and the family name; `initials` are the given names' first letters."""

    given: tuple[str, ...]
    family: str

    @property
    def initials(self) -> str:
        return "".join(g[0] for g in self.given)

    @property
    def given_key(self) -> str:
        return "".join(self.given)

    @property
    def given_is_initials(self) -> bool:
        return bool(self.given) and all(len(g) == 1 for g in self.given)


def split_name(name: str) -> NameParts | None:
    """Parts of a written name; "Doe, Jane" is reordered; hyphenated given names ("Hee-young") count as one word,
    so "Heeyoung" and "Hee-young" agree, while "H.-Y." gives the initials "hy"."""
    text = fold(name).strip()
    if "," in text:
        family_part, _, given_part = text.partition(",")
        text = f"{given_part} {family_part}"
    words = [w for w in re.split(r"\s+", text.replace(".", ". ")) if w]
    named = [w for w in words if w.strip(".,") not in _SUFFIXES]
    words = named if named else words
    if not words:
        return None
    family_words = [words.pop()]
    # "Ludwig van Beethoven": family name "vanbeethoven"; a particle that is the only given name stays ("Van Nguyen")
    while len(words) > 1 and words[-1].strip(".") in _PARTICLES:
        family_words.insert(0, words.pop())
    family = "".join(_TOKEN.findall(" ".join(family_words)))
    given: list[str] = []
    for word in words:
        pieces = _TOKEN.findall(word)
        if not pieces:
            continue
        if word.endswith(".") or all(len(p) == 1 for p in pieces):
            given.extend(pieces)  # initials: "H.-Y." -> "h", "y"
        else:
            given.append("".join(pieces))
    return NameParts(tuple(given), family) if family else None


def same_person(asked: NameParts, listed: NameParts) -> bool:
    """Whether a name as asked can be the listed author: the family names agree and the given names agree as
    written, as initials, or are absent from the question; swapped order ("Song Kyungwoo") also counts."""
    return _compatible(asked, listed) or (
        len(asked.given) == 1
        and not asked.given_is_initials
        and _compatible(NameParts((asked.family,), asked.given[0]), listed)
    )


def _compatible(asked: NameParts, listed: NameParts) -> bool:
    if asked.family != listed.family:
        return False
    if not asked.given:
        return True
    if asked.given_is_initials or listed.given_is_initials:
        return listed.initials.startswith(asked.initials) or asked.initials.startswith(listed.initials)
    return asked.given_key == listed.given_key
