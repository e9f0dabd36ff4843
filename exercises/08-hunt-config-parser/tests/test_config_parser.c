/*
 * Public tests for bug hunt 08-hunt-config-parser: the symptoms users
 * reported. Passing them is not the end: run make memcheck and make asan.
 * Each test names the README clauses it checks (MC_CLAUSE).
 */
#include "config_parser.h"
#include "mc_test.h"

#include <stddef.h>

#define READ_LEAKS    MC_READ("10.2 Leaks")
#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")

MC_SUITE(config_parser);

static const char sample[] = "# server settings\n"
                             "host = example.org\n"
                             "\n"
                             "  port\t=  8080  \n"
                             "motd =\n"
                             "path = /srv/www = root\n"
                             "host = ignored.example\n";

Test(config_parser, reads_settings_and_skips_comments_and_blank_lines)
{
    MC_CLAUSE("1.1", "1.2", "1.3", "2.1", "2.2");
    size_t bad = 99;
    struct config *cfg = cfg_parse(sample, &bad);
    cr_assert_not_null(
        cfg, "cfg_parse(sample) returned NULL (bad line %zu), expected a config" READ_LEAKS, bad);
    cr_assert_eq(cfg->count, 5, "cfg_parse(sample) read %zu settings, expected 5" READ_OVERFLOW,
                 cfg->count);
    static const char *const lookups[][2] = {
        {"host", "example.org"}, {"port", "8080"}, {"motd", ""}, {"path", "/srv/www = root"},
        {"missing", NULL},       {"hos", NULL},    {"", NULL},
    };
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        const char *got = cfg_get(cfg, lookups[i][0]);
        if (lookups[i][1] == NULL) {
            cr_assert_null(got, "cfg_get(\"%s\") returned \"%s\", expected NULL" READ_OVERFLOW,
                           lookups[i][0], got);
        } else {
            cr_assert_not_null(got, "cfg_get(\"%s\") returned NULL, expected \"%s\"" READ_OVERFLOW,
                               lookups[i][0], lookups[i][1]);
            cr_assert_str_eq(got, lookups[i][1],
                             "cfg_get(\"%s\") returned \"%s\", expected \"%s\"" READ_OVERFLOW,
                             lookups[i][0], got, lookups[i][1]);
        }
    }
    cfg_free(cfg);
}

Test(config_parser, reports_the_bad_line_and_frees_everything)
{
    MC_CLAUSE("1.4", "1.5");
    static const struct {
        const char *text;
        size_t line;
    } broken[] = {
        {"a = 1\nb = 2\nno equals sign here\n", 3},
        {"# comment\nx = 1\n  = value without key\n", 3},
        {"just text", 1},
        {"a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n[section]\n", 6},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        size_t bad = 0;
        struct config *cfg = cfg_parse(broken[i].text, &bad);
        cr_assert_null(cfg, "cfg_parse() accepted text %zu, expected a syntax error" READ_LEAKS, i);
        cr_assert_eq(bad, broken[i].line, "cfg_parse() blamed line %zu, expected %zu" READ_LEAKS,
                     bad, broken[i].line);
        mc_assert_no_leak_since(before, "cfg_parse() of a broken text", "10.2 Leaks");
    }
}
