"""Sentence splitting, filter recognition and follow-up rewriting: the rule-based parts of the QA core."""

import pytest

from rag.evidence.evidence import SentenceVectors, read_evidence
from rag.query.conversation import is_follow_up, resolve
from rag.query.filters import combine, recognise
from rag.text.sentences import split_sentences
from rag.text.terms import names
from rag.types import Filters, Paper, Passage


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


PAPERS_NAMING = {"sona": 1, "exaone": 1, "blackvip": 2, "ood": 40, "auroc": 30}.get


def count(word):
    return PAPERS_NAMING(word, 0)


def test_a_follow_up_carries_the_earlier_subject_by_name_not_the_earlier_question():
    """Evidence is chosen for the new question: "AUROC" from the earlier turn must not come along."""
    history = [("What AUROC does SONA reach on near-OOD datasets?", "88% [1].", ["doc-sona"])]
    resolved = resolve("And how does it generate its outliers?", history, count)
    assert resolved.question == "And how does it generate its outliers? (about SONA)"
    assert "AUROC" not in resolved.question
    assert resolved.focus == ("doc-sona",)  # retrieval ranks the papers the last answer cited first
    assert resolved.subject == "SONA"


def test_the_subject_is_the_rarest_name_of_the_latest_turn_that_had_one():
    history = [
        ("What OOD AUROC does SONA report?", "88% [1].", ["doc-sona"]),
        ("Who wrote it?", "Kim [1].", ["doc-sona"]),
    ]
    assert resolve("What data did they use?", history, count).subject == "SONA"


def test_a_follow_up_naming_another_paper_moves_to_it():
    history = [("What AUROC does SONA reach?", "88% [1].", ["doc-sona"])]
    resolved = resolve("What about EXAONE: what does it release?", history, count)
    assert resolved.question == "What about EXAONE: what does it release?"
    assert resolved.focus == ()


def test_standalone_question_is_left_alone():
    history = [("How does SONA generate outliers?", "...")]
    question = "Which papers study zero-shot anomaly detection with CLIP?"
    assert resolve(question, history, count).question == question
    assert resolve("What dataset did they use?", None, count).question == "What dataset did they use?"
    assert is_follow_up("What dataset did they use?")


def test_a_question_going_on_from_the_last_turn_is_a_follow_up():
    previous = "Which paper trains a speech recogniser on children's voices?"
    assert is_follow_up("What error rate does the recogniser reach on the test set?", previous)
    assert is_follow_up("And what is its main limitation here?", previous)
    assert is_follow_up("Also, which datasets were used for training?", previous)
    assert not is_follow_up("Which papers use the transformer architecture for speech?", previous)
    assert not is_follow_up("What error rate does the recogniser reach on the test set?")


def test_a_carried_subject_is_read_as_a_name():
    history = [("What are Orthogonal Prototype Vectors used for?", "...")]
    resolved = resolve("Which award did they receive?", history, lambda word: 1 if word == "orthogonal" else 0)
    assert resolved.question == "Which award did they receive? (about Orthogonal)"
    assert "orthogonal" in names(resolved.question)


def test_a_follow_up_with_nothing_named_before_falls_back_to_the_earlier_question():
    history = [("how do diffusion models make outliers", "...")]
    assert resolve("what data did they use?", history, count).question == (
        "what data did they use? (how do diffusion models make outliers)"
    )


DIFFUSION_ABSTRACT = (
    "We propose a training-free guidance schedule for conditional diffusion models. "
    "The schedule decides when classifier-free guidance can be skipped during sampling. "
    "It reduces computation by 25% while preserving image quality."
)


def read_one(embedder, question, abstract, n=1, title="A paper"):
    passage = Passage(1, Paper(doc_id="d", title=title, abstract=abstract), 1.0)
    return read_evidence(question, [passage], SentenceVectors(embedder), (n, 1), 200)[0].evidence


def test_evidence_is_the_sentence_closest_to_the_question(embedder):
    question = "When can classifier-free guidance be skipped during sampling?"
    assert read_one(embedder, question, DIFFUSION_ABSTRACT) == (split_sentences(DIFFUSION_ABSTRACT)[1],)


def test_a_question_asking_for_an_amount_gets_the_sentence_with_the_figure(embedder):
    question = "By how much does the guidance schedule for conditional diffusion models reduce computation?"
    assert read_one(embedder, question, DIFFUSION_ABSTRACT) == (split_sentences(DIFFUSION_ABSTRACT)[2],)
    question = "What speedup does skipping classifier-free guidance during sampling reach?"
    assert "25%" in read_one(embedder, question, DIFFUSION_ABSTRACT)[0]


def test_a_which_paper_question_reads_the_sentence_that_names_the_method(embedder):
    abstract = (
        "Sampling from diffusion models is slow. We propose GuideSkip, a training-free guidance schedule. "
        "Classifier-free guidance is skipped in the middle of sampling, which keeps image quality."
    )
    question = "Which paper keeps image quality while skipping classifier-free guidance in the middle of sampling?"
    chosen = read_one(embedder, question, abstract, n=2, title=None)
    assert "GuideSkip" in " ".join(chosen)


def test_the_top_paper_gives_more_sentences_than_the_others(embedder):
    papers = [Paper(doc_id=f"d{i}", title=f"P{i}", abstract=DIFFUSION_ABSTRACT) for i in range(3)]
    passages = [Passage(i + 1, p, 1.0) for i, p in enumerate(papers)]
    read = read_evidence("guidance schedule", passages, SentenceVectors(embedder), (3, 1), 200)
    assert [len(p.evidence) for p in read] == [3, 1, 1]
    whole = read_evidence("guidance schedule", passages, SentenceVectors(embedder), (0, 1), 200)
    assert whole[0].evidence == tuple(split_sentences(DIFFUSION_ABSTRACT))


def test_a_list_question_reads_the_naming_sentence_of_every_paper_it_reads(embedder):
    abstract = (
        "Sampling from diffusion models is slow. We propose GuideSkip, a training-free guidance schedule. "
        "Classifier-free guidance is skipped in the middle of sampling, which keeps image quality."
    )
    papers = [Paper(doc_id=f"d{i}", title=f"P{i}", abstract=abstract) for i in range(3)]
    passages = [Passage(i + 1, p, 1.0) for i, p in enumerate(papers)]
    question = "Which papers skip classifier-free guidance in the middle of sampling?"
    read = read_evidence(question, passages, SentenceVectors(embedder), (3, 1), 200)
    assert all("GuideSkip" in " ".join(p.evidence) for p in read)  # each listed paper can be named
    assert [len(p.evidence) for p in read[1:]] == [2, 2]
    plain = read_evidence("When is guidance skipped?", passages, SentenceVectors(embedder), (3, 1), 200)
    assert [len(p.evidence) for p in plain[1:]] == [1, 1]


def test_the_naming_sentence_is_the_one_that_proposes_not_any_acronym(embedder):
    abstract = (
        "Codec-based text-to-speech (TTS) models clone voices well. "
        "Yet sampling for autoregressive (AR) speech models remains underexplored. "
        "In this work, we propose ChorusTTS, which learns from several teacher models at once."
    )
    papers = [Paper(doc_id=f"d{i}", title=f"P{i}", abstract=abstract) for i in range(3)]
    passages = [Passage(i + 1, p, 1.0) for i, p in enumerate(papers)]
    read = read_evidence("Which papers synthesize speech?", passages, SentenceVectors(embedder), (3, 1), 200)
    assert all("ChorusTTS" in " ".join(p.evidence) for p in read[1:])
    # without a "we propose" sentence, the one defining an acronym names the paper
    from rag.evidence.evidence import naming_sentence

    assert naming_sentence(split_sentences(abstract)[:2]) == split_sentences(abstract)[0]


def test_a_name_defined_after_a_nameless_proposal_names_the_paper():
    from rag.evidence.evidence import naming_sentence

    sentences = split_sentences(
        "Noisy preference pairs (NPP) hurt alignment. "
        "We design a novel loss function that de-biases the effect of label noise. "
        "We prove that the proposed robust DPO (rDPO) policy is close to optimal. "
        "Experiments on two datasets show rDPO is robust."
    )
    assert naming_sentence(sentences) == sentences[2]  # not the background acronym, not the nameless proposal
    assert naming_sentence(sentences[:2]) == sentences[1]  # a nameless proposal before background
    assert naming_sentence([*sentences[:2], "We call the method DeNoise."]) == "We call the method DeNoise."


def test_a_hyphenated_name_states_its_parts_for_the_rare_word_table():
    from rag.retrieval.keyword_index import words_of

    assert {"v-jepa", "jepa", "v"} <= set(words_of("We present V-JEPA, a video model."))


def test_a_bracketed_abbreviation_does_not_end_a_sentence_and_etc_can():
    text = "We test models (e.g. CLIP) on images, text, etc. The results hold (i.e. Fig. 3). Done."
    assert split_sentences(text) == [
        "We test models (e.g. CLIP) on images, text, etc.",
        "The results hold (i.e. Fig. 3).",
        "Done.",
    ]
