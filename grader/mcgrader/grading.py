"""Grading one submission: stage each exercise's files, calibrate against the
reference, run the pipeline in the sandbox, and never raise for bad input.

Below both cli.py (one submission) and batch.py (a class): neither imports the other.
"""
from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import calibrate, fetch, pipeline, report
from .exercises import Exercise, select
from .sandbox import Sandbox
from .unpack import SubmissionError, unpack


def grade_exercise(ex: Exercise, folder: Path, work: Path, box: Sandbox, public_only: bool,
                   stages: tuple[str, ...] = pipeline.STAGES,
                   memcheck: str = "one-process", audit: bool = True) -> report.Graded:
    """Stages ex's files from folder and runs the pipeline on them (every stage unless
    stages names fewer: the self-test checks a mutant only where it must be caught;
    audit=False only to prove the layers behind the audit)."""
    base = dict(id=ex.folder, title=ex.title, max_score=float(ex.max_score))
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
                           memcheck=memcheck, perf_reference=ref.perf, audit=audit)
    box.acquire()
    try:
        box.claim(work)   # readable by this slot alone while it grades
        res = pipeline.check(ex, staged.folder, work / "box", opt)
    finally:
        box.release()
    notes = staged.notes + [f"missing file: {m} (graded as empty)" for m in staged.missing] \
        + res.notes
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
        tmp_path.chmod(0o711)   # a slot's user may pass through to its own folder, not list
        try:
            folder = unpack(submission, tmp_path / "submission")
            if folder.is_relative_to(tmp_path):
                folder.chmod(0o700)   # the whole unpacked submission: root's alone
        except SubmissionError as err:
            graded = [report.Graded(ex.folder, ex.title, float(ex.max_score), "refused", 0.0,
                                    notes=[str(err)]) for ex in chosen]
            return graded, [str(err)]
        notes += _unexpected(folder, chosen)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            started = {ex.folder: pool.submit(_guarded, ex, folder, tmp_path / ex.folder, box,
                                              public_only, deadline)
                       for ex in sorted(chosen, key=_cost, reverse=True)}
            graded = [started[ex.folder].result() for ex in chosen]
    return graded, notes


def _cost(ex: Exercise) -> int:
    """A rough weight, so the longest exercises start first and none is left to run
    alone at the end: its number of tests, more for a performance stage."""
    tests = sum(path.read_text(errors="replace").count("Test(")
                for path in [*ex.public_tests(), *ex.hidden_tests()])
    return tests + (100 if "performance" in ex.rubric else 0)


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
