"""The hostile corpus (grader/hostile/): code that attacks the grader must end in the
verdict its header names, with the grader still running, nothing left behind, and
nothing outside the sandbox touched.

Each file replaces the student's tiny.c of a one-function exercise. Header lines:
  Expect: audit | compile-error | tests-lost | full-marks     (the grader as shipped)
  Without-audit: ...    the verdict when the object-file audit is switched off, which
                        proves the sandbox alone contains what the audit also refuses.
  Without-bwrap: ...    the verdict with neither the audit nor bubblewrap, where it differs
                        (the fallback sandbox cannot take the network away).
The whole corpus runs twice: with bubblewrap, and with the fallback sandbox only
(a separate uid, file modes and limits), as in containers that forbid namespaces.
"""
import os
import re
import shutil
import socket
import textwrap
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import ROOT, make_gradable_exercise, scratch
from mcgrader import pipeline, sandbox

HOSTILE = ROOT / "grader" / "hostile"
TESTS = textwrap.dedent("""\
    #define MC_TEST_TIMEOUT 3
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds) { cr_assert_eq(tiny_add(2, 3), 5, "2+3"); }
    Test(tiny, adds_negatives) { cr_assert_eq(tiny_add(-2, -3), -5, "-2-3"); }
    """)
HIDDEN = textwrap.dedent("""\
    #define MC_TEST_TIMEOUT 3
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds_big) { cr_assert_eq(tiny_add(1000, 2000), 3000, "big"); }
    """)
TOML = textwrap.dedent("""\
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
    [limits]
    run_seconds = 12
    """)


def expectations(path: Path) -> dict[str, str]:
    head = path.read_text().split("*/", 1)[0]
    return {k.lower(): v for k, v in
            re.findall(r"(Expect|Without-audit|Without-bwrap): (\S+)", head)}


def verdict(res: pipeline.ExerciseResult) -> str:
    if not res.built:
        return "compile-error"
    if res.audit_problems:
        return "audit"
    tests = res.categories["tests"]
    return "full-marks" if tests.score == tests.max_score else "tests-lost"


def leftover_processes(box: sandbox.Sandbox) -> list[str]:
    """Processes still running as the uid of the slot this thread holds. Only that
    uid, and only while it is held: another grader or self-test on the same host
    owns the other slots, and may take this one as soon as it is released."""
    uid = box.held_uid()
    return sandbox.processes_of([uid]) if uid is not None else ["no slot held"]


class HostileCorpusTest(unittest.TestCase):
    BWRAP = True   # the fallback class below runs the same corpus without it

    @classmethod
    def setUpClass(cls):
        cls.box = sandbox.Sandbox(bwrap=cls.BWRAP)
        if not cls.box.use_uid or cls.BWRAP != cls.box.use_bwrap:
            raise unittest.SkipTest("needs root (and bubblewrap for the bubblewrap run)")
        cls.tmp = scratch()
        root = Path(cls.tmp.name)
        root.chmod(0o711)
        cls.ex = make_gradable_exercise(root, tests=TESTS, hidden=HIDDEN, toml=TOML)
        hidden = root / "grader" / "hidden" / "99-tiny"
        cls.canary = root / "canary.txt"
        cls.canary.write_text("canary\n")
        cls.listener = socket.socket()
        cls.listener.bind(("127.0.0.1", 0))
        cls.listener.listen(8)
        cls.places = {"@HIDDEN@": str(hidden / "test_hidden.c"), "@CANARY@": str(cls.canary),
                      "@PORT@": str(cls.listener.getsockname()[1])}
        cls.solution = root / "solutions" / "99-tiny" / "tiny.c"
        cls.box.protect([root])   # as the grader does at start-up
        cases = [(path, audit) for path in sorted(HOSTILE.glob("*.c"))
                 for audit in (True, False)
                 if audit or "without-audit" in expectations(path)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            cls.results = dict(zip(cases, pool.map(lambda c: cls.attack(*c), cases)))

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        cls.tmp.cleanup()

    @classmethod
    def attack(cls, path: Path, audit: bool):
        source = path.read_text()
        for placeholder, value in cls.places.items():
            source = source.replace(placeholder, value)
        work = Path(cls.tmp.name) / "work" / f"{path.stem}-{audit}"
        files = work / "files"
        files.mkdir(parents=True)
        (files / "tiny.c").write_text(source)
        shutil.copy(cls.ex.dir / "tiny.h", files / "tiny.h")
        opt = pipeline.Options(stages=("tests",), audit=audit, runner=cls.box.run, jobs=1)
        cls.box.acquire()
        try:
            cls.box.claim(work)
            res = pipeline.check(cls.ex, files, work / "box", opt)
            res.leftovers = leftover_processes(cls.box)   # every step has ended by now
            return res
        finally:
            cls.box.release()

    def test_the_corpus_is_complete(self):
        names = {p.stem for p in HOSTILE.glob("*.c")}
        for wanted in ("infinite-loop", "sleep-forever", "fork-bomb", "malloc-bomb",
                       "deep-recursion", "output-flood", "huge-file", "delete-files",
                       "read-hidden-tests", "include-hidden-tests", "exit-in-constructor",
                       "fake-criterion-output", "override-malloc", "kill-parent",
                       "close-stdout", "daemon", "raw-syscall", "network", "exit-in-test"):
            self.assertIn(wanted, names)

    def test_every_attack_ends_in_its_verdict(self):
        for (path, audit), res in self.results.items():
            expect = expectations(path)
            want = expect["expect" if audit else "without-audit"]
            if not audit and not self.BWRAP:
                want = expect.get("without-bwrap", want)
            with self.subTest(attack=path.stem, audit=audit):
                self.assertEqual(verdict(res), want, res.audit_problems or res.build_errors or
                                 [c.reasons for c in res.categories.values()])

    def test_no_process_outlives_its_step(self):
        for (path, audit), res in self.results.items():
            with self.subTest(attack=path.stem, audit=audit):
                self.assertEqual(res.leftovers, [])

    def test_nothing_outside_the_sandbox_was_touched(self):
        self.assertEqual(self.canary.read_text(), "canary\n")
        self.assertTrue((self.ex.root / "grader" / "hidden" / "99-tiny").exists())

    def test_a_compile_error_never_shows_the_hidden_tests(self):
        res = self.results[(HOSTILE / "include-hidden-tests.c", True)]
        self.assertNotIn("adds_big", res.build_errors)
        self.assertRegex(res.build_errors, "No such file|Permission denied")


    def test_the_slot_user_cannot_read_hidden_tests_solutions_or_the_cache(self):
        from mcgrader import calibrate
        calibrate.CACHE.mkdir(parents=True, exist_ok=True)
        (calibrate.CACHE / "probe.json").write_text("{}")
        secrets = [self.places["@HIDDEN@"], str(self.solution),
                   str(calibrate.CACHE / "probe.json")]
        for path in secrets:
            with self.subTest(path=path):
                self.assertTrue(Path(path).exists())
                done = self.box.run(["cat", path], Path("/"))
                self.assertNotEqual(done.returncode, 0, f"the slot user read {path}")
                self.assertNotIn("adds_big", done.stdout)
        (calibrate.CACHE / "probe.json").unlink()

    def test_a_slot_leaves_nothing_in_the_shared_tmp(self):
        planted = Path("/tmp") / f"memcraft-planted-{os.getpid()}-{self.BWRAP}"
        self.box.run(["sh", "-c", f"echo x > {planted}"], Path("/"))
        self.assertFalse(planted.exists())


class FallbackHostileCorpusTest(HostileCorpusTest):
    """The same corpus without bubblewrap: only the separate uid, the file modes the
    grader sets and the limits hold. Every attack still ends in its verdict; the one
    that differs (the network) is named in its Without-bwrap line and in the README."""
    BWRAP = False


if __name__ == "__main__":
    unittest.main()
