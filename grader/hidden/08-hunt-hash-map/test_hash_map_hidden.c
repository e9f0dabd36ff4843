/*
 * Hidden tests for bug hunt 08-hunt-hash-map: growth, long chains, and a
 * replacement that fails.
 */
#include "hash_map.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_FIRST MC_READ("13.3 Read the first error first")
#define READ_TEST  MC_READ("13.5 Fix minimally and pin it with a test")

enum { KEYS = 300, MAX_ALLOCS = 8 };

MC_SUITE(hash_map_edges);

Test(hash_map_edges, grows_and_frees_a_few_hundred_keys)
{
    struct hash_map *m = hm_new();
    cr_assert_not_null(m, "hm_new() returned NULL" READ_FIRST);
    char key[16];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_eq(hm_put(m, key, key), 0, "hm_put(\"%s\") failed" READ_FIRST, key);
    }
    cr_assert(m->nbuckets >= (size_t)KEYS,
              "%zu buckets for %d keys: the map did not grow" READ_FIRST, m->nbuckets, KEYS);
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        const char *got = hm_get(m, key);
        cr_assert(got != NULL && strcmp(got, key) == 0,
                  "\"%s\" reads \"%s\" after growth" READ_FIRST, key, got != NULL ? got : "(null)");
    }
    cr_assert_eq(hm_remove(m, "missing"), -1, "hm_remove() of a missing key returned 0" READ_FIRST);
    hm_free(m);
    hm_free(NULL);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after hm_free(), expected 0" READ_FIRST,
                 mc_live_blocks());
}

Test(hash_map_edges, a_failed_replacement_keeps_the_old_value)
{
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        mc_fail_nth_alloc(n);
        struct hash_map *m = hm_new();
        int rc = m != NULL ? hm_put(m, "mode", "fast") : -1;
        mc_fail_none();
        if (m == NULL)
            continue;
        if (rc == 0) {
            mc_fail_nth_alloc(1);
            rc = hm_put(m, "mode", "safe");
            mc_fail_none();
            cr_assert_eq(rc, -1, "hm_put() with strdup failing returned %d, expected -1" READ_TEST,
                         rc);
            cr_assert_str_eq(
                hm_get(m, "mode"), "fast",
                "after a failed replacement \"mode\" reads \"%s\", expected \"fast\"" READ_TEST,
                hm_get(m, "mode"));
        }
        hm_free(m);
        cr_assert_eq(mc_live_blocks(), 0,
                     "with allocation %zu failing, %zu block(s) stayed live, expected 0" READ_TEST,
                     n, mc_live_blocks());
    }
}
