"""make grade [EX=03]: the course's grader over the student's own working tree.

The same grader the instructor runs (grader/mcgrader: build, audit, tests,
Valgrind, sanitizers, lint, score), on a copy of the student's files, with the
public tests only, and the report in the student view. It tells what those parts
would earn; the hidden tests, which share the test points, are counted but not run.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .common import dim
from .progress import hidden_count
from mcgrader import pipeline, report
from mcgrader.exercises import Exercise
from mcgrader.grading import grade_submission
from mcgrader.sandbox import Sandbox


def copy_work(chosen: list[Exercise], dest: Path) -> None:
    """The student files of chosen, as `make submit` would pack them."""
    for ex in chosen:
        for name in ex.student_files:
            if (ex.dir / name).is_file():
                (dest / ex.folder).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ex.dir / name, dest / ex.folder / name)


def hidden_note(chosen: list[Exercise]) -> str:
    counts = [(ex, hidden_count(ex)) for ex in chosen]
    total = sum(n or 0 for _, n in counts)
    if not total:
        return ""
    return (f"Not run here: {total} hidden tests, which share each exercise's test points "
            f"with the public ones when your work is graded (a failing one costs its share).")


def main(chosen: list[Exercise]) -> int:
    print(dim(f"grading {len(chosen)} exercise(s) of your working tree with the public tests, "
              f"Valgrind, the sanitizers and clang-tidy (a minute or more) ..."), flush=True)
    box = Sandbox()
    box.protect({ex.root for ex in chosen})
    with tempfile.TemporaryDirectory(prefix="memcraft-mygrade-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        copy_work(chosen, work)
        graded, notes = grade_submission(work, chosen, box, public_only=True,
                                         jobs=pipeline.cpu_count())
    notes.append("public tests only: this is what the public tests, Valgrind, the sanitizers "
                 "and clang-tidy would earn")
    print(report.terminal(graded, "your working tree", box.protections(), notes,
                          student=True))
    note = hidden_note(chosen)
    if note:
        print(note)
    return 1 if any(g.status == "infrastructure-error" for g in graded) else 0
