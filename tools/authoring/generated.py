#!/usr/bin/env python3
"""Files derived from others, which the student handout needs and cannot derive.

    python3 tools/authoring/generated.py [EX ...]           check (exit 1 when stale)
    python3 tools/authoring/generated.py --write [EX ...]   write them (make generated)

- `hidden_tests = N` in exercise.toml: how many tests grader/hidden/NN-name/ holds.
  The handout has no grader/hidden/, and `make check` shows the count so that a
  green table is not taken for full marks.
The self-test's layout check fails when it is stale. (The pristine stubs that
`make reset` puts back are written into the handout by tools/dist.py, not tracked.)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "grader"))

from mcgrader import calibrate, exercises  # noqa: E402
from mcgrader.exercises import Exercise  # noqa: E402

COMMENT = "# hidden tests the grader adds to the public ones"
LINE_RE = re.compile(r"^(hidden_tests\s*=\s*)[^\s#]*", re.M)


def counted(ex: Exercise) -> int:
    return len(calibrate.hidden_test_ids(ex))


def problems(ex: Exercise) -> list[str]:
    """What is stale, one sentence each (empty when everything is current)."""
    out = []
    if ex.hidden_dir.is_dir() and ex.hidden_count != counted(ex):
        said = "has no hidden_tests" if ex.hidden_count is None else \
            f"says hidden_tests = {ex.hidden_count}"
        out.append(f"exercises/{ex.folder}/exercise.toml {said}, but grader/hidden/{ex.folder}/ "
                   f"has {counted(ex)} tests: run `make generated`")
    return out


def with_count(toml: str, count: int) -> str:
    """toml with its top-level hidden_tests set to count (before the first [table])."""
    if LINE_RE.search(toml):
        return LINE_RE.sub(lambda m: m.group(1) + str(count), toml, count=1)
    line = f"hidden_tests = {count}"
    table = re.search(r"^\[", toml, re.M)
    at = table.start() if table else len(toml)
    head = toml[:at].rstrip("\n") + "\n" if toml[:at].strip() else ""
    return f"{head}{line}  {COMMENT}\n\n" + toml[at:]


def write(ex: Exercise) -> list[str]:
    """Brings ex's generated files up to date; returns what changed."""
    changed = []
    meta = ex.dir / "exercise.toml"
    if ex.hidden_dir.is_dir():
        text = meta.read_text()
        new = with_count(text, counted(ex))
        if new != text:
            meta.write_text(new)
            changed.append(str(meta.relative_to(ex.root)))
    return changed


def main(argv: list[str]) -> int:
    writing = "--write" in argv
    chosen = exercises.select([a for a in argv if a != "--write"])
    stale = []
    for ex in chosen:
        if writing:
            for path in write(ex):
                print(f"wrote {path}")
        else:
            stale += problems(ex)
    for line in stale:
        print(line)
    if not writing and not stale:
        print(f"generated files are current for {len(chosen)} exercise(s)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
