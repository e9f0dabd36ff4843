"""check-text: student-facing text speaks to a student who holds the handout.

The text checked is what a student reads: chapters/*.md, exercises/*/README.md
and exercises/*/hints.md. It fails on:

  - a phrase from INTERNAL_PHRASES (developer context: notes, budgets, the
    syllabus, the self-test, mutants, ...), each listed with its reason;
  - the name of a hidden test, or of a hidden test's file (read from
    grader/hidden/ when it is there; a name that a public test also uses is
    not secret);
  - a repository path the handout does not contain (tools/dist.py decides what
    ships: dist.is_shipped(path) when it has it, else not dist.is_secret(path)),
    or a repository path that does not exist at all;
  - a chapter, section or exercise number that does not exist ("chapter 9"
    needs chapters/09-*.md; "section 2.4" needs a "## 2.4 ..." heading;
    "exercise 04" needs exercises/04-*/). Another document's parts are not
    checked when written "chapter 4 of the SDM" or with a section sign
    ("Intel SDM, Vol. 3A, §4.5"), nor anywhere inside a Sources section;

and, for the chapters only, when the last "##" heading is not "Sources"
(optionally numbered, "## 2.11 Sources") or that section lists nothing.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .common import CHAPTERS, EXERCISES, ROOT, chapter_files, rel, scan_markdown

# ---------------------------------------------------------------------------
# The one list of phrases that betray internal context: (what, regex, why).
# Matched case-insensitively across line breaks (a phrase may wrap).

INTERNAL_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("syllabus", r"\bsyllab(?:us|i)\b",
     "the course plan is an instructors' document; a student has no syllabus to look at"),
    ("our notes", r"\bour notes\b",
     "the developers' notes are not in the handout"),
    ("the notes record", r"\bthe notes (?:record|say|show|measure|list|found)\b",
     "refers to the developers' notes, which the handout does not contain"),
    ("performance notes", r"\bperformance notes\b",
     "refers to the developers' measurement notes, which the handout does not contain"),
    ("budget", r"(?<!memory )(?<!stack )\bbudgets?\b",
     "an internal performance target (\"the 2x budget\") that no student was given; "
     "say what was measured instead (a memory budget of the reader's own program is fine)"),
    ("the project's", r"\bthe project['\u2019]s\b",
     "speaks as the repository's developers; a student holds a handout, not the project"),
    ("self-test", r"\bself-?tests?\b",
     "the developers' check of the whole repository, which the handout does not contain"),
    ("mutant", r"\bmutants?\b",
     "the deliberately wrong solutions the grader is tested with are instructor-only"),
    ("grader/hidden", r"\bgrader/(?:hidden|mutants|alternatives|hostile)\b",
     "instructor-only part of the grader, not in the handout"),
    ("reference solution", r"\breference solutions?\b",
     "the instructors' solutions are not in the handout; show the chapter's own code instead"),
    ("CONTRIBUTING", r"\bCONTRIBUTING\b",
     "the developers' guide is not in the handout"),
    ("NOTES.md", r"\bNOTES\.md\b",
     "the developers' notes are not in the handout"),
    ("SYLLABUS.md or EXAMPLES.md", r"\b(?:SYLLABUS|EXAMPLES)\.md\b",
     "an instructors' planning document, not in the handout"),
    ("BOOK-REVIEW", r"\bBOOK-REVIEW\b",
     "an internal review of the book, not in the handout"),
    ("/work/", r"(?<![\w.])/work/",
     "a path on the developers' machine"),
)

# Words that mark a chapter or section number as another document's
# ("chapter 4 of the Intel SDM", "section 6.5 of C17").
EXTERNAL_AFTER = re.compile(r"^\s+of\b")

STUDENT_GLOBS = ("chapters/*.md", "exercises/*/README.md", "exercises/*/hints.md")
GENERATED_ROOTS = ("build",)  # made by `make book`/`make check` in the handout itself
SOURCES_TITLE = re.compile(r"^(?:\d+\.\d+\s+)?Sources$")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")


@dataclass
class Problem:
    path: Path
    line: int
    phrase: str
    why: str

    def __str__(self) -> str:
        return f"{rel(self.path)}:{self.line}: \"{self.phrase}\": {self.why}"


def student_files() -> list[Path]:
    found: set[Path] = set()
    for pattern in STUDENT_GLOBS:
        found |= {p for p in ROOT.glob(pattern) if p.is_file()}
    return sorted(found)


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# ---------------------------------------------------------------------------
# What the handout holds


def tracked_files() -> set[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
        names = {n for n in out.decode().split("\0") if n}
    except (OSError, subprocess.CalledProcessError):
        names = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                 if p.is_file() and ".git" not in p.parts and "build" not in p.parts}
    return {n for n in names if (ROOT / n).is_file()}


def shipped_predicate() -> Callable[[str], bool] | None:
    """dist.is_shipped, or not dist.is_secret; None where tools/dist.py is absent (the handout)."""
    tools = str(ROOT / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    try:
        dist = importlib.import_module("dist")
    except ImportError:
        return None
    if hasattr(dist, "is_shipped"):
        return dist.is_shipped
    return lambda path: not dist.is_secret(path)


class Handout:
    """Answers "does the student's kit contain this repository path?"."""

    def __init__(self, shipped: Callable[[str], bool]):
        self.files = tracked_files()
        self.shipped = shipped
        self.dirs: set[str] = set()
        for f in self.files:
            parts = f.split("/")
            self.dirs |= {"/".join(parts[:i]) for i in range(1, len(parts))}
        self.roots = {f.split("/")[0] for f in self.files}

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def contains(self, path: str) -> bool:
        if path in self.files:
            return bool(self.shipped(path))
        if path in self.dirs:
            return any(self.shipped(f) for f in self.files if f.startswith(path + "/"))
        return False


# A path-looking token: at least one slash between name characters, not part
# of a URL or an absolute path (/proc/self/maps), not a C header (<sys/mman.h>).
PATH_TOKEN = re.compile(r"(?<![\w/.<~-])((?:\.\./|\./)*(?:[\w.+-]+/)+[\w.+-]*)")
URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|(?:href|src)=\"([^\"]+)\"")
PLACEHOLDER = re.compile(r"(?:^|/)(?:NN|N|XX|\.\.\.)(?:[-/]|$)|[*<>{}$]|\u2026")


def normalise(path: str) -> str | None:
    """Collapses "a/../b" and "./"; None when the path climbs out of the repository."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def path_problems(path: Path, text: str, handout: Handout) -> list[tuple[int, int, Problem]]:
    """Repository paths the handout lacks, as (start, end, problem)."""
    found = []
    here = path.parent.relative_to(ROOT).as_posix()
    seen: set[tuple[int, str]] = set()

    def judge(start: int, end: int, token: str, candidates: list[str], claimed: str) -> None:
        token = token.rstrip(".,;:")
        if not token or PLACEHOLDER.search(token):
            return
        where = None
        for cand in candidates:
            norm = normalise(cand.rstrip(".,;:").split("#")[0])
            if norm is None or norm == "":
                continue
            if handout.exists(norm):
                where = norm
                break
        line = line_of(text, start)
        if (line, token) in seen:
            return
        if where is not None:
            if not handout.contains(where):
                seen.add((line, token))
                found.append((start, end, Problem(path, line, token,
                              f"names {where}, which the student handout does not contain")))
            return
        # Not a file of the repository: only a problem when it claims to be one,
        # that is when it starts with a top-level folder of the repository.
        first = (normalise(claimed.rstrip(".,;:").split("#")[0]) or "").split("/")[0]
        if first in handout.roots and first not in GENERATED_ROOTS:
            seen.add((line, token))
            found.append((start, end, Problem(path, line, token,
                          "looks like a repository path, but no such file or folder exists "
                          "(so it is not in the handout either)")))

    masked = URL.sub(lambda m: " " * len(m.group(0)), text)
    for m in LINK_TARGET.finditer(masked):
        target = m.group(1) or m.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/", target):
            continue
        judge(m.start(), m.end(), target, [f"{here}/{target}"], f"{here}/{target}")
    masked = LINK_TARGET.sub(lambda m: " " * len(m.group(0)), masked)
    for m in PATH_TOKEN.finditer(masked):
        token = m.group(1)
        if masked[m.end() : m.end() + 1] in ("*", "?", "[", "<", "{", "\u2026"):
            continue  # a pattern such as exercises/08-hunt-*, not one file
        # Relative to the file first (an exercise's tests/ is its own), then to the root.
        judge(m.start(), m.end(), token, [f"{here}/{token}", token], token)
    return found


# ---------------------------------------------------------------------------
# Chapter, section and exercise numbers


def known_numbers() -> tuple[set[int], set[str], set[str]]:
    chapters, sections = set(), set()
    for f in chapter_files():
        chapters.add(int(f.name[:2]))
        _, headings = scan_markdown(f.read_text())
        for _, level, title in headings:
            m = re.match(r"^(\d+\.\d+)\s", title)
            if level == 2 and m:
                sections.add(m.group(1))
    exercises = {d.name.split("-")[0] for d in EXERCISES.glob("*-*") if d.is_dir()}
    return chapters, sections, exercises


NUMBER_LIST = r"((?:\s*(?:,|and|or|to|through|-|\u2013)\s*{n})*)"
CHAPTER_REF = re.compile(r"\bchapters?\s+(\d{1,2})\b" + NUMBER_LIST.format(n=r"\d{1,2}\b"), re.I)
SECTION_REF = re.compile(r"\bsections?\s+(\d{1,2}\.\d{1,2})(?![.\d]*\d)" +
                         NUMBER_LIST.format(n=r"\d{1,2}\.\d{1,2}(?![.\d]*\d)"), re.I)
EXERCISE_REF = re.compile(r"\bexercises?\s+(\d{2}[a-z]?)\b" + NUMBER_LIST.format(n=r"\d{2}[a-z]?\b"), re.I)


def number_problems(path: Path, text: str, skip: list[tuple[int, int]],
                    known: tuple[set[int], set[str], set[str]]) -> list[Problem]:
    chapters, sections, exercises = known
    found = []

    def skipped(pos: int) -> bool:
        return any(a <= pos < b for a, b in skip)

    for regex, kind in ((CHAPTER_REF, "chapter"), (SECTION_REF, "section"), (EXERCISE_REF, "exercise")):
        for m in regex.finditer(text):
            if skipped(m.start()) or EXTERNAL_AFTER.match(text, m.end()):
                continue
            numbers = [m.group(1)] + re.findall(r"\d+(?:\.\d+)?[a-z]?", m.group(2) or "")
            for n in numbers:
                if kind == "chapter" and int(n) not in chapters:
                    why = f"refers to chapter {n}, but there is no chapters/{int(n):02d}-*.md"
                elif kind == "section" and n not in sections:
                    why = f"refers to section {n}, but no chapter has a heading \"## {n} ...\""
                elif kind == "exercise" and n not in exercises:
                    why = f"refers to exercise {n}, but there is no exercises/{n}-*/ folder"
                else:
                    continue
                found.append(Problem(path, line_of(text, m.start()), m.group(0).replace("\n", " "), why))
    return found


# ---------------------------------------------------------------------------
# Hidden test names


def hidden_names() -> dict[str, str]:
    """Secret name -> what it is, for every hidden test and hidden test file."""
    hidden = ROOT / "grader" / "hidden"
    if not hidden.is_dir():
        return {}
    test = re.compile(r"\b(?:Test|ParameterizedTest)\s*\(\s*(\w+)\s*,\s*(\w+)")
    public: set[str] = set()
    for f in EXERCISES.glob("*/tests/*.c"):
        for suite, name in test.findall(f.read_text(errors="replace")):
            public |= {name, f"{suite}_{name}"}
    names: dict[str, str] = {}
    for f in sorted(hidden.rglob("*")):
        if not f.is_file():
            continue
        names.setdefault(f.name, f"the file name of a hidden test ({rel(f)})")
        if f.suffix != ".c":
            continue
        for suite, name in test.findall(f.read_text(errors="replace")):
            if name not in public:
                names.setdefault(name, f"the name of a hidden test in {rel(f)}")
            if f"{suite}_{name}" not in public:
                names.setdefault(f"{suite}_{name}", f"the name of a hidden test in {rel(f)}")
    return {n: why for n, why in names.items() if len(n) >= 8 and ("_" in n or "." in n)}


# ---------------------------------------------------------------------------
# Sources


def sources_problem(path: Path, text: str) -> Problem | None:
    fences, headings = scan_markdown(text)
    level2 = [(line, title) for line, level, title in headings if level == 2]
    if not level2:
        return Problem(path, 1, "## Sources", "the chapter has no ## heading at all; it must end "
                       "with a \"## Sources\" section listing what it relies on")
    line, title = level2[-1]
    if not SOURCES_TITLE.match(title.strip()):
        return Problem(path, line, f"## {title}", "the last ## heading must be \"Sources\": every "
                       "chapter ends with the list of standards, source files, manuals and "
                       "measurements it relies on")
    inside = [(f.line, f.end) for f in fences]
    lines = text.split("\n")
    for i in range(line, len(lines)):
        n = i + 1
        if any(a <= n <= b for a, b in inside):
            continue
        if LIST_ITEM.match(lines[i]):
            return None
    return Problem(path, line, f"## {title}", "the Sources section lists nothing: give at least "
                   "one list item (a standard's clause, a source file, a manual page, a measuring program)")


# ---------------------------------------------------------------------------


def sources_section_span(text: str) -> tuple[int, int] | None:
    """Character span of a trailing Sources section (its own references are to other documents)."""
    _, headings = scan_markdown(text)
    level2 = [(line, title) for line, level, title in headings if level == 2]
    if not level2 or not SOURCES_TITLE.match(level2[-1][1].strip()):
        return None
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[: level2[-1][0] - 1])
    return start, len(text)


def check_file(path: Path, known, secret_names: dict[str, str], handout: Handout | None) -> list[Problem]:
    text = path.read_text(errors="replace")
    flat = text.replace("\n", " ")  # same offsets; lets a phrase wrap across lines
    problems: list[Problem] = []
    spans: list[tuple[int, int]] = []
    for what, regex, why in INTERNAL_PHRASES:
        for m in re.finditer(regex, flat, re.I):
            problems.append(Problem(path, line_of(text, m.start()), m.group(0), why))
            spans.append((m.start(), m.end()))
    if secret_names:
        pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(secret_names, key=len, reverse=True)) + r")(?![\w])")
        for m in pattern.finditer(text):
            problems.append(Problem(path, line_of(text, m.start()), m.group(1),
                                    f"{secret_names[m.group(1)]}: hidden means hidden"))
            spans.append((m.start(), m.end()))
    if handout is not None:
        for start, end, problem in path_problems(path, text, handout):
            if not any(a < end and start < b for a, b in spans):
                problems.append(problem)
    skip = []
    if path.parent == CHAPTERS:
        span = sources_section_span(text)
        if span:
            skip.append(span)
    problems += number_problems(path, text, skip, known)
    if path.parent == CHAPTERS and path in chapter_files():
        p = sources_problem(path, text)
        if p:
            problems.append(p)
    return sorted(problems, key=lambda p: p.line)


def cmd_check_text() -> int:
    shipped = shipped_predicate()
    handout = Handout(shipped) if shipped is not None else None
    if handout is None:
        print("check-text: tools/dist.py is not here (a handout?): repository paths are not checked")
    known = known_numbers()
    secret = hidden_names()
    files = student_files()
    failed_files = []
    total = 0
    for path in files:
        problems = check_file(path, known, secret, handout)
        for p in problems:
            print(p)
        if problems:
            failed_files.append(rel(path))
            total += len(problems)
    chapters = [rel(c) for c in chapter_files()]
    bad_chapters = [c for c in chapters if c in failed_files]
    print(f"check-text: {len(files)} file(s), {total} problem(s) in {len(failed_files)} file(s); "
          f"chapters failing: {', '.join(Path(c).stem[:2] for c in bad_chapters) or 'none'}")
    return 1 if total else 0
