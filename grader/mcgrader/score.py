"""Stage: score. Turns what the other stages found into points, by the rubric.

- tests: each test's share of the points (equal, or weighted by suite); a test
  earns its share only if it PASSED natively.
- valgrind, sanitizers: the category's points times the fraction of test
  points earned (memory-clean code that does nothing earns nothing), less a
  third for each distinct problem: one kind of error at one place (for an
  uninitialized value, the place it was created), however many tests show it.
- lint: likewise, less a quarter for each distinct clang-tidy check that fired
  (the static analyzer's findings are advice: listed, never counted).
A build failure or an audit violation scores 0 for the exercise.

A bug hunt with a bugs.toml (the grader's copy) earns its points from the bugs
fixed: a bug is fixed when every test tagged with its clause passed natively and
showed no Valgrind or sanitizer finding; the share of bugs fixed scales every
category, so the untouched program scores 0.

Every lost point carries its reason, written twice: for the instructor (every
test named) and for the student, who before the due date sees the public tests
in full but only a count of the hidden tests that failed, and memory findings
in hidden tests without the test's name, file or detail.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import clauses
from .exercises import Exercise

PENALTY_SHARE = {"valgrind": 1 / 3, "sanitizers": 1 / 3, "lint": 1 / 4}
SCALING = ("scaled by the share of test points earned ({share:.0%}): clean code that "
           "does little cannot earn the full {name} points")
HUNT_SCALING = ("scaled by the share of bugs fixed times the share of test points earned "
                "({share:.0%}): the points of a bug hunt come from the bugs fixed")


@dataclass
class Category:
    name: str
    max_score: float
    score: float = 0.0
    ran: bool = True
    reasons: list[str] = field(default_factory=list)          # for the instructor
    student_reasons: list[str] = field(default_factory=list)  # what a student may see

    def why(self, student: bool) -> list[str]:
        return self.student_reasons if student else self.reasons


def _tests(ex: Exercise, tests: dict) -> tuple[Category, float]:
    cat = Category("tests", ex.rubric["tests"])
    weights = {tid: ex.suite_weights.get(tid.split("::")[0], 1.0) for tid in tests}
    total = sum(weights.values())
    if not total:
        cat.reasons = cat.student_reasons = ["no tests ran"]
        return cat, 0.0
    earned = sum(w for tid, w in weights.items() if tests[tid].passed)
    hidden_failed = hidden_total = 0
    for tid, t in sorted(tests.items()):
        hidden_total += t.hidden
        if t.passed:
            continue
        first = t.messages[0].strip() if t.messages else ""
        line = f"{tid}: {t.status}" + (f": {first}" if first else "")
        cat.reasons.append(line)
        if t.hidden:
            hidden_failed += 1
        else:
            cat.student_reasons.append(line)
    if hidden_failed:
        cat.student_reasons.append(f"{hidden_failed} of {hidden_total} hidden tests failed")
    fraction = earned / total
    cat.score = round(cat.max_score * fraction, 2)
    return cat, fraction


def _bugs_fixed(ex: Exercise, bugs: list[dict], tests: dict, findings: dict,
                test_cat: Category) -> float:
    """The share of a hunt's bugs that are fixed, with the reasons for both audiences."""
    found = [f for name in ("valgrind", "sanitizers") for f in findings.get(name) or []]
    dirty = {f.test for f in found}
    fixed = 0
    for bug in bugs:
        checks = clauses.tests_of(ex, bug["clause"]) & set(tests)
        ok = bool(checks) and all(tests[t].passed and t not in dirty for t in checks)
        fixed += ok
        if not ok:
            test_cat.reasons.insert(0, f"bug not fixed: {bug['id']} ({bug['what']}; "
                                       f"clause {bug['clause']})")
    line = f"{fixed} of {len(bugs)} planted bugs fixed: each earns {1 / len(bugs):.0%} " \
           f"of every category"
    test_cat.reasons.insert(0, line)
    test_cat.student_reasons.insert(0, line)
    return fixed / len(bugs)


def _grouped(found: list, student: bool) -> list[str]:
    """One line per distinct problem, naming the tests that showed it."""
    groups: dict[tuple, list] = {}
    for f in found:
        groups.setdefault(f.key(), []).append(f)
    lines = []
    for same in groups.values():
        line = same[0].line(student)
        others = list(dict.fromkeys(f.test for f in same if f.test != same[0].test))
        if others and student:
            hidden = len({f.test for f in same if f.hidden and f.test in others})
            line += f" (and in {len(others)} more test(s)" + \
                (f", {hidden} of them hidden)" if hidden else ")")
        elif others:
            line += f" (also in {', '.join(others[:3])}" + \
                (" ..." if len(others) > 3 else "") + ")"
        lines.append(line)
    return lines


def _problems(name: str, max_score: float, fraction: float, found: list,
              scaling: str = SCALING) -> Category:
    cat = Category(name, max_score)
    distinct = len({f.key() for f in found if not getattr(f, "advice", False)})
    cat.reasons = _grouped(found, student=False)
    cat.student_reasons = _grouped(found, student=True)
    keep = max(0.0, 1 - PENALTY_SHARE[name] * distinct)
    cat.score = round(max_score * fraction * keep, 2)
    if fraction < 1 and max_score:
        note = scaling.format(share=fraction, name=name)
        cat.reasons.append(note)
        cat.student_reasons.append(note)
    return cat


def score(ex: Exercise, tests: dict | None, findings: dict[str, list | None],
          fatal: str = "") -> dict[str, Category]:
    """findings maps valgrind/sanitizers/lint to Finding or LintWarning objects (anything
    with key(), line(student) and hidden), or None when that category was not run."""
    if fatal or tests is None:
        return {c: Category(c, p, 0.0, reasons=[fatal or "not built"],
                            student_reasons=[fatal or "not built"])
                for c, p in ex.rubric.items()}
    test_cat, fraction = _tests(ex, tests)
    bugs = ex.bugs()
    if bugs:
        share = _bugs_fixed(ex, bugs, tests, findings, test_cat)
        fraction *= share
        test_cat.score = round(test_cat.max_score * fraction, 2)
    cats = {"tests": test_cat}
    for name in ("valgrind", "sanitizers", "lint"):
        found = findings.get(name)
        if found is None:
            cats[name] = Category(name, ex.rubric[name], 0.0, ran=False,
                                  reasons=["not run"], student_reasons=["not run"])
        else:
            cats[name] = _problems(name, ex.rubric[name], fraction, found,
                                   HUNT_SCALING if bugs else SCALING)
    return cats
