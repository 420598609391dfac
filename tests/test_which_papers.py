"""Which-paper questions: the kind of question, the picked paper, and answers written from its record."""

import pytest

from rag.evidence.answerability import FEATURES, AnswerabilityModel
from rag.evidence.which_papers import kind_of
from rag.qa import Assistant
from rag.types import Filters
from tests.conftest import ScriptedGenerator

# Phrasings written for these tests, not taken from the eval questions.
ONE_PAPER = [
    "Which paper shows that hashing needs only one loss?",
    "What study measures how people read code on screens?",
    "Is there a paper about pruning language models layer by layer?",
    "Is there any recent work on weather forecasting with transformers?",
    "Does any paper use bandits for ad allocation?",
    "I'm looking for the study that compares tokenizers across languages.",
    "Which speech recognition system handles code switching?",
    "Which method aligns two point clouds without correspondences?",
]
SEVERAL_PAPERS = [
    "Which papers study graph neural networks for chemistry?",
    "What works combine diffusion and transformers?",
    "Are there any papers on protein folding?",
    "Do any studies evaluate chatbots in hospitals?",
    "List the papers on continual learning.",
    "Which generative models are trained on music?",
]
NOT_ABOUT_PAPERS = [
    "How much does the method reduce memory use?",
    "What accuracy does the model reach on ImageNet?",
    "What perplexity does a language model trained with it reach?",
    "Which dataset does the paper evaluate on?",
    "Which GPU was the model trained on?",
    "Who wrote the paper on hashing?",
    "When was the benchmark released?",
]


@pytest.mark.parametrize("question", ONE_PAPER)
def test_questions_asking_for_one_paper(question):
    assert kind_of(question, Filters()) == "one_paper"


@pytest.mark.parametrize("question", SEVERAL_PAPERS)
def test_questions_asking_for_several_papers(question):
    assert kind_of(question, Filters()) == "papers"


@pytest.mark.parametrize("question", NOT_ABOUT_PAPERS)
def test_questions_about_a_fact_are_not_which_paper_questions(question):
    assert kind_of(question, Filters()) is None


def test_a_method_of_a_named_paper_is_a_detail_but_a_named_paper_itself_is_asked_for():
    assert kind_of("Which model was ECG-Byte compared against?", Filters(), names_a_paper=True) is None
    assert kind_of("Which model does ECG-Byte compare against?", Filters()) is None  # "does" follows the noun
    assert kind_of("Which method builds on ECG-Byte tokens", Filters(), names_a_paper=True) is None
    assert kind_of("Which paper introduces ECG-Byte?", Filters(), names_a_paper=True) == "one_paper"


ALWAYS_ANSWER = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=0.5)
HASHING = "Which paper shows that deep hashing can be trained with a single learning objective?"


def _assistant(small_store, picks=None, p_yes=0.95, judge=ALWAYS_ANSWER):
    settings, _ = small_store
    generator = ScriptedGenerator("The model should not be asked to write [1].", p_yes, picks)
    assistant = Assistant(settings, generator=generator)
    assistant._answerability = judge
    return assistant, generator


def test_a_which_paper_answer_names_the_picked_paper_and_quotes_its_abstract(small_store):
    assistant, generator = _assistant(small_store, picks=[0.9, 0.05, 0.05])
    answer = assistant.ask(HASHING)
    assert not answer.abstained
    assert answer.quoted
    assert generator.calls == []  # the model judged; it wrote nothing
    (citation,) = answer.citations
    assert citation.paper.title.startswith("One Loss for All")
    assert answer.answer.startswith(citation.paper.title)
    quote = answer.answer.split("\u201c", 1)[1].rstrip("\u201d")
    assert all(sentence in citation.paper.abstract for sentence in quote.split(". ") if sentence)
    assert citation.evidence in citation.paper.abstract
    assert answer.answerability["pick"] == pytest.approx(0.9)  # the model's probability for the paper it picked


def test_the_paper_the_model_picks_is_the_one_cited_even_when_ranked_lower(small_store):
    assistant, _ = _assistant(small_store, picks=[0.1, 0.85, 0.05])
    answer = assistant.ask(HASHING)
    assert answer.citations[0].paper.doc_id == answer.passages[1].paper.doc_id


def test_an_unsure_pick_of_a_lower_ranked_paper_leaves_retrieval_s_first_paper(small_store):
    assistant, _ = _assistant(small_store, picks=[0.3, 0.45, 0.25])
    answer = assistant.ask(HASHING)
    assert answer.citations[0].paper.doc_id == answer.passages[0].paper.doc_id


def test_a_which_paper_question_the_evidence_does_not_answer_is_declined_before_any_pick(small_store):
    judge = AnswerabilityModel({**dict.fromkeys(FEATURES, 0.0), "p_yes": 10.0}, -5.0, 0.5)  # the probe decides
    assistant, generator = _assistant(small_store, p_yes=0.05, judge=judge)
    answer = assistant.ask(HASHING)
    assert answer.abstained
    assert answer.citations == ()
    assert "doesn't answer" in answer.answer
    assert len(generator.probes) == 1  # only the answerability probe: nothing was picked


def test_a_which_papers_question_gets_a_drafted_answer_checked_claim_by_claim(small_store):
    settings, _ = small_store
    generator = ScriptedGenerator("One Loss for All trains deep hashing with a single cosine similarity objective [1].")
    assistant = Assistant(settings, generator=generator)
    assistant._answerability = ALWAYS_ANSWER
    answer = assistant.ask("Which papers train deep hashing models?")
    assert len(generator.calls) == 1
    assert not answer.quoted
    assert answer.citations
    assert answer.citations[0].paper.title.startswith("One Loss for All")


def test_a_backend_that_cannot_judge_falls_back_to_the_drafted_answer(small_store):
    class NoProbabilities(ScriptedGenerator):
        def choice_probabilities(self, messages, options):
            return None

        def yes_probability(self, messages):
            return None

    settings, _ = small_store
    generator = NoProbabilities("One Loss for All trains deep hashing with a single cosine similarity objective [1].")
    assistant = Assistant(settings, generator=generator)
    assistant._answerability = ALWAYS_ANSWER
    answer = assistant.ask(HASHING)
    assert generator.calls  # drafted by the model, then checked
    assert not answer.quoted


def test_a_pick_answered_below_even_odds_says_it_is_the_closest_match(small_store):
    unsure = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), -0.4, 0.3)  # probability 0.40: answered, not likely
    assistant, _ = _assistant(small_store, judge=unsure)
    answer = assistant.ask(HASHING)
    assert not answer.abstained
    assert answer.answer.startswith("The closest match in the collection: One Loss for All")
    sure, _ = _assistant(small_store)
    assert sure.ask(HASHING).answer.startswith("One Loss for All")


def test_a_which_paper_question_no_read_paper_is_exactly_about_is_refused(small_store):
    from rag.evidence.answerability import PAPER_PROBE

    def p_yes(messages):  # the general probe says yes; asked whether a paper is exactly the one, the model doubts
        return 0.6 if PAPER_PROBE in messages[-1]["content"] else 0.95

    judge = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 5.0, 0.3, paper_threshold=0.7)
    assistant, _ = _assistant(small_store, p_yes=p_yes, judge=judge)
    answer = assistant.ask(HASHING)
    assert answer.abstained
    assert answer.answerability["p_paper"] == 0.6
    assert "One Loss for All" in answer.answer  # named among the closest papers, not as the answer
    assert not _assistant(small_store, p_yes=0.95, judge=judge)[0].ask(HASHING).abstained
    # an always-answer run (calibration) records the probe and answers
    assistant.settings = assistant.settings.model_copy(update={"answer_threshold": 0.0})
    assert not assistant.ask(HASHING).abstained
