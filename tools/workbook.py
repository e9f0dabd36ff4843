#!/usr/bin/env python3
"""The student's commands: check, watch, memcheck, asan, lint, hint, reset, grade, submit.

    make check              every exercise: public tests + ASan/UBSan, one table with
                            your best result so far and the hidden tests still to come
    make check EX=03        one exercise, with Criterion's full output
    make watch [EX=03]      re-checks the current exercise on every save (studentlib/watch.py)
    make memcheck EX=03     Valgrind (slow: about a second per test)
    make asan EX=03         AddressSanitizer + UBSan, with the errors explained
    make lint EX=03         clang-tidy with the repo's .clang-tidy
    make hint EX=03         the next hint
    make reset EX=03        your file back to the stub, after asking (a copy is kept)
    make grade [EX=03]      the grader on your work: public tests, Valgrind, sanitizers, lint
    make submit             build/submission.tar.gz with your files and a manifest

They run the grader's own stages on your working tree (public tests only), so
what you see here is what the grader checks, less the hidden tests.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import signal
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from studentlib import grade, hints, memcheck, progress, reset, watch  # noqa: E402
from studentlib.common import BUILD, ROOT, dim, green, red, rel, work_dir  # noqa: E402
from mcgrader import build, exercises, memory, pipeline, run as run_stage  # noqa: E402
from mcgrader.exercises import Exercise, ExerciseError  # noqa: E402


# ---- make check: the progress table ---------------------------------------

def check_one(ex: Exercise) -> pipeline.ExerciseResult:
    opt = pipeline.Options(hidden=False, stages=("tests", "sanitizers"), audit=False, jobs=1)
    return pipeline.check(ex, ex.dir, work_dir(ex), opt)


def status_of(res: pipeline.ExerciseResult) -> tuple[str, bool]:
    if not res.built:
        return "does not compile", False
    run = res.tests
    total = len(run.tests)
    if run.problem:
        return "test run broke", False
    if total == 0:
        return "no tests", False
    sanitizers_clean = not res.findings.get("sanitizers")
    if run.passed == total and sanitizers_clean:
        return "passed", True
    if run.passed == total:
        return "sanitizer errors", False
    return "in progress" if run.passed else "not started", False


def print_table(results: list[pipeline.ExerciseResult]) -> bool:
    data = progress.load()
    rows = [progress.HEADER]
    passed_all, next_ex, tests_done, tests_total, hidden_total = 0, None, 0, 0, 0
    for res in results:
        ex = res.exercise
        status, ok = status_of(res)
        if res.tests:
            tests = f"{res.tests.passed}/{len(res.tests.tests)}"
            tests_done += res.tests.passed
            tests_total += len(res.tests.tests)
        else:
            tests = "-"
        found = res.findings.get("sanitizers")
        san = "-" if found is None or not res.built else \
            ("clean" if not found else f"{len(found)} error(s)")
        rows.append(progress.row(ex, tests, san, memcheck.column(ex), status, data))
        hidden_total += progress.hidden_count(ex) or 0
        passed_all += ok
        if not ok and next_ex is None:
            next_ex = ex
    for line in progress.table(rows):
        print(line)
    for line in progress.footer(len(results), passed_all, tests_done, tests_total,
                                hidden_total):
        print(line)
    print(progress.next_line(next_ex, rel(next_ex.readme) if next_ex else ""))
    return next_ex is None


def record_results(results: list[pipeline.ExerciseResult], digests: dict[str, str]) -> None:
    progress.record([(res.exercise, res.tests.passed if res.tests else 0,
                      len(res.tests.tests) if res.tests else 0, status_of(res)[1],
                      digests[res.exercise.folder]) for res in results])


def cmd_check_all(_args) -> int:
    every = exercises.load_all()
    BUILD.mkdir(exist_ok=True)
    (BUILD / "compile_commands.json").write_text(
        json.dumps(build.compile_commands(every), indent=1) + "\n")
    digests = {ex.folder: progress.digest(ex) for ex in every}   # what is checked
    with ThreadPoolExecutor(max_workers=pipeline.cpu_count()) as pool:
        results = list(pool.map(check_one, every))
    record_results(results, digests)
    return 0 if print_table(results) else 1


# ---- one exercise ---------------------------------------------------------

def build_or_explain(ex: Exercise, variant: str) -> build.Build | None:
    made = build.build(ex, ex.dir, work_dir(ex), variant, ex.public_tests())
    if made.ok:
        return made
    print(red(f"{ex.folder}: {made.failed_file} does not compile:"))
    print(made.errors)
    return None


def print_findings(title: str, findings: list, clean_text: str, skipped=()) -> None:
    for f in skipped:
        print(f"  - {f.line()}")
        print(dim(f"      {memory.SKIPPED_LEAK}"))
    if not findings:
        clean = clean_text if not skipped else clean_text + ", apart from the leaks above"
        print(green(f"{title}: {clean}"))
        return
    print(red(f"{title}: {len(findings)} problem(s)"))
    for f in findings:
        print(f"  - {f.line()}")
        if getattr(f, "detail", "") and f.detail not in f.sentence:
            print(dim(f"      {f.detail.strip()[:200]}"))


def cmd_check_one(ex: Exercise) -> int:
    files = progress.digest(ex)
    made = build_or_explain(ex, "plain")
    if made is None:
        progress.record([(ex, 0, 0, False, files)])
        return 1
    binary = made.binary
    print(dim(f"== {ex.folder}: public tests =="))
    report = work_dir(ex) / "check-public.xml"
    report.unlink(missing_ok=True)
    tests = subprocess.run([str(binary), "-j1", f"--xml={report}"], cwd=work_dir(ex),
                           timeout=ex.run_seconds * 2)
    print(dim(f"== {ex.folder}: AddressSanitizer + UBSan =="))
    asan_ok = cmd_asan_one(ex) == 0
    found = run_stage.parse_report(report) or {}
    passed = sum(t.passed for t in found.values())
    ok = tests.returncode == 0 and asan_ok and bool(found)
    progress.record([(ex, passed, len(found), ok, files)])
    print(dim(f"Read {rel(ex.readme)}; stuck? `make hint EX={ex.handle}`; "
              f"`make watch EX={ex.handle}` re-checks on every save."))
    return 0 if ok else 1


def cmd_asan_one(ex: Exercise) -> int:
    made = build_or_explain(ex, "asan")
    if made is None:
        return 1
    binary = made.binary
    expected = run_stage_list(binary)
    run, found = memory.sanitizers(binary, work_dir(ex), list(ex.student_files), expected,
                                   ex.run_seconds * 2)
    found, skipped = memory.counted(found, run)
    print_findings("sanitizers", found, "no errors found by AddressSanitizer or UBSan", skipped)
    return 1 if found else 0


def cmd_memcheck_one(ex: Exercise) -> int:
    print(dim(f"== {ex.folder}: Valgrind (the public tests, in one process) =="))
    done = memcheck.memcheck(ex)
    if done.compile_error:
        print(red(f"{ex.folder}: {done.failed_file} does not compile:"))
        print(done.compile_error)
        return 1
    print_findings("valgrind", done.findings, "no leaks and no memory errors", done.skipped)
    return 1 if done.findings else 0


def cmd_lint_one(ex: Exercise) -> int:
    warnings, error = pipeline.lint_stage.lint(ex, ex.dir, advice=True)
    if error:
        print(red(error))
        return 1
    counted = [w for w in warnings if not w.advice]
    print_findings("clang-tidy", warnings, "no warnings")
    if warnings and not counted:
        print(green("clang-tidy: only advice above, which costs no points"))
    return 1 if counted else 0


def run_stage_list(binary: Path) -> list[str]:
    return pipeline.run_stage.list_tests(binary)


# ---- hints ----------------------------------------------------------------

def cmd_hint_one(ex: Exercise) -> int:
    hint = hints.next_hint(ex)
    if hint is None:
        print(f"{ex.folder} has no hints yet; re-read {rel(ex.readme)}.")
        return 0
    print(f"Hint {hint.number} of {hint.total} for {ex.number} {ex.name} (EX={ex.handle}):\n")
    print(hint.text)
    if not hint.last:
        print(dim(f"\n(`make hint EX={ex.handle}` again for the next one)"))
    else:
        print(dim(f"\n(that was the last hint; `make hint EX={ex.handle} RESET=1` starts over)"))
    return 0


# ---- submit ---------------------------------------------------------------

def cmd_submit(_args) -> int:
    every = exercises.load_all()
    out = BUILD / "submission.tar.gz"
    BUILD.mkdir(exist_ok=True)
    manifest = {"memcraft": 1, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "files": []}
    with tarfile.open(out, "w:gz") as tar:
        for ex in every:
            for name in ex.student_files:
                path = ex.dir / name
                data = path.read_bytes()
                arcname = f"{ex.folder}/{name}"
                manifest["files"].append({"exercise": ex.folder, "path": arcname,
                                          "sha256": hashlib.sha256(data).hexdigest(),
                                          "bytes": len(data)})
                tar.add(path, arcname=arcname)
        blob = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size, info.mtime = len(blob), int(time.time())
        tar.addfile(info, io.BytesIO(blob))
    print(f"Wrote {out.relative_to(ROOT)} with {len(manifest['files'])} file(s):")
    for f in manifest["files"]:
        print(f"  {f['path']}  ({f['bytes']} bytes)")
    print("Hand in that file. Your instructor grades it with hidden tests as well.")
    return 0


# ---- command line -----------------------------------------------------------

ONE = {"check": cmd_check_one, "memcheck": cmd_memcheck_one, "asan": cmd_asan_one,
       "lint": cmd_lint_one, "hint": cmd_hint_one}
NEEDS_ONE = ("hint", "reset")   # commands that act on exactly one exercise


def one_exercise(command: str, key: str) -> Exercise | None:
    """The one exercise key names, or None after saying what to type instead."""
    if not key:
        print(f"Say which exercise: make {command} EX=03")
        return None
    chosen = exercises.select([key])
    if len(chosen) > 1:
        print(f"EX={key} names {len(chosen)} exercises; say which one:")
        for ex in chosen:
            print(f"  make {command} EX={ex.handle}    ({ex.title})")
        return None
    return chosen[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=[*ONE, "watch", "reset", "grade", "submit", "list"])
    parser.add_argument("exercise", nargs="?", default="",
                        help="number or name (03, vector); all exercises when left out")
    parser.add_argument("--reset", action="store_true", help="hint: start the hints over")
    parser.add_argument("--yes", action="store_true", help="reset: do not ask")
    parser.add_argument("--poll", action="store_true",
                        help="watch: poll for changes instead of using inotify")
    args = parser.parse_args(argv)
    try:
        if args.command == "submit":
            return cmd_submit(args)
        if args.command == "list":
            for ex in exercises.load_all():
                print(f"{ex.number} {ex.name:<20} {ex.title}  (EX={ex.handle})")
            return 0
        if args.command == "check" and not args.exercise:
            return cmd_check_all(args)
        if args.command == "watch":
            return watch.main(args.exercise, poll=args.poll)
        if args.command == "grade":
            return grade.main(exercises.select([args.exercise] if args.exercise else []))
        if args.command in NEEDS_ONE:
            ex = one_exercise(args.command, args.exercise)
            if ex is None:
                return 2
            if args.command == "reset":
                return reset.main(ex, assume_yes=args.yes)
            if args.reset:
                hints.forget(ex)
            return cmd_hint_one(ex)
        chosen = exercises.select([args.exercise] if args.exercise else [])
        codes = [ONE[args.command](ex) for ex in chosen]
        return max(codes, default=0)
    except ExerciseError as err:
        print(red(str(err)))
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `make hint | head` ends quietly
    sys.exit(main(sys.argv[1:]))
