/*
 * Hidden tests for bug hunt 08-hunt-hash-map: growth, long chains, removal,
 * and puts that fail at every allocation, also when the map is about to
 * grow. The tests that make allocations fail remove every key before
 * hm_free(), and the tests of hm_free() make nothing fail, so that each
 * planted bug is judged alone. Every test makes the same number of
 * assertions whatever the design (the grader counts them).
 */
#include "hash_map.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_FIRST    MC_READ("13.3 Read the first error first")
#define READ_CLEANUP  MC_READ("3.5 Init, cleanup and the single exit")
#define READ_STRONG   MC_READ("5.5 The strong guarantee")
#define READ_RUNS_OUT MC_READ("2.7 When memory runs out")
#define READ_TEST     MC_READ("13.5 Fix minimally and pin it with a test")

enum { KEYS = 300, MAX_ALLOCS = 8, MAX_SAVED = 64 };

MC_SUITE(hash_map_edges);

static int power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static struct hash_map *new_map(void)
{
    struct hash_map *m = hm_new();
    cr_assert_not_null(m, "hm_new() returned NULL, expected a map" READ_TEST);
    return m;
}

static void put_numbered(struct hash_map *m, size_t from, size_t to)
{
    char key[24], value[24];
    for (size_t i = from; i < to; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        snprintf(value, sizeof value, "v%zu", i * 7);
        cr_assert_eq(hm_put(m, key, value), 0, "hm_put(\"%s\") failed" READ_TEST, key);
    }
}

/* Removes keys k0 .. k(n-1), so that hm_free() then frees an empty map. */
static void remove_numbered(struct hash_map *m, size_t n)
{
    char key[24];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        cr_assert_eq(hm_remove(m, key), 0, "hm_remove(\"%s\") failed" READ_TEST, key);
    }
}

/* What a map is: its fields and, for k0 .. k(n-1), the value copy hm_get lends. */
struct state {
    struct hm_bucket *buckets;
    size_t nbuckets, count, n;
    const char *value[MAX_SAVED];
};

static struct state state_of(const struct hash_map *m, size_t n)
{
    struct state s = {m->buckets, m->nbuckets, m->count, n, {0}};
    char key[24];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        s.value[i] = hm_get(m, key);
    }
    return s;
}

/* true when m is as s saw it, and every value still reads v(7i). */
static int unchanged(const struct hash_map *m, const struct state *s)
{
    struct state now = state_of(m, s->n);
    if (now.buckets != s->buckets || now.nbuckets != s->nbuckets || now.count != s->count)
        return 0;
    char want[24];
    for (size_t i = 0; i < s->n; i++) {
        snprintf(want, sizeof want, "v%zu", i * 7);
        if (now.value[i] != s->value[i] || now.value[i] == NULL || strcmp(now.value[i], want) != 0)
            return 0;
    }
    return 1;
}

Test(hash_map_edges, a_new_map_is_empty)
{
    MC_CLAUSE("1.1", "3.1");
    struct hash_map *m = new_map();
    cr_assert(m->count == 0 && power_of_two(m->nbuckets),
              "hm_new() has count %zu and %zu buckets: expected 0 and a power of two" READ_TEST,
              m->count, m->nbuckets);
    size_t used = 0;
    for (size_t i = 0; i < m->nbuckets; i++)
        used += m->buckets[i].first != NULL;
    cr_assert_eq(used, 0, "%zu bucket(s) of a new map are not empty" READ_TEST, used);
    cr_assert_null(hm_get(m, "anything"), "hm_get() in an empty map found a value" READ_TEST);
    cr_assert_null(hm_get(m, ""), "hm_get(\"\") in an empty map found a value" READ_TEST);
    hm_free(m);
}

Test(hash_map_edges, new_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.2");
    for (size_t n = 1; n <= 3; n++) {
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct hash_map *m = hm_new();
        mc_fail_none();
        cr_assert(m == NULL ? mc_failed_allocs() > failed : m->count == 0,
                  "hm_new() with %s failing returned %s" READ_RUNS_OUT, mc_fail_note(),
                  m == NULL ? "NULL though no allocation failed" : "a map that is not empty");
        hm_free(m);
        cr_assert_eq(mc_live_blocks(), 0,
                     "hm_new() with %s failing left %zu block(s) live, expected 0" READ_RUNS_OUT,
                     mc_fail_note(), mc_live_blocks());
    }
}

Test(hash_map_edges, put_copies_keys_and_values)
{
    MC_CLAUSE("2.1", "3.1");
    struct hash_map *m = new_map();
    char key[24], value[24]; /* one pair of buffers, reused: the map must copy */
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "name%d", i);
        snprintf(value, sizeof value, "value%d", i);
        cr_assert_eq(hm_put(m, key, value), 0, "hm_put(\"%s\") failed" READ_TEST, key);
        cr_assert_eq(m->count, (size_t)i + 1, "after %d put(s) count is %zu" READ_TEST, i + 1,
                     m->count);
    }
    strcpy(key, "name9");
    strcpy(value, "overwritten");
    for (int i = 0; i < 5; i++) {
        char k[16], want[16];
        snprintf(k, sizeof k, "name%d", i);
        snprintf(want, sizeof want, "value%d", i);
        const char *got = hm_get(m, k);
        cr_assert(got != NULL && got != value && strcmp(got, want) == 0 &&
                      mc_live_size_of(got) >= strlen(want) + 1,
                  "\"%s\" reads \"%s\": expected the map's own copy \"%s\", a block of its "
                  "own" READ_TEST,
                  k, got != NULL ? got : "(NULL)", want);
    }
    for (size_t i = 0; i < m->nbuckets; i++)
        for (const struct hm_entry *e = m->buckets[i].first; e != NULL; e = e->next)
            cr_assert(e->key != key && mc_live_size_of(e->key) >= strlen(e->key) + 1,
                      "the key \"%s\" is not the map's own copy in a block of its own" READ_TEST,
                      e->key);
    cr_assert_null(hm_get(m, "name9"), "hm_get(\"name9\") found a key never put" READ_TEST);
    hm_free(m);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after hm_free()" READ_TEST,
                 mc_live_blocks());
}

Test(hash_map_edges, put_over_a_key_replaces_and_frees_the_old_copy)
{
    MC_CLAUSE("2.2");
    struct hash_map *m = new_map();
    put_numbered(m, 0, 20);
    struct mc_snapshot before = mc_snapshot();
    cr_assert_eq(hm_put(m, "k5", "replaced"), 0, "hm_put() over \"k5\" failed" READ_TEST);
    cr_assert_eq(hm_put(m, "k5", "again, longer than before"), 0,
                 "hm_put() over \"k5\" a second time failed" READ_TEST);
    const char *got = hm_get(m, "k5");
    cr_assert(got != NULL && strcmp(got, "again, longer than before") == 0 && m->count == 20,
              "after two replacements \"k5\" reads \"%s\" and count is %zu, expected \"again, "
              "longer than before\" and 20" READ_TEST,
              got != NULL ? got : "(NULL)", m->count);
    cr_assert_eq(mc_live_blocks(), before.blocks,
                 "two replacements changed the live blocks from %zu to %zu: the old copies must "
                 "be freed" READ_TEST,
                 before.blocks, mc_live_blocks());
    hm_free(m);
}

Test(hash_map_edges, grows_by_doubling_when_full_and_frees_a_few_hundred_keys)
{
    MC_CLAUSE("2.3", "3.1");
    struct hash_map *m = new_map();
    char key[24];
    size_t doublings = 0;
    for (size_t i = 0; i < KEYS; i++) {
        size_t n = m->nbuckets, count = m->count;
        snprintf(key, sizeof key, "k%zu", i);
        cr_assert_eq(hm_put(m, key, key), 0, "hm_put(\"%s\") failed" READ_FIRST, key);
        size_t want = count == n ? 2 * n : n;
        doublings += count == n;
        cr_assert(m->nbuckets == want && m->count == count + 1 && m->count <= m->nbuckets,
                  "putting new key %zu into %zu key(s) in %zu buckets gave %zu key(s) in %zu "
                  "buckets, expected %zu in %zu" READ_FIRST,
                  i, count, n, m->count, m->nbuckets, count + 1, want);
    }
    cr_assert(doublings > 0, "%d keys never made the map grow" READ_FIRST, KEYS);
    for (size_t i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        const char *got = hm_get(m, key);
        cr_assert(got != NULL && strcmp(got, key) == 0,
                  "\"%s\" reads \"%s\" after growth" READ_FIRST, key, got != NULL ? got : "(null)");
    }
    hm_free(m);
}

Test(hash_map_edges, free_releases_long_chains)
{
    MC_CLAUSE("5.1");
    /* Eight keys in a map of eight buckets: some bucket holds two or more. */
    for (size_t n = 1; n <= 8; n++) {
        struct hash_map *m = new_map();
        put_numbered(m, 0, n);
        hm_free(m);
        cr_assert_eq(mc_live_blocks(), 0,
                     "hm_free() of a map of %zu key(s) left %zu block(s) live" READ_FIRST, n,
                     mc_live_blocks());
    }
}

Test(hash_map_edges, removes_from_every_place_in_a_chain)
{
    MC_CLAUSE("4.1", "3.1");
    struct hash_map *m = new_map();
    put_numbered(m, 0, 40);
    struct mc_snapshot live = mc_snapshot();
    char key[24], want[24];
    for (size_t i = 0; i < 40; i += 3) {
        snprintf(key, sizeof key, "k%zu", i);
        cr_assert_eq(hm_remove(m, key), 0, "hm_remove(\"%s\") failed" READ_TEST, key);
        cr_assert_null(hm_get(m, key), "\"%s\" is still there after hm_remove()" READ_TEST, key);
    }
    cr_assert_eq(m->count, 40 - 14, "count is %zu after 14 removals from 40, expected 26" READ_TEST,
                 m->count);
    cr_assert_eq(
        mc_live_blocks(), live.blocks - 14 * 3,
        "14 removals freed %zu block(s), expected 42 (entry, key and value each)" READ_TEST,
        live.blocks - mc_live_blocks());
    size_t wrong = 0;
    for (size_t i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        snprintf(want, sizeof want, "v%zu", i * 7);
        const char *got = hm_get(m, key);
        wrong += i % 3 == 0 ? got != NULL : got == NULL || strcmp(got, want) != 0;
    }
    cr_assert_eq(wrong, 0, "%zu key(s) read wrong after the removals" READ_TEST, wrong);
    for (size_t i = 0; i < 40; i++)
        if (i % 3 != 0) {
            snprintf(key, sizeof key, "k%zu", i);
            hm_remove(m, key);
        }
    cr_assert_eq(m->count, 0, "count is %zu after removing every key" READ_TEST, m->count);
    hm_free(m);
}

Test(hash_map_edges, removing_a_missing_key_changes_nothing)
{
    MC_CLAUSE("4.2");
    struct hash_map *m = new_map();
    cr_assert_eq(hm_remove(m, "k0"), -1, "hm_remove() in an empty map returned 0" READ_TEST);
    put_numbered(m, 0, 12);
    struct state before = state_of(m, 12);
    struct mc_snapshot live = mc_snapshot();
    static const char *const missing[] = {"k12", "", "k", "K1", "k01"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        cr_assert_eq(hm_remove(m, missing[i]), -1,
                     "hm_remove(\"%s\") of a missing key returned 0" READ_TEST, missing[i]);
    cr_assert(unchanged(m, &before), "removing missing keys changed the map" READ_TEST);
    mc_assert_no_leak_since(live, "hm_remove() of missing keys",
                            "13.5 Fix minimally and pin it with a test");
    remove_numbered(m, 12);
    hm_free(m);
}

/* hm_put(m, key, value) with each allocation failing in turn, on a map holding
 * k0 .. k(keys-1) (rebuilt each time). A put that returns -1 must have
 * leaked nothing (check_leak) or changed nothing (otherwise); one that
 * returns 0 must have put the value. The map is emptied before hm_free(). */
static void put_with_failures(size_t keys, const char *key, const char *value, int check_leak)
{
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct hash_map *m = new_map();
        put_numbered(m, 0, keys);
        struct state before = state_of(m, keys);
        struct mc_snapshot live = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = hm_put(m, key, value);
        mc_fail_none();
        const char *got = hm_get(m, key);
        char what[1700];
        snprintf(what, sizeof what, "hm_put(\"%s\") into %zu key(s) in %zu buckets with %s failing",
                 key, keys, before.nbuckets, mc_fail_note());
        if (rc != 0 && check_leak) {
            /* Blocks, not bytes: a bigger bucket array in place of the old one is 2.5's
             * business, a block left behind is a leak. */
            cr_assert_eq(mc_live_blocks(), live.blocks,
                         "%s leaked: %zu block(s) live afterwards, %zu before" READ_CLEANUP, what,
                         mc_live_blocks(), live.blocks);
        } else if (rc != 0) {
            cr_assert(rc == -1 && mc_failed_allocs() > failed && unchanged(m, &before),
                      "%s returned %d and changed the map (buckets %p -> %p, nbuckets %zu -> %zu, "
                      "count %zu -> %zu, or a value): expected -1 and the map exactly as "
                      "before" READ_STRONG,
                      what, rc, (void *)before.buckets, (void *)m->buckets, before.nbuckets,
                      m->nbuckets, before.count, m->count);
        } else {
            cr_assert(got != NULL && strcmp(got, value) == 0,
                      "%s returned 0 but \"%s\" reads \"%s\", expected \"%s\"" READ_RUNS_OUT, what,
                      key, got != NULL ? got : "(NULL)", value);
        }
        if (rc == 0 && strcmp(key, "new") == 0)
            hm_remove(m, "new");
        remove_numbered(m, keys);
        hm_free(m); /* empty by now */
    }
}

Test(hash_map_edges, a_failed_put_leaks_nothing)
{
    MC_CLAUSE("2.4");
    put_with_failures(3, "new", "value", 1);  /* room to spare */
    put_with_failures(8, "new", "value", 1);  /* count == nbuckets of a new map: it grows */
    put_with_failures(16, "new", "value", 1); /* and again */
    put_with_failures(5, "k2", "replaced", 1);
}

Test(hash_map_edges, a_failed_put_changes_nothing_even_when_the_map_would_grow)
{
    MC_CLAUSE("2.5");
    put_with_failures(3, "new", "value", 0);
    put_with_failures(8, "new", "value", 0);
    put_with_failures(16, "new", "value", 0);
    put_with_failures(5, "k2", "replaced", 0);
    /* Whatever the first bucket count, fill the map to the brim and fail the put. */
    struct hash_map *m = new_map();
    size_t keys = m->nbuckets;
    cr_assert(keys <= MAX_SAVED, "hm_new() starts with %zu buckets" READ_STRONG, keys);
    put_numbered(m, 0, keys);
    cr_assert_eq(m->count, m->nbuckets, "%zu keys in %zu buckets, expected a full map" READ_STRONG,
                 m->count, m->nbuckets);
    struct state before = state_of(m, keys);
    mc_fail_allocs_after(0);
    int rc = hm_put(m, "one too many", "x");
    mc_fail_none();
    cr_assert(rc == -1 && unchanged(m, &before),
              "hm_put() of a new key into a full map with %s failing returned %d, with %zu "
              "buckets (%zu before): expected -1 and the map exactly as before" READ_STRONG,
              mc_fail_note(), rc, m->nbuckets, before.nbuckets);
    remove_numbered(m, keys);
    hm_free(m);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live at the end" READ_STRONG, mc_live_blocks());
}
