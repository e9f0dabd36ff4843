"""The instructor's tools (tools/authoring): generated files, the scaffolder, verify."""
import sys
import textwrap
import unittest
from pathlib import Path

from course_copy import copy_course, run_in
from helpers import ROOT, make_gradable_exercise, scratch

sys.path.insert(0, str(ROOT / "tools"))

from authoring import generated, scaffold, verify  # noqa: E402
from mcgrader import exercises  # noqa: E402


class GeneratedTest(unittest.TestCase):
    def test_the_count_goes_before_the_first_table_or_replaces_the_old_one(self):
        toml = 'title = "x"\nlibc = []\n\n[rubric]\ntests = 1\n'
        once = generated.with_count(toml, 3)
        self.assertTrue(once.startswith('title = "x"\nlibc = []\nhidden_tests = 3  #'))
        self.assertIn("\n\n[rubric]\ntests = 1\n", once)
        self.assertEqual(generated.with_count(once, 5), once.replace("= 3", "= 5"))

    def test_stale_files_are_named_and_written(self):
        with scratch() as tmp:
            ex = make_gradable_exercise(Path(tmp))
            stale = generated.problems(ex)
            self.assertEqual(len(stale), 1, stale)
            self.assertIn("has no hidden_tests", stale[0])
            generated.write(ex)
            ex = exercises.load(ex.dir)
            self.assertEqual(ex.hidden_count, 1)
            self.assertEqual(generated.problems(ex), [])

    def test_a_count_that_is_not_a_whole_number_is_refused(self):
        with scratch() as tmp:
            ex = make_gradable_exercise(Path(tmp))
            meta = ex.dir / "exercise.toml"
            meta.write_text("hidden_tests = true\n" + meta.read_text())
            with self.assertRaisesRegex(exercises.ExerciseError, "hidden_tests"):
                exercises.load(ex.dir)

    def test_the_repository_s_generated_files_are_current(self):
        stale = [p for ex in exercises.load_all() for p in generated.problems(ex)]
        self.assertEqual(stale, [])


class ScaffoldTest(unittest.TestCase):
    """make new-exercise in a copy of the repository: the result passes the layout check
    and fails as a stub (the self-test's own checks, run in the copy)."""

    @classmethod
    def setUpClass(cls):
        cls._tmp, cls.repo = copy_course()
        import subprocess
        cls.made = subprocess.run(["make", "-s", "new-exercise", "NAME=ring-buffer",
                                   "CHAPTER=05", "NUMBER=42"], cwd=cls.repo,
                                  capture_output=True, text=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_every_folder_and_file_is_written(self):
        self.assertEqual(self.made.returncode, 0, self.made.stdout + self.made.stderr)
        for rel in ("exercises/42-ring-buffer/README.md", "exercises/42-ring-buffer/exercise.toml",
                    "exercises/42-ring-buffer/ring_buffer.h",
                    "exercises/42-ring-buffer/ring_buffer.c",
                    "exercises/42-ring-buffer/tests/test_ring_buffer.c",
                    "exercises/42-ring-buffer/hints.md",
                    "solutions/42-ring-buffer/ring_buffer.c",
                    "grader/hidden/42-ring-buffer/test_ring_buffer_hidden.c",
                    "grader/alternatives/42-ring-buffer/by-hand/ring_buffer.c",
                    "grader/alternatives/42-ring-buffer/copy-then-terminate/ring_buffer.c",
                    "grader/mutants/42-ring-buffer/ignores-failed-malloc.patch"):
            self.assertTrue((self.repo / rel).is_file(), rel)
        self.assertIn("make verify EX=42", self.made.stdout)

    def test_it_passes_the_layout_check_and_fails_as_a_stub(self):
        done = run_in(self.repo, textwrap.dedent("""\
            import selftest, tempfile
            from pathlib import Path
            from mcgrader import exercises
            ex = exercises.select(["42"])[0]
            rep = selftest.Report()
            selftest.BOX.protect({ex.root})
            selftest.check_layout(ex, rep)
            with tempfile.TemporaryDirectory() as tmp:
                Path(tmp).chmod(0o711)
                selftest.check_stub(ex, Path(tmp), rep)
            print("RESULT", [(o.name, o.ok) for o in rep.outcomes])
            """))
        self.assertIn("RESULT", done.stdout, done.stdout + done.stderr)
        outcomes = eval(done.stdout.split("RESULT", 1)[1])   # noqa: S307 - our own print
        self.assertEqual([ok for _, ok in outcomes], [True, True], done.stdout)
        self.assertIn("layout", outcomes[0][0])
        self.assertIn("stub compiles, fails its tests cleanly and scores 0", outcomes[1][0])

    def test_names_in_use_and_unknown_chapters_are_refused(self):
        for name, chapter, number, why in (
                ("vector", "05", "", "exists already"),
                ("ring-buffer", "05", "42", "already exists"),
                ("Ring Buffer", "05", "43", "lower-case words"),
                ("fresh", "77", "", "no chapter '77'"),
                ("fresh", "", "", "CHAPTER=05")):
            with self.assertRaisesRegex(scaffold.ScaffoldError, why):
                scaffold.scaffold(name, chapter, number, root=self.repo)


class VerifySummaryTest(unittest.TestCase):
    def test_the_summary_counts_each_kind_and_says_what_to_do(self):
        import selftest
        outcomes = [selftest.Outcome("09-x: its handle EX=09 names it alone", True),
                    selftest.Outcome("09-x: layout, metadata and contract clauses", True),
                    selftest.Outcome("09-x: mutant stub-forgets is caught by tests", False,
                                     "not caught; what the grader said:\nnothing"),
                    selftest.Outcome("09-x: mutant other is caught by tests", True)]
        text = "\n".join(verify.summary(outcomes, 12))
        self.assertIn("FAIL mutants: each caught in its category: 1/2 passed", text)
        self.assertIn("ok   layout, metadata and contract clauses: 1/1 passed", text)
        self.assertIn("what to do: add or tag a test for the mutant's clause", text)
        self.assertIn("1 check(s) failed: 3/4 checks passed", text)


if __name__ == "__main__":
    unittest.main()
