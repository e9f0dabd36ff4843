/*
 * Helpers shared by the public and hidden tests of bug hunt 08-hunt-lru-cache:
 * a cache that must be created, and a put that must succeed. new_cache()
 * returns a cache the caller owns and frees with lru_destroy().
 */
#ifndef MC_LRU_HELPERS_H
#define MC_LRU_HELPERS_H

#include "lru_cache.h"
#include "mc_test.h"

#include <stddef.h>

#define READ_LEAKS MC_READ("10.2 Leaks")

static inline struct lru_cache *new_cache(size_t capacity)
{
    struct lru_cache *cache = lru_create(capacity);
    cr_assert_not_null(cache, "lru_create(%zu) returned NULL, expected a cache" READ_LEAKS,
                       capacity);
    return cache;
}

static inline void put_or_fail(struct lru_cache *cache, const char *key, const char *value)
{
    cr_assert_eq(lru_put(cache, key, value), 0,
                 "lru_put(\"%s\", \"%s\") failed, expected 0" READ_LEAKS, key, value);
}

#endif /* MC_LRU_HELPERS_H */
