"""A class larger than one machine: --shard K/N splits a class deterministically, and
--merge of every shard gives exactly the gradebook of one run."""
import contextlib
import io
import json
import unittest
from unittest import mock
from pathlib import Path

from helpers import make_gradable_exercise, scratch
from mcgrader import batch, calibrate
from mcgrader.cli import main
from mcgrader.sandbox import Sandbox

RIGHT = '#include "tiny.h"\nint tiny_add(int a, int b) { return a + b; }\n'
WRONG = '#include "tiny.h"\nint tiny_add(int a, int b) { return a - b; }\n'
BIG_WRONG = '#include "tiny.h"\nint tiny_add(int a, int b) { return a > 100 ? 0 : a + b; }\n'


class ShardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = scratch()
        root = Path(cls.tmp.name)
        root.chmod(0o755)
        cls.root = root
        cls.ex = make_gradable_exercise(root)
        cls.cache = mock.patch.object(calibrate, "CACHE", root / "cache")
        cls.cache.start()   # stopped in tearDownClass: later tests keep the real cache
        calibrate._memo.clear()
        cls.subs = root / "class"
        sources = [RIGHT, WRONG, BIG_WRONG, "int broken(", RIGHT]
        for i, source in enumerate(sources):
            (cls.subs / f"student{i}").mkdir(parents=True)
            (cls.subs / f"student{i}" / "tiny.c").write_text(source)
        (cls.subs / "zed.zip").write_bytes(b"not a zip")
        cls.box = Sandbox()
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            batch.run_batch(cls.subs, root / "one", [cls.ex], cls.box, 2, False)
            for k in range(3):
                batch.run_batch(cls.subs, root / f"shard{k}", [cls.ex], cls.box, 1, False,
                                (k, 3))

    @classmethod
    def tearDownClass(cls):
        cls.cache.stop()
        calibrate._memo.clear()
        cls.tmp.cleanup()

    def merge(self, names, dest):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["--merge", *(str(self.root / n) for n in names),
                         "--out", str(self.root / dest)])
        return code, err.getvalue()

    def test_every_student_is_in_exactly_one_shard(self):
        every = sorted(batch.student_name(p) for p in self.subs.iterdir())
        shards = [json.loads((self.root / f"shard{k}" / "shard.json").read_text())["students"]
                  for k in range(3)]
        self.assertEqual(sorted(s for shard in shards for s in shard), every)
        self.assertLessEqual(max(map(len, shards)) - min(map(len, shards)), 1, shards)

    def test_three_shards_merged_give_the_gradebook_of_one_run(self):
        code, err = self.merge(["shard0", "shard1", "shard2"], "merged")
        self.assertEqual(code, 0, err)
        one = (self.root / "one" / "gradebook.csv").read_text()
        self.assertEqual((self.root / "merged" / "gradebook.csv").read_text(), one)
        self.assertEqual(len(one.splitlines()), 1 + 6)
        for student in (self.root / "one" / "students").iterdir():
            for f in ("report.txt", "report.json", "results.json", "junit.xml"):
                self.assertTrue((self.root / "merged" / "students" / student.name / f).exists())

    def test_a_missing_or_repeated_shard_is_refused(self):
        code, err = self.merge(["shard0", "shard2"], "partial")
        self.assertEqual(code, 2)
        self.assertIn("shard(s) [1] of 3 missing", err)
        self.assertFalse((self.root / "partial" / "gradebook.csv").exists())
        code, err = self.merge(["shard0", "shard1", "shard2", "shard1"], "twice")
        self.assertEqual(code, 2)
        self.assertIn("given twice", err)
        code, err = self.merge(["shard0", "shard1", "one"], "mixed")
        self.assertEqual(code, 2)
        self.assertIn("not the output of --shard", err)

    def test_a_bad_shard_argument_is_refused(self):
        for bad in ("3/3", "1", "-1/3", "a/b", "0/0"):
            with self.assertRaises(ValueError):
                batch.parse_shard(bad)
        self.assertEqual(batch.parse_shard("2/3"), (2, 3))


if __name__ == "__main__":
    unittest.main()
