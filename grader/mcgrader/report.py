"""Stage: report. The same results for people (terminal), programs (JSON), Gradescope
(results.json) and CI systems (JUnit XML).

JSON schema (version 1):
  {"schema": 1, "submission": str, "score": float, "max_score": float,
   "protections": [str], "notes": [str],
   "exercises": [{"id": "03-vector", "title": str, "score": float, "max_score": float,
                  "status": "graded" | "missing" | "compile-error" | "audit-violation" |
                            "infrastructure-error",
                  "build_errors": str, "audit": [str], "notes": [str],
                  "categories": {"tests" | "valgrind" | "sanitizers" | "lint":
                                 {"score": float, "max_score": float, "ran": bool,
                                  "reasons": [str]}},
                  "tests": [{"id": "suite::test", "status": str, "hidden": bool,
                             "messages": [str]}]}]}
An exercise with status infrastructure-error has "score": null: it was not graded,
and no grade may be recorded for it.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .exercises import ROOT
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
    hidden_ids: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def exercise_json(g: Graded) -> dict:
    res = g.result
    cats = {}
    tests = []
    if res:
        cats = {c.name: {"score": c.score, "max_score": c.max_score, "ran": c.ran,
                         "reasons": c.reasons} for c in res.categories.values()}
        if res.tests:
            tests = [{"id": t.id, "status": t.status, "hidden": t.id in g.hidden_ids,
                      "messages": t.messages} for t in res.tests.tests.values()]
    return {"id": g.id, "title": g.title, "score": g.score, "max_score": g.max_score,
            "status": g.status, "build_errors": res.build_errors if res else "",
            "audit": res.audit_problems if res else [], "notes": g.notes + (res.notes if res
                                                                              else []),
            "categories": cats, "tests": tests}


def to_json(graded: list[Graded], submission: str, protections: list[str],
            notes: list[str]) -> dict:
    scored = [g.score for g in graded if g.score is not None]
    return {"schema": 1, "submission": submission, "score": round(sum(scored), 2),
            "max_score": sum(g.max_score for g in graded), "protections": protections,
            "notes": notes, "exercises": [exercise_json(g) for g in graded]}


def terminal(graded: list[Graded], submission: str, protections: list[str],
             notes: list[str]) -> str:
    lines = [f"memcraft grade: {submission}", ""]
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
        why = _why(g)
        if why:
            lines += ["", f"{g.id}: where the points went"] + [f"  {w}" for w in why]
    lines += ["", "protections: " + ", ".join(protections)] + [f"note: {n}" for n in notes]
    return "\n".join(lines)


def _why(g: Graded, per_category: int = 6) -> list[str]:
    out = list(g.notes)
    res = g.result
    if res is None:
        return out
    if res.build_errors:
        out += ["compiler:"] + ["  " + ln for ln in res.build_errors.splitlines()[:12]]
    out += [f"audit: {p}" for p in res.audit_problems]
    for c in res.categories.values():
        if c.ran and c.score < c.max_score:
            out.append(f"{c.name}: {c.score:g}/{c.max_score:g} (-{c.max_score - c.score:g})")
            for reason in c.reasons[:per_category]:
                first, *rest = _short(reason).splitlines() or [""]
                out.append(f"  - {first}")
                out += [f"    {ln.strip()}" for ln in rest if ln.strip()]
            if len(c.reasons) > per_category:
                out.append(f"  - ... and {len(c.reasons) - per_category} more (see --json)")
    return out


def _short(text: str) -> str:
    """Paths inside the course repository, relative: the report stays readable."""
    return text.replace(f"{ROOT}/", "")


def gradescope(graded: list[Graded], output: str) -> dict:
    """Gradescope's results.json. Hidden tests are 'after_due_date', never 'hidden',
    since a hidden test would hide the student's total."""
    tests = []
    for g in graded:
        res = g.result
        if res is None or g.score is None:
            tests.append({"name": f"{g.id}", "score": 0 if g.score is not None else 0,
                          "max_score": g.max_score, "status": "failed",
                          "output": "\n".join(g.notes) or g.status, "visibility": "visible"})
            continue
        for c in res.categories.values():
            entry = {"name": f"{g.id}: {c.name}", "score": c.score, "max_score": c.max_score,
                     "status": "passed" if c.score >= c.max_score else "failed",
                     "output": "\n".join(c.reasons) or "all good",
                     "visibility": "visible"}
            if c.name == "tests" and res.tests:
                hidden = [t for t in res.tests.tests.values() if t.id in g.hidden_ids]
                public = [t for t in res.tests.tests.values() if t.id not in g.hidden_ids]
                entry["output"] = _test_lines(public) + (
                    f"\n{len(hidden)} hidden test(s): results shown after the due date"
                    if hidden else "")
                if hidden:
                    tests.append({"name": f"{g.id}: hidden tests", "score": 0, "max_score": 0,
                                  "output": _test_lines(hidden), "visibility": "after_due_date"})
            tests.append(entry)
    total = sum(g.score or 0 for g in graded)
    return {"score": round(total, 2), "output": output, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


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
            ET.SubElement(case, kind, message=g.status).text = "\n".join(g.notes)
            cases, failures = 1, 1
        else:
            if res.tests:
                for t in res.tests.tests.values():
                    case = ET.SubElement(suite, "testcase", name=t.id, classname=g.id)
                    cases += 1
                    if not t.passed:
                        failures += 1
                        ET.SubElement(case, "failure", message=t.status).text = \
                            "\n".join(t.messages)
            for c in res.categories.values():
                if c.name == "tests" or not c.ran:
                    continue
                case = ET.SubElement(suite, "testcase", name=c.name, classname=g.id)
                cases += 1
                if c.score < c.max_score:
                    failures += 1
                    ET.SubElement(case, "failure", message=f"{c.score:g}/{c.max_score:g}"
                                  ).text = "\n".join(c.reasons)
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_json(path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n")
