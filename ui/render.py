"""HTML for chat messages, the sources panel and the corpus tab; every piece of corpus text is escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlparse

from rag.types import Answer, CatalogQuery, CorpusInfo, Filters, Paper, Passage, Retrieved

_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_EXTRA = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;"})

CARET = '<span class="rag-caret">▍</span>'
DRAFT_LABEL = "Draft: checking each claim against its cited abstract…"
VERIFIED_LABEL = "✓ Verified against the cited abstracts"
QUOTED_LABEL = "Quoted from the abstracts: the draft did not verifiably answer the question"
PICKED_LABEL = "The paper the question describes, quoted from its abstract"
CATALOG_LABEL = "✓ Computed from the paper records (metadata), not from abstract text"
ABSTAIN_TITLE = "Not answered by this collection"
RETRIEVED_LABEL = "Retrieved, not yet verified: the answer is being written and checked"
PANEL_TITLE = '<h2 class="rag-panel-title">Sources</h2>'
EMPTY_SOURCES = (
    f'<div class="rag-sources rag-empty">{PANEL_TITLE}<p>Ask a question: the papers cited in the answer appear '
    "here, with the supporting sentence highlighted in each abstract.</p></div>"
)


def esc(text: object) -> str:
    """Text as inert HTML: tags, quotes and template/markdown/LaTeX metacharacters become entities."""
    return html.escape(str(text), quote=True).translate(_EXTRA)


def _lines(text: str) -> str:
    return "<br>".join(esc(line) for line in text.strip().splitlines())


def chat_html(
    text: str, kind: str = "answer", title: str | None = None, caret: bool = False, label: str = "", extra: str = ""
) -> str:
    """A chat message as one HTML block (no blank lines, so markdown leaves it alone); [n] markers styled.

    `label` is a small muted line above the text (an HTML piece made here), `extra` trusted HTML after it."""
    body = _CITE.sub(r'<span class="rag-cite">[\1]</span>', _lines(text)) if text.strip() else ""
    head = f'<div class="rag-notice-title">{esc(title)}</div>' if title else ""
    return f'<div class="rag-msg rag-{kind}">{label}{head}{body}{CARET if caret else ""}{extra}</div>'


def _label(text: str, kind: str) -> str:
    return f'<div class="rag-label rag-label-{kind}">{esc(text)}</div>'


def draft_html(text: str) -> str:
    """The model's streaming draft, labelled as unchecked, with the caret."""
    return chat_html(text, "streaming", caret=True, label=_label(DRAFT_LABEL, "draft"))


def dropped_html(claims: Sequence[str]) -> str:
    """The draft's claims the citation check removed, collapsed; empty when none were."""
    if not claims:
        return ""
    items = "".join(f"<li>{_lines(c)}</li>" for c in claims)
    noun = "claim" if len(claims) == 1 else "claims"
    return (
        f'<details class="rag-dropped"><summary>{len(claims)} {noun} removed: not supported by the cited abstract'
        f"</summary><ul>{items}</ul></details>"
    )


def answer_html(answer: Answer) -> str:
    """The checked answer that replaces the draft: a verified (or quoted) label or the abstention notice, then the
    removed claims collapsed."""
    dropped = dropped_html(answer.dropped_claims)
    if answer.abstained:
        return chat_html(answer.answer, "abstain", title=ABSTAIN_TITLE, extra=dropped)
    if answer.quoted:
        quoted = PICKED_LABEL if "pick" in answer.answerability else QUOTED_LABEL
        return chat_html(answer.answer, "answer", label=_label(quoted, "quoted"), extra=dropped)
    verified = CATALOG_LABEL if answer.catalog is not None else VERIFIED_LABEL
    return chat_html(answer.answer, "answer", label=_label(verified, "verified"), extra=dropped)


def user_html(text: str) -> str:
    """The user's question, shown literally."""
    return f'<div class="rag-msg rag-question">{_lines(text)}</div>'


def highlight(abstract: str, evidence: str) -> str:
    """The escaped abstract with the evidence sentence wrapped in <mark>, matched loosely on whitespace and case."""
    words = evidence.split()
    match = None
    if words:
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, abstract) or re.search(pattern, abstract, re.IGNORECASE)
    if match is None:
        quote = f'<blockquote class="rag-evidence">{esc(evidence)}</blockquote>' if words else ""
        return f"{quote}{esc(abstract)}"
    start, end = match.span()
    return f"{esc(abstract[:start])}<mark>{esc(abstract[start:end])}</mark>{esc(abstract[end:])}"


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, href) pairs for the paper: http(s) URLs only, plus its arXiv abstract page."""
    links: list[tuple[str, str]] = []
    if paper.arxiv_id and _ARXIV_ID.match(paper.arxiv_id):
        links.append((f"arXiv:{paper.arxiv_id}", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    for url in paper.urls:
        url = url.strip()
        if re.match(r"^https?://[^\s\"'<>]+$", url, re.IGNORECASE) and all(url != h for _, h in links):
            links.append((urlparse(url).hostname or "link", url))
    return links


def _authors(paper: Paper) -> str:
    if not paper.authors:
        return "unknown authors"
    names = list(paper.authors[:6])
    more = paper.authors_truncated or len(paper.authors) > 6
    return ", ".join(names) + (" et al." if more else "")


def paper_meta(paper: Paper) -> str:
    """One line: authors · year · source files · links."""
    parts = [f'<span class="rag-authors">{esc(_authors(paper))}</span>']
    parts.append(f"<span>{esc(paper.year) if paper.year else 'year unknown'}</span>")
    if paper.sources:
        files = ", ".join(f"<code>{esc(s)}</code>" for s in paper.sources)
        parts.append(f'<span class="rag-files">from {files}</span>')
    for label, href in paper_links(paper):
        parts.append(f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>')
    return '<div class="rag-meta">' + " · ".join(parts) + "</div>"


def paper_card(paper: Paper, badge: str | None = None, evidence: str | None = None, score: float | None = None) -> str:
    """A paper as a card: badge, title, meta line and the abstract (evidence highlighted when given)."""
    badge_html = f'<span class="rag-badge">{esc(badge)}</span> ' if badge else ""
    score_html = f' <span class="rag-score">score {score:.2f}</span>' if score is not None else ""
    abstract = highlight(paper.abstract, evidence) if evidence else esc(paper.abstract)
    return (
        f'<article class="rag-card" data-doc-id="{esc(paper.doc_id)}">'
        f'<div class="rag-title">{badge_html}{esc(paper.label)}{score_html}</div>'
        f'{paper_meta(paper)}<p class="rag-abstract">{abstract}</p></article>'
    )


def filters_html(filters: Filters, passages: Iterable[Passage] = ()) -> str:
    """The filters applied to retrieval (given or recognised in the question) as chips; a paper filter by the
    paper's title when it is among the passages."""
    chips = []
    if filters.year_from is not None and filters.year_to is not None:
        chips.append(f"years {esc(filters.year_from)}–{esc(filters.year_to)}")
    elif filters.year_from is not None:
        chips.append(f"from {esc(filters.year_from)}")
    elif filters.year_to is not None:
        chips.append(f"until {esc(filters.year_to)}")
    if filters.author:
        chips.append(f"author: {esc(filters.author)}")
    if filters.source:
        chips.append(f"source: {esc(filters.source)}")
    if filters.paper:
        paper = next((p.paper.label for p in passages if p.paper.doc_id == filters.paper), filters.paper)
        chips.append(f"paper: {esc(paper)}")
    if not chips:
        return '<div class="rag-filters">Filters: none</div>'
    spans = "".join(f' <span class="rag-chip">{c}</span>' for c in chips)
    return f'<div class="rag-filters">Filters:{spans}</div>'


def catalog_html(query: CatalogQuery) -> str:
    """How a question about the collection itself was read ("filtered: first author = J. Doe, has code") and
    any value it named that no record has, so a misreading is visible."""
    described = query.describe() or "every paper"
    how = "rules and the model" if query.parsed_by == "rules+llm" else "rules"
    unknown = "".join(f' <span class="rag-chip">not in the collection: {esc(u)}</span>' for u in query.unknown)
    return f'<div class="rag-filters">Answered from the catalog ({how}), filtered: {esc(described)}{unknown}</div>'


def _passage_cards(passages: Iterable[Passage]) -> str:
    return "".join(
        paper_card(p.paper, badge=f"#{p.rank}", evidence=p.evidence[0] if p.evidence else None, score=p.score)
        for p in passages
    )


def stats_html(answer: Answer) -> str:
    """Which generator answered, how long it took, and the follow-up rewritten as a standalone question."""
    facts = []
    if answer.models.get("generator"):
        facts.append(f"model {esc(answer.models['generator'])}")
    if answer.timings_ms.get("total"):
        facts.append(f"{answer.timings_ms['total'] / 1000:.1f} s")
    rewritten = answer.standalone_question
    if rewritten and rewritten.strip() != answer.question.strip():
        facts.append(f"searched for “{esc(rewritten)}”")
    return f'<div class="rag-stats">{" · ".join(facts)}</div>' if facts else ""


def sources_html(answer: Answer) -> str:
    """The sources panel for one answer: filters, cited papers, then the other retrieved papers collapsed."""
    filters = catalog_html(answer.catalog) if answer.catalog else filters_html(answer.filters, answer.passages)
    parts = ['<div class="rag-sources">', PANEL_TITLE, filters, stats_html(answer)]
    if answer.abstained:
        parts.append(
            '<div class="rag-notice">The collection does not answer this question. '
            f"Closest papers ({len(answer.passages)}):</div>"
        )
        parts.append(_passage_cards(answer.passages) or "<p>No papers matched.</p>")
    else:
        parts.append(f'<h3 class="rag-heading">Cited papers ({len(answer.citations)})</h3>')
        parts.extend(paper_card(c.paper, badge=f"[{c.n}]", evidence=c.evidence) for c in answer.citations)
        cited = {c.paper.doc_id for c in answer.citations}
        others = [p for p in answer.passages if p.paper.doc_id not in cited]
        if others:
            parts.append(
                f'<details class="rag-more"><summary>Other retrieved papers, not cited ({len(others)})'
                f"</summary>{_passage_cards(others)}</details>"
            )
    parts.append("</div>")
    return "".join(parts)


def retrieved_sources_html(retrieved: Retrieved) -> str:
    """The sources panel as soon as retrieval returns, while the answer is written: the retrieved papers, marked as
    not yet verified (the checked answer then shows which of them it cites)."""
    cards = _passage_cards(retrieved.passages) or "<p>No paper matched the question and filters.</p>"
    return (
        f'<div class="rag-sources rag-retrieved">{PANEL_TITLE}{filters_html(retrieved.filters, retrieved.passages)}'
        f"{_label(RETRIEVED_LABEL, 'retrieved')}"
        f'<h3 class="rag-heading">Retrieved papers ({len(retrieved.passages)})</h3>{cards}</div>'
    )


def pending_sources_html() -> str:
    """Placeholder while an answer streams."""
    return (
        f'<div class="rag-sources rag-empty">{PANEL_TITLE}<p>Searching the collection and writing the answer…</p></div>'
    )


def error_sources_html(message: str) -> str:
    """Sources panel after a failed question."""
    return f'<div class="rag-sources">{PANEL_TITLE}<div class="rag-notice rag-error">{_lines(message)}</div></div>'


def corpus_html(info: CorpusInfo) -> str:
    """Totals and a table of paper counts per source file."""
    rows = "".join(
        f"<tr><td><code>{esc(name)}</code></td><td class='rag-num'>{count}</td></tr>"
        for name, count in sorted(info.sources.items())
    )
    return (
        f'<div class="rag-corpus"><p class="rag-total"><strong>{info.papers_total}</strong> papers indexed '
        f"({info.chunks_total} chunks) from {len(info.sources)} source file(s).</p>"
        f'<table class="rag-table"><thead><tr><th>Source file</th><th>Papers</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def paper_list_html(papers: Sequence[Paper], query: str) -> str:
    """Title search results as compact cards."""
    if not query.strip():
        return '<div class="rag-results rag-empty"><p>Type part of a title to search the indexed papers.</p></div>'
    if not papers:
        return f'<div class="rag-results"><p>No paper title matches “{esc(query)}”.</p></div>'
    cards = "".join(
        f'<article class="rag-card rag-compact"><div class="rag-title">{esc(p.label)}</div>{paper_meta(p)}</article>'
        for p in papers
    )
    return f'<div class="rag-results"><p>{len(papers)} paper(s) match “{esc(query)}”.</p>{cards}</div>'


def notice_html(message: str, kind: str = "info") -> str:
    """A boxed message (info, ok, error)."""
    return f'<div class="rag-notice rag-{esc(kind)}">{_lines(message)}</div>'


def ingest_report_html(name: str, report: dict[str, Any], accepted: bool) -> str:
    """The ingest report: counts, totals, time and any skipped records."""
    if accepted:
        head = (
            f"<strong>{esc(name)}</strong> ingested: {esc(report.get('added', 0))} added, "
            f"{esc(report.get('updated', 0))} updated, {esc(report.get('unchanged', 0))} unchanged, "
            f"{esc(report.get('removed', 0))} removed. The store now holds {esc(report.get('papers_total', '?'))} "
            f"papers ({esc(report.get('chunks_total', '?'))} chunks); took {esc(report.get('seconds', '?'))} s."
        )
    else:
        head = f"<strong>{esc(name)}</strong> was rejected; the store is unchanged."
    skipped = report.get("skipped") or []
    rows = "".join(
        f"<tr><td><code>{esc(s.get('path', ''))}</code></td><td class='rag-num'>{esc(s.get('line') or '')}</td>"
        f"<td>{esc(s.get('reason', ''))}</td></tr>"
        for s in skipped
        if isinstance(s, dict)
    )
    table = (
        f'<p>Skipped records ({len(skipped)}):</p><table class="rag-table"><thead><tr><th>File</th><th>Line</th>'
        f"<th>Reason</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    kind = "ok" if accepted else "error"
    return f'<div class="rag-notice rag-{kind}"><p>{head}</p>{table}</div>'
