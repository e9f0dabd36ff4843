"""The pipeline for one exercise: build, audit, run, check memory, lint, score.

Used three ways with the same code: `make check` (public tests, the student's
working tree, no Valgrind), the grader (public and hidden tests, a scratch copy
of the submission, every stage, in the sandbox) and the self-test.

The public and the hidden tests are linked into two separate binaries, each with
the student's objects: what the public run prints (which students see in full)
comes from a binary that holds no hidden code or text, so a submission cannot
read hidden test names or messages out of its own executable.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import audit as audit_stage
from . import build as build_stage
from . import lint as lint_stage
from . import memory as memory_stage
from . import perf as perf_stage
from . import run as run_stage
from . import score as score_stage
from .exercises import Exercise
from .proc import run

STAGES = ("tests", "valgrind", "sanitizers", "lint", "performance")
TEST_MEMORY = 2 << 30     # address space per test process in the plain build


@dataclass
class Options:
    hidden: bool = True                      # add the hidden tests
    stages: tuple[str, ...] = STAGES         # which categories to check
    audit: bool = True
    reference: dict[str, int] | None = None  # assertions per test from the reference run
    runner: object = run                     # proc.run, or the sandbox's
    jobs: int = 2
    seconds: dict[str, float] | None = None  # wall limits per stage, calibrated by the grader
    memcheck: str = "one-process"            # or "per-test" (memory.py explains both)
    perf_reference: dict | None = None       # the reference's performance figures (calibrate)
    calibrating: bool = False                # this run measures the reference itself

    def limit(self, stage: str, default: float) -> float:
        return (self.seconds or {}).get(stage, default)


@dataclass
class ExerciseResult:
    exercise: Exercise
    built: bool = False
    build_errors: str = ""
    build_errors_hidden: bool = False   # they quote hidden tests: never shown to students
    audit_problems: list[str] = field(default_factory=list)
    tests: run_stage.TestRun | None = None
    sanitizer_tests: run_stage.TestRun | None = None
    valgrind_tests: run_stage.TestRun | None = None
    findings: dict[str, list] = field(default_factory=dict)   # category -> Finding/LintWarning
    categories: dict[str, score_stage.Category] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)   # wall time per stage
    perf: dict = field(default_factory=dict)                  # performance figures, if measured

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.categories.values()), 2)

    @property
    def max_score(self) -> float:
        return float(self.exercise.max_score)


@dataclass
class TestSet:
    """One test binary's worth of tests: the public ones, or the hidden ones."""
    hidden: bool
    sources: list[Path]
    binary: Path | None = None
    expected: list[str] = field(default_factory=list)
    built: build_stage.Build | None = None


def test_sets(ex: Exercise, hidden: bool) -> list[TestSet]:
    sets = [TestSet(False, ex.public_tests())]
    if hidden and ex.hidden_tests():
        sets.append(TestSet(True, ex.hidden_tests()))
    return sets


def check(ex: Exercise, files_dir: Path, work: Path, opt: Options) -> ExerciseResult:
    """Runs the chosen stages on the student files in files_dir; work is scratch space."""
    res = ExerciseResult(ex)
    clock = [time.monotonic()]

    def lap(stage: str) -> None:   # how long each stage took (tools/grader_speed.py)
        now = time.monotonic()
        res.seconds[stage] = res.seconds.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    own = build_stage.compile_student(ex, files_dir, work, "plain", opt.runner)
    if own.ok and opt.audit:   # before linking: refused code never meets our tests
        res.audit_problems = audit_stage.audit(ex, own.student_objects, opt.runner)
        if res.audit_problems:
            res.built = True
            res.categories = score_stage.score(ex, None, {}, "audit: " + res.audit_problems[0])
            return res
    sets = test_sets(ex, opt.hidden)
    fatal = _link(ex, files_dir, work, "plain", sets, opt, res) if own.ok else \
        _compile_error(own, res)
    if fatal:
        res.categories = score_stage.score(ex, None, {}, fatal)
        return res
    res.built = True
    lap("build")
    runs = []
    for ts in sets:
        ts.expected = run_stage.list_tests(ts.binary, opt.runner)
        one = run_stage.run_tests(ts.binary, ts.expected, work / _name("run", ts),
                                  opt.limit("tests", ex.run_seconds), reference=opt.reference,
                                  runner=opt.runner, jobs=opt.jobs, address_space=TEST_MEMORY)
        runs.append(one.mark_hidden() if ts.hidden else one)
    res.tests = run_stage.merge(runs)
    lap("tests")
    if "valgrind" in opt.stages:
        _valgrind(ex, work, sets, opt, res)
        lap("valgrind")
    if "sanitizers" in opt.stages:
        _sanitizers(ex, files_dir, work, sets, opt, res)
        lap("sanitizers")
        if res.audit_problems:   # the sanitizer build is other code: refused like the first
            res.categories = score_stage.score(ex, None, {}, "audit: " + res.audit_problems[0])
            return res
    if "lint" in opt.stages:
        warnings, error = lint_stage.lint(ex, files_dir, opt.runner)
        if error:   # never full marks for a check that did not run: the reference fails
            res.notes.append(error)   # too, and the exercise is an infrastructure error
        else:
            res.findings["lint"] = warnings
        lap("lint")
    res.categories = score_stage.score(ex, res.tests.tests, {
        name: res.findings.get(name) for name in ("valgrind", "sanitizers", "lint")})
    if "performance" in ex.rubric:
        res.categories["performance"] = _performance(ex, files_dir, work, opt, res)
        lap("performance")
    return res


def _performance(ex: Exercise, files_dir: Path, work: Path, opt: Options,
                 res: ExerciseResult) -> score_stage.Category:
    """The performance category (perf.py); its lost points are also findings."""
    cat = score_stage.Category("performance", ex.rubric["performance"])
    if "performance" not in opt.stages:
        cat.ran, cat.reasons = False, ["not run"]
        cat.student_reasons = cat.reasons
        return cat
    got = perf_stage.check(ex, files_dir, work, opt.runner, opt.perf_reference,
                           opt.calibrating, opt.limit("performance", 600.0))
    cat.score, cat.ran, cat.reasons, res.perf = got.score, got.ran, got.reasons, got.figures
    cat.student_reasons = cat.reasons   # traces and real programs: nothing hidden in them
    if cat.ran and cat.score < cat.max_score:
        res.findings["performance"] = [perf_stage.Finding(r) for r in got.reasons]
    elif not cat.ran:
        res.notes += got.reasons
    return cat


def _name(stage: str, ts: TestSet) -> str:
    return f"{stage}-{'hidden' if ts.hidden else 'public'}"


def _compile_error(own: build_stage.Build, res: ExerciseResult) -> str:
    res.build_errors = own.errors
    return f"{own.failed_file} does not compile"


def _link(ex: Exercise, files_dir: Path, work: Path, variant: str, sets: list[TestSet],
          opt: Options, res: ExerciseResult) -> str:
    """Builds one binary per test set; returns why the exercise cannot run, or ""."""
    for ts in sets:
        made = build_stage.build(ex, files_dir, work, variant, ts.sources, opt.runner,
                                 name=_name("tests", ts))
        if not made.ok:
            res.build_errors = made.errors
            if made.failed_file not in ("(link)", *ex.student_files):   # one of our tests
                res.build_errors_hidden = ts.hidden
                return "the course's tests did not build (not your fault; tell your instructor)"
            if made.failed_file != "(link)":
                return f"{made.failed_file} does not compile"
            if ts.hidden:   # a hidden test's link error names its code: show only what is missing
                res.build_errors_hidden = not made.missing
                return "does not link with the hidden tests" + (
                    f": {made.missing}" if made.missing else "")
            return "does not link: " + made.errors
        ts.binary, ts.built = made.binary, made
    return ""


def _valgrind(ex: Exercise, work: Path, sets: list[TestSet], opt: Options,
              res: ExerciseResult) -> None:
    runs, found = [], []
    for ts in sets:
        seconds = opt.limit("valgrind", ex.run_seconds + 4 * len(ts.expected) + 30)
        harness = build_stage.harness(ex, ts.built, work) if opt.memcheck == "one-process" \
            else None
        one, these = memory_stage.valgrind(ts.binary, work / _name("valgrind", ts),
                                           list(ex.student_files), ts.expected, seconds,
                                           opt.runner, hidden=ts.hidden, harness=harness)
        runs.append(one.mark_hidden() if ts.hidden else one)
        found += memory_stage.counted(these, res.tests)[0]   # verdicts of the native run
    res.valgrind_tests = run_stage.merge(runs)
    res.notes += res.valgrind_tests.notes
    res.findings["valgrind"] = found


def _sanitizers(ex: Exercise, files_dir: Path, work: Path, sets: list[TestSet],
                opt: Options, res: ExerciseResult) -> None:
    asan_sets = [TestSet(ts.hidden, ts.sources, expected=ts.expected) for ts in sets]
    own = build_stage.compile_student(ex, files_dir, work, "asan", opt.runner)
    if own.ok and opt.audit:
        res.audit_problems = audit_stage.audit(ex, own.student_objects, opt.runner, "asan")
        if res.audit_problems:
            return
    problem = _link(ex, files_dir, work, "asan", asan_sets, opt, ExerciseResult(ex))
    if problem:
        res.findings["sanitizers"] = [memory_stage.Finding(
            "sanitizers", "", "build", "does not build with the sanitizers", "", problem)]
        return
    runs, found = [], []
    for ts in asan_sets:
        one, these = memory_stage.sanitizers(ts.binary, work / _name("sanitizers", ts),
                                             list(ex.student_files), ts.expected,
                                             opt.limit("sanitizers", ex.run_seconds * 2),
                                             opt.runner, hidden=ts.hidden)
        runs.append(one.mark_hidden() if ts.hidden else one)
        found += memory_stage.counted(these, one)[0]
    res.sanitizer_tests = run_stage.merge(runs)
    res.findings["sanitizers"] = found + _crashes_only_under_sanitizers(
        res.tests, res.sanitizer_tests, found)


def _crashes_only_under_sanitizers(native, sanitized, found) -> list:
    """A test that passes natively but not in the sanitizer build, with no log to say why."""
    explained = {f.test for f in found}
    extra = []
    for tid, t in sanitized.tests.items():
        if not t.passed and native.tests.get(tid) and native.tests[tid].passed \
                and tid not in explained:
            why = t.messages[0] if t.messages else t.status
            extra.append(memory_stage.Finding("sanitizers", tid, t.status.lower(),
                                              "fails only in the sanitizer build", "", why,
                                              hidden=t.hidden))
    return extra


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
