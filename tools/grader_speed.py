#!/usr/bin/env python3
"""How fast the grader is: a benchmark, not a test. Prints a Markdown table.

    python3 tools/grader_speed.py [--batch-size 20] [--batch-exercise 01] [--skip-batch]

1. One full submission (the reference solutions, every exercise, 2 workers), with
   the reference calibration already cached, as it is after the first student on a
   grading host; and the share of that time each stage took (the memory check's
   share is a target of its own).
2. A student's `make memcheck EX=03` against `make check EX=03`, in a scratch copy
   of the repository holding the reference vector (best of 3 each).
3. A batch of N copies of a submission, with 1 and then 2 workers (one exercise by
   default, to keep the run to minutes), and the grader's own overhead: its wall
   time less the time it spent waiting for the commands it runs.
Run it on an idle machine: the figures are wall times.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import batch, calibrate, proc  # noqa: E402
from mcgrader.exercises import select  # noqa: E402
from mcgrader.grading import grade_submission  # noqa: E402
from mcgrader.sandbox import Sandbox  # noqa: E402


def timed(fn):
    before = proc.COMMAND_SECONDS[0]
    start = time.monotonic()
    out = fn()
    return time.monotonic() - start, proc.COMMAND_SECONDS[0] - before, out


def full_submission(box: Sandbox) -> list[str]:
    every = select([])
    for ex in every:   # warm the calibration cache: a one-time cost per host
        calibrate.reference(ex, box, public_only=False)
    wall, _, (graded, _) = timed(lambda: grade_submission(ROOT / "solutions", every, box,
                                                          jobs=2))
    stages: dict[str, float] = {}
    for g in graded:
        for stage, seconds in (g.result.seconds if g.result else {}).items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    total = sum(stages.values()) or 1.0
    share = ", ".join(f"{s} {v / total:.0%}" for s, v in sorted(stages.items(),
                                                               key=lambda kv: -kv[1]))
    return [f"| one full submission, all {len(every)} exercises, 2 workers | {wall:.0f} s | "
            f"≤ 60 s: {'met' if wall <= 60 else '**missed**'} |",
            f"| memory stage (Valgrind) share of grading time, summed over exercises | "
            f"{stages.get('valgrind', 0) / total:.0%} ({share}) | under half: "
            f"{'met' if stages.get('valgrind', 0) < total / 2 else '**missed**'} |"]


def student_commands() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="memcraft-speed-") as tmp:
        copy = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(copy)], check=True)
        shutil.copy(ROOT / "solutions" / "03-vector" / "vector.c",
                    copy / "exercises" / "03-vector" / "vector.c")
        best = {}
        for target in ("check", "memcheck"):
            runs = []
            for _ in range(3):
                start = time.monotonic()
                subprocess.run(["make", "-s", target, "EX=03"], cwd=copy,
                               capture_output=True, check=False)
                runs.append(time.monotonic() - start)
            best[target] = min(runs)
    ratio = best["memcheck"] / best["check"]
    ok = best["memcheck"] <= 4 and ratio <= 3
    return [f"| `make memcheck EX=03` (a student's run) | {best['memcheck']:.1f} s, "
            f"{ratio:.1f}x `make check EX=03` ({best['check']:.1f} s) | ≤ 4 s and within "
            f"3x: {'met' if ok else '**missed**'} |"]


def batches(box: Sandbox, size: int, chosen) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="memcraft-speed-") as tmp:
        subs = Path(tmp) / "subs"
        for i in range(size):
            shutil.copytree(ROOT / "solutions", subs / f"student{i:02d}")
        runs = []
        for jobs in (1, 2):
            out = Path(tmp) / f"grades-{jobs}"
            runs.append(timed(lambda: batch.run_batch(subs, out, chosen, box, jobs, False)))
    (one, waited, _), (two, _, _) = runs
    names = ", ".join(ex.folder for ex in chosen)
    return [f"| a batch of {size} submissions ({names}), 1 worker / 2 workers | "
            f"{one:.0f} s / {two:.0f} s: {one / two:.2f}x | 1.7x: "
            f"{'met' if one / two >= 1.7 else '**missed**'} |",
            f"| the grader's own time (1 worker): wall time less the commands it waits for | "
            f"{one - waited:.1f} s of {one:.0f} s = {(one - waited) / one:.1%} | under 10%: "
            f"{'met' if (one - waited) / one < 0.1 else '**missed**'} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--batch-exercise", action="append", default=[])
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    box = Sandbox()
    box.protect({ROOT})
    rows = ["| measure | figure | target |", "|---|---|---|"]
    rows += full_submission(box)
    print("\n".join(rows), flush=True)
    rows = student_commands()
    print("\n".join(rows), flush=True)
    if not args.skip_batch:
        print("\n".join(batches(box, args.batch_size, select(args.batch_exercise or ["01"]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
