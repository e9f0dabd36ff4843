"""The contract's numbered clauses, and which tests check them.

A README states every promise as a clause, `**N.M**` in bold at the start of a list
item or table cell. Each test's first statement names the clauses it checks:
`MC_CLAUSE("4.1", "4.2");`. From these the self-test proves that every clause has a
test and every mutant is rejected by a test of the clause it breaks; the score stage
uses them to tell which of a bug hunt's bugs are fixed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import Exercise

CLAUSE_RE = re.compile(r"\*\*(\d+\.\d+)\*\*")
TEST_RE = re.compile(r"\b(?:Test|ParameterizedTest)\s*\(\s*(\w+)\s*,\s*(\w+)[^)]*\)\s*\{")
SUITE_RE = re.compile(r"\bMC_SUITE\s*\(\s*(\w+)\s*\)")
TAG_RE = re.compile(r"^\s*MC_CLAUSE\s*\(([^)]*)\)\s*;")
ALLOWED_RE = re.compile(r"^\*\*Allowed library functions:\*\*(.*)$", re.M)


@dataclass
class TestSource:
    id: str                    # "suite::name"
    path: Path
    line: int
    clauses: list[str] = field(default_factory=list)
    suite_declared: bool = True
    hidden: bool = False


def readme_clauses(ex: Exercise) -> dict[str, str]:
    """{"4.1": the line that states it}; a repeated id maps to "" (an error)."""
    found: dict[str, str] = {}
    text = ex.readme.read_text() if ex.readme.exists() else ""
    for line in text.splitlines():
        for cid in CLAUSE_RE.findall(line):
            found[cid] = "" if cid in found else line.strip()
    return found


def _body(source: str, start: int) -> str:
    depth, i = 1, start
    while i < len(source) and depth:
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
    return source[start:i - 1]


def test_sources(ex: Exercise, hidden: bool = True) -> list[TestSource]:
    """Every test of the exercise as written, with the clauses its first statement names."""
    files = [(p, False) for p in ex.public_tests()] + \
        ([(p, True) for p in ex.hidden_tests()] if hidden else [])
    out = []
    for path, is_hidden in files:
        source = path.read_text(errors="replace")
        suites = set(SUITE_RE.findall(source))
        for m in TEST_RE.finditer(source):
            tag = TAG_RE.match(_body(source, m.end()))
            ids = re.findall(r'"(\d+\.\d+)"', tag.group(1)) if tag else []
            out.append(TestSource(f"{m.group(1)}::{m.group(2)}", path,
                                  source.count("\n", 0, m.start()) + 1, ids,
                                  m.group(1) in suites, is_hidden))
    return out


# Our own checking programs (exercise 09's driver/probe.c) tag their checks too.
CHECK_RE = re.compile(r'\bCHECK\s*\(\s*"(\d+\.\d+)"')


def program_checks(ex: Exercise) -> list[TestSource]:
    """The tagged checks of an exercise's trusted checking programs (exercise NN's
    driver/*.c), as pseudo-tests "driver::file:line": a clause they check has a test."""
    out = []
    for path in sorted((ex.dir / "driver").glob("*.c")):
        source = path.read_text(errors="replace")
        for m in CHECK_RE.finditer(source):
            line = source.count("\n", 0, m.start()) + 1
            out.append(TestSource(f"driver::{path.name}:{line}", path, line, [m.group(1)]))
    return out


def tests_of(ex: Exercise, clause: str) -> set[str]:
    """The ids of the tests tagged with clause."""
    return {t.id for t in test_sources(ex) if clause in t.clauses}


def allowed_in_readme(ex: Exercise) -> list[str] | None:
    """The README's `**Allowed library functions:**` line, as names; None if absent."""
    if not ex.readme.exists():
        return None
    m = ALLOWED_RE.search(ex.readme.read_text())
    if m is None:
        return None
    return re.findall(r"`([A-Za-z_]\w*)`", m.group(1))


def problems(ex: Exercise) -> list[str]:
    """Everything wrong with the exercise's clauses and tags, one sentence each."""
    out = []
    clauses = readme_clauses(ex)
    if not clauses:
        out.append(f"{ex.readme.name} numbers no contract clause (**N.M**)")
    out += [f"{ex.readme.name}: clause {c} is defined twice" for c, t in clauses.items() if not t]
    tested: set[str] = set()
    for t in test_sources(ex):
        where = f"{t.path.name}:{t.line} ({t.id})"
        if not t.suite_declared:
            out.append(f"{where}: its suite is not declared with MC_SUITE in the same file")
        if not t.clauses:
            out.append(f"{where}: the first statement must be MC_CLAUSE(\"N.M\", ...)")
        for c in t.clauses:
            if c not in clauses:
                out.append(f"{where}: MC_CLAUSE names {c}, which the README does not define")
        tested |= set(t.clauses)
    for check in program_checks(ex):
        tested |= set(check.clauses)
    out += [f"clause {c} has no test: {clauses[c][:90]}" for c in sorted(clauses, key=_order)
            if c not in tested]
    allowed = allowed_in_readme(ex)
    if allowed is None:
        out.append(f"{ex.readme.name} lacks the line '**Allowed library functions:** ...'")
    elif sorted(allowed) != sorted(ex.libc):
        out.append(f"{ex.readme.name} allows {sorted(allowed)} but exercise.toml's libc is "
                   f"{sorted(ex.libc)}: they must agree")
    for bug in ex.bugs():
        if bug["clause"] not in clauses:
            out.append(f"bugs.toml: bug {bug['id']} names clause {bug['clause']}, which the "
                       f"README does not define")
        elif bug["clause"] not in tested:
            out.append(f"bugs.toml: bug {bug['id']}'s clause {bug['clause']} has no test")
    return out


def _order(cid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in cid.split("."))
