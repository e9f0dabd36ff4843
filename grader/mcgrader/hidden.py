"""What a student must never see before the due date: the hidden tests' names, their
files' names and their assertion messages. The self-test and the unit tests search
every student-visible string of a report for these; the grader itself never needs
them (it keeps hidden results apart by the binary they came from)."""
from __future__ import annotations

import re

from .exercises import Exercise

TEST_RE = re.compile(r"\b(?:Test|ParameterizedTest)\s*\(\s*(\w+)\s*,\s*(\w+)")
LITERAL_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
SPEC_RE = re.compile(r"%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[a-zA-Z%]|\\.")
MIN_FRAGMENT = 14   # shorter pieces ("expected %zu") are too common to be telling


JOIN_RE = re.compile(r'"\s*\n\s*"')   # "two " "literals" on two lines are one string


def _public_text(ex: Exercise) -> str:
    """Everything a student has anyway: every exercise folder and the book."""
    root = ex.root
    files = [p for d in (root / "exercises", root / "chapters") for p in d.rglob("*")
             if p.is_file() and p.suffix in (".md", ".c", ".h", ".toml")]
    return "\n".join(JOIN_RE.sub("", p.read_text(errors="replace")) for p in files)


def secrets(ex: Exercise) -> list[str]:
    """Strings that would reveal a hidden test: each test's name (suite::test and the
    bare name), each hidden file's name, and each piece of a message literal long
    enough to be telling that no public file of the exercise also holds."""
    public = _public_text(ex)
    found: set[str] = set()
    for path in ex.hidden_tests():
        source = JOIN_RE.sub("", path.read_text(errors="replace"))
        found.add(path.name)
        for suite, name in TEST_RE.findall(source):
            found.add(f"{suite}::{name}")
            if len(name) >= 8 and name not in public:
                found.add(name)
        for literal in LITERAL_RE.findall(source):
            for piece in SPEC_RE.split(literal):
                piece = piece.strip(" .,:;()'\"")
                if len(piece) >= MIN_FRAGMENT and piece not in public:
                    found.add(piece)
    return sorted(found)


def leaks(ex: Exercise, texts: list[str]) -> list[str]:
    """The secrets of ex that appear in any of texts."""
    blob = "\n".join(texts)
    return [s for s in secrets(ex) if s in blob]
