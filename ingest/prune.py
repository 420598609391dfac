"""What --prune may remove: a paper no longer in any file read completely; an unreadable file keeps its papers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.entries import ParsedEntry, Skipped
from ingest.merge import with_sources
from rag.types import Paper


@dataclass
class Reading:
    """Which of this run's files were read completely; `watch` fills it in as the entries stream past."""

    files: list[Path]
    skipped: dict[str, Skipped] = field(default_factory=dict)  # file path -> its first problem
    unlisted: dict[str, Skipped] = field(default_factory=dict)  # inputs that are not files (a folder not listed)
    entries: Counter[str] = field(default_factory=Counter)  # entries read per file name

    def watch(self, items: Iterable[ParsedEntry | Skipped]) -> Iterator[ParsedEntry | Skipped]:
        paths = {str(p) for p in self.files}
        for item in items:
            if isinstance(item, ParsedEntry):
                self.entries[item.source] += 1
            elif item.path in paths:
                self.skipped.setdefault(item.path, item)
            else:
                self.unlisted.setdefault(item.path, item)
            yield item

    @property
    def incomplete_names(self) -> set[str]:
        """Names (papers' `sources`) of the files with any problem: a bad line may have held a stored paper."""
        return {Path(p).name for p in self.skipped}

    @property
    def complete_names(self) -> set[str]:
        return {p.name for p in self.files} - self.incomplete_names

    def kind(self, path: str) -> str:
        return "partly read" if self.entries[Path(path).name] else "unreadable"


@dataclass
class PrunePlan:
    remove: list[str] = field(default_factory=list)
    rewrite: list[Paper] = field(default_factory=list)  # kept papers whose other sources are gone
    kept: list[dict[str, Any]] = field(default_factory=list)


def plan_prune(unseen: Mapping[str, Paper], reading: Reading) -> PrunePlan:
    """Stored papers this run did not see: removed, unless one of their files could not be read completely."""
    plan = PrunePlan()
    if reading.unlisted:  # a folder that could not be listed (or is empty) may hold any stored paper's file
        for path, problem in reading.unlisted.items():
            message = f"kept {len(unseen)} papers: input {path} could not be read ({problem.reason}); none was pruned"
            plan.kept.append({"path": path, "papers": len(unseen), "reason": problem.reason, "message": message})
        return plan
    by_name = {Path(p).name: p for p in reading.skipped}
    present = reading.complete_names | set(by_name)
    counts: Counter[str] = Counter()
    for doc_id, paper in sorted(unseen.items()):
        held = next((s for s in paper.sources if s in by_name), None)
        if held is None:
            plan.remove.append(doc_id)
            continue
        counts[by_name[held]] += 1
        sources = tuple(s for s in paper.sources if s in present)
        if sources != tuple(paper.sources):
            plan.rewrite.append(with_sources(paper, sources))
    for path, n in counts.items():
        kind = reading.kind(path)
        message = f"kept {n} papers of {kind} file {path}; fix it (see skipped) and run again to prune it"
        plan.kept.append({"path": path, "papers": n, "reason": reading.skipped[path].reason, "message": message})
    return plan
