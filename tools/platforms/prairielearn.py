#!/usr/bin/env python3
"""PrairieLearn: the course folder, and the external grader's entry point.

    python3 tools/platforms/prairielearn.py course OUT [--image NAME]   (make prairielearn)
    tools/platforms/prairielearn.py grade                             (in the grader image)

`course` writes a PrairieLearn course: infoCourse.json, one question per exercise in
questions/memcraft/NN-name/ (info.json with gradingMethod External, question.html
with a file editor per student file, clientFilesQuestion/ with the contract, the
headers, the stubs and the public tests, and tests/memcraft.json naming the
exercise) and serverFilesCourse/memcraft/memcraft.json (course-wide settings).
Question UUIDs are derived from the exercise's folder name, so a rebuilt course keeps
them, and PrairieLearn keeps the students' submissions attached.

`grade` is what PrairieLearn runs in the container for each submission. It reads
    /grade/student/                          the files the student submitted
    /grade/tests/memcraft.json               {"exercise": "03-vector"}
    /grade/serverFilesCourse/memcraft/memcraft.json   {"repository": ..., "budget_seconds": ...}
and writes /grade/results/results.json in PrairieLearn's format: gradable, score in
[0, 1], message, output, and tests with name, points, max_points and output. Every
string in it, and everything printed, is built from the student view of the report
(report.gradescope without its after-the-due-date entries, report.terminal with
student=True): hidden tests appear as a count, never by name or message.
A compile error, a missing file or a broken upload is "gradable": false (the attempt
is not counted, as PrairieLearn's own C grader does); so is a grader failure, whose
message says it is not the student's grade. MEMCRAFT_GRADE_ROOT moves /grade (tests).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
IMAGE = "memcraft-grader"
IMAGE_REPO = "/opt/memcraft"            # where the Containerfile puts the course repository
ENTRY = f"{IMAGE_REPO}/tools/platforms/prairielearn.py grade"
TIMEOUT = 300                           # PrairieLearn's limit per job (it allows up to 600)
NAMESPACE = uuid.UUID("6f1c6c1e-6d65-4d63-7261-667470726c00")   # memcraft's, fixed forever
UNFIT = ("compile-error", "missing", "refused")   # the student's input could not be graded
GRADESCOPE_LATER = "are shown after the due date"   # report.gradescope's words
NEVER = "are not shown here"
NOT_YOUR_GRADE = ("The grader could not finish grading this submission. This is not your "
                  "grade and costs you no attempt: submit again, or tell your instructor.")


# ---- the course folder ---------------------------------------------------------

def course(out: Path, image: str = IMAGE) -> Path:
    sys.path.insert(0, str(REPO / "grader"))
    from mcgrader import exercises   # noqa: E402 - the grader of this repository

    if out.exists():
        shutil.rmtree(out)
    _json(out / "infoCourse.json", {
        "uuid": str(uuid.uuid5(NAMESPACE, "course")), "name": "memcraft",
        "title": "memcraft: memory management in C", "assessmentSets": [],
        "topics": [{"name": "Memory management in C", "color": "blue3",
                    "description": "The memcraft workbook's exercises."}],
        "tags": [{"name": "memcraft", "color": "gray1",
                  "description": "Graded by the memcraft grader image"}]})
    _json(out / "serverFilesCourse" / "memcraft" / "memcraft.json",
          {"repository": IMAGE_REPO, "budget_seconds": TIMEOUT - 30})
    for ex in exercises.load_all():
        q = out / "questions" / "memcraft" / ex.folder
        files = q / "clientFilesQuestion"
        files.mkdir(parents=True)
        for name in ("README.md", *ex.headers, *ex.student_files):
            shutil.copy(ex.dir / name, files / name)
        for test in [*ex.public_tests(), *ex.test_helpers()]:
            shutil.copy(test, files / test.name)
        _json(q / "tests" / "memcraft.json", {"exercise": ex.folder})
        _json(q / "info.json", {
            "uuid": str(uuid.uuid5(NAMESPACE, ex.folder)),
            "title": f"{ex.number} {ex.title}", "topic": "Memory management in C",
            "tags": ["memcraft"], "type": "v3", "singleVariant": True,
            "gradingMethod": "External",
            "externalGradingOptions": {"enabled": True, "image": image, "entrypoint": ENTRY,
                                       "serverFilesCourse": ["memcraft/"],
                                       "timeout": TIMEOUT, "enableNetworking": False}})
        (q / "question.html").write_text(_question_html(ex))
    print(f"wrote {out}: {len(exercises.load_all())} questions; image {image!r}, entry point "
          f"{ENTRY!r}")
    return out


def _question_html(ex) -> str:
    url = "{{options.client_files_question_url}}"
    links = ", ".join(f'<a href="{url}/{name}" download>{name}</a>'
                      for name in ("README.md", *ex.headers,
                                   *(t.name for t in [*ex.public_tests(), *ex.test_helpers()])))
    headers = "\n".join(f'  <pl-code language="c" source-file-name="{h}" '
                        f'directory="clientFilesQuestion"></pl-code>' for h in ex.headers)
    editors = "\n".join(f'  <pl-file-editor file-name="{f}" ace-mode="ace/mode/c_cpp" '
                        f'source-file-name="{f}" directory="clientFilesQuestion" '
                        f'min-lines="30"></pl-file-editor>' for f in ex.student_files)
    title = html.escape(f"{ex.number} {ex.title}")
    files = ", ".join(ex.student_files)
    task = f"Find and fix the bugs in {files}" if ex.kind == "bug-hunt" else f"Write {files}"
    return f"""<pl-question-panel>
  <p><strong>{title}.</strong> The contract of every function is in the
  exercise's README; the header below is fixed. {task}
  here and submit: the grader builds it with <code>-Wall -Wextra -Wpedantic -Werror</code>,
  runs the public tests and hidden tests, Valgrind, AddressSanitizer with UBSan, and
  clang-tidy, and shows what each category earned.</p>
  <p>Files: {links}.</p>
{headers}
</pl-question-panel>

<pl-question-panel>
{editors}
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def _json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


# ---- the entry point -----------------------------------------------------------

def results(report, graded, name: str, protections: list[str], notes: list[str]) -> dict:
    """PrairieLearn's results.json for one grading, from the student view only."""
    view = report.gradescope(graded, name, protections, notes)
    tests = [{"name": t["name"], "points": round(float(t["score"]), 2),
              "max_points": float(t["max_score"]),
              "output": str(t.get("output", "")).replace(GRADESCOPE_LATER, NEVER)}
             for t in view["tests"] if t.get("visibility", "visible") == "visible"]
    most = sum(g.max_score for g in graded)
    score = min(1.0, max(0.0, round(float(view["score"]) / most, 4))) if most else 0.0
    out = {"gradable": True, "score": score,
           "message": f"{view['score']:g} / {most:g} points", "output": view["output"],
           "tests": tests}
    broken = [g for g in graded if g.status == "infrastructure-error"]
    unfit = [g for g in graded if g.status in UNFIT]
    if broken:
        out.update(gradable=False, score=0.0, message=NOT_YOUR_GRADE,
                   format_errors=[NOT_YOUR_GRADE])
    elif unfit:
        errors = []
        for g in unfit:
            errors += [f"{g.id}: {g.status}"] + [report.tidy(n) for n in g.notes]
            errors += g.build_errors(student=True).splitlines()[:40]
        out.update(gradable=False, score=0.0, format_errors=errors,
                   message="Not graded, and no attempt used: " + "; ".join(
                       f"{g.id}: {g.status}" for g in unfit))
    return out


def strings(data) -> list[str]:
    """Every string in a JSON value (all of results.json reaches the student)."""
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in [str(k), *strings(v)]]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return [str(data)]


def _settings(root: Path) -> dict:
    path = root / "serverFilesCourse" / "memcraft" / "memcraft.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    repo = Path(data.get("repository") or REPO)
    if not (repo / "grader" / "mcgrader").is_dir():
        repo = REPO   # the image's own copy, when the named one is not here
    return {"repository": repo, "budget_seconds": float(data.get("budget_seconds", TIMEOUT - 30))}


def _write(path: Path, data: dict) -> None:
    tmp = path.with_name(".results.json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


def grade(root: Path) -> int:
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    # A valid answer from the first moment: a crash or a kill below still tells the
    # student something true, and costs them no attempt.
    _write(out, {"gradable": False, "score": 0.0, "message": NOT_YOUR_GRADE,
                 "format_errors": [NOT_YOUR_GRADE], "tests": []})
    settings = _settings(root)
    try:
        exercise = json.loads((root / "tests" / "memcraft.json").read_text())["exercise"]
    except (OSError, ValueError, KeyError) as err:
        print(f"memcraft: the question's tests/memcraft.json is missing or wrong ({err!r}): "
              f"rebuild the course with `make prairielearn`", file=sys.stderr)
        return 0
    sys.path.insert(0, str(HERE))
    import uids   # noqa: E402 - the image's slot uids, before the sandbox reads them
    uids.choose()
    sys.path.insert(0, str(settings["repository"] / "grader"))
    from mcgrader import report   # noqa: E402 - the course repository's grader
    from mcgrader.exercises import select
    from mcgrader.grading import grade_submission
    from mcgrader.sandbox import Sandbox

    chosen = select([exercise])
    box = Sandbox()
    box.protect({ex.root for ex in chosen})
    start = time.monotonic()
    done: dict = {}

    def work() -> None:
        done["graded"], done["notes"] = grade_submission(root / "student", chosen, box)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(settings["budget_seconds"])
    if "graded" not in done:
        print("memcraft: grading did not finish within budget_seconds "
              f"({settings['budget_seconds']:g}); this submission was not graded")
        os._exit(0)   # results.json already says so; the daemon thread dies with us
    notes = done["notes"] + [f"graded in {time.monotonic() - start:.1f}s"]
    data = results(report, done["graded"], "submission", box.protections(), notes)
    _write(out, data)
    # PrairieLearn may show the job's output to the student: print the student view only.
    print(report.terminal(done["graded"], "submission", box.protections(), notes,
                          student=True))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("course", help="write the course folder")
    make.add_argument("out", nargs="?", default=str(REPO / "build" / "dist" / "prairielearn"))
    make.add_argument("--image", default=os.environ.get("MEMCRAFT_IMAGE", IMAGE),
                      help="the grader image as PrairieLearn pulls it (default: %(default)s)")
    sub.add_parser("grade", help="grade /grade/student (the container's entry point)")
    args = parser.parse_args(argv)
    if args.command == "course":
        course(Path(args.out), args.image)
        return 0
    return grade(Path(os.environ.get("MEMCRAFT_GRADE_ROOT", "/grade")))


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main(sys.argv[1:]))
