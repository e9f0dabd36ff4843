/*
 * Public tests for bug hunt 08-hunt-hash-map: the symptoms users reported.
 *
 * The first two tests pass on the buggy map when run natively: run them
 * under make asan or make memcheck to see what is wrong.
 */
#include "hash_map.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_FIRST MC_READ("13.3 Read the first error first")
#define READ_TEST  MC_READ("13.5 Fix minimally and pin it with a test")

enum { KEYS = 40, MAX_ALLOCS = 12 };

MC_SUITE(hash_map);

Test(hash_map, stores_replaces_and_removes_many_keys)
{
    MC_CLAUSE("2.1", "2.2", "3.1", "4.1");
    struct hash_map *m = hm_new();
    cr_assert_not_null(m, "hm_new() returned NULL, expected a map" READ_FIRST);
    char key[16], value[16];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "key%d", i);
        snprintf(value, sizeof value, "v%d", i * i);
        cr_assert_eq(hm_put(m, key, value), 0, "hm_put(\"%s\") failed" READ_FIRST, key);
    }
    cr_assert_eq(hm_put(m, "key7", "seven"), 0, "hm_put() over key7 failed" READ_FIRST);
    for (int i = 0; i < KEYS; i += 3) {
        snprintf(key, sizeof key, "key%d", i);
        cr_assert_eq(hm_remove(m, key), 0, "hm_remove(\"%s\") failed" READ_FIRST, key);
    }
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "key%d", i);
        snprintf(value, sizeof value, "v%d", i * i);
        const char *want = i % 3 == 0 ? NULL : i == 7 ? "seven" : value;
        const char *got = hm_get(m, key);
        if (want == NULL)
            cr_assert_null(got, "\"%s\" was removed but reads \"%s\"" READ_FIRST, key, got);
        else
            cr_assert(got != NULL && strcmp(got, want) == 0,
                      "\"%s\" reads \"%s\", expected \"%s\"" READ_FIRST, key,
                      got != NULL ? got : "(null)", want);
    }
    cr_assert_eq(m->count, (size_t)(KEYS - (KEYS + 2) / 3),
                 "the map counts %zu entries, expected %d" READ_FIRST, m->count,
                 KEYS - (KEYS + 2) / 3);
    hm_free(m);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after hm_free(), expected 0" READ_FIRST,
                 mc_live_blocks());
}

Test(hash_map, free_releases_every_key_and_value)
{
    MC_CLAUSE("5.1");
    for (int keys = 1; keys <= KEYS; keys += 13) {
        struct hash_map *m = hm_new();
        cr_assert_not_null(m, "hm_new() returned NULL, expected a map" READ_FIRST);
        char key[16];
        for (int i = 0; i < keys; i++) {
            snprintf(key, sizeof key, "key%d", i);
            cr_assert_eq(hm_put(m, key, "value"), 0, "hm_put(\"%s\") failed" READ_FIRST, key);
        }
        hm_free(m);
        cr_assert_eq(
            mc_live_blocks(), 0,
            "hm_free() of a map of %d key(s) left %zu block(s) live, expected 0" READ_FIRST, keys,
            mc_live_blocks());
    }
    hm_free(NULL);
}

Test(hash_map, put_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("2.4");
    struct hash_map *m = hm_new();
    cr_assert_not_null(m, "hm_new() returned NULL, expected a map" READ_TEST);
    cr_assert_eq(hm_put(m, "colour", "blue"), 0, "hm_put(\"colour\") failed" READ_TEST);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        int rc = hm_put(m, "size", "large");
        mc_fail_none();
        if (rc == 0) {
            cr_assert_eq(hm_remove(m, "size"), 0,
                         "hm_put() with %s failing succeeded but \"size\" is missing" READ_TEST,
                         mc_fail_note());
        } else {
            cr_assert_null(
                hm_get(m, "size"),
                "hm_put() with %s failing returned -1 but \"size\" is in the map" READ_TEST,
                mc_fail_note());
        }
        char what[1600];
        snprintf(what, sizeof what, "hm_put() with %s failing", mc_fail_note());
        mc_assert_no_leak_since(before, what, "13.5 Fix minimally and pin it with a test");
    }
    cr_assert_eq(hm_remove(m, "colour"), 0, "hm_remove(\"colour\") failed" READ_TEST);
    hm_free(m); /* empty by now: this test judges hm_put alone */
}
