"""The quick check behind `make watch`: one exercise's public tests and its sanitizer
build, built and run side by side (one per core), and the first thing to fix.

The same stages as `make check` (build.py, run.py, memory.py), so the verdicts are
the grader's; what differs is the order of work: the plain and the sanitizer build
start together, the list of tests is read once per set of test sources, and the
result names a single problem, the first failing test in the order the test files
are written (the order a student reads them), or else the first sanitizer finding.
"""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .common import work_dir
from mcgrader import build, clauses, memory, pipeline, run as run_stage
from mcgrader.exercises import Exercise

# Where to read about each kind of finding (a `## N.M Title` heading of chapters/;
# tests/test_quick.py checks that each one exists).
FINDING_SECTIONS = {
    "heap-use-after-free": "10.4 Use after free and dangling pointers",
    "heap-buffer-overflow": "10.5 Buffer overflows",
    "stack-buffer-overflow": "10.5 Buffer overflows",
    "global-buffer-overflow": "10.5 Buffer overflows",
    "stack-use-after-return": "10.8 Returning the address of a local",
    "stack-use-after-scope": "10.4 Use after free and dangling pointers",
    "double-free": "10.3 Double free and invalid free",
    "attempting double-free": "10.3 Double free and invalid free",
    "bad-free": "10.3 Double free and invalid free",
    "attempting free on address which was not malloc()-ed":
        "10.3 Double free and invalid free",
    "alloc-dealloc-mismatch": "10.3 Double free and invalid free",
    "detected memory leaks": "10.2 Leaks",
    "undefined-behaviour": "11.6 UndefinedBehaviorSanitizer",
    "InvalidRead": "10.5 Buffer overflows",
    "InvalidWrite": "10.5 Buffer overflows",
    "UninitCondition": "10.6 Uninitialized reads",
    "UninitValue": "10.6 Uninitialized reads",
    "InvalidFree": "10.3 Double free and invalid free",
    "MismatchedFree": "10.3 Double free and invalid free",
    "Leak_DefinitelyLost": "10.2 Leaks",
    "Leak_IndirectlyLost": "10.2 Leaks",
}
DEFAULT_SECTION = {"sanitizers": "11.5 AddressSanitizer and LeakSanitizer",
                   "valgrind": "11.2 Valgrind memcheck"}
# Test processes at a time, per build. More than the two cores: a test process spends
# most of its life starting and stopping (an ASan one most of all), not computing.
JOBS = 4
READ_RE = re.compile(r"^\s*read: section (.+?)\s*$", re.M)
WHERE_RE = re.compile(r"^(\S+?\.[ch]):(\d+): ", re.S)


@dataclass
class Problem:
    """The one thing the watch screen shows: what failed, what it means, where to read."""
    title: str                   # "test failure::a_push_that_cannot_grow_..."
    lines: list[str]             # the teaching message, as the test or the tool wrote it
    section: str = ""            # "5.5 The strong guarantee"
    where: str = ""              # "tests/test_vector.c:318" or "vector.c:35 (grow)"


@dataclass
class Quick:
    ex: Exercise
    compile_error: str = ""
    failed_file: str = ""
    tests: run_stage.TestRun | None = None
    findings: list = field(default_factory=list)    # sanitizer findings that count
    skipped: list = field(default_factory=list)     # leaks of failed tests (not counted)
    order: dict[str, int] = field(default_factory=dict)   # test id -> place in the files
    seconds: float = 0.0

    @property
    def built(self) -> bool:
        return not self.compile_error

    @property
    def total(self) -> int:
        return len(self.tests.tests) if self.tests else 0

    @property
    def passed(self) -> int:
        return self.tests.passed if self.tests else 0

    @property
    def ok(self) -> bool:
        return self.built and self.total > 0 and self.passed == self.total \
            and not self.findings and not self.tests.problem

    def failing(self) -> list[run_stage.TestResult]:
        """The failing tests, in the order the test files list them."""
        bad = [t for t in (self.tests.tests.values() if self.tests else []) if not t.passed]
        return sorted(bad, key=lambda t: (self.order.get(t.id, 1 << 30), t.id))

    def first_problem(self) -> Problem | None:
        if not self.built:
            return Problem(f"{self.failed_file} does not compile",
                           self.compile_error.splitlines()[:12])
        failing = self.failing()
        if failing:
            return test_problem(self.ex, failing[0], self.findings)
        if self.tests and self.tests.problem:
            return Problem("the test run broke", [self.tests.problem])
        if self.findings:
            return finding_problem(self.findings[0])
        return None


def test_problem(ex: Exercise, test: run_stage.TestResult, findings: list) -> Problem:
    """A failing test as the screen shows it; a crash borrows the sanitizer's words."""
    text = "\n".join(test.messages).strip() or f"the test {test.status.lower()}"
    section = ""
    found = READ_RE.search(text)
    if found:
        section = found.group(1)
        text = READ_RE.sub("", text).rstrip()
    where = ""
    located = WHERE_RE.match(text)
    if located:
        path = Path(located.group(1))
        shown = path.relative_to(ex.dir) if path.is_relative_to(ex.dir) else path.name
        where = f"{shown}:{located.group(2)}"
        text = text[located.end():]
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    status = {"FAILED": "fails", "CRASHED": "crashes", "TIMEOUT": "runs out of time"}
    title = f"test {test.id} {status.get(test.status, test.status.lower())}"
    same = [f for f in findings if f.test == test.id]
    if same and test.status != "FAILED":
        lines.append(f"the sanitizer build says: {same[0].line()}")
        section = section or section_for(same[0])
    return Problem(title, lines, section, where)


def section_for(finding) -> str:
    return FINDING_SECTIONS.get(finding.kind, DEFAULT_SECTION.get(finding.tool, ""))


def finding_problem(finding) -> Problem:
    tool = {"sanitizers": "AddressSanitizer + UBSan", "valgrind": "Valgrind"}[finding.tool]
    lines = [finding.line()]
    detail = (finding.detail or "").strip()
    if detail and detail not in finding.sentence:
        lines += detail.splitlines()[:4]
    return Problem(f"{tool} finds a problem", lines, section_for(finding), finding.where)


# ---- running it ---------------------------------------------------------------

_listed: dict[tuple, list[str]] = {}


def listed_tests(ex: Exercise, binary: Path) -> list[str]:
    """The tests in a binary, read once per content of the test sources."""
    key = (ex.folder, *((p.name, p.read_bytes()) for p in ex.public_tests()))
    if key not in _listed:
        _listed[key] = run_stage.list_tests(binary)
    return _listed[key]


def test_order(ex: Exercise) -> dict[str, int]:
    return {t.id: n for n, t in enumerate(clauses.test_sources(ex, hidden=False))}


def _plain(ex: Exercise, work: Path, out: Quick) -> None:
    made = build.build(ex, ex.dir, work, "plain", ex.public_tests())
    if not made.ok:
        out.compile_error, out.failed_file = made.errors, made.failed_file
        return
    out.tests = run_stage.run_tests(made.binary, listed_tests(ex, made.binary),
                                    work / "watch-public", ex.run_seconds, jobs=JOBS,
                                    address_space=pipeline.TEST_MEMORY)


def _sanitized(ex: Exercise, work: Path) -> tuple[build.Build, run_stage.TestRun | None, list]:
    made = build.build(ex, ex.dir, work, "asan", ex.public_tests())
    if not made.ok:
        return made, None, []
    san_run, found = memory.sanitizers(made.binary, work / "watch", list(ex.student_files),
                                       listed_tests(ex, made.binary), ex.run_seconds * 2,
                                       jobs=JOBS)
    return made, san_run, found


def check(ex: Exercise, work: Path | None = None) -> Quick:
    """Builds and runs ex's public tests and sanitizer build from the working tree."""
    start = time.monotonic()
    work = work or work_dir(ex)
    out = Quick(ex, order=test_order(ex))
    with ThreadPoolExecutor(max_workers=2) as pool:
        plain = pool.submit(_plain, ex, work, out)
        made, san_run, found = pool.submit(_sanitized, ex, work).result()
        plain.result()
    if out.built and san_run is not None:
        out.findings, out.skipped = memory.counted(found, san_run)
        out.findings += pipeline._crashes_only_under_sanitizers(out.tests, san_run,
                                                               out.findings)
    elif out.built:
        out.compile_error = made.errors or "does not build with the sanitizers"
        out.failed_file = made.failed_file or "the sanitizer build"
    out.seconds = time.monotonic() - start
    return out
