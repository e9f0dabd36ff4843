/*
 * Hidden tests for bug hunt 08-hunt-config-parser: every allocation
 * failing in turn, and lookups of missing keys in configs of every size.
 */
#include "config_parser.h"
#include "mc_test.h"

#include <stdio.h>

#define READ_LEAKS    MC_READ("10.2 Leaks")
#define READ_OVERFLOW MC_READ("10.5 Buffer overflows")

enum { MAX_ALLOCS = 24, MAX_ENTRIES = 5 };

MC_SUITE(config_parser_edges);

Test(config_parser_edges, frees_everything_when_memory_runs_out)
{
    const char *text = "# three settings\nname = memcraft\nlevel = 3\ncolour = blue\n";
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t bad = 99;
        mc_fail_nth_alloc(n);
        struct config *cfg = cfg_parse(text, &bad);
        mc_fail_none();
        if (cfg == NULL) {
            cr_assert_eq(bad, 0, "cfg_parse() out of memory blamed line %zu, expected 0" READ_LEAKS,
                         bad);
        } else {
            cr_assert_eq(cfg->count, 3, "cfg_parse() read %zu settings, expected 3" READ_LEAKS,
                         cfg->count);
            cfg_free(cfg);
        }
        mc_assert_no_leak_since(before, "cfg_parse() with one allocation failing", "10.2 Leaks");
    }
}

Test(config_parser_edges, finds_no_missing_key_in_configs_of_every_size)
{
    for (size_t n = 0; n <= MAX_ENTRIES; n++) {
        char text[256] = "# generated\n";
        size_t used = sizeof "# generated\n" - 1;
        for (size_t i = 0; i < n; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "key%zu = value%zu\n", i, i);
        struct config *cfg = cfg_parse(text, NULL);
        cr_assert_not_null(cfg, "cfg_parse() of %zu generated settings returned NULL" READ_LEAKS,
                           n);
        cr_assert_eq(cfg->count, n, "cfg_parse() read %zu settings, expected %zu" READ_OVERFLOW,
                     cfg->count, n);
        static const char *const missing[] = {"key", "value0", "zzz"};
        for (size_t m = 0; m < sizeof missing / sizeof missing[0]; m++) {
            const char *got = cfg_get(cfg, missing[m]);
            cr_assert_null(got,
                           "cfg_get(\"%s\") in a config of %zu settings returned \"%s\", "
                           "expected NULL" READ_OVERFLOW,
                           missing[m], n, got);
        }
        if (n > 0)
            cr_assert_str_eq(cfg_get(cfg, "key0"), "value0",
                             "cfg_get(\"key0\") returned the wrong value" READ_OVERFLOW);
        cfg_free(cfg);
    }
}
