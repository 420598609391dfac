"""evals/results keeps each committed run once: no file inside a run's folder is a byte-identical copy of another."""

import hashlib
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "evals" / "results"


def copies_within(run: Path) -> list[list[str]]:
    by_hash: dict[str, list[str]] = {}
    for path in sorted(p for p in run.rglob("*") if p.is_file() and p.suffix in {".png", ".json", ".txt", ".md"}):
        by_hash.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(str(path.relative_to(run)))
    return [paths for paths in by_hash.values() if len(paths) > 1]


def test_no_run_keeps_a_file_twice():
    copies = {run.name: found for run in sorted(RESULTS.iterdir()) if run.is_dir() and (found := copies_within(run))}
    assert not copies, f"byte-identical files inside a run's folder (keep one, point to it): {copies}"


def test_the_check_sees_a_copy(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "plot.png").write_bytes(b"\x89PNG same")
    (tmp_path / "a" / "plot.png").write_bytes(b"\x89PNG same")
    assert copies_within(tmp_path) == [["a/plot.png", "plot.png"]]
