#!/usr/bin/env python3
"""What the course hands out: the Gradescope autograder and the student kit.

    python3 tools/dist.py gradescope   build/dist/memcraft-gradescope.zip
    python3 tools/dist.py handout      build/dist/memcraft-handout.tar.gz
    python3 tools/dist.py prairielearn build/dist/prairielearn/   (a PrairieLearn course)
    python3 tools/dist.py classroom [--exercise ID ...]   build/dist/classroom/ (a template)
    python3 tools/dist.py container    build/dist/container/  (the image's build context)

The autograder zip is the repository (less build/ and .git/) with setup.sh and
run_autograder at its root, as Gradescope expects. The handout holds what a
student needs and nothing an instructor must keep: no solutions, hidden tests,
mutants or hostile corpus; its grader runs in public-tests-only mode.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "build" / "dist"
DIST_FILES = ROOT / "tools" / "dist"
# The handout is built from an allow-list. Every tracked file is on exactly one of
# these lists (a name ending in "/" covers a folder): `make test` fails on a file that
# is on neither, so a new file is a decision, never an accident.
SHIPPED = (
    ".clang-format", ".clang-tidy", ".gitignore", "Makefile",
    "chapters/", "book/", "exercises/", "testkit/", "bench/",
    "grader/grade", "grader/mcgrader/",          # the grader, in public-tests-only mode
    "tools/workbook.py", "tools/deps.sh", "tools/bench.py", "tools/book.py",
    "tools/booklib/",
    "tools/heaptrace.py", "tools/heaptool.py", "tools/heaprec.c", "tools/heaprec.py",  # 09
    "tools/studentlib/",
)
WITHHELD = (
    "README.md",            # the instructor's; tools/dist/HANDOUT-README.md replaces it
    "NOTES.md", "CONTRIBUTING.md", ".ci/",
    "solutions/", "grader/hidden/", "grader/mutants/", "grader/alternatives/",
    "grader/hostile/", "tests/",
    "tools/selftest.py", "tools/dist.py", "tools/dist/", "tools/grader_speed.py",
    "tools/platforms/",     # PrairieLearn, Classroom, the image: the instructor's
    "Containerfile",
    "tools/authoring/", "tools/loop_speed.py",
)


def tracked_files() -> list[Path]:
    """The repository's files as git knows them (falling back to a walk outside git)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and ".git" not in p.parts and "build" not in p.parts]
    return [ROOT / n for n in sorted(set(names)) if (ROOT / n).is_file()]


def _on(rel: str, listed: tuple[str, ...]) -> bool:
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in listed)


def is_shipped(rel: str) -> bool:
    """Whether the repository path rel (e.g. "bench/arena.c") is in the student handout."""
    return _on(rel, SHIPPED) and not _on(rel, WITHHELD)


def is_secret(rel: str) -> bool:
    return not is_shipped(rel)


def unlisted() -> list[str]:
    """Tracked files on neither list, or on both: each needs a decision."""
    out = []
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if _on(rel, SHIPPED) == _on(rel, WITHHELD):
            where = "both lists" if _on(rel, SHIPPED) else "neither list"
            out.append(f"{rel} is on {where} of tools/dist.py (SHIPPED, WITHHELD)")
    return out


def gradescope() -> Path:
    DIST.mkdir(parents=True, exist_ok=True)
    out = DIST / "memcraft-gradescope.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name, time.localtime()[:6])
            info.external_attr = 0o100755 << 16
            zf.writestr(info, (DIST_FILES / name).read_bytes())
        for path in tracked_files():
            rel = path.relative_to(ROOT).as_posix()
            info = zipfile.ZipInfo(f"memcraft/{rel}", time.localtime()[:6])
            info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
            zf.writestr(info, path.read_bytes())
    print(f"wrote {out.relative_to(ROOT)}: upload it as the autograder of a Gradescope "
          f"programming assignment (Ubuntu base image)")
    return out


def pristine_stubs() -> list[tuple[Path, str]]:
    """(file, path in the kit) of a pristine copy of every student file as shipped, in
    exercises/NN-name/.stub/, which `make reset` puts back. Written when a kit is made,
    never tracked: in the course repository, `make reset` takes them from git."""
    sys.path.insert(0, str(ROOT / "grader"))
    from mcgrader.exercises import load_all   # noqa: E402 - grader/ is not on the path
    return [(ex.dir / name, f"exercises/{ex.folder}/.stub/{name}")
            for ex in load_all() for name in ex.student_files]


def handout(with_book: bool = True) -> Path:
    DIST.mkdir(parents=True, exist_ok=True)
    out = DIST / "memcraft-handout.tar.gz"
    if with_book:
        subprocess.run([sys.executable, "tools/book.py", "build"], cwd=ROOT, check=True)
    with tarfile.open(out, "w:gz") as tar:
        for path in tracked_files():
            rel = path.relative_to(ROOT).as_posix()
            if is_shipped(rel):
                tar.add(path, arcname=f"memcraft/{rel}")
        for path, rel in pristine_stubs():
            tar.add(path, arcname=f"memcraft/{rel}")
        tar.add(DIST_FILES / "HANDOUT-README.md", arcname="memcraft/README.md")
        book = ROOT / "build" / "book"
        if with_book and book.is_dir():
            for path in sorted(book.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=f"memcraft/book-html/{path.relative_to(book)}")
        stamp = f"memcraft handout built {time.strftime('%Y-%m-%d %H:%M')}\n".encode()
        info = tarfile.TarInfo("memcraft/HANDOUT")
        info.size, info.mtime = len(stamp), int(time.time())
        tar.addfile(info, io.BytesIO(stamp))
    print(f"wrote {out.relative_to(ROOT)}: give it to students; it has no solutions, hidden "
          f"tests or mutants, and its grader runs the public tests only")
    return out


def container() -> Path:
    """The image's build context: the tracked files (no build/, no .git) and the
    Containerfile at its root, for `podman build` or `docker build`."""
    out = DIST / "container"
    if out.exists():
        shutil.rmtree(out)
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out / rel)
    print(f"wrote {out.relative_to(ROOT)}: build it with `podman build -t memcraft-grader "
          f"{out.relative_to(ROOT)}` (or docker build)")
    return out


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "tools" / "platforms"))
    if argv[:1] == ["gradescope"]:
        gradescope()
    elif argv[:1] == ["handout"]:
        handout(with_book="--no-book" not in argv)
    elif argv[:1] == ["prairielearn"]:
        import prairielearn   # noqa: E402 - tools/platforms is not a package
        prairielearn.course(DIST / "prairielearn",
                            os.environ.get("MEMCRAFT_IMAGE", prairielearn.IMAGE))
    elif argv[:1] == ["classroom"]:
        import classroom   # noqa: E402
        keys = [a for a in argv[1:] if not a.startswith("-")]
        classroom.template(DIST / "classroom", keys)
    elif argv[:1] == ["container"]:
        container()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main(sys.argv[1:]))
