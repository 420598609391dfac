"""Fault-matrix cases of interrupted, starved or competing processes and of odd stores, paths and questions."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from evals.fault_kit import LAB, LAB_PAPERS, PAGE, PAGE_PAPERS, ROOT, Outcome, copy_store, first_line, ingest, stats
from rag.config import Settings
from rag.errors import RagError
from rag.retrieval.index import PaperIndex

SMALL_BATCHES = {"RAG_INGEST_BATCH_PAPERS": "8"}  # several store transactions per run, so a kill lands between


def lab_kept(
    case: Callable[..., Outcome], outcome: str, store: Path, message: str = "", names: str | None = None
) -> Outcome:
    """The outcome of a case after which the store must still hold exactly the lab page's papers."""
    after, dup = stats(store)
    return Outcome(case.__doc__ or "", outcome, LAB_PAPERS, after, LAB_PAPERS, dup, message, names)


def rerun_unchanged(work: Path, base: Path) -> Outcome:
    """re-run on unchanged input"""
    store = copy_store(base, work / "store")
    run = ingest([LAB], store)
    return lab_kept(rerun_unchanged, f"exit {run.code}, unchanged {run.report.get('unchanged')}", store)


def kill_during_ingest(work: Path, base: Path) -> Outcome:
    """kill -9 during ingest, then re-run"""
    store = copy_store(base, work / "store")
    command = [sys.executable, "-m", "ingest", str(PAGE), "--store", str(store), "--json"]
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **SMALL_BATCHES},
    )
    assert child.stderr is not None
    for line in child.stderr:  # killed right after its first batch was written
        if "papers processed" in line and not line.startswith("ingest: 0 "):
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    mid, mid_dup = stats(store)
    run = ingest([PAGE], store)
    after, dup = stats(store)
    outcome = f"killed with {mid} papers stored ({mid_dup} duplicates); re-run exit {run.code}"
    return Outcome(kill_during_ingest.__doc__ or "", outcome, LAB_PAPERS, after, LAB_PAPERS + PAGE_PAPERS, dup)


def disk_full(work: Path, base: Path) -> Outcome:
    """disk full during ingest (RLIMIT_FSIZE), then re-run"""
    store = copy_store(base, work / "store")
    limit = max(p.stat().st_size for p in store.rglob("*") if p.is_file()) + 64_000

    def starve() -> None:  # writes past `limit` bytes fail with EFBIG instead of killing the child (SIGXFSZ)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    failed = ingest([PAGE], store, env=SMALL_BATCHES, preexec=starve)
    mid, mid_dup = stats(store)
    run = ingest([PAGE], store)
    after, dup = stats(store)
    outcome = f"exit {failed.code} with {mid} papers ({mid_dup} duplicates); re-run exit {run.code}"
    return Outcome(
        disk_full.__doc__ or "",
        outcome,
        LAB_PAPERS,
        after,
        LAB_PAPERS + PAGE_PAPERS,
        dup + mid_dup,
        first_line(failed.messages() or failed.stderr[-300:]),
        str(store),
    )


def read_only_store(work: Path, base: Path) -> Outcome:
    """read-only store folder"""
    store = copy_store(base, work / "store")
    for path in [store, *store.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # owned by this user: read-only for the one below
    home = work / "home"
    home.mkdir()
    home.chmod(0o777)
    for folder in (work, work.parent):  # the temporary folders are private to this user: let the other one in
        folder.chmod(0o755)

    def as_nobody() -> None:  # root ignores file modes, so the child runs as another user
        os.setgid(65534)
        os.setuid(65534)

    for path in [store, *store.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    python = Path(os.path.realpath(sys.executable))
    if (os.getuid() == 0 and not os.access(python, os.X_OK, effective_ids=False)) or not _others_can_run(python):
        return Outcome(
            read_only_store.__doc__ or "",
            "not run: as root, file modes do not stop writes, and this Python is not reachable for another user",
            LAB_PAPERS,
            LAB_PAPERS,
            LAB_PAPERS,
            0,
        )
    run = ingest([PAGE], store, env={"HOME": str(home)}, preexec=as_nobody if os.getuid() == 0 else None)
    return lab_kept(
        read_only_store, f"exit {run.code}", store, first_line(run.messages() or run.stderr[-300:]), str(store)
    )


def _others_can_run(python: Path) -> bool:
    """Every folder up to the interpreter lets other users through (a pyenv under /root does not)."""
    return all(p.stat().st_mode & 0o001 for p in [python, *python.parents])


def other_embedder(work: Path, base: Path) -> Outcome:
    """store written with other embedder/chunking settings"""
    store = work / "store"
    ingest([LAB], store, env={"RAG_CHUNK_SENTENCES": "0"})
    try:
        PaperIndex(Settings(store_dir=store)).close()
        message = "opened without complaint"
    except RagError as err:
        message = str(err)
    run = ingest([LAB], store)  # ingesting with the current settings builds the matching index next to it
    return lab_kept(
        other_embedder, f"questions refused; re-ingest exit {run.code}", store, first_line(message), "chunks-"
    )


def deleted_mid_ingest(work: Path, base: Path) -> Outcome:
    """input file deleted mid-ingest"""
    store = copy_store(base, work / "store")
    folder = work / "inputs"
    folder.mkdir()
    shutil.copy(PAGE, folder / "a_page.txt")
    victim = shutil.copy(LAB, folder / "b_lab_copy.txt")
    command = [sys.executable, "-m", "ingest", str(folder), "--store", str(store), "--json"]
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **SMALL_BATCHES},
    )
    assert child.stderr is not None
    for line in child.stderr:
        if "papers processed" in line:
            Path(victim).unlink()
            break
    child.communicate(timeout=900)
    after, dup = stats(store)
    # the lab copy holds the base store's 10 papers: whether read before or after the deletion, none may be lost
    return Outcome(
        deleted_mid_ingest.__doc__ or "", f"exit {child.returncode}", LAB_PAPERS, after, LAB_PAPERS + PAGE_PAPERS, dup
    )


def concurrent_ingest(work: Path, base: Path) -> Outcome:
    """two ingests of the same folder at once"""
    store = copy_store(base, work / "store")
    folder = work / "inputs"
    folder.mkdir()
    shutil.copy(PAGE, folder / PAGE.name)
    runs: list = []
    threads = [
        threading.Thread(target=lambda: runs.append(ingest([folder], store, env=SMALL_BATCHES))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.5)
    for thread in threads:
        thread.join()
    after, dup = stats(store)
    failed = [r for r in runs if r.code != 0]
    return Outcome(
        concurrent_ingest.__doc__ or "",
        "exits " + ", ".join(str(r.code) for r in runs),
        LAB_PAPERS,
        after,
        LAB_PAPERS + PAGE_PAPERS,
        dup,
        first_line(" ".join(r.messages() for r in failed)),
        str(store) if failed else None,
    )


def utf16_seed_prune(work: Path, base: Path) -> Outcome:
    """bundled seed re-saved as UTF-16, --prune"""
    store = copy_store(base, work / "store")
    resaved = work / LAB.name
    resaved.write_text(LAB.read_text(encoding="utf-8"), encoding="utf-16")
    run = ingest([resaved], store, "--prune")
    return lab_kept(
        utf16_seed_prune,
        f"exit {run.code}, removed {run.report.get('removed')}",
        store,
        first_line(run.messages()),
        LAB.name,
    )


def missing_path(work: Path, base: Path) -> Outcome:
    """input path that does not exist"""
    store = copy_store(base, work / "store")
    run = ingest([work / "no_such_papers.jsonl"], store)
    return lab_kept(missing_path, f"exit {run.code}", store, first_line(run.messages()), "no_such_papers.jsonl")


def dangling_link(work: Path, base: Path) -> Outcome:
    """folder with a dangling symlink and a good file"""
    store = copy_store(base, work / "store")
    folder = work / "inputs"
    folder.mkdir()
    (folder / "gone.jsonl").symlink_to(work / "nowhere.jsonl")
    shutil.copy(LAB, folder / LAB.name)
    run = ingest([folder], store)
    return lab_kept(dangling_link, f"exit {run.code}", store, first_line(run.messages()), "gone.jsonl")


def huge_question(work: Path, base: Path) -> Outcome:
    """a 100 kB question"""
    store = copy_store(base, work / "store")
    question = ("How does EXAONE 3.0 compare with other models? " * 2200)[:100_000]
    command = [sys.executable, "-m", "rag", question, "--store", str(store), "--model", "smollm2", "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    after, dup = stats(store)
    shown = done.stdout[:200] if done.returncode == 0 else done.stderr.strip().splitlines()[-1:]
    return Outcome(
        huge_question.__doc__ or "",
        f"exit {done.returncode} in {seconds:.0f} s",
        LAB_PAPERS,
        after,
        LAB_PAPERS,
        dup,
        first_line(str(shown)),
        None if done.returncode == 0 else "100",
    )


PROCESS_CASES: list[Callable[[Path, Path], Outcome]] = [
    rerun_unchanged,
    kill_during_ingest,
    disk_full,
    read_only_store,
    other_embedder,
    deleted_mid_ingest,
    concurrent_ingest,
    utf16_seed_prune,
    missing_path,
    dangling_link,
    huge_question,
]
