/*
 * Hidden tests for bug hunt 08-hunt-lru-cache: puts failing part-way, the
 * order of use, and a long sequence checked against a simple model.
 *
 * A bug hunt earns its points per bug fixed, judged by the tests of the
 * clause the bug breaks. The test of a failed put's clean-up (2.4) works on
 * a cache that stays empty, so that no eviction (lru_destroy() evicts too)
 * can disturb it; the tests of eviction (2.3) make nothing fail.
 *
 * Every test makes the same number of assertions whichever way a call goes
 * (the grader compares the count with the reference solution's).
 */
#include "lru_cache.h"
#include "mc_test.h"
#include "tests/lru_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_UNINIT MC_READ("10.6 Uninitialized reads")
#define READ_UAF    MC_READ("10.4 Use after free and dangling pointers")

enum { CAPACITY = 4, KEYS = 7, STEPS = 200, PUT_ALLOCS = 3, MAX_ENTRIES = 8 };

MC_SUITE(lru_cache_edges);

/* The keys from the most to the least recently used, joined by spaces. */
static void order_of(const struct lru_cache *cache, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    size_t n = 0;
    for (const struct lru_entry *e = cache->head; e != NULL && n <= MAX_ENTRIES; e = e->next, n++)
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
                                 n == 0 ? "" : " ", e->key);
}

/* One assertion: the cache's keys, by recency, are want; its links agree both ways. */
static void assert_order(const struct lru_cache *cache, const char *want, const char *after)
{
    char got[256];
    order_of(cache, got, sizeof got);
    size_t n = 0;
    const struct lru_entry *prev = NULL;
    int linked = 1;
    for (const struct lru_entry *e = cache->head; e != NULL && n <= MAX_ENTRIES; e = e->next) {
        linked = linked && e->prev == prev;
        prev = e;
        n++;
    }
    linked = linked && cache->tail == prev && cache->count == n;
    cr_assert(strcmp(got, want) == 0 && linked,
              "after %s the keys by recency are \"%s\" (count %zu), expected \"%s\", linked both "
              "ways from head to tail" READ_UAF,
              after, got, cache->count, want);
}

/* Leaves freed 32-byte blocks full of garbage for the next allocations to reuse,
 * as a program that has run for a while has. */
static void churn_the_heap(void)
{
    void *blocks[8];
    for (size_t i = 0; i < 8; i++) {
        blocks[i] = malloc(sizeof(struct lru_entry));
        cr_assert_not_null(blocks[i],
                           "the test could not allocate a block, expected to" READ_UNINIT);
        memset(blocks[i], 0xA5, sizeof(struct lru_entry));
    }
    for (size_t i = 0; i < 8; i++)
        free(blocks[i]);
}

Test(lru_cache_edges, create_gives_an_empty_cache_or_null)
{
    MC_CLAUSE("1.1", "1.2", "1.3");
    struct lru_cache *cache = new_cache(3);
    cr_assert(cache->head == NULL && cache->tail == NULL && cache->count == 0 &&
                  cache->capacity == 3,
              "lru_create(3) gave head %p, tail %p, count %zu, capacity %zu, expected NULL, NULL, "
              "0, 3" READ_LEAKS,
              (void *)cache->head, (void *)cache->tail, cache->count, cache->capacity);
    lru_destroy(cache);
    struct mc_snapshot before = mc_snapshot();
    cr_assert_null(lru_create(0), "lru_create(0) returned a cache, expected NULL" READ_LEAKS);
    mc_assert_no_leak_since(before, "lru_create(0)", "10.2 Leaks");
    mc_fail_allocs_after(0);
    cache = lru_create(5);
    mc_fail_none();
    cr_assert_null(cache,
                   "lru_create(5) returned a cache, expected NULL (made to fail: %s)" READ_LEAKS,
                   mc_fail_note());
    mc_assert_no_leak_since(before, "a failed lru_create()", "10.2 Leaks");
    lru_destroy(NULL);
}

Test(lru_cache_edges, put_keeps_its_own_copies_at_the_head)
{
    MC_CLAUSE("2.1");
    struct lru_cache *cache = new_cache(CAPACITY);
    char key[16] = "alpha";
    char value[32] = "first value";
    struct mc_snapshot before = mc_snapshot();
    put_or_fail(cache, key, value);
    const struct lru_entry *e = cache->head;
    cr_assert(e != NULL && e->key != key && e->value != value &&
                  mc_live_size_of(e->key) > strlen(key) &&
                  mc_live_size_of(e->value) > strlen(value) && cache->count == 1,
              "after lru_put(\"%s\", \"%s\"), the head is not an entry holding copies of its own "
              "of the key and the value, as expected" READ_UAF,
              key, value);
    cr_assert_eq(mc_live_blocks(), before.blocks + 3,
                 "lru_put() of a new key made %zu blocks, expected 3 (the entry, the key, the "
                 "value)" READ_LEAKS,
                 mc_live_blocks() - before.blocks);
    strcpy(key, "changed");
    strcpy(value, "changed too");
    const char *got = lru_get(cache, "alpha");
    cr_assert(got != NULL && strcmp(got, "first value") == 0,
              "after the caller changed its strings, lru_get(\"alpha\") gave \"%s\", expected "
              "\"first value\"" READ_UAF,
              got != NULL ? got : "(null)");
    put_or_fail(cache, "beta", "2");
    assert_order(cache, "beta alpha", "putting \"beta\"");
    lru_destroy(cache);
}

Test(lru_cache_edges, put_replaces_a_value_without_evicting)
{
    MC_CLAUSE("2.2");
    struct lru_cache *cache = new_cache(3);
    put_or_fail(cache, "a", "1");
    put_or_fail(cache, "b", "2");
    put_or_fail(cache, "c", "3");
    struct mc_snapshot before = mc_snapshot();
    put_or_fail(cache, "a", "one");
    assert_order(cache, "a c b", "replacing \"a\" in a full cache");
    const char *got = lru_get(cache, "a");
    cr_assert(got != NULL && strcmp(got, "one") == 0,
              "after replacing, lru_get(\"a\") gave \"%s\", expected \"one\"" READ_UAF,
              got != NULL ? got : "(null)");
    cr_assert_eq(mc_live_blocks(), before.blocks,
                 "replacing a value left %zu live blocks, expected %zu: the old value must be "
                 "freed" READ_LEAKS,
                 mc_live_blocks(), before.blocks);
    got = lru_get(cache, "b");
    cr_assert(got != NULL && strcmp(got, "2") == 0,
              "replacing \"a\" in a full cache evicted \"b\": lru_get(\"b\") gave \"%s\", expected "
              "\"2\"" READ_UAF,
              got != NULL ? got : "(null)");
    lru_destroy(cache);
}

Test(lru_cache_edges, eviction_frees_the_least_recently_used_entry)
{
    MC_CLAUSE("2.3");
    struct lru_cache *cache = new_cache(1);
    put_or_fail(cache, "keyX", "a value"); /* the same sizes as the keys and values below */
    struct mc_snapshot before = mc_snapshot();
    for (int i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof key, "key%d", i);
        put_or_fail(cache, key, "a value");
        assert_order(cache, key, "a put into a full cache of one");
        mc_assert_no_leak_since(before, "lru_put() evicting an entry", "10.2 Leaks");
    }
    lru_destroy(cache);

    cache = new_cache(3);
    put_or_fail(cache, "a", "1");
    put_or_fail(cache, "b", "2");
    put_or_fail(cache, "c", "3");
    cr_assert_not_null(lru_get(cache, "a"),
                       "lru_get(\"a\") returned NULL, expected a value" READ_UAF);
    put_or_fail(cache, "d", "4"); /* evicts b, the least recently used */
    assert_order(cache, "d a c", "using a and putting d into a full cache");
    put_or_fail(cache, "e", "5"); /* evicts c */
    assert_order(cache, "e d a", "putting e into a full cache");
    lru_destroy(cache);
}

/* The cache stays empty: a failed put must free what it allocated and read no
 * field it has not set, whichever of its allocations fails. */
Test(lru_cache_edges, a_failed_put_frees_what_it_allocated)
{
    MC_CLAUSE("2.4");
    struct lru_cache *cache = new_cache(2);
    for (size_t n = 1; n <= PUT_ALLOCS; n++) {
        churn_the_heap();
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        int rc = lru_put(cache, "six", "a value long enough to matter");
        mc_fail_none();
        cr_assert_eq(rc, -1, "lru_put() returned %d, expected -1 (made to fail: %s)" READ_UNINIT,
                     rc, mc_fail_note());
        char call[1600];
        snprintf(call, sizeof call, "a failed lru_put() (made to fail: %s)", mc_fail_note());
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
        cr_assert(cache->count == 0 && cache->head == NULL && cache->tail == NULL,
                  "a failed lru_put() (made to fail: %s) left %zu entries in an empty cache, "
                  "expected 0" READ_LEAKS,
                  mc_fail_note(), cache->count);
    }
    lru_destroy(cache);
}

Test(lru_cache_edges, a_failed_put_changes_nothing)
{
    MC_CLAUSE("2.5");
    struct lru_cache *cache = new_cache(3);
    put_or_fail(cache, "one", "1");
    put_or_fail(cache, "two", "2");
    put_or_fail(cache, "three", "3");
    static const char *const keys[] = {"four", "two"}; /* a new key (would evict), an old one */
    for (size_t k = 0; k < 2; k++) {
        for (size_t n = 1; n <= PUT_ALLOCS; n++) {
            const char *values[3];
            size_t i = 0;
            for (const struct lru_entry *e = cache->head; e != NULL && i < 3; e = e->next)
                values[i++] = e->value;
            struct mc_snapshot before = mc_snapshot();
            mc_fail_nth_alloc(n);
            int rc = lru_put(cache, keys[k], "refused");
            mc_fail_none();
            cr_assert_eq(rc, -1,
                         "lru_put(\"%s\") returned %d, expected -1 (made to fail: %s)" READ_LEAKS,
                         keys[k], rc, mc_fail_note());
            char call[1600];
            snprintf(call, sizeof call, "a failed lru_put(\"%s\") (made to fail: %s)", keys[k],
                     mc_fail_note());
            mc_assert_no_leak_since(before, call, "10.2 Leaks");
            assert_order(cache, "three two one", call);
            i = 0;
            int same = 1;
            for (const struct lru_entry *e = cache->head; e != NULL && i < 3; e = e->next)
                same = same && e->value == values[i++];
            cr_assert(same, "%s changed a value, expected every value unchanged" READ_LEAKS, call);
        }
    }
    put_or_fail(cache, "four", "4");
    assert_order(cache, "four three two", "a put with memory back");
    lru_destroy(cache);
}

Test(lru_cache_edges, get_makes_a_hit_the_most_recent_and_a_miss_changes_nothing)
{
    MC_CLAUSE("3.1", "3.2");
    struct lru_cache *cache = new_cache(4);
    put_or_fail(cache, "a", "1");
    put_or_fail(cache, "b", "2");
    put_or_fail(cache, "c", "3");
    const char *got = lru_get(cache, "a");
    cr_assert(got != NULL && got == cache->head->value && strcmp(got, "1") == 0,
              "lru_get(\"a\") did not return the entry's own value \"1\", as expected" READ_UAF);
    assert_order(cache, "a c b", "lru_get(\"a\")");
    cr_assert_not_null(lru_get(cache, "b"),
                       "lru_get(\"b\") returned NULL, expected a value" READ_UAF);
    assert_order(cache, "b a c", "lru_get(\"b\")");
    cr_assert_null(lru_get(cache, "z"), "lru_get(\"z\") returned a value, expected NULL" READ_UAF);
    cr_assert_null(lru_get(cache, ""), "lru_get(\"\") returned a value, expected NULL" READ_UAF);
    assert_order(cache, "b a c", "lru_get() of missing keys");
    lru_destroy(cache);
}

Test(lru_cache_edges, destroy_frees_caches_of_every_size)
{
    MC_CLAUSE("4.1");
    for (size_t n = 0; n <= CAPACITY + 2; n++) {
        struct mc_snapshot before = mc_snapshot();
        struct lru_cache *cache = new_cache(CAPACITY);
        for (size_t i = 0; i < n; i++) {
            char key[16];
            snprintf(key, sizeof key, "k%zu", i);
            put_or_fail(cache, key, "v");
        }
        lru_destroy(cache);
        char call[64];
        snprintf(call, sizeof call, "lru_destroy() after %zu puts", n);
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
    }
    lru_destroy(NULL);
}

/* The model: keys by recency, most recent first; values are "v<key>-<step>". */
struct model {
    int keys[CAPACITY];
    int values[CAPACITY];
    size_t count;
};

static void model_touch(struct model *m, size_t at)
{
    int key = m->keys[at];
    int value = m->values[at];
    memmove(&m->keys[1], &m->keys[0], at * sizeof m->keys[0]);
    memmove(&m->values[1], &m->values[0], at * sizeof m->values[0]);
    m->keys[0] = key;
    m->values[0] = value;
}

static size_t model_find(const struct model *m, int key)
{
    for (size_t i = 0; i < m->count; i++) {
        if (m->keys[i] == key)
            return i;
    }
    return m->count;
}

Test(lru_cache_edges, agrees_with_a_model_over_a_long_sequence)
{
    MC_CLAUSE("2.1", "2.2", "2.3", "3.1", "3.2");
    struct lru_cache *cache = new_cache(CAPACITY);
    struct model m = {.count = 0};
    unsigned state = 12345;
    size_t mismatches = 0;
    for (int step = 0; step < STEPS; step++) {
        state = state * 1103515245u + 12345u;
        int key = (int)((state >> 16) % KEYS);
        char kbuf[16];
        char vbuf[32];
        snprintf(kbuf, sizeof kbuf, "k%d", key);
        size_t at = model_find(&m, key);
        if ((state >> 8) % 3 == 0) {
            snprintf(vbuf, sizeof vbuf, "v%d-%d", key, step);
            if (lru_put(cache, kbuf, vbuf) != 0)
                mismatches++;
            if (at == m.count) {
                if (m.count < CAPACITY)
                    m.count++;
                at = m.count - 1; /* the last slot: new, or the evicted one */
                m.keys[at] = key;
            }
            m.values[at] = step;
            model_touch(&m, at);
        } else {
            const char *got = lru_get(cache, kbuf);
            if (at == m.count) {
                mismatches += got != NULL;
            } else {
                snprintf(vbuf, sizeof vbuf, "v%d-%d", key, m.values[at]);
                mismatches += got == NULL || strcmp(got, vbuf) != 0;
                model_touch(&m, at);
            }
        }
    }
    cr_assert_eq(mismatches, 0,
                 "%zu of %d operations disagreed with a model LRU cache, expected none" READ_UAF,
                 mismatches, STEPS);
    cr_assert_eq(cache->count, m.count, "the cache holds %zu entries, expected %zu" READ_UAF,
                 cache->count, m.count);
    lru_destroy(cache);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after lru_destroy(), expected 0" READ_LEAKS, mc_live_blocks());
}
