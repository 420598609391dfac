"""The four seams (rag/protocols.py) list what their implementations offer, under the same parameter names."""

import inspect

import pytest

from rag.generation.llama_cpp import LlamaCppGenerator
from rag.generation.openai_http import OpenAIGenerator
from rag.generation.transformers_backend import TransformersGenerator
from rag.protocols import Embedder, Generator, Retriever, Store
from rag.retrieval.embedder import SentenceTransformerEmbedder
from rag.retrieval.retrieval import HybridRetriever
from rag.retrieval.store import ChromaStore

IMPLEMENTATIONS = [
    (Embedder, SentenceTransformerEmbedder),
    (Store, ChromaStore),
    (Retriever, HybridRetriever),
    (Generator, LlamaCppGenerator),
    (Generator, OpenAIGenerator),
    (Generator, TransformersGenerator),
]


def mismatches(protocol: type, implementation: type) -> list[str]:
    """Protocol members the implementation lacks, and methods it takes other parameters for."""
    found = []
    members = {n: m for n, m in vars(protocol).items() if not n.startswith("_")}
    members |= dict.fromkeys(vars(protocol).get("__annotations__", {}))  # declared attributes (`name: str`)
    for name, member in members.items():
        if not hasattr(implementation, name):
            if f"self.{name} = " not in inspect.getsource(implementation):  # an attribute set in __init__ counts
                found.append(f"{name}: missing")
            continue
        if inspect.isfunction(member):
            wanted = list(inspect.signature(member).parameters)
            offered = list(inspect.signature(getattr(implementation, name)).parameters)
            if wanted != offered:
                found.append(f"{name}: {offered} instead of {wanted}")
    return found


@pytest.mark.parametrize(("protocol", "implementation"), IMPLEMENTATIONS, ids=lambda c: c.__name__)
def test_implementation_matches_its_protocol(protocol, implementation):
    assert not mismatches(protocol, implementation)


def test_the_check_sees_a_drifted_implementation():
    class Drifted:
        def search(self, question, k):
            return None

    assert mismatches(Retriever, Drifted) == [
        "search: ['self', 'question', 'k'] instead of "
        "['self', 'question', 'k', 'explicit', 'recognise_filters', 'within']"
    ]
    assert mismatches(Store, Drifted)[0] == "upsert: missing"
