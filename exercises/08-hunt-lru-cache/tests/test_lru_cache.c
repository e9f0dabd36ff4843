/*
 * Public tests for bug hunt 08-hunt-lru-cache: the behaviour users rely
 * on. This module passes them natively and is still broken: run make
 * memcheck and make asan.
 * Each test names the README clauses it checks (MC_CLAUSE).
 */
#include "lru_cache.h"
#include "mc_test.h"
#include "lru_helpers.h"

#include <stddef.h>
#include <string.h>

#define READ_UAF MC_READ("10.4 Use after free and dangling pointers")

MC_SUITE(lru_cache);

/* Two assertions whatever happens: key maps to want (NULL: absent). */
static void expect_value(struct lru_cache *cache, const char *key, const char *want)
{
    const char *got = lru_get(cache, key);
    cr_assert(want != NULL || got == NULL,
              "lru_get(\"%s\") returned \"%s\", expected NULL" READ_UAF, key, got);
    cr_assert(want == NULL || (got != NULL && strcmp(got, want) == 0),
              "lru_get(\"%s\") returned \"%s\", expected \"%s\"" READ_UAF, key,
              got != NULL ? got : "(null)", want);
}

Test(lru_cache, evicts_the_least_recently_used_entry)
{
    MC_CLAUSE("2.1", "2.3", "3.1", "3.2", "4.1");
    struct lru_cache *cache = new_cache(3);
    put_or_fail(cache, "a", "apple");
    put_or_fail(cache, "b", "banana");
    put_or_fail(cache, "c", "cherry");
    expect_value(cache, "a", "apple"); /* order of use now: a c b */
    put_or_fail(cache, "d", "date");   /* evicts b */
    expect_value(cache, "b", NULL);
    put_or_fail(cache, "e", "elder"); /* evicts c */
    expect_value(cache, "c", NULL);
    expect_value(cache, "a", "apple");
    expect_value(cache, "d", "date");
    expect_value(cache, "e", "elder");
    cr_assert_eq(cache->count, 3, "the cache holds %zu entries, expected 3" READ_UAF, cache->count);
    lru_destroy(cache);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after lru_destroy(), expected 0" READ_LEAKS, mc_live_blocks());
}

Test(lru_cache, replaces_a_value_and_frees_the_old_one)
{
    MC_CLAUSE("2.2", "2.3", "4.1");
    struct lru_cache *cache = new_cache(2);
    put_or_fail(cache, "k", "second");
    struct mc_snapshot before = mc_snapshot();
    for (int i = 0; i < 6; i++)
        put_or_fail(cache, "k", i % 2 == 0 ? "third" : "second");
    mc_assert_no_leak_since(before, "lru_put() replacing a value", "10.2 Leaks");
    expect_value(cache, "k", "second");
    cr_assert_eq(cache->count, 1, "the cache holds %zu entries, expected 1" READ_UAF, cache->count);
    put_or_fail(cache, "x", "1");
    put_or_fail(cache, "y", "2"); /* evicts k */
    expect_value(cache, "k", NULL);
    expect_value(cache, "x", "1");
    lru_destroy(cache);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after lru_destroy(), expected 0" READ_LEAKS, mc_live_blocks());
}
