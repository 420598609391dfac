"""Word tokens: lowercased, stopwords dropped, English stems (the keyword index and the term checks count these)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer, a bm25s dependency

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    """Lowercased, stopword-free, stemmed word tokens."""
    words = [w for w in WORD.findall(text.lower()) if w not in _stopwords()]
    return list(_stemmer().stemWords(words))
