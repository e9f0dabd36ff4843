"""The files of a scaffolded exercise (scaffold.py): a small working example.

The example is `<prefix>_copy(s)`, a string copy into a block the caller owns,
with three clauses (the copy, the failed allocation, a NULL string), so that every
convention has one instance to imitate: numbered clauses, the allowed-functions
line, MC_CLAUSE first in each test, MC_READ naming a real section, failure
injection with mc_fail_note(), a leak check, a hidden file with its own suite.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Names:
    folder: str          # "09-ring-buffer"
    number: str          # "09"
    prefix: str          # "ring_buffer": the C names
    title: str           # "Ring buffer"
    chapter: str         # "05-dynamic-arrays"
    chapter_title: str   # "5 Dynamic arrays"
    section: str         # "5.1 Size and capacity": what MC_READ names


def files(n: Names) -> dict[str, str]:
    ex, p = f"exercises/{n.folder}", n.prefix
    return {
        f"{ex}/README.md": readme(n),
        f"{ex}/exercise.toml": toml(n),
        f"{ex}/{p}.h": header(n),
        f"{ex}/{p}.c": stub(n),
        f"{ex}/tests/test_{p}.c": public_test(n),
        f"{ex}/hints.md": hints(n),
        f"solutions/{n.folder}/{p}.c": solution(n),
        f"grader/hidden/{n.folder}/test_{p}_hidden.c": hidden_test(n),
        f"grader/alternatives/{n.folder}/by-hand/{p}.c": by_hand(n),
        f"grader/alternatives/{n.folder}/copy-then-terminate/{p}.c": copy_then_terminate(n),
    }


def readme(n: Names) -> str:
    number, _, title = n.chapter_title.partition(" ")
    section = n.section.split(" ")[0]
    return f"""# Exercise {n.number}: {n.title}

Read first: [chapter {number}, {title}](../../chapters/{n.chapter}.md), especially
section {section}.

You will write `{n.prefix}.c`: a function that copies a string into a block of its
own. Edit only `{n.prefix}.c`; `{n.prefix}.h` is the contract and is not yours to
change.

The contract below is numbered: each promise is a clause, and the first line of
every test names the clauses it checks (`MC_CLAUSE("1.2")`), so a failing test
tells you which promise to reread.

## The function

### {n.prefix}_copy(s)

- **1.1** returns a new block of exactly `strlen(s) + 1` bytes that holds a copy
  of the string `s`, its terminator included. The caller owns the block and
  frees it with `free`.
- **1.2** returns `NULL` when the allocation fails, and has then allocated
  nothing.
- **1.3** returns `NULL` when `s` is `NULL`, without allocating.

**Allowed library functions:** `malloc`, `memcpy`, `strlen`.

## Checking your work

`make watch EX={n.number}` checks your file again every time you save it;
`make check EX={n.number}` runs the tests once, with their full output;
`make memcheck EX={n.number}` runs them under Valgrind.
"""


def toml(n: Names) -> str:
    return f"""title = "{n.title}"
chapter = "{n.chapter}"
student_files = ["{n.prefix}.c"]
headers = ["{n.prefix}.h"]
api = ["{n.prefix}_copy"]
libc = ["malloc", "memcpy", "strlen"]
mutants_min = 1   # the scaffold's single example: delete this line once there are six
hidden_tests = 3  # hidden tests the grader adds to the public ones

[rubric]
tests = 60
valgrind = 15
sanitizers = 15
lint = 10

[limits]
run_seconds = 60
"""


def header(n: Names) -> str:
    guard = n.prefix.upper() + "_H"
    return f"""/*
 * {n.prefix}.h: {n.title}.
 *
 * Ownership: {n.prefix}_copy returns a block that the caller owns and frees
 * with free(). Failure: NULL, with nothing allocated.
 */
#ifndef {guard}
#define {guard}

/* A copy of the string s, terminator included, in a new block of strlen(s) + 1
 * bytes; NULL when s is NULL or the allocation fails. */
char *{n.prefix}_copy(const char *s);

#endif
"""


def stub(n: Names) -> str:
    return f"""/*
 * {n.prefix}.c: {n.title}. README.md states the contract.
 */
#include "{n.prefix}.h"

#include <stdlib.h>
#include <string.h>

char *{n.prefix}_copy(const char *s)
{{
    /* TODO: return NULL for a NULL s (1.3); allocate strlen(s) + 1 bytes and return
     * NULL if that fails (1.2); copy s with its terminator and return the copy (1.1). */
    (void)s;
    return NULL;
}}
"""


def solution(n: Names) -> str:
    return f"""/*
 * {n.prefix}.c: {n.title}. The reference solution.
 */
#include "{n.prefix}.h"

#include <stdlib.h>
#include <string.h>

char *{n.prefix}_copy(const char *s)
{{
    if (s == NULL) {{
        return NULL;
    }}
    size_t bytes = strlen(s) + 1; /* the terminator too */
    char *copy = malloc(bytes);
    if (copy == NULL) {{
        return NULL;
    }}
    memcpy(copy, s, bytes);
    return copy; /* the caller owns it */
}}
"""


def by_hand(n: Names) -> str:
    return f"""/*
 * {n.prefix}.c: {n.title}, counted and copied by hand.
 *
 * How this differs from the reference: no library call but malloc; the length is
 * found by a loop, and the characters and the terminator are copied one by one.
 */
#include "{n.prefix}.h"

#include <stdlib.h>

char *{n.prefix}_copy(const char *s)
{{
    if (s == NULL) {{
        return NULL;
    }}
    size_t length = 0;
    while (s[length] != '\\0') {{
        length++;
    }}
    char *copy = malloc(length + 1);
    if (copy == NULL) {{
        return NULL;
    }}
    for (size_t i = 0; i <= length; i++) {{
        copy[i] = s[i];
    }}
    return copy;
}}
"""


def copy_then_terminate(n: Names) -> str:
    return f"""/*
 * {n.prefix}.c: {n.title}, the characters first and the terminator after.
 *
 * How this differs from the reference: memcpy copies the characters alone, and
 * the terminator is written by hand, so the copy never depends on the source's.
 */
#include "{n.prefix}.h"

#include <stdlib.h>
#include <string.h>

char *{n.prefix}_copy(const char *s)
{{
    if (s == NULL) {{
        return NULL;
    }}
    size_t length = strlen(s);
    char *copy = malloc(length + 1);
    if (copy == NULL) {{
        return NULL;
    }}
    memcpy(copy, s, length);
    copy[length] = '\\0';
    return copy;
}}
"""


def public_test(n: Names) -> str:
    p, read = n.prefix, f'MC_READ("{n.section}")'
    return f"""#include "mc_test.h"
#include "{p}.h"

#include <stdlib.h>
#include <string.h>

MC_SUITE({p});

Test({p}, copies_the_string_into_a_block_of_its_own)
{{
    MC_CLAUSE("1.1");
    const char *text = "memory";
    char *copy = {p}_copy(text);
    cr_assert_not_null(copy, "{p}_copy(\\"memory\\") returned NULL, expected a copy" {read});
    cr_assert_neq((const char *)copy, text,
                  "{p}_copy() returned the string it was given, expected a new block" {read});
    cr_assert_str_eq(copy, text, "the copy holds \\"%s\\", expected \\"memory\\"" {read}, copy);
    size_t bytes = mc_live_size_of(copy);
    cr_assert_eq(bytes, strlen(text) + 1,
                 "the copy's block has %zu bytes, expected %zu: the characters and the "
                 "terminator" {read},
                 bytes, strlen(text) + 1);
    free(copy);
}}
"""


def hidden_test(n: Names) -> str:
    p, read = n.prefix, f'MC_READ("{n.section}")'
    return f"""#include "mc_test.h"
#include "{p}.h"

#include <stdlib.h>

MC_SUITE({p}_hidden);

Test({p}_hidden, copies_the_empty_string)
{{
    MC_CLAUSE("1.1");
    char *copy = {p}_copy("");
    cr_assert_not_null(copy, "{p}_copy(\\"\\") returned NULL, expected a copy" {read});
    cr_assert_eq(copy[0], '\\0', "the copy of \\"\\" starts with %d, expected 0" {read},
                 copy[0]);
    size_t bytes = mc_live_size_of(copy);
    cr_assert_eq(bytes, 1, "the copy of \\"\\" has %zu bytes, expected 1" {read}, bytes);
    free(copy);
}}

Test({p}_hidden, a_failed_allocation_gives_null_and_allocates_nothing)
{{
    MC_CLAUSE("1.2");
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    char *copy = {p}_copy("memory");
    mc_fail_none();
    cr_assert_null(copy, "{p}_copy() returned a block when %s failed, expected NULL" {read},
                   mc_fail_note());
    mc_assert_no_leak_since(before, "{p}_copy() with its allocation failing", "{n.section}");
    copy = {p}_copy("memory");
    cr_assert_not_null(copy, "{p}_copy() returned NULL once allocations succeed again" {read});
    free(copy);
}}

Test({p}_hidden, a_null_string_gives_null_without_allocating)
{{
    MC_CLAUSE("1.1", "1.3");
    char *real = {p}_copy("x"); /* a refusal counts only from a copy that can succeed */
    cr_assert_not_null(real, "{p}_copy(\\"x\\") returned NULL, expected a copy" {read});
    free(real);
    size_t calls = mc_alloc_calls();
    char *copy = {p}_copy(NULL);
    cr_assert_null(copy, "{p}_copy(NULL) returned a block, expected NULL" {read});
    cr_assert_eq(mc_alloc_calls(), calls,
                 "{p}_copy(NULL) made %zu allocation call(s), expected none" {read},
                 mc_alloc_calls() - calls);
}}
"""


def hints(n: Names) -> str:
    return f"""# Hints for exercise {n.number} ({n.title})

## Hint 1
Count before you allocate: `strlen(s)` characters, and one byte more for the
terminator. A block of `strlen(s)` bytes holds the characters but not the end
of the string.

## Hint 2
Check what `malloc` returned before you write into it: a `NULL` result is how
a failed allocation is reported, and the contract says to return `NULL` then.
"""
