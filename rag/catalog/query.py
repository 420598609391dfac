"""Read a question as a CatalogQuery with rules; every value it names is checked against the records."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.catalog import fields as F
from rag.catalog import rules as R
from rag.catalog.table import CatalogTable, acronym
from rag.catalog.words import ARCHIVE_NAMES, CATEGORY_NAMES, FRAME, archive_of
from rag.text.author_names import fold
from rag.types import ORGANIZATIONS_JOINED, CatalogQuery

CATEGORY_CUE = re.compile(r"\b(?:categor(?:y|ies|ised|ized)|arxiv|tagged|classified)\b", re.I)


@dataclass(frozen=True)
class Cues:
    """What the rules noticed but could not resolve to a value: the only fields the LLM fallback may fill. Author
    names are not among them: the records' own names are looked up in the question (any case), and a free-text
    JSON string made the grammar-constrained sampling 20-50 s slow (measured on SmolLM2 and 2 busy cores)."""

    category: bool = False
    organization: bool = False

    def any(self) -> bool:
        return self.category or self.organization


def parse(question: str, table: CatalogTable) -> tuple[CatalogQuery | None, Cues]:
    """The catalog query a question asks, or None when it is a question about the papers' content."""
    text = R.CONTRACTION.sub(r"\1 is", " ".join(question.split()))
    spans: list[str] = []
    q = _attribute(text, table, spans)
    if q is None:
        q = CatalogQuery(intent="count" if R.COUNT.search(text) else "list")
    elif q.title:  # the rest of the question is read without the title, which may hold any words
        text = re.sub(re.escape(q.title), " ", text, flags=re.I)
    q = F.read_author_count(text, q, spans)
    q = F.read_order(text, q, spans)
    q = F.read_code(text, q, spans)
    q = F.read_dates(text, q, spans)
    q = _collection_year(text, q, table, spans)
    q = F.read_source(text, q, spans)
    q, org_cue = _organization(text, q, table, spans)
    q, category_cue = _category(text, q, table, spans)
    q = _author(text, q, table, spans)
    q = replace(q, topic=_topic(text, spans, q))
    cues = Cues(category=category_cue, organization=org_cue)
    if is_catalog_question(text, q):
        return q, cues
    if cues.any() and R.PLURAL_LIST.search(text):  # "papers by changdae oh": the model may find what was meant
        return q, cues
    return None, Cues()


def is_catalog_question(text: str, q: CatalogQuery) -> bool:
    """Catalog-only constraints make it one, and so does counting; an author, date or organization does only when no
    topic is left ("which 2022 papers list X as an author"), since "what did X propose for Y" asks for content."""
    if q.intent == "attribute" and q.title:
        return True
    specific = (q.authors_min, q.authors_max, q.order, q.has_code, q.category, q.source)
    if any(v is not None for v in specific) or (q.author and q.author_position != "any"):
        return True
    if q.organization and not q.topic:
        return True
    if q.intent == "count":  # "how many papers ...": a number only the records give
        return True
    asked = q.author or q.date_from or q.date_to or q.unknown
    if q.topic:  # "which 2023 papers discuss X", "what did the X lab publish about Y" ask what the papers say:
        return False  # the retrieval path (with its year and author filters) ranks them by meaning, not by words
    return bool(asked)  # nothing but catalog constraints: "everything by X", "papers after 2023"


def _attribute(text: str, table: CatalogTable, spans: list[str]) -> CatalogQuery | None:
    """ "Who is the first author of X", "how many authors does X have", "when was X published": one paper's fact."""
    for pattern, attribute in (
        (R.FIRST_AUTHOR_OF, "first_author"),
        (R.LAST_AUTHOR_OF, "last_author"),
        (R.COUNT_OF, "author_count"),
        (R.WHEN_OF, "date"),
        (R.AUTHORS_OF, "authors"),
    ):
        m = pattern.search(text)
        if not m:
            continue
        title = _title_of(m.group("title"), table)
        if title is None:
            continue
        spans.append(m.group(0))
        return CatalogQuery(intent="attribute", attribute=attribute, title=title)
    return None


def _title_of(raw: str, table: CatalogTable) -> str | None:
    """The paper title a question names (quoted or not), if a record's title is it or contains it."""
    cleaned = raw.strip().strip("?.!").strip()
    quoted = re.search(r"[\"“‘'](.+?)[\"”’']", cleaned)
    candidates = [quoted.group(1)] if quoted else []
    candidates += [
        re.sub(
            r"^(?:the\s+)?(?:paper|article|work|publication)\s+(?:called|titled|named|on)?\s*", "", cleaned, flags=re.I
        )
    ]
    for candidate in candidates:
        candidate = candidate.strip(" \"“”'’,:")
        if len(candidate) < 4:
            continue
        if table.title_mask(candidate).any():
            return candidate
        head = candidate.split(":")[0].strip()  # "BlackVIP" names "BlackVIP: Black-Box Visual Prompting ..."
        if len(head) >= 4 and head != candidate and table.title_mask(head).any():
            return head
    return None


def _organization(text: str, q: CatalogQuery, table: CatalogTable, spans: list[str]) -> tuple[CatalogQuery, bool]:
    """Organizations the records name, several joined ("CMU / UW", "Adobe, CMU or UW": papers with any of them); a cue
    ("university", "affiliated") with no known value is said."""
    spans.extend(m.group(0) for m in R.AFFILIATION_VERB.finditer(text))  # "carry a CMU affiliation": frame, no topic
    text = re.sub(r"(?<=\w)/(?=\w)", " / ", text)  # "CMU/UW" names two
    for m in R.ORG_SPAN.finditer(text):
        # a name is shortened to an acronym only where an affiliation is written ("at Carnegie Mellon", "a Carnegie
        # Mellon affiliation")
        affiliation = bool(
            re.search(r"\b(?:from|at|with|of|by|in)\s+(?:the\s+)?$", text[: m.start(1)])
            or R.NAMES_BEFORE_AFFILIATION.match(text, m.start(1))
        )
        if names := _organizations_from(text, m.start(1), table, affiliation):
            spans.extend(names)
            return replace(q, organization=ORGANIZATIONS_JOINED.join(names)), False
    if R.ORG_CUE.search(text):
        asked = _org_phrase(text)
        if asked:  # a named organization no record lists is said, not guessed at by the model
            return replace(q, unknown=(*q.unknown, f"organization {asked}")), False
        return q, True
    return q, False


def _organizations_from(text: str, start: int, table: CatalogTable, abbreviations: bool) -> list[str]:
    """The known organization named at `start` and those joined to it by "/", ",", "or", "and"."""
    names: list[str] = []
    while name := _organization_at(text[start:], table, abbreviations):
        names.append(name)
        if not (joined := R.ORG_JOIN.match(text, start + len(name))):
            break
        start = joined.end()
    return names


def _organization_at(text: str, table: CatalogTable, abbreviations: bool) -> str | None:
    """The longest run of capitalized words at the start of `text` that names a known organization."""
    words = text.split()[:8]
    for size in range(len(words), 0, -1):
        name = " ".join(words[:size]).strip(" ,.?!()/")
        if not name or name.split()[-1].lower() in {"of", "the", "and", "for"} or not name[:1].isupper():
            continue
        if size == 1 and name.lower() not in {v.lower() for v in table.organizations.values} | {
            acronym(v) for v in table.organizations.values
        }:
            continue  # one word ("Data", "Research") names an organization only as its whole name or acronym
        if table.organizations_matching(name, abbreviations) and not table.authors_named(name):
            return name
    return None


def _without_organizations(text: str, q: CatalogQuery) -> str:
    """The question without the organizations read: "LG AI Research" names neither the LG category nor an author."""
    for name in q.organizations():
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.I)
    return text


def _org_phrase(text: str) -> str | None:
    m = re.search(
        r"\b(?:from|at|with|by)\s+(?:the\s+)?((?:[A-Z][\w&.'-]*\s*)(?:(?:of|the|and|for|[A-Z][\w&.'-]*)\s*)*)", text
    )
    return m.group(1).strip() if m else None


def _category(text: str, q: CatalogQuery, table: CatalogTable, spans: list[str]) -> tuple[CatalogQuery, bool]:
    text = _without_organizations(text, q)  # "LG AI Research" names an organization, not the LG category
    folded = fold(text)
    found = _category_after_archive(folded) or _category_named(text, folded)
    if found is None:
        return q, bool(CATEGORY_CUE.search(text))
    code, phrase = found
    spans.append(phrase)
    if table.categories.count(code):
        return replace(q, category=code), False
    return replace(q, unknown=(*q.unknown, f"category {code}")), False


def _category_after_archive(folded: str) -> tuple[str, str] | None:
    """A category named after its arXiv archive ("statistics methodology papers", "Computer Science - Computer
    Vision"): the archive is part of the phrase, not a topic, and it picks the category ("statistics machine learning"
    is stat.ML, not cs.LG; "statistics methodology" is stat.ME, not stat.ML's "statistics"). Written as arXiv writes
    it, with a dash, it names the category wherever it stands, like "stat.ME"."""
    for code, names in CATEGORY_NAMES.items():
        archive = "|".join(ARCHIVE_NAMES[archive_of(code)])
        for name in (re.escape(n) for n in names if "." not in n):
            arxiv_label = re.search(rf"(?<![\w.-])(?:{archive})\s*[-–]\s*{name}\b", folded)
            phrase = arxiv_label.group(0) if arxiv_label else _names_category(rf"(?:{archive})\s+{name}", folded)
            if phrase:
                return code, phrase
    return None


def _category_named(text: str, folded: str) -> tuple[str, str] | None:
    """A category named by its name or code: ("CV", "vision") for "vision papers", ("CV", "CV") for "CV papers"."""
    for code, names in CATEGORY_NAMES.items():
        for name in names:  # "cs.LG", "stat.ML" name a category wherever they stand
            dotted = re.search(rf"(?<![\w.]){re.escape(name)}\b", folded) if "." in name else None
            phrase = dotted.group(0) if dotted else _names_category(re.escape(name), folded)
            if phrase:
                return code, phrase
        if _code_as_category(code, text):
            return code, code
    return None


_KIND = r"(?:papers?|works?|articles?|preprints?|publications?|submissions|categor(?:y|ies)|area|field|research)"

_CLASSIFIED = r"(?:categor(?:y|ies)|field|area|subject|classified\s+(?:as|under)|filed\s+under|tagged)"


def _names_category(name: str, folded: str) -> str | None:
    """The category name where it classifies papers ("vision papers", "the field of robotics", "in the NLP
    category"), not inside a content question ("pruning of vision transformers", "a language model")."""
    modifier = rf"(?<![\w.-])(?P<name>{name})\)?\s+{_KIND}\b"
    head = rf"\b{_CLASSIFIED}\s+(?:of\s+|as\s+)?(?:the\s+)?(?P<name>{name})(?![\w-])"
    m = re.search(modifier, folded) or re.search(head, folded)
    return m.group("name") if m else None


def _code_as_category(code: str, text: str) -> bool:
    """A bare code names a category only in capitals and where a category goes ("CV papers", "category LG",
    "(CL)"), not inside a name ("LG AI Research") or as the word "ai"."""
    after = rf"\b{code}\b(?=\s+(?:papers?|works?|articles?|preprints?|categor(?:y|ies)|area|field)\b|\s*\))"
    tagged = r"(?:tagged|labell?ed|marked|filed\s+under|classified\s+(?:as|under))\s+(?:as\s+)?"
    before = rf"(?:categor(?:y|ies)|\(|cs\.|stat\.|{tagged})\s*{code}\b"
    return bool(re.search(after, text) or re.search(before, text))


# "papers by changdae oh", "written by lecun": someone is named, in a form the name patterns did not read
_BY_SOMEONE = re.compile(
    r"\b(?:papers?|works?|articles?|written|authored|co-?authored|published|everything|anything)\s+by\s+"
    r"(?!(?:one|a|an|the|single|two|three|more|fewer|exactly|at)\b)(?P<who>[a-z][\w'’.-]*(?:\s+[a-z][\w'’.-]*){1,2})",
    re.I,
)


def _author(text: str, q: CatalogQuery, table: CatalogTable, spans: list[str]) -> CatalogQuery:
    cue = R.FIRST_CUE.search(text) or R.LAST_CUE.search(text)
    position = "any" if cue is None else "first" if R.FIRST_CUE.search(text) else "last"
    if cue:
        spans.append(cue.group(0))
    if q.intent == "attribute":
        return q
    text = _without_organizations(text, q)
    for pattern in R.AUTHOR_PATTERNS:
        for m in pattern.finditer(text):
            name = R.clean_name(m.group("name"))
            taken = [u.partition(" ")[2] for u in q.unknown]
            if not name or any(fold(name) in fold(v) for v in taken if v):
                continue
            spans.append(m.group(0))
            if table.authors_named(name):
                return replace(q, author=name, author_position=position)
            return replace(q, unknown=(*q.unknown, f"author {name}"), author_position=position)
    if q.authors_min is None and (name := _name_in_lowercase(text, table)):
        spans.append(name)
        return replace(q, author=name, author_position=position)
    if q.authors_min is None and (by := _BY_SOMEONE.search(text)):
        asked = " ".join(w for w in by.group("who").split() if fold(w) not in FRAME)
        if len(asked.split()) >= 2:  # "papers by yann lecun": a name the records do not list is said
            spans.append(asked)
            return replace(q, unknown=(*q.unknown, f"author {asked}"), author_position=position)
    return replace(q, author_position=position) if position != "any" else q


def _name_in_lowercase(text: str, table: CatalogTable) -> str | None:
    """An author of the records written without capitals ("papers by changdae oh"): runs of 2-3 words that the
    author index knows (looked up by family name, so this stays fast at any collection size)."""
    words = re.findall(r"[\w'’.-]+", text)
    for size in (3, 2):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if any(fold(w) in FRAME for w in run):
                continue
            name = " ".join(run)
            if table.authors_named(name):
                return name
    return None


def _topic(text: str, spans: list[str], q: CatalogQuery) -> str | None:
    """The words no rule used and that are not frame words: "vision papers about diffusion with code" -> "diffusion".
    A used span takes the rest of a word it ends inside ("co-author" of "co-authored"); contractions ("what's")
    and single letters are no topic; a question about one named paper has none."""
    if q.intent == "attribute":
        return None
    rest = text
    values = (q.author, q.organization, q.title, q.category, *(u.partition(" ")[2] for u in q.unknown))
    for used in sorted([*spans, *(v for v in values if v)], key=len, reverse=True):
        tail = r"[\w'’-]*" if used[-1:].isalnum() else ""
        rest = re.sub(rf"(?<![\w-]){re.escape(used.strip())}{tail}", " ", rest, flags=re.I)
    rest = re.sub(r"(?i)['’](?:s|re|ve|ll|d|m)\b|n['’]t\b", " ", rest)
    words = [w for w in re.findall(r"[^\W\d_][\w-]*", rest) if len(w) > 1 and fold(w) not in FRAME]
    return " ".join(words) if words else None


def _collection_year(text: str, q: CatalogQuery, table: CatalogTable, spans: list[str]) -> CatalogQuery:
    """ "In the last year of the collection", "the most recent year", "its first year": the records' own years."""
    if q.date_from or q.date_to or not (m := R.COLLECTION_YEAR.search(text)):
        return q
    years = table.date[table.date != -1] // 10000
    if not len(years):
        return q
    word = " ".join(next(g for g in m.groups() if g).lower().split())
    year = str(int(years.max() if word in R.LATE_WORDS else years.min()))
    spans.append(m.group(0))
    if q.order in ("newest", "oldest") and (R.NEWEST.search(m.group(0)) or R.OLDEST.search(m.group(0))):
        q = replace(q, order=None, limit=None)  # "the most recent year" names a year, not an ordering
    return replace(q, date_from=year, date_to=year)
