"""The pipeline on a tiny exercise: honest results, forged or broken runs refused."""
import unittest
from pathlib import Path

from helpers import make_exercise, scratch
from mcgrader import pipeline, run


def check(ex, stages=("tests",), reference=None, audit=True):
    with scratch() as tmp:
        opt = pipeline.Options(hidden=False, stages=stages, reference=reference, audit=audit)
        return pipeline.check(ex, ex.dir, Path(tmp), opt)


class PipelineTest(unittest.TestCase):
    def test_a_correct_solution_scores_full_marks(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            res = check(ex, stages=pipeline.STAGES)
            self.assertEqual(res.score, 100, [c.reasons for c in res.categories.values()])

    def test_a_compile_error_scores_zero_with_the_compiler_message(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp), source='#include "tiny.h"\nint tiny_add(int a) {}\n')
            res = check(ex)
            self.assertFalse(res.built)
            self.assertEqual(res.score, 0)
            self.assertIn("tiny.c", res.build_errors)

    def test_exit_from_the_code_under_test_is_not_a_pass(self):
        with scratch() as tmp:
            src = '#include "tiny.h"\n#include <stdlib.h>\nint tiny_add(int a, int b) ' \
                  '{ exit(0); return a + b; }\n'
            ex = make_exercise(Path(tmp), source=src)
            self.assertIn("calls 'exit'", " ".join(check(ex).audit_problems))
            res = check(ex, audit=False)   # past the audit, the run's cross-check catches it
            self.assertEqual(res.tests.passed, 0)
            self.assertTrue(all(t.status == "SUSPECT" for t in res.tests.tests.values()))

    def test_a_crash_fails_only_its_test(self):
        with scratch() as tmp:
            src = ('#include "tiny.h"\n#include <stddef.h>\nint tiny_add(int a, int b) '
                   '{ if (a < 0) { volatile int *p = NULL; return *p; } return a + b; }\n')
            ex = make_exercise(Path(tmp), source=src)
            res = check(ex)
            status = {t.id: t.status for t in res.tests.tests.values()}
            self.assertEqual(status, {"tiny::adds": "PASSED",
                                      "tiny::adds_negatives": "CRASHED"})

    def test_a_leak_is_found_by_both_checkers_and_attributed_to_its_test(self):
        with scratch() as tmp:
            src = ('#include "tiny.h"\n#include <stdlib.h>\nint tiny_add(int a, int b) '
                   '{ int *p = malloc(sizeof *p); if (p == NULL) return 0;\n'
                   '  *p = a + b; return *p; }\n')
            ex = make_exercise(Path(tmp), source=src)
            res = check(ex, stages=("tests", "valgrind", "sanitizers"))
            for tool in ("valgrind", "sanitizers"):
                found = res.findings[tool]
                self.assertEqual({f.test for f in found}, {"tiny::adds", "tiny::adds_negatives"})
                self.assertTrue(all(f.where.startswith("tiny.c:3") for f in found), found)
                self.assertLess(res.categories[tool].score, 15)

    def test_a_student_main_or_malloc_is_refused_by_the_audit(self):
        with scratch() as tmp:
            src = ('#include "tiny.h"\n#include <stddef.h>\nint tiny_add(int a, int b) '
                   '{ return a + b; }\nvoid *malloc(size_t n) { (void)n; return NULL; }\n')
            ex = make_exercise(Path(tmp), source=src)
            res = check(ex)
            self.assertEqual(res.score, 0)
            self.assertTrue(any("'malloc'" in p for p in res.audit_problems), res.audit_problems)

    def test_a_constructor_is_refused_by_the_audit(self):
        with scratch() as tmp:
            src = ('#include "tiny.h"\n#include <stdlib.h>\n__attribute__((constructor)) '
                   'static void early(void) { exit(0); }\nint tiny_add(int a, int b) '
                   '{ return a + b; }\n')
            ex = make_exercise(Path(tmp), source=src)
            res = check(ex)
            self.assertTrue(any(".init_array" in p for p in res.audit_problems),
                            res.audit_problems)


class ReportTest(unittest.TestCase):
    def test_a_missing_or_malformed_report_is_none(self):
        with scratch() as tmp:
            path = Path(tmp) / "r.xml"
            self.assertIsNone(run.parse_report(path))
            path.write_text("<testsuites><testsuite name=\"s\"><testcase")
            self.assertIsNone(run.parse_report(path))

    def test_fewer_assertions_than_the_reference_is_suspect(self):
        found = {"s::t": run.TestResult("s::t", "PASSED", 2)}
        result = run.Result(0, None, "", "", False, 0.1)
        checked = run._cross_check(found, ["s::t"], result, {"s::t": 3})
        self.assertEqual(checked["s::t"].status, "SUSPECT")

    def test_a_report_that_disagrees_with_the_exit_status_is_suspect(self):
        found = {"s::t": run.TestResult("s::t", "PASSED", 1)}
        result = run.Result(1, None, "", "", False, 0.1)
        checked = run._cross_check(found, ["s::t"], result, None)
        self.assertEqual(checked["s::t"].status, "SUSPECT")


if __name__ == "__main__":
    unittest.main()
