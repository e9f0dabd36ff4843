/*
 * Hidden tests for bug hunt 08-hunt-lru-cache: puts failing part-way, and
 * a long sequence checked against a simple model.
 */
#include "lru_cache.h"
#include "mc_test.h"

#include <stdio.h>
#include <string.h>

#define READ_LEAKS  MC_READ("10.2 Leaks")
#define READ_UNINIT MC_READ("10.6 Uninitialized reads")
#define READ_UAF    MC_READ("10.4 Use after free and dangling pointers")

enum { CAPACITY = 4, KEYS = 7, STEPS = 200, MAX_ALLOCS = 4 };

MC_SUITE(lru_cache_edges);

Test(lru_cache_edges, a_failed_put_changes_nothing)
{
    struct lru_cache *cache = lru_create(2);
    cr_assert_not_null(cache, "lru_create(2) returned NULL" READ_LEAKS);
    /* Churn first, so that freed entries are around to be reused. */
    static const char *const keys[] = {"one", "two", "three", "four", "five"};
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(lru_put(cache, keys[i], keys[i]), 0, "lru_put(\"%s\") failed" READ_LEAKS,
                     keys[i]);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        int rc = lru_put(cache, "six", "a value long enough to matter");
        mc_fail_none();
        if (rc == 0)
            break; /* n is past the allocations lru_put makes */
        cr_assert_eq(rc, -1, "lru_put() with allocation %zu failing returned %d" READ_UNINIT, n,
                     rc);
        mc_assert_no_leak_since(before, "a failed lru_put()", "10.2 Leaks");
        cr_assert_eq(cache->count, 2, "a failed lru_put() left %zu entries, expected 2" READ_LEAKS,
                     cache->count);
        const char *four = lru_get(cache, "four");
        cr_assert(four != NULL && strcmp(four, "four") == 0,
                  "a failed lru_put() lost the entry \"four\"" READ_LEAKS);
    }
    const char *six = lru_get(cache, "six");
    cr_assert(six != NULL && strcmp(six, "a value long enough to matter") == 0,
              "lru_put(\"six\") with memory back did not store its value" READ_LEAKS);
    lru_destroy(cache);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after lru_destroy()" READ_LEAKS,
                 mc_live_blocks());
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
    struct lru_cache *cache = lru_create(CAPACITY);
    cr_assert_not_null(cache, "lru_create(%d) returned NULL" READ_LEAKS, CAPACITY);
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
    cr_assert_eq(mismatches, 0, "%zu of %d operations disagreed with a model LRU cache" READ_UAF,
                 mismatches, STEPS);
    cr_assert_eq(cache->count, m.count, "the cache holds %zu entries, expected %zu" READ_UAF,
                 cache->count, m.count);
    lru_destroy(cache);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after lru_destroy()" READ_LEAKS,
                 mc_live_blocks());
}
