"""Replayable answers: record what shaped an Answer, re-run it with those settings, and say what changed."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from rag import models
from rag.config import Settings
from rag.errors import ConfigError, ModelMissingError
from rag.evidence.answerability import CALIBRATION_FILE
from rag.generation.prompts import answer_messages
from rag.types import Answer, Retrieved


class Assistant(Protocol):
    """What replay needs of `rag.qa.Assistant` (a seam, so the two modules do not import each other)."""

    settings: Settings

    @property
    def index(self) -> Any: ...

    def ask(self, question: str, *, stream: bool = False, **options: Any) -> Any: ...


VERSION = 1
# the settings that shape an answer's text; store locations and server URLs do not, so they are not replayed
SHAPING = (
    "embedder",
    "chunk_sentences",
    "model",
    "backend",
    "openai_model",
    "n_ctx",
    "n_threads",
    "max_new_tokens",
    "k",
    "llm_passages",
    "llm_passages_single",
    "evidence_sentences",
    "evidence_sentences_other",
    "evidence_words",
    "answer_threshold",
)
OPTIONS = ("history", "k", "year_from", "year_to", "author", "source", "paper", "model")
RAG_DIR = Path(__file__).resolve().parent
_file_hashes: dict[tuple[str, int, int], str] = {}
_corpus_hashes: dict[tuple[str, str], tuple[str, int]] = {}
_code_hash: list[str] = []


def with_replay(
    run: Iterator[str | Retrieved | Answer], record: Callable[[Answer], dict[str, Any]]
) -> Iterator[str | Retrieved | Answer]:
    """The answer pipeline's items, with the final Answer carrying its replay record."""
    try:
        for item in run:
            yield replace(item, replay=record(item)) if isinstance(item, Answer) else item
    finally:
        close = getattr(run, "close", None)
        if close is not None:
            close()  # a consumer that stops early (a closed browser tab) stops the pipeline too


def record(assistant: Assistant, answer: Answer, options: dict[str, Any]) -> dict[str, Any]:
    """Everything `replay` needs to re-run the question and to tell why a new text differs."""
    settings = assistant.settings
    model = options.get("model") or settings.model
    store = assistant.index.store
    revision = store.revision()
    corpus, papers = corpus_hash(store, revision)
    return {
        "version": VERSION,
        "options": _jsonable({k: options.get(k) for k in OPTIONS}),
        "settings": _jsonable({name: getattr(settings, name) for name in SHAPING} | {"model": model}),
        "generator": {
            "name": answer.models.get("generator") or models.canonical(model),
            "sha256": model_sha256(settings, model),
            "runtime": _runtime(settings.backend),
        },
        "embedder": settings.embedder,
        "store": {"revision": revision, "corpus_sha256": corpus, "papers": papers},
        "prompt_sha256": prompt_sha256(answer),
        "calibration_sha256": _sha256_file(CALIBRATION_FILE),
        "code_sha256": code_sha256(),
    }


def prompt_sha256(answer: Answer) -> str | None:
    """Hash of the answer prompt (instructions, worked examples, the evidence read and the question); None when the
    model read nothing (a catalog answer, no paper found)."""
    read = [p for p in answer.passages if p.used]
    if answer.catalog is not None or not read:
        return None
    messages = answer_messages(answer.standalone_question or answer.question, read, answer.filters.author is not None)
    return hashlib.sha256(json.dumps(messages, ensure_ascii=False).encode("utf-8")).hexdigest()


def model_sha256(settings: Settings, model: str) -> str | None:
    """sha256 of the generator's model file: the verified one for a bundled model, else hashed (once per file);
    None for a server backend, whose weights this process cannot see."""
    if settings.backend == "openai":
        return None
    name = models.canonical(model)
    spec = models.SPECS.get(name)
    if spec is not None and spec.sha256:
        return spec.sha256  # models.path() checks the assembled file against it before the generator loads it
    try:
        path = models.path(name, settings.model_dir)
    except ModelMissingError:
        return None
    if not path.is_dir():
        return _sha256_file(path)
    digest = hashlib.sha256()  # a model folder (transformers): the hash of its files' names and hashes
    for file in sorted(f for f in path.rglob("*") if f.is_file()):
        digest.update(f"{file.relative_to(path)} {_sha256_file(file)}\n".encode())
    return digest.hexdigest()


def corpus_hash(store: Any, revision: str) -> tuple[str, int]:
    """sha256 over every paper's doc_id and content hash, and the paper count (computed once per revision)."""
    key = (str(getattr(store, "url", None) or id(store)), revision)
    if key not in _corpus_hashes:
        hashes = store.content_hashes()
        lines = "\n".join(f"{doc_id} {value}" for doc_id, value in sorted(hashes.items()))
        _corpus_hashes[key] = (hashlib.sha256(lines.encode("utf-8")).hexdigest(), len(hashes))
    return _corpus_hashes[key]


def code_sha256() -> str:
    """sha256 of the rag package's source files and calibration, as this process loaded them."""
    if not _code_hash:
        digest = hashlib.sha256()
        for file in sorted(RAG_DIR.rglob("*.py")):
            digest.update(f"{file.relative_to(RAG_DIR)}\n".encode())
            digest.update(file.read_bytes())
        _code_hash.append(digest.hexdigest())
    return _code_hash[0]


def _sha256_file(file: Path) -> str:
    if not file.exists():
        return ""
    stat = file.stat()
    key = (str(file), stat.st_size, stat.st_mtime_ns)
    if key not in _file_hashes:
        _file_hashes[key] = models.sha256_of(file)
    return _file_hashes[key]


def _runtime(backend: str) -> str:
    package = {"llama-cpp": "llama-cpp-python", "transformers": "transformers", "openai": ""}.get(backend, "")
    try:
        return f"{package} {importlib.metadata.version(package)}" if package else backend
    except importlib.metadata.PackageNotFoundError:
        return f"{package} (not installed)"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


# -- replaying
@dataclass(frozen=True)
class Replay:
    """The outcome of re-running a recorded answer: whether the text is identical and what differs."""

    identical: bool
    old_text: str
    new: Answer
    changes: dict[str, list[str]] = field(default_factory=dict)  # aspect -> what differs ("model", "corpus", ...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "old_answer": self.old_text,
            "new_answer": self.new.answer,
            "changes": self.changes,
            "replay": self.new.replay,
        }


def load(path: Path) -> dict[str, Any]:
    """A saved `python -m rag --json` answer with its replay record, or ConfigError saying what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot read the answer file {str(path)!r}: {exc}. Pass a file written by `python -m rag QUESTION "
            "--json > answer.json`."
        ) from exc
    recorded = data.get("replay") if isinstance(data, dict) else None
    if not isinstance(recorded, dict) or recorded.get("version") != VERSION or "question" not in data:
        raise ConfigError(
            f"The answer file {str(path)!r} has no replay record (version {VERSION}): it was not written by "
            "`python -m rag QUESTION --json` of this version. Ask the question again with --json to get one."
        )
    return data


def replay_settings(recorded: dict[str, Any], base: Settings, overrides: dict[str, Any] | None = None) -> Settings:
    """`base` (store location, model folder) with the recorded answer-shaping settings, then explicit overrides."""
    shaping = {k: v for k, v in recorded["settings"].items() if k in SHAPING}
    return base.model_copy(update={**shaping, **(overrides or {})})


def rerun(assistant: Assistant, data: dict[str, Any], options: dict[str, Any] | None = None) -> Replay:
    """Ask the recorded question again with its recorded options (history, k, filters, model) and compare."""
    recorded = data["replay"]
    asked = {k: v for k, v in recorded["options"].items() if v is not None} | (options or {})
    if "history" in asked:  # JSON lists back to (question, answer[, cited doc ids]) tuples
        asked["history"] = [(*turn[:2], *(tuple(t) for t in turn[2:3])) for turn in asked["history"]]
    new = assistant.ask(data["question"], **asked)
    changes = compare(recorded, new.replay or {})
    if [c["doc_id"] for c in data.get("citations", [])] != list(new.cited_doc_ids):
        changes.setdefault("citations", []).append(
            f"cited {[c['doc_id'] for c in data.get('citations', [])]} -> {list(new.cited_doc_ids)}"
        )
    return Replay(new.answer == data["answer"], data["answer"], new, changes)


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """What differs between two replay records, grouped as model, corpus, settings, prompt and code."""
    aspects: dict[str, list[tuple[str, str | None]]] = {
        "model": [("generator", key) for key in ("name", "sha256", "runtime")],
        "corpus": [("embedder", None)] + [("store", key) for key in ("corpus_sha256", "papers", "revision")],
        "settings": [("settings", key) for key in sorted({*old.get("settings", {}), *new.get("settings", {})})]
        + [("options", key) for key in sorted({*old.get("options", {}), *new.get("options", {})})],
        "prompt": [("prompt_sha256", None)],
        "code": [("calibration_sha256", None), ("code_sha256", None)],
    }
    changes: dict[str, list[str]] = {}
    for aspect, paths in aspects.items():
        for section, key in paths:
            before, after = _get(old, section, key), _get(new, section, key)
            if before != after:
                name = f"{section}.{key}" if key else section
                changes.setdefault(aspect, []).append(f"{name}: {_short(before)} -> {_short(after)}")
    return changes


def _get(record: dict[str, Any], section: str, key: str | None) -> Any:
    value = record.get(section)
    return value.get(key) if key is not None and isinstance(value, dict) else value


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def report(result: Replay) -> str:
    """The replay as the CLI prints it: identical or not, each aspect same or what changed, and a text diff."""
    lines = ["text: identical" if result.identical else "text: changed"]
    for aspect in ("model", "corpus", "settings", "prompt", "code", "citations"):
        found = result.changes.get(aspect)
        lines.append(f"{aspect}: " + ("changed" if found else "same"))
        lines.extend(f"  {change}" for change in found or [])
    if not result.identical:
        import difflib

        old, new = result.old_text.split(), result.new.answer.split()
        diff = difflib.unified_diff(_wrap(old), _wrap(new), "recorded answer", "replayed answer", lineterm="", n=1)
        lines += ["", *diff]
    return "\n".join(lines)


def _wrap(words: list[str], width: int = 12) -> list[str]:
    return [" ".join(words[i : i + width]) for i in range(0, len(words), width)]
