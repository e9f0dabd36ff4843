/*
 * Hidden tests for bug hunt 08-hunt-tokenizer: long lines, empty input, and
 * allocations failing one at a time.
 *
 * A bug hunt earns its points per bug fixed, judged by the tests of the
 * clause the bug breaks. So the tests of one planted bug's clause are kept
 * clear of the others: the array's size (1.5) is checked without reading
 * past a word; the copy of a word (1.3) with one-word lines, which never
 * need a second token; the error path of a word copy (1.7) with two-word
 * lines that fail before the second token is stored.
 *
 * Every test makes the same number of assertions whichever way a call goes
 * (the grader compares the count with the reference solution's).
 */
#include "mc_test.h"
#include "tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_LEAKS    MC_READ("10.2 Leaks")
#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")
#define READ_SIZEOF   MC_READ("10.7 Wrong sizeof and size arithmetic")

enum { MAX_WORDS = 100, LINE_MAX = MAX_WORDS * 8, MAX_ALLOCS = 40 };

MC_SUITE(tokenizer_edges);

/* "w0 w1 w2 ..." with n words, each followed by one blank. */
static void line_of(char *line, size_t n)
{
    size_t used = 0;
    line[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(line + used, LINE_MAX - used, "w%zu ", i);
}

/* The token's word is line[offset..offset+len), compared without reading past it. */
static int token_is(const struct tok *t, const char *line, size_t offset, size_t len)
{
    return t->offset == offset && t->len == len && t->text != NULL &&
           memcmp(t->text, line + offset, len) == 0;
}

Test(tokenizer_edges, holds_any_number_of_words_in_an_array_of_cap_tokens)
{
    MC_CLAUSE("1.5", "1.1", "1.2");
    static const size_t sizes[] = {1, 2, 3, 4, 5, 8, 9, 16, 17, 33, MAX_WORDS};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        char line[LINE_MAX];
        line_of(line, n);
        struct tok_list *list = tok_split(line, " ");
        cr_assert_not_null(
            list, "tok_split() of %zu words returned NULL, expected a list" READ_SIZEOF, n);
        cr_assert_eq(list->count, n,
                     "tok_split() of %zu words found %zu, expected as many" READ_SIZEOF, n,
                     list->count);
        size_t block = mc_live_size_of(list->items);
        cr_assert(list->cap >= list->count && block >= list->cap * sizeof(struct tok),
                  "after splitting %zu words, cap is %zu and items is a block of %zu bytes, "
                  "expected room for cap tokens of %zu bytes each (%zu bytes)" READ_SIZEOF,
                  n, list->cap, block, sizeof(struct tok), list->cap * sizeof(struct tok));
        size_t offset = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len = strcspn(line + offset, " ");
            cr_assert(token_is(&list->items[i], line, offset, len),
                      "token %zu of %zu is \"%.*s\" at %zu, expected \"%.*s\" at %zu" READ_SIZEOF,
                      i, n, (int)list->items[i].len,
                      list->items[i].text != NULL ? list->items[i].text : "", list->items[i].offset,
                      (int)len, line + offset, offset);
            offset += len + 1;
        }
        tok_list_free(list);
    }
}

Test(tokenizer_edges, gives_an_empty_list_for_a_line_without_words)
{
    MC_CLAUSE("1.4", "3.2");
    static const struct {
        const char *line;
        const char *delims;
    } empty[] = {{"", " ,"}, {"    ", " ,"}, {",,,", " ,"}, {" ,, ", " ,"}, {"", ""}};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        struct tok_list *list = tok_split(empty[i].line, empty[i].delims);
        cr_assert_not_null(list,
                           "tok_split(\"%s\", \"%s\") returned NULL, expected an empty "
                           "list" READ_SIZEOF,
                           empty[i].line, empty[i].delims);
        cr_assert_eq(list->count, 0,
                     "tok_split(\"%s\", \"%s\") found %zu tokens, expected 0" READ_SIZEOF,
                     empty[i].line, empty[i].delims, list->count);
        cr_assert_null(tok_text(list, 0),
                       "tok_text(empty list, 0) returned a token, expected NULL" READ_OVERFLOW);
        char *joined = tok_join(list, "-");
        cr_assert_not_null(
            joined, "tok_join() of an empty list returned NULL, expected a string" READ_OVERFLOW);
        cr_assert_str_eq(joined, "",
                         "tok_join() of an empty list gave \"%s\", expected \"\"" READ_OVERFLOW,
                         joined);
        free(joined);
        tok_list_free(list);
    }
}

Test(tokenizer_edges, returns_null_and_allocates_nothing_when_no_memory_is_left)
{
    MC_CLAUSE("1.6");
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    struct tok_list *list = tok_split("two words", " ");
    mc_fail_none();
    cr_assert_null(list, "tok_split() returned a list, expected NULL (made to fail: %s)" READ_LEAKS,
                   mc_fail_note());
    char call[1600];
    snprintf(call, sizeof call, "tok_split() (made to fail: %s)", mc_fail_note());
    mc_assert_no_leak_since(before, call, "10.2 Leaks");
}

/* Two words: the second word's copy, the last allocation, fails after the
 * first word was stored. Neither split stores a second token. */
Test(tokenizer_edges, frees_the_words_already_copied_when_a_copy_fails)
{
    MC_CLAUSE("1.7");
    static const struct {
        const char *line;
        size_t words;
    } lines[] = {{"ab cd", 2}, {"  first second  ", 2}, {"solo", 1}};
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        size_t words = lines[l].words;
        size_t allocs = 2 + words; /* here: the list, the array, each word */
        for (size_t n = 1; n <= allocs; n++) {
            struct mc_snapshot before = mc_snapshot();
            mc_fail_nth_alloc(n);
            struct tok_list *list = tok_split(lines[l].line, " ");
            mc_fail_none();
            cr_assert(list == NULL || list->count == words,
                      "tok_split(\"%s\") returned a list of %zu tokens, expected NULL or %zu "
                      "tokens (made to fail: %s)" READ_LEAKS,
                      lines[l].line, list != NULL ? list->count : 0, words, mc_fail_note());
            tok_list_free(list);
            char call[1600];
            snprintf(call, sizeof call, "tok_split(\"%s\") (made to fail: %s)", lines[l].line,
                     mc_fail_note());
            mc_assert_no_leak_since(before, call, "10.2 Leaks");
        }
    }
}

Test(tokenizer_edges, frees_everything_when_any_allocation_of_a_long_split_fails)
{
    MC_CLAUSE("1.8");
    const char *line = "the quick brown fox jumps over the lazy dog";
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct tok_list *list = tok_split(line, " ");
        mc_fail_none();
        cr_assert(list == NULL || list->count == 9,
                  "tok_split() returned a list of %zu tokens, expected NULL or 9 tokens "
                  "(made to fail: %s)" READ_SIZEOF,
                  list != NULL ? list->count : 0, mc_fail_note());
        tok_list_free(list);
        char call[1600];
        snprintf(call, sizeof call, "tok_split() (made to fail: %s)", mc_fail_note());
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
}

Test(tokenizer_edges, text_lends_each_token_and_null_past_the_end)
{
    MC_CLAUSE("2.1", "2.2");
    struct tok_list *list = tok_split("red,green,blue", ",");
    cr_assert_not_null(list,
                       "tok_split(\"red,green,blue\") returned NULL, expected a list" READ_SIZEOF);
    cr_assert_eq(list->count, 3,
                 "tok_split(\"red,green,blue\") found %zu tokens, expected 3" READ_SIZEOF,
                 list->count);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(
            tok_text(list, i), list->items[i].text,
            "tok_text(list, %zu) returned %p, expected the token's own text %p" READ_SIZEOF, i,
            (const void *)tok_text(list, i), (const void *)list->items[i].text);
    static const size_t past[] = {3, 4, 1000, (size_t)-1};
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++)
        cr_assert_null(tok_text(list, past[i]),
                       "tok_text(list of 3, %zu) returned a token, expected NULL" READ_OVERFLOW,
                       past[i]);
    tok_list_free(list);
}

Test(tokenizer_edges, join_puts_the_separator_only_between_tokens)
{
    MC_CLAUSE("3.1");
    static const struct {
        const char *line;
        const char *sep;
        const char *want;
    } cases[] = {
        {"a b c", ", ", "a, b, c"},  {"a b c", "", "abc"},     {"single", "--", "single"},
        {"x y", " and ", "x and y"}, {"  p  q  ", "/", "p/q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tok_list *list = tok_split(cases[i].line, " ");
        cr_assert_not_null(list, "tok_split(\"%s\") returned NULL, expected a list" READ_SIZEOF,
                           cases[i].line);
        struct mc_snapshot before = mc_snapshot();
        char *joined = tok_join(list, cases[i].sep);
        cr_assert_not_null(
            joined,
            "tok_join(split(\"%s\"), \"%s\") returned NULL, expected a string" READ_OVERFLOW,
            cases[i].line, cases[i].sep);
        cr_assert_str_eq(
            joined, cases[i].want,
            "tok_join(split(\"%s\"), \"%s\") gave \"%s\", expected \"%s\"" READ_OVERFLOW,
            cases[i].line, cases[i].sep, joined, cases[i].want);
        cr_assert_eq(mc_live_blocks(), before.blocks + 1,
                     "tok_join() left %zu new blocks, expected 1 (the string)" READ_LEAKS,
                     mc_live_blocks() - before.blocks);
        free(joined);
        tok_list_free(list);
    }
}

Test(tokenizer_edges, a_failed_join_leaks_nothing_and_keeps_the_list)
{
    MC_CLAUSE("3.3");
    struct tok_list *list = tok_split("keep these four words", " ");
    cr_assert_not_null(list, "tok_split() returned NULL, expected a list" READ_SIZEOF);
    cr_assert_eq(list->count, 4, "tok_split() found %zu tokens, expected 4" READ_SIZEOF,
                 list->count);
    const char *texts[4];
    for (size_t i = 0; i < 4; i++)
        texts[i] = list->items[i].text;
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    char *joined = tok_join(list, " ");
    mc_fail_none();
    cr_assert_null(joined,
                   "tok_join() returned a string, expected NULL (made to fail: %s)" READ_LEAKS,
                   mc_fail_note());
    char call[1600];
    snprintf(call, sizeof call, "tok_join() (made to fail: %s)", mc_fail_note());
    mc_assert_no_leak_since(before, call, "10.2 Leaks");
    static const char *const words[] = {"keep", "these", "four", "words"};
    for (size_t i = 0; i < 4; i++)
        cr_assert(list->count == 4 && list->items[i].text == texts[i] &&
                      strcmp(list->items[i].text, words[i]) == 0,
                  "after a failed tok_join() (made to fail: %s), token %zu changed, expected "
                  "\"%s\" unchanged" READ_LEAKS,
                  mc_fail_note(), i, words[i]);
    tok_list_free(list);
}

Test(tokenizer_edges, free_releases_every_block_of_lists_of_any_length)
{
    MC_CLAUSE("4.1");
    static const size_t sizes[] = {0, 1, 4, 5, 20};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        char line[LINE_MAX];
        line_of(line, sizes[s]);
        struct mc_snapshot before = mc_snapshot();
        struct tok_list *list = tok_split(line, " ");
        cr_assert_not_null(
            list, "tok_split() of %zu words returned NULL, expected a list" READ_SIZEOF, sizes[s]);
        tok_list_free(list);
        char call[64];
        snprintf(call, sizeof call, "splitting and freeing %zu words", sizes[s]);
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
    tok_list_free(NULL);
}
