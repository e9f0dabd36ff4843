"""The hints of an exercise (hints.md, "## Hint N" sections), one at a time.

`make hint` and the `h` key of `make watch` share the counter in
build/NN-name/hints-shown, so neither repeats what the other showed."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .common import work_dir
from mcgrader.exercises import Exercise


@dataclass
class Hint:
    number: int      # 1-based
    total: int
    text: str

    @property
    def last(self) -> bool:
        return self.number >= self.total


def all_hints(ex: Exercise) -> list[str]:
    path = ex.dir / "hints.md"
    text = path.read_text() if path.exists() else ""
    return [h.strip() for h in re.split(r"^## Hint \d+.*$", text, flags=re.M)[1:] if h.strip()]


def next_hint(ex: Exercise) -> Hint | None:
    """The next hint not yet shown (the last one again once all were shown)."""
    hints = all_hints(ex)
    if not hints:
        return None
    state = work_dir(ex) / "hints-shown"
    try:
        shown = int(state.read_text())
    except (OSError, ValueError):
        shown = 0
    index = min(shown, len(hints) - 1)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(str(index + 1))
    return Hint(index + 1, len(hints), hints[index])


def forget(ex: Exercise) -> None:
    (work_dir(ex) / "hints-shown").unlink(missing_ok=True)
