/*
 * Hidden tests for bug hunt 08-hunt-tokenizer: long lines, empty input, and
 * every allocation failing in turn.
 */
#include "mc_test.h"
#include "tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_LEAKS    MC_READ("10.2 Leaks")
#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")
#define READ_SIZEOF   MC_READ("10.7 Wrong sizeof and size arithmetic")

enum { WORDS = 100, MAX_ALLOCS = 40 };

MC_SUITE(tokenizer_edges);

Test(tokenizer_edges, splits_a_hundred_words_and_nothing_at_all)
{
    char line[WORDS * 8];
    size_t used = 0;
    for (size_t i = 0; i < WORDS; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "w%zu ", i);
    struct tok_list *list = tok_split(line, " ");
    cr_assert_not_null(list, "tok_split() of %d words returned NULL" READ_SIZEOF, WORDS);
    cr_assert_eq(list->count, (size_t)WORDS, "tok_split() found %zu words, expected %d" READ_SIZEOF,
                 list->count, WORDS);
    for (size_t i = 0; i < WORDS; i++) {
        char want[8];
        snprintf(want, sizeof want, "w%zu", i);
        cr_assert_str_eq(tok_text(list, i), want,
                         "word %zu is \"%s\", expected \"%s\"" READ_OVERFLOW, i, tok_text(list, i),
                         want);
    }
    tok_list_free(list);

    static const char *const empty[] = {"", "    ", ",,,"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        list = tok_split(empty[i], " ,");
        cr_assert_not_null(
            list, "tok_split(\"%s\") returned NULL, expected an empty list" READ_SIZEOF, empty[i]);
        cr_assert_eq(list->count, 0, "tok_split(\"%s\") found %zu tokens, expected 0" READ_SIZEOF,
                     empty[i], list->count);
        char *joined = tok_join(list, "-");
        cr_assert_not_null(joined, "tok_join() of an empty list returned NULL" READ_OVERFLOW);
        cr_assert_str_eq(joined, "",
                         "tok_join() of an empty list gave \"%s\", expected \"\"" READ_OVERFLOW,
                         joined);
        free(joined);
        tok_list_free(list);
    }
}

Test(tokenizer_edges, frees_everything_when_memory_runs_out)
{
    const char *line = "the quick brown fox jumps over the lazy dog";
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct tok_list *list = tok_split(line, " ");
        mc_fail_none();
        if (list != NULL) {
            cr_assert_eq(list->count, 9,
                         "tok_split() succeeded with %zu tokens, expected 9" READ_SIZEOF,
                         list->count);
            tok_list_free(list);
        }
        mc_assert_no_leak_since(before, "tok_split() with one allocation failing", "10.2 Leaks");
    }
}
