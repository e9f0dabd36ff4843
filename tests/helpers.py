"""Shared set-up for the grader's unit tests: import path and a tiny exercise."""
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import exercises  # noqa: E402


def make_exercise(tmp: Path, toml: str | None = None, source: str = "",
                  test: str = "") -> exercises.Exercise:
    """exercises/99-tiny in tmp, with a one-function API `tiny_add`."""
    folder = tmp / "exercises" / "99-tiny"
    (folder / "tests").mkdir(parents=True)
    (folder / "exercise.toml").write_text(toml or textwrap.dedent("""\
        title = "Tiny"
        chapter = "02-malloc-family"
        student_files = ["tiny.c"]
        headers = ["tiny.h"]
        api = ["tiny_add"]
        [rubric]
        tests = 60
        valgrind = 15
        sanitizers = 15
        lint = 10
        """))
    (folder / "tiny.h").write_text("int tiny_add(int a, int b);\n")
    (folder / "tiny.c").write_text(source or
                                   '#include "tiny.h"\nint tiny_add(int a, int b) { return a + b; }\n')
    (folder / "tests" / "test_tiny.c").write_text(test or textwrap.dedent("""\
        #include "mc_test.h"
        #include "tiny.h"
        MC_SUITE(tiny);
        Test(tiny, adds) { cr_assert_eq(tiny_add(2, 3), 5, "2+3" MC_READ("2.1 x")); }
        Test(tiny, adds_negatives) { cr_assert_eq(tiny_add(-2, -3), -5, "-2-3"); }
        """))
    return exercises.load(folder)


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="memcraft-unit-")


def make_gradable_exercise(root: Path, tests: str = "", hidden: str = "",
                           toml: str | None = None) -> exercises.Exercise:
    """The tiny exercise with its twins: a reference solution and a hidden test."""
    ex = make_exercise(root, toml=toml, test=tests)
    hidden_dir = root / "grader" / "hidden" / ex.folder
    hidden_dir.mkdir(parents=True)
    (hidden_dir / "test_hidden.c").write_text(hidden or textwrap.dedent("""\
        #include "mc_test.h"
        #include "tiny.h"
        MC_SUITE(tiny);
        Test(tiny, adds_big) { cr_assert_eq(tiny_add(1000, 2000), 3000, "big"); }
        """))
    solution = root / "solutions" / ex.folder
    solution.mkdir(parents=True)
    (solution / "tiny.c").write_text((ex.dir / "tiny.c").read_text())
    return ex
