"""Answerability signals computed in code: is what the question asks for stated, not only its subject?"""

from rag.evidence.answerability import DEFAULT_MODEL, FEATURES, code_signals
from rag.types import Paper, Passage

SONA = Passage(
    1,
    Paper(
        doc_id="sona",
        title=None,
        abstract="We propose SONA, which produces outliers with diffusion models. It reaches 88% AUROC on near-OOD.",
    ),
    1.0,
)
OTHER = Passage(
    2, Paper(doc_id="gpu", title="A GPU library", abstract="Our library runs on a GPU and on far-OOD data."), 0.5
)


def test_a_detail_of_the_named_paper_that_it_does_not_state_is_flagged():
    asked = code_signals("What AUROC does SONA reach on near-OOD?", {"sona"}, [SONA, OTHER], 0.6)
    missing = code_signals("What AUROC does SONA reach on far-OOD data?", {"sona"}, [SONA, OTHER], 0.6)
    assert asked["named_detail_missing"] == 0.0
    assert asked["strict_stated"] == 1.0
    assert missing["named_detail_missing"] == 1.0  # another paper stating far-OOD does not count: it is not SONA
    assert missing["strict_stated"] < 1.0
    assert asked["named"] == missing["named"] == 1.0


def test_the_subjects_own_words_are_not_what_is_asked():
    signals = code_signals("How does SONA produce outliers?", {"sona"}, [SONA], 0.6)
    assert signals["asked_stated"] == 1.0
    gpu = code_signals("Which GPU was SONA trained on?", {"sona"}, [SONA, OTHER], 0.6)
    assert gpu["named_detail_missing"] == 1.0


def test_every_feature_has_a_default_weight_and_signals_feed_the_model():
    signals = {**code_signals("How does SONA produce outliers?", {"sona"}, [SONA], 0.6), "p_yes": 0.9}
    assert set(signals) == set(FEATURES)
    assert set(DEFAULT_MODEL.weights) == set(FEATURES)
    unstated = {**code_signals("Which GPU was SONA trained on?", {"sona"}, [SONA], 0.6), "p_yes": 0.9}
    assert DEFAULT_MODEL.probability(signals) > DEFAULT_MODEL.probability(unstated)


def test_an_amount_question_is_answered_only_by_a_figure_it_did_not_give():
    from rag.evidence.answerability import states_asked_figure

    assert states_asked_figure("How many parameters does YuE have?", "YuE has 7B parameters [1].")
    assert not states_asked_figure("How many parameters does YuE have?", "YuE is trained on trillions of tokens [1].")
    assert not states_asked_figure("How many tokens was UL2 20B pre-trained on?", "UL2 20B has 20 billion [1].")
    assert not states_asked_figure("What signal-to-noise ratio does MMLU have?", "MMLU has a better ratio [2].")
    assert states_asked_figure("What character error rate does it reach?", "It reaches a CER of 4.1% [1].")
    assert states_asked_figure("How does SONA produce outliers?", "With diffusion models [1].")  # not an amount
    assert states_asked_figure("How many compounds was it trained on?", "On two million compounds [1].")
    assert states_asked_figure("How much of the data can be pruned?", "Half of the training set [1].")
    assert not states_asked_figure("How many GPUs were used?", "Hundreds of GPUs were used [1].")
    # digits in a name or an evaluation setting are no amount; a figure beside them still is
    assert not states_asked_figure("How many parameters does YuE have?", "YuE builds on the LLaMA2 architecture [1].")
    assert not states_asked_figure("How many GPUs trained it?", "On 0-shot MMLU it beats T5 and GPT-4 [1].")
    assert states_asked_figure("How many layers does it use?", "A 12-layer ResNet-50 variant [1].")
    assert not states_asked_figure("How fast does it run?", "It estimates 3d poses from 2D keypoints [1].")
    assert states_asked_figure("How many tokens did Qwen2.5 see?", "Qwen2.5 saw 18T tokens [1].")


def test_a_question_asking_what_a_paper_reports_is_answered_only_by_a_result():
    from rag.evidence.answerability import states_asked_figure

    asked = "What does GridNet report on its benchmarks?"
    assert not states_asked_figure(asked, "GridNet has two components: an encoder and a planner [1].")
    assert not states_asked_figure(asked, "GridNet has 1) an encoder and 2) a planner from GPT-4 [1].")
    assert states_asked_figure(asked, "GridNet outperforms prior planners on all four benchmarks [1].")
    assert states_asked_figure("How well does it perform on long horizons?", "It reaches 71% success [2].")
    assert not states_asked_figure("And what results does it report?", "It uses a learned planner [1].")
    assert states_asked_figure("Which benchmarks did it report results on?", "Atari and Procgen [1].")  # a name


def test_a_question_asking_for_a_name_needs_no_figure_or_result():
    from rag.evidence.answerability import states_asked_figure

    # a benchmark or a scoring tool as the thing named, not results on benchmarks or a score reached
    assert states_asked_figure("What is the name of the benchmark of noisy user requests?", "NoisyReqBench [1].")
    assert states_asked_figure("What is the benchmark of noisy user requests called?", "NoisyReqBench [1].")
    assert states_asked_figure("What tool did they build to score the agents?", "A tool named AgentJudge [1].")
    assert not states_asked_figure("What does it score across its benchmarks?", "A tool named AgentJudge [1].")
    assert not states_asked_figure("What F1 does AgentJudge achieve?", "AgentJudge uses GPT-4 as a judge [1].")


def test_each_kind_of_question_can_have_its_own_threshold(tmp_path):
    import json

    from rag.evidence.answerability import AnswerabilityModel, load_model

    model = AnswerabilityModel(dict.fromkeys(FEATURES, 0.0), 0.0, 0.3, 0.6, "test", {"papers": 0.55})
    assert model.threshold_for("papers") == 0.55
    assert model.threshold_for("one_paper") == model.threshold_for(None) == 0.3
    assert model.answers({}, "one_paper")  # probability 0.5
    assert not model.answers({}, "papers")
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"answerability": model.to_dict()}))
    assert load_model(path) == model


def test_the_quote_for_an_amount_is_the_sentence_stating_a_figure_and_the_asked_names():
    from rag.evidence.answerability import answering_sentences

    paper = Paper(
        doc_id="fscil",
        title="Pre-trained transformers are few-shot incremental learners",
        abstract="Prior few-shot incremental learners face two challenges and use shallow models. We argue that large "
        "pre-trained transformers are excellent few-shot incremental learners. Our method gains +9.38% on CUB200 and "
        "+20.58% on CIFAR-100. A second method gains 5% on average.",
    )
    passage = Passage(1, paper, 1.0, evidence=tuple(paper.abstract.split(". ")))
    keep = answering_sentences("How much do large pre-trained transformers improve on CIFAR-100?", passage)
    assert keep is not None
    kept = [s for s in passage.evidence if keep(s)]
    assert kept == ["Our method gains +9.38% on CUB200 and +20.58% on CIFAR-100"]  # not "two challenges", not "5%"
    # a figure stating no asked name beyond the paper's own title is not chosen for it: the most similar sentence is
    minigpt = Paper(doc_id="m", title="MiniGPT-v2", abstract="MiniGPT-v2 uses three-stage training.")
    only_title = Passage(1, minigpt, 1.0, evidence=(minigpt.abstract,))
    assert answering_sentences("How many parameters does the LLM inside MiniGPT-v2 have?", only_title) is None
    ul2 = Paper(doc_id="u", title="UL2", abstract="We tune UL2 20B, competitive to FLAN-PaLM 62B.")
    sized = Passage(1, ul2, 1.0, evidence=(ul2.abstract,))
    assert answering_sentences("How many tokens was UL2 20B pre-trained on?", sized) is None  # 20B is no name


def test_a_list_names_the_papers_stating_the_topic_about_as_fully_as_the_best_one():
    from rag.evidence.answerability import list_citable

    def paper(doc_id: str, abstract: str) -> Passage:
        return Passage(1, Paper(doc_id=doc_id, title=None, abstract=abstract), 1.0)

    read = [
        paper("a", "We recommend and generate music for a given video with JEPA."),
        paper("b", "We generate music tracks with diffusion."),  # music, no video: half the best share
        paper("c", "JEPA for music."),  # the question's name: listed at any share from TOPIC_SHARE up
    ]
    assert list_citable("Which papers recommend or generate music for a given video?", read) == [True, False, False]
    assert list_citable("Which papers recommend or generate music for a given video with JEPA?", read) == [
        True,
        False,
        True,
    ]
