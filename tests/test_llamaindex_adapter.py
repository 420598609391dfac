"""Our retriever inside a llama-index query engine, answered by a real small local model."""

import pytest

from rag.generation.llama_cpp import LlamaCppGenerator
from rag.qa import Assistant


@pytest.mark.slow
def test_query_engine_with_paper_retriever_and_real_small_model(small_store):
    from llama_index.core.query_engine import RetrieverQueryEngine

    from rag.llamaindex_adapter import GeneratorLLM, PaperRetriever

    settings, _ = small_store
    assistant = Assistant(settings)
    retriever = PaperRetriever(assistant, k=3)
    nodes = retriever.retrieve("deep hashing with a single cosine similarity learning objective")
    assert len(nodes) == 3
    assert nodes[0].node.metadata["title"].startswith("One Loss for All")
    assert nodes[0].score >= nodes[1].score
    assert "hash" in nodes[0].node.get_content().lower()

    llm = GeneratorLLM(LlamaCppGenerator("smollm2", settings), max_tokens=48)
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
    question = "deep hashing with a single cosine similarity learning objective"
    response = engine.query(question)
    assert str(response).strip()  # the real model produced text
    assert [n.node.node_id for n in response.source_nodes] == [n.node.node_id for n in nodes]


def test_filters_pass_through(small_store):
    from rag.llamaindex_adapter import PaperRetriever
    from rag.types import Filters

    settings, _ = small_store
    nodes = PaperRetriever(Assistant(settings), k=10, filters=Filters(year_from=2023)).retrieve("learning")
    assert nodes
    assert all(n.node.metadata["year"] >= 2023 for n in nodes)
