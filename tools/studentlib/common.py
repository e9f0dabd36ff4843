"""Paths, colours and the scratch folder every student command shares."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader.exercises import Exercise  # noqa: E402

BUILD = ROOT / "build"
COLOR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def green(t: str) -> str:
    return paint(t, "32")


def red(t: str) -> str:
    return paint(t, "31")


def dim(t: str) -> str:
    return paint(t, "2")


def bold(t: str) -> str:
    return paint(t, "1")


def work_dir(ex: Exercise) -> Path:
    """build/NN-name: the exercise's objects, binaries and run logs."""
    return BUILD / ex.folder


def rel(path: Path) -> str:
    """A path as the student would type it, from the repository's folder."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
