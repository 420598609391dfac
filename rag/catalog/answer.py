"""Write a catalog answer from the records: lists, counts and one paper's facts, each paper cited by its metadata."""

from __future__ import annotations

from rag.catalog.table import UNKNOWN, CatalogTable, Selection
from rag.types import Answer, CatalogQuery, Citation, Filters, Paper, Passage

LISTED = 25  # papers written out in the text; all matches are still counted and ranked in `passages`


def metadata_line(paper: Paper) -> str:
    """The evidence a catalog answer shows: "metadata: 43 authors, 2024-05-02, category CV, code"."""
    parts = []
    if paper.authors:
        shown = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 or paper.authors_truncated else "")
        count = f"{len(paper.authors)} authors listed" if paper.authors_truncated else f"{len(paper.authors)} authors"
        parts.append(f"{count} ({shown})")
    elif paper.author_count is not None:
        parts.append(f"{paper.author_count} author{'s' if paper.author_count != 1 else ''} (names not listed)")
    parts.append(paper.date if paper.date and not paper.date.startswith("--") else str(paper.year or "date unknown"))
    if paper.date and paper.date.startswith("--"):
        parts[-1] = f"{paper.date[2:]} (year not shown)"
    if paper.category:
        parts.append(f"category {paper.category}")
    if paper.has_code:
        parts.append("code")
    if paper.upvotes is not None:
        parts.append(f"{paper.upvotes} upvotes")
    orgs = [o for o in (paper.organization, *paper.affiliations) if o]
    if orgs:
        parts.append("organization " + "; ".join(orgs))
    parts.append("source " + ", ".join(paper.sources))
    return "metadata: " + ", ".join(parts)


def write(question: str, query: CatalogQuery, selection: Selection, table: CatalogTable) -> Answer:
    """The Answer: text from the records, one citation per paper named, the matches as ranked passages."""
    papers = [] if query.unknown else [table.papers[r] for r in selection.rows]  # a named value no record has
    citations = tuple(Citation(i + 1, p, metadata_line(p)) for i, p in enumerate(papers[:LISTED]))
    passages = tuple(Passage(i + 1, p, 1.0, (metadata_line(p),), i < LISTED) for i, p in enumerate(papers))
    if query.unknown or not papers:
        text, citations = _empty(query, selection, table), ()
    elif query.intent == "attribute":
        text = _attribute(query, papers)
    else:
        text = _listing(query, selection, papers)
    echo = f"(filtered: {query.describe()})" if query.describe() else ""
    return Answer(
        question=question,
        answer=f"{text}\n\n{echo}".strip(),
        abstained=not citations,
        citations=citations,
        passages=passages,
        filters=_filters(query),
        catalog=query,
    )


def _listing(query: CatalogQuery, selection: Selection, papers: list[Paper]) -> str:
    n = selection.total
    head = {
        "count": f"{n} paper{'s' if n != 1 else ''} in the collection match{'es' if n == 1 else ''}.",
        "list": f"{n} paper{'s' if n != 1 else ''} match{'es' if n == 1 else ''}.",
    }.get(query.intent, "")
    if query.order and query.limit:
        word = query.order.replace("_", " ")
        head = f"The {word} of the {n} matching papers with that field known" + (
            f" ({len(papers)} tied):" if query.limit == 1 and len(papers) > 1 else ":"
        )
    lines = [f"{i}. {p.label} ({_short(p, query)}) [{i}]" for i, p in enumerate(papers[:LISTED], start=1)]
    more = [f"... and {len(papers) - LISTED} more."] if len(papers) > LISTED else []
    return "\n".join([head, *lines, *more, *_caveats(selection)])


def _short(paper: Paper, query: CatalogQuery) -> str:
    bits = [paper.date if paper.date and not paper.date.startswith("--") else str(paper.year or "no date")]
    if (
        query.authors_min is not None
        or query.authors_max is not None
        or query.order in ("most_authors", "fewest_authors")
    ):
        count = len(paper.authors) if paper.authors and not paper.authors_truncated else paper.author_count
        bits.append(_authors(count) if count is not None else f"at least {_authors(len(paper.authors))}")
    if query.author and paper.authors:
        bits.append(
            ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 or paper.authors_truncated else "")
        )
    if query.order in ("most_upvoted", "least_upvoted"):
        bits.append(f"{paper.upvotes} upvotes")
    return ", ".join(bits)


def _attribute(query: CatalogQuery, papers: list[Paper]) -> str:
    lines = []
    for i, paper in enumerate(papers[:LISTED], start=1):
        lines.append(f"{_fact(query.attribute or '', paper)} [{i}]")
    if len(papers) > 1:
        lines.insert(0, f"{len(papers)} papers have that title:")
    return "\n".join(lines)


def _fact(attribute: str, paper: Paper) -> str:
    title = f"\u201c{paper.label}\u201d"
    if attribute in ("first_author", "last_author", "authors") and not paper.authors:
        count = f"; its listing says it has {paper.author_count} authors" if paper.author_count else ""
        return f"The collection does not list the authors of {title}{count}."
    if attribute == "first_author":
        return f"The first author of {title} is {paper.authors[0]}."
    if attribute == "last_author":
        if paper.authors_truncated:
            shown = ", ".join(paper.authors)
            return (
                f"The author list of {title} is cut short (\u201cet al.\u201d), so its last author is unknown: {shown}."
            )
        return f"The last author of {title} is {paper.authors[-1]}."
    if attribute == "authors":
        cut = " (the list is cut short with \u201cet al.\u201d)" if paper.authors_truncated else ""
        return f"The authors of {title} are {', '.join(paper.authors)}{cut}."
    if attribute == "author_count":
        if paper.authors and not paper.authors_truncated:
            return f"{title} has {len(paper.authors)} authors."
        if paper.author_count is not None:
            return f"{title} has {paper.author_count} authors."
        n = len(paper.authors)
        return f"{title} lists {n} authors and \u201cet al.\u201d: at least {n}; the exact number is not shown."
    if attribute == "date":
        if paper.date and not paper.date.startswith("--"):
            return f"{title} is dated {paper.date}."
        return (
            f"{title} is dated {paper.date[2:]} (the listing does not show the year)."
            if paper.date
            else f"The collection has no date for {title}."
        )
    return f"{title}: {metadata_line(paper)}."


def _empty(query: CatalogQuery, selection: Selection, table: CatalogTable) -> str:
    """Why nothing matched: the named value is not in the collection, or which fields are missing from records."""
    reasons = []
    for unknown in query.unknown:
        field, _, value = unknown.partition(" ")
        if field == "author":
            reasons.append(f"No paper in the collection lists an author named {value}.")
        elif field == "organization":
            names = table.organizations.values
            listed = "; ".join(f"{v} ({table.organizations.count(v)})" for v in names[:12])
            total = int(table.organizations.mask(set(names)).sum())
            reasons.append(
                f"No paper in the collection lists an affiliation with {value}; "
                f"{total} papers name an organization: {listed}."
            )
        elif field == "category":
            cats = ", ".join(f"{c} ({table.categories.count(c)})" for c in table.categories.values)
            reasons.append(f"No paper in the collection is in category {value}; the categories present are {cats}.")
        else:
            reasons.append(f"No paper in the collection has {unknown}.")
    if not reasons:
        described = query.describe() or "that"
        reasons.append(f"No paper in the collection matches {described}.")
        reasons.extend(_caveats(selection))
    return " ".join(reasons)


def _caveats(selection: Selection) -> list[str]:
    notes = {
        "author count": "{} other papers show no author count and could not be checked.",
        "date": "{} other papers have no known year and were left out.",
        "upvotes": "{} other papers show no upvote count.",
    }
    return [notes[k].format(v) for k, v in selection.unknown_counts.items() if v and k in notes]


def _filters(query: CatalogQuery) -> Filters:
    year = lambda text: int(text[:4]) if text else None  # noqa: E731
    return Filters(
        year_from=year(query.date_from), year_to=year(query.date_to), author=query.author, source=query.source
    )


__all__ = ["UNKNOWN", "metadata_line", "write"]


def _authors(n: int) -> str:
    return "1 author" if n == 1 else f"{n} authors"
