/*
 * Hidden tests for bug hunt 08-hunt-config-parser: every allocation
 * failing in turn, lookups of missing keys in configs of every size, and
 * the syntax rules one by one.
 *
 * A bug hunt earns its points per bug fixed, judged by the tests of the
 * clause the bug breaks: the tests of a failed parse (1.6) look up no
 * missing key, and the tests of a missing key (2.2) make nothing fail.
 *
 * Every test makes the same number of assertions whichever way a call goes
 * (the grader compares the count with the reference solution's).
 */
#include "config_parser.h"
#include "mc_test.h"

#include <stdio.h>
#include <string.h>

#define READ_LEAKS    MC_READ("10.2 Leaks")
#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")

enum { MAX_ALLOCS = 24, MAX_ENTRIES = 5 };

MC_SUITE(config_parser_edges);

static struct config *parse_or_fail(const char *text, const char *what)
{
    size_t bad = 12345;
    struct config *cfg = cfg_parse(text, &bad);
    cr_assert_not_null(
        cfg, "cfg_parse() of %s returned NULL (bad line %zu), expected a config" READ_LEAKS, what,
        bad);
    return cfg;
}

/* One assertion: entry i is key = value, each in a block of its own. */
static void assert_entry(const struct config *cfg, size_t i, const char *key, const char *value)
{
    const struct cfg_entry *e = &cfg->entries[i];
    cr_assert(strcmp(e->key, key) == 0 && strcmp(e->value, value) == 0 &&
                  mc_live_size_of(e->key) > strlen(key) &&
                  mc_live_size_of(e->value) > strlen(value),
              "entry %zu is \"%s\" = \"%s\", expected \"%s\" = \"%s\", each in a block of its "
              "own" READ_OVERFLOW,
              i, e->key, e->value, key, value);
}

Test(config_parser_edges, frees_everything_when_memory_runs_out)
{
    MC_CLAUSE("1.6");
    const char *text = "# three settings\nname = memcraft\nlevel = 3\ncolour = blue\n";
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t bad = 99;
        mc_fail_nth_alloc(n);
        struct config *cfg = cfg_parse(text, &bad);
        mc_fail_none();
        cr_assert(cfg != NULL ? cfg->count == 3 && bad == 99 : bad == 0,
                  "cfg_parse() returned %s with bad line %zu, expected NULL with bad line 0, or 3 "
                  "settings (made to fail: %s)" READ_LEAKS,
                  cfg != NULL ? "a config" : "NULL", bad, mc_fail_note());
        cfg_free(cfg);
        char call[1600];
        snprintf(call, sizeof call, "cfg_parse() (made to fail: %s)", mc_fail_note());
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
}

Test(config_parser_edges, frees_everything_when_memory_runs_out_without_bad_line)
{
    MC_CLAUSE("1.6", "1.7");
    const char *text = "a = 1\nb = 2\n";
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct config *cfg = cfg_parse(text, NULL);
        mc_fail_none();
        cr_assert(cfg == NULL || cfg->count == 2,
                  "cfg_parse(text, NULL) returned %zu settings, expected NULL or 2 (made to fail: "
                  "%s)" READ_LEAKS,
                  cfg != NULL ? cfg->count : 0, mc_fail_note());
        cfg_free(cfg);
        char call[1600];
        snprintf(call, sizeof call, "cfg_parse(text, NULL) (made to fail: %s)", mc_fail_note());
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
}

Test(config_parser_edges, finds_no_missing_key_in_configs_of_every_size)
{
    MC_CLAUSE("2.2", "1.8");
    for (size_t n = 0; n <= MAX_ENTRIES; n++) {
        char text[256] = "# generated\n";
        size_t used = sizeof "# generated\n" - 1;
        for (size_t i = 0; i < n; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "key%zu = value%zu\n", i, i);
        struct config *cfg = parse_or_fail(text, "generated settings");
        cr_assert_eq(cfg->count, n, "cfg_parse() read %zu settings, expected %zu" READ_OVERFLOW,
                     cfg->count, n);
        static const char *const missing[] = {"key", "value0", "zzz", "", "key00", "KEY0"};
        for (size_t m = 0; m < sizeof missing / sizeof missing[0]; m++) {
            const char *got = cfg_get(cfg, missing[m]);
            cr_assert_null(got,
                           "cfg_get(\"%s\") in a config of %zu settings returned \"%s\", "
                           "expected NULL" READ_OVERFLOW,
                           missing[m], n, got);
        }
        cfg_free(cfg);
    }
}

Test(config_parser_edges, finds_nothing_in_a_config_of_comments_only)
{
    MC_CLAUSE("1.8", "2.2");
    static const char *const texts[] = {"", "# only a comment\n", "\n\n  \t\n# a\n   # b", "\r\n"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        struct config *cfg = parse_or_fail(texts[t], "a text without settings");
        cr_assert_eq(cfg->count, 0,
                     "a text without settings gave %zu settings, expected 0" READ_OVERFLOW,
                     cfg->count);
        cr_assert_null(cfg_get(cfg, "host"),
                       "cfg_get(\"host\") in a config without settings returned a value, "
                       "expected NULL" READ_OVERFLOW);
        cfg_free(cfg);
    }
}

Test(config_parser_edges, finds_the_first_of_two_equal_keys_and_minds_case)
{
    MC_CLAUSE("2.1", "1.1");
    struct config *cfg = parse_or_fail("Host = upper\nhost = first\nport = 1\nhost = second\n",
                                       "a text with a repeated key");
    cr_assert_eq(cfg->count, 4,
                 "cfg_parse() read %zu settings, expected 4 (repeats count)" READ_OVERFLOW,
                 cfg->count);
    static const char *const lookups[][2] = {
        {"host", "first"}, {"Host", "upper"}, {"port", "1"}, {"host", "first"}};
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        const char *got = cfg_get(cfg, lookups[i][0]);
        cr_assert(got != NULL && strcmp(got, lookups[i][1]) == 0,
                  "cfg_get(\"%s\") returned \"%s\", expected \"%s\"" READ_OVERFLOW, lookups[i][0],
                  got != NULL ? got : "(null)", lookups[i][1]);
    }
    cr_assert_eq(cfg_get(cfg, "host"), (const char *)cfg->entries[1].value,
                 "cfg_get() returned a copy, expected the config's own value" READ_OVERFLOW);
    cfg_free(cfg);
}

Test(config_parser_edges, trims_blanks_around_keys_and_values_only)
{
    MC_CLAUSE("1.2");
    struct config *cfg = parse_or_fail(" my key =  a b \r\n"
                                       "\tk\t=\tv = w\t\n"
                                       "empty =\n"
                                       "tight=x\r\n"
                                       "spaces =    \n",
                                       "a text with blanks");
    cr_assert_eq(cfg->count, 5, "cfg_parse() read %zu settings, expected 5" READ_OVERFLOW,
                 cfg->count);
    assert_entry(cfg, 0, "my key", "a b");
    assert_entry(cfg, 1, "k", "v = w");
    assert_entry(cfg, 2, "empty", "");
    assert_entry(cfg, 3, "tight", "x");
    assert_entry(cfg, 4, "spaces", "");
    cfg_free(cfg);
}

Test(config_parser_edges, skips_comments_and_blank_lines_wherever_they_are)
{
    MC_CLAUSE("1.3", "1.4");
    struct config *cfg = parse_or_fail("   # indented comment\n"
                                       "#\n"
                                       "\t \r\n"
                                       "a = 1\n"
                                       "key#1 = not a comment\n"
                                       "\n"
                                       "b = 2",
                                       "a text with comments");
    cr_assert_eq(cfg->count, 3, "cfg_parse() read %zu settings, expected 3" READ_OVERFLOW,
                 cfg->count);
    assert_entry(cfg, 0, "a", "1");
    assert_entry(cfg, 1, "key#1", "not a comment");
    assert_entry(cfg, 2, "b", "2");
    cfg_free(cfg);
}

Test(config_parser_edges, numbers_every_line_when_it_reports_a_syntax_error)
{
    MC_CLAUSE("1.4", "1.5");
    static const struct {
        const char *text;
        size_t line;
    } broken[] = {
        {"#c\n\n  \nbroken\n", 4},
        {"a = 1\n\n# x\n \t = 2\n", 4},
        {"a = 1\nlast line without newline", 2},
        {"=\n", 1},
        {"\n\n\n\n\nx\n", 6},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        size_t bad = 0;
        struct config *cfg = cfg_parse(broken[i].text, &bad);
        cr_assert(cfg == NULL && bad == broken[i].line,
                  "cfg_parse() of broken text %zu returned %s with bad line %zu, expected NULL "
                  "and line %zu" READ_LEAKS,
                  i, cfg != NULL ? "a config" : "NULL", bad, broken[i].line);
        mc_assert_no_leak_since(before, "cfg_parse() of a broken text", "10.2 Leaks");
    }
}

Test(config_parser_edges, writes_bad_line_only_when_it_fails)
{
    MC_CLAUSE("1.7");
    size_t bad = 77;
    struct config *cfg = cfg_parse("a = 1\n", &bad);
    cr_assert(cfg != NULL && bad == 77,
              "a successful cfg_parse() changed *bad_line from 77 to %zu, expected it "
              "untouched" READ_LEAKS,
              bad);
    cfg_free(cfg);
    struct mc_snapshot before = mc_snapshot();
    cfg = cfg_parse("a = 1\nnonsense\n", NULL);
    cr_assert_null(cfg, "cfg_parse(broken text, NULL) returned a config, expected NULL" READ_LEAKS);
    mc_assert_no_leak_since(before, "cfg_parse(broken text, NULL)", "10.2 Leaks");
}

Test(config_parser_edges, free_releases_every_key_and_value)
{
    MC_CLAUSE("3.1");
    for (size_t n = 0; n <= MAX_ENTRIES; n++) {
        char text[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < n; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "k%zu = v%zu\n", i, i);
        struct mc_snapshot before = mc_snapshot();
        struct config *cfg = parse_or_fail(text, "generated settings");
        cfg_free(cfg);
        char call[64];
        snprintf(call, sizeof call, "parsing and freeing %zu settings", n);
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
    cfg_free(NULL);
}
