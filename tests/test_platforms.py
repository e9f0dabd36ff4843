"""The platforms: PrairieLearn's entry point against a fake /grade, its course folder,
GitHub Classroom's results, and the container's protection report.

The entry point is run as PrairieLearn runs it (a process, /grade moved by
MEMCRAFT_GRADE_ROOT) on a course repository of one tiny exercise: a copy of this
grader beside the exercise, its reference solution and a hidden test whose name
and message must never reach the student."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

from helpers import ROOT, make_gradable_exercise, scratch
from mcgrader import exercises, hidden
from mcgrader.grading import grade_exercise
from mcgrader.sandbox import Sandbox

sys.path.insert(0, str(ROOT / "tools" / "platforms"))
import autograde  # noqa: E402
import classroom  # noqa: E402
import container  # noqa: E402
import prairielearn  # noqa: E402
import uids  # noqa: E402

ENTRY = ROOT / "tools" / "platforms" / "prairielearn.py"
RIGHT = '#include "tiny.h"\nint tiny_add(int a, int b) { return a + b; }\n'
SMALL_ONLY = '#include "tiny.h"\nint tiny_add(int a, int b) { return a > 100 ? 1 : a + b; }\n'
HIDDEN = textwrap.dedent("""\
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds_large_numbers_secretly) {
        cr_assert_eq(tiny_add(1000, 2000), 3000, "the secret sum of two large numbers was %d",
                     tiny_add(1000, 2000));
    }
    """)


def course_repository(root: Path) -> exercises.Exercise:
    """A course repository in root: this grader, the test kit and the tiny exercise."""
    shutil.copytree(ROOT / "grader", root / "grader", ignore=shutil.ignore_patterns(
        "__pycache__", "hidden", "mutants", "alternatives", "hostile"))
    shutil.copytree(ROOT / "testkit", root / "testkit")
    for name in (".clang-tidy", ".clang-format"):
        shutil.copy(ROOT / name, root / name)
    return make_gradable_exercise(root, hidden=HIDDEN)


class PrairieLearnEntryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = scratch()
        cls.root = Path(cls.tmp.name)
        cls.root.chmod(0o755)
        cls.ex = course_repository(cls.root / "repo")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def job(self, name: str, source: str | None, settings: bool = True):
        grade = self.root / name
        (grade / "student").mkdir(parents=True)
        (grade / "tests").mkdir()
        (grade / "tests" / "memcraft.json").write_text(json.dumps({"exercise": "99-tiny"}))
        if settings:
            prairielearn._json(grade / "serverFilesCourse" / "memcraft" / "memcraft.json",
                               {"repository": str(self.root / "repo"), "budget_seconds": 240})
        if source is not None:
            (grade / "student" / "tiny.c").write_text(source)
        done = subprocess.run([sys.executable, str(ENTRY), "grade"], capture_output=True,
                              text=True, timeout=600,
                              env={**os.environ, "MEMCRAFT_GRADE_ROOT": str(grade)})
        self.assertEqual(done.returncode, 0, done.stderr)
        data = json.loads((grade / "results" / "results.json").read_text())
        return data, done.stdout

    def assert_format(self, data: dict):
        self.assertIsInstance(data["gradable"], bool)
        self.assertGreaterEqual(data["score"], 0)
        self.assertLessEqual(data["score"], 1)
        for t in data["tests"]:
            self.assertEqual(set(t), {"name", "points", "max_points", "output"}, t)
            self.assertLessEqual(t["points"], t["max_points"])

    def assert_nothing_hidden(self, data: dict, stdout: str):
        secrets = hidden.secrets(self.ex)
        self.assertIn("tiny::adds_large_numbers_secretly", secrets)
        self.assertEqual(hidden.leaks(self.ex, prairielearn.strings(data) + [stdout]), [])

    def test_a_right_submission_scores_1(self):
        data, out = self.job("right", RIGHT)
        self.assert_format(data)
        self.assertTrue(data["gradable"])
        self.assertEqual(data["score"], 1.0)
        self.assertEqual(sum(t["max_points"] for t in data["tests"]), 100)
        self.assertEqual([t["name"] for t in data["tests"]],
                         [f"99-tiny: {c}" for c in ("tests", "valgrind", "sanitizers", "lint")])
        self.assertIn("protections:", out)
        self.assert_nothing_hidden(data, out)

    def test_a_failed_hidden_test_is_counted_never_named(self):
        data, out = self.job("hidden", SMALL_ONLY)
        self.assert_format(data)
        self.assertTrue(data["gradable"])
        self.assertLess(data["score"], 1)
        tests = next(t for t in data["tests"] if t["name"] == "99-tiny: tests")
        self.assertIn("1 of 1 hidden tests failed", tests["output"])
        self.assertNotIn("after the due date", tests["output"])   # PrairieLearn has no "after"
        self.assert_nothing_hidden(data, out)

    def test_a_compile_error_is_not_gradable_and_says_why(self):
        data, out = self.job("broken", '#include "tiny.h"\nint tiny_add(int a) { return a }\n')
        self.assert_format(data)
        self.assertFalse(data["gradable"])
        self.assertIn("compile-error", data["message"])
        self.assertTrue(any("tiny.c" in e for e in data["format_errors"]), data)
        self.assert_nothing_hidden(data, out)

    def test_no_file_is_not_gradable(self):
        data, _ = self.job("empty", None)
        self.assertFalse(data["gradable"])
        self.assertIn("missing", data["message"])

    def test_a_question_without_its_settings_leaves_the_not_your_grade_answer(self):
        grade = self.root / "nothing"
        grade.mkdir()
        done = subprocess.run([sys.executable, str(ENTRY), "grade"], capture_output=True,
                              text=True, timeout=60,
                              env={**os.environ, "MEMCRAFT_GRADE_ROOT": str(grade)})
        self.assertEqual(done.returncode, 0)
        data = json.loads((grade / "results" / "results.json").read_text())
        self.assertFalse(data["gradable"])
        self.assertIn("not your grade", data["message"])
        self.assertIn("tests/memcraft.json", done.stderr)


class PrairieLearnCourseTest(unittest.TestCase):
    def test_one_question_per_exercise_with_stable_uuids_and_nothing_hidden(self):
        with scratch() as tmp:
            out = Path(tmp) / "course"
            prairielearn.course(out, "registry.example/memcraft-grader:1")
            first = {p.parent.name: json.loads(p.read_text())["uuid"]
                     for p in out.glob("questions/memcraft/*/info.json")}
            prairielearn.course(out, "registry.example/memcraft-grader:1")
            every = exercises.load_all()
            self.assertEqual(set(first), {ex.folder for ex in every})
            self.assertEqual(len(set(first.values())), len(every))
            self.assertTrue((out / "infoCourse.json").exists())
            settings = json.loads(
                (out / "serverFilesCourse" / "memcraft" / "memcraft.json").read_text())
            self.assertEqual(settings["repository"], prairielearn.IMAGE_REPO)
            for ex in every:
                q = out / "questions" / "memcraft" / ex.folder
                info = json.loads((q / "info.json").read_text())
                self.assertEqual(info["uuid"], first[ex.folder])
                self.assertEqual(info["gradingMethod"], "External")
                opts = info["externalGradingOptions"]
                self.assertEqual(opts["image"], "registry.example/memcraft-grader:1")
                self.assertTrue(opts["entrypoint"].startswith(prairielearn.IMAGE_REPO))
                self.assertLessEqual(opts["timeout"], 600)
                self.assertEqual(json.loads((q / "tests" / "memcraft.json").read_text()),
                                 {"exercise": ex.folder})
                html = (q / "question.html").read_text()
                for f in ex.student_files:
                    self.assertIn(f'<pl-file-editor file-name="{f}"', html)
                    self.assertTrue((q / "clientFilesQuestion" / f).exists())
                self.assertIn("<pl-external-grader-results>", html)
                texts = [p.read_text(errors="replace") for p in q.rglob("*") if p.is_file()]
                self.assertEqual(hidden.leaks(ex, texts), [], ex.folder)


class ClassroomTest(unittest.TestCase):
    def test_results_are_what_the_reporter_adds_up(self):
        with scratch() as tmp:
            root = Path(tmp)
            root.chmod(0o755)
            ex = make_gradable_exercise(root, hidden=HIDDEN)
            box = Sandbox()
            box.protect([root])
            files = root / "submission"
            files.mkdir()
            (files / "tiny.c").write_text(SMALL_ONLY.replace("1 : a + b", "1 : a - b"))
            work = root / "work"
            work.mkdir()
            work.chmod(0o711)
            g = grade_exercise(ex, files, work, box, public_only=False)
        result = autograde.runner_results(g, 4.0)
        decoded = json.loads(base64.b64decode(autograde.encode(result)))
        self.assertEqual(decoded, result)
        self.assertEqual(result["version"], 1)
        self.assertEqual(result["status"], "fail")
        self.assertEqual(result["max_score"], 100)
        for t in result["tests"]:
            self.assertEqual(set(t), {"name", "status", "score", "message", "test_code",
                                      "filename", "line_no", "duration"})
            self.assertIn(t["status"], ("pass", "fail", "error"))
        # the reporter's sum (notify-classroom.js): the tests' scores over max_score
        self.assertAlmostEqual(sum(t["score"] for t in result["tests"]), g.score, places=2)
        self.assertLess(g.score, 100)
        text = [t["name"] + t["message"] for t in result["tests"]]
        self.assertEqual(hidden.leaks(ex, text), [])

    def test_the_workflow_names_one_runner_per_exercise_and_reads_its_output(self):
        folders = [ex.folder for ex in exercises.load_all()]
        text = classroom.workflow(folders, [])
        runners = re.search(r"runners: (\S+)", text)[1].split(",")
        self.assertEqual(runners, [autograde.runner_id(f) for f in folders])
        self.assertEqual(len(set(runners)), len(folders))
        for r in runners:
            self.assertRegex(r, r"^[a-z0-9]+$")
            self.assertIn(f'{r.upper()}_RESULTS: "${{{{ steps.memcraft.outputs.{r} }}}}"', text)
        self.assertIn(f"run: python3 {classroom.SCRIPT}\n", text)
        self.assertIn("uses: classroom-resources/autograding-grading-reporter@v1", text)


class ContainerTest(unittest.TestCase):
    def test_each_container_picks_slot_uids_inside_its_map_and_off_the_hosts(self):
        self.assertEqual(uids.usable("0 200000 65536\n"), (0, 65536))
        self.assertEqual(uids.usable("0 0 4294967295"), (0, 4294967295))
        self.assertIsNone(uids.choose({}))                                 # not in the image
        self.assertIsNone(uids.choose({"MEMCRAFT_IMAGE_UIDS": "auto",      # set: it wins
                                       "MEMCRAFT_FIRST_UID": "70000"}))
        env = {"MEMCRAFT_IMAGE_UIDS": "auto"}
        base = uids.choose(env)
        first, end = uids.usable(Path("/proc/self/uid_map").read_text())
        self.assertEqual(env["MEMCRAFT_FIRST_UID"], str(base))
        self.assertGreaterEqual(base, max(first, uids.LOWEST))
        self.assertLessEqual(base + uids.SLOTS, min(end, 1 << 31))
        self.assertFalse(base <= 65534 < base + uids.SLOTS)

    def test_the_protection_report_says_who_and_what(self):
        for bwrap in (True, False):
            lines = container.protection_report(Sandbox(bwrap=bwrap))
            self.assertIn("the grader runs as", lines[0])
            self.assertTrue(lines[-1].startswith("protections: "))
            self.assertTrue(any(ln.startswith("user namespaces: ") for ln in lines), lines)


if __name__ == "__main__":
    unittest.main()
