"""The one-process memory check (testkit/mc_harness.c under one Valgrind start): the
same findings as per-test runs, every error tied to its test, and every test checked
even when one crashes, hangs, or kills the harness itself."""
import textwrap
import unittest
from pathlib import Path

from helpers import make_exercise, scratch
from mcgrader import pipeline

TESTS = textwrap.dedent("""\
    #define MC_TEST_TIMEOUT 1
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds) { cr_assert_eq(tiny_add(2, 3), 5, "2+3"); }
    Test(tiny, crashes) { cr_assert_eq(tiny_add(-1, 0), -1, "crash"); }
    Test(tiny, leaks) { cr_assert_eq(tiny_add(7, 0), 7, "leak"); }
    Test(tiny, hangs) { cr_assert_eq(tiny_add(8, 0), 8, "hang"); }
    Test(tiny, uses_garbage) { cr_assert_eq(tiny_add(9, 0), 9, "garbage"); }
    Test(tiny, kills_the_runner) { cr_assert_eq(tiny_add(-2, 0), -2, "kill"); }
    Test(tiny, adds_negatives) { cr_assert_eq(tiny_add(-3, -4), -7, "-3-4"); }
    """)
# One mistake per test; kills_the_runner ends whatever process started the test
# (the harness, or Criterion's runner), which only an unaudited submission could do.
SOURCE = textwrap.dedent("""\
    #define _POSIX_C_SOURCE 200809L
    #include "tiny.h"
    #include <signal.h>
    #include <stdlib.h>
    #include <unistd.h>
    static int garbage(int seed)
    {
        int *p = malloc(2 * sizeof *p);
        if (p == NULL)
            return 0;
        p[0] = seed;
        int r = p[1] > 0 ? seed : -seed; /* p[1] was never set */
        free(p);
        return r < 0 ? -r : r;
    }
    int tiny_add(int a, int b)
    {
        if (a == -1) {
            volatile int *p = NULL;
            return *p;
        }
        if (a == -2)
            kill(getppid(), SIGKILL);
        if (a == 7) {
            int *p = malloc(sizeof *p);
            (void)p;
        }
        if (a == 8)
            for (;;)
                pause();
        if (a == 9)
            return garbage(a);
        return a + b;
    }
    """)


class OneProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = scratch()
        root = Path(cls.tmp.name)
        cls.ex = make_exercise(root, source=SOURCE, test=TESTS)
        cls.runs = {}
        opt = pipeline.Options(hidden=False, stages=("tests", "valgrind"), audit=False,
                               seconds={"valgrind": 90})
        cls.runs["one-process"] = pipeline.check(cls.ex, cls.ex.dir, root / "one", opt)
        # Per test, without the hang and the kill (Criterion's runner has no time limit
        # under Valgrind, and a killed runner ends its whole run): the others compare.
        # (Nor MC_TEST_TIMEOUT 1: Criterion's runner hangs under Valgrind when a worker
        # reaches its time limit.)
        tame = make_exercise(root / "tame", source=SOURCE, test="\n".join(
            ln for ln in TESTS.splitlines()
            if not any(w in ln for w in ("hangs", "kills", "MC_TEST_TIMEOUT"))))
        for mode in ("one-process", "per-test"):
            opt = pipeline.Options(hidden=False, stages=("tests", "valgrind"), audit=False,
                                   memcheck=mode, seconds={"valgrind": 90})
            cls.runs["tame-" + mode] = pipeline.check(tame, tame.dir, root / mode, opt)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def findings(self, mode: str) -> set:
        return {(f.test, f.kind) for f in self.runs[mode].findings["valgrind"]}

    def test_every_error_is_tied_to_its_test(self):
        found = self.findings("one-process")
        self.assertIn(("tiny::leaks", "Leak_DefinitelyLost"), found)
        self.assertIn(("tiny::uses_garbage", "UninitCondition"), found)
        self.assertIn(("tiny::crashes", "InvalidRead"), found)
        self.assertFalse({t for t, _ in found} & {"tiny::adds", "tiny::adds_negatives"})

    def test_an_uninitialized_value_is_reported_where_it_was_created(self):
        garbage = [f for f in self.runs["one-process"].findings["valgrind"]
                   if f.kind == "UninitCondition"]
        self.assertTrue(garbage and garbage[0].origin.startswith("tiny.c:8 (garbage)"),
                        garbage)

    def test_crashes_hangs_and_a_killed_harness_leave_no_test_unchecked(self):
        run = self.runs["one-process"].valgrind_tests.tests
        self.assertEqual(run["tiny::crashes"].status, "CRASHED")
        self.assertEqual(run["tiny::hangs"].status, "TIMEOUT")
        self.assertIn(run["tiny::kills_the_runner"].status, ("CRASHED", "PASSED"))
        for tid in ("tiny::adds", "tiny::leaks", "tiny::uses_garbage", "tiny::adds_negatives"):
            self.assertIn(tid, run)
            self.assertNotIn(run[tid].status, ("MISSING",), tid)
        self.assertTrue(any("stopped the harness" in n for n in self.runs["one-process"].notes),
                        self.runs["one-process"].notes)

    def test_the_same_findings_as_per_test_runs(self):
        one, each = self.findings("tame-one-process"), self.findings("tame-per-test")
        self.assertEqual(one, each)
        self.assertEqual(len({t for t, _ in one}), 3, one)


if __name__ == "__main__":
    unittest.main()
