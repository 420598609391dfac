"""The informative terms of a text (names, acronyms, numbers, qualifiers, content words) and where they are stated."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.text.tokens import tokenize

# Surface words, hyphens and dots kept inside ("near-OOD", "GPT-4", "3.0").
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-.'][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s?(thousand|million|billion|[kKMB])\b)?")
_SCALE = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "B": 1e9, "billion": 1e9}

# Words that carry no claim of their own: question words, the vocabulary of talking about papers, and verbs any
# abstract uses. A claim or question is checked on what remains.
_GENERIC_WORDS = """
paper papers work works study studies article author authors method methods approach approaches technique
framework model models propose proposes proposed present presents introduce introduces introduced use uses used
using show shows shown demonstrate demonstrates result results achieve achieves report reports reported
describe describes based new novel also can well way ways one two first main key specific particular various
collection abstract evidence question answer mention mentions mentioned state states stated provide provides
does do did done how what which who whom whose when where why whether much many kind type types help helps
make makes made get gets give gives given allow allows enable enables address addresses tackle aim aims focus
focuses call called named name term terms like include includes including e.g i.e etc et al respectively
able better good task tasks problem problems paper's authors' describe described find found learn learns
has have had having is are was were be been being thousand million billion percent
list listed lists listing wrote written write writes publish published publication appear appears appeared
more most less least than very only both each either neither other others same own so too just about above
below over under again further once all any few some such nor not no can could will would shall should may might
must our ours we us you your he him his she her they them their its itself this that these those there here
then than from into onto upon within without between among across through during before after while whereas
although though because since until unless however therefore thus hence also even still yet often usually
"""
GENERIC = frozenset(tokenize(_GENERIC_WORDS)) | frozenset(_GENERIC_WORDS.split())
_SENTENCE_START_WORDS = frozenset({"the", "a", "an", "this", "these", "it", "its", "we", "our", "in", "on", "for"})


def numbers(text: str, with_bare: bool = False) -> set[str]:
    """The values of the numbers a text states: "52K", "52,000" and "52 thousand" are one number. `with_bare` also
    lists each scaled number's digits alone ("7.8" of "7.8B"), which a claim may repeat without the unit."""
    values = set()
    for digits, scale in _NUMBER.findall(text):
        plain = digits.replace(",", "")
        if plain.count(".") > 1:  # a version or date such as 3.5.1: compared as written
            values.add(plain)
            continue
        value = float(plain)
        values.add(f"{value * _SCALE.get(scale, 1):.9g}")
        if with_bare:
            values.add(f"{value:.9g}")
    return values


def name_key(word: str) -> str:
    """Case-folded, trailing plural and possessive removed: "GPUs" and "GPU's" match "GPU"."""
    key = word.lower().removesuffix("'s")
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


def is_name(word: str, at_start: bool = False) -> bool:
    """A method, model, dataset or acronym: two capitals (SONA, TagOOD, GPUs), letters with digits (P3T, GPT-4),
    a hyphenated word with a capital (near-OOD), or a capitalised word that does not open the sentence."""
    if not any(c.isalpha() for c in word):
        return False
    capitals = sum(c.isupper() for c in word)
    if capitals >= 2 or (capitals and any(c.isdigit() for c in word)) or ("-" in word and capitals):
        return True
    return capitals == 1 and word[0].isupper() and not at_start and word.lower() not in _SENTENCE_START_WORDS


def fold(text: str) -> str:
    """Compatibility forms folded ("P³T" is "P3T", "ﬁ" is "fi"), so a name matches however it was typeset."""
    return unicodedata.normalize("NFKC", text)


def names(text: str) -> set[str]:
    """Name keys (see `is_name`) of a text; the first word of each sentence counts only when it is clearly a name."""
    text = fold(text)
    found = set()
    for match in _WORD.finditer(text):
        word = match.group(0).strip(".")
        before = text[: match.start()].rstrip()
        at_start = not before or before[-1] in ".!?:;\"'(["
        if is_name(word, at_start):
            found.add(name_key(word))
    return found


def qualifiers(text: str) -> set[str]:
    """Hyphenated words ("distance-based", "far-OOD", "rehearsal-free"), case-folded."""
    text = fold(text)
    return {name_key(w) for w in _WORD.findall(text) if "-" in w and not w.replace("-", "").isdigit()}


def content(text: str) -> set[str]:
    """Stemmed content words minus the generic vocabulary."""
    return {t for t in tokenize(text) if t not in GENERIC and not t.isdigit()}


@lru_cache(maxsize=4096)
def stated(text: str) -> Stated:
    """What a passage text states, prepared once for many look-ups."""
    text = fold(text)
    words = {name_key(w) for w in _WORD.findall(text)}
    parts = {name_key(p) for w in _WORD.findall(text) for p in w.split("-")}
    spaced = " " + " ".join(w.lower() for w in _WORD.findall(text.replace("-", " "))) + " "
    stems = frozenset(tokenize(text)) | frozenset(tokenize(text.replace("-", " ")))  # "model-based" states "model"
    return Stated(frozenset(words | parts), stems, frozenset(numbers(text, with_bare=True)), spaced)


@dataclass(frozen=True)
class Stated:
    words: frozenset[str]  # case-folded surface words, and the parts of hyphenated ones
    stems: frozenset[str]
    values: frozenset[str]
    spaced: str = " "  # the words, case-folded, hyphens as spaces, between single spaces

    def has_name(self, key: str) -> bool:
        """A name or qualifier is stated as a word, or as its parts in a row ("near OOD" for "near-OOD")."""
        return key in self.words or f" {key.replace('-', ' ')} " in self.spaced

    def has_stem(self, stem: str) -> bool:
        """A content word's stem is stated; a hyphenated one also by its parts ("class incremental")."""
        return stem in self.stems or ("-" in stem and all(p in self.stems for p in tokenize(stem.replace("-", " "))))


@dataclass(frozen=True)
class Terms:
    """The terms of a claim or question that a supporting sentence must state."""

    strict: frozenset[str]  # names, acronyms, qualifiers: every one must be stated
    values: frozenset[str]  # numbers: every one must be stated
    words: frozenset[str]  # other content stems: most must be stated

    def missing_in(self, where: Stated) -> tuple[set[str], set[str], float]:
        """(strict terms not stated, numbers not stated, share of content words stated)."""
        strict = {t for t in self.strict if not where.has_name(t)}
        values = set(self.values - where.values)
        share = sum(where.has_stem(w) for w in self.words) / len(self.words) if self.words else 1.0
        return strict, values, share


def terms_of(text: str, given: str = "") -> Terms:
    """The informative terms of `text` that `given` (the question) does not already state."""
    known = stated(given)
    strict = {t for t in names(text) | qualifiers(text) if not known.has_name(t)}
    values = numbers(text) - set(known.values)
    strict_stems = {s for t in strict for s in tokenize(t.replace("-", " "))}
    words = {w for w in content(text) if not known.has_stem(w) and w not in strict_stems}
    return Terms(frozenset(strict), frozenset(values), frozenset(words))


# amounts written in words ("two million compounds", "half of the training set", "twice as fast"); a bare plural
# ("trillions of tokens", "hundreds of GPUs") is no amount
_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred"
    r"|thousand|million|billion|trillion|half|third|quarter|twice|double|triple|[a-z]+fold)\b",
    re.IGNORECASE,
)
_SCALED = re.compile(r"\d[\d.,]*\s*(?:thousand|million|billion|trillion)\b", re.IGNORECASE)


def number_words(text: str) -> set[str]:
    """Amounts in words, not the scale of a written number ("20 billion" is the number 20e9, compared by value)."""
    return {w.lower() for w in _NUMBER_WORD.findall(_SCALED.sub(" ", text))}
