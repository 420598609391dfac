"""Gradio layout and wiring: build_app(assistant, settings) -> gr.Blocks, and launch() with the app's CSS."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from rag.config import Settings
from rag.startup import installed
from ui import export, handlers, library, render
from ui.examples import EXAMPLES

CSS = """
.gradio-container { width: 100% !important; max-width: 1440px !important; margin: 0 auto !important; }
.rag-header { padding: 0; display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; }
.rag-header h1 { font-size: 1.3rem; margin: 0; }
.rag-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#rag-clear { align-self: stretch; }
.rag-panel-title { font-size: 1rem; font-weight: 700; margin: 0; padding: 4px 0 6px; position: sticky; top: 0;
  z-index: 1; background: var(--background-fill-primary); }
#rag-sources { max-height: calc(100vh - 185px); min-height: 300px; overflow-y: auto; padding-right: 4px; }
#rag-options { gap: 8px; }
.rag-msg { line-height: 1.5; }
.rag-cite { color: var(--color-accent); font-weight: 600; font-size: 0.85em; white-space: nowrap; }
.rag-pending { color: var(--body-text-color-subdued); }
.rag-streaming { color: var(--body-text-color-subdued); }
.rag-label { font-size: 0.8em; margin-bottom: 4px; color: var(--body-text-color-subdued); }
.rag-label-draft { font-style: italic; }
.rag-label-verified { color: #15803d; font-weight: 600; }
.rag-label-quoted { color: #b45309; font-weight: 600; }
.rag-dropped { margin-top: 8px; padding-top: 6px; font-size: 0.88em;
  border-top: 1px solid var(--border-color-primary); }
.rag-dropped summary { cursor: pointer; font-weight: 600; }
.rag-dropped ul { margin: 4px 0 0; padding-left: 20px; }
.rag-dropped li { margin: 2px 0; }
.rag-caret { color: var(--color-accent); }
.rag-abstain, .rag-error { border-left: 4px solid #d97706; background: rgba(245, 158, 11, 0.12);
  padding: 8px 12px; border-radius: 6px; }
.rag-msg.rag-error, .rag-notice.rag-error { border-left-color: #dc2626; background: rgba(220, 38, 38, 0.10); }
.rag-notice-title { font-weight: 700; margin-bottom: 4px; }
.rag-notice { padding: 8px 12px; border-radius: 6px; border-left: 4px solid var(--color-accent);
  background: var(--background-fill-secondary); margin: 6px 0; }
.rag-notice.rag-ok { border-left-color: #16a34a; }
.rag-sources .rag-notice { border-left-color: #d97706; background: rgba(245, 158, 11, 0.12); }
.rag-sources .rag-notice.rag-error { border-left-color: #dc2626; background: rgba(220, 38, 38, 0.10); }
.rag-empty p { color: var(--body-text-color-subdued); }
.rag-heading { font-size: 0.95rem; font-weight: 700; margin: 10px 0 4px; }
.rag-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0;
  background: var(--background-fill-primary); }
.rag-card.rag-compact { padding: 6px 10px; margin: 6px 0; }
.rag-title { font-weight: 600; line-height: 1.35; overflow-wrap: anywhere; }
.rag-badge { display: inline-block; background: var(--color-accent); color: white; border-radius: 4px;
  padding: 0 6px; font-size: 0.8em; margin-right: 4px; }
.rag-score { color: var(--body-text-color-subdued); font-weight: 400; font-size: 0.8em; }
.rag-meta { font-size: 0.82em; color: var(--body-text-color-subdued); margin: 3px 0 5px; overflow-wrap: anywhere; }
.rag-meta code { font-size: 0.95em; }
.rag-abstract { font-size: 0.88em; line-height: 1.5; margin: 0; overflow-wrap: anywhere; }
.rag-sources mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 2px; }
.rag-evidence { border-left: 3px solid #fbbf24; margin: 0 0 6px; padding-left: 8px; font-style: italic; }
.rag-filters, .rag-stats { font-size: 0.85em; color: var(--body-text-color-subdued); }
.rag-stats { margin-top: 2px; }
.rag-chip { display: inline-block; background: var(--background-fill-secondary); border: 1px solid
  var(--border-color-primary); border-radius: 999px; padding: 0 8px; margin-left: 4px; color: var(--body-text-color); }
.rag-more { margin-top: 10px; }
.rag-more summary { cursor: pointer; font-weight: 600; font-size: 0.92em; }
.rag-table { border-collapse: collapse; font-size: 0.9em; margin-top: 6px; border: 0 !important; }
.rag-table th, .rag-table td { border: 0 !important; border-bottom: 1px solid var(--border-color-primary) !important;
  padding: 4px 12px !important; text-align: left; background: transparent !important; }
.rag-num { text-align: right !important; font-variant-numeric: tabular-nums; }
#rag-results { max-height: 520px; overflow-y: auto; }
.rag-label-retrieved { color: #b45309; font-weight: 600; }
.rag-retrieved .rag-card { border-style: dashed; }
#rag-paper-filter-row { align-items: center; gap: 8px; }
.rag-paper-filter { font-size: 0.9em; padding: 4px 10px; border-left: 4px solid var(--color-accent);
  background: var(--background-fill-secondary); border-radius: 6px; }
#rag-library-actions { align-items: center; }
.rag-picked { font-size: 0.9em; overflow-wrap: anywhere; }
.rag-picked.rag-empty { color: var(--body-text-color-subdued); }
.rag-library-summary .rag-total { margin: 8px 0 0; font-size: 0.9em; }
#rag-library .table-wrap * { font-family: var(--font) !important; }
#rag-export { gap: 8px; }
"""

PLACEHOLDER = "<strong>Ask about the papers in the collection</strong><br>or start from an example:"
HEADER = (
    '<div class="rag-header"><h1>Paper QA</h1><p>A local model answers from the indexed abstracts only; '
    "each [n] in an answer is a paper in the sources panel.</p></div>"
)


# The SemiBold font files shipped with gradio 6.31 are glyph subsets; use the complete Regular and Bold faces.
THEME = gr.themes.Default(
    primary_hue="indigo",
    font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
    font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "monospace"),
)


def _model_choices(settings: Settings) -> list[str]:
    """The configured model and the installed ones of default/fast: a choice that is not installed would fail
    only when a question is asked."""
    choices = [m for m in ("default", "fast") if m == settings.model or installed(m, settings.model_dir)]
    return choices if settings.model in choices else [*choices, settings.model]


def build_app(
    assistant: handlers.AssistantLike, settings: Settings, max_upload_mb: float = handlers.MAX_UPLOAD_MB
) -> gr.Blocks:
    """The whole UI around one assistant; the LLM handlers share one queue slot."""

    bib_folder = Path(tempfile.mkdtemp(prefix="paper-qa-bib-"))  # .bib files for the export button

    def ask(
        question: str, turns: list[Any], year_from: Any, year_to: Any, author: str, k: Any, model: str, paper: Any
    ) -> Any:
        capture = export.AnswerCapture(assistant)  # per question: each turn keeps its cited papers for the export
        for messages, sources_html, turns_, text in handlers.chat_turn(
            capture, settings, question, turns, year_from, year_to, author, k, model, paper
        ):
            yield messages, sources_html, export.with_cited(turns_, capture.answer), text

    def export_button(turns_: list[Any], scope: str, selected_: int | None) -> Any:
        path = export.bib_file(turns_ or [], scope, selected_, bib_folder)
        return gr.DownloadButton(export.BUTTON, value=path, interactive=path is not None, size="sm")

    def export_selected(turns_: list[Any], scope: str, evt: gr.SelectData) -> tuple[int | None, Any]:
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        chosen = index // 2 if isinstance(index, int) else None
        return chosen, export_button(turns_, scope, chosen)

    def show_turn(turns_: list[Any], evt: gr.SelectData) -> str:
        return handlers.select_turn(turns_, evt.index)

    def pick_example(evt: gr.SelectData) -> str:
        return handlers.example_text(evt.value)

    def pick_paper(evt: gr.SelectData) -> tuple[Any, str, Any]:
        picked, line = handlers.pick_paper(evt.row_value)
        return picked, line, gr.Button(interactive=picked is not None)

    def ask_about(picked: Any) -> tuple[str, Any, str, Any, Any]:
        text, paper, line = handlers.ask_about(picked)
        return text, paper, line, gr.Row(visible=paper is not None), gr.Tabs(selected="ask")

    def upload(path: str | None) -> Any:
        for status, corpus in handlers.ingest_file(assistant, settings, path, max_mb=max_upload_mb):
            yield status, gr.skip() if corpus is None else corpus

    with gr.Blocks(title="Paper QA", fill_width=True) as demo:
        turns = gr.State([])
        paper = gr.State(None)  # "ask about this paper": the doc_id questions are restricted to
        picked = gr.State(None)  # the library row selected: {"doc_id", "label"}
        selected = gr.State(None)  # the turn whose message was clicked: "This answer" exports it (else the newest)
        gr.HTML(HEADER, elem_id="rag-header", js_on_load=None)
        with gr.Tabs() as tabs:
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        height="calc(100vh - 395px)",
                        min_height=320,
                        render_markdown=False,
                        sanitize_html=True,
                        latex_delimiters=[],
                        allow_tags=False,
                        buttons=["copy"],
                        feedback_options=None,
                        elem_id="rag-chat",
                        placeholder=PLACEHOLDER,
                        examples=[{"text": q} for q in EXAMPLES],
                    )
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question about the papers…",
                            lines=1,
                            max_lines=4,
                            submit_btn="Ask",
                            scale=8,
                            elem_id="rag-question",
                        )
                        clear = gr.Button("Clear chat", scale=0, min_width=120, elem_id="rag-clear")
                    with gr.Row(elem_id="rag-options", equal_height=True):
                        year_from = gr.Textbox(
                            label="Year from", placeholder="any", min_width=80, elem_id="rag-year-from"
                        )
                        year_to = gr.Textbox(label="Year to", placeholder="any", min_width=80, elem_id="rag-year-to")
                        author = gr.Textbox(
                            label="Author", placeholder="any", min_width=130, scale=2, elem_id="rag-author"
                        )
                        k = gr.Number(
                            settings.k, label="Passages (k)", precision=0, minimum=1, maximum=50, min_width=90
                        )
                        model = gr.Dropdown(
                            _model_choices(settings),
                            value=settings.model,
                            label="Model",
                            min_width=120,
                            elem_id="rag-model",
                        )
                    with gr.Row(elem_id="rag-paper-filter-row", visible=False) as paper_row:
                        paper_line = gr.HTML(library.paper_filter_html(None), elem_id="rag-paper-filter", scale=4)
                        any_paper = gr.Button("Any paper", size="sm", scale=0, min_width=110, elem_id="rag-any-paper")
                    with gr.Row(elem_id="rag-export", equal_height=True):
                        export_scope = gr.Radio(
                            [export.ANSWER, export.CONVERSATION],
                            value=export.ANSWER,
                            show_label=False,
                            container=False,
                            scale=3,
                            elem_id="rag-export-scope",
                        )
                        export_bib = gr.DownloadButton(
                            export.BUTTON, value=None, interactive=False, scale=2, size="sm", elem_id="rag-export-bib"
                        )
                with gr.Column(scale=2, min_width=360):
                    sources = gr.HTML(render.EMPTY_SOURCES, elem_id="rag-sources", js_on_load=None)
            with gr.Tab("Corpus", id="corpus") as corpus_tab:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        corpus = gr.HTML(elem_id="rag-corpus", js_on_load=None)
                        counts = gr.HTML(elem_id="rag-library-counts", js_on_load=None)
                    with gr.Column(scale=3):
                        year_plot = gr.BarPlot(
                            x="Year", y="Papers", y_lim=[0, None], y_axis_format="d", label="Papers per year",
                            height=280, elem_id="rag-year-chart",
                        )  # fmt: skip
                papers_table = gr.Dataframe(
                    headers=library.COLUMNS,
                    datatype=library.DATATYPES,
                    label="Papers (click a column to sort; search and filter above the table)",
                    interactive=False,
                    show_search="filter",
                    wrap=True,
                    max_height=520,
                    column_widths=["34%", "18%", "9%", "8%", "6%", "15%", "10%"],
                    elem_id="rag-library",
                )
                with gr.Row(elem_id="rag-library-actions", equal_height=True):
                    picked_line = gr.HTML(library.picked_html(None), elem_id="rag-picked", js_on_load=None)
                    ask_about_button = gr.Button(
                        "Ask about this paper", interactive=False, scale=0, min_width=200, elem_id="rag-ask-about"
                    )
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        upload_file = gr.File(
                            label=f"Add papers: JSONL, CSV, BibTeX or listing-page text (up to {max_upload_mb:g} MB)",
                            file_types=list(handlers.UPLOAD_SUFFIXES),
                            file_count="single",
                            type="filepath",
                            elem_id="rag-upload",
                        )
                        upload_status = gr.HTML(elem_id="rag-upload-status", js_on_load=None)
                    with gr.Column(scale=3):
                        title_query = gr.Textbox(
                            label="Search titles",
                            placeholder="e.g. diffusion",
                            elem_id="rag-title-search",
                            submit_btn="Search",
                        )
                        results = gr.HTML(render.paper_list_html([], ""), elem_id="rag-results", js_on_load=None)

        ask_inputs = [question, turns, year_from, year_to, author, k, model, paper]
        ask_outputs = [chatbot, sources, turns, question]
        llm: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "llm"}
        question.submit(ask, ask_inputs, ask_outputs, api_name="ask", **llm)
        chatbot.example_select(pick_example, None, [question], queue=False, api_visibility="private").then(
            ask, ask_inputs, ask_outputs, api_visibility="private", **llm
        )
        clear.click(handlers.clear_chat, None, ask_outputs, api_name="clear", queue=False)
        chatbot.clear(handlers.clear_chat, None, ask_outputs, api_visibility="private", queue=False)
        chatbot.select(show_turn, [turns], [sources], api_visibility="private", queue=False)
        demo.load(lambda: handlers.corpus_overview(assistant), None, [corpus], api_name="corpus")
        library_outputs = [papers_table, year_plot, counts]
        demo.load(lambda: handlers.corpus_library(assistant), None, library_outputs, api_name="library")
        papers_table.select(
            pick_paper, None, [picked, picked_line, ask_about_button], api_visibility="private", queue=False
        )
        ask_about_button.click(
            ask_about, [picked], [question, paper, paper_line, paper_row, tabs], api_visibility="private", queue=False
        )
        any_paper.click(
            lambda: (None, library.paper_filter_html(None), gr.Row(visible=False)),
            None,
            [paper, paper_line, paper_row],
            api_visibility="private",
            queue=False,
        )
        corpus_tab.select(lambda: handlers.corpus_overview(assistant), None, [corpus], api_visibility="private")
        title_query.submit(
            lambda q: handlers.search_titles(assistant, q), [title_query], [results], api_name="search_titles"
        )
        upload_file.upload(upload, [upload_file], [upload_status, corpus], api_name="upload", **llm).then(
            lambda: handlers.corpus_library(assistant), None, library_outputs, api_visibility="private"
        )
        turns.change(
            lambda t, s: (None, export_button(t, s, None)),
            [turns, export_scope],
            [selected, export_bib],
            api_visibility="private",
            queue=False,
        )
        chatbot.select(
            export_selected, [turns, export_scope], [selected, export_bib], api_visibility="private", queue=False
        )
        export_scope.change(
            export_button, [turns, export_scope, selected], [export_bib], api_name="export_citations", queue=False
        )
    return demo


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    max_upload_mb: float = handlers.MAX_UPLOAD_MB,
    **kwargs: Any,
) -> Any:
    """Queue (one LLM slot) and serve: never shared, no SSR node server, no MCP; uploads over the limit are refused
    by Gradio before they are stored. `python -m ui` passes `auth` for a host beyond loopback."""
    demo.queue(default_concurrency_limit=4)
    return demo.launch(
        server_name=host,
        server_port=port,
        max_file_size=int(max_upload_mb * 1_000_000),
        share=False,
        ssr_mode=False,
        mcp_server=False,
        css=CSS,
        theme=THEME,
        footer_links=[],
        **kwargs,
    )
