"""How many retrieved papers the LLM reads, by what the question asks for."""

import pytest

from rag.config import Settings
from rag.evidence.reading import asks_for_several_papers, papers_to_read
from rag.types import Filters


@pytest.mark.parametrize(
    "question",
    [
        "Which papers propose text-to-speech synthesis systems?",
        "Are there studies of grokking?",
        "List the works on machine unlearning.",
        "Compare the continual learning methods in the collection.",
    ],
)
def test_list_questions_read_all_llm_passages(question):
    assert asks_for_several_papers(question, Filters())
    assert papers_to_read(question, Filters(), Settings()) == Settings().llm_passages


@pytest.mark.parametrize(
    "question",
    [
        "What AUROC does the SONA framework reach on near-OOD datasets?",
        "Which paper models how lawmakers vote from the text of bills?",
        "Is there a paper on making an image generator forget training examples?",
    ],
)
def test_one_fact_or_one_paper_reads_fewer(question):
    assert not asks_for_several_papers(question, Filters())
    assert papers_to_read(question, Filters(), Settings()) == Settings().llm_passages_single


def test_a_metadata_filter_makes_it_a_list_question():
    settings = Settings()
    assert papers_to_read("What did Changdae Oh publish?", Filters(author="Changdae Oh"), settings) == 5
    assert settings.llm_passages == 5


def test_one_paper_when_the_question_names_what_only_it_states():
    assert papers_to_read("What AUROC does SONA reach?", Filters(), Settings(), sure=True) == 1
    assert papers_to_read("Which papers build on SONA?", Filters(), Settings(), sure=True) == 5


def test_single_never_reads_more_than_the_list_setting():
    settings = Settings(llm_passages=1, llm_passages_single=2)
    assert papers_to_read("What AUROC does SONA reach?", Filters(), settings) == 1
