"""Benchmark: prompt-lookup speculative decoding against plain greedy decoding on real answer prompts
(`python -m evals.bench_prompt_lookup`).

The prompts are the ones the assistant gives the model: each question of the tuning split is planned (retrieval and
the evidence read), then formatted with `answer_messages`. Both generators read the fixed prefix first, as the app
does, then answer every prompt in turn, alternating which goes first; each prompt's whole-answer time is the median
over the rounds. Prompt lookup counts only if it is faster and its greedy answers are identical."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag.config import Settings, set_offline_env
from rag.generation.llama_cpp import LlamaCppGenerator
from rag.generation.prompts import PREFIX, answer_messages
from rag.qa import Assistant

QUESTIONS = Path(__file__).resolve().parent / "data" / "tuning.jsonl"
ANSWERED_BY_THE_MODEL = ("factual", "which_paper", "multi_paper")  # metadata questions go to the catalog


def prompts(store: Path, n: int) -> list[tuple[str, list[dict[str, str]]]]:
    """`n` answerable questions spread over the file's model-answered types, each with its answer prompt."""
    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    chosen = [i["question"] for i in items if i["type"] in ANSWERED_BY_THE_MODEL and i["answerable"]]
    chosen = chosen[:: max(1, len(chosen) // n)][:n]
    assistant = Assistant(Settings(store_dir=store))
    planned = []
    for question in chosen:
        plan = assistant.plan(question)
        planned.append((question, answer_messages(plan.resolved.question, plan.read)))
    return planned


def answer(generator: LlamaCppGenerator, messages: list[dict[str, str]], max_tokens: int) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    first = None
    text = ""
    for delta in generator.stream(messages, max_tokens):
        first = first or time.perf_counter()
        text += delta
    ended = time.perf_counter()
    return {
        "cpu_s": time.process_time() - cpu_started,
        "text": text,
        "tokens": generator.count_tokens(text),
        "first_token_s": (first or ended) - started,
        "total_s": ended - started,
        "prompt_read": generator.last_prompt_read,
    }


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path(".rag"), help="an ingested store")
    parser.add_argument("--n", type=int, default=10, help="questions")
    parser.add_argument("--lookup", type=int, default=10, help="tokens drafted per step by prompt lookup")
    parser.add_argument("--rounds", type=int, default=3, help="times each prompt is answered by each decoder")
    parser.add_argument("--out", type=Path, help="also write every answer and timing as JSON here")
    args = parser.parse_args()
    planned = prompts(args.store, args.n)
    settings = Settings()
    generators = {}
    with tempfile.TemporaryDirectory() as states:
        for name, lookup in (("plain", 0), (f"lookup{args.lookup}", args.lookup)):
            own = settings.model_copy(update={"prompt_cache_dir": Path(states) / name})
            generators[name] = LlamaCppGenerator("default", own, prompt_lookup=lookup)
            generators[name].warm_up(PREFIX)
        results: dict[str, list[list[dict]]] = {name: [[] for _ in planned] for name in generators}
        for r in range(args.rounds):
            order = list(generators) if r % 2 == 0 else list(reversed(generators))
            for i, (_question, messages) in enumerate(planned):
                for name in order:
                    results[name][i].append(answer(generators[name], messages, settings.max_new_tokens))
            print(f"round {r + 1} of {args.rounds} done", flush=True)
    plain, lookup = generators
    rows = []
    print(f"{'#':>2} {'tokens':>6} {'plain s':>8} {'lookup s':>8} {'ratio':>6} {'CPU-s ratio':>11} identical")
    for i, (question, _messages) in enumerate(planned):
        a, b = results[plain][i], results[lookup][i]
        row = {
            "question": question,
            "tokens": a[0]["tokens"],
            "prompt_read": a[0]["prompt_read"],
            "plain_s": statistics.median(x["total_s"] for x in a),
            "lookup_s": statistics.median(x["total_s"] for x in b),
            "plain_cpu_s": statistics.median(x["cpu_s"] for x in a),
            "lookup_cpu_s": statistics.median(x["cpu_s"] for x in b),
            "plain_first_token_s": statistics.median(x["first_token_s"] for x in a),
            "lookup_first_token_s": statistics.median(x["first_token_s"] for x in b),
            "identical": all(x["text"] == a[0]["text"] for x in a + b),
            "plain_text": a[0]["text"],
            "lookup_text": b[0]["text"],
        }
        row["ratio"] = row["lookup_s"] / row["plain_s"]
        row["cpu_ratio"] = row["lookup_cpu_s"] / row["plain_cpu_s"]
        rows.append(row)
        print(
            f"{i + 1:>2} {row['tokens']:>6} {row['plain_s']:>8.2f} {row['lookup_s']:>8.2f} {row['ratio']:>6.2f} "
            f"{row['cpu_ratio']:>11.2f} {row['identical']}"
        )
    total_plain = sum(r["plain_s"] for r in rows)
    total_lookup = sum(r["lookup_s"] for r in rows)
    first_plain = statistics.median(r["plain_first_token_s"] for r in rows)
    first_lookup = statistics.median(r["lookup_first_token_s"] for r in rows)
    ratio = statistics.median(r["ratio"] for r in rows)
    cpu_plain = sum(r["plain_cpu_s"] for r in rows)
    cpu_lookup = sum(r["lookup_cpu_s"] for r in rows)
    print(
        f"all {len(rows)} answers: plain {total_plain:.1f} s, lookup ({args.lookup} drafted) {total_lookup:.1f} s, "
        f"ratio {total_lookup / total_plain:.2f}; median per-answer ratio {ratio:.2f}; "
        f"CPU-s {cpu_plain:.1f} -> {cpu_lookup:.1f} (ratio {cpu_lookup / cpu_plain:.2f}); "
        f"first token p50 {first_plain:.2f} -> {first_lookup:.2f} s; "
        f"identical answers {sum(r['identical'] for r in rows)}/{len(rows)}"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"lookup": args.lookup, "rounds": args.rounds, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
