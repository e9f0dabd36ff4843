"""A class at once: the gradebook, resuming, isolation, and never losing a grade."""
import csv
import io
import json
import tarfile
import unittest
from unittest import mock
from pathlib import Path

from helpers import make_gradable_exercise, scratch
from mcgrader import batch, calibrate
from mcgrader.sandbox import Sandbox

WRONG = '#include "tiny.h"\nint tiny_add(int a, int b) { return a - b; }\n'
RIGHT = '#include "tiny.h"\nint tiny_add(int a, int b) { return a + b; }\n'


def gradebook(out: Path) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))
    return {row["student"]: row for row in rows}


class BatchTest(unittest.TestCase):
    def setUp(self):
        self.tmp = scratch()
        root = Path(self.tmp.name)
        root.chmod(0o755)
        self.ex = make_gradable_exercise(root)
        # this test's reference runs only; put back for the tests that follow
        patch = mock.patch.object(calibrate, "CACHE", root / "cache")
        patch.start()
        self.addCleanup(patch.stop)
        calibrate._memo.clear()
        self.addCleanup(calibrate._memo.clear)
        self.subs = root / "subs"
        for name, source in (("ann", RIGHT), ("ben", WRONG)):
            (self.subs / name).mkdir(parents=True)
            (self.subs / name / "tiny.c").write_text(source)
        with tarfile.open(self.subs / "cat.tar.gz", "w:gz") as tar:
            info = tarfile.TarInfo("../../escape.c")
            tar.addfile(info, io.BytesIO(b""))
        (self.subs / "dan.zip").write_bytes(b"PK not really")
        self.out = root / "grades"
        self.box = Sandbox()

    def tearDown(self):
        self.tmp.cleanup()

    def grade(self) -> int:
        return batch.run_batch(self.subs, self.out, [self.ex], self.box, 2, False)

    def test_a_class_is_graded_into_one_gradebook_and_bad_entries_stay_in_their_rows(self):
        self.assertEqual(self.grade(), 0)
        book = gradebook(self.out)
        self.assertEqual(set(book), {"ann", "ben", "cat", "dan"})
        self.assertEqual(float(book["ann"]["total"]), 100)
        self.assertLess(float(book["ben"]["total"]), 60)
        for refused in ("cat", "dan"):
            self.assertEqual(float(book[refused]["total"]), 0)
            report = (self.out / "students" / refused / "report.txt").read_text()
            self.assertRegex(report, "refused|broken")
        for name in book:
            for f in ("report.json", "results.json", "junit.xml"):
                self.assertTrue((self.out / "students" / name / f).exists(), (name, f))

    def test_an_interrupted_batch_resumes_and_a_changed_submission_is_regraded(self):
        self.grade()
        first = (self.out / "students" / "ann" / "report.json").stat().st_mtime_ns
        (self.out / "students" / "ben" / "report.json").unlink()   # "killed" before ben ended
        (self.subs / "ann" / "tiny.c").write_text(RIGHT)            # same content: no regrade
        self.grade()
        self.assertEqual((self.out / "students" / "ann" / "report.json").stat().st_mtime_ns,
                         first)
        self.assertIn("ben", gradebook(self.out))
        (self.subs / "ben" / "tiny.c").write_text(RIGHT)            # a resubmission is regraded
        self.grade()
        self.assertEqual(float(gradebook(self.out)["ben"]["total"]), 100)

    def test_a_run_that_cannot_grade_never_replaces_a_complete_grade(self):
        self.grade()
        kept = json.loads((self.out / "students" / "ann" / "report.json").read_text())
        (self.ex.solution_dir / "tiny.c").write_text(WRONG)   # the host can no longer grade
        calibrate._memo.clear()
        (self.subs / "ann" / "tiny.c").write_text(RIGHT + "/* resubmitted */\n")
        self.assertEqual(self.grade(), 1)
        now = json.loads((self.out / "students" / "ann" / "report.json").read_text())
        self.assertEqual(now["score"], kept["score"])
        failed = json.loads((self.out / "students" / "ann" / "report.failed.json").read_text())
        self.assertEqual(failed["exercises"][0]["status"], "infrastructure-error")
        self.assertEqual(float(gradebook(self.out)["ann"]["total"]), 100)


if __name__ == "__main__":
    unittest.main()
