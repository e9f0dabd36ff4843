#!/usr/bin/env python3
"""The student's commands: check, memcheck, asan, lint, hint, submit.

    make check              every exercise: public tests + ASan/UBSan, one table
    make check EX=03        one exercise, with Criterion's full output
    make memcheck EX=03     Valgrind (slow: about a second per test)
    make asan EX=03         AddressSanitizer + UBSan, with the errors explained
    make lint EX=03         clang-tidy with the repo's .clang-tidy
    make hint EX=03         the next hint
    make submit             build/submission.tar.gz with your files and a manifest

They run the grader's own stages on your working tree (public tests only), so
what you see here is what the grader checks, less the hidden tests.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader"))

from mcgrader import build, exercises, memory, pipeline  # noqa: E402
from mcgrader.exercises import ROOT, Exercise, ExerciseError  # noqa: E402

BUILD = ROOT / "build"
COLOR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def green(t: str) -> str:
    return paint(t, "32")


def red(t: str) -> str:
    return paint(t, "31")


def dim(t: str) -> str:
    return paint(t, "2")


def work_dir(ex: Exercise) -> Path:
    return BUILD / ex.folder


# ---- make check: the progress table ---------------------------------------

def check_one(ex: Exercise) -> pipeline.ExerciseResult:
    opt = pipeline.Options(hidden=False, stages=("tests", "sanitizers"), audit=False, jobs=1)
    return pipeline.check(ex, ex.dir, work_dir(ex), opt)


def valgrind_column(ex: Exercise) -> str:
    saved = work_dir(ex) / "memcheck.json"
    if not saved.exists():
        return "not run"
    data = json.loads(saved.read_text())
    newest = max((ex.dir / f).stat().st_mtime for f in ex.student_files)
    state = "clean" if data["errors"] == 0 else f"{data['errors']} error(s)"
    return state + (" (before your last edit)" if newest > data["time"] else "")


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


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def print_table(results: list[pipeline.ExerciseResult]) -> bool:
    rows = [("exercise", "tests", "sanitizers", "valgrind", "status")]
    passed_all, next_ex, tests_done, tests_total = 0, None, 0, 0
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
        rows.append((f"{ex.number} {ex.name}", tests, san, valgrind_column(ex), status))
        passed_all += ok
        if not ok and next_ex is None:
            next_ex = ex
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, row in enumerate(rows):
        cells = [c.ljust(w) for c, w in zip(row, widths)]
        if n:
            cells[4] = green(cells[4]) if row[4] == "passed" else red(cells[4])
        print("  ".join(cells).rstrip())
    total = len(results)
    print()
    print(f"{progress_bar(passed_all, total)} {passed_all}/{total} exercises passed, "
          f"{tests_done}/{tests_total} public tests")
    print(dim("Hidden tests, Valgrind and clang-tidy also count when your work is graded "
              "(make memcheck, make lint); the Valgrind, sanitizer and lint points are scaled "
              "by the share of test points you earn."))
    if next_ex:
        print(f"Next: {next_ex.number} {next_ex.name}: read "
              f"{next_ex.readme.relative_to(ROOT)}, then run `make check EX={next_ex.handle}`")
    else:
        print(green("Every exercise passes. Run `make memcheck` and `make lint` before you "
                    "submit (`make submit`)."))
    return next_ex is None


def cmd_check_all(_args) -> int:
    every = exercises.load_all()
    BUILD.mkdir(exist_ok=True)
    (BUILD / "compile_commands.json").write_text(
        json.dumps(build.compile_commands(every), indent=1) + "\n")
    with ThreadPoolExecutor(max_workers=pipeline.cpu_count()) as pool:
        results = list(pool.map(check_one, every))
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
    made = build_or_explain(ex, "plain")
    if made is None:
        return 1
    binary = made.binary
    print(dim(f"== {ex.folder}: public tests =="))
    tests = subprocess.run([str(binary), "-j1"], cwd=work_dir(ex), timeout=ex.run_seconds * 2)
    print(dim(f"== {ex.folder}: AddressSanitizer + UBSan =="))
    asan_ok = cmd_asan_one(ex) == 0
    print(dim(f"Read {ex.readme.relative_to(ROOT)}; stuck? `make hint EX={ex.handle}`."))
    return 0 if tests.returncode == 0 and asan_ok else 1


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
    made = build_or_explain(ex, "plain")
    if made is None:
        return 1
    binary = made.binary
    expected = run_stage_list(binary)
    print(dim(f"== {ex.folder}: Valgrind ({len(expected)} tests, in one process) =="))
    tests, found = memory.valgrind(binary, work_dir(ex), list(ex.student_files), expected,
                                   ex.run_seconds + 4 * len(expected) + 30,
                                   harness=build.harness(ex, made, work_dir(ex)))
    found, skipped = memory.counted(found, tests)
    (work_dir(ex) / "memcheck.json").write_text(json.dumps(
        {"time": time.time(), "errors": len(found), "findings": [f.line() for f in found]}))
    print_findings("valgrind", found, "no leaks and no memory errors", skipped)
    return 1 if found else 0


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
    path = ex.dir / "hints.md"
    text = path.read_text() if path.exists() else ""
    hints = [h.strip() for h in re.split(r"^## Hint \d+.*$", text, flags=re.M)[1:] if h.strip()]
    if not hints:
        print(f"{ex.folder} has no hints yet; re-read {ex.readme.relative_to(ROOT)}.")
        return 0
    state = work_dir(ex) / "hints-shown"
    shown = int(state.read_text()) if state.exists() else 0
    index = min(shown, len(hints) - 1)
    print(f"Hint {index + 1} of {len(hints)} for {ex.number} {ex.name} (EX={ex.handle}):\n")
    print(hints[index])
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(str(index + 1))
    if index + 1 < len(hints):
        print(dim(f"\n(`make hint EX={ex.handle}` again for the next one)"))
    else:
        print(dim("\n(that was the last hint; `make hint EX=... RESET=1` starts over)"))
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=[*ONE, "submit", "list"])
    parser.add_argument("exercise", nargs="?", default="",
                        help="number or name (03, vector); all exercises when left out")
    parser.add_argument("--reset", action="store_true", help="hint: start the hints over")
    args = parser.parse_args(argv)
    try:
        if args.command == "submit":
            return cmd_submit(args)
        if args.command == "list":
            for ex in exercises.load_all():
                print(f"{ex.number} {ex.name:<20} EX={ex.handle:<14} {ex.title}")
            return 0
        if args.command == "check" and not args.exercise:
            return cmd_check_all(args)
        if args.command == "hint" and not args.exercise:
            print("Say which exercise: make hint EX=03")
            return 2
        chosen = exercises.select([args.exercise] if args.exercise else [])
        if args.command == "hint" and len(chosen) > 1:
            print(f"EX={args.exercise} names {len(chosen)} exercises; say which one:")
            for ex in chosen:
                print(f"  make hint EX={ex.handle}    ({ex.title})")
            return 2
        if args.reset:
            for ex in chosen:
                (work_dir(ex) / "hints-shown").unlink(missing_ok=True)
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
