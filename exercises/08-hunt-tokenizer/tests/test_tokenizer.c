/*
 * Public tests for bug hunt 08-hunt-tokenizer: the symptoms users reported.
 *
 * A passing run here does not mean the module is fixed: some of its bugs
 * only show under Valgrind (make memcheck) or AddressSanitizer (make asan).
 * Each test names the README clauses it checks (MC_CLAUSE).
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
    {"no delimiters at all", "", 1, {"no delimiters at all"}, {0}},
};

#define N_CASES (sizeof cases / sizeof cases[0])

Test(tokenizer, splits_words_and_records_their_offsets)
{
    MC_CLAUSE("1.1", "1.2", "2.1", "2.2");
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
            cr_assert_eq(
                text, list->items[i].text,
                "tok_text(list, %zu) returned %p, expected items[%zu].text (%p)" READ_SIZEOF, i,
                (const void *)text, i, (const void *)list->items[i].text);
            cr_assert_not_null(text,
                               "tok_text(list, %zu) returned NULL, expected a text" READ_SIZEOF, i);
            cr_assert_str_eq(text, k->words[i],
                             "token %zu of \"%s\" is \"%s\", expected \"%s\"" READ_OVERFLOW, i,
                             k->line, text, k->words[i]);
            cr_assert_eq(list->items[i].offset, k->offsets[i],
                         "token %zu of \"%s\" starts at %zu, expected %zu" READ_SIZEOF, i, k->line,
                         list->items[i].offset, k->offsets[i]);
            cr_assert_eq(list->items[i].len, strlen(k->words[i]),
                         "token %zu of \"%s\" has len %zu, expected %zu" READ_SIZEOF, i, k->line,
                         list->items[i].len, strlen(k->words[i]));
        }
        cr_assert_null(tok_text(list, k->count),
                       "tok_text(list, count) returned a token, expected NULL" READ_OVERFLOW);
        cr_assert_null(tok_text(list, (size_t)-1),
                       "tok_text(list, SIZE_MAX) returned a token, expected NULL" READ_OVERFLOW);
        tok_list_free(list);
    }
}

/* One word per line: what is checked here is the copy of a word, alone. */
Test(tokenizer, each_word_is_a_terminated_copy_of_its_own)
{
    MC_CLAUSE("1.3");
    static const struct {
        const char *line;
        const char *word;
    } lines[] = {
        {"hello", "hello"},
        {"  padded\t", "padded"},
        {"x", "x"},
        {"a-much-longer-word-than-the-others", "a-much-longer-word-than-the-others"},
    };
    for (size_t c = 0; c < sizeof lines / sizeof lines[0]; c++) {
        char line[64];
        strcpy(line, lines[c].line);
        struct tok_list *list = tok_split(line, " \t");
        cr_assert_not_null(list, "tok_split(\"%s\") returned NULL, expected a list" READ_OVERFLOW,
                           lines[c].line);
        cr_assert_eq(list->count, 1, "tok_split(\"%s\") found %zu tokens, expected 1" READ_OVERFLOW,
                     lines[c].line, list->count);
        const struct tok *t = &list->items[0];
        size_t block = mc_live_size_of(t->text);
        cr_assert(
            block >= t->len + 1,
            "the text of the %zu-byte word \"%s\" is %s of %zu bytes, expected a block "
            "of its own of at least %zu bytes: the word and its terminating NUL" READ_OVERFLOW,
            t->len, lines[c].word, block == 0 ? "not an allocated block" : "a block", block,
            t->len + 1);
        cr_assert_eq(t->text[t->len], '\0',
                     "the text of \"%s\" is not terminated: text[%zu] is 0x%02x, expected "
                     "0" READ_OVERFLOW,
                     lines[c].word, t->len, (unsigned)(unsigned char)t->text[t->len]);
        memset(line, '#', strlen(line)); /* the line is the caller's: its copy must not change */
        cr_assert_str_eq(t->text, lines[c].word,
                         "after the caller overwrote its line, the token is \"%s\", expected "
                         "\"%s\": the list must keep its own copy" READ_OVERFLOW,
                         t->text, lines[c].word);
        tok_list_free(list);
    }
}

Test(tokenizer, join_rebuilds_the_line_with_one_separator)
{
    MC_CLAUSE("3.1");
    static const char *const joined[] = {
        "alpha beta gamma",        "leading and trailing", "a b c", "one two three four five six",
        "key value path /usr/lib", "no delimiters at all",
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
