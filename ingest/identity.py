"""Stable identity of a paper: normalized keys, doc_id and content hash."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ARXIV_ID = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\*?")


def normalize_key(text: str) -> str:
    """Case-, accent-, LaTeX- and punctuation-insensitive form used to match the same text across files."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _LATEX_CMD.sub(" ", text).lower()
    return _NON_WORD.sub(" ", text).strip()


def _digest(text: str, length: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def find_arxiv_id(*texts: str | None) -> str | None:
    """The first arXiv identifier mentioned in URLs or text (version suffix dropped)."""
    for text in texts:
        if text and (match := _ARXIV_ID.search(text)):
            return match.group(1)
    return None


def doc_id_for(title: str | None, abstract: str, arxiv_id: str | None = None) -> str:
    """arXiv id if known, else a hash of the normalized title, else of the normalized abstract."""
    if arxiv_id:
        return f"arxiv-{arxiv_id}"
    if title and normalize_key(title):
        return f"t-{_digest(normalize_key(title))}"
    return f"a-{_digest(normalize_key(abstract))}"


def version_doc_id(base_doc_id: str, abstract: str) -> str:
    """doc_id of a further version: same title, different abstract."""
    return f"{base_doc_id}-{_digest(normalize_key(abstract), 8)}"


def content_hash(*parts: object) -> str:
    """Hash of everything that affects a paper's chunks and metadata; a change triggers re-embedding."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
