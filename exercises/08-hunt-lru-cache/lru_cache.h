/*
 * lru_cache.h: a small cache of string values that forgets the least
 * recently used entry when it is full.
 *
 * Ownership: the cache owns a copy of every key and value put into it.
 * lru_get() lends a value, valid until the next lru_put() or
 * lru_destroy() (either may evict or replace it). Arguments are borrowed
 * only during the call.
 * Failure: lru_create() returns NULL, lru_put() returns -1, when memory
 * runs out; a failed lru_put() leaves the cache exactly as it was (nothing
 * evicted, nothing leaked).
 */
#ifndef LRU_CACHE_H
#define LRU_CACHE_H

#include <stddef.h>

struct lru_entry {
    char *key;              /* own copy */
    char *value;            /* own copy */
    struct lru_entry *prev; /* more recently used; NULL at the head */
    struct lru_entry *next; /* less recently used; NULL at the tail */
};

/* Invariant: count <= capacity entries linked from head (most recent) to
 * tail (least recent); keys are distinct. */
struct lru_cache {
    struct lru_entry *head;
    struct lru_entry *tail;
    size_t count;
    size_t capacity;
};

/* A cache for up to capacity entries (at least 1), or NULL. */
struct lru_cache *lru_create(size_t capacity);

/* Stores a copy of key and value, replacing key's old value if present;
 * when a new key finds the cache full, the least recently used entry is
 * evicted. The entry becomes the most recently used. Returns 0 or -1. */
int lru_put(struct lru_cache *cache, const char *key, const char *value);

/* key's value, or NULL; a hit makes the entry the most recently used. */
const char *lru_get(struct lru_cache *cache, const char *key);

/* Frees the cache and every entry; NULL is ignored. */
void lru_destroy(struct lru_cache *cache);

#endif
