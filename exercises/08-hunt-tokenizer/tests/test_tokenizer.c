/*
 * Public tests for bug hunt 08-hunt-tokenizer: the symptoms users reported.
 *
 * A passing run here does not mean the module is fixed: some of its bugs
 * only show under Valgrind (make memcheck) or AddressSanitizer (make asan).
 */
#include "mc_test.h"
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")
#define READ_SIZEOF   MC_READ("10.7 Wrong sizeof and size arithmetic")

MC_SUITE(tokenizer);

struct split_case {
    const char *line;
    const char *delims;
    size_t count;
    const char *words[6];
    size_t offsets[6];
};

static const struct split_case cases[] = {
    {"alpha beta gamma", " ", 3, {"alpha", "beta", "gamma"}, {0, 6, 11}},
    {"  leading and trailing  ", " ", 3, {"leading", "and", "trailing"}, {2, 10, 14}},
    {"a,b,,c", ",", 3, {"a", "b", "c"}, {0, 2, 5}},
    {"one two three four five six",
     " ",
     6,
     {"one", "two", "three", "four", "five", "six"},
     {0, 4, 8, 14, 19, 24}},
    {"key=value; path=/usr/lib", "=; ", 4, {"key", "value", "path", "/usr/lib"}, {0, 4, 11, 16}},
};

#define N_CASES (sizeof cases / sizeof cases[0])

Test(tokenizer, splits_words_and_records_their_offsets)
{
    for (size_t c = 0; c < N_CASES; c++) {
        const struct split_case *k = &cases[c];
        struct tok_list *list = tok_split(k->line, k->delims);
        cr_assert_not_null(list, "tok_split(\"%s\") returned NULL, expected a list" READ_SIZEOF,
                           k->line);
        cr_assert_eq(list->count, k->count,
                     "tok_split(\"%s\") found %zu tokens, expected %zu" READ_SIZEOF, k->line,
                     list->count, k->count);
        for (size_t i = 0; i < k->count; i++) {
            const char *text = tok_text(list, i);
            cr_assert_not_null(text, "tok_text(list, %zu) returned NULL" READ_SIZEOF, i);
            cr_assert_str_eq(text, k->words[i],
                             "token %zu of \"%s\" is \"%s\", expected \"%s\"" READ_OVERFLOW, i,
                             k->line, text, k->words[i]);
            cr_assert_eq(list->items[i].offset, k->offsets[i],
                         "token %zu of \"%s\" starts at %zu, expected %zu" READ_SIZEOF, i, k->line,
                         list->items[i].offset, k->offsets[i]);
        }
        cr_assert_null(tok_text(list, k->count),
                       "tok_text(list, count) returned a token, expected NULL" READ_OVERFLOW);
        tok_list_free(list);
    }
}

Test(tokenizer, join_rebuilds_the_line_with_one_separator)
{
    static const char *const joined[] = {
        "alpha beta gamma",        "leading and trailing", "a b c", "one two three four five six",
        "key value path /usr/lib",
    };
    for (size_t c = 0; c < N_CASES; c++) {
        struct tok_list *list = tok_split(cases[c].line, cases[c].delims);
        cr_assert_not_null(list, "tok_split(\"%s\") returned NULL, expected a list" READ_SIZEOF,
                           cases[c].line);
        char *line = tok_join(list, " ");
        cr_assert_not_null(line, "tok_join() returned NULL, expected \"%s\"" READ_OVERFLOW,
                           joined[c]);
        cr_assert_str_eq(
            line, joined[c],
            "tok_join(split(\"%s\"), \" \") gave \"%s\", expected \"%s\"" READ_OVERFLOW,
            cases[c].line, line, joined[c]);
        free(line);
        tok_list_free(list);
    }
}
