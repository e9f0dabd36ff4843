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


HEAP_TARGETS = [
    ("average utilization over the generated traces", lambda f: f["util_generated"] >= 0.85,
     "at least 85%"),
    ("average utilization over the recorded traces", lambda f: f["util_recorded"] >= 0.80,
     "at least 80%"),
    ("throughput on the traces", lambda f: f["speed"] >= 0.8, "at least 0.8x glibc"),
    ("real programs under LD_PRELOAD", lambda f: f["identical"] == f["programs"],
     "every one gives identical output"),
    ("peak RSS of the real programs", lambda f: f["rss_max"] <= 1.3, "at most 1.3x glibc"),
]


def heap_bench() -> list[str]:
    """Exercise 09's reference heap: the figures the performance stage measures (traces,
    the shared object, real programs), against the course's targets. Trusted code: no
    sandbox."""
    from mcgrader import fetch, perf
    from mcgrader.proc import run as run_plain
    ex = next((e for e in load_all() if "performance" in e.rubric), None)
    if ex is None or not ex.solution_dir.exists():
        return []
    with tempfile.TemporaryDirectory() as tmp:
        staged = fetch.stage(ex, ex.solution_dir, Path(tmp) / "files")
        got = perf.check(ex, staged.folder, Path(tmp), run_plain, calibrating=True)
    f = got.figures
    if not f.get("traces") or not got.ran or got.score < got.max_score:
        return [f"- {ex.folder}: the performance checks failed: {'; '.join(got.reasons)}"]
    recorded = {p.name[:-len(".trace.gz")] for p in (ex.dir / "traces").glob("*.trace.gz")}
    gen = [t["util"] for t in f["traces"] if t["name"] not in recorded]
    rec = [t["util"] for t in f["traces"] if t["name"] in recorded]
    progs = [p for p in f["programs"] if "same" in p]
    rss = [p["heap"]["maxrss_kb"] / p["glibc"]["maxrss_kb"] for p in progs]
    figures = {"util_generated": sum(gen) / len(gen), "util_recorded": sum(rec) / len(rec),
               "speed": f["speed"], "programs": len(progs),
               "identical": sum(1 for p in progs if p["same"]), "rss_max": max(rss)}
    shown = [f"{figures['util_generated']:.1%}", f"{figures['util_recorded']:.1%}",
             f"{figures['speed']:.2f}x glibc",
             f"{figures['identical']} of {figures['programs']} identical",
             f"{min(rss):.2f}x to {max(rss):.2f}x glibc"]
    lines = ["", f"## {ex.folder}: the reference heap", "",
             "| measure | reference | target | |", "|---|---|---|---|"]
    for (what, check, target), value in zip(HEAP_TARGETS, shown):
        lines.append(f"| {what} | {value} | {target} | {'met' if check(figures) else 'MISSED'} |")
    lines += ["", "| real program | output | wall | peak RSS |", "|---|---|---|---|"]
    for p in progs:
        g, h = p["glibc"], p["heap"]
        lines.append(f"| {p['name']} | {'identical' if p['same'] else 'DIFFERENT'} | "
                     f"{h['seconds'] / g['seconds']:.2f}x | "
                     f"{h['maxrss_kb'] / g['maxrss_kb']:.2f}x |")
    lines += ["", f"Traces: {len(gen)} generated, {len(rec)} recorded; speed is the geometric "
              f"mean of glibc's time / the heap's per trace, best of {perf.REPEATS} runs each; "
              "wall and RSS are multiples of the same program on glibc's malloc."]
    return lines


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
    heap = [] if own else heap_bench()   # the reference heap (exercise 09)
    text = "\n".join(["# memcraft benchmarks", "",
                      f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine; "
                      "instructions by callgrind, (instr(2N) - instr(N)) / N; wall time best "
                      "of 3 runs.", "", *lines, "", *(f"- {n}" for n in notes), *heap]) + "\n"
    (OUT / "results.md").write_text(text)
    print()
    print(text)
    print(f"written to {(OUT / 'results.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
