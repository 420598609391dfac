"""LLM fallback for catalog questions: fill only the fields whose cue the rules saw, from the values that exist.

Measured (issue 17): a plain 12-field JSON-schema parse by the 1.5B model took 5.9 s and was mostly wrong (author
counts and "first author" set where none was asked, topics put in the category). So the model is asked only about
fields the rules saw a cue for but could not resolve, each an enum of the catalog's own values (category codes,
organization names; author names are looked up by the rules, see catalog_query.Cues), after a fixed prefix of worked
examples that the KV cache keeps.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from rag.catalog.query import CATEGORY_NAMES, Cues
from rag.catalog.table import CatalogTable
from rag.errors import GenerationError
from rag.protocols import Generator
from rag.types import CatalogQuery

log = logging.getLogger(__name__)
NONE = "none"
INSTRUCTIONS = (
    "You read a question about a collection of research papers and fill in only the requested fields as JSON. "
    'Choose a value only when the question clearly asks for it; otherwise answer "none". '
    "category: the paper category the question asks for (a field of research), from the allowed codes. "
    "organization: the university, company or lab the question asks for, from the allowed names.\n\n"
    "Examples (other collections):\n"
    'Q: Which of the robot learning papers are here? fields: category -> {"category": "RO"}\n'
    'Q: papers in the stats methodology area? fields: category -> {"category": "ME"}\n'
    'Q: diffusion papers with code? fields: category -> {"category": "none"}\n'
    'Q: which works come out of Carnegie Mellon? fields: organization -> {"organization": "cmu"}\n'
    'Q: papers written at a hospital? fields: organization -> {"organization": "none"}\n'
)
MAX_OPTIONS = 60  # the most common organizations only: every option is read by the model and built into the grammar


def prefix(table: CatalogTable) -> str:
    """Instructions, examples and this collection's values: the same for every question of a store revision, so
    llama.cpp keeps it in the KV cache and a question costs only its own few tokens."""
    categories = ", ".join(f"{c} ({CATEGORY_NAMES.get(c, (c,))[0]})" for c in table.categories.values)
    return f"{INSTRUCTIONS}\nThis collection's categories: {categories}\nIts organizations: {'; '.join(_orgs(table))}"


def fill(question: str, query: CatalogQuery, cues: Cues, table: CatalogTable, generator: Generator) -> CatalogQuery:
    """The query with the cued fields the model could fill from valid values; unchanged when it cannot."""
    schema = _schema(cues, table)
    if not schema["properties"] or not hasattr(generator, "complete_json"):
        return query
    messages = [
        {"role": "system", "content": prefix(table)},
        {"role": "user", "content": f"Q: {question} fields: {', '.join(schema['properties'])} ->"},
    ]
    try:
        text = generator.complete_json(messages, schema, max_tokens=32)
        proposed = json.loads(text)
    except (GenerationError, ValueError) as exc:
        log.warning("catalog fallback parse failed (%s); the rules' reading stands", exc)
        return query
    return validated(proposed, query, table)


def validated(proposed: dict[str, Any], query: CatalogQuery, table: CatalogTable) -> CatalogQuery:
    """Apply only values that exist in the records (the grammar allows only those, but a backend may not)."""
    filled = False
    category = proposed.get("category")
    if isinstance(category, str) and category != NONE and table.categories.count(category):
        query, filled = replace(query, category=category), True
    org = proposed.get("organization")
    if isinstance(org, str) and org != NONE and org in table.organizations.rows:
        query, filled = replace(query, organization=org, unknown=_without(query.unknown, "organization")), True
    return replace(query, parsed_by="rules+llm") if filled else query


def _orgs(table: CatalogTable) -> list[str]:
    values = table.organizations.values
    return sorted(values, key=lambda v: -table.organizations.count(v))[:MAX_OPTIONS]


def _schema(cues: Cues, table: CatalogTable) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if cues.category and table.categories.values:
        properties["category"] = {"enum": [*table.categories.values, NONE]}
    if cues.organization and table.organizations.values:
        properties["organization"] = {"enum": [*_orgs(table), NONE]}
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _without(unknown: tuple[str, ...], field: str) -> tuple[str, ...]:
    return tuple(u for u in unknown if not u.startswith(field))
