"""Stage: report. The same results for people (terminal), programs (JSON), Gradescope
(results.json) and CI systems (JUnit XML).

Two audiences. The instructor's outputs (terminal, --json, JUnit, a batch's
report.txt and report.json) keep everything. What a student may see before the
due date (Gradescope's output and its visible test entries, results.json in a
batch, any student tool) is the student view: the score per category, the
public tests in full, and for the hidden tests only a count ("2 of 12 hidden
tests failed"); a memory finding in a hidden test keeps the student's file and
line and its plain sentence but says "in a hidden test". Every report shows
paths relative to the course repository, never a path of the grading host.

JSON schema (version 1):
  {"schema": 1, "submission": str, "score": float, "max_score": float,
   "protections": [str], "notes": [str],
   "exercises": [{"id": "03-vector", "title": str, "score": float, "max_score": float,
                  "status": "graded" | "missing" | "compile-error" | "audit-violation" |
                            "infrastructure-error" | "refused",
                  "build_errors": str, "audit": [str], "notes": [str],
                  "categories": {"tests" | "valgrind" | "sanitizers" | "lint":
                                 {"score": float, "max_score": float, "ran": bool,
                                  "reasons": [str], "student_reasons": [str]}},
                  "tests": [{"id": "suite::test", "status": str, "hidden": bool,
                             "messages": [str]}]}]}
An exercise with status infrastructure-error has "score": null: it was not graded,
and no grade may be recorded for it.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .paths import tidy
from .pipeline import ExerciseResult


@dataclass
class Graded:
    """One exercise's outcome in a grading run."""
    id: str
    title: str
    max_score: float
    status: str
    score: float | None
    result: ExerciseResult | None = None
    notes: list[str] = field(default_factory=list)

    def build_errors(self, student: bool) -> str:
        res = self.result
        if res is None or (student and res.build_errors_hidden):
            return ""
        return tidy(res.build_errors)


def exercise_json(g: Graded) -> dict:
    res = g.result
    cats = {}
    tests = []
    if res:
        cats = {c.name: {"score": c.score, "max_score": c.max_score, "ran": c.ran,
                         "reasons": [tidy(r) for r in c.reasons],
                         "student_reasons": [tidy(r) for r in c.student_reasons]}
                for c in res.categories.values()}
        if res.tests:
            tests = [{"id": t.id, "status": t.status, "hidden": t.hidden,
                      "messages": [tidy(m) for m in t.messages]}
                     for t in res.tests.tests.values()]
    return {"id": g.id, "title": g.title, "score": g.score, "max_score": g.max_score,
            "status": g.status, "build_errors": g.build_errors(student=False),
            "audit": res.audit_problems if res else [],
            "notes": [tidy(n) for n in g.notes],
            "categories": cats, "tests": tests}


def to_json(graded: list[Graded], submission: str, protections: list[str],
            notes: list[str]) -> dict:
    scored = [g.score for g in graded if g.score is not None]
    return {"schema": 1, "submission": submission, "score": round(sum(scored), 2),
            "max_score": sum(g.max_score for g in graded), "protections": protections,
            "notes": [tidy(n) for n in notes], "exercises": [exercise_json(g) for g in graded]}


def terminal(graded: list[Graded], submission: str, protections: list[str],
             notes: list[str], student: bool = False) -> str:
    """The report as text: the instructor's, or with student=True what a student may see."""
    lines = [f"memcraft grade: {Path(submission).name if student else submission}", ""]
    header = f"{'exercise':<22} {'score':>13}  {'tests':>7} {'valgrind':>8} " \
             f"{'sanitizer':>9} {'lint':>5}  status"
    lines += [header, "-" * len(header)]
    for g in graded:
        cats = g.result.categories if g.result else {}

        def cell(name: str, width: int) -> str:
            c = cats.get(name)
            return (f"{c.score:g}" if c and c.ran else "-").rjust(width)
        score = "-" if g.score is None else f"{g.score:g}"
        lines.append(f"{g.id:<22} {score + ' / ' + format(g.max_score, 'g'):>13}  "
                     f"{cell('tests', 7)} {cell('valgrind', 8)} {cell('sanitizers', 9)} "
                     f"{cell('lint', 5)}  {g.status}")
    total = sum(g.score or 0 for g in graded)
    lines += ["-" * len(header), f"{'total':<22} {total:g} / {sum(g.max_score for g in graded):g}"]
    for g in graded:
        why = _why(g, student)
        if why:
            lines += ["", f"{g.id}: where the points went"] + [f"  {w}" for w in why]
    lines += ["", "protections: " + ", ".join(protections)] + [f"note: {n}" for n in notes]
    return tidy("\n".join(lines))


def _why(g: Graded, student: bool, per_category: int = 6) -> list[str]:
    out = list(g.notes)
    res = g.result
    if res is None:
        return out
    errors = g.build_errors(student)
    if errors:
        out += ["compiler:"] + ["  " + ln for ln in errors.splitlines()[:12]]
    out += [f"audit: {p}" for p in res.audit_problems]
    for c in res.categories.values():
        if c.ran and c.score < c.max_score:
            reasons = c.why(student)
            out.append(f"{c.name}: {c.score:g}/{c.max_score:g} (-{c.max_score - c.score:g})")
            for reason in reasons[:per_category]:
                first, *rest = reason.splitlines() or [""]
                out.append(f"  - {first}")
                out += [f"    {ln.strip()}" for ln in rest if ln.strip()]
            if len(reasons) > per_category:
                more = "" if student else " (see --json)"
                out.append(f"  - ... and {len(reasons) - per_category} more{more}")
    return out


def gradescope(graded: list[Graded], submission: str, protections: list[str],
               notes: list[str]) -> dict:
    """Gradescope's results.json, in the student view. The full hidden results go in
    one entry per exercise marked 'after_due_date' (never 'hidden', which would hide
    the student's total)."""
    tests = []
    for g in graded:
        res = g.result
        if res is None or g.score is None:
            tests.append({"name": f"{g.id}", "score": 0, "max_score": g.max_score,
                          "status": "failed", "output": tidy("\n".join(g.notes) or g.status),
                          "visibility": "visible"})
            continue
        for c in res.categories.values():
            entry = {"name": f"{g.id}: {c.name}", "score": c.score, "max_score": c.max_score,
                     "status": "passed" if c.score >= c.max_score else "failed",
                     "output": tidy("\n".join(c.student_reasons) or "all good"),
                     "visibility": "visible"}
            if c.name == "tests" and res.tests:
                hidden = [t for t in res.tests.tests.values() if t.hidden]
                public = [t for t in res.tests.tests.values() if not t.hidden]
                failed = sum(not t.passed for t in hidden)
                entry["output"] = tidy(_test_lines(public) + (
                    f"\n{failed} of {len(hidden)} hidden tests failed; their names and messages "
                    f"are shown after the due date" if hidden else ""))
                if hidden:
                    tests.append({"name": f"{g.id}: hidden tests", "score": 0, "max_score": 0,
                                  "output": tidy(_test_lines(hidden)),
                                  "visibility": "after_due_date"})
            tests.append(entry)
    total = sum(g.score or 0 for g in graded)
    output = terminal(graded, submission, protections, notes, student=True)
    return {"score": round(total, 2), "output": output, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def student_strings(results: dict) -> list[str]:
    """Every string of a Gradescope results.json that a student sees before the due date."""
    out = [results.get("output", "")] if results.get("visibility", "visible") == "visible" \
        else []
    for t in results.get("tests", []):
        if t.get("visibility", "visible") == "visible":
            out += [str(t.get("name", "")), str(t.get("output", ""))]
    return out


def _test_lines(tests) -> str:
    return "\n".join(f"{'PASS' if t.passed else t.status}: {t.id}"
                     + (f": {t.messages[0]}" if t.messages and not t.passed else "")
                     for t in tests)


def junit(graded: list[Graded]) -> str:
    root = ET.Element("testsuites", name="memcraft")
    for g in graded:
        suite = ET.SubElement(root, "testsuite", name=g.id)
        res = g.result
        cases = 0
        failures = 0
        if res is None or g.score is None:
            case = ET.SubElement(suite, "testcase", name=g.status, classname=g.id)
            kind = "error" if g.status == "infrastructure-error" else "failure"
            ET.SubElement(case, kind, message=g.status).text = tidy("\n".join(g.notes))
            cases, failures = 1, 1
        else:
            if res.tests:
                for t in res.tests.tests.values():
                    case = ET.SubElement(suite, "testcase", name=t.id, classname=g.id)
                    cases += 1
                    if not t.passed:
                        failures += 1
                        ET.SubElement(case, "failure", message=t.status).text = \
                            tidy("\n".join(t.messages))
            for c in res.categories.values():
                if c.name == "tests" or not c.ran:
                    continue
                case = ET.SubElement(suite, "testcase", name=c.name, classname=g.id)
                cases += 1
                if c.score < c.max_score:
                    failures += 1
                    ET.SubElement(case, "failure", message=f"{c.score:g}/{c.max_score:g}"
                                  ).text = tidy("\n".join(c.reasons))
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_json(path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n")
