#!/usr/bin/env python3
"""make verify EX=03: the self-test for one exercise, with a summary an author can act on.

Runs what `make test EX=03` runs for the exercise (tools/selftest.py: its handle,
the layout and contract clauses, the generated files, the reference
solution, the stub, every mutant, every alternative), then sums the checks up by
kind, and lists each failure with its first lines and what to do about it.
Exits 0 only when every check passed.
"""
from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(TOOLS.parent / "grader"))

import selftest  # noqa: E402
from mcgrader import exercises  # noqa: E402

# Kinds of check, by how their names start, and what to do when one fails.
KINDS = (
    ("its handle", "its handle (EX=...)", "give the exercise a unique `short` in exercise.toml"),
    ("layout", "layout, metadata and contract clauses",
     "add what is missing; `make generated` rewrites hidden_tests and .stub/"),
    ("reference solution", "reference solution: full marks, clean",
     "fix the solution, or the test that rejects it"),
    ("stub", "stub: compiles and fails cleanly",
     "make the stub return a neutral value; assert on NULL before a dereference"),
    ("the buggy program", "buggy program: caught, 0 when untouched",
     "see CONTRIBUTING.md, bug hunts"),
    ("mutant", "mutants: each caught in its category",
     "add or tag a test for the mutant's clause, or fix its header lines"),
    ("alternative", "alternatives: full marks", "a correct design is rejected: loosen the test"),
)


def kind_of(name: str) -> int:
    """Which of KINDS a check is, from its name ("03-vector: mutant x is caught by tests")."""
    what = name.split(": ", 1)[-1]
    for n, (start, _, _) in enumerate(KINDS):
        if what.startswith(start):
            return n
    return len(KINDS) - 1


def summary(outcomes: list[selftest.Outcome], seconds: float) -> list[str]:
    lines = []
    for n, (_, title, _) in enumerate(KINDS):
        mine = [o for o in outcomes if kind_of(o.name) == n]
        if mine:
            bad = sum(not o.ok for o in mine)
            mark = "ok  " if not bad else "FAIL"
            lines.append(f"{mark} {title}: {len(mine) - bad}/{len(mine)} passed")
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        lines += ["", f"FAILED: {o.name}"]
        lines += [f"    {ln}" for ln in o.detail.strip().splitlines()[:12]]
        lines.append(f"    what to do: {KINDS[kind_of(o.name)][2]}")
    verdict = "verified" if not failed else f"{len(failed)} check(s) failed"
    lines += ["", f"{verdict}: {len(outcomes) - len(failed)}/{len(outcomes)} checks passed "
                  f"in {seconds:.0f}s"]
    return lines


def check_handle(ex: exercises.Exercise, rep: selftest.Report) -> None:
    """EX=<its handle> names this exercise and no other (the self-test checks them all)."""
    named = [o.folder for o in exercises.load_all() if o.matches(ex.handle)]
    rep.add(f"{ex.folder}: its handle EX={ex.handle} names it alone", named == [ex.folder],
            f"EX={ex.handle} names {', '.join(named)}")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0]:
        print("Say which exercise: make verify EX=03")
        return 2
    try:
        chosen = exercises.select(argv)
    except exercises.ExerciseError as err:
        print(f"verify: {err}")
        return 2
    names = ", ".join(ex.folder for ex in chosen)
    print(f"verifying {names} (the self-test's checks for it; minutes, not seconds) ...",
          flush=True)
    start = time.monotonic()
    rep = selftest.Report()
    quiet = io.StringIO()
    selftest.BOX.protect({ex.root for ex in chosen})
    with contextlib.redirect_stdout(quiet):   # the summary below replaces the running list
        for ex in chosen:
            check_handle(ex, rep)
            selftest.check_exercise(ex, rep)
    print("\n".join(summary(rep.outcomes, time.monotonic() - start)))
    return 0 if all(o.ok for o in rep.outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
