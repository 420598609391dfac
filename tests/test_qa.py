"""The QA pipeline around the LLM, with a real store and embedder and a scripted generator."""

import pytest

from rag.config import Settings
from rag.errors import EmptyQuestionError, StoreMismatchError, StoreMissingError
from rag.evidence.answerability import FEATURES, AnswerabilityModel
from rag.qa import Assistant
from rag.types import Answer, Retrieved
from tests.conftest import ScriptedGenerator

HASHING_Q = "How can a deep hashing model be trained with just one learning objective?"


ALWAYS_ANSWER = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=0.5)


def assistant_with(small_store, reply, p_yes=0.95, judge=ALWAYS_ANSWER):
    """A real store and embedder with a scripted generator; `judge` decides answerability from the signals (the
    calibrated model when None)."""
    settings, _ = small_store
    generator = ScriptedGenerator(reply, p_yes)
    assistant = Assistant(settings, generator=generator)
    if judge is not None:
        assistant._answerability = judge
    return assistant, generator


def test_answer_cites_the_right_paper_with_evidence(small_store):
    assistant, _ = assistant_with(small_store, "A single cosine similarity objective is enough for deep hashing [1].")
    answer = assistant.ask(HASHING_Q)
    assert not answer.abstained
    assert answer.citations[0].paper.title.startswith("One Loss for All")
    assert answer.citations[0].evidence in answer.citations[0].paper.abstract
    assert answer.passages[0].paper.title.startswith("One Loss for All")


def test_json_contract(small_store):
    assistant, _ = assistant_with(small_store, "A single cosine similarity objective is enough for deep hashing [1].")
    data = assistant.ask(HASHING_Q, k=5).to_dict()
    assert set(data) == {
        "question", "answer", "abstained", "quoted", "dropped_claims", "answerability", "citations", "passages",
        "filters", "timings_ms", "models", "catalog", "replay",
    }  # fmt: skip
    assert set(data["answerability"]) >= {"p_yes", "asked_stated", "strict_stated", "probability", "threshold"}
    assert set(data["citations"][0]) == {"n", "doc_id", "title", "authors", "year", "sources", "evidence"}
    assert set(data["passages"][0]) == {"rank", "doc_id", "title", "text", "score", "used"}
    assert set(data["filters"]) >= {"year_from", "year_to", "author"}
    assert set(data["timings_ms"]) == {"retrieve", "probe", "generate", "first_token", "total"}
    assert len(data["passages"]) == 5
    assert [p["rank"] for p in data["passages"]] == [1, 2, 3, 4, 5]
    assert len({p["doc_id"] for p in data["passages"]}) == 5  # one entry per paper
    assert sum(p["used"] for p in data["passages"]) == Settings().llm_passages_single  # a question about one paper
    assert data["passages"][0]["text"] in data["citations"][0]["evidence"] or data["citations"][0]["evidence"]


def test_a_list_question_lets_the_llm_read_more_papers_than_a_single_answer_question(small_store):
    assistant, generator = assistant_with(small_store, "A single cosine similarity objective is enough [1].")
    single = assistant.ask(HASHING_Q)
    several = assistant.ask("Which papers train deep hashing models with one learning objective?")
    settings = Settings()
    assert [sum(p.used for p in a.passages) for a in (single, several)] == [3, 5]
    assert (settings.llm_passages_single, settings.llm_passages) == (3, 5)
    single_prompt, several_prompt = (calls[-1]["content"] for calls in generator.calls)
    assert "[3] " in single_prompt
    assert "[4] " not in single_prompt
    assert "[5] " in several_prompt


def test_warm_up_loads_everything_and_hands_the_fixed_prompt_prefix_to_the_model(small_store):
    from rag.generation.prompts import PREFIX

    assistant, generator = assistant_with(small_store, "x")
    assistant.warm_up()
    assert generator.warmed == [PREFIX]
    assert assistant._index is not None
    assert assistant._embedder is not None
    assistant.ask(HASHING_Q)
    assert generator.calls[0][: len(PREFIX)] == PREFIX  # every prompt starts with what was warmed up


def test_streaming_yields_the_retrieved_papers_then_deltas_then_the_answer(small_store):
    assistant, generator = assistant_with(small_store, "A single cosine similarity objective is enough [1].")
    stream = assistant.ask(HASHING_Q, stream=True)
    first = next(stream)
    assert isinstance(first, Retrieved)
    assert generator.probes == []  # the retrieved papers come before the model is asked anything
    items = list(stream)
    assert all(isinstance(i, str) for i in items[:-1])
    assert len(items) > 2
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert [p.paper.doc_id for p in first.passages] == [p.paper.doc_id for p in answer.passages]
    assert first.filters == answer.filters


def test_a_paper_filter_reads_and_cites_that_paper_only(small_store):
    _settings, papers = small_store
    assistant, generator = assistant_with(small_store, "It uses one objective [1].")
    other = next(p for p in papers if p.title and not p.title.startswith("One Loss for All"))
    answer = assistant.ask(HASHING_Q, paper=other.doc_id)  # not the paper retrieval alone ranks first
    assert answer.filters.paper == other.doc_id
    assert [p.paper.doc_id for p in answer.passages] == [other.doc_id]
    assert answer.catalog is None
    assert other.title in generator.probes[0][-1]["content"]
    assert assistant.retrieve(HASHING_Q, paper=other.doc_id)[0].paper.doc_id == other.doc_id
    assert assistant.retrieve(HASHING_Q, paper="no-such-paper") == []
    hashing = assistant.ask(HASHING_Q)  # a follow-up's papers do not pass the paper filter
    assert hashing.cited_doc_ids
    assert other.doc_id not in hashing.cited_doc_ids
    history = [(HASHING_Q, hashing.answer, hashing.cited_doc_ids)]
    follow_up = assistant.ask("What does it compare against?", history=history, paper=other.doc_id)
    assert [p.paper.doc_id for p in follow_up.passages] == [other.doc_id]


def test_the_model_judging_the_evidence_unanswerable_abstains_before_generation(small_store):
    assistant, generator = assistant_with(small_store, "Paris [1].", p_yes=0.02, judge=None)
    answer = assistant.ask("What is the boiling point of ethanol at sea level?")
    assert answer.abstained
    assert generator.probes  # the model was asked whether the evidence answers ...
    assert generator.calls == []  # ... and no answer was generated
    assert "doesn't answer" in answer.answer
    assert answer.passages  # the closest papers are still listed
    assert answer.answerability["probability"] < answer.answerability["threshold"]


def test_the_probe_shares_the_answer_prompt_up_to_the_question(small_store):
    assistant, generator = assistant_with(small_store, "A single cosine similarity objective is enough [1].")
    assistant.ask(HASHING_Q)
    probe, answer = generator.probes[0][-1]["content"], generator.calls[0][-1]["content"]
    assert probe.startswith(answer)  # the prompt cache reads the evidence once for both
    assert probe[len(answer) :].strip().startswith("Does the evidence")
    assert generator.probes[0][:-1] == generator.calls[0][:-1]


def test_a_draft_with_no_supported_claim_is_an_abstention_listing_what_was_dropped(small_store):
    never_quote = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=1.0)
    claim = "The method was invented in ancient Rome by Julius Caesar [1]."
    assistant, generator = assistant_with(small_store, claim, judge=never_quote)
    answer = assistant.ask(HASHING_Q)
    assert generator.calls
    assert answer.abstained
    assert answer.citations == ()
    assert answer.dropped_claims == ("The method was invented in ancient Rome by Julius Caesar.",)


def test_when_every_claim_fails_but_the_evidence_answers_the_sentence_is_quoted(small_store):
    claim = "The method was invented in ancient Rome by Julius Caesar [1]."
    assistant, _ = assistant_with(small_store, claim)
    answer = assistant.ask(HASHING_Q)
    assert answer.quoted
    assert not answer.abstained
    (citation,) = answer.citations
    assert citation.evidence in answer.answer
    assert citation.evidence in citation.paper.abstract  # verbatim
    assert answer.dropped_claims == ("The method was invented in ancient Rome by Julius Caesar.",)


def test_a_filter_never_switches_the_checks_off(small_store):
    """A filtered question is judged and checked like any other: a restated or invented claim is not kept."""
    assistant, generator = assistant_with(
        small_store, "Changdae Oh won the Turing Award for it [1].", p_yes=0.02, judge=None
    )
    answer = assistant.ask("Which papers by Changdae Oh won the Turing Award?")
    assert answer.filters.author == "Changdae Oh"
    assert generator.probes
    assert answer.abstained


def test_explicit_and_recognised_filters(small_store):
    _settings, papers = small_store
    assistant, _ = assistant_with(small_store, "x")
    recent = assistant.retrieve("learning", k=10, year_from=2023)
    assert recent
    assert all(p.paper.year >= 2023 for p in recent)
    answer = assistant.ask("Which papers by Changdae Oh are about learning?")
    assert answer.filters.author == "Changdae Oh"
    assert answer.passages
    assert all("Changdae Oh" in p.paper.authors for p in answer.passages)
    expected = {p.doc_id for p in papers if "Changdae Oh" in p.authors}
    assert {p.paper.doc_id for p in answer.passages} <= expected


def test_filter_matching_nothing_returns_no_passages(small_store):
    assistant, _ = assistant_with(small_store, "x")
    assert assistant.retrieve("learning", year_from=1990, year_to=1991) == []


def test_empty_question_is_a_clear_error(small_store):
    assistant, _ = assistant_with(small_store, "x")
    with pytest.raises(EmptyQuestionError, match="empty"):
        assistant.ask("   ")


def test_missing_store_says_to_ingest(tmp_path):
    with pytest.raises(StoreMissingError, match="python -m ingest"):
        Assistant(Settings(store_dir=tmp_path / "nothing"), generator=ScriptedGenerator("x")).ask("anything at all?")


def test_store_built_with_other_settings_is_refused(small_store):
    settings, _ = small_store
    other = settings.model_copy(update={"chunk_sentences": 5})
    with pytest.raises(StoreMismatchError, match="python -m ingest"):
        Assistant(other, generator=ScriptedGenerator("x")).retrieve("hashing")


def test_parts_are_built_once_under_concurrent_first_use(small_store):
    """The UI calls the assistant from several threads; two Chroma clients opened at once used to fail."""
    import threading

    settings, papers = small_store
    assistant = Assistant(settings, generator=ScriptedGenerator("x"))
    results, errors = [], []

    def use() -> None:
        try:
            results.append((assistant.corpus_info().papers_total, id(assistant.index)))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {count for count, _ in results} == {len(papers)}
    assert len({index_id for _, index_id in results}) == 1


def test_a_follow_up_by_reference_reads_only_the_papers_the_last_answer_cited(small_store):
    settings, papers = small_store
    assistant = Assistant(settings, generator=ScriptedGenerator("It compares against dense networks [1]."))
    cited = papers[7].doc_id
    history = [(f"Is there a paper titled {papers[7].title}?", "Yes [1].", [cited])]
    plan = assistant.plan("What does it compare against?", history)
    assert [p.paper.doc_id for p in plan.read] == [cited]
    two = [(history[0][0], "They [1] [2].", [cited, papers[3].doc_id])]
    assert {p.paper.doc_id for p in assistant.plan("What data do they use?", two).read} == set(two[0][2])


SIMCSE_Q = "What average STS correlation does unsupervised SimCSE reach with BERT base?"


def test_an_amount_question_answered_without_a_figure_is_refused(small_store):
    """A true, checked sentence that does not state the asked figure does not answer: the figure is quoted from the
    evidence when answerability allows a quote, else the assistant abstains."""
    vague = "SimCSE is evaluated on standard semantic textual similarity tasks [1]."
    never_quote = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=1.0)
    assistant, _ = assistant_with(small_store, vague, judge=never_quote)
    answer = assistant.ask(SIMCSE_Q)
    assert answer.abstained
    assert answer.citations == ()
    assistant, _ = assistant_with(small_store, vague)
    quoted = assistant.ask(SIMCSE_Q)
    assert quoted.quoted
    assert "76.3%" in quoted.answer
    assert "evaluated on standard" not in quoted.answer
    figure = "Unsupervised SimCSE with BERT base achieves an average of 76.3% on STS tasks [1]."
    assistant, _ = assistant_with(small_store, figure)
    answered = assistant.ask(SIMCSE_Q)
    assert not answered.abstained
    assert "76.3%" in answered.answer


def test_a_list_question_uses_the_threshold_of_its_kind(small_store):
    judge = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 0.0, 0.3, 0.6, "test", {"papers": 0.55})
    reply = "SimCSE predicts an input sentence itself in a contrastive objective, with dropout as noise [1]."
    assistant, generator = assistant_with(small_store, reply, judge=judge)
    assert assistant.ask("Which papers learn sentence embeddings with contrastive learning?").abstained
    assert not generator.calls  # refused by the list threshold before drafting
    assert not assistant.ask("How does SimCSE learn sentence embeddings?").abstained


def test_a_question_too_long_for_the_context_is_a_clear_error(small_store):
    from rag.errors import QuestionTooLongError

    assistant, generator = assistant_with(small_store, "unused")
    with pytest.raises(QuestionTooLongError, match="100,000 characters long; the limit is 2,000"):
        assistant.ask("x" * 100_000)
    assert not generator.calls


def test_a_list_answer_names_only_papers_on_the_asked_topic(small_store):
    """A list draft that quotes every read paper (true of each) keeps only the papers whose record states the topic."""
    import re

    from rag.evidence.answerability import list_citable

    def quote_every_paper(messages):
        evidence = messages[-1]["content"].split("\n\nQuestion:")[0]
        lines = re.findall(r"^\[(\d+)\] .*?\(\d{4}\): (.+?\.)(?= |$)", evidence, flags=re.MULTILINE)
        return " ".join(f"{sentence[:-1]} [{n}]." for n, sentence in lines)

    question = "Which papers learn sentence embeddings with contrastive learning?"
    assistant, _ = assistant_with(small_store, quote_every_paper)
    answer = assistant.ask(question)
    assert not answer.abstained
    assert any(c.paper.title.startswith("SimCSE") for c in answer.citations)
    cited = {c.paper.doc_id for c in answer.citations}
    read = [p for p in answer.passages if p.used]
    citable = dict(zip((p.paper.doc_id for p in read), list_citable(question, read), strict=True))
    assert citable[read[0].paper.doc_id]
    assert not all(citable.values())  # the draft quoted off-topic papers too ...
    assert all(citable[doc_id] for doc_id in cited)  # ... and they are not cited
    assert answer.dropped_claims


def test_a_list_draft_that_fails_the_check_lists_the_read_papers_stating_the_asked_name(small_store):
    """A bare list of titles claims nothing; the papers stating the name the question asks about ("RL") are the
    list, each quoted from its own abstract."""
    from rag.text.terms import stated

    assistant, _ = assistant_with(small_store, "Some Paper [1], Another Paper [2].")
    answer = assistant.ask("Which papers learn representations for RL agents?")
    assert answer.quoted
    assert not answer.abstained
    assert answer.answer.startswith("Papers in the collection that state RL, quoted from their abstracts:")
    assert len(answer.citations) >= 2
    for citation in answer.citations:
        assert stated(f"{citation.paper.title} {citation.paper.abstract}").has_name("rl")
        assert all(s in citation.paper.abstract for s in citation.evidence.split("\u201d")[0].split(". ") if s)
        assert f"{citation.paper.label}" in answer.answer


def test_a_how_question_about_a_named_method_answered_by_restating_it_quotes_where_the_abstract_says_how(small_store):
    """A draft that only restates the question and the title is dropped; the quote is the abstract's sentence that
    introduces the named method and the next one, not the sentence most like the question."""
    restating = "SimCSE learns sentence embeddings by simple contrastive learning [1]."
    assistant, _ = assistant_with(small_store, restating)
    answer = assistant.ask("How does SimCSE learn sentence embeddings?")
    assert answer.dropped_claims == ("SimCSE learns sentence embeddings by simple contrastive learning.",)
    assert answer.quoted
    (citation,) = answer.citations
    assert citation.evidence.startswith("This paper presents SimCSE")
    assert "predicts itself in a contrastive objective" in citation.evidence
    assert citation.evidence in citation.paper.abstract  # verbatim


def test_a_checked_draft_leaving_out_the_results_asked_for_quotes_its_supporting_sentence(small_store):
    """ "What results does X report?" answered by a true claim without a result: the sentence that supports the claim
    states the results, so it is quoted (not refused), whatever the quote threshold."""
    never_quote = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 1.0, 0.0, quote_threshold=1.0)
    vague = "SimCSE is evaluated on standard semantic textual similarity tasks [1]."
    assistant, _ = assistant_with(small_store, vague, judge=never_quote)
    answer = assistant.ask("What results does SimCSE report on semantic textual similarity?")
    assert answer.quoted
    assert not answer.abstained
    assert "76.3%" in answer.answer
    assert answer.citations[0].evidence in answer.citations[0].paper.abstract
