"""Event handlers as plain functions: a chat turn, clear, turn selection, corpus overview and library, title search,
upload."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from rag.config import Settings
from rag.errors import ConfigError, RagError, StoreMissingError
from rag.types import Answer, CorpusInfo, Paper, Retrieved
from ui import library, render, upload

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".bib", ".bibtex", ".txt")
MAX_UPLOAD_MB = 20.0  # about 15,000 abstracts of JSONL; bigger collections go through `python -m ingest`
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# {"question", "answer", "papers" (cited doc ids), "html", "sources", "ok"}: plain data so gr.State can copy it
Turn = dict[str, Any]


class AssistantLike(Protocol):
    """The part of rag.Assistant the UI uses."""

    def ask(self, question: str, **options: Any) -> Any: ...
    def corpus_info(self) -> CorpusInfo: ...
    def find_papers(self, title_query: str, limit: int = 50) -> list[Paper]: ...
    def reload(self) -> None: ...


def to_messages(turns: list[Turn], pending: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """Chatbot messages (role/content dicts) for the finished turns plus an optional (question, html) in flight."""
    pairs = [(t["question"], t["html"]) for t in turns] + ([pending] if pending else [])
    messages = []
    for question, answer_html in pairs:
        messages.append({"role": "user", "content": render.user_html(question)})
        messages.append({"role": "assistant", "content": answer_html})
    return messages


def parse_year(value: Any, label: str = "Year") -> int | None:
    """A year from a form field: blank means no limit; anything else must be a plausible year."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return None
    text = str(value).strip().removesuffix(".0")
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise ConfigError(f"{label} must be a year such as 2022, got {str(value)!r}; clear the field for no limit.")
    return int(text)


def _error_title(err: RagError) -> str:
    if isinstance(err, StoreMissingError):
        return "No index found"
    if isinstance(err, ConfigError):
        return "Check the options"
    return "The question could not be answered"


def chat_turn(
    assistant: AssistantLike,
    settings: Settings,
    question: str,
    turns: list[Turn],
    year_from: Any = None,
    year_to: Any = None,
    author: str | None = None,
    k: Any = 10,
    model: str | None = None,
    paper: str | None = None,
) -> Iterator[tuple[list[dict[str, str]], str, list[Turn], str]]:
    """Ask one question with the conversation so far; yields (messages, sources html, turns, textbox value).

    The retrieved papers fill the sources panel as soon as retrieval returns, marked as not yet verified; the model's
    draft streams in labelled as unchecked; the checked Answer then replaces both. `paper` (a doc_id) restricts the
    question to that paper."""
    turns = list(turns or [])
    question = (question or "").strip()
    if not question:
        yield to_messages(turns), turns[-1]["sources"] if turns else render.EMPTY_SOURCES, turns, ""
        return
    waiting = to_messages(turns, (question, render.chat_html("…", "pending")))
    sources = render.pending_sources_html()
    yield waiting, sources, turns, ""
    text = ""
    answer: Answer | None = None
    try:
        options = {
            "history": [(t["question"], t["answer"], tuple(t.get("papers", ()))) for t in turns if t["ok"]],
            "k": max(1, min(50, int(k or settings.k))),
            "year_from": parse_year(year_from, "Year from"),
            "year_to": parse_year(year_to, "Year to"),
            "author": (author or "").strip() or None,
            "model": None if not model or model == settings.model else model,
            "paper": paper or None,
            "stream": True,
        }
        for item in assistant.ask(question, **options):
            if isinstance(item, Retrieved):
                sources = render.retrieved_sources_html(item)
                yield waiting, sources, turns, ""
            elif isinstance(item, str):
                text += item
                yield to_messages(turns, (question, render.draft_html(text))), sources, turns, ""
            else:
                answer = item
        if answer is None:
            raise RagError("The assistant finished without an answer; try again.")
    except RagError as err:
        log.warning("question failed: %s", err)
        turn: Turn = {
            "question": question,
            "answer": "",
            "papers": [],
            "ok": False,
            "sources": render.error_sources_html(str(err)),
            "html": render.chat_html(str(err), "error", title=_error_title(err)),
        }
    else:
        turn = {
            "question": question,
            "answer": answer.answer,
            "papers": list(answer.cited_doc_ids),
            "ok": True,
            "html": render.answer_html(answer),
            "sources": render.sources_html(answer),
        }
    turns = [*turns, turn]
    yield to_messages(turns), turn["sources"], turns, ""


def clear_chat() -> tuple[list[dict[str, str]], str, list[Turn], str]:
    """Empty chat, empty sources panel, no history."""
    return [], render.EMPTY_SOURCES, [], ""


def select_turn(turns: list[Turn], message_index: Any) -> str:
    """Sources of the turn whose message was clicked (two chat messages per turn)."""
    index = message_index[0] if isinstance(message_index, list | tuple) else message_index
    if not turns or not isinstance(index, int) or not 0 <= index // 2 < len(turns):
        return turns[-1]["sources"] if turns else render.EMPTY_SOURCES
    return turns[index // 2]["sources"]


def example_text(value: Any) -> str:
    """The question text of a clicked chat example ({"text": ...})."""
    return str(value.get("text") or "") if isinstance(value, dict) else str(value or "")


def corpus_overview(assistant: AssistantLike) -> str:
    """Papers indexed and counts per source file, or why there are none."""
    try:
        info = assistant.corpus_info()
        return render.corpus_html(info)
    except StoreMissingError as err:
        return render.notice_html(f"No index yet. {err}\nUpload a file below to start one.", "info")
    except RagError as err:
        return render.notice_html(str(err), "error")


def corpus_library(assistant: AssistantLike) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The library: (table of every paper, papers-per-year chart data, counts html), or empty ones and why."""
    try:
        papers = assistant.find_papers("", limit=1_000_000)  # no words: every paper
    except RagError as err:
        kind = "info" if isinstance(err, StoreMissingError) else "error"
        return library.table([]), library.year_chart([]), render.notice_html(str(err), kind)
    return library.table(papers), library.year_chart(papers), library.summary_html(papers)


def pick_paper(row_value: Any) -> tuple[dict[str, str] | None, str]:
    """The library row clicked, as {"doc_id", "label"}, and the line saying which paper is selected."""
    values = list(row_value) if isinstance(row_value, list | tuple) else []
    if len(values) != len(library.COLUMNS) or not str(values[-1]).strip():
        return None, library.picked_html(None)
    picked = {"doc_id": str(values[-1]), "label": str(values[0])}
    return picked, library.picked_html(picked["label"])


def ask_about(picked: dict[str, str] | None) -> tuple[str, str | None, str]:
    """ "Ask about this paper": (the question template, the paper filter, the filter's line on the Ask tab)."""
    if not picked:
        return "", None, library.paper_filter_html(None)
    return library.question_about(picked["label"]), picked["doc_id"], library.paper_filter_html(picked["label"])


def search_titles(assistant: AssistantLike, query: str) -> str:
    """Papers whose title matches the query."""
    query = (query or "").strip()
    if not query:
        return render.paper_list_html([], "")
    try:
        papers = assistant.find_papers(query, limit=50)
        return render.paper_list_html(papers, query)
    except RagError as err:
        return render.notice_html(str(err), "error")


def _tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text(errors="replace")[-limit:]
    return text.replace("\r", "\n")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def ingest_command(path: str | Path, settings: Settings) -> list[str]:
    """The ingestion subprocess: strict, JSON report, into the app's store (and its Chroma server, if any)."""
    command = [sys.executable, "-m", "ingest", str(path), "--store", str(Path(settings.store_dir).resolve())]
    if settings.chroma_url:
        command += ["--chroma-url", settings.chroma_url]
    return [*command, "--json", "--strict"]


def upload_problem(path: Path, max_mb: float = MAX_UPLOAD_MB) -> str | None:
    """Why an uploaded file is refused before it is read (type or size, with the limit), or None."""
    if path.suffix.lower() not in UPLOAD_SUFFIXES:
        kinds = ", ".join(UPLOAD_SUFFIXES)
        return f"unsupported file type '{path.suffix or '(none)'}'; upload one of {kinds}."
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"the uploaded file cannot be read ({exc.strerror or exc}); upload it again."
    if size > max_mb * 1_000_000:
        return (
            f"{size / 1_000_000:.1f} MB is over the upload limit of {max_mb:g} MB; split the file, or ingest it "
            f"on the server with `python -m ingest {path.name}`."
        )
    return None


def ingest_file(
    assistant: AssistantLike,
    settings: Settings,
    path: str | Path | None,
    poll_s: float = 0.5,
    max_mb: float = MAX_UPLOAD_MB,
) -> Iterator[tuple[str, str | None]]:
    """Ingest an uploaded file in a subprocess; yields (status html, corpus html or None while it runs)."""
    if not path:
        yield render.notice_html("Choose a file to upload.", "info"), corpus_overview(assistant)
        return
    path = Path(path)
    name = path.name
    if problem := upload_problem(path, max_mb):
        status = render.notice_html(f"Rejected: {name}: {problem}\nThe store is unchanged.", "error")
        yield status, corpus_overview(assistant)
        return
    try:
        before = upload.snapshot(assistant)
    except RagError as err:
        yield render.notice_html(f"Rejected: {name}: the index cannot be read ({err})", "error"), None
        return
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="rag-ingest-") as tmp:
        out_path, err_path = Path(tmp, "stdout"), Path(tmp, "stderr")
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                ingest_command(path, settings),
                stdout=out,
                stderr=err,
                env=env,
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
            )
            start = time.monotonic()
            while proc.poll() is None:
                progress = _last_line(_tail(err_path))
                status = f"Ingesting {name}… {time.monotonic() - start:.0f} s" + (f"\n{progress}" if progress else "")
                yield render.notice_html(status, "info"), None
                time.sleep(poll_s)
        stdout, stderr = out_path.read_text(errors="replace"), _tail(err_path)
    yield _ingest_result(assistant, name, proc.returncode, stdout, stderr, before)


def _ingest_result(
    assistant: AssistantLike, name: str, code: int, stdout: str, stderr: str, before: upload.StoreState | None
) -> tuple[str, str | None]:
    """The ingest process's report, said only once this process reads the new papers (dense and keyword)."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        report = None
    if code == 0 and isinstance(report, dict):
        try:
            upload.reopen(assistant)
            missing = [] if before is None else upload.unsearchable(assistant, upload.new_papers(assistant, before))
        except RagError as err:
            return render.notice_html(f"{name} was ingested but the index could not be reopened: {err}", "error"), None
        if missing:
            status = (
                f"{name} was ingested, but {len(missing)} of its new papers (e.g. {missing[0]}) are not found by "
                "search in this app yet; restart `python -m ui` to search them."
            )
            return render.notice_html(status, "error"), corpus_overview(assistant)
        return render.ingest_report_html(name, report, accepted=True), corpus_overview(assistant)
    log.warning("ingest of %s failed (exit %s): %s", name, code, stderr)
    if isinstance(report, dict) and report.get("skipped"):  # rejected under --strict before anything was written
        return render.ingest_report_html(name, report, accepted=False), corpus_overview(assistant)
    error = report.get("error") if isinstance(report, dict) else None
    reason = _last_line(stderr) or error or f"the ingest process exited with code {code}"
    status = render.notice_html(f"Rejected: {name}: {reason}\n{upload.after_failure(assistant, code, before)}", "error")
    return status, corpus_overview(assistant)
