"""Stage: score. Turns what the other stages found into points, by the rubric.

- tests: each test's share of the points (equal, or weighted by suite); a test
  earns its share only if it PASSED natively.
- valgrind, sanitizers: the category's points times the fraction of test
  points earned (memory-clean code that does nothing earns nothing), less a
  third for each distinct problem (kind and place).
- lint: likewise, less a quarter for each distinct clang-tidy check that fired.
A build failure or an audit violation scores 0 for the exercise.
Every lost point carries its reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .exercises import Exercise

PENALTY_SHARE = {"valgrind": 1 / 3, "sanitizers": 1 / 3, "lint": 1 / 4}


@dataclass
class Category:
    name: str
    max_score: float
    score: float = 0.0
    ran: bool = True
    reasons: list[str] = field(default_factory=list)


def _tests(ex: Exercise, tests: dict) -> tuple[Category, float]:
    cat = Category("tests", ex.rubric["tests"])
    weights = {tid: ex.suite_weights.get(tid.split("::")[0], 1.0) for tid in tests}
    total = sum(weights.values())
    if not total:
        cat.reasons.append("no tests ran")
        return cat, 0.0
    earned = sum(w for tid, w in weights.items() if tests[tid].passed)
    for tid, t in sorted(tests.items()):
        if not t.passed:
            first = t.messages[0].strip() if t.messages else ""
            cat.reasons.append(f"{tid}: {t.status}" + (f": {first}" if first else ""))
    fraction = earned / total
    cat.score = round(cat.max_score * fraction, 2)
    return cat, fraction


def _problems(name: str, max_score: float, fraction: float, problems: list[str]) -> Category:
    cat = Category(name, max_score)
    distinct = list(dict.fromkeys(problems))
    cat.reasons = distinct
    keep = max(0.0, 1 - PENALTY_SHARE[name] * len(distinct))
    cat.score = round(max_score * fraction * keep, 2)
    if fraction < 1 and max_score:
        cat.reasons.append(f"scaled by the share of test points earned ({fraction:.0%})")
    return cat


def score(ex: Exercise, tests: dict | None, findings: dict[str, list[str] | None],
          fatal: str = "") -> dict[str, Category]:
    """findings maps valgrind/sanitizers/lint to problem lines, or None when not run."""
    if fatal or tests is None:
        cats = {c: Category(c, p, 0.0, reasons=[fatal or "not built"])
                for c, p in ex.rubric.items()}
        return cats
    test_cat, fraction = _tests(ex, tests)
    cats = {"tests": test_cat}
    for name in ("valgrind", "sanitizers", "lint"):
        problems = findings.get(name)
        if problems is None:
            cats[name] = Category(name, ex.rubric[name], 0.0, ran=False,
                                  reasons=["not run"])
        else:
            cats[name] = _problems(name, ex.rubric[name], fraction, problems)
    return cats
