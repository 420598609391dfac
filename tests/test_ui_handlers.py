"""UI handlers and HTML rendering as plain functions, driven by the stand-in assistant."""

from __future__ import annotations

import re
import sys

import pytest

from rag.config import Settings
from rag.errors import GenerationError, StoreMissingError
from rag.query.conversation import is_follow_up
from rag.types import Answer, CatalogQuery, Citation, Filters, Paper, Passage, Retrieved
from tests.ui_fakes import (
    ANSWER_TEXT,
    BLACKVIP,
    COMPONENTS_TEXT,
    EVIL,
    MARS_CLAIM,
    QUOTED_CLAIM,
    QUOTED_TEXT,
    UNTITLED,
    FakeAssistant,
)
from ui import handlers, library, render

QUESTION = "How does BlackVIP adapt a pre-trained model without access to its parameters?"


@pytest.fixture
def settings(tmp_path):
    return Settings(store_dir=tmp_path / "store", model="default")


def run_turn(assistant, settings, question, turns=(), **options):
    return list(handlers.chat_turn(assistant, settings, question, list(turns), **options))


def assistant_text(messages):
    return messages[-1]["content"]


def assert_inert(html: str) -> None:
    """No corpus text became markup: no raw script/img tags, event handlers or javascript: links."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>" not in lowered
    assert not re.search(r"<[^>]*\son\w+=", lowered)
    assert 'href="javascript' not in lowered


def test_answer_streams_then_shows_cited_markers_and_sources(settings):
    updates = run_turn(FakeAssistant(), settings, QUESTION)
    streamed = [assistant_text(u[0]) for u in updates[2:-1]]  # after the pending message and the retrieved papers
    assert len(streamed) > 5
    assert all("rag-streaming" in s for s in streamed)
    assert len(streamed[-1]) > len(streamed[0])
    messages, sources, turns, textbox = updates[-1]
    assert textbox == ""
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert '<span class="rag-cite">[1]</span>' in assistant_text(messages)
    assert '<span class="rag-cite">[2]</span>' in assistant_text(messages)
    assert "BlackVIP: Black-Box Visual Prompting" in sources
    assert '<span class="rag-badge">[1]</span>' in sources
    assert "<mark>In this work, we propose black-box visual prompting (BlackVIP)" in sources
    assert "Changdae Oh, Hyeji Hwang, Hee-young Lee et al." in sources
    assert "2023" in sources
    assert "002_87569abedee599f0.txt" in sources
    assert 'href="https://arxiv.org/abs/2303.14773"' in sources
    assert turns == [{**turns[0], "question": QUESTION, "answer": ANSWER_TEXT, "ok": True}]
    assert turns[0]["papers"] == [BLACKVIP.doc_id, EVIL.doc_id]


def test_the_draft_is_labelled_while_it_streams_and_the_checked_answer_replaces_it(settings):
    updates = run_turn(FakeAssistant(), settings, "What are the two components of BlackVIP?")
    streamed = [assistant_text(u[0]) for u in updates[2:-1]]
    assert streamed
    assert all(render.esc(render.DRAFT_LABEL) in s and "rag-label-draft" in s for s in streamed)
    assert all(render.CARET in s for s in streamed)
    assert "14 benchmarks" in streamed[-1]  # the draft showed the claim the check then removed
    assert "&lt;b&gt;white-box&lt;/b&gt;" in streamed[-1]
    final = assistant_text(updates[-1][0])
    assert "rag-streaming" not in final
    assert render.DRAFT_LABEL not in final
    assert render.CARET not in final
    assert render.VERIFIED_LABEL in final
    body = final[: final.index("<details")]
    assert render.esc(COMPONENTS_TEXT).replace("[1]", '<span class="rag-cite">[1]</span>') in body
    assert "14 benchmarks" not in body
    assert_inert(final)


def test_removed_claims_are_listed_collapsed_and_escaped(settings):
    final = assistant_text(run_turn(FakeAssistant(), settings, "What are the two components of BlackVIP?")[-1][0])
    details = final[final.index("<details") : final.index("</details>")]
    assert details.startswith('<details class="rag-dropped"><summary>')  # no `open`: collapsed
    assert "<summary>1 claim removed: not supported by the cited abstract</summary>" in details
    assert "<li>It beats every &lt;b&gt;white-box&lt;/b&gt; method on 14 benchmarks.</li>" in details
    assert final.endswith("</details></div>")
    assert render.dropped_html([]) == ""
    two = render.dropped_html(["A <script>x</script> claim.", "Another."])
    assert "<summary>2 claims removed: not supported by the cited abstract</summary>" in two
    assert_inert(two)


def test_a_quoted_answer_says_the_draft_could_not_be_verified(settings):
    messages, sources, turns, _ = run_turn(FakeAssistant(), settings, "How much GPU time does BlackVIP need?")[-1]
    final = assistant_text(messages)
    assert "rag-answer" in final
    assert render.QUOTED_LABEL in final
    assert render.VERIFIED_LABEL not in final
    assert render.esc(QUOTED_TEXT).replace("[1]", '<span class="rag-cite">[1]</span>') in final
    assert f"<summary>1 claim removed: not supported by the cited abstract</summary><ul><li>{QUOTED_CLAIM}" in final
    assert '<span class="rag-badge">[1]</span>' in sources
    assert turns[0]["papers"] == [BLACKVIP.doc_id]


def test_a_catalog_answer_is_labelled_as_computed_from_the_records_not_as_checked_against_abstracts():
    answer = Answer("How many papers ...?", "4 papers in the collection match.", False, catalog=CatalogQuery("count"))
    html = render.answer_html(answer)
    assert render.CATALOG_LABEL in html
    assert render.VERIFIED_LABEL not in html


def test_a_picked_paper_answer_is_labelled_as_quoted_from_that_paper_not_as_a_rejected_draft():
    text = f"{BLACKVIP.title} [1]: \u201cWe propose BlackVIP.\u201d"
    picked = Answer("Which paper ...?", text, False, quoted=True, answerability={"pick": 0.8, "probability": 0.7})
    html = render.answer_html(picked)
    assert render.PICKED_LABEL in html
    assert render.QUOTED_LABEL not in html
    assert render.QUOTED_LABEL in render.answer_html(Answer("How ...?", text, False, quoted=True))


def test_an_abstention_keeps_its_notice_and_shows_the_removed_claims(settings):
    final = assistant_text(run_turn(FakeAssistant(), settings, "Was there life on Mars?")[-1][0])
    assert final.startswith('<div class="rag-msg rag-abstain"><div class="rag-notice-title">Not answered')
    assert render.VERIFIED_LABEL not in final
    assert f"<summary>1 claim removed: not supported by the cited abstract</summary><ul><li>{MARS_CLAIM}" in final
    plain = assistant_text(run_turn(FakeAssistant(), settings, "Is there water on Mars?")[-1][0])
    assert "<details" not in plain


def test_uncited_passages_are_collapsed(settings):
    sources = run_turn(FakeAssistant(), settings, QUESTION)[-1][1]
    details = sources[sources.index("<details") :]
    assert "Other retrieved papers, not cited (1)" in details
    assert UNTITLED.label in details
    assert BLACKVIP.title not in details


def test_corpus_text_is_rendered_literally(settings):
    messages, sources, _, _ = run_turn(FakeAssistant(), settings, "<img src=x onerror=alert(9)> and BlackVIP?")[-1]
    html = sources + "".join(m["content"] for m in messages)
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Robust fine-tuning" in sources
    assert "&lt;img src=x onerror=alert(2)&gt;" in sources
    assert "Mallory &lt;b&gt;Evil&lt;/b&gt;" in sources
    assert "evil&lt;img&gt;.jsonl" in sources
    assert "&#36;&#123;alert(3)&#125;" in sources  # no template syntax survives for gr.HTML's template engine
    assert 'href="https://example.org/paper?a=1&amp;b=2"' in sources
    assert "&lt;img src=x onerror=alert(9)&gt;" in messages[0]["content"]


def test_follow_up_passes_the_conversation(settings):
    assistant = FakeAssistant()
    turns = run_turn(assistant, settings, QUESTION)[-1][2]
    messages, _, turns, _ = run_turn(assistant, settings, "And what are its two components?", turns)[-1]
    assert assistant.calls[-1]["history"] == [(QUESTION, ANSWER_TEXT, (BLACKVIP.doc_id, EVIL.doc_id))]
    assert assistant.calls[-1]["stream"] is True
    assert len(messages) == 4
    assert len(turns) == 2
    turns = run_turn(assistant, settings, "Is there water on Mars?", turns)[-1][2]
    run_turn(assistant, settings, "How does it work?", turns)
    assert assistant.calls[-1]["history"] == [  # the checked answers and their cited papers, not the drafts
        (QUESTION, ANSWER_TEXT, (BLACKVIP.doc_id, EVIL.doc_id)),
        ("And what are its two components?", COMPONENTS_TEXT, (BLACKVIP.doc_id,)),
        ("Is there water on Mars?", "The collection does not say.", ()),
    ]


def test_controls_are_passed_to_the_assistant(settings):
    assistant = FakeAssistant()
    run_turn(assistant, settings, QUESTION, year_from="2021", year_to=" ", author=" Changdae Oh ", k=5, model="fast")
    call = assistant.calls[-1]
    assert (call["year_from"], call["year_to"], call["author"], call["k"], call["model"]) == (
        2021,
        None,
        "Changdae Oh",
        5,
        "fast",
    )
    run_turn(assistant, settings, QUESTION, year_from=None, year_to=2024.0, author="", k=None, model="default")
    call = assistant.calls[-1]
    assert (call["year_from"], call["year_to"], call["author"], call["k"], call["model"]) == (
        None,
        2024,
        None,
        settings.k,
        None,
    )


def test_recognised_filters_are_shown(settings):
    sources = run_turn(FakeAssistant(), settings, "What did Changdae Oh publish since 2023?")[-1][1]
    assert '<span class="rag-chip">from 2023</span>' in sources
    sources = run_turn(FakeAssistant(), settings, QUESTION, year_from="2020", year_to="2024", author="Oh")[-1][1]
    assert '<span class="rag-chip">years 2020–2024</span>' in sources
    assert '<span class="rag-chip">author: Oh</span>' in sources


def test_abstained_answer_is_a_notice_listing_the_closest_papers(settings):
    messages, sources, turns, _ = run_turn(FakeAssistant(), settings, "Is there water on Mars?")[-1]
    assert "rag-abstain" in assistant_text(messages)
    assert "Not answered by this collection" in assistant_text(messages)
    assert "rag-cite" not in assistant_text(messages)
    assert "The collection does not answer this question. Closest papers (3)" in sources
    assert all(f'data-doc-id="{p.doc_id}"' in sources for p in (BLACKVIP, EVIL, UNTITLED))
    assert turns[0]["ok"] is True


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (StoreMissingError("No index in /tmp/x: run `python -m ingest` first."), "No index found"),
        (GenerationError("The model crashed: out of memory; try --model fast."), "The question could not be answered"),
    ],
)
def test_errors_are_readable_in_the_chat_and_the_next_question_works(settings, error, title):
    assistant = FakeAssistant(error=error)
    messages, sources, turns, _ = run_turn(assistant, settings, QUESTION)[-1]
    text = assistant_text(messages)
    assert "rag-error" in text
    assert title in text
    assert render.esc(str(error)) in text
    assert "rag-error" in sources
    assistant.error = None
    messages, _, turns, _ = run_turn(assistant, settings, "Try again: " + QUESTION, turns)[-1]
    assert "rag-cite" in assistant_text(messages)
    assert assistant.calls[-1]["history"] == []  # the failed turn is shown but not used as context
    assert len(turns) == 2


def test_a_bad_year_is_explained_without_asking(settings):
    assistant = FakeAssistant()
    messages, _, _, _ = run_turn(assistant, settings, QUESTION, year_from="last year")[-1]
    assert "Check the options" in assistant_text(messages)
    assert "Year from must be a year such as 2022" in assistant_text(messages)
    assert assistant.calls == []


def test_blank_question_changes_nothing(settings):
    assistant = FakeAssistant()
    assert run_turn(assistant, settings, "   ") == [([], render.EMPTY_SOURCES, [], "")]
    assert assistant.calls == []


def test_clear_and_select_turn(settings):
    assistant = FakeAssistant()
    turns = run_turn(assistant, settings, QUESTION)[-1][2]
    turns = run_turn(assistant, settings, "Anything on Mars?", turns)[-1][2]
    assert handlers.select_turn(turns, 1) == turns[0]["sources"]
    assert handlers.select_turn(turns, 2) == turns[1]["sources"]
    assert handlers.select_turn(turns, 99) == turns[-1]["sources"]
    assert handlers.select_turn([], 0) == render.EMPTY_SOURCES
    assert handlers.clear_chat() == ([], render.EMPTY_SOURCES, [], "")
    assert handlers.example_text({"text": "What is X?"}) == "What is X?"


def test_evidence_highlight_tolerates_spacing_and_falls_back_to_a_quote():
    abstract = "First sentence.  We   PROPOSE a <b>thing</b>. Last."
    assert highlight_marked(abstract, "We propose a <b>thing</b>.") == "We   PROPOSE a &lt;b&gt;thing&lt;/b&gt;."
    fallback = render.highlight(abstract, "A sentence that is not there.")
    assert fallback.startswith('<blockquote class="rag-evidence">A sentence that is not there.</blockquote>')
    assert "<mark>" not in fallback


def highlight_marked(abstract: str, evidence: str) -> str:
    html = render.highlight(abstract, evidence)
    return html[html.index("<mark>") + 6 : html.index("</mark>")]


def test_stats_show_model_time_and_the_rewritten_follow_up():
    answer = Answer(
        question="And its <b>parts</b>?",
        answer="x",
        abstained=True,
        models={"generator": "smollm2-135m"},
        timings_ms={"total": 2345.0},
        standalone_question="What are the <b>parts</b> of BlackVIP?",
    )
    stats = render.stats_html(answer)
    assert "model smollm2-135m · 2.3 s · searched for “What are the &lt;b&gt;parts&lt;/b&gt; of BlackVIP?”" in stats
    assert render.stats_html(Answer(question="q", answer="", abstained=True)) == ""


def test_untitled_papers_use_their_label_and_unsafe_links_are_dropped():
    answer = Answer(
        question="q",
        answer="Text [1].",
        abstained=False,
        citations=(Citation(1, UNTITLED, "It excels particularly in Korean."),),
        passages=(Passage(1, UNTITLED, 0.9, (), True),),
    )
    html = render.sources_html(answer)
    assert "Untitled: We introduce EXAONE 3.0 instruction-tuned language model" in html
    assert "unknown authors" in html
    assert "year unknown" in html
    assert "<details" not in html
    assert render.paper_links(EVIL) == [("example.org", "https://example.org/paper?a=1&b=2")]


def test_corpus_overview_and_title_search():
    assistant = FakeAssistant()
    overview = handlers.corpus_overview(assistant)
    assert "<strong>3</strong> papers indexed (9 chunks) from 3 source file(s)" in overview
    assert "<code>002_87569abedee599f0.txt</code></td><td class='rag-num'>1</td>" in overview
    assert_inert(overview)
    found = handlers.search_titles(assistant, "script")
    assert "1 paper(s) match" in found
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found
    assert_inert(found)
    assert "No paper title matches" in handlers.search_titles(assistant, "zebra")
    assistant.error = StoreMissingError("No index at .rag: run `python -m ingest`.")
    assert "No index yet" in handlers.corpus_overview(assistant)


def test_upload_rejects_unsupported_files_without_touching_the_store(settings, tmp_path):
    assistant = FakeAssistant()
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    ((status, corpus),) = list(handlers.ingest_file(assistant, settings, str(pdf)))
    assert "Rejected: paper.pdf: unsupported file type &#x27;.pdf&#x27;" in status
    assert "The store is unchanged." in status
    assert "papers indexed" in corpus
    assert assistant.reloads == 0
    assert not settings.store_dir.exists()


def fake_ingest(monkeypatch, code: int, stdout: str, stderr: str = "") -> None:
    script = f"import sys; sys.stderr.write({stderr!r}); print({stdout!r}); sys.exit({code})"
    monkeypatch.setattr(handlers, "ingest_command", lambda path, settings: [sys.executable, "-c", script])


def test_upload_report_after_a_successful_ingest(settings, tmp_path, monkeypatch):
    fake_ingest(
        monkeypatch,
        0,
        '{"added": 2, "updated": 0, "unchanged": 1, "removed": 0, "papers_total": 5, '
        '"chunks_total": 15, "skipped": [{"path": "new.jsonl", "line": 4, "reason": "no abstract"}], '
        '"seconds": 1.5}',
    )
    assistant = FakeAssistant()
    path = tmp_path / "new.jsonl"
    path.write_text("{}\n")
    updates = list(handlers.ingest_file(assistant, settings, str(path), poll_s=0.01))
    assert all(corpus is None for _, corpus in updates[:-1])
    status, corpus = updates[-1]
    assert "<strong>new.jsonl</strong> ingested: 2 added, 0 updated, 1 unchanged, 0 removed" in status
    assert "holds 5 papers (15 chunks)" in status
    assert "<td>no abstract</td>" in status
    assert assistant.reloads == 1
    assert "papers indexed" in corpus


@pytest.mark.parametrize(
    ("code", "stdout", "stderr", "reason", "store"),
    [
        (
            1,
            '{"error": "rejected under --strict; nothing was written", "skipped": [{"path": "bad.jsonl", '
            '"line": 2, "reason": "invalid JSON: Expecting value"}]}',
            "",
            "invalid JSON: Expecting value",
            "the store is unchanged",
        ),
        (
            2,
            "",
            "usage: python -m ingest\nerror: no such file or folder: bad.jsonl\n",
            "no such file or folder",
            "the store is unchanged",
        ),
        # a crash may come after some writes: the stand-in has no store to compare, so nothing is promised
        (
            1,
            "",
            "Traceback...\nValueError: <b>boom</b>\n",
            "ValueError: &lt;b&gt;boom&lt;/b&gt;",
            "may be in the store",
        ),
    ],
)
def test_upload_rejection_shows_the_reason(settings, tmp_path, monkeypatch, code, stdout, stderr, reason, store):
    fake_ingest(monkeypatch, code, stdout, stderr)
    assistant = FakeAssistant()
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n")
    status, _ = list(handlers.ingest_file(assistant, settings, str(path), poll_s=0.01))[-1]
    assert "rejected" in status.lower()
    assert store in status.lower()
    assert reason in status
    assert "rag-error" in status
    assert assistant.reloads == 0


def test_the_sources_panel_shows_the_retrieved_papers_before_the_first_token(settings):
    updates = run_turn(FakeAssistant(), settings, QUESTION)
    panels = [u[1] for u in updates]
    first_draft = next(i for i, u in enumerate(updates) if "rag-streaming" in assistant_text(u[0]))
    early = panels[1]
    assert "rag-pending" in assistant_text(updates[1][0])  # no text from the model yet ...
    assert render.RETRIEVED_LABEL in early  # ... but the retrieved papers, marked as not yet verified
    assert re.findall(r'data-doc-id="([^"]+)"', early) == [BLACKVIP.doc_id, EVIL.doc_id, UNTITLED.doc_id]
    assert "Cited papers" not in early
    assert_inert(early)
    assert first_draft > 1
    assert all(p == early for p in panels[1:-1])  # kept while the draft streams
    final = panels[-1]
    assert render.RETRIEVED_LABEL not in final
    assert "Cited papers (2)" in final
    assert "Other retrieved papers, not cited (1)" in final


def test_an_abstention_replaces_the_retrieved_papers_with_the_closest_ones(settings):
    updates = run_turn(FakeAssistant(), settings, "Is there water on Mars?")
    assert render.RETRIEVED_LABEL in updates[1][1]
    final = updates[-1][1]
    assert render.RETRIEVED_LABEL not in final
    assert "The collection does not answer this question. Closest papers (3)" in final


class CatalogAssistant(FakeAssistant):
    """Answers from the records: no retrieval, so no Retrieved item before the Answer."""

    def ask(self, question, stream=False, **options):
        answer = Answer(
            question, "2 papers match [1] [2].", False, (Citation(1, BLACKVIP, ""), Citation(2, EVIL, "")),
            catalog=CatalogQuery("list", has_code=True),
        )  # fmt: skip
        return iter([answer]) if stream else answer


def test_a_catalog_answer_fills_the_sources_without_an_early_retrieved_panel(settings):
    updates = run_turn(CatalogAssistant(), settings, "Which papers have code?")
    assert len(updates) == 2
    assert "Searching the collection" in updates[0][1]
    final = updates[-1][1]
    assert render.RETRIEVED_LABEL not in final
    assert "Answered from the catalog (rules), filtered: has code" in final
    assert render.CATALOG_LABEL in assistant_text(updates[-1][0])


def test_retrieved_sources_with_no_paper_and_with_a_paper_filter():
    empty = render.retrieved_sources_html(Retrieved((), Filters(year_from=1990)))
    assert "No paper matched the question and filters." in empty
    assert '<span class="rag-chip">from 1990</span>' in empty
    one = Retrieved((Passage(1, EVIL, 0.9),), Filters(paper=EVIL.doc_id))
    html = render.retrieved_sources_html(one)
    assert "paper: &lt;script&gt;alert(1)&lt;/script&gt; Robust fine-tuning" in html
    assert_inert(html)
    assert "paper: someid" in render.filters_html(Filters(paper="someid"))  # not among the passages: its id


def test_a_paper_filter_is_passed_on_and_shown_in_both_panels(settings):
    assistant = FakeAssistant()
    updates = run_turn(assistant, settings, "Summarize it.", paper=BLACKVIP.doc_id)
    assert assistant.calls[-1]["paper"] == BLACKVIP.doc_id
    chip = f'<span class="rag-chip">paper: {render.esc(BLACKVIP.title)}</span>'
    assert chip in updates[1][1]
    assert chip in updates[-1][1]
    assert re.findall(r'data-doc-id="([^"]+)"', updates[-1][1]) == [BLACKVIP.doc_id]
    run_turn(assistant, settings, QUESTION)
    assert assistant.calls[-1]["paper"] is None


def test_the_library_table_chart_and_counts():
    table, chart, summary = handlers.corpus_library(FakeAssistant())
    assert table["headers"] == library.COLUMNS == ["Title", "Authors", "Date", "Category", "Code", "Source file", "ID"]
    rows = table["data"]
    assert [r[-1] for r in rows] == [EVIL.doc_id, BLACKVIP.doc_id, UNTITLED.doc_id]  # newest first, undated last
    blackvip = rows[1]
    assert blackvip[:3] == [BLACKVIP.title, "Changdae Oh, Hyeji Hwang, Hee-young Lee et al.", "2023-03-26"]
    assert blackvip[5] == "002_87569abedee599f0.txt"
    assert rows[0][2] == "2024"  # the year where no date is known
    assert rows[2][0] == UNTITLED.label
    assert chart["data"] == [["2023", 1], ["2024", 1]]
    assert chart["datatypes"] == {"Year": "nominal", "Papers": "quantitative"}
    assert "0 of 3 papers link their code; 1 have no year (not in the chart)." in summary
    assert "<tr><td>no category</td><td class='rag-num'>3</td></tr>" in summary
    assert_inert(summary)


def test_the_library_when_there_is_no_index():
    assistant = FakeAssistant(error=StoreMissingError("No index at .rag: run `python -m ingest`."))
    table, chart, summary = handlers.corpus_library(assistant)
    assert table["data"] == [[""] * len(library.COLUMNS)]
    assert chart["data"] == []
    assert "No index at .rag" in summary


def test_code_links_authors_and_categories_in_library_rows():
    paper = Paper(
        "p1", "T", "A.", authors=tuple(f"A{i}" for i in range(5)), category="CV", has_code=True,
        urls=("https://example.org/x", "https://github.com/o/r(1)_[x]"),
    )  # fmt: skip
    assert library.code_cell(paper) == "[code](https://github.com/o/r%281%29_%5Bx%5D)"  # no markdown can break out
    assert library.code_cell(Paper("p2", "T", "A.", has_code=True, urls=("https://example.org/x",))) == "yes"
    assert library.code_cell(Paper("p3", "T", "A.", urls=("javascript:alert(1)",))) == ""
    assert library.first_authors(paper) == "A0, A1, A2 et al."
    assert library.first_authors(Paper("p4", "T", "A.", author_count=7)) == "7 authors"
    assert library.row(paper)[3] == "CV"
    assert library.counts(["CV", None, "CV"], "no category") == [("CV", 2), ("no category", 1)]


def test_ask_about_a_selected_library_row():
    row = library.row(BLACKVIP)
    picked, line = handlers.pick_paper(row)
    assert picked == {"doc_id": BLACKVIP.doc_id, "label": BLACKVIP.title}
    assert "Selected: <strong>BlackVIP: Black-Box Visual Prompting" in line
    question, paper, filter_line = handlers.ask_about(picked)
    assert paper == BLACKVIP.doc_id
    assert f"\u201c{BLACKVIP.title}\u201d" in question
    assert not is_follow_up(question)  # a template with "it" or "this" would be read as about the last answer
    assert "Answering from one paper only: <strong>BlackVIP" in filter_line
    untitled, _, _ = handlers.ask_about(handlers.pick_paper(library.row(UNTITLED))[0])
    assert "the abstract beginning \u201cWe introduce EXAONE 3.0" in untitled
    assert not is_follow_up(untitled)
    evil_picked, evil_line = handlers.pick_paper(library.row(EVIL))
    assert_inert(evil_line + handlers.ask_about(evil_picked)[2])
    assert handlers.pick_paper(["only", "two"]) == (None, library.picked_html(None))
    assert handlers.pick_paper(None)[0] is None
    assert handlers.ask_about(None) == ("", None, "")
