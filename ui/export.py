"""Export citations (.bib) from the chat: each turn keeps its cited papers; one answer's or the whole conversation's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.bibtex_export import to_bibtex
from rag.types import Answer, Paper

ANSWER = "This answer"
CONVERSATION = "Whole conversation"
BUTTON = "Export citations (.bib)"
Turn = dict[str, Any]


class AnswerCapture:
    """The assistant for one chat turn, keeping the final Answer it streamed (the turn itself stores plain data)."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.answer: Answer | None = None

    def ask(self, question: str, **options: Any) -> Any:
        result = self.assistant.ask(question, **options)
        if isinstance(result, Answer):
            self.answer = result
            return result
        return self._watch(result)

    def _watch(self, items: Iterator[Any]) -> Iterator[Any]:
        for item in items:
            if isinstance(item, Answer):
                self.answer = item
            yield item

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assistant, name)


def with_cited(turns: list[Turn], answer: Answer | None) -> list[Turn]:
    """The turns with the newest one holding its answer's cited papers (as plain dicts, so gr.State can copy them)."""
    if not turns or answer is None or "cited" in turns[-1]:
        return turns
    last = turns[-1]
    if not last.get("ok") or last.get("answer") != answer.answer:
        return turns
    papers = list({c.paper.doc_id: c.paper for c in answer.citations}.values())
    return [*turns[:-1], {**last, "cited": [p.to_dict() for p in papers]}]


def chosen_turns(turns: list[Turn], scope: str, selected: int | None) -> tuple[list[Turn], str]:
    """The turns to export and the file name: every turn, or the selected one (else the newest)."""
    if scope == CONVERSATION:
        return list(turns), "paper-qa-conversation.bib"
    index = selected if selected is not None and 0 <= selected < len(turns) else len(turns) - 1
    return (turns[index : index + 1], f"paper-qa-answer-{index + 1}.bib") if turns else ([], "paper-qa-answer.bib")


def bibtex_of(turns: list[Turn]) -> str:
    """The .bib of the papers these turns cite, each once, in the order first cited."""
    return to_bibtex(Paper.from_dict(d) for turn in turns for d in turn.get("cited", []))


def bib_file(turns: list[Turn], scope: str, selected: int | None, folder: Path) -> str | None:
    """A file holding the chosen turns' .bib for the download button; None when they cite nothing."""
    chosen, name = chosen_turns(turns, scope, selected)
    text = bibtex_of(chosen)
    if not text:
        return None
    target = folder / hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return str(target)
