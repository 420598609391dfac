"""Sentence splitting, filter recognition and follow-up rewriting: the rule-based parts of the QA core."""

import pytest

from rag.conversation import is_follow_up, standalone_question
from rag.evidence import select_evidence
from rag.query_filters import combine, recognise
from rag.sentences import split_sentences
from rag.types import Filters


def test_sentences_survive_abbreviations_decimals_and_initials():
    text = "We use e.g. CLIP and ViT. It reaches 88.5% (i.e. top-1) on ImageNet. Fig. 2 shows J. Smith's setup. Done!"
    assert split_sentences(text) == [
        "We use e.g. CLIP and ViT.",
        "It reaches 88.5% (i.e. top-1) on ImageNet.",
        "Fig. 2 shows J. Smith's setup.",
        "Done!",
    ]


def test_sentences_of_empty_text():
    assert split_sentences("   ") == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which papers by Changdae Oh are in the collection?", Filters(author="Changdae Oh")),
        ("Kyungwoo Song's papers on prompting", Filters(author="Kyungwoo Song")),
        ("papers by Seung jae Shin", Filters(author="Seung jae Shin")),
        ("What was published in 2019 about diffusion?", Filters(year_from=2019, year_to=2019)),
        ("OOD detection papers since 2023", Filters(year_from=2023)),
        ("OOD detection papers after 2022", Filters(year_from=2023)),
        ("methods before 2020", Filters(year_to=2019)),
        ("work between 2021 and 2019 on agents", Filters(year_from=2019, year_to=2021)),
        ("What did the LG AI Research lab publish about OOD detection?", Filters(source="LG AI Research")),
        ("How does SONA generate outliers?", Filters()),
        ("What did Changdae Oh publish on robustness since 2023?", Filters(year_from=2023, author="Changdae Oh")),
        ("What is proposed by the authors of BlackVIP?", Filters()),
    ],
)
def test_recognised_filters(question, expected):
    assert recognise(question)[0] == expected


def test_recognised_phrase_is_removed_from_the_ranking_query():
    filters, rest = recognise("papers since 2023 on OOD detection")
    assert filters.year_from == 2023
    assert rest == "papers on OOD detection"


def test_explicit_filters_win():
    merged = combine(Filters(author="A B", year_to=2020), Filters(author="C D", year_from=2019, year_to=2024))
    assert merged == Filters(year_from=2019, year_to=2020, author="A B")


def test_follow_up_gets_the_subject_of_the_last_standalone_question():
    history = [("How does SONA generate outliers?", "It uses diffusion [1]."), ("and their results?", "88% [1].")]
    assert is_follow_up("What dataset did they use?")
    assert standalone_question("What dataset did they use?", history) == (
        "What dataset did they use? (about: How does SONA generate outliers?)"
    )


def test_standalone_question_is_left_alone():
    history = [("How does SONA generate outliers?", "...")]
    question = "Which papers study zero-shot anomaly detection with CLIP?"
    assert standalone_question(question, history) == question
    assert standalone_question("What dataset did they use?", None) == "What dataset did they use?"


DIFFUSION_ABSTRACT = (
    "We propose a training-free guidance schedule for conditional diffusion models. "
    "The schedule decides when classifier-free guidance can be skipped during sampling. "
    "It reduces computation by 25% while preserving image quality."
)


def test_evidence_is_the_sentence_closest_to_the_question():
    question = "When can classifier-free guidance be skipped during sampling?"
    assert select_evidence(question, DIFFUSION_ABSTRACT, None, 1) == (split_sentences(DIFFUSION_ABSTRACT)[1],)


def test_a_question_asking_for_an_amount_gets_the_sentence_with_the_figure():
    question = "By how much does the guidance schedule for conditional diffusion models reduce computation?"
    assert select_evidence(question, DIFFUSION_ABSTRACT, None, 1) == (split_sentences(DIFFUSION_ABSTRACT)[2],)
    question = "What speedup does skipping classifier-free guidance during sampling reach?"
    assert "25%" in select_evidence(question, DIFFUSION_ABSTRACT, None, 1)[0]
