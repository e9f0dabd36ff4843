"""Stage: check memory. Valgrind memcheck and the AddressSanitizer+UBSan build.

Neither tool changes Criterion's verdict (a leak leaves a test PASSED), so
both leave a log per process, named by pid (Valgrind's XML file; the worker's
stderr, which the test kit redirects for the sanitizer run), and the test kit
writes a marker per worker (MC_MARKER_DIR/<pid> holds "suite::test"), which
ties every error to the test that caused it. Logs of the runner process itself (no marker)
are Criterion's own business and are not the student's. Each error is
reported at the first stack frame inside the student's files, in one plain
sentence; an uninitialized value also at the place it was created
(--track-origins), and all its findings count as one problem. Leaks in a test
that failed an assertion are skipped: the test stopped before its own clean-up.

Valgrind runs in one of two modes, with the same findings:
  - one process (the default): testkit/mc_harness.c runs every test in a fork
    of a single Valgrind process, so Valgrind starts once per test binary
    instead of once per test (a tenth of the time). If the harness itself
    stops before the end, a new harness process goes on from the next test;
    tests it cannot run (a parameterized test, one that expects a signal) and
    any left over are checked per test. TestRun.notes says which way each went.
    The first pass runs without --track-origins (it can double memcheck's time);
    the tests that used an uninitialized value then run again with it, in a
    second harness process, so each such finding still says where the value
    was created.
  - per test: Criterion's own runner under Valgrind, each test a worker that
    Valgrind starts afresh. The self-test compares the two on every mutant.
"""
from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .proc import Limits, read_capped, run
from .run import BASE_ENV, TestResult, TestRun, run_tests

VALGRIND = ["valgrind", "--tool=memcheck", "--trace-children=yes", "--xml=yes",
            "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--num-callers=30",
            "--child-silent-after-fork=no", "--vgdb=no", "--read-inline-info=no",
            # the test kit's mc_fail_note() runs addr2line through the shell: not ours to check
            "--trace-children-skip=*/sh,*/addr2line"]
# Where an uninitialized value was created. It can double memcheck's time, so the
# harness asks for it only in a second pass, over the tests that used one.
ORIGINS = "--track-origins=yes"
ORIGIN_KINDS = {"UninitCondition", "UninitValue", "SyscallParam"}
# hard_rss_limit_mb stands in for RLIMIT_AS, which ASan cannot run under.
ASAN_OPTIONS = ("detect_leaks=1:halt_on_error=1:abort_on_error=0:allocator_may_return_null=1:"
                "symbolize=1:detect_stack_use_after_return=1:hard_rss_limit_mb=2048")
UBSAN_OPTIONS = "print_stacktrace=1:halt_on_error=1"

PLAIN_WORDS = {
    "InvalidRead": "reads memory it does not own (past the end of a block, or a freed block)",
    "InvalidWrite": "writes memory it does not own (past the end of a block, or a freed block)",
    "UninitCondition": "makes a decision on a value that was never initialized",
    "UninitValue": "uses a value that was never initialized",
    "SyscallParam": "passes uninitialized or unowned memory to a system call",
    "InvalidFree": "frees a pointer that is not the start of a live block (a double free?)",
    "MismatchedFree": "frees a block with the wrong function",
    "Overlap": "copies between overlapping buffers (memcpy where memmove is needed)",
    "InvalidMemPool": "misuses a memory pool client request",
    "Leak_DefinitelyLost": "leaks memory: no pointer to these blocks remains",
    "Leak_IndirectlyLost": "leaks memory reachable only from other leaked blocks",
    "heap-use-after-free": "uses a block after it was freed",
    "heap-buffer-overflow": "reads or writes past the end of a heap block",
    "stack-buffer-overflow": "reads or writes past the end of an array on the stack",
    "global-buffer-overflow": "reads or writes past the end of a global array",
    "stack-use-after-return": "uses the address of a local variable after its function returned",
    "stack-use-after-scope": "uses a local variable after its block ended",
    "double-free": "frees the same block twice",
    "bad-free": "frees a pointer that malloc never returned",
    "attempting double-free": "frees the same block twice",
    "attempting free on address which was not malloc()-ed": "frees a pointer malloc never "
                                                             "returned",
    "memcpy-param-overlap": "copies between overlapping buffers",
    "alloc-dealloc-mismatch": "frees a block with the wrong function",
    "detected memory leaks": "leaks memory: a block is never freed",
    "SEGV": "dereferences an invalid pointer (segmentation fault)",
    "runtime error": "has undefined behaviour",
}


OUTSIDE = ", outside your files"

# Valgrind warnings that legal code can raise, so that they never cost points.
NOT_COUNTED = {
    # a size above 2^63 passed to malloc and friends: a request the C standard allows
    # (it simply fails), which contracts such as "NULL when memory runs out" invite
    "FishyValue",
}


@dataclass
class Finding:
    tool: str        # "valgrind" or "sanitizers"
    test: str        # "suite::test", or "" when unknown
    kind: str
    sentence: str    # the plain explanation
    where: str       # "file.c:12 (function)" in the student's code, or a best guess
    detail: str = ""
    hidden: bool = False   # found while a hidden test ran: students see no name or detail
    origin: str = ""       # where an uninitialized value was created, when Valgrind knows
    brief: str = ""        # the sentence without values from the run, when it has some

    def key(self) -> tuple[str, str, str]:
        """What makes two findings one problem: the same kind at the same place (for an
        uninitialized value, the place it was created), whichever tests showed it."""
        return self.tool, self.kind, self.origin or self.where

    def place(self, student: bool = False) -> str:
        """The place to show: a student never sees a file of a hidden test."""
        if student and self.hidden and self.where.endswith(OUTSIDE):
            return "outside your files"
        return self.where

    def line(self, student: bool = False) -> str:
        if student and self.hidden:
            test = " in a hidden test"
        else:
            test = f" in test {self.test}" if self.test else ""
        where = self.place(student)
        sentence = self.brief if student and self.hidden and self.brief else self.sentence
        if self.origin and not self.origin.endswith(OUTSIDE):
            # The mistake is where the value was created, in the student's own file:
            # lead with that, and say where it was used.
            used = "" if student and self.hidden and where.endswith("your files") \
                else f" (it is used at {where})"
            return f"{self.origin}: leaves a value uninitialized that is used later{used}" \
                   f"{test} [{self.kind}]"
        origin = f" (the value was created at {self.origin})" if self.origin else ""
        if student and self.hidden and self.origin.endswith(OUTSIDE):
            origin = ""
        return f"{where + ': ' if where else ''}{sentence}{origin}{test} [{self.kind}]"


def _fresh_logs(logs: Path) -> tuple[Path, Path]:
    """An empty log folder and its markers folder: no log of an earlier run may count."""
    shutil.rmtree(logs, ignore_errors=True)
    (logs / "markers").mkdir(parents=True)
    return logs, logs / "markers"


def _markers(directory: Path) -> dict[str, str]:
    out = {}
    for path in directory.glob("*"):
        text = read_capped(path, cap=512).strip()
        if path.name.isdigit() and text:
            out[path.name] = text
    return out


def _student_frame(frames: list[tuple[str, str, str]], student_files: set[str]) -> str:
    """'file:line (fn)' of the first frame in a student file, else the first frame with a file."""
    with_file = [f for f in frames if f[1]]
    for fn, file, line in with_file:
        if Path(file).name in student_files:
            return f"{Path(file).name}:{line} ({fn})"
    if with_file:
        fn, file, line = with_file[0]
        return f"{Path(file).name}:{line} ({fn}){OUTSIDE}"
    return "(no source line known)"


# ---- Valgrind -------------------------------------------------------------

def _valgrind_findings(xml_path: Path, test: str, student_files: set[str],
                       hidden: bool = False) -> list[Finding]:
    text = read_capped(xml_path, cap=8 << 20)
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return [Finding("valgrind", test, "Unfinished", "did not finish under Valgrind (the "
                        "process was killed, probably at the time limit)", "(unknown)",
                        hidden=hidden)]
    findings = []
    for error in root.iter("error"):
        kind = error.findtext("kind", "")
        if kind in NOT_COUNTED:
            continue
        what = error.findtext("what") or error.findtext("xwhat/text") or ""
        stacks = [[(f.findtext("fn", "?"), f.findtext("file", ""), f.findtext("line", ""))
                   for f in stack.findall("frame")] for stack in error.findall("stack")]
        where = _student_frame(stacks[0] if stacks else [], student_files)
        created = any("was created" in (a.text or "") for a in error.findall("auxwhat"))
        origin = _student_frame(stacks[1], student_files) if created and len(stacks) > 1 else ""
        findings.append(Finding("valgrind", test, kind, PLAIN_WORDS.get(kind, what), where,
                                what.strip(), hidden=hidden, origin=origin))
    return findings


def valgrind(binary: Path, work: Path, student_files: list[str], expected: list[str],
             seconds: float, runner=run, hidden: bool = False,
             harness: Path | None = None) -> tuple[TestRun, list[Finding]]:
    """Every test of binary under memcheck; each error tied to its test. With a harness
    (build.harness), in one Valgrind process; without, per test. Leaks of a test that
    failed are included: counted() tells which findings count."""
    logs, markers = _fresh_logs(work / "valgrind")
    if harness is not None:
        tests = _one_process(harness, binary, logs, markers, expected, seconds, runner,
                             hidden)
    else:
        tests = _per_test(binary, logs, markers, expected, seconds, runner)
    findings = _logged(logs, markers, student_files, hidden)
    if harness is not None:
        findings = _with_origins(findings, harness, work, student_files, seconds, runner,
                                 hidden)
    if hidden:
        tests.mark_hidden()
    return tests, findings + untold("valgrind", tests)


def _logged(logs: Path, markers: Path, student_files: list[str], hidden: bool) -> list[Finding]:
    """The findings of every marked process's log, each tied to its test."""
    findings = []
    for pid, test in sorted(_markers(markers).items()):
        xml_path = logs / f"vg.{pid}.xml"
        if xml_path.is_file():
            findings += _valgrind_findings(xml_path, test, set(student_files), hidden)
        else:
            findings.append(Finding("valgrind", test, "NoLog", "left no Valgrind log (the "
                                    "process removed or never wrote it)", "(unknown)",
                                    hidden=hidden))
    return findings


def _with_origins(findings: list[Finding], harness: Path, work: Path, student_files: list[str],
                  seconds: float, runner, hidden: bool) -> list[Finding]:
    """The tests that used an uninitialized value run again with --track-origins, and
    their findings are replaced by the second pass's, which say where each value was
    created. A test whose second pass says nothing (it stopped) keeps its first."""
    tests = sorted({f.test for f in findings if f.kind in ORIGIN_KINDS and not f.origin})
    if not tests:
        return findings
    logs, markers = _fresh_logs(work / "valgrind-origins")
    env = {**BASE_ENV, "MC_MARKER_DIR": str(markers), "MC_HARNESS_ONLY": "\n".join(tests),
           "MC_HARNESS_TIMEOUT_SCALE": "40", "MC_HARNESS_TIMEOUT_MAX": str(max(10, int(seconds)))}
    runner([*VALGRIND, ORIGINS, f"--xml-file={logs}/vg.%p.xml", str(harness),
            str(logs / "harness.txt")], cwd=logs, env=env, readable=[harness.parent],
           writable=[logs], limits=Limits(wall_seconds=seconds, cpu_seconds=int(seconds * 2) + 10))
    again = [f for f in _logged(logs, markers, student_files, hidden) if f.test in tests]
    redone = {f.test for f in again if f.kind != "NoLog"}
    return [f for f in findings if f.test not in redone] + \
        [f for f in again if f.test in redone]


def _per_test(binary: Path, logs: Path, markers: Path, expected: list[str], seconds: float,
              runner, only: list[str] | None = None) -> TestRun:
    """Criterion's runner under Valgrind: every test a worker Valgrind starts afresh.
    only: run just these tests (one runner each), as the harness's fallback."""
    wrap = [*VALGRIND, ORIGINS, f"--xml-file={logs}/vg.%p.xml"]
    limits = Limits(wall_seconds=seconds, cpu_seconds=int(seconds * 2) + 10)
    env = {"MC_MARKER_DIR": str(markers)}
    if only is None:
        run_ = run_tests(binary, expected, logs, seconds, env=env, runner=runner, jobs=1,
                         wrap=wrap, limits=limits)
        return run_
    tests: dict[str, TestResult] = {}
    for tid in only:
        pattern = tid.replace("::", "/")
        one = run_tests(binary, [tid], logs / "per-test" / pattern.replace("/", "."), seconds,
                        env=env, runner=runner, jobs=1, limits=limits,
                        wrap=wrap, extra=[f"--filter={pattern}"])
        tests.update(one.tests)
    return TestRun(tests)


HARNESS_ATTEMPTS = 3   # harness processes per run before the rest goes per test


def _one_process(harness: Path, binary: Path, logs: Path, markers: Path,
                 expected: list[str], seconds: float, runner, hidden: bool) -> TestRun:
    def name(tid: str) -> str:   # notes reach students: a hidden test stays unnamed
        return "a hidden test" if hidden else tid

    report = logs / "harness.txt"
    env = {"MC_MARKER_DIR": str(markers), "MC_HARNESS_TIMEOUT_SCALE": "20",
           "MC_HARNESS_TIMEOUT_MAX": str(max(10, int(seconds / 2)))}
    wrap = [*VALGRIND, f"--xml-file={logs}/vg.%p.xml"]
    limits = Limits(wall_seconds=seconds, cpu_seconds=int(seconds * 2) + 10)
    first, attempts, start = 0, 0, time.monotonic()
    results: dict[str, TestResult] = {}
    stopped: list[str] = []
    while attempts < HARNESS_ATTEMPTS:
        attempts += 1
        done = runner([*wrap, str(harness), str(report), str(first)], cwd=logs, limits=limits,
                      env={**BASE_ENV, **env}, readable=[harness.parent], writable=[logs])
        progress = _read_harness(report)
        results.update(progress.results)
        if progress.finished:
            break
        if progress.running is None:   # it stopped between tests: go on after the last
            first = progress.last + 1
            if done.timed_out or done.returncode not in (0, None):
                stopped.append(f"Valgrind: the harness stopped (status {done.returncode}) "
                               f"between two tests; a new one went on")
            continue
        index, tid = progress.running   # it died inside this test: a crash of that test
        results[tid] = TestResult(tid, "TIMEOUT" if done.timed_out else "CRASHED", 0, [
            "the test stopped the whole memory check (it ran past the time limit)"
            if done.timed_out else "the test crashed the harness"])
        stopped.append(f"Valgrind: {name(tid)} stopped the harness; a new one went on after it")
        first = index + 1
    checked = [t for t in expected if t in results and results[t].status != "UNSUPPORTED"]
    rest = [t for t in expected if t not in checked]
    tests = dict(results)
    notes = [f"Valgrind: {len(checked)} test(s) checked in one process"
             + (f" ({attempts} harness runs)" if attempts > 1 else "")] + stopped \
        if attempts > 1 or rest else []   # the usual way needs no note
    if rest:
        left = max(30.0, seconds - (time.monotonic() - start))
        tests.update(_per_test(binary, logs, markers, expected, left, runner, only=rest).tests)
        shown = [name(t) for t in rest[:5]] if not hidden else []
        notes.append(f"Valgrind: {len(rest)} test(s) checked one process each"
                     + (f": {', '.join(shown)}{' ...' if len(rest) > 5 else ''}" if shown else ""))
    for tid in expected:
        tests.setdefault(tid, TestResult(tid, "MISSING", 0, ["this test never reported"]))
    return TestRun({t: tests[t] for t in expected}, notes=notes,
                   seconds=time.monotonic() - start)


@dataclass
class HarnessProgress:
    results: dict[str, TestResult]
    running: tuple[int, str] | None   # a test begun and never ended
    last: int                         # index of the last test with a result (-1: none)
    finished: bool


def _read_harness(report: Path) -> HarnessProgress:
    """The harness's report (testkit/mc_harness.c): B, R and E lines, read capped."""
    results, begun, last, finished = {}, {}, -1, False
    for line in read_capped(report, cap=4 << 20).splitlines():
        parts = line.split("\t")
        if parts[0] == "B" and len(parts) >= 3 and parts[1].isdigit():
            begun[int(parts[1])] = parts[2]
        elif parts[0] == "R" and len(parts) >= 6 and parts[1].isdigit():
            index, status, count, tid = int(parts[1]), parts[2], parts[3], parts[4]
            message = _unescape("\t".join(parts[5:]))
            results[tid] = TestResult(tid, status if status in HARNESS_STATUSES else "CRASHED",
                                      int(count) if count.isdigit() else 0,
                                      [message] if message else [])
            begun.pop(index, None)
            last = max(last, index)
        elif parts[0] == "E":
            finished = True
    running = max(begun.items()) if begun else None
    return HarnessProgress(results, running, last, finished)


HARNESS_STATUSES = {"PASSED", "FAILED", "CRASHED", "TIMEOUT", "SKIPPED", "UNSUPPORTED"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


# ---- AddressSanitizer + UBSan ---------------------------------------------

FRAME_RE = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+?):(\d+)(?::\d+)?\s*$")
ASAN_RE = re.compile(r"ERROR: (?:AddressSanitizer|LeakSanitizer): ([\w-]+(?: [\w()-]+)*?)"
                     r"(?: on | \(|$)", re.M)
UBSAN_RE = re.compile(r"^(\S+?):(\d+):\d+: runtime error: (.*)$", re.M)


def _sanitizer_findings(log: str, test: str, student_files: set[str],
                        hidden: bool = False) -> list[Finding]:
    findings = []
    for m in UBSAN_RE.finditer(log):
        file, line, what = m.groups()
        where = f"{Path(file).name}:{line}"
        if Path(file).name not in student_files:
            where += OUTSIDE
        findings.append(Finding("sanitizers", test, "undefined-behaviour",
                                f"has undefined behaviour: {what}", where, what, hidden=hidden,
                                brief="has undefined behaviour"))
    asan = ASAN_RE.search(log)
    if asan:
        kind = asan.group(1).strip()
        blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of)", log) if "leak" in kind \
            else [log[asan.start():]]
        for block in blocks[1:] if "leak" in kind else blocks:
            frames = [(fm.group(1), fm.group(2), fm.group(3))
                      for fm in map(FRAME_RE.match, block.splitlines()) if fm]
            first = block.strip().splitlines()[0] if block.strip() else kind
            findings.append(Finding("sanitizers", test, kind, PLAIN_WORDS.get(kind, kind),
                                    _student_frame(frames, student_files), first, hidden=hidden))
    return findings


def sanitizers(binary: Path, work: Path, student_files: list[str], expected: list[str],
               seconds: float, runner=run, hidden: bool = False,
               jobs: int = 2) -> tuple[TestRun, list[Finding]]:
    """Every test of an ASan+UBSan binary; each report tied to its test. Leaks of a test
    that failed are included: counted() tells which findings count. jobs: test processes
    at a time (`make watch` runs more than the cores: the time goes in starting them)."""
    logs, markers = _fresh_logs(work / "sanitizers")
    env = {"MC_MARKER_DIR": str(markers), "MC_CAPTURE_STDERR": "1",
           "ASAN_OPTIONS": ASAN_OPTIONS, "UBSAN_OPTIONS": UBSAN_OPTIONS}
    tests = run_tests(binary, expected, logs, seconds, env=env, runner=runner, jobs=jobs)
    names = _markers(markers)
    findings = []
    for pid, test in sorted(names.items()):
        log = read_capped(markers / f"{pid}.err")
        findings += _sanitizer_findings(log, test, set(student_files), hidden)
    if hidden:
        tests.mark_hidden()
    return tests, findings + untold("sanitizers", tests)


SKIPPED_LEAK = "a leak in a test that failed is not counted; fix the test first"

# Tests in a suite of this name check that an allocator tells the checkers what it
# knows (poisoned free blocks). They assert it only when a checker runs (under
# Valgrind, or in the ASan build), so their failure there is a finding of that tool.
POISONING_SUITE = "poisoning"
UNTOLD = {"valgrind": "does not tell Valgrind which memory is off limits, so a use of it "
                      "goes unreported",
          "sanitizers": "does not tell AddressSanitizer which memory is off limits, so a use "
                        "of it goes unreported"}


def untold(tool: str, tests: TestRun) -> list[Finding]:
    """A failed poisoning test in this tool's run, as a finding of this tool."""
    out = []
    for tid, t in sorted(tests.tests.items()):
        if tid.split("::")[0] == POISONING_SUITE and t.status == "FAILED":
            why = t.messages[0].strip().splitlines()[0] if t.messages else ""
            out.append(Finding(tool, tid, "not-poisoned",
                               UNTOLD[tool] + (f": {why}" if why else ""), "", why,
                               hidden=t.hidden, brief=UNTOLD[tool]))
    return out


def counted(findings: list[Finding], tests: TestRun) -> tuple[list[Finding], list[Finding]]:
    """(findings that count, leaks that do not): a test that failed an assertion stopped
    before its own clean-up, so its leaks say nothing about the code under test."""
    failed = {tid for tid, t in tests.tests.items() if t.status == "FAILED"}
    skip = [f for f in findings if "eak" in f.kind and f.test in failed]
    return [f for f in findings if f not in skip], skip
