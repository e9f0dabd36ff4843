"""grader/grade --batch: a whole class, with a CSV gradebook.

Every entry of DIR (a folder or an archive) is one student, named by the entry.
Results go to OUT/students/<student>/ (report.txt, report.json, results.json,
junit.xml) and OUT/gradebook.csv (a row per student, a column per exercise,
the total). Guarantees:
  - every file is written atomically (a temporary file, then rename);
  - a student whose report.json is complete for the same submission content is
    skipped, so an interrupted batch resumes where it stopped;
  - a broken or hostile submission ends in its own row's verdict, never stops
    the batch or touches another row;
  - a run that could not grade an exercise (infrastructure) never replaces a
    complete earlier result: it is kept beside it as report.failed.json.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import report
from .exercises import Exercise
from .grading import grade_submission

ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip", ".tar.xz", ".tar.bz2")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def student_name(entry: Path) -> str:
    name = entry.name
    for ext in ARCHIVES:
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    return re.sub(r"[^A-Za-z0-9._@-]", "_", name) or "unnamed"


def fingerprint(entry: Path) -> str:
    """A hash of the submission's content, to know whether it changed since."""
    digest = hashlib.sha256()
    paths = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*")
                                                   if p.is_file() and not p.is_symlink())
    for path in paths:
        digest.update(str(path.relative_to(entry.parent)).encode() + b"\0")
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _complete(folder: Path, print_: str) -> dict | None:
    try:
        data = json.loads((folder / "report.json").read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("fingerprint") == print_ and data.get("complete") else None


def grade_student(entry: Path, out: Path, chosen: list[Exercise], box,
                  public_only: bool) -> tuple[str, str]:
    name = student_name(entry)
    folder = out / "students" / name
    print_ = fingerprint(entry)
    if _complete(folder, print_):
        return name, "already graded (resumed)"
    graded, notes = grade_submission(entry, chosen, box, public_only)
    text = report.terminal(graded, entry.name, box.protections(), notes)
    data = report.to_json(graded, entry.name, box.protections(), notes)
    data["fingerprint"] = print_
    data["complete"] = not any(g.status == "infrastructure-error" for g in graded)
    if not data["complete"] and (folder / "report.json").exists():
        write_atomic(folder / "report.failed.json", json.dumps(data, indent=1))
        return name, "infrastructure error; the earlier complete result is kept"
    write_atomic(folder / "report.txt", text + "\n")
    write_atomic(folder / "results.json", json.dumps(
        report.gradescope(graded, entry.name, box.protections(), notes), indent=1))
    write_atomic(folder / "junit.xml", report.junit(graded))
    write_atomic(folder / "report.json", json.dumps(data, indent=1))
    verdict = f"{data['score']:g}/{data['max_score']:g}"
    return name, verdict if data["complete"] else verdict + " (infrastructure error: regrade)"


def write_gradebook(out: Path, chosen: list[Exercise]) -> Path:
    rows = []
    for path in sorted((out / "students").glob("*/report.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        scores = {e["id"]: e["score"] for e in data.get("exercises", [])}
        status = "complete" if data.get("complete") else "incomplete"
        rows.append([path.parent.name, *("" if scores.get(ex.folder) is None
                                         else scores[ex.folder] for ex in chosen),
                     data.get("score", ""), data.get("max_score", ""), status])
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *(ex.folder for ex in chosen), "total", "max", "status"])
    writer.writerows(rows)
    gradebook = out / "gradebook.csv"
    write_atomic(gradebook, buf.getvalue())
    return gradebook


def run_batch(directory: Path, out: Path | None, chosen: list[Exercise], box, jobs: int,
              public_only: bool) -> int:
    if not directory.is_dir():
        print(f"grader: {directory} is not a folder of submissions", file=sys.stderr)
        return 2
    out = out or directory.with_name(directory.name + "-grades")
    entries = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    start = time.monotonic()
    failed = 0
    print(f"grading {len(entries)} submission(s) from {directory} with {jobs} worker(s)")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_student, e, out, chosen, box, public_only)
                   for e in entries]
        for future in as_completed(futures):
            try:
                name, verdict = future.result()
            except Exception as err:  # noqa: BLE001 - one student never stops the batch
                name, verdict = "?", f"internal error: {err!r}"
            failed += "infrastructure" in verdict or "internal" in verdict
            print(f"  {name}: {verdict}", flush=True)
            write_gradebook(out, chosen)
    gradebook = write_gradebook(out, chosen)
    print(f"gradebook: {gradebook} ({time.monotonic() - start:.1f}s)")
    return 1 if failed else 0
