"""What one screen of `make watch` says, as lines of text (watch.py decides when)."""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache

from .common import ROOT, bold, dim, green, red, rel
from .hints import Hint
from .memcheck import Memcheck
from .quick import Problem, Quick, section_for
from mcgrader import memory
from mcgrader.paths import tidy
from mcgrader.exercises import Exercise

KEYS = "h next hint   v Valgrind   r check again   q quit"


@dataclass
class View:
    ex: Exercise
    place: int                     # 1-based, in the exercises followed
    count: int
    watching: str                  # how saves are noticed
    result: Quick | None = None
    busy: str = ""                 # what runs now: "checking", "running Valgrind"
    hint: Hint | None = None
    no_hints: bool = False
    valgrind: Memcheck | None = None
    done: list[str] = field(default_factory=list)
    note: str = ""                 # a one-off message (an error of the tool itself)
    hidden: int | None = None      # the grader's hidden tests for ex
    finished: bool = False         # every exercise followed passes


@lru_cache(maxsize=None)
def chapter_of(section: str) -> str:
    """The chapter file that has the heading `## <section>`, or ""."""
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]-*.md")):
        if f"\n## {section}\n" in "\n" + path.read_text(errors="replace") + "\n":
            return rel(path)
    return ""


def read_line(section: str) -> str:
    where = chapter_of(section)
    return f"read: section {section}" + (f" ({where})" if where else "")


def wrapped(text: str, width: int, indent: str = "  ", hang: str = "") -> list[str]:
    return textwrap.wrap(text, width=max(40, width), initial_indent=indent,
                         subsequent_indent=indent + hang, break_long_words=False,
                         break_on_hyphens=False) or [indent]


def markdown_lines(text: str, width: int) -> list[str]:
    """A hint's Markdown for the terminal: paragraphs and list items wrapped, code kept."""
    out: list[str] = []
    para: list[str] = []
    code = False

    def flush() -> None:
        if para:
            item = re.match(r"^(?:[-*]|\d+\.)\s", para[0])
            out.extend(wrapped(" ".join(" ".join(para).split()), width,
                               hang=" " * len(item.group(0)) if item else ""))
            para.clear()
    for line in text.splitlines():
        if line.strip().startswith("```"):
            flush()
            code = not code
        elif code:
            out.append("      " + line)
        elif not line.strip():
            flush()
        elif re.match(r"^\s*(?:[-*]|\d+\.)\s", line):
            flush()
            para.append(line.strip())
        else:
            para.append(line)
    flush()
    return out


def status(v: View) -> str:
    q = v.result
    if q is None:
        return f"checking {v.ex.number} {v.ex.name} ..."
    if not q.built:
        text = red(f"{q.failed_file} does not compile")
    else:
        tests = f"{q.passed}/{q.total} public tests pass"
        san = "sanitizers clean" if not q.findings else \
            f"sanitizers: {len(q.findings)} problem(s)"
        text = (green if q.ok else red)(f"{tests}, {san}")
    text += dim(f"  (checked in {q.seconds:.2f} s)")
    return text + (dim("  checking again ...") if v.busy == "checking" else "")


def problem_lines(p: Problem, q: Quick, width: int) -> list[str]:
    out = [bold(p.title)]
    if p.where:
        out.append(f"  at {p.where}")
    for line in p.lines:
        out += wrapped(line.strip(), width)
    if p.section:
        out.append("  " + read_line(p.section))
    others = len(q.failing()) - 1 if q.built else 0
    if others > 0:
        out.append(dim(f"  ({others} more failing test(s): `make check EX={q.ex.handle}` "
                       f"shows them all)"))
    return out


def valgrind_lines(v: View, width: int) -> list[str]:
    if v.busy == "running Valgrind":
        return [dim("Valgrind: running your public tests under memcheck ...")]
    m = v.valgrind
    if m is None:
        return []
    if m.compile_error:
        return [red(f"Valgrind: {m.failed_file} does not compile")]
    if not m.findings:
        return [green(f"Valgrind: no leaks and no memory errors ({m.tests} tests, "
                      f"{m.seconds:.1f} s)")]
    first = m.findings[0]
    out = [red(f"Valgrind: {len(m.findings)} problem(s); the first:")]
    out += wrapped(first.line(), width)
    section = section_for(first)
    if section:
        out.append("  " + read_line(section))
    return out


def hint_lines(v: View, width: int) -> list[str]:
    if v.no_hints:
        return [dim(f"{v.ex.folder} has no hints; re-read {rel(v.ex.readme)}.")]
    if v.hint is None:
        return []
    h = v.hint
    out = [bold(f"Hint {h.number} of {h.total}:")] + markdown_lines(h.text, width)
    if h.last:
        out.append(dim(f"  (the last hint; `make hint EX={v.ex.handle} RESET=1` starts over)"))
    return out


def frame(v: View, width: int = 100) -> list[str]:
    ex = v.ex
    files = ", ".join(rel(ex.dir / f) for f in ex.student_files)
    lines = [bold(f"memcraft watch: {ex.number} {ex.name} (EX={ex.handle}, "
                  f"{v.place} of {v.count})"),
             dim(f"edit {files} and save; read {rel(ex.readme)}"), ""]
    if v.finished:
        lines += [green("Every exercise passes its public tests and the sanitizer build."),
                  "Before you submit: `make grade` (Valgrind and clang-tidy count too).", ""]
    lines.append(status(v))
    q = v.result
    problem = q.first_problem() if q else None
    if problem:
        lines += [""] + problem_lines(problem, q, width - 4)
    if q and q.skipped and not problem:
        lines.append(dim(f"  ({memory.SKIPPED_LEAK})"))
    if v.hidden:
        lines += ["", dim(f"The grader adds {v.hidden} hidden tests, Valgrind and clang-tidy: "
                         f"passing here is not yet full marks.")]
    for block in (hint_lines(v, width - 4), valgrind_lines(v, width - 4)):
        if block:
            lines += [""] + block
    if v.note:
        lines += ["", red(v.note)]
    lines.append("")
    if v.done:
        shown = v.done[-3:]
        more = len(v.done) - len(shown)
        for line in shown:
            lines += [green(part) for part in wrapped(line, width, indent="", hang="  ")]
        lines += [dim(f"({more} more done before)")] if more else []
    lines.append(dim(f"{KEYS}      {v.watching}"))
    return [tidy(line) for line in lines]
