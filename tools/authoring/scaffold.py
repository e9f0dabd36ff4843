#!/usr/bin/env python3
"""make new-exercise NAME=ring-buffer CHAPTER=05 [NUMBER=09]: a new exercise, scaffolded.

Writes every folder and file an exercise needs, around a small working example
(`<name>_copy`, a string copy with a failure path) that the author then replaces:

    exercises/NN-name/      README.md (numbered clauses, the Allowed library functions
                            line), exercise.toml, <name>.h, <name>.c (the stub),
                            tests/test_<name>.c (one public test), hints.md
    solutions/NN-name/      <name>.c, the reference solution
    grader/hidden/NN-name/  test_<name>_hidden.c, with its own MC_SUITE
    grader/alternatives/NN-name/{by-hand,copy-then-terminate}/<name>.c
    grader/mutants/NN-name/ignores-failed-malloc.patch

As written it passes the self-test's layout check and fails as a stub, so
`make verify EX=NN` is green before the first real edit. CONTRIBUTING.md walks
through replacing the example.
"""
from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "grader"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mcgrader.exercises import FOLDER_RE, ROOT  # noqa: E402
from templates import Names, files  # noqa: E402


class ScaffoldError(Exception):
    """Bad arguments: the message says what to type instead."""


def chapter_of(key: str, root: Path) -> Path:
    """chapters/05-dynamic-arrays.md from "05", "5" or "05-dynamic-arrays"."""
    key = key.strip().removesuffix(".md")
    if not key:
        raise ScaffoldError("say which chapter the exercise belongs to: CHAPTER=05")
    number = key.split("-")[0]
    hits = [p for p in sorted((root / "chapters").glob("[0-9][0-9]-*.md"))
            if p.stem == key or (number.isdigit() and int(p.name[:2]) == int(number)
                                 and key == number)]
    if len(hits) != 1:
        known = ", ".join(p.stem for p in sorted((root / "chapters").glob("[0-9][0-9]-*.md")))
        raise ScaffoldError(f"no chapter '{key}' (there are: {known})")
    return hits[0]


def first_section(chapter: Path) -> tuple[str, str]:
    """The chapter's title line and its first `## N.M Title` section."""
    text = chapter.read_text()
    title = re.search(r"^# (.+)$", text, re.M)
    section = re.search(r"^## (\d+\.\d+ .+?)\s*$", text, re.M)
    if not title or not section:
        raise ScaffoldError(f"{chapter.name} needs a '# N Title' line and a '## N.M' section")
    return title.group(1).strip(), section.group(1)


def next_number(root: Path) -> str:
    used = [int(p.name[:2]) for p in (root / "exercises").glob("[0-9][0-9]-*") if p.is_dir()]
    return f"{max(used, default=0) + 1:02d}"


def names_for(name: str, chapter: Path, number: str, title: str, root: Path) -> Names:
    folder = f"{number}-{name}"
    if not FOLDER_RE.match(folder) or not re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", name):
        raise ScaffoldError(f"NAME={name!r}: lower-case words joined by '-' (NAME=ring-buffer)")
    if not re.fullmatch(r"\d\d", number):
        raise ScaffoldError(f"NUMBER={number!r}: two digits (NUMBER=09)")
    for base in ("exercises", "solutions", "grader/hidden", "grader/mutants",
                 "grader/alternatives"):
        if (root / base / folder).exists():
            raise ScaffoldError(f"{base}/{folder} already exists")
    clash = [p.name for p in (root / "exercises").glob(f"*-{name}") if p.name[3:] == name]
    if clash:
        raise ScaffoldError(f"an exercise named {name} exists already: {clash[0]}")
    chapter_title, section = first_section(chapter)
    return Names(folder=folder, number=number, prefix=name.replace("-", "_"),
                 title=title or name.replace("-", " ").capitalize(), chapter=chapter.stem,
                 chapter_title=chapter_title, section=section)


def mutant_patch(n: Names, solution: str) -> str:
    """The example mutant: the solution with its check of malloc's result taken out."""
    check = "    if (copy == NULL) {\n        return NULL;\n    }\n"
    assert check in solution
    wrong = solution.replace(check, "", 1)
    diff = difflib.unified_diff(solution.splitlines(keepends=True),
                                wrong.splitlines(keepends=True),
                                f"a/{n.prefix}.c", f"b/{n.prefix}.c")
    return (f"Mistake: {n.prefix}_copy() does not check what malloc returned, so a failed "
            f"allocation is written through a NULL pointer.\n"
            f"Category: tests\nClause: 1.2\n" + "".join(diff))


def scaffold(name: str, chapter_key: str, number: str = "", title: str = "",
             root: Path = ROOT) -> list[Path]:
    """Writes the new exercise under root; returns the files written."""
    chapter = chapter_of(chapter_key, root)
    n = names_for(name, chapter, number or next_number(root), title, root)
    written = []
    for rel, text in files(n).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    formatter = shutil.which("clang-format")
    if formatter:   # the course's layout (.clang-format), before anything is derived
        subprocess.run([formatter, "-i", *[str(p) for p in written if p.suffix in (".c", ".h")]],
                       cwd=root, check=False)
    solution = (root / "solutions" / n.folder / f"{n.prefix}.c").read_text()
    patch = root / "grader" / "mutants" / n.folder / "ignores-failed-malloc.patch"
    patch.parent.mkdir(parents=True, exist_ok=True)
    patch.write_text(mutant_patch(n, solution))
    written.append(patch)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="", help="lower-case words joined by '-'")
    parser.add_argument("--chapter", default="", help="05 or 05-dynamic-arrays")
    parser.add_argument("--number", default="", help="two digits (default: the next free)")
    parser.add_argument("--title", default="", help="the exercise's title")
    args = parser.parse_args(argv)
    try:
        if not args.name:
            raise ScaffoldError("say what the exercise is called: "
                                "make new-exercise NAME=ring-buffer CHAPTER=05")
        written = scaffold(args.name, args.chapter, args.number, args.title)
    except ScaffoldError as err:
        print(f"new-exercise: {err}")
        return 2
    folder = written[0].parent.name
    print(f"wrote {len(written)} files for {folder}:")
    for path in written:
        print(f"  {path.relative_to(ROOT)}")
    number = folder[:2]
    print(f"\nNext: `make verify EX={number}` (green as scaffolded), then replace the example "
          f"as CONTRIBUTING.md describes (Adding an exercise), running `make verify EX={number}` "
          f"after each step.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
