"""Citation repair on hand-written model outputs, with the real embedder and real abstracts."""

from dataclasses import replace

import pytest

from rag.evidence.evidence import SentenceVectors
from rag.grounding.citations import CitationChecker, _renumber, parse_claims
from rag.text.sentences import split_sentences
from rag.types import Passage


@pytest.fixture
def passages(sample_papers):
    chosen = [sample_papers["One Loss for All"], sample_papers["Learning by Sorting"], sample_papers["MetaGCD"]]
    return [Passage(i + 1, p, 1.0) for i, p in enumerate(chosen)]


@pytest.fixture
def checker(embedder):
    return CitationChecker(SentenceVectors(embedder))


def with_abstract(passage, abstract, **fields):
    return replace(passage, paper=replace(passage.paper, abstract=abstract, **fields))


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


def test_a_sentence_saying_the_evidence_lacks_the_answer_is_never_kept(checker, passages):
    """No bypass: a "not mentioned" sentence is dropped like any unsupported claim, cited or not."""
    out = checker.check("The abstracts do not mention the training hardware [1].", passages)
    assert out.citations == ()
    assert out.declined == ("The abstracts do not mention the training hardware.",)
    assert out.dropped_claims == out.declined
    out = checker.check(
        "The hashing model uses a single learning objective [1]. The number of GPUs is not specified.", passages
    )
    assert len(out.citations) == 1
    assert "GPUs" not in out.text
    assert out.dropped_claims == ("The number of GPUs is not specified.",)


def test_a_name_the_cited_sentence_does_not_state_fails_the_claim(checker, passages):
    """A fluent claim about the right paper, whose key term (here a GPU name) is in no sentence of it, is dropped."""
    question = "Which GPU was the deep hashing model trained on?"
    out = checker.check("The deep hashing model was trained on an NVIDIA A100 GPU [1].", passages, question)
    assert out.citations == ()
    assert out.dropped_claims == ("The deep hashing model was trained on an NVIDIA A100 GPU.",)


def test_a_claim_about_a_named_method_must_cite_a_paper_that_names_it(checker, passages):
    """Attribution: the sentence is true of the cited paper, but it is not the paper the claim names."""
    sona = with_abstract(passages[0], "We propose SONA, which produces outliers from pixel-space samples.")
    other = with_abstract(passages[1], "Our approach computes distance-based OOD scores between class centers.")
    question = "How does SONA compute distance-based OOD scores?"  # the question gives SONA: only attribution is left
    out = checker.check("SONA computes distance-based OOD scores between class centers [2].", [sona, other], question)
    assert out.citations == ()
    kept = checker.check("SONA produces outliers from pixel-space samples [2].", [sona, other])
    assert [c.paper for c in kept.citations] == [sona.paper]  # moved only to the paper that states it
    assert kept.citations[0].evidence == sona.paper.abstract


def test_a_claim_is_never_moved_to_a_paper_that_does_not_state_it(checker, passages):
    first = with_abstract(passages[0], "The encoder reconstructs bin indices rather than raw feature values.")
    second = with_abstract(passages[1], "Tabular data benefits from self-supervised pretext tasks.")
    out = checker.check("The encoder reconstructs quantile ranks of the features [2].", [first, second])
    assert out.citations == ()


def test_the_shown_evidence_is_the_sentence_that_states_the_claim(checker, passages):
    abstract = (
        "Outlier exposure needs realistic outliers. Existing methods produce outliers far from the data. "
        "We produce challenging outliers by leveraging pixel-space samples through diffusion models. "
        "Our detector reaches 88% AUROC on near-OOD benchmarks."
    )
    one = [with_abstract(passages[0], abstract)]
    out = checker.check("The method produces outliers through diffusion models from pixel-space samples [1].", one)
    assert out.citations[0].evidence == split_sentences(abstract)[2]
    out = checker.check("The detector reaches 88% AUROC on near-OOD benchmarks [1].", one)
    assert out.citations[0].evidence == split_sentences(abstract)[3]


def test_a_qualifier_the_cited_sentence_does_not_state_fails_the_claim(checker, passages):
    one = [with_abstract(passages[0], "Our detector reaches 88% AUROC on near-OOD benchmarks.")]
    assert checker.check("The detector reaches 88% AUROC on far-OOD benchmarks [1].", one).citations == ()


def test_markers_inside_a_sentence_stay_in_place(checker, passages):
    """A model naming a paper by number mid-sentence keeps a readable sentence, renumbered in place."""
    out = checker.check("GroCo [2] sorts the distances of positive and negative pairs.", passages)
    assert out.text == "GroCo [1] sorts the distances of positive and negative pairs."
    out = checker.check("GroCo [3], a new loss, sorts the distances of positive and negative pairs.", passages)
    assert out.text == "GroCo, a new loss, sorts the distances of positive and negative pairs [1]."


def test_renumber_removes_dropped_markers_without_stray_punctuation():
    expected = "The papers [1], and [2] study music."
    assert _renumber("The papers [1], [2], and [3] study music.", {1: 1, 3: 2}) == expected
    assert _renumber("Both [4, 5] study music", {5: 1}) == "Both [1] study music."
    assert _renumber("Music is studied [2].", {1: 1}) == "Music is studied [1]."


def test_who_wrote_claims_stand_on_the_metadata_line_and_nothing_else(checker, passages):
    """ "The papers by X are [1] and [2]" is supported by the records that list X; filters grant nothing."""
    alice = [replace(p, paper=replace(p.paper, authors=("Alice Example", "Bob Doe"))) for p in passages[:2]]
    question = "Which papers in the collection list Alice Example as an author?"
    answer = "The papers in the collection that list Alice Example as an author are [1] and [2]."
    out = checker.check(answer, alice, question)
    assert out.text == answer
    assert [c.paper for c in out.citations] == [alice[0].paper, alice[1].paper]
    assert checker.check(answer, passages[:2], question).citations == ()  # records that do not list her
    invented = "Alice Example won a best paper award for the papers [1] and [2]."
    assert checker.check(invented, alice, question).citations == ()


def test_a_number_the_cited_abstract_does_not_state_is_not_supported(checker, passages):
    # One Loss for All says existing models "employ a large number (>4) of losses"
    stated = checker.check("Existing deep hashing models often employ more than 4 losses [1].", passages)
    assert [c.paper for c in stated.citations] == [passages[0].paper]
    invented = checker.check("Existing deep hashing models often employ more than 7 losses [1].", passages)
    assert invented.citations == ()
    assert invented.dropped_claims == ("Existing deep hashing models often employ more than 7 losses.",)


def test_a_number_cited_to_the_wrong_paper_moves_to_the_paper_that_states_it(checker, passages):
    stated = "Our tracker reaches 68.2% AMOTA on the nuScenes test split."
    vague = "Our tracker reaches a strong AMOTA on the nuScenes test split."
    two = [replace(passages[0], paper=replace(passages[0].paper, abstract=stated)),
           replace(passages[1], paper=replace(passages[1].paper, abstract=vague))]  # fmt: skip
    out = checker.check("The tracker reaches 68.2% AMOTA on the nuScenes test split [2].", two)
    assert [c.paper for c in out.citations] == [two[0].paper]
    assert out.citations[0].evidence == stated


def test_numbers_from_the_question_need_no_support(checker, passages):
    question = "Do deep hashing models in 2023 need more than one learning objective?"
    answer = "In 2023, the deep hashing model uses only a single learning objective [1]."
    out = checker.check(answer, passages, question)
    assert [c.paper for c in out.citations] == [passages[0].paper]


def test_a_number_written_another_way_is_the_same_number(checker, passages):
    abstract = "We release a dataset of 52K instructions and a model with 1.2B parameters."
    one = [replace(passages[0], paper=replace(passages[0].paper, abstract=abstract))]
    for claim in ("The dataset has 52,000 instructions [1].", "The model has 1.2 billion parameters [1]."):
        assert [c.paper for c in checker.check(claim, one).citations] == [one[0].paper], claim
    assert checker.check("The dataset has 5,200 instructions [1].", one).citations == ()


def test_a_claim_citing_several_papers_is_checked_against_them_together(checker, passages):
    bert = with_abstract(passages[0], "We analyse what a BERT model learns from symbolic music events.")
    getm = with_abstract(passages[1], "GETMusic generates multitrack symbolic music with a diffusion model.")
    out = checker.check("BERT [1] and GETMusic [2] both model symbolic music.", [bert, getm])
    assert [c.paper for c in out.citations] == [bert.paper, getm.paper]
    assert out.citations[1].evidence == getm.paper.abstract
    invented = checker.check("BERT [1] and GETMusic [2] both separate instruments in live concerts.", [bert, getm])
    assert invented.citations == ()


def test_a_bare_list_of_titles_claims_nothing(checker, passages):
    bert = with_abstract(
        passages[0],
        "We analyse what a BERT model learns from symbolic music.",
        title="BERT Learns Symbolic Music",
        year=2024,
    )
    getm = with_abstract(
        passages[1], "GETMusic generates multitrack symbolic music.", title="GETMusic: Generating Symbolic Music"
    )
    titles = "BERT Learns Symbolic Music (2024) [1], GETMusic: Generating Symbolic Music [2]."
    assert checker.check(titles, [bert, getm], "Which papers model symbolic music?").citations == ()


def test_repeating_the_question_next_to_a_paper_title_is_not_support(checker, passages):
    """The restatement trap: "<title of some paper> proposes <what the question asked>" names a real paper,
    but its abstract says nothing of the sort."""
    paper = replace(
        passages[0],
        paper=replace(
            passages[0].paper,
            title="Learning the Visualness of Text Using Large Vision-Language Models",
            abstract="Visual text evokes an image in a person's mind. We curate a dataset of visualness scores.",
        ),
    )
    question = "Which paper proposes a watermarking scheme to detect text generated by large language models?"
    answer = (
        "Learning the Visualness of Text Using Large Vision-Language Models proposes a watermarking scheme to "
        "detect text generated by large language models [1]."
    )
    assert checker.check(answer, [paper], question).citations == ()
    honest = (
        "Learning the Visualness of Text Using Large Vision-Language Models curates a dataset of visualness scores [1]."
    )
    assert [c.paper for c in checker.check(honest, [paper], question).citations] == [paper.paper]


def test_a_claim_repeating_an_earlier_one_about_the_same_paper_is_said_once(checker, passages):
    one = replace(passages[0], paper=replace(passages[0].paper, authors=("Changdae Oh", "Kim Lee"), year=2024))
    title = one.paper.title
    answer = f"Changdae Oh published {title} (2024) [1]. He also published {title} (2024) [1]."
    out = checker.check(answer, [one], "What did Changdae Oh publish?")
    assert out.text == f"Changdae Oh published {title} (2024) [1]."
    assert out.dropped_claims == ()


def test_a_claim_that_only_restates_the_question_and_the_title_is_dropped_when_news_is_required(checker, passages):
    abstract = (
        "Pre-trained models often serve as black-box APIs without parameter access. "
        "We propose black-box visual prompting (BlackVIP), which adapts pre-trained models without their parameters. "
        "BlackVIP has two components: a coordinator network and a zeroth-order gradient estimator."
    )
    title = "Robust Adaptation of Foundation Models with Black-Box Visual Prompting"
    paper = with_abstract(passages[0], abstract, title=title)
    question = "How does BlackVIP adapt a pre-trained model without access to its parameters?"
    restating = (
        "BlackVIP adapts pre-trained models without access to their parameters by black-box visual prompting [1]."
    )
    assert checker.check(restating, [paper], question).citations  # true, and stated: kept unless news is required
    dropped = checker.check(restating, [paper], question, require_new=True)
    assert not dropped.citations
    assert dropped.dropped_claims
    answering = "BlackVIP uses a coordinator network and a zeroth-order gradient estimator [1]."
    kept = checker.check(answering, [paper], question, require_new=True)
    assert kept.text == answering
    assert "coordinator" in kept.citations[0].evidence
    # the same restatement citing two papers at once gets no pass through the joint check either
    both = checker.check(restating.replace("[1]", "[1][2]"), [paper, paper], question, require_new=True)
    assert not both.citations


def test_a_comma_left_before_the_full_stop_by_removed_markers_goes(checker, passages):
    out = checker.check("The hashing model uses only a single learning objective [1], [9],.", passages)
    assert out.text == "The hashing model uses only a single learning objective [1]."


def test_an_amount_in_words_is_news_the_question_did_not_give(checker, passages):
    abstract = "SELFormer is a transformer chemical language model pre-trained on two million drug-like compounds."
    paper = with_abstract(passages[0], abstract, title="SELFormer: Molecular Representation Learning via SELFIES")
    question = "On how many drug-like compounds was SELFormer pre-trained?"
    out = checker.check(
        "SELFormer was pre-trained on two million drug-like compounds [1].", [paper], question, None, True
    )
    assert out.citations
    assert "two million" in out.text


def test_a_name_answering_a_fact_question_stands_on_the_sentence_stating_it_whatever_premise_it_repeats(
    checker, passages
):
    abstract = (
        "Pre-trained models are often served as APIs. BlackVIP adapts them without their parameters through a "
        "coordinator network. Besides, we introduce a variant, BlackVIP-SE, which significantly reduces the runtime "
        "and computational cost of BlackVIP. Experiments show gains of +9.38% in CUB200 and +20.58% in CIFAR-100."
    )
    paper = with_abstract(passages[0], abstract, title="Robust Adaptation of Foundation Models with Black-Box Prompts")
    question = "What is the faster variant of black-box visual prompting introduced in its extended version called?"
    answer = (
        "The faster variant of black-box visual prompting introduced in its extended version is called BlackVIP-SE [1]."
    )
    kept = checker.check(answer, [paper], question, require_new=True)
    assert "BlackVIP-SE" in kept.text
    assert "BlackVIP-SE" in kept.citations[0].evidence
    # a list or which-paper answer gets no such pass: there the question's words are what the claim asserts
    assert not checker.check(answer, [paper], question).citations
    # a name the sentence does not state is no answer
    assert not checker.check(
        answer.replace("BlackVIP-SE", "BlackVIP-Lite"), [paper], question, require_new=True
    ).citations
    # nor is a number: a results sentence states several, and this one is bound to the wrong setting
    wrong = "The faster variant of black-box visual prompting improves its extended version by +9.38% on CIFAR-100 [1]."
    assert not checker.check(wrong, [paper], question, require_new=True).citations
