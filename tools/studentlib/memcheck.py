"""Valgrind over one exercise's public tests, in one process (testkit/mc_harness.c).

Used by `make memcheck` and the `v` key of `make watch`; the result is saved in
build/NN-name/memcheck.json for the valgrind column of `make check`."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .common import work_dir
from mcgrader import build, memory, run as run_stage
from mcgrader.exercises import Exercise


@dataclass
class Memcheck:
    compile_error: str = ""
    failed_file: str = ""
    tests: int = 0
    findings: list = field(default_factory=list)   # those that count
    skipped: list = field(default_factory=list)    # leaks of failed tests
    seconds: float = 0.0


def memcheck(ex: Exercise) -> Memcheck:
    start = time.monotonic()
    work = work_dir(ex)
    made = build.build(ex, ex.dir, work, "plain", ex.public_tests())
    if not made.ok:
        return Memcheck(made.errors, made.failed_file)
    expected = run_stage.list_tests(made.binary)
    tests, found = memory.valgrind(made.binary, work, list(ex.student_files), expected,
                                   ex.run_seconds + 4 * len(expected) + 30,
                                   harness=build.harness(ex, made, work))
    found, skipped = memory.counted(found, tests)
    (work / "memcheck.json").write_text(json.dumps(
        {"time": time.time(), "errors": len(found), "findings": [f.line() for f in found]}))
    return Memcheck(tests=len(expected), findings=found, skipped=skipped,
                    seconds=time.monotonic() - start)


def column(ex: Exercise) -> str:
    """The valgrind cell of the `make check` table."""
    saved = work_dir(ex) / "memcheck.json"
    try:
        data = json.loads(saved.read_text())
    except (OSError, ValueError):
        return "not run"
    files = [ex.dir / f for f in ex.student_files if (ex.dir / f).exists()]
    newest = max((f.stat().st_mtime for f in files), default=0)
    state = "clean" if data.get("errors") == 0 else f"{data.get('errors')} error(s)"
    return state + (" (before your last edit)" if newest > data.get("time", 0) else "")
