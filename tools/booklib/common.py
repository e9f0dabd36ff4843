"""Paths, errors and the Markdown scanning shared by every book command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
EXERCISES = ROOT / "exercises"
BOOK_SRC = ROOT / "book"
OUT = ROOT / "build" / "book"


class BookError(Exception):
    """A failure that ends the command with a message and a status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def first_lines(text: str, n: int = 6) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    more = f"\n    ... ({len(lines) - n} more lines)" if len(lines) > n else ""
    return "\n".join("    " + l for l in lines[:n]) + more


@dataclass
class Fence:
    line: int  # 1-based line of the opening fence
    classes: list[str]
    code: str
    attrs: dict[str, str] = field(default_factory=dict)  # key="value" pairs of {...}
    end: int = 0  # 1-based line of the closing fence (or the last line)


FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*(.*?)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*\})?\s*#*\s*$")


def fence_classes(info: str) -> list[str]:
    """Classes of a fence info string: "c", "{.c .run}", "c {.run}"."""
    classes: list[str] = []
    brace = re.search(r"\{([^}]*)\}", info)
    if brace:
        classes += [t[1:] for t in brace.group(1).split() if t.startswith(".")]
        info = info[: brace.start()] + info[brace.end() :]
    words = info.split()
    if words:
        classes.insert(0, words[0])
    return classes


def fence_attrs(info: str) -> dict[str, str]:
    """key="value" attributes of a fence info string: {.c .run cflags="-O2"}."""
    brace = re.search(r"\{([^}]*)\}", info)
    return dict(re.findall(r'(\w+)="([^"]*)"', brace.group(1))) if brace else {}


def scan_markdown(text: str) -> tuple[list[Fence], list[tuple[int, int, str]]]:
    """Returns the fenced blocks and the ATX headings (line, level, text) outside them."""
    fences: list[Fence] = []
    headings: list[tuple[int, int, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            indent, marker = len(m.group(1)), m.group(2)
            close = re.compile(r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}\s*$")
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                line = lines[j]
                body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
                j += 1
            fences.append(Fence(i + 1, fence_classes(m.group(3)), "\n".join(body) + "\n",
                                fence_attrs(m.group(3)), min(j + 1, len(lines))))
            i = j + 1
            continue
        h = HEADING.match(lines[i])
        if h:
            headings.append((i + 1, len(h.group(1)), h.group(2)))
        i += 1
    return fences, headings


def chapter_files() -> list[Path]:
    return sorted(p for p in CHAPTERS.glob("[0-9][0-9]-*.md") if p.is_file())
