"""Stage: run. Runs the Criterion test binary and reads its XML report.

Results come only from Criterion's report file, never from what the program
prints. The report is cross-checked: it must exist and parse, list exactly
the expected tests, and agree with the runner's exit status; a passing test
must have made as many assertions as it does for the reference solution
(when that is known). Anything else counts against the test, never for it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
import re
from dataclasses import dataclass, field
from pathlib import Path

from .proc import Limits, Result, read_capped, run

# The test run's whole environment: nothing of the grader's own leaks in.
BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TERM": "dumb"}


@dataclass
class TestResult:
    id: str                      # "suite::test"
    status: str                  # PASSED, FAILED, CRASHED, TIMEOUT, MISSING, SUSPECT
    assertions: int = 0
    messages: list[str] = field(default_factory=list)
    hidden: bool = False         # from the hidden tests' binary: students see only a count

    @property
    def passed(self) -> bool:
        return self.status == "PASSED"


@dataclass
class TestRun:
    tests: dict[str, TestResult]
    problem: str = ""            # why the run as a whole is doubtful, if it is
    result: Result | None = None
    seconds: float = 0.0         # wall time of the longest run behind it (limits are per run)
    notes: list[str] = field(default_factory=list)   # how the tests were run, when it matters

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests.values())

    def mark_hidden(self) -> "TestRun":
        for test in self.tests.values():
            test.hidden = True
        return self


def merge(runs: list[TestRun]) -> TestRun:
    """One TestRun from the runs of the public and the hidden tests' binaries."""
    tests: dict[str, TestResult] = {}
    for r in runs:
        tests.update(r.tests)
    problems = [r.problem for r in runs if r.problem]
    return TestRun(tests, problem="; ".join(problems),
                   result=runs[0].result if len(runs) == 1 else None,
                   seconds=max((r.seconds for r in runs), default=0.0),
                   notes=[n for r in runs for n in r.notes])


def list_tests(binary: Path, runner=run) -> list[str]:
    """The tests compiled into a binary, from Criterion's --list (trusted binary only)."""
    listed = runner([str(binary), "--list"], cwd=binary.parent, limits=Limits(wall_seconds=30),
                    readable=[binary.parent])
    tests, suite = [], None
    for line in listed.stdout.splitlines():
        header = re.match(r"^(\S+): \d+ tests?$", line)
        if header:
            suite = header.group(1)
        elif suite and "── " in line:
            tests.append(f"{suite}::{line.split('── ', 1)[1].strip()}")
    return tests


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_report(path: Path) -> dict[str, TestResult] | None:
    """Criterion's XML report as {id: TestResult}; None if missing or malformed.

    The XML report, not the JSON one: Criterion 2.4 writes assertion messages
    into its JSON without escaping quotes, so any message quoting a string
    breaks the JSON.
    """
    text = CONTROL_CHARS.sub("?", read_capped(path, cap=8 << 20))
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag != "testsuites":
        return None
    results = {}
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            tid = f"{suite.get('name')}::{case.get('name')}"
            status = case.get("status", "")
            try:
                assertions = int(case.get("assertions", "0"))
            except ValueError:
                return None
            messages = [m for f in case.iter("failure") for m in [(f.text or "").strip()] if m]
            error = case.find("error")
            if status == "ERRORED" and error is not None:   # a crash or a timeout
                status = "TIMEOUT" if error.get("type") == "timeout" else "CRASHED"
                messages.append(error.get("message", ""))
            results[tid] = TestResult(tid, status, assertions, messages)
    return results


def run_tests(binary: Path, expected: list[str], work: Path, seconds: float,
              env: dict | None = None, reference: dict[str, int] | None = None,
              runner=run, jobs: int = 2, wrap: list[str] | None = None,
              limits: Limits | None = None, address_space: int | None = None,
              extra: list[str] | None = None) -> TestRun:
    """Runs every test in binary; `wrap` prefixes the command (Valgrind).

    address_space caps each process's memory (RLIMIT_AS): right for a plain
    build, wrong for ASan (it reserves terabytes) and Valgrind.
    """
    work.mkdir(parents=True, exist_ok=True)
    report = work / "criterion.xml"
    report.unlink(missing_ok=True)
    cmd = [*(wrap or []), str(binary), f"--xml={report}", f"-j{jobs}", *(extra or [])]
    env = {**BASE_ENV, **(env or {})}
    limits = limits or Limits(wall_seconds=seconds, cpu_seconds=int(seconds * 2) + 5,
                              address_space=address_space)
    result = runner(cmd, cwd=work, limits=limits, env=env, readable=[binary.parent],
                    writable=[work])
    found = parse_report(report)
    if found is None:
        why = ("the test run was stopped at the time limit" if result.timed_out else
               f"the test runner ended without its report (exit status {result.returncode}, "
               f"signal {result.signal}): the code under test ended the process or broke it")
        tests = {t: TestResult(t, "CRASHED", 0, [why]) for t in expected}
        return TestRun(tests, problem=why, result=result, seconds=result.seconds)
    return TestRun(_cross_check(found, expected, result, reference), result=result,
                   seconds=result.seconds)


def _cross_check(found: dict[str, TestResult], expected: list[str], result: Result,
                 reference: dict[str, int] | None) -> dict[str, TestResult]:
    tests = {}
    for tid in expected:
        test = found.get(tid) or TestResult(tid, "MISSING", 0, ["this test never reported"])
        if test.passed and test.assertions == 0:
            test.status = "SUSPECT"
            test.messages.append("passed without making a single assertion: the test was cut "
                                 "short (exit() or _exit() in the code under test?)")
        elif test.passed and reference and tid in reference and \
                test.assertions != reference[tid]:
            test.status = "SUSPECT"
            test.messages.append(f"made {test.assertions} assertions where the reference "
                                 f"solution makes {reference[tid]}: the test was cut short")
        tests[tid] = test
    all_passed = all(t.passed for t in tests.values())
    if all_passed and (result.returncode != 0 or set(found) - set(expected)):
        for test in tests.values():   # a forged or overwritten report
            test.status = "SUSPECT"
            test.messages.append("the runner's exit status disagrees with its report")
    return tests
