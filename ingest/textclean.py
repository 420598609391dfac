"""Shared text repairs: LaTeX, e-mail obfuscation, appended keywords, URLs, author lists and names."""

from __future__ import annotations

import html
import re
import unicodedata

from ingest.latex import URL, repair_latex

OBFUSCATED = "[…]"  # what "[email protected]" becomes: the original text (often a metric like mAP@0.5) is lost
_EMAIL_PROTECTED = re.compile(r"\[\s*email(?:\s|&nbsp;|&#160;|\u00a0)+protected\s*\]", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_ABSTRACT_LABEL = re.compile(r"^\s*abstract\s*[:.\-—]\s*", re.IGNORECASE)
_KEYWORDS = re.compile(
    r"(?:^|(?<=[.!?\])])\s+|\n)(?:key\s?words|index terms)\s*[:\-—–]\s*(?P<kw>[^\n]{1,500}?)\s*\.?\s*$",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\"”’)]}>"
_ET_AL = re.compile(r"[\s,]*(?:\bet\s+al\b\.?|\band\s+others\b\.?|…|\.\.\.)\s*$", re.IGNORECASE)
_AND = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """NFC-normalized, whitespace-collapsed text with HTML entities, e-mail obfuscation and LaTeX repaired."""
    text = unicodedata.normalize("NFC", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    text = _EMAIL_PROTECTED.sub(OBFUSCATED, text)
    return collapse(repair_latex(text))


def clean_title(text: str | None) -> str | None:
    if text is None:
        return None
    return clean_text(text) or None


def split_keywords(text: str) -> tuple[str, tuple[str, ...]]:
    """Split an appended 'Keywords: a, b; c' tail off an abstract."""
    match = _KEYWORDS.search(text)
    if not match or match.start() == 0:
        return text, ()
    keywords = tuple(k.strip(" .") for k in re.split(r"[;,·]", match.group("kw")) if k.strip(" ."))
    if not keywords or any(len(k.split()) > 8 for k in keywords):
        return text, ()
    return text[: match.start()].rstrip(), keywords


def find_urls(text: str) -> tuple[str, ...]:
    """URLs mentioned in text, trailing punctuation removed, each once, in order."""
    found: list[str] = []
    for match in URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _URL_TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
            url = url[:-1]
        if "." in url.split("//", 1)[-1] and url not in found:
            found.append(url)
    return tuple(found)


def clean_abstract(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(readable abstract, urls, keywords): label, LaTeX, obfuscation and a Keywords tail handled."""
    text = clean_text(_ABSTRACT_LABEL.sub("", text, count=1))
    text, keywords = split_keywords(text)
    return text, find_urls(text), keywords


def merge_unique(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out.extend(item for item in group if item and item not in out)
    return tuple(out)


def author_key(name: str) -> str:
    """Case-, accent-, space- and hyphen-insensitive form of a name: 'Seung jae Shin' == 'Seungjae Shin'."""
    name = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in name.lower() if ch.isalnum() and not unicodedata.combining(ch))


def split_authors(text: str) -> tuple[tuple[str, ...], bool]:
    """Names from 'A, B and C' / 'A; B' / 'A, B, C et al.'; the flag says the list was cut ('et al.')."""
    text = collapse(text)
    truncated = bool(_ET_AL.search(text))
    text = _ET_AL.sub("", text)
    parts = text.split(";") if ";" in text else _AND.sub(", ", text).split(",")
    names = tuple(collapse(p).strip(" .") for p in parts if collapse(p).strip(" ."))
    return names, truncated


def looks_like_title(text: str) -> bool:
    """Short, and not a sentence: titles rarely end with a full stop; abstracts almost always do."""
    text = text.strip()
    return 0 < len(text) <= 300 and not text.endswith(".") and len(text.split()) <= 40


class NameCanonicalizer:
    """Maps spelling variants of a name to the first spelling seen ('Seung jae Shin' -> 'Seungjae Shin')."""

    def __init__(self, *seed: str) -> None:
        self._seen: dict[str, str] = {}
        for name in seed:
            self(name)

    def __call__(self, name: str) -> str:
        return self._seen.setdefault(author_key(name) or name, name)
