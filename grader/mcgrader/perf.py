"""Stage: performance. Only for an exercise whose rubric gives it points (09-heap).

Builds the student's files again at -O2 with the strict flags, in the sandbox,
and audits those objects too. Links them (trusted links of audited objects)
with our trace driver, and into a shared object with the preload files. Then,
every program in the sandbox:

  1. the trace driver (exercises/NN/driver/driver.c) over every trace: each
     payload aligned, inside the heap, overlapping no live payload, realloc
     keeping the contents; utilization; throughput against glibc's malloc,
     measured in the same run;
  2. the probe (driver/probe.c) under LD_PRELOAD: the shared object's own
     contract (aligned_alloc, posix_memalign, malloc_usable_size, bad frees
     that abort, several threads at once);
  3. real programs, run once on glibc's malloc and once under LD_PRELOAD; their
     output must be identical. Real programs only see /usr and their own
     folder, so `git log` runs on a repository this stage creates there.

Any error in 1 to 3 zeroes the category, with the reason. Otherwise

    points * (0.6 * utilization band + 0.4 * speed band)

Each band compares the student's figure with the reference solution's on the
same host (calibrate.py measures the reference through this same stage):
UTIL_BAND and SPEED_BAND give the fractions of the reference's figure that earn
nothing and everything, linear in between. Nothing depends on the machine: the
speed figure is a ratio to glibc in the same run, and the reference's ratio is
measured on the grading host.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .build import COMPILE_LIMITS, STD, STRICT
from .exercises import ROOT, Exercise
from .proc import Limits, run

UTIL_BAND = (0.70, 0.85)     # utilization / reference's: 0 points at 70%, all at 85%
SPEED_BAND = (0.15, 0.40)    # speed / reference's: 0 points at 15%, all at 40% (shared hosts are noisy)
WEIGHTS = (0.6, 0.4)         # utilization, speed
PERF_FLAGS = ["-O2", "-fPIC", "-DNDEBUG"]
TRUSTED_FLAGS = ["-std=c17", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
SORT_LINES = 150_000
REPEATS = 7                  # timed runs of each trace, for each allocator


@dataclass
class Program:
    name: str
    argv: list[str]                # "{in}" stands for the read-only folder of inputs
    cwd: str = ""                  # inside the inputs ("repo"); "" is the run's own folder
    outputs: list[str] = field(default_factory=list)   # files compared besides stdout


PROGRAMS = [
    Program("ls -lR /usr/include", ["ls", "-lR", "/usr/include"]),
    Program("sort of 150000 words", ["sort", "{in}/words.txt"]),
    Program("sort --parallel=2 (threads)", ["sort", "--parallel=2", "-S", "32M",
                                            "{in}/words.txt"]),
    Program("python3 churning dicts and strings", ["python3", "{in}/churn.py"]),
    Program("gcc -c driver.c", ["gcc", "-std=c17", "-O2", "-I{in}", "-c", "{in}/driver.c", "-o",
                                "driver.o"], outputs=["driver.o"]),
    Program("git log --stat", ["git", "log", "--stat"], cwd="repo"),
]


@dataclass
class Finding:
    """A reason this category lost points, shaped like the other stages' findings."""
    text: str
    test: str = ""
    hidden: bool = False

    def key(self) -> tuple[str, str, str]:
        return "performance", self.text, ""

    def line(self, student: bool = False) -> str:
        return self.text


@dataclass
class Outcome:
    score: float = 0.0
    max_score: float = 0.0
    ran: bool = True
    reasons: list[str] = field(default_factory=list)   # why points were lost
    figures: dict = field(default_factory=dict)         # what was measured
    notes: list[str] = field(default_factory=list)


def band(value: float, reference: float, edges: tuple[float, float]) -> float:
    """0..1: value as a share of reference, mapped linearly from edges[0] to edges[1]."""
    if reference <= 0:
        return 1.0
    share = value / reference
    return max(0.0, min(1.0, (share - edges[0]) / (edges[1] - edges[0])))


def score_figures(figures: dict, reference: dict, points: float) -> tuple[float, list[str]]:
    """Points for utilization and speed, with a sentence for each part that lost some."""
    util = band(figures["util"], reference["util"], UTIL_BAND)
    speed = band(figures["speed"], reference["speed"], SPEED_BAND)
    score = round(points * (WEIGHTS[0] * util + WEIGHTS[1] * speed), 2)
    reasons = []
    if util < 1:
        reasons.append(
            f"utilization {figures['util']:.1%} on average over the traces, "
            f"{figures['util'] / reference['util']:.0%} of the reference's {reference['util']:.1%} "
            f"(full marks from {UTIL_BAND[1]:.0%} of it, none below {UTIL_BAND[0]:.0%}): "
            f"-{points * WEIGHTS[0] * (1 - util):.2f}")
    if speed < 1:
        reasons.append(
            f"speed {figures['speed']:.2f}x glibc's on the traces, "
            f"{figures['speed'] / reference['speed']:.0%} of the reference's "
            f"{reference['speed']:.2f}x in the same conditions (full marks from "
            f"{SPEED_BAND[1]:.0%} of it, none below {SPEED_BAND[0]:.0%}): "
            f"-{points * WEIGHTS[1] * (1 - speed):.2f}")
    return score, reasons


def speed_of(traces: list[dict]) -> float:
    """The geometric mean over the traces of glibc's time / the heap's (best of REPEATS
    runs of each, interleaved): a burst of load on a shared machine moves one trace's
    ratio, not the figure."""
    logs = [math.log(t["glibc_seconds"] / t["ours_seconds"]) for t in traces
            if t["ok"] and t["ours_seconds"] > 0 and t["glibc_seconds"] > 0]
    return math.exp(sum(logs) / len(logs)) if logs else 0.0


# ---- preparing the traces and the programs' inputs (trusted) --------------------

def prepare_traces(ex: Exercise, dest: Path) -> list[Path]:
    """Generated traces (tools/heaptrace.py) and the recorded ones, checked against
    traces/SHA256SUMS; raises RuntimeError when a trace is missing or differs."""
    dest.mkdir(parents=True, exist_ok=True)
    made = run([sys.executable, str(ROOT / "tools" / "heaptrace.py"), "--out", str(dest)],
               cwd=dest, limits=Limits(wall_seconds=120))
    if not made.ok:
        raise RuntimeError(f"the trace generator failed: {made.stderr[-500:]}")
    for packed in sorted((ex.dir / "traces").glob("*.trace.gz")):
        (dest / packed.name[:-3]).write_bytes(gzip.decompress(packed.read_bytes()))
    sums = ex.dir / "traces" / "SHA256SUMS"
    traces = []
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        path = dest / name
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise RuntimeError(f"trace {name} is missing or differs from traces/SHA256SUMS")
        traces.append(path)
    return traces


def prepare_programs(ex: Exercise, folder: Path) -> None:
    """The real programs' inputs, in folder/inputs (read-only to every run): a file of
    words, our Python program, a C file and a git repository of 40 commits."""
    if folder.exists():
        shutil.rmtree(folder)
    dest = folder / "inputs"
    dest.mkdir(parents=True)
    x, words = 12345, []
    for _ in range(SORT_LINES):
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        length = 1 + (x >> 59) + (x >> 61)
        words.append("".join(chr(97 + ((x >> (5 * k)) % 26)) for k in range(length)))
    (dest / "words.txt").write_text("\n".join(words) + "\n")
    shutil.copy(ex.dir / "driver" / "churn.py", dest / "churn.py")
    shutil.copy(ex.dir / "driver" / "driver.c", dest / "driver.c")
    for header in ex.headers:
        shutil.copy(ex.dir / header, dest / header)
    repo = dest / "repo"
    repo.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(dest), "GIT_AUTHOR_NAME": "memcraft",
           "GIT_AUTHOR_EMAIL": "memcraft@example.org", "GIT_COMMITTER_NAME": "memcraft",
           "GIT_COMMITTER_EMAIL": "memcraft@example.org", "GIT_CONFIG_NOSYSTEM": "1"}
    steps = [["git", "init", "-q", "-b", "main"]]
    for i in range(40):
        steps.append(["git", "add", "-A"])
        steps.append(["git", "commit", "-q", "--allow-empty", "-m",
                      f"change {i}: {'more words ' * (i % 7)}".strip(),
                      f"--date=2024-01-{1 + i % 28:02d}T12:00:00Z"])
    for i, cmd in enumerate(steps):
        if cmd[1] == "add":
            (repo / f"file{i % 9}.txt").write_text(f"line {i}\n" * (i + 1))
        done = run(cmd, cwd=repo, env={**env, "GIT_COMMITTER_DATE": "2024-02-01T00:00:00Z"},
                   limits=Limits(wall_seconds=60))
        if not done.ok:
            raise RuntimeError(f"could not build the git repository: {done.stderr[-300:]}")


# ---- building ---------------------------------------------------------------------

def _compile(source: Path, obj: Path, flags: list[str], runner, readable: list[Path]) -> str:
    """'' when it compiled, else the compiler's first lines."""
    obj.parent.mkdir(parents=True, exist_ok=True)
    done = runner(["gcc", *flags, "-c", str(source), "-o", str(obj)], cwd=obj.parent,
                  limits=COMPILE_LIMITS, readable=readable, writable=[obj.parent])
    if done.ok:
        return ""
    return "\n".join((done.stderr or f"gcc exited with {done.returncode}").splitlines()[:15])


def build_all(ex: Exercise, files_dir: Path, out: Path, runner) -> tuple[dict, str]:
    """Binaries in out: the driver on the student's heap, the shared object, the probe
    and heaprun. Returns (paths, '') or ({}, why)."""
    student = out / "student"
    objects = {}
    for name in ex.student_files:
        obj = student / (Path(name).stem + ".o")
        flags = [*STD, *STRICT, *PERF_FLAGS, "-DNVALGRIND", f"-I{files_dir}"]
        why = _compile(files_dir / name, obj, flags, runner, [files_dir])
        if why:
            return {}, f"{name} does not compile with -O2 -fPIC:\n{why}"
        objects[name] = obj
    from . import audit as audit_stage   # the -O2 objects are audited as well
    problems = audit_stage.audit(ex, list(objects.values()), runner)
    if problems:
        return {}, "audit of the -O2 build: " + problems[0]
    heap_objs = [str(o) for n, o in objects.items() if n not in ex.preload_files]
    trusted = out / "trusted"
    trusted.mkdir(parents=True, exist_ok=True)
    driver_dir = ex.dir / "driver"
    paths = {"driver": trusted / "heapdrive", "probe": trusted / "heapprobe",
             "heaprun": trusted / "heaprun", "library": trusted / "libheap.so"}
    steps = [
        ["gcc", *TRUSTED_FLAGS, f"-I{ex.dir}", str(driver_dir / "driver.c"), *heap_objs, "-o",
         str(paths["driver"])],
        ["gcc", "-shared", *(str(o) for o in objects.values()), "-o", str(paths["library"])],
        ["gcc", *TRUSTED_FLAGS, f"-I{ex.dir}", str(driver_dir / "probe.c"), "-o",
         str(paths["probe"]), "-lpthread"],
        ["gcc", *TRUSTED_FLAGS, str(driver_dir / "heaprun.c"), "-o", str(paths["heaprun"])],
    ]
    for cmd in steps:
        done = run(cmd, cwd=trusted, limits=COMPILE_LIMITS)
        if not done.ok:
            missing = [ln for ln in done.stderr.splitlines() if "undefined reference" in ln]
            return {}, ("does not link: " + "; ".join(missing[:5])) if missing else \
                "a trusted build step failed (not the student's fault):\n" + done.stderr[-800:]
    return paths, ""


# ---- running ------------------------------------------------------------------------

# Each step that runs the student's code may write only a folder of its own: never the
# trusted binaries, the traces or another step's results (the sandbox hands a writable
# folder to the step's user).

def run_driver(paths: dict, traces: list[Path], out: Path, runner, seconds: float) -> tuple[dict, str]:
    own = out / "driver-run"
    own.mkdir(parents=True, exist_ok=True)
    report = own / "driver.json"
    report.unlink(missing_ok=True)
    done = runner([str(paths["driver"]), "-r", str(REPEATS), "-j", str(report),
                   *map(str, traces)], cwd=own,
                  limits=Limits(wall_seconds=seconds, cpu_seconds=int(seconds) + 5,
                                file_bytes=64 << 20),
                  readable=[paths["driver"].parent, traces[0].parent], writable=[own])
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        why = "the trace driver ran out of time" if done.timed_out else \
            f"the trace driver crashed (status {done.returncode}, signal {done.signal}) " \
            f"in your heap: {done.stdout.strip().splitlines()[-1:] or ''}"
        return {}, why
    failed = [t for t in data["traces"] if not t["ok"]]
    if failed:
        return data, f"trace driver: {failed[0]['error']}" + \
            (f" (and {len(failed) - 1} more trace(s) failed)" if len(failed) > 1 else "")
    return data, ""


def run_probe(paths: dict, out: Path, runner) -> str:
    own = out / "probe-run"
    own.mkdir(parents=True, exist_ok=True)
    done = runner([str(paths["probe"])], cwd=own, limits=Limits(wall_seconds=120, cpu_seconds=240),
                  env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
                       "LD_PRELOAD": str(paths["library"])},
                  readable=[paths["probe"].parent], writable=[own])
    if done.ok:
        return ""
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("FAIL")]
    if lines:
        return "shared object: " + lines[0][5:]
    how = "ran out of time (a deadlock?)" if done.timed_out else \
        f"crashed (status {done.returncode}, signal {done.signal})"
    return f"shared object: the probe {how}: {(done.stderr or done.stdout).strip()[-300:]}"


def _heaprun(paths: dict, prog: Program, inputs: Path, run_dir: Path, runner,
             preload: bool) -> dict:
    """One run of prog in a fresh folder of its own; the inputs are read-only, so a run
    cannot change what another run reads or copy another run's output."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    out, err = run_dir / "stdout", run_dir / "stderr"
    argv = [a.replace("{in}", str(inputs)) for a in prog.argv]
    cmd = [str(paths["heaprun"]), *(["-p", str(paths["library"])] if preload else []),
           str(out), str(err), "--", *argv]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TZ": "UTC",
           "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory",
           "GIT_CONFIG_VALUE_0": "*"}   # the repository belongs to the grader, not the step
    done = runner(cmd, cwd=inputs / prog.cwd if prog.cwd else run_dir,
                  limits=Limits(wall_seconds=120, cpu_seconds=240, file_bytes=256 << 20),
                  env=env, readable=[paths["heaprun"].parent, inputs], writable=[run_dir])
    fields = done.stdout.split()
    result = {"ok": done.ok and len(fields) == 6, "timed_out": done.timed_out}
    if result["ok"]:
        result.update(status=int(fields[1]), seconds=float(fields[3]), maxrss_kb=int(fields[5]))
    digest = hashlib.sha256(out.read_bytes() if out.exists() else b"(missing)")
    for name in prog.outputs:   # files the program wrote, compared too
        path = run_dir / name
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    result["digest"] = digest.hexdigest()
    result["stderr"] = err.read_text(errors="replace")[-400:] if err.exists() else ""
    shutil.rmtree(run_dir, ignore_errors=True)
    return result


def run_programs(paths: dict, folder: Path, runner) -> tuple[list[dict], str]:
    results, problem = [], ""
    inputs = folder / "inputs"
    for i, prog in enumerate(PROGRAMS):
        if not shutil.which(prog.argv[0], path="/usr/bin:/bin"):
            results.append({"name": prog.name, "skipped": f"{prog.argv[0]} is not installed"})
            continue
        base = _heaprun(paths, prog, inputs, folder / f"run-{i}-glibc", runner, preload=False)
        ours = _heaprun(paths, prog, inputs, folder / f"run-{i}-heap", runner, preload=True)
        entry = {"name": prog.name, "glibc": base, "heap": ours}
        results.append(entry)
        if not base["ok"] or base.get("status") != 0:
            entry["skipped"] = "does not run here even on glibc's malloc"
            continue
        same = ours["ok"] and ours.get("status") == 0 and ours["digest"] == base["digest"]
        entry["same"] = same
        if not same and not problem:
            if not ours["ok"]:
                how = "ran out of time" if ours["timed_out"] else "could not be run"
            elif ours.get("status") != 0:
                how = f"ended with status {ours['status']}" + \
                    (f": {ours['stderr'].strip()[-200:]}" if ours["stderr"].strip() else "")
            else:
                how = "printed something else than with glibc's malloc"
            problem = f"real program under LD_PRELOAD: {prog.name} {how}"
    return results, problem


# ---- the stage -------------------------------------------------------------------------

def check(ex: Exercise, files_dir: Path, work: Path, runner=run, reference: dict | None = None,
          calibrating: bool = False, seconds: float = 600.0) -> Outcome:
    """Runs everything above on the student's files; see the module's docstring."""
    points = float(ex.rubric.get("performance", 0))
    outcome = Outcome(max_score=points)
    out = work / "perf"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    try:
        traces = prepare_traces(ex, out / "traces")
        prepare_programs(ex, out / "programs")
    except (OSError, RuntimeError) as err:
        outcome.ran = False
        outcome.reasons.append(f"not run: {err}")
        return outcome
    paths, why = build_all(ex, files_dir, out / "build", runner)
    if why:
        outcome.reasons.append(why)
        return outcome
    data, why = run_driver(paths, traces, out, runner, seconds)
    figures = outcome.figures
    if data:
        figures.update(traces=data["traces"], ops=sum(t["ops"] for t in data["traces"]),
                       util=sum(t["util"] for t in data["traces"]) / len(data["traces"]),
                       speed=speed_of(data["traces"]))
    problems = [why] if why else []
    problems.append(run_probe(paths, out, runner))
    figures["programs"], program_problem = run_programs(paths, out / "programs", runner)
    problems.append(program_problem)
    problems = [p for p in problems if p]
    if problems:
        outcome.reasons = problems + ["any error in the performance checks zeroes this category"]
        return outcome
    if calibrating:
        outcome.score = points
        return outcome
    if not reference:
        outcome.ran = False
        outcome.reasons.append(
            f"utilization {figures['util']:.1%}, speed {figures['speed']:.2f}x glibc's; not "
            "scored here: the bands are calibrated against the reference solution when graded")
        return outcome
    outcome.score, outcome.reasons = score_figures(figures, reference, points)
    return outcome
