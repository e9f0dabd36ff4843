#!/usr/bin/env python3
"""How fast the grader is: a benchmark, not a test.

    python3 tools/grader_speed.py [--batch-size 20] [--batch-exercise 01]

1. One full submission (the reference solutions, every exercise, 2 workers),
   with the reference calibration already cached, as it is after the first
   student on a grading host.
2. A batch of N copies of a submission, with 1 and then 2 workers (one exercise
   by default, to keep the run to minutes).
3. The grader's own overhead: its wall time less the time it spent waiting for
   the commands it runs (compilers, tests, Valgrind, clang-tidy), on one worker.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import batch, calibrate, proc  # noqa: E402
from mcgrader.grading import grade_submission  # noqa: E402
from mcgrader.exercises import select  # noqa: E402
from mcgrader.sandbox import Sandbox  # noqa: E402


def timed(fn):
    before = proc.COMMAND_SECONDS[0]
    start = time.monotonic()
    fn()
    return time.monotonic() - start, proc.COMMAND_SECONDS[0] - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--batch-exercise", action="append", default=[])
    args = parser.parse_args()
    box = Sandbox()
    every = select([])
    for ex in every:   # warm the calibration cache: a one-time cost per host
        calibrate.reference(ex, box, public_only=False)
    full, _ = timed(lambda: grade_submission(ROOT / "solutions", every, box, jobs=2))
    print(f"full submission, {len(every)} exercises, 2 workers: {full:.1f}s", flush=True)
    chosen = select(args.batch_exercise or ["01"])
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        for i in range(args.batch_size):
            shutil.copytree(ROOT / "solutions", subs / f"student{i:02d}")
        lines = []
        for jobs in (1, 2):
            out = Path(tmp) / f"grades-{jobs}"
            wall, waited = timed(lambda: batch.run_batch(subs, out, chosen, box, jobs, False))
            lines.append((jobs, wall, waited))
    one, two = lines[0][1], lines[1][1]
    overhead = (lines[0][1] - lines[0][2]) / lines[0][1]
    names = ", ".join(ex.folder for ex in chosen)
    print(f"batch of {args.batch_size} ({names}): 1 worker {one:.1f}s, 2 workers {two:.1f}s, "
          f"speed-up {one / two:.2f}x")
    print(f"grader overhead (1 worker): {lines[0][1] - lines[0][2]:.1f}s of {one:.1f}s "
          f"= {overhead:.1%}; the rest is the compilers, tests, Valgrind and clang-tidy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
