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

A class larger than one machine: --shard K/N grades every N-th student of the
sorted entries of DIR, starting at the K-th (0 <= K < N): shards differ by one
student at most, and every shard reading the same DIR agrees on who is whose. Each
writes its own OUT with a shard.json (its students); --merge puts
the shards' students/ folders together and rebuilds one gradebook, byte for byte
the one a single run would have written, after checking that every shard 0..N-1
is there once.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
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


def write_gradebook(out: Path, chosen: list[Exercise] | list[str]) -> Path:
    columns = [ex if isinstance(ex, str) else ex.folder for ex in chosen]
    rows = []
    for path in sorted((out / "students").glob("*/report.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        scores = {e["id"]: e["score"] for e in data.get("exercises", [])}
        status = "complete" if data.get("complete") else "incomplete"
        rows.append([path.parent.name, *("" if scores.get(c) is None else scores[c]
                                         for c in columns),
                     data.get("score", ""), data.get("max_score", ""), status])
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *columns, "total", "max", "status"])
    writer.writerows(rows)
    gradebook = out / "gradebook.csv"
    write_atomic(gradebook, buf.getvalue())
    return gradebook


def parse_shard(text: str) -> tuple[int, int]:
    """"K/N" -> (K, N), with 0 <= K < N; ValueError says what is wrong."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 0 <= int(match[1]) < int(match[2]):
        raise ValueError(f"--shard {text!r}: give K/N with 0 <= K < N (K counts from 0, as a "
                         f"Kubernetes completion index or a Slurm array task id from 0)")
    return int(match[1]), int(match[2])


def shard_share(entries: list[Path], shard: tuple[int, int]) -> list[Path]:
    """Shard K of N: the K-th, (K+N)-th, ... of the entries sorted by student name."""
    ordered = sorted(entries, key=lambda e: (student_name(e), e.name))
    return ordered[shard[0]::shard[1]]


def run_batch(directory: Path, out: Path | None, chosen: list[Exercise], box, jobs: int,
              public_only: bool, shard: tuple[int, int] | None = None) -> int:
    if not directory.is_dir():
        print(f"grader: {directory} is not a folder of submissions", file=sys.stderr)
        return 2
    out = out or directory.with_name(directory.name + "-grades")
    entries = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    if shard:
        entries = shard_share(entries, shard)
        write_atomic(out / "shard.json", json.dumps(
            {"shard": shard[0], "of": shard[1], "exercises": [ex.folder for ex in chosen],
             "students": [student_name(e) for e in entries]}, indent=1))
    start = time.monotonic()
    failed = 0
    part = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    print(f"grading {len(entries)} submission(s) from {directory}{part} with {jobs} worker(s)")
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


def merge(outs: list[Path], dest: Path) -> int:
    """Puts the shards' students/ folders into dest and rebuilds one gradebook."""
    problems, seen, owner = [], {}, {}
    columns = None
    for out in outs:
        try:
            info = json.loads((out / "shard.json").read_text())
        except (OSError, ValueError):
            problems.append(f"{out} has no shard.json: it is not the output of --shard")
            continue
        if columns is not None and info["exercises"] != columns:
            problems.append(f"{out} graded {info['exercises']}, another shard {columns}")
        columns = info["exercises"]
        seen.setdefault(info["of"], []).append(info["shard"])
        for name in info["students"]:
            if name in owner:
                problems.append(f"{name} is in both {owner[name]} and {out}")
            owner[name] = out
            if not (out / "students" / name / "report.json").exists():
                problems.append(f"{name} (in {out}) has no report: that shard did not finish")
    if len(seen) > 1:
        problems.append(f"shards of different splits: {sorted(seen)}")
    for n, got in seen.items():
        missing = sorted(set(range(n)) - set(got))
        twice = sorted({k for k in got if got.count(k) > 1})
        if missing:
            problems.append(f"shard(s) {missing} of {n} missing: their students would be absent")
        if twice:
            problems.append(f"shard(s) {twice} of {n} given twice")
    if problems:
        for p in problems:
            print(f"grader: --merge: {p}", file=sys.stderr)
        return 2
    for name, out in sorted(owner.items()):
        shutil.copytree(out / "students" / name, dest / "students" / name, dirs_exist_ok=True)
    gradebook = write_gradebook(dest, columns or [])
    print(f"merged {len(owner)} student(s) from {len(outs)} shard(s): {gradebook}")
    return 0
