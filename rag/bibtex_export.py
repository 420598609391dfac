"""BibTeX export of cited papers: stable keys, arXiv eprint fields, LaTeX-escaped text (pylatexenc's adapter)."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from pylatexenc.latexencode import (
    RULE_REGEX,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
    get_builtin_conversion_rules,
)

from rag.record import PaperRecord
from rag.text.author_names import split_name


class Paper(PaperRecord, Protocol):
    """A record with its id: what an entry is made of (a Protocol, because rag.types loads this module for
    Answer.to_bibtex())."""

    @property
    def doc_id(self) -> str: ...


_ARXIV_ID = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:\-]\s*)(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
_BARE_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}")
_ARXIV_CLASS = re.compile(r"[a-z\-]+\.[A-Za-z\-]+|[a-z\-]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# words skipped for the key's title word, as Google Scholar does ("A Survey of X" -> "survey")
_SKIP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "from", "at", "by", "is", "are", "we"}
_AND = re.compile(r"(?<=\s)and(?=\s)", re.IGNORECASE)
# Before pylatexenc's defaults: straight quotes stay as typed (it writes '' for ", a closing quote); superscript
# digits and the ellipsis as plain LaTeX that any reader knows (instead of \textthreesuperior, \textellipsis).
_OWN_RULES = UnicodeToLatexConversionRule(
    RULE_REGEX,
    [
        (re.compile(r"(\")"), r"\1"),
        (re.compile("\u00b9"), r"\\ensuremath{^{1}}"),
        (re.compile("\u00b2"), r"\\ensuremath{^{2}}"),
        (re.compile("\u00b3"), r"\\ensuremath{^{3}}"),
        (re.compile("\u2026"), r"\\ldots{}"),
    ],
)
_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[_OWN_RULES, *get_builtin_conversion_rules("defaults")],
    replacement_latex_protection="braces",
    unknown_char_policy="keep",  # an emoji or a rare script stays as UTF-8, which biber and modern BibTeX read
    unknown_char_warning=False,
)
logging.getLogger("pylatexenc").setLevel(logging.ERROR)


def latex(text: str) -> str:
    """Unicode text as LaTeX: accents as commands (é -> \\'e), the special characters & % $ # _ { } ~ ^ \\ escaped."""
    return str(_ENCODER.unicode_to_latex(" ".join(text.split())))


def arxiv_id(paper: Paper) -> str | None:
    """The paper's arXiv identifier (version dropped): its arxiv_id field, an `arxiv-` doc_id, or an arXiv URL."""
    if paper.arxiv_id and _BARE_ARXIV_ID.fullmatch(paper.arxiv_id.strip()):
        return paper.arxiv_id.strip()
    if paper.doc_id.startswith("arxiv-") and _BARE_ARXIV_ID.fullmatch(paper.doc_id.removeprefix("arxiv-")):
        return paper.doc_id.removeprefix("arxiv-")
    for url in paper.urls:
        if match := _ARXIV_ID.search(url):
            return match.group(1)
    return None


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower())


def base_key(paper: Paper) -> str:
    """The arXiv id, else first author's family name + year + first content word of the title (of the abstract for
    an untitled paper): "oh2023blackvip"; "anon" when no author is known, no year when none is."""
    found = arxiv_id(paper)
    if found:
        return found
    parts = split_name(paper.authors[0]) if paper.authors else None
    surname = _ascii_word(parts.family) if parts else ""
    words = [_ascii_word(w) for w in re.split(r"[\s\-–—:/]+", paper.title or paper.abstract)]
    word = next((w for w in words if w and w not in _SKIP), "")
    return f"{surname or 'anon'}{paper.year or ''}{word}"


def keys(papers: Iterable[Paper]) -> dict[str, str]:
    """doc_id -> citation key. Keys that several papers of the file share all get a suffix from their doc_id's hash,
    so a paper's key never depends on the order it was cited in."""
    by_key: dict[str, list[str]] = {}
    for paper in papers:
        ids = by_key.setdefault(base_key(paper), [])
        if paper.doc_id not in ids:
            ids.append(paper.doc_id)
    out: dict[str, str] = {}
    for key, ids in by_key.items():
        for doc_id in ids:
            suffix = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:6]
            out[doc_id] = key if len(ids) == 1 else f"{key}-{suffix}"
    return out


def _protect_case(title: str) -> str:
    """Words with a capital after their first letter (acronyms, names: BlackVIP, GPT-4) in braces, so a style that
    lower-cases titles keeps them."""
    words = []
    for word in title.split():
        match = re.fullmatch(r"(\W*)(.*?)(\W*)", word)
        lead, core, tail = match.groups() if match else ("", word, "")
        protect = any(ch.isupper() for ch in core[1:])
        words.append(latex(lead) + (f"{{{latex(core)}}}" if protect else latex(core)) + latex(tail))
    return " ".join(words)


def _person(name: str) -> str:
    """A name as BibTeX reads it: a name with a comma stays whole in braces; a literal "and" is braced."""
    text = _AND.sub("{and}", latex(name))
    return f"{{{text}}}" if "," in name else text


def entry(paper: Paper, key: str) -> str:
    """One @misc entry: title, authors, year/month/date, abstract, arXiv eprint fields, URL, keywords."""
    fields: list[tuple[str, str]] = []
    if paper.title:
        fields.append(("title", _protect_case(paper.title)))
    if paper.authors:
        people = [_person(a) for a in paper.authors] + (["others"] if paper.authors_truncated else [])
        fields.append(("author", " and ".join(people)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    date = paper.date or ""
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", date):
        fields.append(("month", _MONTHS[int(date[5:7]) - 1]))
        fields.append(("date", date))
    found = arxiv_id(paper)
    if found:
        fields += [("eprint", found), ("archivePrefix", "arXiv")]
        if paper.category and _ARXIV_CLASS.fullmatch(paper.category) and "." in paper.category:
            fields.append(("primaryClass", paper.category))
    url = next((u for u in paper.urls if u.startswith(("http://", "https://"))), None)
    if url is None and found:
        url = f"https://arxiv.org/abs/{found}"
    if url:
        fields.append(("url", url.replace("{", "%7B").replace("}", "%7D")))
    if paper.organization:
        fields.append(("organization", latex(paper.organization)))
    if paper.keywords:
        fields.append(("keywords", latex(", ".join(paper.keywords))))
    if not paper.title:
        head = " ".join(paper.abstract.split()[:12])
        fields.append(("note", latex(f"Untitled in the collection; the abstract begins: {head}…")))
    fields.append(("abstract", latex(paper.abstract)))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def to_bibtex(papers: Iterable[Paper]) -> str:
    """A .bib file of the papers (each once, in the order given); empty text for no papers."""
    unique = list({p.doc_id: p for p in papers}.values())
    named = keys(unique)
    return "\n".join(entry(p, named[p.doc_id]) for p in unique)
