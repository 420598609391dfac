"""The bundled corpus: layout detection, per-file counts and the exact fields of the tricky entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.entries import ParsedEntry, Skipped
from ingest.latex import repair_latex
from ingest.parsers import iter_entries, parse_file
from ingest.parsers.author_profile import ProfileHeader, parse_author_profile
from ingest.parsers.detect import detect_layout
from ingest.textclean import clean_abstract, split_authors

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seeds"
LAB, DAILY_1, PROFILE, DAILY_3, TITLES = sorted(SEEDS.iterdir())
EXPECTED = {
    LAB.name: ("lab_page", 10),
    DAILY_1.name: ("daily_papers", 48),
    PROFILE.name: ("author_profile", 46),
    DAILY_3.name: ("daily_papers", 112),
    TITLES.name: ("title_lines", 418),
}
OWNER = "Kyungwoo Song"


def entries(path: Path) -> list[ParsedEntry]:
    items = list(parse_file(path))
    assert [i for i in items if isinstance(i, Skipped)] == []
    return [i for i in items if isinstance(i, ParsedEntry)]


def by_title(path: Path, start: str) -> ParsedEntry:
    found = [e for e in entries(path) if e.title and e.title.startswith(start)]
    assert len(found) == 1, start
    return found[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_and_count_per_file(name: str) -> None:
    layout, count = EXPECTED[name]
    assert detect_layout(SEEDS / name) == layout
    assert len(entries(SEEDS / name)) == count


def test_whole_corpus_parses_to_634_entries() -> None:
    items = list(iter_entries([SEEDS]))
    assert len(items) == 634
    assert all(isinstance(i, ParsedEntry) and i.abstract for i in items)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detection_uses_content_not_the_file_name(tmp_path: Path, name: str) -> None:
    renamed = tmp_path / "papers.jsonl"  # a misleading name
    shutil.copy(SEEDS / name, renamed)
    layout, count = EXPECTED[name]
    assert detect_layout(renamed) == layout
    assert len(entries(renamed)) == count


def test_entry_line_points_at_the_title_line() -> None:
    lines = TITLES.read_text(encoding="utf-8").splitlines()
    for entry in entries(TITLES)[1:]:
        assert lines[entry.line - 1] == entry.title
        assert entry.source == TITLES.name


def test_lab_page_has_organization_and_no_titles() -> None:
    papers = entries(LAB)
    assert {p.organization for p in papers} == {"Data Intelligence Laboratory, LG AI Research"}
    assert all(p.title is None and p.year is None and p.authors == () for p in papers)
    assert [p.line for p in papers] == list(range(2, 12))
    assert papers[1].urls == ("https://huggingface.co/LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct",)
    assert not any(p.abstract.startswith("Abstract") for p in papers)


def test_page_date_is_not_attached_to_the_first_paper() -> None:
    first = entries(DAILY_1)[0]
    assert first.title == "Diffusion Models for Medical Image Analysis: A Comprehensive Survey"
    assert (first.line, first.year, first.date) == (13, 2022, "2022-11-14")
    first = entries(DAILY_3)[0]
    assert first.title == "Bayesian Prompt Flow Learning for Zero-Shot Anomaly Detection"
    assert (first.year, first.date) == (None, "--03-13")  # the page says "Nov 12" at the top
    assert not any(e.date == "--10-29" for e in entries(DAILY_1))


def test_date_and_upvote_count_are_split() -> None:
    weak = by_title(DAILY_3, "Weak-to-Strong Diffusion with Reflection")  # "Feb 1 2"
    assert (weak.year, weak.date) == (None, "--02-01")
    lottery = by_title(DAILY_1, "The Lottery Ticket Hypothesis")  # "Mar 9, 2018 1"
    assert (lottery.year, lottery.date) == (2018, "2018-03-09")
    yue = by_title(DAILY_1, "YuE: Scaling Open Foundation Models")  # "Mar 11 3"
    assert (yue.year, yue.date) == (None, "--03-11")


def test_entries_without_metadata_or_with_an_organisation() -> None:
    dale = by_title(DAILY_1, "Dale meets Langevin")
    assert (dale.line, dale.year, dale.date, dale.authors) == (69, None, None, ())
    mirage = by_title(DAILY_3, "Is Chain-of-Thought Reasoning of LLMs a Mirage?")
    assert (mirage.year, mirage.date) == (None, None)
    adobe = by_title(DAILY_3, "Learning an Image Editing Model without Image Editing Pairs")
    assert (adobe.organization, adobe.date) == ("Adobe", "--10-16")
    single = by_title(DAILY_1, "Random Search as a Baseline")  # "1 authors"
    assert (single.date, single.authors) == ("2024-03-13", ())


def test_profile_header_is_parsed_not_taken_for_a_paper() -> None:
    headers: list[ProfileHeader] = []
    papers = list(parse_author_profile(PROFILE, headers))
    assert len(papers) == 46
    assert headers == [
        ProfileHeader(
            owner=OWNER,
            stats={"h-index": "13", "papers": "46", "citations": "794", "novelty": "53%", "ai score": "59"},
            labels=["LG"],
        )
    ]


def test_profile_glued_category_date_and_code_flag() -> None:
    first = entries(PROFILE)[0]
    assert first.title == "BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning"
    assert (first.line, first.category, first.year, first.date, first.has_code) == (12, "CV", 2023, "2023-03-26", True)
    assert first.urls == ("https://github.com/changdaeoh/BlackVIP",)
    explainer = by_title(PROFILE, "Geometry-Adaptive Explainer")  # "LGMay 21"
    assert (explainer.category, explainer.year, explainer.date, explainer.has_code) == ("LG", None, "--05-21", False)
    p3t = by_title(PROFILE, "P3T: Prototypical Point-level Prompt Tuning")  # "CVApr 17Code"
    assert (p3t.date, p3t.has_code) == ("--04-17", True)


def test_profile_owner_is_an_author_of_every_paper() -> None:
    papers = entries(PROFILE)
    assert all(OWNER in p.authors for p in papers)
    first = papers[0]  # "Changdae Oh, Hyeji Hwang, Hee-young Lee et al."
    assert first.authors == ("Changdae Oh", "Hyeji Hwang", "Hee-young Lee", OWNER)
    assert first.authors_truncated is True
    causal = by_title(PROFILE, "Causally Disentangled Generative Variational AutoEncoder")
    assert causal.authors == ("Seunghwan An", OWNER, "Jong-June Jeon")  # already listed: not added twice
    assert causal.authors_truncated is False


def test_profile_affiliations_and_name_variants() -> None:
    calibrated = by_title(PROFILE, "Towards Calibrated Robust Fine-Tuning")
    assert calibrated.affiliations == ("cmu", "uw")
    assert calibrated.authors == ("Changdae Oh", "Hyesu Lim", "Mijoo Kim", OWNER)
    assert "Seungjae Shin" in by_title(PROFILE, "Bivariate Beta-LSTM").authors  # printed "Seung jae Shin"
    assert "Yoon-Yeong Kim" in by_title(PROFILE, "Sequential Likelihood-Free Inference").authors  # "YoonYeong Kim"


def test_first_title_is_freed_from_page_chrome() -> None:
    first = entries(TITLES)[0]
    assert first.line == 3
    assert first.title == "One Loss for All: Deep Hashing with a Single Cosine Similarity based Learning Objective"
    assert first.urls == ("https://github.com/kamwoh/orthohash",)


def test_latex_is_repaired_in_the_corpus() -> None:
    everything = [e for path in EXPECTED for e in entries(SEEDS / path)]
    for entry in everything:
        for bad in ("\\textit", "\\url", "$", "mathcal", "\\%", "textcolor"):
            assert bad not in entry.abstract, (entry.source, entry.line, bad)
    uadal = by_title(PROFILE, "Unknown-Aware Domain Adversarial Learning")
    assert "distribution matching with unknown classes" in uadal.abstract
    p3t = by_title(PROFILE, "P3T")
    assert "Prompt Tuning (P³T)" in p3t.abstract
    assert p3t.urls == ("https://github.com/gyjung975/P3T",)
    pretraining = by_title(DAILY_1, "On the Provable Advantage of Unsupervised Pretraining")
    assert "excess risk of O(C_Φ/m + C_Ψ/n)" in pretraining.abstract
    assert "when m ≫ n" in pretraining.abstract


def test_email_obfuscation_is_marked_not_kept() -> None:
    wsis = by_title(TITLES, "Weakly Supervised Instance Segmentation by Learning Annotation")
    assert "by 4.2% […] and 4.8% […]." in wsis.abstract
    assert not any("email protected" in e.abstract for e in entries(TITLES))


def test_appended_keywords_move_to_keywords() -> None:
    yue = by_title(DAILY_1, "YuE: Scaling Open Foundation Models")
    assert yue.keywords == ("lyrics2song", "song generation", "long-form", "foundation model", "music generation")
    assert yue.abstract.endswith("on the MARBLE benchmark.")
    assert "Keywords" not in yue.abstract


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"at \href{https://x.org/a}{https://x.org/a}.", "at https://x.org/a."),
        (r"\textcolor[rgb]{1, 0, 0}{Code at http://www.bhchen.cn/}.", "Code at http://www.bhchen.cn/."),
        (r"a na\"{\i}ve \textbf{L}azy 5.8\% \eg, x", "a naïve Lazy 5.8% e.g., x"),
        ("bounded by proptoleft(d/mright)^{1/2}.", "bounded by ∝(d/m)^(1/2)."),
        ("the ell_{p}!left(!0!<! p!leq!1right)-norm", "the ℓ_p(0< p≤1)-norm"),
        ("widetilde O(d/(nvarepsilon_DP))", "Õ(d/(nε_DP))"),
        ("models~(LLMs) by ~3% in 3.4~10% of http://x.org/~me", "models (LLMs) by ~3% in 3.4~10% of http://x.org/~me"),
        (
            "the left (top right) of Phi-3, with a {16.4X speedup}",
            "the left (top right) of Phi-3, with a 16.4X speedup",
        ),
    ],
)
def test_latex_repair_cases(raw: str, expected: str) -> None:
    assert repair_latex(raw) == expected


def test_clean_abstract_extracts_urls_and_keywords() -> None:
    text, urls, keywords = clean_abstract(
        "Abstract: We do X (see https://a.org/x). Code: \\url{https://github.com/u/r}. Keywords: a, b; c"
    )
    assert text == "We do X (see https://a.org/x). Code: https://github.com/u/r."
    assert urls == ("https://a.org/x", "https://github.com/u/r")
    assert keywords == ("a", "b", "c")


def test_split_authors_forms() -> None:
    assert split_authors("A One, B Two and C Three") == (("A One", "B Two", "C Three"), False)
    assert split_authors("A One, B Two, and C Three") == (("A One", "B Two", "C Three"), False)
    assert split_authors("A One; B Two") == (("A One", "B Two"), False)
    assert split_authors("A One, B Two, C Three et al.") == (("A One", "B Two", "C Three"), True)
