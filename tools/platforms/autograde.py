#!/usr/bin/env python3
"""GitHub Classroom: the one script of the autograding workflow (.github/classroom/).

    python3 .github/classroom/autograde.py [--exercise ID ...] [--no-deps]

On every push, in the student's repository (the handout): installs what is missing
(apt-get through sudo on GitHub's runners), grades the student's own files with the
handout's grader (public tests, Valgrind, AddressSanitizer + UBSan, clang-tidy: the
repository has no hidden tests), prints the report, and writes one result per
exercise to $GITHUB_OUTPUT in the format of GitHub Classroom's runners
(classroom-resources/autograding-command-grader: base64 of {"version": 1, "status",
"max_score", "tests": [{"name", "status", "score", "message", "test_code",
"filename", "line_no", "duration"}]}), which the workflow's last step,
classroom-resources/autograding-grading-reporter, adds up into the "Points N/M"
that GitHub Classroom records. Each category of an exercise is one test, with the
points it earned (the reporter adds the tests' scores). Exits 0 when grading ran.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import report  # noqa: E402
from mcgrader.exercises import select  # noqa: E402

MESSAGE_CHARS = 3000


def runner_id(folder: str) -> str:
    """A runner name the reporter accepts: letters and digits (08-hunt-lru-cache ->
    ex08huntlrucache); its results come from the step output of the same name."""
    return "ex" + "".join(c for c in folder.lower() if c.isalnum())


def runner_results(g: report.Graded, seconds: float = 0.0) -> dict:
    """One exercise as a Classroom runner result, from the student view."""
    tests = []
    if g.result is None or g.score is None:
        status = "error" if g.status == "infrastructure-error" else "fail"
        tests.append(_test(f"{g.id}: {g.status}", status, 0.0, "\n".join(g.notes), seconds))
    else:
        errors = g.build_errors(student=True)
        for c in g.result.categories.values():
            text = "\n".join(c.student_reasons) or "all good"
            if errors and c.name == "tests":
                text = f"{text}\n{errors}"
            tests.append(_test(f"{g.id}: {c.name}", "pass" if c.score >= c.max_score else
                               "fail", c.score, text, seconds / 4))
    status = "error" if g.status == "infrastructure-error" else \
        "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 1, "status": status, "max_score": g.max_score, "tests": tests}


def _test(name: str, status: str, score: float, message: str, seconds: float) -> dict:
    return {"name": name, "status": status, "score": round(score, 2),
            "message": report.tidy(message)[:MESSAGE_CHARS], "test_code": "",
            "filename": "", "line_no": 0, "duration": int(seconds * 1000)}


def encode(result: dict) -> str:
    return base64.b64encode(json.dumps(result).encode()).decode()


def _deps() -> None:
    """What the grader needs, from apt; GitHub's runners give passwordless sudo."""
    cmd = ["sh", str(ROOT / "tools" / "deps.sh"), "student"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        cmd = ["sudo", "-n", *cmd]
    subprocess.run(cmd, check=False)


def _submission(chosen, dest: Path) -> Path:
    """The student's files, laid out as `make submit` lays them out."""
    for ex in chosen:
        for name in ex.student_files:
            if (ex.dir / name).is_file():
                (dest / ex.folder).mkdir(parents=True, exist_ok=True)
                shutil.copy(ex.dir / name, dest / ex.folder / name)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", action="append", default=[])
    parser.add_argument("--no-deps", action="store_true", help="install nothing")
    args = parser.parse_args(argv)
    if not args.no_deps:
        _deps()
    from mcgrader.grading import grade_submission
    from mcgrader.sandbox import Sandbox
    chosen = select(args.exercise)
    box = Sandbox()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="memcraft-classroom-") as tmp:
        graded, notes = grade_submission(_submission(chosen, Path(tmp) / "submission"), chosen,
                                         box, public_only=True, jobs=os.cpu_count() or 1)
    seconds = time.monotonic() - start
    notes += ["public tests only: the hidden tests count when your instructor grades",
              f"graded in {seconds:.1f}s"]
    print(report.terminal(graded, "your repository", box.protections(), notes, student=True))
    lines = [f"{runner_id(g.id)}={encode(runner_results(g, seconds / len(graded)))}"
             for g in graded]
    total = sum(g.score or 0 for g in graded)
    most = sum(g.max_score for g in graded)
    summary = ["| exercise | points | status |", "|---|---|---|"] + [
        f"| {g.id} | {'-' if g.score is None else f'{g.score:g}'} / {g.max_score:g} | "
        f"{g.status} |" for g in graded] + [f"| total | {total:g} / {most:g} | |"]
    for var, text in (("GITHUB_OUTPUT", lines), ("GITHUB_STEP_SUMMARY", summary)):
        if os.environ.get(var):
            with open(os.environ[var], "a") as f:
                f.write("\n".join(text) + "\n")
    print(f"points (public tests, Valgrind, sanitizers, lint): {total:g} / {most:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
