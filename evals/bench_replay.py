"""Benchmark: answers replayed on the same machine give identical text (issue 20's target: 20 of 20 dev answers).

Records 20 tuning-split answers with the default model in this process, then replays them in a fresh child process
(its own model load, prompt cache and KV state, in reverse order so each question follows a different one) with
`rag.replay.rerun`, the function behind `python -m rag --replay`, and counts identical texts."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rag import replay
from rag.config import Settings, set_offline_env
from rag.qa import Assistant

QUESTIONS = Path(__file__).resolve().parent / "data" / "tuning.jsonl"


def questions(limit: int) -> list[dict]:
    """`limit` tuning questions spread evenly over the file, without catalog (metadata) questions, which the records
    answer without the model, and without follow-ups, which need their earlier turns."""
    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    usable = [i for i in items if i["type"] != "metadata" and not i.get("history")]
    step = max(1, len(usable) // max(1, limit))
    return usable[::step][:limit]


def record(settings: Settings, limit: int, folder: Path) -> None:
    """Ask each question and save its answer (with its replay record) as `folder/<id>.json`."""
    assistant = Assistant(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for item in questions(limit):
        started = time.perf_counter()
        answer = assistant.ask(item["question"])
        (folder / f"{item['id']}.json").write_text(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1) + "\n")
        print(f"recorded {item['id']} in {time.perf_counter() - started:.1f} s", flush=True)


def replay_all(settings: Settings, folder: Path) -> list[dict]:
    """Replay every saved answer in reverse order; one row per answer."""
    files = sorted(folder.glob("*.json"), reverse=True)
    if not files:
        raise SystemExit(f"error: no answers in {folder}; record them first (without --replay-only)")
    data = [replay.load(f) for f in files]
    assistant = Assistant(replay.replay_settings(data[0]["replay"], settings))
    rows = []
    for file, saved in zip(files, data, strict=True):
        started = time.perf_counter()
        result = replay.rerun(assistant, saved)
        rows.append(
            {
                "id": file.stem,
                "question": saved["question"],
                "identical": result.identical,
                "changes": result.changes,
                "recorded": saved["answer"],
                "replayed": result.new.answer,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        print(f"replayed {file.stem}: {'identical' if result.identical else 'CHANGED'}", flush=True)
    return rows


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path(".rag"), help="an ingested store")
    parser.add_argument("--n", type=int, default=20, help="tuning questions to record and replay")
    parser.add_argument("--out", type=Path, default=Path("evals/results/replay"))
    parser.add_argument("--replay-only", action="store_true", help="(the child process) replay what is in --out")
    args = parser.parse_args()
    settings = Settings(store_dir=args.store)  # the default model: RAG_MODEL unset
    answers = args.out / "answers"
    if args.replay_only:
        rows = replay_all(settings, answers)
        (args.out / "replayed.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    record(settings, args.n, answers)
    child = [sys.executable, "-m", "evals.bench_replay", "--replay-only", "--store", str(args.store)]
    subprocess.run([*child, "--out", str(args.out)], check=True)
    rows = json.loads((args.out / "replayed.json").read_text())
    same = sum(r["identical"] for r in rows)
    changed = sorted({aspect for r in rows for aspect in r["changes"]})
    summary = {
        "identical": same,
        "total": len(rows),
        "model": settings.model,
        "aspects_changed": changed,
        "abstained": sum(json.loads((answers / f"{r['id']}.json").read_text())["abstained"] for r in rows),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"identical text on replay: {same}/{len(rows)} (aspects that changed: {', '.join(changed) or 'none'})")


if __name__ == "__main__":
    main()
