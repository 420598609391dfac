"""What the last ingest run read (file hashes) and produced, so an unchanged re-run skips parsing entirely."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.report import IngestReport
from rag.models import sha256_of

MANIFEST_NAME = "ingest-manifest.json"


def store_snapshot(store_dir: Path) -> dict[str, list[int]]:
    """(size, mtime) of every file Chroma keeps in the store folder; any write changes it."""
    snapshot = {}
    for path in sorted(store_dir.rglob("*")):
        ours = path.name == MANIFEST_NAME or path.relative_to(store_dir).parts[0].startswith("keyword")
        if path.is_file() and not ours:
            stat = path.stat()
            snapshot[str(path.relative_to(store_dir))] = [stat.st_size, stat.st_mtime_ns]
    return snapshot


def _file_hash(file: Path) -> str:
    """sha256 of the file's bytes; an unreadable file (locked, no permission, deleted) hashes as such, so the run
    that follows goes on to parse it and reports why it was skipped."""
    try:
        return sha256_of(file)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


@dataclass(frozen=True)
class InputManifest:
    inputs: dict[str, str]  # resolved path -> sha256 of its bytes
    prune: bool
    revision: str = ""
    report: dict[str, Any] | None = None
    store_files: dict[str, list[int]] | None = None  # the store's files (size, mtime) right after that run

    @classmethod
    def for_inputs(cls, files: list[Path], prune: bool) -> InputManifest:
        return cls({str(f.resolve()): _file_hash(f) for f in files}, prune)

    @classmethod
    def load(cls, store_dir: Path) -> InputManifest | None:
        try:
            data = json.loads((store_dir / MANIFEST_NAME).read_text())
            return cls(data["inputs"], data["prune"], data["revision"], data["report"], data.get("store_files"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def matches(self, current: InputManifest, store_revision: str) -> bool:
        """Same files with the same bytes and options, and the store untouched since that run."""
        return (
            self.inputs == current.inputs
            and self.prune == current.prune
            and bool(store_revision)
            and self.revision == store_revision
        )

    def untouched_since(self, current: InputManifest, store_dir: Path) -> bool:
        """Same inputs, and no file of the embedded store written since that run: no need to open Chroma."""
        same_inputs = self.inputs == current.inputs and self.prune == current.prune
        return same_inputs and self.store_files is not None and self.store_files == store_snapshot(store_dir)

    def save(self, store_dir: Path, revision: str, report: IngestReport) -> None:
        data = {"inputs": self.inputs, "prune": self.prune, "revision": revision, "report": report.to_dict()}
        data["store_files"] = store_snapshot(store_dir)
        tmp = store_dir / (MANIFEST_NAME + ".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(store_dir / MANIFEST_NAME)

    def unchanged_report(self, seconds: float) -> IngestReport:
        last = dict(self.report or {})
        seen = last.get("added", 0) + last.get("updated", 0) + last.get("unchanged", 0)
        report = IngestReport(unchanged=seen, papers_total=last.get("papers_total", 0))
        report.chunks_total = last.get("chunks_total", 0)
        report.skipped = list(last.get("skipped", []))
        report.kept = list(last.get("kept", []))
        report.seconds = round(seconds, 2)
        return report
