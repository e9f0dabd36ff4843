#!/usr/bin/env python3
"""make test: the project's self-test.

For every exercise, through the grader's own pipeline:
  - the reference solution scores full marks with the public and hidden tests,
    and is clean under Valgrind, ASan+UBSan and clang-tidy;
  - the stub compiles with -Werror, fails its tests without crashing and scores 0;
  - every mutant in grader/mutants/ loses points in the category it names.
Beside them, the grader's own tests (tests/), the student kit and the platforms,
the chapters' code blocks, the book build and its links. Checks run the most
expensive first on every core. Ends with the line "N passed, N failed"; exits 1 on any failure.

    python3 tools/selftest.py [EX ...] [--skip-book]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
import heapq
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader"))

from mcgrader import calibrate, clauses, exercises, hidden, pipeline, report  # noqa: E402
from mcgrader.grading import grade_exercise  # noqa: E402
from mcgrader.exercises import CATEGORIES, ROOT, Exercise  # noqa: E402
from mcgrader.report import Graded  # noqa: E402
from mcgrader.sandbox import Sandbox  # noqa: E402

PRINT = threading.Lock()


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


class Report:
    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def add(self, name: str, ok: bool, detail: str = "", seconds: float = 0.0) -> bool:
        out = Outcome(name, ok, detail, seconds)
        with PRINT:
            self.outcomes.append(out)
            mark = "ok  " if ok else "FAIL"
            timing = f" ({seconds:.1f}s)" if seconds >= 1 else ""
            print(f"{mark} {name}{timing}", flush=True)
            if detail and not ok:
                for line in detail.rstrip().splitlines():
                    print(f"       {line}")
        return ok


# ---- one exercise -----------------------------------------------------------
# Every check goes through the grader itself (grading.grade_exercise: staging, the
# sandbox, calibration against the reference, the pipeline, the score).

BOX = Sandbox()


def summary(res: pipeline.ExerciseResult) -> str:
    parts = [f"{res.score:g}/{res.max_score:g}"]
    for c in res.categories.values():
        if c.ran:
            parts.append(f"{c.name} {c.score:g}/{c.max_score:g}")
    return ", ".join(parts)


def reasons(g: Graded, limit: int = 12) -> str:
    lines = list(g.notes)
    res = g.result
    if res:
        if res.build_errors:
            lines.append(res.build_errors)
        lines += res.audit_problems
        for c in res.categories.values():
            lines += [f"{c.name}: {r}" for r in c.reasons if r != "not run"]
    return "\n".join(lines[:limit])


def grade(ex: Exercise, source: Path, work: Path, stages=pipeline.STAGES,
          memcheck: str = "one-process") -> Graded:
    return grade_exercise(ex, source, work, BOX, public_only=False, stages=stages,
                          memcheck=memcheck)


def check_solution(ex: Exercise, rep: Report) -> bool:
    start = time.monotonic()
    ref = calibrate.reference(ex, BOX, public_only=False, fresh=True)
    name = f"{ex.folder}: reference solution scores full marks and is clean"
    return rep.add(f"{name} [{ref.summary}]", ref.ok, ref.problem, time.monotonic() - start)


def check_buggy_program(ex: Exercise, work: Path, rep: Report) -> None:
    """A bug hunt's starting point must be rejected, and handed in untouched earn 0."""
    start = time.monotonic()
    g = grade(ex, ex.dir, work / "stub")
    name = f"{ex.folder}: the buggy program compiles, is caught, and scores 0 untouched"
    if g.result is None or not g.result.built:
        rep.add(name, False, reasons(g))
        return
    caught = [c for c in ("tests", "valgrind", "sanitizers") if caught_in(g.result, c)]
    problems = [] if caught else ["the planted bugs go unnoticed"]
    if g.score != 0:
        problems.append(f"handed in untouched, it scores {g.score:g}: {reasons(g)}")
    rep.add(f"{name} [by {', '.join(caught) or 'nothing'}; {g.score:g}]", not problems,
            "\n".join(problems), time.monotonic() - start)


def check_stub(ex: Exercise, work: Path, rep: Report) -> None:
    if ex.kind == "bug-hunt":
        check_buggy_program(ex, work, rep)
        return
    start = time.monotonic()
    g = grade(ex, ex.dir, work / "stub", ("tests",))
    name = f"{ex.folder}: stub compiles, fails its tests cleanly and scores 0 untouched"
    res = g.result
    if res is None or not res.built or res.tests is None:
        rep.add(name, False, reasons(g))
        return
    tests = res.tests.tests
    crashed = [tid for tid, t in tests.items() if t.status in ("CRASHED", "TIMEOUT")]
    problems = []
    if res.tests.problem:
        problems.append(res.tests.problem)
    if crashed:
        problems.append(f"tests crash or hang on the stub instead of failing: {crashed[:5]}")
    passed = [tid for tid, t in tests.items() if t.passed]
    if passed or g.score != 0:   # handed in untouched, a stub earns nothing
        problems.append(f"the untouched stub scores {g.score:g}: it passes {passed[:5]}")
    rep.add(f"{name} [passes {res.tests.passed}/{len(tests)}]", not problems,
            "\n".join(problems), time.monotonic() - start)


def parse_mutant(patch: Path) -> dict[str, str]:
    """The header lines before the diff: mistake, category, clause, and bug (hunts)."""
    head: dict[str, str] = {}
    for line in patch.read_text(errors="replace").splitlines():
        if line.startswith("--- "):
            break
        key, _, value = line.partition(":")
        if key.strip().lower() in ("mistake", "category", "clause", "bug"):
            head[key.strip().lower()] = value.strip()
    head["category"] = head.get("category", "").lower()
    return head


def caught_in(res: pipeline.ExerciseResult, category: str) -> bool:
    if not res.built:
        return False
    if category == "tests":
        return res.tests is not None and res.tests.passed < len(res.tests.tests)
    return bool(res.findings.get(category))


def check_mutant(ex: Exercise, patch: Path, work: Path, rep: Report) -> None:
    start = time.monotonic()
    head = parse_mutant(patch)
    mistake, category, clause = head.get("mistake"), head["category"], head.get("clause")
    name = f"{ex.folder}: mutant {patch.stem} is caught by {category or '?'}"
    if category not in CATEGORIES or not mistake or not clause:
        rep.add(name, False, f"{patch.name}: needs 'Mistake:', 'Category:' "
                             f"({'|'.join(CATEGORIES)}) and 'Clause:' header lines")
        return
    source = work / f"mutant-src-{patch.stem}"
    shutil.copytree(ex.solution_dir, source)
    source.chmod(0o700)
    applied = subprocess.run(["patch", "-p1", "-s", "-f", "-d", str(source), "-i", str(patch)],
                             capture_output=True, text=True)
    if applied.returncode != 0:
        rep.add(name, False, f"the patch no longer applies to the solution:\n"
                             f"{applied.stdout}{applied.stderr}")
        return
    stages = pipeline.STAGES if head.get("bug") else \
        ("tests",) if category == "tests" else ("tests", category)
    g = grade(ex, source, work / f"mutant-{patch.stem}", stages)
    res = g.result
    if res is None or not res.built:
        rep.add(name, False, "the mutant was not graded (a mutant must be a plausible, "
                             "compiling submission):\n" + reasons(g))
        return
    problems = []
    if not caught_in(res, category):
        problems.append(f"{mistake}\nnot caught; what the grader said:\n{reasons(g)}")
    elif category != "lint" and not caught_by_clause(ex, res, category, clause):
        problems.append(f"caught, but by no test tagged with clause {clause} (the clause it "
                        f"breaks): tag the test that rejects it, or fix the Clause line")
    if head.get("bug"):
        problems += hunt_share_problems(ex, g, head["bug"])
    if category == "valgrind":
        problems += same_findings_per_test(ex, source, work / f"mutant-{patch.stem}-per-test",
                                           res)
    leaks = hidden_leaks(ex, g)
    if leaks:
        problems.append(f"the student view names hidden tests: {leaks[:5]}")
    rep.add(f"{name} [{summary(res)}]", not problems, "\n".join(problems),
            time.monotonic() - start)


def valgrind_findings(res: pipeline.ExerciseResult) -> set[tuple[str, str, str, str]]:
    return {(f.test, f.kind, f.where, f.origin) for f in res.findings.get("valgrind") or []}


def same_findings_per_test(ex: Exercise, source: Path, work: Path,
                           one: pipeline.ExerciseResult) -> list[str]:
    """The one-process memory check must find what the per-test check finds, tied to
    the same tests (the per-test run is the slow mode the harness replaced)."""
    g = grade(ex, source, work, ("tests", "valgrind"), memcheck="per-test")
    if g.result is None or not g.result.built:
        return ["the per-test memory check did not run: " + reasons(g)]
    a, b = valgrind_findings(one), valgrind_findings(g.result)
    if a == b:
        return []
    return [f"one process and per test disagree: only in one process: {sorted(a - b)[:3]}; "
            f"only per test: {sorted(b - a)[:3]}"]


def caught_by_clause(ex: Exercise, res: pipeline.ExerciseResult, category: str,
                     clause: str) -> bool:
    tagged = clauses.tests_of(ex, clause)
    if category == "performance":
        # The driver measures the heap as a whole (speed, utilization); the probe
        # names the clause of a check that fails ("FAIL 10.6: ...").
        texts = [f.text for f in res.findings.get("performance") or []]
        return any(f"FAIL {clause}:" in t for t in texts) or \
            not any("FAIL " in t for t in texts)
    if category == "tests":
        return any(not t.passed for tid, t in res.tests.tests.items() if tid in tagged)
    return any(f.test in tagged for f in res.findings.get(category) or [])


def hunt_share_problems(ex: Exercise, g: Graded, unfixed: str) -> list[str]:
    """A partial fix scores at most the share of the bugs it fixes."""
    bugs = ex.bugs()
    ids = [b["id"] for b in bugs]
    if unfixed not in ids:
        return [f"Bug: {unfixed} is not a bug of bugs.toml ({', '.join(ids)})"]
    reasons_ = g.result.categories["tests"].reasons
    if not any(r.startswith(f"bug not fixed: {unfixed} ") for r in reasons_):
        return [f"the grader counts bug {unfixed} as fixed in a mutant that leaves it"]
    ceiling = g.max_score * (len(bugs) - 1) / len(bugs)
    if g.score > ceiling + 0.01:
        return [f"scored {g.score:g}, more than the share of the bugs it fixes ({ceiling:g})"]
    return []


def check_alternative(ex: Exercise, folder: Path, work: Path, rep: Report) -> None:
    """The mirror image of a mutant: another correct design must score full marks."""
    start = time.monotonic()
    g = grade(ex, folder, work / f"alternative-{folder.name}")
    res = g.result
    name = f"{ex.folder}: alternative {folder.name} scores full marks"
    ok = res is not None and g.score == ex.max_score
    rep.add(f"{name} [{summary(res) if res else g.status}]", ok,
            "" if ok else reasons(g, limit=20), time.monotonic() - start)


def hidden_leaks(ex: Exercise, g: Graded) -> list[str]:
    """Hidden-test names, files or messages in what a student sees of this grade."""
    results = report.gradescope([g], f"{ex.folder}.tar.gz", BOX.protections(), [])
    return hidden.leaks(ex, report.student_strings(results))


def check_layout(ex: Exercise, rep: Report) -> bool:
    problems = []
    for path in (ex.readme, ex.dir / "hints.md", ROOT / "chapters" / f"{ex.chapter}.md"):
        if not path.exists():
            problems.append(f"{path.relative_to(ROOT)} is missing")
    for f in (*ex.student_files, *ex.headers):
        if not (ex.dir / f).exists():
            problems.append(f"exercises/{ex.folder}/{f} is missing")
    for f in ex.student_files:
        if not (ex.solution_dir / f).exists():
            problems.append(f"solutions/{ex.folder}/{f} is missing")
    if not ex.public_tests():
        problems.append("no public tests in tests/")
    if not ex.hidden_tests():
        problems.append(f"no hidden tests in grader/hidden/{ex.folder}/")
    if len(ex.mutants()) < ex.mutants_min:
        problems.append(f"{len(ex.mutants())} mutants; at least {ex.mutants_min} wanted")
    wanted = 1 if ex.kind == "bug-hunt" else 2
    if len(ex.alternatives()) < wanted:
        problems.append(f"{len(ex.alternatives())} alternative solution(s) in "
                        f"grader/alternatives/{ex.folder}/; at least {wanted} wanted")
    if ex.kind == "bug-hunt" and not ex.bugs():
        problems.append(f"no grader/hidden/{ex.folder}/bugs.toml: a hunt's points come from "
                        f"the bugs fixed")
    problems += clauses.problems(ex)
    sys.path.insert(0, str(ROOT / "tools"))
    from authoring import generated   # noqa: E402 - tools/ is not a package
    problems += generated.problems(ex)   # hidden_tests and .stub/ (the handout's copies)
    return rep.add(f"{ex.folder}: layout, metadata and contract clauses", not problems,
                   "\n".join(problems[:25]) + (f"\n... and {len(problems) - 25} more"
                                               if len(problems) > 25 else ""))


def check_handles(rep: Report) -> None:
    """EX=<handle> must name exactly one exercise, for every exercise."""
    every = exercises.load_all()
    clashes = list(dict.fromkeys(
        f"EX={ex.handle} names {', '.join(o.folder for o in every if o.matches(ex.handle))}"
        for ex in every if sum(o.matches(ex.handle) for o in every) != 1))
    for path in [*ROOT.glob("exercises/*/*.md"), *ROOT.glob("chapters/*.md"),
                 ROOT / "README.md", ROOT / "tools" / "dist" / "HANDOUT-README.md"]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for key in re.findall(r"\bEX=([A-Za-z0-9_-]+)(?![<A-Za-z0-9_-])", line):
                hits = [o.folder for o in every if o.matches(key)]
                if len(hits) != 1 and key not in ("NN", "N", "x"):
                    clashes.append(f"{path.relative_to(ROOT)}:{n}: EX={key} names "
                                   f"{len(hits)} exercises ({', '.join(hits) or 'none'})")
    rep.add("exercises: every handle (EX=...) names one exercise", not clashes,
            "\n".join(clashes[:10]) + ("\ngive each a unique `short` in exercise.toml"
                                       if clashes else ""))


# ---- scheduling ---------------------------------------------------------------
# Checks are queued one by one, the most expensive first, so that the two cores stay
# busy to the end: an exercise's reference comes first (it calibrates the grader),
# then its stub, mutants and alternatives join the queue.

class Queue:
    """Tasks run by `workers` threads, the highest cost first; a task may add more."""

    def __init__(self, workers: int, report: Report) -> None:
        self.workers, self.report, self.tasks, self.pending = workers, report, [], 0
        self.cv = threading.Condition()
        self.order = 0

    def add(self, cost: float, task) -> None:
        with self.cv:
            self.order += 1
            heapq.heappush(self.tasks, (-cost, self.order, task))
            self.pending += 1
            self.cv.notify()

    def _work(self) -> None:
        while True:
            with self.cv:
                while not self.tasks and self.pending:
                    self.cv.wait()
                if not self.tasks:
                    return
                task = heapq.heappop(self.tasks)[2]
            try:
                task()
            except Exception:   # a broken check is a failed check, and the rest go on
                self.report.add("self-test: a check stopped with an error", False,
                                traceback.format_exc())
            finally:
                with self.cv:
                    self.pending -= 1
                    self.cv.notify_all()

    def run(self) -> None:
        threads = [threading.Thread(target=self._work) for _ in range(self.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def mutant_cost(patch: Path) -> float:
    category = parse_mutant(patch).get("category")
    # valgrind mutants are graded twice (one process and per test)
    return {"valgrind": 40, "performance": 20}.get(category, 2)


def queue_exercise(ex: Exercise, tmp: Path, rep: Report, queue: Queue) -> None:
    """The reference first; when it passes, the rest of the exercise's checks."""
    work = tmp / ex.folder
    work.mkdir()
    work.chmod(0o711)   # the sandbox user may pass through to its folders, not list

    def reference() -> None:
        if not check_layout(ex, rep) or not check_solution(ex, rep):
            return
        heavy = 3 if "performance" in ex.rubric else 1
        queue.add(3, lambda: check_stub(ex, work, rep))
        for patch in ex.mutants():
            queue.add(mutant_cost(patch), lambda patch=patch: check_mutant(ex, patch, work, rep))
        for folder in ex.alternatives():
            queue.add(6 * heavy, lambda folder=folder: check_alternative(ex, folder, work, rep))
    queue.add(100 if "performance" in ex.rubric else 50, reference)


# ---- the rest of the project --------------------------------------------------

def check_gradescope(rep: Report) -> None:
    """The autograder zip, run as Gradescope would, against a fake /autograder."""
    start = time.monotonic()
    name = "gradescope: run_autograder grades a submission into results.json"
    ex = exercises.select(["01"])[0]
    with tempfile.TemporaryDirectory(prefix="memcraft-gradescope-") as tmp:
        root = Path(tmp) / "autograder"
        subprocess.run([sys.executable, "tools/dist.py", "gradescope"], cwd=ROOT, check=True,
                       capture_output=True)
        with zipfile.ZipFile(ROOT / "build" / "dist" / "memcraft-gradescope.zip") as zf:
            zf.extractall(root / "source")
        for f in (root / "source").rglob("*"):   # zipfile drops the modes: restore them
            if f.is_file() and f.parent.name in ("dist", "source", "grader", ".ci"):
                f.chmod(0o755)
        root.chmod(0o755)
        (root / "submission").mkdir()
        for f in ex.student_files:
            shutil.copy(ex.solution_dir / f, root / "submission" / f)
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MEMCRAFT_EXERCISES": ex.number}
        done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                              capture_output=True, text=True, timeout=900)
        problems = []
        try:
            results = json.loads((root / "results" / "results.json").read_text())
        except (OSError, ValueError) as err:
            results = {}
            problems.append(f"no valid results.json: {err}\n{done.stdout[-1500:]}")
        if results:
            if results.get("score") != ex.max_score:
                problems.append(f"score {results.get('score')}, expected {ex.max_score}")
            seen = {t.get("visibility") for t in results.get("tests", [])}
            if "hidden" in seen or "after_due_date" not in seen:
                problems.append(f"hidden tests must be after_due_date, never hidden: {seen}")
    rep.add(name, not problems, "\n".join(problems), time.monotonic() - start)


def leaked(secret: str, public: set[str], texts: dict[Path, str]) -> Path | None:
    """The handout file that holds a third or more of secret's own lines, if any.

    A line counts when it is long enough to be telling and appears in no public file
    (stubs, headers, public tests): the book may show an idiom, not a solution."""
    own = {ln.strip() for ln in secret.splitlines() if len(ln.strip()) >= 20} - public
    if not own:
        return None
    enough = len(own) if len(own) < 3 else max(3, len(own) // 3)   # a bug hunt's fix: all
    for path, text in texts.items():
        lines = {ln.strip() for ln in text.splitlines()}
        if len(own & lines) >= enough:
            return path
    return None


def telling_lines(text: str, length: int = 24) -> set[str]:
    return {ln.strip() for ln in text.splitlines() if len(ln.strip()) >= length}


def instructor_lines() -> dict[str, set[str]]:
    """Lines that only the instructor's files hold: developer notes, contributor docs,
    and each mutant's description and added code. A mutant's code line may also stand
    in the shipped starting code (a bug hunt's partial fix puts a shipped bug back) or
    in the book (which shows classic mistakes on purpose): those are not secrets."""
    out = {"NOTES.md": telling_lines((ROOT / "NOTES.md").read_text(), 30),
           "CONTRIBUTING.md": telling_lines((ROOT / "CONTRIBUTING.md").read_text(), 30)}
    book = set()
    for chapter in (ROOT / "chapters").glob("*.md"):
        book |= telling_lines(chapter.read_text())
    for ex in exercises.load_all():
        shipped = set(book)
        for f in ex.dir.rglob("*"):
            if f.is_file():
                shipped |= telling_lines(f.read_text(errors="replace"))
        for patch in ex.mutants():
            text = patch.read_text(errors="replace")
            header = text.split("\n--- ", 1)[0]
            added = "\n".join(ln[1:] for ln in text.splitlines()
                              if ln.startswith("+") and not ln.startswith("+++"))
            out[str(patch.relative_to(ROOT))] = telling_lines(header) | \
                (telling_lines(added) - shipped)
    return out


def check_handout(rep: Report) -> None:
    """The student kit: built from an allow-list, make check works in it, and no
    instructor-only text is inside."""
    start = time.monotonic()
    name = "handout: make check works in the student kit, which holds no solution or hidden test"
    sys.path.insert(0, str(ROOT / "tools"))
    import dist   # noqa: E402 - tools/ is not a package
    problems = dist.unlisted()
    with tempfile.TemporaryDirectory(prefix="memcraft-handout-") as tmp:
        subprocess.run([sys.executable, "tools/dist.py", "handout", "--no-book"], cwd=ROOT,
                       check=True, capture_output=True)
        with tarfile.open(ROOT / "build" / "dist" / "memcraft-handout.tar.gz") as tar:
            tar.extractall(tmp, filter="data")
        kit = Path(tmp) / "memcraft"
        texts = {p: p.read_text(errors="replace") for p in kit.rglob("*") if p.is_file()}
        public = set()
        for ex in exercises.load_all():
            for f in [*ex.dir.rglob("*")]:
                if f.is_file():
                    public |= {ln.strip() for ln in f.read_text(errors="replace").splitlines()}
        for ex in exercises.load_all():
            for secret in [*ex.solution_dir.glob("*"), *ex.hidden_tests()]:
                where = leaked(secret.read_text(errors="replace"), public, texts)
                if where:
                    problems.append(f"{secret.relative_to(ROOT)} is copied in the handout, "
                                    f"in {where.relative_to(kit)}")
        shipped_lines = {}
        for path, text in texts.items():
            for line in telling_lines(text):
                shipped_lines.setdefault(line, path)
        for source, lines in instructor_lines().items():
            for line in sorted(lines & set(shipped_lines))[:3]:
                problems.append(f"a line of {source} is in the handout, in "
                                f"{shipped_lines[line].relative_to(kit)}: {line[:80]}")
        for path in texts:
            rel = path.relative_to(kit).as_posix()
            if rel.startswith(("solutions/", "grader/hidden/", "grader/mutants/",
                               "grader/alternatives/")) or rel in ("NOTES.md", "CONTRIBUTING.md"):
                problems.append(f"{rel} is in the handout")
        done = subprocess.run(["make", "check"], cwd=kit, capture_output=True, text=True,
                              timeout=900)
        out = done.stdout + done.stderr
        if "exercises passed" not in out or "Traceback" in out:
            problems.append("make check in the handout did not print its table:\n" + out[-1500:])
    rep.add(name, not problems, "\n".join(problems[:12]), time.monotonic() - start)


def check_book(rep: Report) -> None:
    book = [sys.executable, "tools/book.py"]
    check_command(rep, "chapters: every C code block compiles (and runs where marked)",
                  [*book, "check-code"])
    check_command(rep, "book: no internal context in student text; every chapter ends with Sources",
                  [*book, "check-text"])
    check_command(rep, "book: builds with pandoc", [*book, "build"])
    check_command(rep, "book: internal links, images and MC_READ sections resolve",
                  [*book, "check-links"])
    check_command(rep, "book: a chapter renders in headless Chromium",
                  [*book, "check-browser"])


def check_command(rep: Report, name: str, cmd: list[str], timeout: int = 600) -> None:
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        ok, out = done.returncode == 0, done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        ok, out = False, f"timed out after {timeout}s"
    tail = "\n".join(out.strip().splitlines()[-25:])
    rep.add(name, ok, tail, time.monotonic() - start)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercise", nargs="*", help="only these exercises (03, vector)")
    parser.add_argument("--skip-book", action="store_true", help="leave out the book checks")
    args = parser.parse_args(argv)
    rep = Report()
    start = time.monotonic()
    chosen = exercises.select(args.exercise)
    BOX.protect({ex.root for ex in chosen})
    check_handles(rep)
    whole = not args.exercise
    queue = Queue(pipeline.cpu_count(), rep)
    unit = None
    if whole:   # mostly waiting (hangs, time limits): beside the queue, not in it
        unit = threading.Thread(target=check_command, args=(
            rep, "grader: unit tests (tests/)",
            [sys.executable, "-m", "unittest", "discover", "-s", "tests", "-q"], 900))
        unit.start()
        sys.path.insert(0, str(ROOT / "tools" / "platforms"))
        import checks   # noqa: E402 - PrairieLearn and GitHub Classroom on fake roots

        def project() -> None:   # these share build/dist/: one after the other
            check_gradescope(rep)
            check_handout(rep)
            checks.run_all(rep)
        queue.add(60, project)
        if not args.skip_book:
            queue.add(30, lambda: check_book(rep))
    with tempfile.TemporaryDirectory(prefix="memcraft-selftest-") as tmp:
        Path(tmp).chmod(0o711)
        for ex in chosen:
            queue_exercise(ex, Path(tmp), rep, queue)
        queue.run()
    if unit is not None:
        unit.join()
    failed = [o for o in rep.outcomes if not o.ok]
    print(f"\nself-test took {time.monotonic() - start:.0f}s")
    for o in failed:
        print(f"FAILED: {o.name}")
    print(f"{len(rep.outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
