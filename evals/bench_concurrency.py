"""Concurrent chats against a real `python -m ui` on loopback: waits against the serial queue time, cancels, RSS.

    python -m evals.bench_concurrency [--chats 20] [--cancel 3] [--model smollm2] [--out DIR]

Ingests a seed page into a temporary store, starts the UI in a child process (one LLM queue slot), asks each
distinct question once alone (the serial service time), then submits all chats at once from separate clients,
cancelling some right after their first streamed text. A chat's queue-implied wait is the serial time of the
answered chats finished before it plus its own; the ratio wait / implied should stay near 1 (target p95 <= 2).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seeds" / "000_7260f6b4ff62f6ec.txt"  # the lab page: 10 papers, ingests in seconds
QUESTIONS = (  # answered by a draft (not catalog or which-paper questions), so every one streams
    "What does EXAONE 3.0 excel at?",
    "How was EXAONE 3.0 instruction-tuned?",
    "What languages does EXAONE 3.0 support?",
    "What is the main contribution of the LG AI Research language model?",
    "How does the model compare with other open models of similar size?",
)


@dataclass
class Chat:
    question: str
    cancel: bool
    submitted: float = 0.0
    first_text: float | None = None  # first streamed text after the pending message
    finished: float | None = None
    cancelled_at: float | None = None
    answered: bool = False
    error: str = ""


@dataclass
class Result:
    chats: int
    cancelled: int
    answered: int
    serial_s: dict[str, float] = field(default_factory=dict)
    waits_s: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # wait / queue-implied wait, per answered chat
    p95_wait_s: float = 0.0
    p95_ratio: float = 0.0
    max_ratio: float = 0.0
    makespan_s: float = 0.0
    serial_sum_s: float = 0.0  # the answered chats one after another
    freed_after_cancel_s: list[float] = field(default_factory=list)  # cancel -> the next chat starts
    rss_mb: dict[str, float] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ingest(store: Path) -> None:
    command = [sys.executable, "-m", "ingest", str(SEED), "--store", str(store), "--quiet"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)


def start_ui(store: Path, model: str, port: int, log: Path, max_new_tokens: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RAG_ANSWER_THRESHOLD": "0", "RAG_MAX_NEW_TOKENS": str(max_new_tokens)}
    command = [sys.executable, "-m", "ui", "--store", str(store), "--model", model, "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> Any:
    from gradio_client import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the UI exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            return Client(url, verbose=False)
        except Exception:  # not listening yet
            time.sleep(1)
    raise RuntimeError(f"the UI at {url} did not start within {timeout} s; see {log}")


def submit(client: Any, question: str, model: str) -> Any:
    return client.submit(question, "", "", "", 10, model, api_name="/ask")


def run_chat(client: Any, chat: Chat, model: str) -> None:
    chat.submitted = time.perf_counter()
    job = submit(client, chat.question, model)
    try:
        while not job.done():
            if len(job.outputs()) >= 2 and chat.first_text is None:
                chat.first_text = time.perf_counter()
                if chat.cancel:  # the user closes the tab mid-answer
                    job.cancel()
                    chat.cancelled_at = time.perf_counter()
                    return
            time.sleep(0.01)
        outputs = job.outputs()
        chat.finished = time.perf_counter()
        last = outputs[-1][0][-1] if outputs and outputs[-1][0] else {}
        text = "".join(p.get("text", "") for p in last.get("content", [])) if isinstance(last, dict) else ""
        chat.answered = bool(job.status().success) and "rag-error" not in text and bool(text)
    except Exception as exc:  # counted as not answered
        chat.error = f"{type(exc).__name__}: {exc}"


def serial_times(url: str, model: str) -> dict[str, float]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    times = {}
    for question in QUESTIONS:
        chat = Chat(question, cancel=False)
        run_chat(client, chat, model)
        if not chat.answered or chat.finished is None:
            raise RuntimeError(f"serial run: {question!r} was not answered ({chat.error})")
        times[question] = chat.finished - chat.submitted
    return times


def concurrent(url: str, model: str, n: int, n_cancel: int) -> list[Chat]:
    from gradio_client import Client

    cancel_at = {round(i * n / max(n_cancel, 1)) + 1 for i in range(n_cancel)}  # spread over the queue
    chats = [Chat(QUESTIONS[i % len(QUESTIONS)], cancel=i in cancel_at) for i in range(n)]
    clients = [Client(url, verbose=False) for _ in chats]  # one browser session each
    threads = [threading.Thread(target=run_chat, args=(c, chat, model)) for c, chat in zip(clients, chats, strict=True)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)  # submission order = queue order
    for thread in threads:
        thread.join(timeout=1800)
    return chats


def summarize(chats: list[Chat], serial: dict[str, float], rss: dict[str, float]) -> Result:
    done = sorted((c for c in chats if c.answered and c.finished), key=lambda c: c.finished or 0.0)
    start = min(c.submitted for c in chats)
    implied, ratios, waits = 0.0, [], []
    for chat in done:
        implied += serial[chat.question]
        waits.append(chat.finished - chat.submitted)  # type: ignore[operator]
        ratios.append(waits[-1] / implied)
    starts = sorted(c.first_text for c in chats if c.first_text is not None)
    freed = []
    for chat in chats:
        if chat.cancelled_at is not None:
            later = [t for t in starts if t > chat.cancelled_at]
            freed.append(round(later[0] - chat.cancelled_at, 2) if later else 0.0)
    return Result(
        chats=len(chats),
        cancelled=sum(c.cancelled_at is not None for c in chats),
        answered=len(done),
        serial_s={q: round(t, 2) for q, t in serial.items()},
        waits_s=[round(w, 2) for w in waits],
        ratios=[round(r, 3) for r in ratios],
        p95_wait_s=round(_p95(waits), 2),
        p95_ratio=round(_p95(ratios), 3),
        max_ratio=round(max(ratios, default=0.0), 3),
        makespan_s=round(max((c.finished or 0.0) for c in done) - start, 2) if done else 0.0,
        serial_sum_s=round(sum(serial[c.question] for c in done), 2),
        freed_after_cancel_s=freed,
        rss_mb=rss,
    )


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else sum(values)


def bench(
    chats: int = 20, cancel: int = 3, model: str = "smollm2", max_new_tokens: int = 48, rounds: int = 2
) -> Result:
    """The whole measurement in a temporary folder; the UI child process is stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
        store, log = Path(tmp, "store"), Path(tmp, "ui.log")
        ingest(store)
        url = f"http://127.0.0.1:{free_port()}"
        proc = start_ui(store, model, int(url.rsplit(":", 1)[1]), log, max_new_tokens)
        try:
            wait_ready(url, proc, log)
            serial_times(url, model)  # warms every part up (embedder, prompt cache of each question's evidence)
            serial = serial_times(url, model)
            rss = {"after_serial": round(rss_mb(proc.pid), 1)}
            runs = concurrent(url, model, chats, cancel)
            rss["after_concurrent"] = round(rss_mb(proc.pid), 1)
            for i in range(2, rounds + 1):  # memory must not grow with each round
                concurrent(url, model, chats, cancel)
                rss[f"after_concurrent_{i}"] = round(rss_mb(proc.pid), 1)
            return summarize(runs, serial, rss)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_concurrency", description=__doc__)
    parser.add_argument("--chats", type=int, default=20, help="chats started at once")
    parser.add_argument("--cancel", type=int, default=3, help="chats cancelled after their first streamed text")
    parser.add_argument("--model", default="smollm2", help="generator model of the UI")
    parser.add_argument("--max-new-tokens", type=int, default=48, help="answer length cap (RAG_MAX_NEW_TOKENS)")
    parser.add_argument("--rounds", type=int, default=2, help="concurrent rounds (RSS after each)")
    parser.add_argument("--out", type=Path, help="also write result.json here")
    args = parser.parse_args(argv)
    result = bench(args.chats, args.cancel, args.model, args.max_new_tokens, args.rounds)
    print(f"chats {result.chats}, cancelled mid-stream {result.cancelled}, answered {result.answered}")
    print(f"serial service time per question (s): {result.serial_s}")
    print(f"answered chats one after another: {result.serial_sum_s} s; all at once took {result.makespan_s} s")
    print(f"wait p95 {result.p95_wait_s} s; wait / queue-implied wait: p95 {result.p95_ratio}, max {result.max_ratio}")
    print(f"cancel -> next chat streaming (s): {result.freed_after_cancel_s}")
    print(f"UI process RSS (MB): {result.rss_mb}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "result.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    ok = result.answered == result.chats - result.cancelled and result.p95_ratio <= 2.0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
