"""The Corpus tab's library as plain data: a row per paper, papers per year, counts by category and source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import quote

from rag.types import Paper
from ui import render

COLUMNS = ["Title", "Authors", "Date", "Category", "Code", "Source file", "ID"]
DATATYPES: list[Literal["str", "markdown"]] = ["str", "str", "str", "str", "markdown", "str", "str"]
UNTITLED = "Untitled: "  # how Paper.label starts for a paper without a title
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


def first_authors(paper: Paper, n: int = 3) -> str:
    """The first n authors, "et al." when there are more (or the listing cut them), or the stated count."""
    if not paper.authors:
        return f"{paper.author_count} authors" if paper.author_count else ""
    more = paper.authors_truncated or len(paper.authors) > n
    return ", ".join(paper.authors[:n]) + (" et al." if more else "")


def code_cell(paper: Paper) -> str:
    """A markdown link to the paper's code (a URL on a code host), "yes" when the listing says it has code, else ""."""
    for label, href in render.paper_links(paper):
        if label.removeprefix("www.") in CODE_HOSTS:
            return f"[code]({quote(href, safe=':/?&=#%~+,;@')})"
    return "yes" if paper.has_code else ""


def row(paper: Paper) -> list[str]:
    """One table row: title, first authors, date, category, code, source files, doc id."""
    date = paper.date if paper.date and not paper.date.startswith("--") else str(paper.year or "")
    return [
        paper.label,
        first_authors(paper),
        date,
        paper.category or "",
        code_cell(paper),
        ", ".join(paper.sources),
        paper.doc_id,
    ]


def table(papers: Sequence[Paper]) -> dict[str, Any]:
    """The library table (newest first) in the shape gr.Dataframe takes."""
    ordered = sorted(papers, key=lambda p: (p.date or str(p.year or ""), p.label), reverse=True)
    return {"headers": COLUMNS, "data": [row(p) for p in ordered] or [[""] * len(COLUMNS)]}


def per_year(papers: Sequence[Paper]) -> list[tuple[str, int]]:
    """(year, papers) oldest first, for the papers whose year is known."""
    return sorted(Counter(str(p.year) for p in papers if p.year).items())


def year_chart(papers: Sequence[Paper]) -> dict[str, Any]:
    """Papers per year as the data gr.BarPlot draws (a nominal year axis, so no year is drawn as 2,023)."""
    return {
        "columns": ["Year", "Papers"],
        "data": [[year, n] for year, n in per_year(papers)],
        "datatypes": {"Year": "nominal", "Papers": "quantitative"},
        "mark": "bar",
    }


def counts(values: Sequence[str | None], missing: str = "none") -> list[tuple[str, int]]:
    """Each value with its count, most common first."""
    return Counter(v or missing for v in values).most_common()


def summary_html(papers: Sequence[Paper]) -> str:
    """Papers with code and without a year, and paper counts by category (the source files are in the overview)."""
    with_code = sum(1 for p in papers if code_cell(p))
    undated = sum(1 for p in papers if not p.year)
    return (
        f'<div class="rag-library-summary"><p class="rag-total">{with_code} of {len(papers)} papers link their code; '
        f"{undated} have no year (not in the chart).</p>"
        f"{_count_table('Category', counts([p.category for p in papers], 'no category'))}</div>"
    )


def _count_table(label: str, pairs: list[tuple[str, int]]) -> str:
    rows = "".join(f"<tr><td>{render.esc(name)}</td><td class='rag-num'>{n}</td></tr>" for name, n in pairs)
    return (
        f'<table class="rag-table rag-counts"><thead><tr><th>{render.esc(label)}</th><th>Papers</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def question_about(label: str) -> str:
    """The question "ask about this paper" puts in the question box for a paper shown as `label`; an untitled paper is
    named by its first words. No "it", "this" or "the paper": those read as a follow-up to the previous answer.
    With the fast model, this template was answered for 4 of 4 papers tried (a bare "the selected paper" abstained)."""
    subject = (
        f"the abstract beginning \u201c{label.removeprefix(UNTITLED)}\u201d"
        if label.startswith(UNTITLED)
        else f"\u201c{label}\u201d"
    )
    return f"Summarize {subject}: problem addressed, proposed approach and main results."


def picked_html(label: str | None) -> str:
    """Which library row is selected for "ask about this paper"."""
    if label is None:
        return '<div class="rag-picked rag-empty">Select a paper in the table to ask about it.</div>'
    return f'<div class="rag-picked">Selected: <strong>{render.esc(label)}</strong></div>'


def paper_filter_html(label: str | None) -> str:
    """The Ask tab's line for the paper filter: questions are answered from this paper alone."""
    if label is None:
        return ""
    return f'<div class="rag-paper-filter">Answering from one paper only: <strong>{render.esc(label)}</strong></div>'
