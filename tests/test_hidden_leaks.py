"""Hidden means hidden: what a student sees before the due date (the Gradescope
results.json in the student view) names no hidden test, quotes none of its messages
and shows no hidden file, even when the submission fails hidden tests, and even when
it reads its own test binary to smuggle strings out through a public test's message.
The instructor's report keeps everything.

These grade real exercises through the sandbox, with calibration against the
reference solution, exactly as grader/grade does."""
import json
import shutil
import subprocess
import textwrap
import unittest
from pathlib import Path

from helpers import ROOT, make_gradable_exercise, scratch
from mcgrader import exercises, hidden, pipeline, report
from mcgrader.grading import grade_exercise
from mcgrader.sandbox import Sandbox

MUTANT = "capacity-updated-before-realloc"   # fails hidden tests and leaks in one of them

# A malloc_family.c whose mf_join returns text from its own executable: the first
# printable run that mentions "hidden" (a hidden test's file name, if the binary held
# one), else the last long run it saw. A public test quotes what mf_join returned.
SMUGGLER = textwrap.dedent("""\
    #include "malloc_family.h"
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>

    static char loot[128];

    static void plunder(void)
    {
        FILE *f = fopen("/proc/self/exe", "rb");
        char run[128];
        size_t n = 0;
        int c;
        if (f == NULL)
            return;
        while ((c = fgetc(f)) != EOF) {
            if (c >= 32 && c < 127 && n < sizeof run - 1) {
                run[n++] = (char)c;
                continue;
            }
            run[n] = '\\0';
            if (n >= 12 && loot[0] == '\\0')
                memcpy(loot, run, n + 1);
            if (n >= 12 && strstr(run, "hidden") != NULL) {
                memcpy(loot, run, n + 1);
                break;
            }
            n = 0;
        }
        fclose(f);
    }
    """)


def student_texts(graded, ex_id: str) -> list[str]:
    results = report.gradescope(graded, f"/somewhere/on/the/host/{ex_id}.tar.gz",
                                ["sandbox"], ["note"])
    return report.student_strings(json.loads(json.dumps(results)))


class HiddenStaysHiddenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = scratch()
        cls.root = Path(cls.tmp.name)
        cls.root.chmod(0o755)
        cls.box = Sandbox()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def grade(self, ex, source: Path, name: str, audit: bool = True):
        work = self.root / name
        work.mkdir()
        return grade_exercise(ex, source, work, self.box, public_only=False, audit=audit)

    def test_a_submission_that_fails_hidden_tests_sees_only_their_count(self):
        ex = exercises.select(["03"])[0]
        source = self.root / "mutant-src"
        shutil.copytree(ex.solution_dir, source)
        patch = ex.mutants_dir / f"{MUTANT}.patch"
        subprocess.run(["patch", "-p1", "-s", "-f", "-d", str(source), "-i", str(patch)],
                       check=True)
        g = self.grade(ex, source, "mutant")
        self.assertTrue(any(t.hidden and not t.passed for t in g.result.tests.tests.values()),
                        "the mutant must fail a hidden test, or this test proves nothing")
        texts = student_texts([g], ex.folder)
        self.assertEqual(hidden.leaks(ex, texts), [])
        self.assertIn("hidden tests failed", "\n".join(texts))
        self.assertNotIn(str(ROOT), "\n".join(texts))
        self.assertNotIn("/somewhere/on/the/host", "\n".join(texts))
        # The instructor's report keeps everything: the search above can find a leak.
        instructor = json.dumps(report.to_json([g], "sub", [], []))
        self.assertTrue(hidden.leaks(ex, [instructor]))

    def test_a_submission_that_reads_its_own_binary_finds_nothing_hidden(self):
        ex = exercises.select(["01"])[0]
        source = self.root / "smuggler-src"
        source.mkdir()
        solution = (ex.solution_dir / "malloc_family.c").read_text()
        head = "char *mf_join(const char *const *parts, size_t count, const char *sep)\n{\n"
        self.assertIn(head, solution)
        # The solution, plus the plunder, with mf_join returning the loot for one part.
        steal = ("    if (loot[0] == '\\0')\n        plunder();\n"
                 "    if (loot[0] != '\\0' && count == 1)\n        return mf_strdup(loot);\n")
        patched = solution.replace(head, head + steal).replace(
            '#include "malloc_family.h"\n', SMUGGLER, 1)
        (source / "malloc_family.c").write_text(patched)
        # Two layers stop it. The audit refuses its file calls (exercise 01 allows none)...
        refused = self.grade(ex, source, "smuggler-audited")
        self.assertEqual(refused.status, "audit-violation", refused.notes)
        # ...and past the audit, the separate binaries leave it nothing hidden to read.
        g = self.grade(ex, source, "smuggler", audit=False)
        self.assertEqual(g.status, "graded", g.notes)
        texts = student_texts([g], ex.folder)
        self.assertIn('gave "', "\n".join(texts), "the smuggled string must reach a "
                      "public test's message, or this test proves nothing")
        self.assertEqual(hidden.leaks(ex, texts), [])
        # The hidden tests' own binary does hold their file name: linked with the
        # public tests, the smuggler would have shown it.
        binaries = list((self.root / "smuggler").rglob("tests-hidden-*.bin"))
        self.assertTrue(binaries)
        names = [p.name for p in ex.hidden_tests()]
        self.assertTrue(any(n.encode() in binaries[0].read_bytes() for n in names))


class FindingsInHiddenTestsTest(unittest.TestCase):
    """A memory finding in a hidden test keeps the student's file, line and sentence,
    and says "in a hidden test" instead of the test's name or file."""

    def test_a_leak_in_a_hidden_test_is_shown_without_the_test(self):
        leaky = ('#include "tiny.h"\n#include <stdlib.h>\nint tiny_add(int a, int b)\n'
                 '{\n    if (a > 100) { int *p = malloc(sizeof *p); if (p) *p = a; }\n'
                 '    return a + b;\n}\n')
        with scratch() as tmp:
            ex = make_gradable_exercise(Path(tmp))
            (ex.dir / "tiny.c").write_text(leaky)
            opt = pipeline.Options(hidden=True, stages=("tests", "valgrind", "sanitizers"))
            res = pipeline.check(ex, ex.dir, Path(tmp) / "work", opt)
            g = report.Graded(ex.folder, ex.title, 100.0, "graded", res.score, res)
            self.assertTrue(res.findings["valgrind"], "the hidden test must leak")
            texts = student_texts([g], ex.folder)
            joined = "\n".join(texts)
            self.assertIn("tiny.c:5", joined)
            self.assertIn("in a hidden test", joined)
            self.assertNotIn("adds_big", joined)
            self.assertNotIn("test_hidden.c", joined)
            self.assertIn("adds_big", report.terminal([g], "s", [], []))


if __name__ == "__main__":
    unittest.main()
