"""Stage: check memory. Valgrind memcheck and the AddressSanitizer+UBSan build.

Neither tool changes Criterion's verdict (a leak leaves a test PASSED), so
both leave a log per process, named by pid (Valgrind's XML file; the worker's
stderr, which the test kit redirects for the sanitizer run), and the test kit
writes a marker per worker (MC_MARKER_DIR/<pid> holds "suite::test"), which
ties every error to the test that caused it. Logs of the runner process itself (no marker)
are Criterion's own business and are not the student's. Each error is
reported at the first stack frame inside the student's files, in one plain
sentence. Leaks in a test that failed an assertion are skipped: the test
stopped before its own clean-up.
"""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .proc import Limits, read_capped, run
from .run import TestRun, run_tests

VALGRIND = ["valgrind", "--tool=memcheck", "--trace-children=yes", "--xml=yes",
            "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--num-callers=30",
            "--child-silent-after-fork=no", "--vgdb=no", "--read-inline-info=no",
            # the test kit's mc_fail_note() runs addr2line through the shell: not ours to check
            "--trace-children-skip=*/sh,*/addr2line"]
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
        frames = [(f.findtext("fn", "?"), f.findtext("file", ""), f.findtext("line", ""))
                  for f in error.findall("stack/frame")]
        where = _student_frame(frames, student_files)
        findings.append(Finding("valgrind", test, kind, PLAIN_WORDS.get(kind, what), where,
                                what.strip(), hidden=hidden))
    return findings


def valgrind(binary: Path, work: Path, student_files: list[str], expected: list[str],
             seconds: float, runner=run, hidden: bool = False) -> tuple[TestRun, list[Finding]]:
    """Every test of binary under memcheck; each error tied to its test. Leaks of a test
    that failed are included: counted() tells which findings count."""
    logs, markers = _fresh_logs(work / "valgrind")
    wrap = [*VALGRIND, f"--xml-file={logs}/vg.%p.xml"]
    limits = Limits(wall_seconds=seconds, cpu_seconds=int(seconds * 2) + 10)
    tests = run_tests(binary, expected, logs, seconds, env={"MC_MARKER_DIR": str(markers)},
                      runner=runner, jobs=1, wrap=wrap, limits=limits)
    names = _markers(markers)
    findings = []
    for xml_path in sorted(logs.glob("vg.*.xml")):
        pid = xml_path.name.split(".")[1]
        if pid in names:
            findings += _valgrind_findings(xml_path, names[pid], set(student_files), hidden)
    if hidden:
        tests.mark_hidden()
    return tests, findings + untold("valgrind", tests)


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
               seconds: float, runner=run, hidden: bool = False) -> tuple[TestRun, list[Finding]]:
    """Every test of an ASan+UBSan binary; each report tied to its test. Leaks of a test
    that failed are included: counted() tells which findings count."""
    logs, markers = _fresh_logs(work / "sanitizers")
    env = {"MC_MARKER_DIR": str(markers), "MC_CAPTURE_STDERR": "1",
           "ASAN_OPTIONS": ASAN_OPTIONS, "UBSAN_OPTIONS": UBSAN_OPTIONS}
    tests = run_tests(binary, expected, logs, seconds, env=env, runner=runner)
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
