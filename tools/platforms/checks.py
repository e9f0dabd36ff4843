"""The self-test's platform checks (make test): each platform's output, built as
`make prairielearn` and `make classroom` build it, run as the platform runs it on a
fake root, with exercise 01's reference solution and a wrong one.

    checks.run_all(rep)    rep.add(name, ok, detail, seconds), as tools/selftest.py's Report
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "grader"))
sys.path.insert(0, str(HERE))

import prairielearn  # noqa: E402
from mcgrader import exercises, hidden  # noqa: E402


def _wrong(ex, dest: Path) -> Path:
    """ex's reference solution with its first mutant applied (it fails hidden tests)."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in ex.student_files:
        shutil.copy(ex.solution_dir / f, dest / f)
    subprocess.run(["patch", "-s", "-d", str(dest), "-p1", "-i", str(sorted(ex.mutants())[0])],
                   check=True, capture_output=True)
    return dest


def check_prairielearn(rep) -> None:
    """The course folder's question 01 and the image's entry point, on a fake /grade."""
    start = time.monotonic()
    name = "prairielearn: the entry point grades a fake /grade into results.json, hiding hidden tests"
    ex = exercises.select(["01"])[0]
    problems = []
    subprocess.run([sys.executable, "tools/dist.py", "prairielearn"], cwd=REPO, check=True,
                   capture_output=True)
    course = REPO / "build" / "dist" / "prairielearn"
    question = course / "questions" / "memcraft" / ex.folder
    with tempfile.TemporaryDirectory(prefix="memcraft-prairielearn-") as tmp:
        for label, source, want in (("reference", ex.solution_dir, 1.0),
                                    ("mutant", _wrong(ex, Path(tmp) / "wrong"), None)):
            grade = Path(tmp) / label
            shutil.copytree(question / "tests", grade / "tests")
            shutil.copytree(course / "serverFilesCourse", grade / "serverFilesCourse")
            (grade / "student").mkdir(parents=True)
            for f in ex.student_files:
                shutil.copy(source / f, grade / "student" / f)
            done = subprocess.run([sys.executable, str(HERE / "prairielearn.py"), "grade"],
                                  env={**os.environ, "MEMCRAFT_GRADE_ROOT": str(grade)},
                                  capture_output=True, text=True, timeout=900)
            try:
                data = json.loads((grade / "results" / "results.json").read_text())
            except (OSError, ValueError) as err:
                problems.append(f"{label}: no results.json ({err}):\n{done.stderr[-1500:]}")
                continue
            score = data.get("score")
            if not data.get("gradable") or not isinstance(score, float) or not 0 <= score <= 1:
                problems.append(f"{label}: gradable {data.get('gradable')}, score {score!r}")
            elif want is not None and score != want:
                problems.append(f"{label}: score {score}, expected {want}")
            elif want is None and score >= 1:
                problems.append(f"{label}: the mutant scored {score}")
            for t in data.get("tests", []):
                if set(t) != {"name", "points", "max_points", "output"}:
                    problems.append(f"{label}: a test entry with keys {sorted(t)}")
            leaked = hidden.leaks(ex, prairielearn.strings(data) + [done.stdout])
            if leaked:
                problems.append(f"{label}: hidden tests in what the student sees: {leaked[:5]}")
    rep.add(name, not problems, "\n".join(problems), time.monotonic() - start)


def check_classroom(rep) -> None:
    """The template repository's workflow script, run as its one step runs it."""
    start = time.monotonic()
    name = "classroom: the workflow's script grades the template into the reporter's results"
    ex = exercises.select(["01"])[0]
    problems = []
    with tempfile.TemporaryDirectory(prefix="memcraft-classroom-") as tmp:
        subprocess.run([sys.executable, "tools/dist.py", "classroom", "01"], cwd=REPO,
                       check=True, capture_output=True)
        repo = Path(tmp) / "repo"
        shutil.copytree(REPO / "build" / "dist" / "classroom", repo, symlinks=True)
        Path(tmp).chmod(0o755)
        workflow = (repo / ".github" / "workflows" / "classroom.yml").read_text()
        step = re.search(r"run: (python3 \S+[^\n]*)", workflow)[1].split()
        runners = re.search(r"runners: (\S+)", workflow)[1].split(",")
        for label, source, full in (("stub", None, False),
                                    ("reference", ex.solution_dir, True)):
            if source:
                for f in ex.student_files:
                    shutil.copy(source / f, repo / "exercises" / ex.folder / f)
            outputs = Path(tmp) / f"{label}.out"
            done = subprocess.run([*step, "--no-deps"], cwd=repo, capture_output=True,
                                  text=True, timeout=900,
                                  env={**os.environ, "GITHUB_OUTPUT": str(outputs),
                                       "GITHUB_STEP_SUMMARY": str(Path(tmp) / "summary.md")})
            found = dict(line.split("=", 1) for line in outputs.read_text().splitlines()) \
                if outputs.exists() else {}
            if sorted(found) != sorted(runners):
                problems.append(f"{label}: outputs {sorted(found)}, workflow runners {runners}"
                                f"\n{done.stdout[-1000:]}{done.stderr[-1000:]}")
                continue
            result = json.loads(base64.b64decode(found[runners[0]]))
            points = sum(t["score"] for t in result["tests"])   # what the reporter adds up
            if full and (points != result["max_score"] or result["status"] != "pass"):
                problems.append(f"{label}: {points}/{result['max_score']}, {result['status']}")
            if not full and (points >= result["max_score"] or result["status"] != "fail"):
                problems.append(f"{label}: the stub earned {points}/{result['max_score']}")
            leaked = hidden.leaks(ex, [done.stdout, json.dumps(result)])
            if leaked:
                problems.append(f"{label}: hidden tests in the output: {leaked[:5]}")
    rep.add(name, not problems, "\n".join(problems), time.monotonic() - start)


def run_all(rep) -> None:
    check_prairielearn(rep)
    check_classroom(rep)
