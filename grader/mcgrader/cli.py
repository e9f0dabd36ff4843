"""grader/grade: grade one submission, or a whole class with --batch.

    grader/grade SUBMISSION [--exercise ID ...] [--json F] [--gradescope F] [--junit F]
    grader/grade --batch DIR [--jobs N] [--out DIR]

SUBMISSION is a folder, or a .tar.gz/.zip (from `make submit` or by hand).
Exit status 0 when grading completed, whatever the score; 1 when some exercise
could not be graded (infrastructure); 2 when the grader could not run at all.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import batch, calibrate, fetch, pipeline, report
from .exercises import Exercise, ExerciseError, select
from .sandbox import Sandbox
from .unpack import SubmissionError, unpack


def grade_exercise(ex: Exercise, folder: Path, work: Path, box: Sandbox, public_only: bool,
                   stages: tuple[str, ...] = pipeline.STAGES) -> report.Graded:
    """Stages ex's files from folder and runs the pipeline on them (every stage unless
    stages names fewer: the self-test checks a mutant only where it must be caught)."""
    hidden_ids = calibrate.hidden_test_ids(ex)
    base = dict(id=ex.folder, title=ex.title, max_score=float(ex.max_score),
                hidden_ids=hidden_ids)
    staged = fetch.stage(ex, folder, work / "files")
    if len(staged.missing) == len(ex.student_files):
        return report.Graded(**base, status="missing", score=0.0,
                             notes=[f"not submitted: {', '.join(staged.missing)}"])
    ref = calibrate.reference(ex, box, public_only)
    if not ref.ok:
        return report.Graded(**base, status="infrastructure-error", score=None,
                             notes=["the reference solution does not score full marks on this "
                                    "host, so no grade is recorded: " + ref.problem])
    opt = pipeline.Options(hidden=not public_only, reference=ref.assertions,
                           runner=box.run, seconds=ref.limits, jobs=1, stages=stages,
                           perf_reference=ref.perf)
    box.acquire()
    try:
        res = pipeline.check(ex, staged.folder, work / "box", opt)
    finally:
        box.release()
    notes = staged.notes + [f"missing file: {m} (graded as empty)" for m in staged.missing]
    status = "graded"
    if not res.built:
        status = "compile-error"
    elif res.audit_problems:
        status = "audit-violation"
        notes.append("flagged for a human: the audit refused this code")
    return report.Graded(**base, status=status, score=res.score, result=res, notes=notes)


def grade_submission(submission: Path, chosen: list[Exercise], box: Sandbox,
                     public_only: bool = False, jobs: int = 1,
                     deadline: float | None = None) -> tuple[list[report.Graded], list[str]]:
    """Grades every chosen exercise of one submission; never raises for bad input.

    deadline (a time.monotonic() value): an exercise not started by then is not
    graded, and says so, so that an outer time limit (Gradescope's) never cuts a
    run off before its report is written."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="memcraft-grade-") as tmp:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)   # the sandbox user must reach its own folders inside
        try:
            folder = unpack(submission, tmp_path / "submission")
        except SubmissionError as err:
            graded = [report.Graded(ex.folder, ex.title, float(ex.max_score), "refused", 0.0,
                                    notes=[str(err)]) for ex in chosen]
            return graded, [str(err)]
        notes += _unexpected(folder, chosen)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            graded = list(pool.map(
                lambda ex: _guarded(ex, folder, tmp_path / ex.folder, box, public_only,
                                    deadline), chosen))
    return graded, notes


def _unexpected(folder: Path, chosen: list[Exercise]) -> list[str]:
    """Files that belong to no exercise: reported, and never used (ours are)."""
    every = [*chosen, *select([])]
    known = {f for ex in every for f in ex.student_files} | {"MANIFEST.json"}
    extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and p.name not in known)
    if not extra:
        return []
    shown = ", ".join(extra[:10]) + (f" and {len(extra) - 10} more" if len(extra) > 10 else "")
    return [f"ignored, not part of any exercise (our own headers and tests are used): {shown}"]


def _guarded(ex: Exercise, folder: Path, work: Path, box: Sandbox, public_only: bool,
             deadline: float | None = None) -> report.Graded:
    """A grader fault in one exercise is reported as such, never as a student's zero."""
    if deadline is not None and time.monotonic() > deadline:
        return report.Graded(ex.folder, ex.title, float(ex.max_score), "infrastructure-error",
                             None, notes=["not graded: the grader's time budget ran out"])
    try:
        return grade_exercise(ex, folder, work, box, public_only)
    except Exception as err:  # noqa: BLE001 - the one place that must catch everything
        return report.Graded(ex.folder, ex.title, float(ex.max_score), "infrastructure-error",
                             None, notes=[f"internal error in the grader: {err!r}"])


def write_reports(graded, submission: str, protections, notes, args) -> str:
    text = report.terminal(graded, submission, protections, notes)
    data = report.to_json(graded, submission, protections, notes)
    if args.json:
        report.write_json(Path(args.json), data)
    if args.gradescope:
        report.write_json(Path(args.gradescope), report.gradescope(graded, text))
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
    parser.add_argument("--batch", metavar="DIR", help="grade every submission in DIR")
    parser.add_argument("--out", help="with --batch: where the gradebook and reports go "
                                      "(default: DIR-grades beside DIR)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel workers")
    parser.add_argument("--deadline", type=float, metavar="SECONDS",
                        help="start no exercise after this many seconds (Gradescope)")
    args = parser.parse_args(argv)
    try:
        chosen = select(args.exercise)
    except ExerciseError as err:
        print(f"grader: {err}", file=sys.stderr)
        return 2
    public_only = args.public_only or not any(ex.hidden_dir.exists() for ex in chosen)
    box = Sandbox(enabled=not args.no_sandbox)
    if args.batch:
        return batch.run_batch(Path(args.batch), Path(args.out) if args.out else None, chosen,
                               box, args.jobs, public_only)
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
