"""A real headless Chromium on the served app: streamed draft then checked answer, sources (the retrieved papers
first), literal corpus text, removed claims collapsed, upload, the corpus library and "ask about this paper"."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from tests import ui_fakes
from tests.ui_fakes import (
    BLACKVIP,
    COMPONENTS_TEXT,
    DROPPED_CLAIM,
    EVIL,
    ROOT,
    UNTITLED,
    RecordingAssistant,
    serve,
    write_jsonl,
)
from ui import library, render
from ui.app import build_app
from ui.examples import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
QUESTION = "How does BlackVIP adapt a pre-trained model without access to its parameters?"
XSS_QUESTION = "Do calibration and robustness improve together when fine-tuning zero-shot models?"
WATCH_STREAMING = """() => {
  window.__sawStreaming = false;
  window.__draftLabel = null;
  new MutationObserver(() => {
    const draft = document.querySelector('#rag-chat .rag-streaming');
    if (draft) window.__sawStreaming = true;
    const label = draft && draft.querySelector('.rag-label-draft');
    if (label && label.offsetParent !== null) window.__draftLabel = label.innerText;
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
SCREENSHOT = Path("/tmp/ui-draft.png")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app over the real Assistant (fast 0.5B model) and a store of a seed subset, on a free port."""
    assistant, settings = ui_fakes.real_assistant(tmp_path_factory, "ui-browser")  # or ui_fakes.fake_assistant
    with serve(build_app(RecordingAssistant(assistant), settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get update && apt-get install -y chromium`")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def fake_app(tmp_path_factory):
    """The app over the stand-in assistant, whose answers for some questions drop claims of the draft."""
    assistant, settings = ui_fakes.fake_assistant(tmp_path_factory, "ui-browser-fake")
    with serve(build_app(assistant, settings)) as url:
        yield url


@contextlib.contextmanager
def open_page(browser, url):
    context = browser.new_context(viewport={"width": 1366, "height": 850})
    page = context.new_page()
    page.dialogs = []  # every alert/confirm/prompt: an injected script would land here
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_selector("#rag-question textarea")
    yield page
    context.close()


@pytest.fixture
def page(browser, app):
    with open_page(browser, app) as page:
        yield page


@pytest.fixture
def fake_page(browser, fake_app):
    with open_page(browser, fake_app) as page:
        yield page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_for_answer(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('#rag-sources .rag-card') && !document.querySelector('#rag-chat .rag-streaming')"
        " && !document.querySelector('#rag-chat .rag-pending')",
        timeout=300_000,
    )


def ask(page, question: str) -> None:
    page.evaluate(WATCH_STREAMING)
    page.fill("#rag-question textarea", question)
    page.keyboard.press("Enter")
    wait_for_answer(page)


def test_streamed_answer_with_citations_and_sources(page):
    shot(page, "01-start")
    ask(page, QUESTION)
    assert page.evaluate("window.__sawStreaming")
    assert page.evaluate("window.__draftLabel") == render.DRAFT_LABEL
    shot(page, "02-answer")
    answer = page.locator("#rag-chat .rag-msg.rag-answer").last
    assert answer.is_visible()
    label = answer.locator(".rag-label").inner_text()
    assert label in {render.VERIFIED_LABEL, render.QUOTED_LABEL}
    assert answer.locator(".rag-label-draft").count() == 0
    for dropped in answer.locator("details.rag-dropped").all():  # the real model may or may not have drafted some
        assert dropped.evaluate("el => el.open") is False
        assert "not supported by the cited abstract" in dropped.locator("summary").inner_text()
    markers = set(re.findall(r"\[(\d+)\]", " ".join(answer.locator(".rag-cite").all_inner_texts())))
    assert markers
    badges = page.locator("#rag-sources .rag-badge").all_inner_texts()
    assert {f"[{n}]" for n in markers} <= set(badges)
    sources = page.locator("#rag-sources")
    assert "BlackVIP" in sources.inner_text()
    assert sources.locator("mark").count() >= 1
    assert page.dialogs == []


def test_script_in_corpus_text_shows_literally_and_never_runs(page):
    ask(page, XSS_QUESTION)
    sources = page.locator("#rag-sources")
    for details in sources.locator("details").all():
        details.evaluate("el => el.open = true")
    text = sources.inner_text()
    assert "<script>alert(1)</script> Robust fine-tuning of zero-shot models" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert sources.locator("script").count() == 0
    assert sources.locator("img").count() == 0
    assert page.locator("#rag-sources a[href^='javascript']").count() == 0
    card = sources.locator(".rag-card", has_text="<script>alert(1)</script>").first
    card.scroll_into_view_if_needed()
    shot(page, "03-literal-script")
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_example_click_asks_it_and_clear_empties_the_chat(page):
    example = page.locator("#rag-chat").get_by_text(EXAMPLES[0])
    page.evaluate(WATCH_STREAMING)
    example.click()
    wait_for_answer(page)
    assert EXAMPLES[0] in page.locator("#rag-chat .rag-question").first.inner_text()
    assert page.locator("#rag-chat .rag-msg.rag-answer, #rag-chat .rag-msg.rag-abstain").count() == 1
    page.click("#rag-clear")
    page.locator("#rag-sources .rag-empty").wait_for()
    assert page.locator("#rag-chat .rag-msg").count() == 0
    assert page.dialogs == []


def test_unanswerable_question_is_a_visibly_different_notice(page):
    ask(page, "What is the boiling point of iron on Mars?")
    notice = page.locator("#rag-chat .rag-msg.rag-abstain").last
    assert "Not answered by this collection" in notice.inner_text()
    assert notice.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    sources = page.locator("#rag-sources")
    assert "The collection does not answer this question. Closest papers" in sources.inner_text()
    assert sources.locator(".rag-card").count() >= 3
    shot(page, "04-abstained")
    assert page.dialogs == []


def test_corpus_tab_search_and_upload(page, tmp_path):
    page.get_by_role("tab", name="Corpus").click()
    corpus = page.locator("#rag-corpus")
    corpus.get_by_text("papers indexed").wait_for()
    before = int(re.search(r"(\d+) papers indexed", corpus.inner_text()).group(1))
    page.fill("#rag-title-search textarea", "script")
    page.keyboard.press("Enter")
    page.locator("#rag-results").get_by_text("paper(s) match").wait_for()
    assert "<script>alert(1)</script>" in page.locator("#rag-results").inner_text()
    shot(page, "05-corpus")

    upload = write_jsonl(
        tmp_path / "browser_upload.jsonl",
        [
            {
                "title": "Sparse autoencoders for tabular anomaly detection",
                "authors": ["Grace Hopper"],
                "year": 2022,
                "abstract": "Sparse autoencoders detect anomalies in tabular data. They beat isolation forests.",
            }
        ],
    )
    page.set_input_files("#rag-upload input[type=file]", str(upload))
    page.locator("#rag-upload-status .rag-ok, #rag-upload-status .rag-error").wait_for(timeout=300_000)
    status = page.locator("#rag-upload-status").inner_text()
    assert "browser_upload.jsonl ingested: 1 added" in status
    page.wait_for_function(
        f"() => /{before + 1} papers indexed/.test(document.querySelector('#rag-corpus').innerText)", timeout=30_000
    )
    assert "browser_upload.jsonl" in corpus.inner_text()
    shot(page, "06-uploaded")
    assert page.dialogs == []


def test_checked_answer_replaces_the_draft_and_lists_removed_claims_collapsed(fake_page):
    page = fake_page
    ask(page, "What are the two components of BlackVIP?")
    assert page.evaluate("window.__draftLabel") == render.DRAFT_LABEL
    answer = page.locator("#rag-chat .rag-msg.rag-answer").last
    assert answer.locator(".rag-label-verified").inner_text() == render.VERIFIED_LABEL
    assert COMPONENTS_TEXT in answer.inner_text()
    assert "14 benchmarks" not in answer.inner_text()  # in the draft only, and collapsed below
    dropped = answer.locator("details.rag-dropped")
    assert dropped.count() == 1  # the chat's sanitizer keeps <details>
    summary = dropped.locator("summary")
    assert summary.inner_text() == "1 claim removed: not supported by the cited abstract"
    assert dropped.evaluate("el => el.open") is False
    claim = dropped.locator("li")
    assert not claim.is_visible()
    shot(page, "07-removed-claims-collapsed")
    summary.click()
    claim.wait_for(state="visible")
    assert claim.inner_text() == DROPPED_CLAIM  # markup in the claim shows literally
    assert dropped.locator("b").count() == 0
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
    shot(page, "08-removed-claims-open")
    assert page.dialogs == []


WATCH_SOURCES = """() => {
  window.__retrievedBeforeDraft = null;
  new MutationObserver(() => {
    if (window.__retrievedBeforeDraft !== null) return;
    const retrieved = document.querySelector('#rag-sources .rag-retrieved .rag-card');
    const draft = document.querySelector('#rag-chat .rag-streaming');
    if (retrieved || draft) window.__retrievedBeforeDraft = Boolean(retrieved) && !draft;
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def test_sources_show_the_retrieved_papers_before_the_draft(fake_page):
    page = fake_page
    page.evaluate(WATCH_SOURCES)
    ask(page, QUESTION)
    assert page.evaluate("window.__retrievedBeforeDraft") is True
    sources = page.locator("#rag-sources")
    assert sources.locator(".rag-retrieved").count() == 0  # replaced by the checked answer's sources
    assert "Cited papers (2)" in sources.inner_text()


def library_rows(page) -> list[str]:
    """The title of each row the library table shows, top to bottom."""
    return page.locator("#rag-library .virtual-row").evaluate_all(
        "rows => rows.map(r => r.querySelector('[role=gridcell]').innerText.trim())"
    )


def test_corpus_library_table_chart_and_ask_about_a_paper(fake_page):
    page = fake_page
    page.get_by_role("tab", name="Corpus").click()
    table = page.locator("#rag-library")
    table.get_by_text(BLACKVIP.title).first.wait_for()
    assert table.locator("thead th").all_inner_texts()[: len(library.COLUMNS)] == library.COLUMNS
    assert library_rows(page) == [EVIL.title, BLACKVIP.title, UNTITLED.label]  # newest first
    assert "<script>" in library_rows(page)[0]  # literal text, not markup
    counts = page.locator("#rag-library-counts").inner_text()
    assert "no category" in counts
    assert "1 have no year" in counts
    bars = page.locator("#rag-year-chart svg .mark-rect path")  # drawn by the bundled Vega: no CDN
    bars.first.wait_for()
    assert bars.count() == 2  # 2023 and 2024
    shot(page, "09-library")

    title = table.locator("th[data-heading='0']")
    title.hover()
    title.locator("button.cell-menu-button").click()
    page.get_by_role("menuitem", name="Sort descending").click()
    page.wait_for_function(
        "() => document.querySelector('#rag-library .virtual-row [role=gridcell]').innerText.startsWith('Untitled')"
    )
    assert library_rows(page) == [UNTITLED.label, BLACKVIP.title, EVIL.title]
    table.locator("input.search-input").fill("BlackVIP")
    page.wait_for_function("() => document.querySelectorAll('#rag-library .virtual-row').length === 1")
    assert library_rows(page) == [BLACKVIP.title]

    button = page.locator("#rag-ask-about")
    assert button.is_disabled()
    table.locator("[role=gridcell]", has_text="Changdae Oh").click()
    page.locator("#rag-picked").get_by_text("Selected:").wait_for()
    assert BLACKVIP.title in page.locator("#rag-picked").inner_text()
    assert button.is_enabled()
    button.click()
    question = page.locator("#rag-question textarea")
    question.wait_for(state="visible")  # the Ask tab is shown
    assert question.input_value() == library.question_about(BLACKVIP.title)
    assert BLACKVIP.title in page.locator("#rag-paper-filter").inner_text()
    page.evaluate(WATCH_STREAMING)
    question.press("Enter")
    wait_for_answer(page)
    sources = page.locator("#rag-sources")
    assert f"paper: {BLACKVIP.title}" in sources.inner_text()
    assert sources.locator(".rag-card").count() == 1
    shot(page, "10-asked-about-a-paper")
    page.click("#rag-any-paper")
    page.locator("#rag-paper-filter-row").wait_for(state="hidden")
    assert page.dialogs == []
