"""Answerability signals computed in code: is what the question asks for stated, not only its subject?"""

from rag.answerability import DEFAULT_MODEL, FEATURES, code_signals
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
