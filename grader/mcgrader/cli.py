"""grader/grade: grade one submission, or a whole class with --batch.

    grader/grade SUBMISSION [--exercise ID ...] [--json F] [--gradescope F] [--junit F]
    grader/grade --batch DIR [--jobs N] [--out DIR] [--shard K/N]
    grader/grade --merge OUT1 OUT2 ... --out DIR

SUBMISSION is a folder, or a .tar.gz/.zip (from `make submit` or by hand).
Exit status 0 when grading completed, whatever the score; 1 when some exercise
could not be graded (infrastructure); 2 when the grader could not run at all.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import batch, report
from .exercises import ExerciseError, select
from .grading import grade_submission
from .sandbox import Sandbox


def write_reports(graded, submission: str, protections, notes, args) -> str:
    text = report.terminal(graded, submission, protections, notes)
    data = report.to_json(graded, submission, protections, notes)
    if args.json:
        report.write_json(Path(args.json), data)
    if args.gradescope:
        report.write_json(Path(args.gradescope),
                          report.gradescope(graded, submission, protections, notes))
    if args.junit:
        Path(args.junit).write_text(report.junit(graded))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader/grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submission", nargs="?", help="folder, .tar.gz or .zip")
    parser.add_argument("--exercise", action="append", default=[],
                        help="grade only this exercise (number or name); repeatable")
    parser.add_argument("--json", help="write the JSON report here")
    parser.add_argument("--gradescope", help="write Gradescope's results.json here")
    parser.add_argument("--junit", help="write JUnit XML here")
    parser.add_argument("--public-only", action="store_true",
                        help="public tests only (the student handout's mode)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run without bubblewrap or a separate user (not for real grading)")
    parser.add_argument("--no-bwrap", action="store_true",
                        help="the fallback sandbox only (a separate user, file modes, limits), "
                             "as where user namespaces are forbidden")
    parser.add_argument("--batch", metavar="DIR", help="grade every submission in DIR")
    parser.add_argument("--out", help="with --batch: where the gradebook and reports go "
                                      "(default: DIR-grades beside DIR)")
    parser.add_argument("--shard", metavar="K/N",
                        help="with --batch: grade only shard K of N (0 <= K < N): every N-th "
                             "student, in sorted order, from the K-th")
    parser.add_argument("--merge", nargs="+", metavar="OUT",
                        help="combine the --out folders of --shard runs into --out DIR")
    parser.add_argument("--jobs", type=int, default=1, help="parallel workers")
    parser.add_argument("--deadline", type=float, metavar="SECONDS",
                        help="start no exercise after this many seconds (Gradescope)")
    args = parser.parse_args(argv)
    if args.merge:
        if not args.out:
            parser.error("--merge needs --out DIR")
        return batch.merge([Path(p) for p in args.merge], Path(args.out))
    try:
        shard = batch.parse_shard(args.shard) if args.shard else None
    except ValueError as err:
        parser.error(str(err))
    if shard and not args.batch:
        parser.error("--shard goes with --batch DIR")
    try:
        chosen = select(args.exercise)
    except ExerciseError as err:
        print(f"grader: {err}", file=sys.stderr)
        return 2
    public_only = args.public_only or not any(ex.hidden_dir.exists() for ex in chosen)
    box = Sandbox(enabled=not args.no_sandbox, bwrap=not args.no_bwrap)
    box.protect({ex.root for ex in chosen})   # the slot users never read what is ours
    if args.batch:
        return batch.run_batch(Path(args.batch), Path(args.out) if args.out else None, chosen,
                               box, args.jobs, public_only, shard)
    if not args.submission:
        parser.error("give a SUBMISSION, or --batch DIR")
    start = time.monotonic()
    deadline = start + args.deadline if args.deadline else None
    graded, notes = grade_submission(Path(args.submission), chosen, box, public_only, args.jobs,
                                     deadline)
    if public_only:
        notes.append("public tests only: hidden tests are not part of this grade")
    notes.append(f"graded in {time.monotonic() - start:.1f}s")
    print(write_reports(graded, args.submission, box.protections(), notes, args))
    return 1 if any(g.status == "infrastructure-error" for g in graded) else 0


if __name__ == "__main__":
    sys.exit(main())
