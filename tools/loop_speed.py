#!/usr/bin/env python3
"""How long `make watch` takes from a save to its result: a benchmark, not a test.

    python3 tools/loop_speed.py [--exercise 03] [--saves 10]

In a temporary copy of the repository (nothing of the working tree changes), it
starts the watch loop on one exercise with its output in a pipe, then saves the
student's file again and again, as an editor would (a real edit each time: a
comment with a new number), and times each save until the watch prints the new
result. Two versions of the file: the stub (every test fails at once) and the
reference solution with one mistake (a mutant of grader/mutants/: every test runs
its full course, one fails), which is what a student near the end sees. For
comparison, it also times `make check EX=..` once per version, which runs the same
stages one after the other.
"""
from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader.exercises import select as select_exercises  # noqa: E402

IGNORED = shutil.ignore_patterns("build", ".git", "__pycache__")


class Watch:
    """The watch loop in a pipe, read frame by frame."""

    def __init__(self, repo: Path, handle: str) -> None:
        env = {**os.environ, "NO_COLOR": "1"}
        self.proc = subprocess.Popen([sys.executable, "tools/workbook.py", "watch", handle],
                                     cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env)
        self.buffer = b""

    def frame(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" + b"-" * 20 + b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("the watch printed no frame in time")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("the watch ended")
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\n" + b"-" * 20 + b"\n", 1)
        return text.decode(errors="replace")

    def result(self) -> str:
        """The next frame with a finished check in it."""
        while True:
            text = self.frame()
            if "checked in" in text and "checking again" not in text:
                return text

    def stop(self) -> None:
        self.proc.stdin.write(b"q")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def mutant_version(repo: Path, folder: str, patch: Path) -> str:
    work = Path(tempfile.mkdtemp(prefix="memcraft-speed-mutant-"))
    shutil.copytree(repo / "solutions" / folder, work, dirs_exist_ok=True)
    subprocess.run(["patch", "-p1", "-s", "-d", str(work), "-i", str(patch)], check=True)
    files = sorted(p for p in work.iterdir() if p.suffix == ".c")
    text = files[0].read_text()
    shutil.rmtree(work)
    return text


def time_saves(repo: Path, ex, text: str, saves: int) -> list[float]:
    target = repo / "exercises" / ex.folder / ex.student_files[0]
    target.write_text(text)
    watch = Watch(repo, ex.handle)
    try:
        watch.result()                                 # the first check: builds everything
        times = []
        for n in range(saves):
            target.write_text(text + f"/* edit {n} */\n")
            start = time.monotonic()
            frame = watch.result()
            times.append(time.monotonic() - start)
            if ex.number + " " + ex.name not in frame.splitlines()[0]:
                raise RuntimeError("the watch moved away from the exercise:\n" + frame)
        return times
    finally:
        watch.stop()


def time_make_check(repo: Path, ex, text: str) -> float:
    target = repo / "exercises" / ex.folder / ex.student_files[0]
    target.write_text(text + "/* make check */\n")
    start = time.monotonic()
    subprocess.run(["make", "-s", "check", f"EX={ex.handle}"], cwd=repo,
                   capture_output=True, timeout=600)
    return time.monotonic() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", default="03")
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args(argv)
    ex = select_exercises([args.exercise])[0]
    print(f"machine: {os.cpu_count()} CPUs, load average at start "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="memcraft-speed-") as tmp:
        repo = Path(tmp) / "memcraft"
        shutil.copytree(ROOT, repo, ignore=IGNORED)
        stub = (repo / "exercises" / ex.folder / ex.student_files[0]).read_text()
        patch = next(p for p in ex.mutants() if "Category: tests" in p.read_text())
        versions = {"stub": stub, f"solution with one mistake ({patch.stem})":
                    mutant_version(repo, ex.folder, patch)}
        print(f"| {ex.folder}: file saved | save to result: median | min | max | "
              f"`make check EX={ex.handle}` |")
        print("|---|---|---|---|---|")
        for name, text in versions.items():
            times = time_saves(repo, ex, text, args.saves)
            check = time_make_check(repo, ex, text)
            print(f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f} s | "
                  f"{max(times):.2f} s | {check:.2f} s |", flush=True)
    print(f"({args.saves} saves each; load average at the end "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
