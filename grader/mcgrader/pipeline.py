"""The pipeline for one exercise: build, audit, run, check memory, lint, score.

Used three ways with the same code: `make check` (public tests, the student's
working tree, no Valgrind), the grader (public and hidden tests, a scratch copy
of the submission, every stage, in the sandbox) and the self-test.
"""
from __future__ import annotations

import os
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
    perf_reference: dict | None = None       # the reference's performance figures (calibrate)
    calibrating: bool = False                # this run measures the reference itself

    def limit(self, stage: str, default: float) -> float:
        return (self.seconds or {}).get(stage, default)


@dataclass
class ExerciseResult:
    exercise: Exercise
    built: bool = False
    build_errors: str = ""
    audit_problems: list[str] = field(default_factory=list)
    tests: run_stage.TestRun | None = None
    sanitizer_tests: run_stage.TestRun | None = None
    valgrind_tests: run_stage.TestRun | None = None
    findings: dict[str, list] = field(default_factory=dict)   # category -> Finding/LintWarning
    categories: dict[str, score_stage.Category] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    perf: dict = field(default_factory=dict)                  # performance figures, if measured

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.categories.values()), 2)

    @property
    def max_score(self) -> float:
        return float(self.exercise.max_score)


def _test_files(ex: Exercise, hidden: bool) -> list[Path]:
    return ex.public_tests() + (ex.hidden_tests() if hidden else [])


def check(ex: Exercise, files_dir: Path, work: Path, opt: Options) -> ExerciseResult:
    """Runs the chosen stages on the student files in files_dir; work is scratch space."""
    res = ExerciseResult(ex)
    tests = _test_files(ex, opt.hidden)
    own = build_stage.compile_student(ex, files_dir, work, "plain", opt.runner)
    if own.ok and opt.audit:   # before linking: refused code never meets our tests
        res.audit_problems = audit_stage.audit(ex, own.student_objects, opt.runner)
        if res.audit_problems:
            res.built = True
            res.categories = score_stage.score(ex, None, {}, "audit: " + res.audit_problems[0])
            return res
    plain = build_stage.build(ex, files_dir, work, "plain", tests, opt.runner) if own.ok \
        else own
    res.build_errors = plain.errors
    if not plain.ok:
        fatal = f"{plain.failed_file} does not compile" if plain.failed_file != "(link)" \
            else "does not link: " + plain.errors
        res.categories = score_stage.score(ex, None, {}, fatal)
        return res
    res.built = True
    expected = run_stage.list_tests(plain.binary, opt.runner)
    res.tests = run_stage.run_tests(plain.binary, expected, work / "run",
                                    opt.limit("tests", ex.run_seconds), reference=opt.reference,
                                    runner=opt.runner, jobs=opt.jobs,
                                    address_space=TEST_MEMORY)
    problems: dict[str, list[str] | None] = {"valgrind": None, "sanitizers": None, "lint": None}
    if "valgrind" in opt.stages:
        seconds = opt.limit("valgrind", ex.run_seconds + 4 * len(expected) + 30)
        res.valgrind_tests, found = memory_stage.valgrind(
            plain.binary, work, list(ex.student_files), expected, seconds, opt.runner)
        res.findings["valgrind"] = found
        problems["valgrind"] = [f.line() for f in found]
    if "sanitizers" in opt.stages:
        asan = build_stage.build(ex, files_dir, work, "asan", tests, opt.runner)
        if asan.ok:
            res.sanitizer_tests, found = memory_stage.sanitizers(
                asan.binary, work, list(ex.student_files), expected,
                opt.limit("sanitizers", ex.run_seconds * 2), opt.runner)
            found += _crashes_only_under_sanitizers(res.tests, res.sanitizer_tests, found)
        else:
            found = [memory_stage.Finding("sanitizers", "", "build", "does not build with "
                                          "the sanitizers", "", asan.errors)]
        res.findings["sanitizers"] = found
        problems["sanitizers"] = [f.line() for f in found]
    if "lint" in opt.stages:
        warnings, error = lint_stage.lint(ex, files_dir, opt.runner)
        if error:
            res.notes.append(error)
        res.findings["lint"] = warnings
        problems["lint"] = [f"{w.check}: {w.line()}" for w in warnings]
    res.categories = score_stage.score(ex, res.tests.tests, problems)
    if "performance" in ex.rubric:
        res.categories["performance"] = _performance(ex, files_dir, work, opt, res)
    return res


def _performance(ex: Exercise, files_dir: Path, work: Path, opt: Options,
                 res: ExerciseResult) -> score_stage.Category:
    """The performance category (perf.py); its lost points are also findings."""
    cat = score_stage.Category("performance", ex.rubric["performance"])
    if "performance" not in opt.stages:
        cat.ran, cat.reasons = False, ["not run"]
        return cat
    got = perf_stage.check(ex, files_dir, work, opt.runner, opt.perf_reference,
                           opt.calibrating, opt.limit("performance", 600.0))
    cat.score, cat.ran, cat.reasons, res.perf = got.score, got.ran, got.reasons, got.figures
    if cat.ran and cat.score < cat.max_score:
        res.findings["performance"] = [perf_stage.Finding(r) for r in got.reasons]
    elif not cat.ran:
        res.notes += got.reasons
    return cat


def _crashes_only_under_sanitizers(native, sanitized, found) -> list:
    """A test that passes natively but not in the sanitizer build, with no log to say why."""
    explained = {f.test for f in found}
    extra = []
    for tid, t in sanitized.tests.items():
        if not t.passed and native.tests.get(tid) and native.tests[tid].passed \
                and tid not in explained:
            why = t.messages[0] if t.messages else t.status
            extra.append(memory_stage.Finding("sanitizers", tid, t.status.lower(),
                                              "fails only in the sanitizer build", "", why))
    return extra


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
