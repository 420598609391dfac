"""Citation repair on hand-written model outputs, with the real embedder and real abstracts."""

import pytest

from rag.citations import CitationChecker, parse_claims
from rag.sentences import split_sentences
from rag.types import Passage


@pytest.fixture
def passages(sample_papers):
    chosen = [sample_papers["One Loss for All"], sample_papers["Learning by Sorting"], sample_papers["MetaGCD"]]
    return [Passage(i + 1, p, 1.0) for i, p in enumerate(chosen)]


@pytest.fixture
def checker(embedder):
    return CitationChecker(embedder)


def test_parse_claims_reads_markers():
    claims = parse_claims("Hashing uses one loss [1]. Sorting helps [2, 3]. No cite here.")
    assert claims == [("Hashing uses one loss.", [1]), ("Sorting helps.", [2, 3]), ("No cite here.", [])]


def test_correct_citation_is_kept_with_its_supporting_sentence(checker, passages):
    out = checker.check("The hashing model uses only a single learning objective [1].", passages)
    assert out.text == "The hashing model uses only a single learning objective [1]."
    assert [c.paper.title for c in out.citations] == [passages[0].paper.title]
    assert out.citations[0].evidence in split_sentences(passages[0].paper.abstract)
    assert "single learning objective" in out.citations[0].evidence


def test_wrong_number_is_moved_to_the_supporting_passage(checker, passages):
    out = checker.check("The deep hashing model uses only a single learning objective [2].", passages)
    assert out.text.endswith("[1].")
    assert out.citations[0].paper == passages[0].paper


def test_out_of_range_number_is_repaired(checker, passages):
    out = checker.check("GroCo sorts the distances of positive and negative pairs [7].", passages)
    assert [c.paper for c in out.citations] == [passages[1].paper]


def test_unsupported_claim_is_dropped(checker, passages):
    answer = "The hashing model uses a single learning objective [1]. It was trained on ten billion cat photos [1]."
    out = checker.check(answer, passages)
    assert "cat" not in out.text
    assert out.dropped_claims == ("It was trained on ten billion cat photos.",)
    assert len(out.citations) == 1


def test_nothing_supported_gives_no_citations(checker, passages):
    out = checker.check("The capital of France is Paris [1]. Bananas are yellow [2].", passages)
    assert out.citations == ()
    assert out.text == ""


def test_citations_are_renumbered_in_order_of_appearance(checker, passages):
    answer = (
        "GroCo sorts the distances of positive and negative pairs [2]. "
        "Deep hashing can be done with one cosine similarity objective [1]."
    )
    out = checker.check(answer, passages)
    assert [c.n for c in out.citations] == [1, 2]
    assert [c.paper for c in out.citations] == [passages[1].paper, passages[0].paper]
    assert out.text.index("[1]") < out.text.index("[2]")


def test_model_saying_the_evidence_lacks_the_answer_is_not_a_claim(checker, passages):
    out = checker.check("The abstracts do not mention the training hardware [1].", passages)
    assert out.citations == ()
    assert out.declined == ("The abstracts do not mention the training hardware.",)
    out = checker.check(
        "The hashing model uses a single learning objective [1]. The number of GPUs is not specified.", passages
    )
    assert len(out.citations) == 1
    assert out.declined == ("The number of GPUs is not specified.",)
