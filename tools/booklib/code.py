"""check-code: compile every ```c block of the chapters alone, with exactly the
flags a reader types; link and run the ```{.c .run} ones."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .common import BookError, Fence, chapter_files, first_lines, rel, scan_markdown

# Exactly what a reader types: a block that needs POSIX says so itself
# (#define _POSIX_C_SOURCE 200809L at its top). A block whose behaviour depends
# on other flags names them in its fence: ```{.c .run cflags="-O2" ldflags="-lm"}
# and the chapter text says which flags it was run with.
CFLAGS = [
    "-std=c17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
]
RUN_TIMEOUT = 60   # generous: the self-test may share a busy 2-core machine


@dataclass
class Snippet:
    chapter: Path
    fence: Fence

    @property
    def where(self) -> str:
        return f"{rel(self.chapter)}:{self.fence.line}"

    @property
    def runs(self) -> bool:
        return "run" in self.fence.classes


def check_snippet(snip: Snippet, workdir: Path, index: int) -> tuple[bool, str]:
    base = workdir / f"{snip.chapter.stem}_{snip.fence.line}_{index}"
    source = base.with_suffix(".c")
    source.write_text(snip.fence.code)
    flags = [*CFLAGS, *snip.fence.attrs.get("cflags", "").split()]
    if snip.runs:
        cmd = ["gcc", *flags, str(source), "-o", str(base), *snip.fence.attrs.get("ldflags", "").split()]
    else:
        cmd = ["gcc", *flags, "-c", str(source), "-o", str(base.with_suffix(".o"))]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if proc.returncode != 0:
        return False, "does not compile:\n" + first_lines(proc.stderr.replace(str(source), "block"))
    if not snip.runs:
        return True, "compiles"
    try:
        run = subprocess.run([str(base)], capture_output=True, text=True, cwd=workdir,
                             stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT, errors="replace")
    except subprocess.TimeoutExpired:
        return False, f"ran longer than {RUN_TIMEOUT} s"
    if run.returncode != 0:
        what = f"killed by signal {-run.returncode}" if run.returncode < 0 else f"exited with {run.returncode}"
        detail = first_lines(run.stderr or run.stdout)
        return False, what + (":\n" + detail if detail else "")
    return True, "compiles and runs"


def cmd_check_code() -> int:
    snippets = []
    for chapter in chapter_files():
        fences, _ = scan_markdown(chapter.read_text())
        snippets += [Snippet(chapter, f) for f in fences if f.classes and f.classes[0] == "c"]
    if shutil.which("gcc") is None:
        raise BookError("book.py: gcc is not installed", 2)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="book-check-code-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda a: check_snippet(a[1], Path(tmp), a[0]), enumerate(snippets)))
    for snip, (ok, message) in zip(snippets, results):
        print(f"{snip.where}: {'ok' if ok else 'FAIL'} ({'run' if snip.runs else 'compile'}){'' if ok else ' ' + message}")
        failed += not ok
    runs = sum(s.runs for s in snippets)
    print(f"check-code: {len(snippets)} C block(s) in {len(chapter_files())} chapter(s), "
          f"{runs} run, {failed} failed")
    return 1 if failed else 0
