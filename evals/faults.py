"""The fault matrix: bad inputs, killed/starved/competing ingests, odd stores and questions, against real stores.

    python -m evals.faults [--only SUBSTRING ...] [--out FILE]

Each case runs the real CLIs in its own temporary folder, starting from a store of one seed page (10 papers). The
table gives the outcome, papers before/after (and how many had to be there), duplicates and the message shown;
the exit code is 1 when any case lost papers, made duplicates or showed a message that does not name the file or
value and say the fix.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from evals.fault_inputs import INPUT_CASES
from evals.fault_kit import LAB, LAB_PAPERS, Outcome, ingest, stats
from evals.fault_process import PROCESS_CASES

CASES: list[Callable[[Path, Path], Outcome]] = [*INPUT_CASES, *PROCESS_CASES]


def name_of(case: Callable[[Path, Path], Outcome]) -> str:
    return (case.__doc__ or "").strip()


def run_cases(cases: list[Callable[[Path, Path], Outcome]], log: Callable[[str], None] = print) -> list[Outcome]:
    """Every case in its own temporary folder, after one base store (the lab seed page) is built."""
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        base = Path(tmp, "base")
        run = ingest([LAB], base)
        papers, _ = stats(base)
        if run.code != 0 or papers != LAB_PAPERS:
            raise SystemExit(f"error: the base store was not built (exit {run.code}, {papers} papers): {run.stderr}")
        for i, case in enumerate(cases):
            work = Path(tmp, f"case{i:02d}")
            work.mkdir()
            started = time.perf_counter()
            try:
                outcome = case(work, base)
            except Exception as exc:  # a crashing case is a failed row, not a crashed matrix
                outcome = Outcome(name_of(case), f"CRASHED {type(exc).__name__}: {exc}", 0, 0, 1, 0, "", None)
            log(f"{name_of(case)}: {'ok' if outcome.ok else 'FAIL'} ({time.perf_counter() - started:.0f} s)")
            outcomes.append(outcome)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """A Markdown table, one row per case."""
    rows = [
        "| case | outcome | papers before → after (must) | duplicates | message shown | names it / says fix | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        judged = "n/a" if o.names is None else f"{'yes' if o.names_it else 'NO'} / {'yes' if o.says_fix else 'NO'}"
        message = (o.message or "-").replace("|", "\\|")
        rows.append(
            f"| {o.case} | {o.outcome} | {o.before} → {o.after} ({o.expected}) | {o.duplicates} | {message} | "
            f"{judged} | {'ok' if o.ok else 'FAIL'} |"
        )
    failed = [o for o in outcomes if not o.ok]
    lost = sum(o.lost for o in outcomes)
    dups = sum(o.duplicates for o in outcomes)
    rows.append(f"\n{len(outcomes)} cases, {len(failed)} failed; papers lost {lost}, duplicates {dups}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.faults", description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="run the cases whose name contains one of these")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or any(s.lower() in name_of(c).lower() for s in args.only)]
    if not cases:
        print(f"error: no case matches {args.only}; names: {[name_of(c) for c in CASES]}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes = run_cases(cases, log=lambda line: print(line, file=sys.stderr, flush=True))
    text = table(outcomes) + f" ({time.perf_counter() - started:.0f} s)\n"
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
