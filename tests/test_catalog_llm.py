"""The catalog fallback with a real small model: grammar-constrained JSON, only the cued fields, valid values."""

from __future__ import annotations

import json

import pytest

from rag.catalog import llm as catalog_llm
from rag.catalog.query import parse
from rag.config import Settings
from rag.generation.llama_cpp import LlamaCppGenerator
from tests.test_catalog_query import table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generator() -> LlamaCppGenerator:
    return LlamaCppGenerator("smollm2", Settings())


def test_constrained_json_follows_the_schema(generator) -> None:
    schema = {
        "type": "object",
        "properties": {"category": {"enum": ["CV", "CL", "none"]}},
        "required": ["category"],
        "additionalProperties": False,
    }
    messages = [{"role": "user", "content": "Which category is about images? Answer in JSON."}]
    reply = json.loads(generator.complete_json(messages, schema, max_tokens=24))
    assert set(reply) == {"category"}
    assert reply["category"] in {"CV", "CL", "none"}


def test_fallback_fills_only_cued_fields_with_values_the_records_have(generator) -> None:
    question = "Which papers come out of a Korean AI lab?"
    query, cues = parse(question, table())
    assert query is not None
    assert cues.organization
    filled = catalog_llm.fill(question, query, cues, table(), generator)
    assert filled.category is None
    assert filled.author is None
    assert filled.authors_min is None
    assert filled.organization is None or filled.organization in table().organizations.values
    assert (filled.parsed_by == "rules+llm") is (filled.organization is not None)
