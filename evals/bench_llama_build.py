"""Benchmark: prompt reading and decoding speed of the installed llama.cpp build (`python -m evals.bench_llama_build`).

Each run reads a fresh prompt of real abstracts (about 700 tokens; a run number at its start keeps the KV cache from
reusing an earlier run's tokens), then decodes a fixed number of tokens greedily. Prompt reading is tokens read over
the time to the first token; decoding is the tokens after the first over the time after it. Medians of the counted
runs after warm-up, per second of wall time and per CPU-second of the process (all its threads; the steadier
figure on a shared machine, where the process may wait for a core). Run it in two virtualenvs holding two builds,
one after the other, to compare them."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from rag.config import Settings, set_offline_env
from rag.generation import llama_build
from rag.generation.llama_build import system_info
from rag.generation.llama_cpp import LlamaCppGenerator

ABSTRACTS = Path(__file__).resolve().parent.parent / "data" / "seeds" / "004_3699ef32a6941384.txt"
TASK = "Summarise each abstract above in two sentences, in order, without skipping any."


def prompt(run: int, words: int) -> list[dict[str, str]]:
    """Whole abstracts from the bundled title/abstract file until about `words` words; a different run number each
    time, as the first thing the model reads, so nothing of an earlier run is reused."""
    lines = [line.strip() for line in ABSTRACTS.read_text().splitlines() if line.strip()][3::2]
    picked: list[str] = []
    for line in lines:
        if sum(len(p.split()) for p in picked) >= words:
            break
        picked.append(line)
    evidence = "\n\n".join(f"[{i}] {text}" for i, text in enumerate(picked, start=1))
    return [
        {"role": "system", "content": f"Run {run}. You summarise paper abstracts."},
        {"role": "user", "content": f"{evidence}\n\n{TASK}"},
    ]


def time_run(generator: LlamaCppGenerator, messages: list[dict[str, str]], decode: int) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    first: tuple[float, float] | None = None
    text = ""
    for delta in generator.stream(messages, max_tokens=decode):
        first = first or (time.perf_counter(), time.process_time())
        text += delta
    ended, cpu_ended = time.perf_counter(), time.process_time()
    assert first is not None, "the model generated nothing"
    tokens = generator.count_tokens(text)
    read = generator.last_prompt_read
    return {
        "prompt_tokens": read,
        "prompt_tok_s": read / (first[0] - started),
        "prompt_tok_cpu_s": read / (first[1] - cpu_started),
        "decode_tokens": tokens,
        "decode_tok_s": (tokens - 1) / (ended - first[0]),
        "decode_tok_cpu_s": (tokens - 1) / (cpu_ended - first[1]),
    }


def main() -> None:
    set_offline_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="default", help="generator model")
    parser.add_argument("--runs", type=int, default=6, help="counted runs")
    parser.add_argument("--warmup", type=int, default=1, help="runs before the counted ones")
    parser.add_argument("--words", type=int, default=480, help="words of abstracts in the prompt (~700 tokens)")
    parser.add_argument("--decode", type=int, default=64, help="tokens to generate")
    parser.add_argument("--out", type=Path, help="also write the runs as JSON here")
    args = parser.parse_args()
    settings = Settings()
    record = llama_build.recorded() or {"flavour": "unrecorded", "cmake_args": "?"}
    print(f"build: {record['flavour']}  CMAKE_ARGS={record['cmake_args']!r}")
    print(f"llama.cpp: {system_info()}")
    loading = time.perf_counter()
    generator = LlamaCppGenerator(args.model, settings)
    print(f"model {generator.name} loaded in {time.perf_counter() - loading:.1f} s; {settings.n_threads} threads")
    runs = []
    for i in range(args.warmup + args.runs):
        run = time_run(generator, prompt(i, args.words), args.decode)
        counted = i >= args.warmup
        print(
            f"{'run' if counted else 'warm-up'} {i}: prompt {run['prompt_tokens']} tokens at "
            f"{run['prompt_tok_s']:.1f} tok/s ({run['prompt_tok_cpu_s']:.1f} per CPU-s), decode {run['decode_tokens']} "
            f"tokens at {run['decode_tok_s']:.1f} tok/s ({run['decode_tok_cpu_s']:.1f} per CPU-s)",
            flush=True,
        )
        if counted:
            runs.append(run)
    prompt_med = statistics.median(r["prompt_tok_s"] for r in runs)
    decode_med = statistics.median(r["decode_tok_s"] for r in runs)
    prompt_cpu = statistics.median(r["prompt_tok_cpu_s"] for r in runs)
    decode_cpu = statistics.median(r["decode_tok_cpu_s"] for r in runs)
    print(
        f"median of {len(runs)}: prompt reading {prompt_med:.1f} tok/s ({prompt_cpu:.1f} per CPU-s), "
        f"decode {decode_med:.1f} tok/s ({decode_cpu:.1f} per CPU-s)"
    )
    if args.out:
        summary: dict[str, Any] = {"build": record, "system_info": system_info(), "model": generator.name, "runs": runs}
        summary |= {"prompt_tok_s_median": prompt_med, "decode_tok_s_median": decode_med}
        summary |= {"prompt_tok_cpu_s_median": prompt_cpu, "decode_tok_cpu_s_median": decode_cpu}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
