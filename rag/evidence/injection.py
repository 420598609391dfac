"""Tell sentences of corpus text that address the model (prompt injection) from sentences that describe research."""

from __future__ import annotations

import re

# An abstract states findings; it never tells its reader what to answer. Each pattern is something no abstract of
# the bundled corpus says (tests/test_reliability_injection.py checks all 628), and injected text needs to say.
_ADDRESSES_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,60}?"
    r"\b(?:evidence|instructions?|context|above|previous|prior|rules|prompt|abstracts?|sources?|everything)\b"
    r"|\b(?:answer|reply|respond|say|output|print|write)\b(?:\s+(?:only|just|exactly))?"
    r"(?:\s+(?:with|that|this))?\s*(?::|['\u2018](?!s\b)|[\"\u201c])"
    r"|(?:^|[\s>])(?:system|assistant|user)\s*:"
    r"|\byou\s+(?:must|should|are\s+(?:to|required)|will\s+now|have\s+to)\b"
    r"|\b(?:as\s+an?\s+(?:ai|language\s+model|assistant))\b"
    r"|\[/?INST\]|<\|?(?:im_start|im_end|system|endoftext)\|?>",
    re.IGNORECASE,
)


def addresses_model(sentence: str) -> bool:
    """True for a sentence that instructs whoever reads it (ignore the evidence, answer 'X', SYSTEM: ...).
    Such a sentence is not evidence: a claim it 'states' was put there to be repeated."""
    return bool(_ADDRESSES_MODEL.search(sentence))
