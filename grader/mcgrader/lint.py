"""Stage: lint. clang-tidy with the repo's .clang-tidy on the student's files.

Only precise checks cost points: the syntactic ones .clang-tidy enables (bugprone-*,
cert-*, and a few more). The static analyzer (clang-analyzer-*) reasons along paths
and can be wrong about correct code (a list unlinked and then freed through a helper
reads to it as a use after free), so its findings are shown as advice and cost
nothing, as do those of bugprone-not-null-terminated-result (it flags a memcpy into
a buffer that the code terminates a line later); Valgrind and the sanitizers judge
the same bugs by running the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .build import STD
from .exercises import ROOT, Exercise
from .proc import Limits, run

# Checks that can be wrong about correct code: shown as advice, never counted.
ADVISORY = ("clang-analyzer-",                      # path-sensitive reasoning
            "bugprone-not-null-terminated-result")  # flags copies terminated later
WARNING_RE = re.compile(r"^(\S+?):(\d+):\d+: (warning|error): (.*?) \[([\w.,-]+)\]$", re.M)


@dataclass
class LintWarning:
    check: str       # the clang-tidy check, e.g. bugprone-sizeof-expression
    where: str       # file.c:12
    message: str

    hidden: bool = False   # lint reads only the student's files: never about a hidden test
    test: str = ""         # nor about any test

    @property
    def advice(self) -> bool:
        """Shown, never counted: a check that can be wrong about correct code."""
        return self.check.startswith(ADVISORY)

    def key(self) -> tuple[str, str, str]:
        """A clang-tidy check costs its share once, however often it fires."""
        return "lint", self.check, ""

    def line(self, student: bool = False) -> str:
        advice = "advice, costs no points: " if self.advice else ""
        return f"{self.where}: {advice}{self.message} [{self.check}]"


def lint(ex: Exercise, files_dir: Path, runner=run,
         advice: bool = False) -> tuple[list[LintWarning], str]:
    """Warnings in the student's files, and an error text if clang-tidy could not run.
    advice=True (make lint) also runs the static analyzer, whose findings cost nothing;
    grading leaves it out, since it is most of clang-tidy's time (26 s against 0.3 s
    for exercise 09 here)."""
    files = [str(files_dir / f) for f in ex.student_files]
    skip = [] if advice else ["--checks=-clang-analyzer-*"]
    cmd = ["clang-tidy", "--quiet", f"--config-file={ROOT / '.clang-tidy'}", *skip, *files, "--",
           *STD, f"-I{files_dir}", f"-I{ex.dir}"]
    result = runner(cmd, cwd=files_dir, limits=Limits(wall_seconds=120, cpu_seconds=120,
                                                      address_space=4 << 30),
                    readable=[files_dir, ex.dir, ROOT / ".clang-tidy"])
    if result.timed_out or result.returncode not in (0, 1):
        return [], f"clang-tidy did not finish (status {result.returncode})"
    warnings = []
    students = set(ex.student_files)
    for m in WARNING_RE.finditer(result.stdout):
        file, line, _, message, check = m.groups()
        if Path(file).name in students:
            warnings.append(LintWarning(check.split(",")[0], f"{Path(file).name}:{line}",
                                        message))
    return warnings, ""
