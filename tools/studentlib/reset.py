"""make reset EX=03: the exercise's file back to the stub, after asking.

The stub comes from exercises/NN-name/.stub/ (a pristine copy the student kit ships
beside every exercise) or, in a git checkout of the course, from git's last commit;
the student's file is kept first, as
exercises/NN-name/backups/<name>-<date>-<time>.c, which `make clean` leaves alone."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from .common import green, rel
from mcgrader.exercises import Exercise

BACKUPS = "backups"


def pristine(ex: Exercise, name: str) -> Path:
    """The shipped stub of name: the kit's copy, or one written from git's last commit
    (into build/, never over anything of the student's)."""
    copy = ex.dir / ".stub" / name
    if copy.is_file():
        return copy
    rel = (ex.dir / name).relative_to(ex.root).as_posix()
    try:
        blob = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ex.root, check=True,
                              capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return copy   # absent: main() says so
    out = ex.root / "build" / "stubs" / ex.folder / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(blob)
    return out


def backup_path(ex: Exercise, name: str, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    stem, suffix = Path(name).stem, Path(name).suffix
    path = ex.dir / BACKUPS / f"{stem}-{stamp}{suffix}"
    n = 2
    while path.exists():
        path = ex.dir / BACKUPS / f"{stem}-{stamp}-{n}{suffix}"
        n += 1
    return path


def ask(question: str) -> bool:
    print(question, end=" ", flush=True)
    answer = sys.stdin.readline()
    if not answer:
        print()
    return answer.strip().lower() in ("y", "yes")


def main(ex: Exercise, assume_yes: bool = False) -> int:
    missing = [rel(pristine(ex, f)) for f in ex.student_files if not pristine(ex, f).is_file()]
    if missing:
        print(f"No pristine copy of the stub ({', '.join(missing)}): this copy of the course "
              f"is incomplete; take the file from the handout you were given.")
        return 1
    changed = [f for f in ex.student_files if not (ex.dir / f).is_file()
               or (ex.dir / f).read_bytes() != pristine(ex, f).read_bytes()]
    if not changed:
        print(f"{', '.join(rel(ex.dir / f) for f in ex.student_files)}: already the stub; "
              f"nothing to reset.")
        return 0
    plans = [(f, backup_path(ex, f)) for f in changed]
    print(f"This puts the stub of {ex.number} {ex.name} back in "
          f"{', '.join(rel(ex.dir / f) for f in changed)}.")
    for f, backup in plans:
        if (ex.dir / f).is_file():
            print(f"Your {f} is kept as {rel(backup)}.")
    if not (assume_yes or ask(f"Reset EX={ex.handle}? [y/N]")):
        print("Nothing changed.")
        return 0
    for f, backup in plans:
        if (ex.dir / f).is_file():
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(ex.dir / f, backup)
        shutil.copyfile(pristine(ex, f), ex.dir / f)
    print(green(f"{ex.number} {ex.name} is back to its stub."))
    for f, backup in plans:
        if backup.exists():
            print(f"To get your version back: cp {rel(backup)} {rel(ex.dir / f)}")
    return 0
