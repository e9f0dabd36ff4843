"""The reference solution, run on the grading host under the grader's own settings.

Before a student's exercise is graded, the reference solution is graded the
same way (cached per content in build/grader-cache/). It provides:
  - whether the host can grade at all: when the reference does not score full
    marks, the exercise is an infrastructure error and no grade is recorded;
  - the number of assertions each test makes (a passing test that made fewer
    was cut short);
  - time limits: a multiple of the reference's measured time, with a floor,
    so a slow or shared machine does not fail correct students.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import fetch, pipeline
from .build import TESTKIT
from .exercises import ROOT, Exercise

CACHE = ROOT / "build" / "grader-cache"
FLOORS = {"tests": 20.0, "sanitizers": 40.0, "valgrind": 120.0, "performance": 300.0}
FACTORS = {"tests": 10.0, "sanitizers": 10.0, "valgrind": 4.0}
TEST_RE = re.compile(r"\b(?:Test|ParameterizedTest)\s*\(\s*(\w+)\s*,\s*(\w+)")
_lock = threading.Lock()
_memo: dict[str, "Reference"] = {}


@dataclass
class Reference:
    ok: bool
    problem: str = ""
    assertions: dict[str, int] | None = None
    limits: dict[str, float] | None = None
    summary: str = ""
    perf: dict | None = None      # performance figures (util, speed), for perf.py's bands


def hidden_test_ids(ex: Exercise) -> set[str]:
    ids = set()
    for path in ex.hidden_tests():
        ids |= {f"{s}::{t}" for s, t in TEST_RE.findall(path.read_text(errors="replace"))}
    return ids


def _key(ex: Exercise, public_only: bool) -> str:
    digest = hashlib.sha256()
    files = [*(ex.solution_dir / f for f in ex.student_files), *ex.public_tests(),
             *ex.test_helpers(),
             *([] if public_only else ex.hidden_tests()), TESTKIT / "mc_test.c",
             *sorted(TESTKIT.glob("*.h")), ex.dir / "exercise.toml",
             *(ex.dir / h for h in ex.headers), *sorted(Path(__file__).parent.glob("*.py"))]
    if "performance" in ex.rubric:   # the driver, its traces and their generator
        files += [*sorted(p for p in ex.dir.rglob("*") if p.is_file()),
                  ROOT / "tools" / "heaptrace.py"]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def reference(ex: Exercise, box, public_only: bool, fresh: bool = False) -> Reference:
    """The reference run for ex; fresh=True measures it again, ignoring the disk cache."""
    if not ex.solution_dir.exists():   # the student handout ships no solutions
        return Reference(ok=True)
    key = f"{ex.folder}-{'public' if public_only else 'all'}-{_key(ex, public_only)}"
    with _lock:
        if key in _memo:
            return _memo[key]
        cached = CACHE / f"{key}.json"
        if cached.exists() and not fresh:
            _memo[key] = Reference(**json.loads(cached.read_text()))
            return _memo[key]
        ref = _measure(ex, box, public_only)
        if not ref.ok:   # a passing hiccup of the host must not cost anyone a grade
            ref = _measure(ex, box, public_only)
            ref.problem = "(failed twice) " + ref.problem if not ref.ok else ref.problem
        _memo[key] = ref
        if ref.ok:
            CACHE.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(ref.__dict__))
            tmp.replace(cached)
        return ref


def _measure(ex: Exercise, box, public_only: bool) -> Reference:
    with tempfile.TemporaryDirectory(prefix="memcraft-ref-") as tmp:
        work = Path(tmp)
        work.chmod(0o711)
        staged = fetch.stage(ex, ex.solution_dir, work / "files")
        opt = pipeline.Options(hidden=not public_only, runner=box.run, jobs=1, calibrating=True)
        box.acquire()
        try:
            box.claim(work / "box")   # the reference's files: this slot alone may read them
            box.claim(work / "files")
            res = pipeline.check(ex, staged.folder, work / "box", opt)
        finally:
            box.release()
    findings = [f.line() for found in res.findings.values() for f in found]
    summary = ", ".join([f"{res.score:g}/{res.max_score:g}"] + [
        f"{c.name} {c.score:g}/{c.max_score:g}" for c in res.categories.values()])
    if res.score != res.max_score or findings:
        why = res.build_errors or "\n".join(
            r for c in res.categories.values() for r in c.reasons[:3]) or "\n".join(findings)
        return Reference(ok=False, problem=why[:2000], summary=summary)
    timings = {"tests": res.tests, "sanitizers": res.sanitizer_tests,
               "valgrind": res.valgrind_tests}
    limits = {stage: max(FLOORS[stage], FACTORS[stage] * run.seconds)
              for stage, run in timings.items() if run and run.seconds}
    perf = None
    if res.perf:
        perf = {"util": res.perf["util"], "speed": res.perf["speed"]}
        limits["performance"] = FLOORS["performance"]
    return Reference(ok=True, assertions={t: r.assertions for t, r in res.tests.tests.items()},
                     limits=limits, summary=summary, perf=perf)
