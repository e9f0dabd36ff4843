#!/usr/bin/env python3
"""make bench: the course's allocators against glibc malloc, in the same run.

    make bench            the reference solutions (in the course repository), or your
                          own exercises/ code (in the student kit, which has no solutions)
    make bench OWN=1      your own exercises/ code, wherever you are

For each bench/<name>.c (built -O2 with that exercise's code), three measures:
  - instructions per operation, counted by `valgrind --tool=callgrind` as
    (instr(2N) - instr(N)) / N, which removes start-up and is repeatable on a
    noisy machine: for the whole loop, and inside the allocator alone
    (callgrind's --toggle-collect on <name>_* for ours, on malloc/free/realloc
    for glibc), which is what the targets are about;
  - wall time per operation, best of three runs, as a ratio to glibc's in the
    same run (the figures themselves move by tens of percent between runs here).
Writes build/bench/results.md and prints it. A benchmark, not a test: a missed
target is reported with its figure and the reason, and the exit status is 0.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader.exercises import load_all  # noqa: E402

OUT = ROOT / "build" / "bench"
CFLAGS = ["-O2", "-std=c17", "-D_POSIX_C_SOURCE=200809L", "-DNDEBUG"]


@dataclass
class Target:
    what: str                 # the sentence printed beside the figure
    check: object             # (ours, glibc) instructions -> bool
    why_missed: str = ""      # what the chapter says when it is missed


# What one operation is in each workload is stated at the top of its bench/<name>.c.
WORKLOADS = {
    "arena": (10**6, [Target("allocation at most 20 instructions", lambda o, g: o <= 20,
                             "arena_alloc is an out-of-line function whose fast path checks "
                             "the alignment (5 instructions) and both bounds separately so "
                             "that no sum can wrap; inlined from a header it would be about "
                             "half that (chapter 6.10)"),
                      Target("at least 5x fewer instructions than malloc",
                             lambda o, g: g >= 5 * o)]),
    "pool": (10**5, [Target("alloc+free at least 4x fewer instructions than malloc+free",
                            lambda o, g: g >= 4 * o)]),
    "buddy": (10**5, [Target("alloc+free at most 2x the instructions of malloc+free",
                             lambda o, g: o <= 2 * g)]),
    "vector": (10**6, [Target("push under 10 instructions, amortized", lambda o, g: o < 10,
                              "vector_push is an out-of-line call that copies an element of "
                              "any size with a call to memcpy; the 'inline' mode of "
                              "bench/vector.c, an int-only push inlined, costs about 11 in "
                              "the whole loop (chapter 5.9)")]),
}


def code_dir(exercise, own: bool) -> Path:
    """Whose allocator to measure: the reference, unless asked (or only able) to use
    the student's own working copy."""
    return exercise.dir if own or not exercise.solution_dir.is_dir() else exercise.solution_dir


def build(name: str, work: Path, own: bool) -> Path | None:
    exercise = next((e for e in load_all() if e.name == name), None)
    if exercise is None:
        return None
    binary = work / name
    sources = [ROOT / "bench" / f"{name}.c",
               *(code_dir(exercise, own) / f for f in exercise.student_files)]
    subprocess.run(["gcc", *CFLAGS, f"-I{exercise.dir}", *map(str, sources), "-o", str(binary)],
                   check=True, capture_output=True, text=True)
    return binary


ALLOCATOR_OF_GLIBC = ["malloc", "free", "realloc", "calloc"]


def instructions(binary: Path, mode: str, n: int, only: list[str]) -> int:
    toggles = [f"--toggle-collect={pattern}" for pattern in only]
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *toggles, str(binary), mode, str(n)], capture_output=True,
                          text=True, check=True, timeout=600)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def per_op(binary: Path, mode: str, n: int, only: list[str] | None = None) -> float:
    """Instructions per operation; only the functions matching `only`, when given."""
    def count(k: int) -> int:
        return instructions(binary, mode, k, only or [])
    return (count(2 * n) - count(n)) / n


def wall_per_op(binary: Path, mode: str, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([str(binary), mode, str(n)], check=True, timeout=120)
        best = min(best, time.perf_counter() - start)
    return best / n * 1e9


def main(argv: list[str]) -> int:
    own = "--own" in argv
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["| workload | instr/op in allocator: ours | glibc | glibc/ours | whole loop: ours "
             "| glibc | ns/op: ours | glibc | wall ratio | target |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, targets) in WORKLOADS.items():
            try:
                binary = build(name, Path(tmp), own)
                if binary is None:
                    notes.append(f"{name}: no exercise of that name; skipped")
                    continue
                ours = per_op(binary, "ours", n, [f"{name}_*"])
                glibc = per_op(binary, "glibc", n, ALLOCATOR_OF_GLIBC)
                loop_ours, loop_glibc = per_op(binary, "ours", n), per_op(binary, "glibc", n)
                wall_n = 20 * n
                ours_ns, glibc_ns = wall_per_op(binary, "ours", wall_n), \
                    wall_per_op(binary, "glibc", wall_n)
            except (subprocess.SubprocessError, AttributeError, ZeroDivisionError):
                notes.append(f"{name}: skipped: this {name} does not build or does not run "
                             f"the benchmark correctly yet (finish the exercise first)")
                continue
            verdicts = []
            for t in targets:
                met = t.check(ours, glibc)
                verdicts.append(f"{'met' if met else 'MISSED'}: {t.what}")
                if not met:
                    notes.append(f"{name}: missed '{t.what}' with {ours:.1f} instructions per "
                                 f"operation: {t.why_missed}")
            lines.append(f"| {name} | {ours:.1f} | {glibc:.1f} | {glibc / ours:.2f}x | "
                         f"{loop_ours:.1f} | {loop_glibc:.1f} | {ours_ns:.1f} | {glibc_ns:.1f} | "
                         f"{glibc_ns / ours_ns:.2f}x | {'; '.join(verdicts)} |")
            print(lines[-1], flush=True)
    text = "\n".join(["# memcraft benchmarks", "",
                      f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine; "
                      "instructions by callgrind, (instr(2N) - instr(N)) / N; wall time best "
                      "of 3 runs.", "", *lines, "", *(f"- {n}" for n in notes)]) + "\n"
    (OUT / "results.md").write_text(text)
    print()
    print(text)
    print(f"written to {(OUT / 'results.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
