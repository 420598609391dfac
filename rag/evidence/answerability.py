"""Does the evidence answer the question? Signals from code and the generator, combined by a calibrated model."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.evidence.evidence import asks_for_amount, asks_for_results, evidence_candidates, states_a_result
from rag.text.terms import content, names, number_words, numbers, qualifiers, stated
from rag.types import Passage

FEATURES = ("p_yes", "asked_stated", "strict_stated", "top_cosine", "named", "named_detail_missing")
PROBE = "Does the evidence above state the answer to this question? Reply Yes or No."
# For a question asking which paper does something: the general probe says yes to a paper on a nearby topic (a
# watermarking question read papers on LLM text detection: P(yes) 0.63-0.69, as high as for paraphrased questions
# about papers the collection has). Asked whether a paper is exactly the one asked for, the model tells them apart
# better (tuning split, one-paper questions: every unanswerable one at most 0.715, 14 of 17 answerable ones above).
PAPER_PROBE = (
    "Is any numbered paper above exactly what the question asks for, not only a related topic? Reply Yes or No."
)
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
_MARKERS = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def record_text(passage: Passage) -> str:
    """What a paper states: title, abstract, authors and organization."""
    paper = passage.paper
    return " ".join([paper.title or "", paper.abstract, ", ".join(paper.authors), paper.organization or ""])


def code_signals(question: str, subject: set[str], read: list[Passage], top_cosine: float) -> dict[str, float]:
    """Is what the question asks for stated, not only its subject? `subject` holds the question's names that few
    papers state (SONA, EXAONE); only read papers that state them count. Of the best such paper:
    `asked_stated` is the share of the question's other content words it states, `strict_stated` of its other
    names, qualifiers and numbers (a far-OOD AUROC is not a near-OOD one, a GPU is not in EXAONE's abstract);
    `named` is 1 when the question has such a subject and the top paper states it."""
    subject_stems = {s for name in subject for s in content(name.replace("-", " "))}
    asked_names = (names(question) | qualifiers(question)) - subject
    asked_values = numbers(question)
    asked_words = content(question) - subject_stems
    best_words, best_strict, named = 0.0, 0.0, 0.0
    for i, passage in enumerate(read):
        where = stated(record_text(passage))
        if not all(where.has_name(n) for n in subject):
            continue
        named = max(named, 1.0 if subject and i == 0 else 0.0)
        word_share = sum(where.has_stem(w) for w in asked_words) / len(asked_words) if asked_words else 1.0
        strict = [where.has_name(n) for n in asked_names] + [v in where.values for v in asked_values]
        best_words = max(best_words, word_share)
        best_strict = max(best_strict, sum(strict) / len(strict) if strict else 1.0)
    # a detail of a named paper (SONA's far-OOD AUROC, the GPU EXAONE used) that no read paper naming it states
    detail_missing = 1.0 if subject and (asked_names or asked_values) and best_strict < 1.0 else 0.0
    return {
        "asked_stated": best_words,
        "strict_stated": best_strict,
        "top_cosine": top_cosine,
        "named": named,
        "named_detail_missing": detail_missing,
    }


def states_asked_figure(question: str, answer: str) -> bool:
    """A question asking for an amount ("How many parameters ...?", "What error rate ...?") is answered only by a
    text that states a number the question did not give: "trillions of tokens", "a better signal-to-noise ratio" or
    "20 billion" for "UL2 20B" do not answer it. One asking what a paper reports ("What does BlackVIP report on its
    benchmarks?", "How well does it perform?") is answered only by a text stating a result (a figure, "outperforms",
    "achieves", ...): BlackVIP's two components, however true, are not its results. Other questions pass."""
    if not asks_for_amount(question):
        plain = _ENUMERATORS.sub(" ", _NOT_AMOUNTS.sub(" ", _MARKERS.sub(" ", answer)))
        return not asks_for_results(question) or states_a_result(plain)
    answer = _NOT_AMOUNTS.sub(" ", _MARKERS.sub(" ", answer))
    words = number_words(answer) - number_words(question)
    return bool(numbers(answer) - numbers(question) or words)


def answering_sentences(question: str, passage: Passage) -> Callable[[str], bool] | None:
    """Accepts the evidence sentences of the passage that answer the question by states_asked_figure and state the
    most of the names it asks about beyond the paper's own title (a dataset, a setting), or None when no such sentence
    states one. A long question describing its paper matches the describing sentences best, not the one stating
    what was asked ("How much does <description> improve on CIFAR-100?": the one with CIFAR-100 and a figure); a
    figure alone is not enough ("three-stage training" does not say how many parameters MiniGPT-v2's LLM has), nor is a
    size the question gives ("UL2 20B": 20B is a quantity, not a name to find the answer by)."""
    title = stated(passage.paper.title or "")
    asked = {n for n in names(question) if n[0].isalpha() and not title.has_name(n)}
    answering = [s for s in evidence_candidates(passage) if states_asked_figure(question, s)]
    stating = {s: sum(stated(s).has_name(n) for n in asked) for s in answering}
    most = max(stating.values(), default=0)
    return (lambda sentence: stating.get(sentence) == most) if most else None


# Digits that are no amount: inside a name that starts with a letter (LLaMA2, T5, GPT-4, ResNet-50, YOLOv9), in an
# evaluation setting (0-shot, 5-way) and in a dimension (3D, 2d poses). "YuE, based on the LLaMA2 architecture" does
# not say how many parameters YuE has.
_NOT_AMOUNTS = re.compile(r"\b[A-Za-z][A-Za-z.-]*\d[\w.-]*|\b\d+-(?:shot|way)\b|\b[1-4]-?d\b", re.IGNORECASE)


_ENUMERATORS = re.compile(r"\(?\b(?:\d{1,2}|[ivx]{1,4}|[a-h])\)")  # "1)", "(2)", "(ii)", "b)": a list, not a result


TOPIC_SHARE = 0.4  # tuning split's list answers: cited papers off the topic stated 0.14-0.43, listed ones 0.33-1.0
# A listed paper states the topic about as fully as the read paper that states it best: off-topic papers cited in the
# tuning split's list answers stated 0.50-0.62 of the best share (music papers that say nothing of video, for "music
# for a given video"), listed ones 0.57-1.0
TOPIC_RATIO = 0.6


def list_citable(question: str, read: list[Passage]) -> list[bool]:
    """Which read papers a list answer may name: those whose record states at least TOPIC_SHARE of the question's
    content words and at least TOPIC_RATIO of the best read paper's share, or states one of the question's names
    (any paper stating JEPA belongs in "Which papers build on JEPA?"). "NoiseCLR uses diffusion models [2]" does not
    answer "Which papers use diffusion models for anomaly detection?" when NoiseCLR's abstract says nothing of
    anomalies, however true it is of NoiseCLR."""
    words, asked = content(question), names(question)
    where = [stated(record_text(p)) for p in read]
    shares = [sum(w.has_stem(c) for c in words) / len(words) if words else 1.0 for w in where]
    best = max(shares, default=0.0)
    return [
        share >= TOPIC_SHARE and (share >= TOPIC_RATIO * best or any(w.has_name(n) for n in asked))
        for share, w in zip(shares, where, strict=True)
    ]


def kind_key(kind: str | None) -> str:
    """The question kinds the answerability thresholds are calibrated for: "one_paper", "papers" or "other"."""
    return kind or "other"


@dataclass(frozen=True)
class AnswerabilityModel:
    """Logistic regression over FEATURES; answer when the probability reaches the threshold of the question's kind
    (`kind_thresholds`, else `threshold`): the signals of a question asking for a list of papers sit higher than
    those of one asking for a fact, so one threshold for both refuses too few of either."""

    weights: dict[str, float]
    bias: float
    threshold: float
    quote_threshold: float = 0.8  # when every drafted claim fails the check, quote the evidence only above this
    fitted_on: str = "defaults"
    kind_thresholds: dict[str, float] = field(default_factory=dict)
    paper_threshold: float = 0.0  # a which-paper question is answered only when PAPER_PROBE's P(yes) reaches this

    def probability(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) * signals.get(f, 0.5) for f in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def threshold_for(self, kind: str | None) -> float:
        return self.kind_thresholds.get(kind_key(kind), self.threshold)

    def answers(self, signals: dict[str, float], kind: str | None = None) -> bool:
        return self.probability(signals) >= self.threshold_for(kind)

    def paper_refused(self, p_paper: float | None) -> bool:
        """A which-paper question none of whose read papers the model judges to be exactly the one asked for."""
        return p_paper is not None and p_paper < self.paper_threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "bias": self.bias,
            "threshold": self.threshold,
            "kind_thresholds": self.kind_thresholds,
            "paper_threshold": self.paper_threshold,
            "quote_threshold": self.quote_threshold,
            "fitted_on": self.fitted_on,
        }


# Used only until `python -m evals calibrate` has written rag/evidence/calibration.json: trust the probe and the code
# check.
DEFAULT_MODEL = AnswerabilityModel(
    {
        "p_yes": 4.0,
        "asked_stated": 2.0,
        "strict_stated": 2.0,
        "top_cosine": 0.0,
        "named": 0.5,
        "named_detail_missing": -3,
    },
    -4.0,
    0.5,
)


def load_model(path: Path = CALIBRATION_FILE) -> AnswerabilityModel:
    """The calibrated model; a missing file gives the defaults, a corrupt one an error that says how to fix it."""
    if not path.exists():
        return DEFAULT_MODEL
    try:
        data = json.loads(path.read_text())["answerability"]
        weights = {f: float(data["weights"][f]) for f in FEATURES}
        return AnswerabilityModel(
            weights,
            float(data["bias"]),
            float(data["threshold"]),
            float(data["quote_threshold"]),
            str(data["fitted_on"]),
            {str(k): float(v) for k, v in data.get("kind_thresholds", {}).items()},
            float(data.get("paper_threshold", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a valid answerability calibration ({type(exc).__name__}: {exc}). "
            "Re-create it with `python -m evals calibrate`, or restore it with "
            "`git checkout rag/evidence/calibration.json`."
        ) from exc
