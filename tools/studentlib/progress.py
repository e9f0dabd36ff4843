"""Progress kept between runs, and the table `make check` prints.

build/progress.json holds, per exercise, the best result so far (public tests passed,
and whether the sanitizers were clean too), when it was reached, when the exercise
last passed, and the latest result with a digest of the student's files (so that
`make watch` knows which exercise is current without checking them all again).
`make check`, `make check EX=..` and `make watch` write it; `make clean` deletes it
with the rest of build/.

The hidden-test count: the grader adds hidden tests to every exercise, and a green
table must not read as full marks. In the course repository the count comes from
grader/hidden/; the student handout has no such folder, so it ships the count as
`hidden_tests = N` in each exercise.toml, which the self-test checks against
grader/hidden/ (tools/authoring/generated.py writes it).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from contextlib import contextmanager

from .common import BUILD, dim, green, red
from mcgrader import calibrate
from mcgrader.exercises import Exercise

STATE = BUILD / "progress.json"


def hidden_count(ex: Exercise) -> int | None:
    """How many hidden tests the grader adds: counted where they are, else as shipped."""
    if ex.hidden_dir.is_dir():
        return len(calibrate.hidden_test_ids(ex))
    return ex.hidden_count


def digest(ex: Exercise) -> str:
    """The student's files of ex, as one digest (missing files count as empty)."""
    h = hashlib.sha256()
    for name in ex.student_files:
        path = ex.dir / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return h.hexdigest()[:20]


def load() -> dict:
    try:
        data = json.loads(STATE.read_text())
        return data if isinstance(data.get("exercises"), dict) else {"exercises": {}}
    except (OSError, ValueError, AttributeError):
        return {"exercises": {}}


@contextmanager
def _locked():
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".progress.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def record(results: list[tuple[Exercise, int, int, bool, str]], now: float | None = None) -> None:
    """Adds results: (exercise, public tests passed, total, everything passed, digest)."""
    now = time.time() if now is None else now
    with _locked():
        data = load()
        for ex, passed, total, ok, files in results:
            entry = data["exercises"].setdefault(ex.folder, {})
            best = entry.get("best")
            if best is None or (ok, passed) > (best.get("ok", False), best.get("passed", 0)):
                entry["best"] = {"passed": passed, "total": total, "ok": ok, "at": now}
            if ok:
                entry["last_passed"] = now
            entry["last"] = {"passed": passed, "total": total, "ok": ok, "at": now,
                             "digest": files}
        tmp = STATE.with_name(f".progress.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        tmp.replace(STATE)


def known_passing(ex: Exercise, data: dict | None = None) -> bool:
    """Whether ex passed at its last check and its files have not changed since."""
    last = (data or load())["exercises"].get(ex.folder, {}).get("last") or {}
    return bool(last.get("ok")) and last.get("digest") == digest(ex)


def ago(then: float | None, now: float | None = None) -> str:
    if not then:
        return "never"
    seconds = max(0, (time.time() if now is None else now) - then)
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if unit == 'day' and n > 1 else ''} ago"
    return "just now"


# ---- the table ------------------------------------------------------------------

HEADER = ("exercise", "tests", "best", "sanitizers", "valgrind", "hidden", "status",
          "last passed")


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Aligned lines; the status cell (column 6) in green or red."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    out = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) for c, w in zip(row, widths)]
        if n:
            cells[6] = green(cells[6]) if row[6] == "passed" else red(cells[6])
        out.append("  ".join(cells).rstrip())
    return out


def row(ex: Exercise, tests: str, sanitizers: str, valgrind: str, status: str,
        data: dict) -> tuple[str, ...]:
    entry = data["exercises"].get(ex.folder, {})
    best = entry.get("best")
    best_cell = f"{best['passed']}/{best['total']}" if best else "-"
    count = hidden_count(ex)
    return (f"{ex.number} {ex.name}", tests, best_cell, sanitizers, valgrind,
            "?" if count is None else f"+{count}", status, ago(entry.get("last_passed")))


def footer(rows: int, passed: int, tests_done: int, tests_total: int,
           hidden_total: int) -> list[str]:
    bar = "#" * round(30 * passed / rows) if rows else ""
    return [
        "",
        f"[{bar.ljust(30, '-')}] {passed}/{rows} exercises passed, "
        f"{tests_done}/{tests_total} public tests",
        dim(f"best: your best result so far; hidden: the tests the grader adds "
            f"({hidden_total} in all), so a green table is not full marks."),
        dim("Valgrind and clang-tidy also count when your work is graded (make memcheck, "
            "make lint; make grade shows the score); the Valgrind, sanitizer and lint points "
            "are scaled by the share of test points you earn."),
    ]


def next_line(ex: Exercise | None, readme: str) -> str:
    if ex is None:
        return green("Every exercise passes. Run `make grade` (Valgrind and lint too) before "
                     "you submit (`make submit`).")
    return (f"Next: {ex.number} {ex.name}: read {readme}, then run `make watch EX={ex.handle}` "
            f"(or `make check EX={ex.handle}`)")
