"""Grading exactly what the contract says: numbered clauses tied to tests, a bug hunt's
points from the bugs fixed, no points lost to warnings legal code can raise, and
failure-injection messages that name the allocation."""
import textwrap
import unittest
from pathlib import Path

from helpers import make_gradable_exercise, scratch
from mcgrader import clauses, lint, pipeline, score

README = textwrap.dedent("""\
    # Tiny
    - **1.1** `tiny_add(a, b)` returns a + b.
    - **1.2** `tiny_add` allocates nothing.

    **Allowed library functions:** `malloc`, `free`.
    """)
TESTS = textwrap.dedent("""\
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds) { MC_CLAUSE("1.1"); cr_assert_eq(tiny_add(2, 3), 5, "2+3"); }
    Test(tiny, allocates_nothing) {
        MC_CLAUSE("1.2");
        size_t before = mc_alloc_calls();
        tiny_add(1, 1);
        cr_assert_eq(mc_alloc_calls(), before, "tiny_add allocated");
    }
    """)
HIDDEN = textwrap.dedent("""\
    #include "mc_test.h"
    #include "tiny.h"
    MC_SUITE(tiny);
    Test(tiny, adds_big) { MC_CLAUSE("1.1"); cr_assert_eq(tiny_add(1000, 2000), 3000, "big"); }
    """)
TOML = textwrap.dedent("""\
    title = "Tiny"
    chapter = "02-malloc-family"
    student_files = ["tiny.c"]
    headers = ["tiny.h"]
    api = ["tiny_add"]
    libc = ["malloc", "free"]
    [rubric]
    tests = 60
    valgrind = 15
    sanitizers = 15
    lint = 10
    """)
BUGS = textwrap.dedent("""\
    [[bug]]
    id = "leaks-a-block"
    clause = "1.2"
    what = "tiny_add allocates a block and never frees it"
    """)
LEAKY = ('#include "tiny.h"\n#include <stdlib.h>\nint tiny_add(int a, int b)\n'
         '{\n    int *p = malloc(sizeof *p);\n    if (p == NULL)\n        return 0;\n'
         '    *p = a + b;\n    return *p;\n}\n')


def exercise(root: Path, hunt: bool = False):
    ex = make_gradable_exercise(root, tests=TESTS, hidden=HIDDEN,
                                toml=TOML.replace("libc", 'kind = "bug-hunt"\nlibc')
                                if hunt else TOML)
    (ex.dir / "README.md").write_text(README)
    if hunt:
        (ex.hidden_dir / "bugs.toml").write_text(BUGS)
    return ex


def grade(ex, source: str, stages=pipeline.STAGES):
    (ex.dir / "tiny.c").write_text(source)
    opt = pipeline.Options(hidden=True, stages=stages)
    return pipeline.check(ex, ex.dir, ex.root / "work", opt)


class ClausesTest(unittest.TestCase):
    def test_a_complete_contract_has_no_problems(self):
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            self.assertEqual(clauses.problems(ex), [])
            self.assertEqual(clauses.tests_of(ex, "1.1"), {"tiny::adds", "tiny::adds_big"})

    def test_an_untested_clause_an_untagged_test_and_a_wrong_allow_list_are_problems(self):
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            (ex.dir / "README.md").write_text(README.replace("`free`", "`calloc`") +
                                              "- **1.3** a promise nobody checks.\n")
            test = ex.dir / "tests" / "test_tiny.c"
            test.write_text(test.read_text().replace('MC_CLAUSE("1.2");', ""))
            found = "\n".join(clauses.problems(ex))
            self.assertIn("clause 1.3 has no test", found)
            self.assertIn("clause 1.2 has no test", found)
            self.assertIn("tiny::allocates_nothing): the first statement must be MC_CLAUSE",
                          found)
            self.assertIn("must agree", found)


class HuntSharesTest(unittest.TestCase):
    def test_the_untouched_hunt_scores_zero_and_the_fix_full_marks(self):
        with scratch() as tmp:
            ex = exercise(Path(tmp), hunt=True)
            buggy = grade(ex, LEAKY)
            self.assertEqual(buggy.score, 0, [c.reasons for c in buggy.categories.values()])
            self.assertIn("0 of 1 planted bugs fixed", buggy.categories["tests"].reasons[0])
            fixed = grade(ex, '#include "tiny.h"\nint tiny_add(int a, int b) { return a + b; }\n')
            self.assertEqual(fixed.score, 100, [c.reasons for c in fixed.categories.values()])


class NoFalsePenaltyTest(unittest.TestCase):
    def test_a_legal_huge_request_costs_no_valgrind_points(self):
        huge = ('#include "tiny.h"\n#include <stdint.h>\n#include <stdlib.h>\n'
                'int tiny_add(int a, int b)\n{\n    void *p = malloc((size_t)(b | 2) << 62); /* > 2^63 */\n'
                '    if (p != NULL)\n        free(p);\n    return a + b;\n}\n')
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            for test in (ex.dir / "tests" / "test_tiny.c", ex.hidden_tests()[0]):
                test.write_text(test.read_text().replace(
                    'cr_assert_eq(mc_alloc_calls(), before, "tiny_add allocated");',
                    "(void)before;"))
            res = grade(ex, huge, ("tests", "valgrind"))
            self.assertEqual(res.findings["valgrind"], [])

    def test_the_static_analyzer_is_advice_and_costs_nothing(self):
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            advice = lint.LintWarning("clang-analyzer-unix.Malloc", "tiny.c:3",
                                      "Use of memory after it is freed")
            real = lint.LintWarning("bugprone-sizeof-expression", "tiny.c:4", "sizeof(ptr)")
            tests = {"tiny::adds": type("T", (), {"passed": True, "hidden": False})()}
            cats = score.score(ex, tests, {"valgrind": [], "sanitizers": [], "lint": [advice]})
            self.assertEqual(cats["lint"].score, 10)
            self.assertIn("advice, costs no points", cats["lint"].reasons[0])
            cats = score.score(ex, tests, {"valgrind": [], "sanitizers": [],
                                           "lint": [advice, real]})
            self.assertEqual(cats["lint"].score, 7.5)


class FailureNoteTest(unittest.TestCase):
    def test_an_injected_failure_is_named_by_its_place(self):
        source = ('#include "tiny.h"\n#include <stdlib.h>\nstatic int *box(int v)\n{\n'
                  '    int *p = malloc(sizeof *p);\n    if (p != NULL)\n        *p = v;\n'
                  '    return p;\n}\nint tiny_add(int a, int b)\n{\n    int *p = box(a + b);\n'
                  '    if (p == NULL)\n        return -1;\n    int r = *p;\n    free(p);\n'
                  '    return r;\n}\n')
        test = textwrap.dedent("""\
            #include "mc_test.h"
            #include "tiny.h"
            #include <string.h>
            MC_SUITE(tiny);
            Test(tiny, names_the_failed_allocation) {
                MC_CLAUSE("1.1");
                mc_fail_nth_alloc(1);
                int r = tiny_add(2, 3);
                mc_fail_none();
                cr_assert_eq(r, -1, "with %s failing, got %d", mc_fail_note(), r);
                cr_assert(strstr(mc_fail_note(), "the 1st allocation (tiny.c:5, in box)"),
                          "the note says: %s", mc_fail_note());
            }
            """)
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            (ex.dir / "tests" / "test_tiny.c").write_text(test)
            res = grade(ex, source, ("tests",))
            self.assertTrue(res.tests.tests["tiny::names_the_failed_allocation"].passed,
                            res.tests.tests["tiny::names_the_failed_allocation"].messages)


if __name__ == "__main__":
    unittest.main()


POOL_H = "#include <stddef.h>\nvoid *tiny_get(void);\nvoid tiny_put(void *p);\n"
POOL_README = ("# Tiny pool\n- **1.1** `tiny_get()` returns a 64-byte slot; `tiny_put(p)` takes "
               "it back and marks it off limits for ASan and Valgrind.\n\n"
               "**Allowed library functions:** none.\n")
POOL_TOML = TOML.replace('api = ["tiny_add"]\nlibc = ["malloc", "free"]',
                         'api = ["tiny_get", "tiny_put"]\nlibc = []\n'
                         'client_requests = ["MAKE_MEM_NOACCESS", "MAKE_MEM_UNDEFINED"]')
POOL_TEST = textwrap.dedent("""\
    #include "mc_test.h"
    #include "tiny.h"
    #include <valgrind/memcheck.h>
    #if defined(__SANITIZE_ADDRESS__)
    #include <sanitizer/asan_interface.h>
    #endif
    MC_SUITE(poisoning);
    Test(poisoning, a_slot_taken_back_is_off_limits) {
        MC_CLAUSE("1.1");
        unsigned char *p = tiny_get();
        cr_assert_not_null(p, "tiny_get() returned NULL");
        p[63] = 1;
        tiny_put(p);
    #if defined(__SANITIZE_ADDRESS__)
        cr_assert(__asan_address_is_poisoned(p), "after tiny_put, ASan may still use the slot");
    #endif
        if (RUNNING_ON_VALGRIND) {
            unsigned char bits;
            cr_assert_eq(VALGRIND_GET_VBITS(p, &bits, 1), 3,
                         "after tiny_put, Valgrind may still use the slot");
        }
    }
    """)
POOL = textwrap.dedent("""\
    #include "tiny.h"
    #include <valgrind/memcheck.h>
    #if defined(__SANITIZE_ADDRESS__)
    #include <sanitizer/asan_interface.h>
    #define OFF_LIMITS(p, n) ASAN_POISON_MEMORY_REGION(p, n)
    #define IN_BOUNDS(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
    #else
    #define OFF_LIMITS(p, n) VALGRIND_MAKE_MEM_NOACCESS(p, n)
    #define IN_BOUNDS(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
    #endif
    static _Alignas(16) unsigned char slot[64];
    void *tiny_get(void) { IN_BOUNDS(slot, sizeof slot); return slot; }
    void tiny_put(void *p) { if (p == slot) OFF_LIMITS(slot, sizeof slot); }
    """)


class PoisoningTest(unittest.TestCase):
    def pool(self, root: Path):
        ex = make_gradable_exercise(root, tests=POOL_TEST, hidden=POOL_TEST.replace(
            "a_slot_taken_back", "hidden_slot_taken_back"), toml=POOL_TOML)
        (ex.dir / "README.md").write_text(POOL_README)
        (ex.dir / "tiny.h").write_text(POOL_H)
        return ex

    def test_a_pool_that_poisons_is_clean_and_one_that_forgets_is_found_by_both_tools(self):
        with scratch() as tmp:
            ex = self.pool(Path(tmp))
            self.assertEqual(clauses.problems(ex), [])
            good = grade(ex, POOL)
            self.assertEqual(good.score, 100, [c.reasons for c in good.categories.values()])
            forgets = grade(ex, POOL.replace("OFF_LIMITS(slot, sizeof slot);", "(void)0;"))
            self.assertEqual(forgets.categories["tests"].score, 60)
            for tool in ("valgrind", "sanitizers"):
                kinds = {f.kind for f in forgets.findings[tool]}
                self.assertEqual(kinds, {"not-poisoned"}, forgets.findings[tool])
                self.assertLess(forgets.categories[tool].score, 15)

    def test_a_client_request_off_the_list_is_refused(self):
        with scratch() as tmp:
            ex = self.pool(Path(tmp))
            res = grade(ex, POOL.replace("IN_BOUNDS(slot, sizeof slot);",
                                         "VALGRIND_DISABLE_ERROR_REPORTING;"))
            self.assertTrue(any("client request" in p for p in res.audit_problems),
                            res.audit_problems)


class SanitizerBuildAuditTest(unittest.TestCase):
    def test_code_that_exists_only_in_the_sanitizer_build_is_audited_too(self):
        sneaky = ('#include "tiny.h"\n#include <stdlib.h>\nint tiny_add(int a, int b) '
                  '{ return a + b; }\n#if defined(__SANITIZE_ADDRESS__)\n'
                  '__attribute__((constructor)) static void early(void) { exit(0); }\n#endif\n')
        with scratch() as tmp:
            ex = exercise(Path(tmp))
            res = grade(ex, sneaky)
            self.assertEqual(res.score, 0)
            self.assertTrue(any("init_array" in p or "'exit'" in p for p in res.audit_problems),
                            res.audit_problems)
