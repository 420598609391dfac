"""The report of one ingest run (the `--json` output of the ingest CLI), kept by the manifest between runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class IngestReport:
    """The `--json` report of the ingest CLI."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    carried: int = 0  # papers moved from the index of an older chunking version (re-made, none lost)
    papers_total: int = 0
    chunks_total: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    kept: list[dict[str, Any]] = field(default_factory=list)  # --prune: papers kept because a file was unreadable

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
