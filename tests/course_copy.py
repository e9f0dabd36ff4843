"""A throw-away copy of the course repository, for tests that change files in it
(the watch loop in tmux, the scaffolder): the real working tree is never touched."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def course_files() -> list[str]:
    """The repository's files as git sees them (tracked, and new ones not ignored)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        return sorted(n for n in set(out.decode().split("\0")) if n and (ROOT / n).is_file())
    except (OSError, subprocess.CalledProcessError):
        return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
                      and not {".git", "build", "__pycache__"} & set(p.relative_to(ROOT).parts))


def copy_course() -> tuple[tempfile.TemporaryDirectory, Path]:
    """(the temporary folder, the copy's root inside it); the caller cleans up."""
    tmp = tempfile.TemporaryDirectory(prefix="memcraft-copy-")
    repo = Path(tmp.name) / "memcraft"
    for name in course_files():
        dest = repo / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest)
    return tmp, repo


def run_in(repo: Path, code: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Runs Python code with the copy's tools/ and grader/ first on the path."""
    prelude = (f"import sys; sys.path[:0] = [{str(repo / 'tools')!r}, "
               f"{str(repo / 'grader')!r}]\n")
    return subprocess.run([sys.executable, "-c", prelude + code], cwd=repo, text=True,
                          capture_output=True, timeout=timeout)
