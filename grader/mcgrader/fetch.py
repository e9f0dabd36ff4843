"""Stage: fetch. Puts a submission's files for one exercise into a scratch folder.

Only the files the exercise's metadata lists are taken from the submission,
found by name wherever they are; our pristine headers are copied beside them,
so a submitted header, test or Makefile never replaces ours.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import Exercise

MAX_FILE_BYTES = 1 << 20


@dataclass
class Staged:
    folder: Path
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _find(root: Path, name: str, prefer: str) -> list[Path]:
    hits = [p for p in root.rglob(name) if p.is_file() and not p.is_symlink()]
    # Prefer the copy in the exercise's own folder when several have the name.
    return sorted(hits, key=lambda p: (prefer not in p.parts, len(p.parts), str(p)))


def stage(ex: Exercise, submission: Path, dest: Path) -> Staged:
    """Copies ex's student files from submission (a folder) and our headers into dest."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    staged = Staged(dest)
    for name in ex.student_files:
        hits = _find(submission, name, ex.folder)
        if not hits:
            staged.missing.append(name)
            continue
        if len(hits) > 1:
            staged.notes.append(f"{name}: several copies; graded {hits[0].relative_to(submission)}")
        if hits[0].stat().st_size > MAX_FILE_BYTES:
            staged.missing.append(name)
            staged.notes.append(f"{name}: larger than {MAX_FILE_BYTES} bytes; not graded")
            continue
        shutil.copyfile(hits[0], dest / name)
    for header in ex.headers:
        shutil.copyfile(ex.dir / header, dest / header)
    return staged
