/*
 * hash_map.h: a map from strings to strings, with separate chaining.
 *
 * Ownership: hm_new() returns a map the caller owns and frees once with
 * hm_free(). hm_put() COPIES the key and the value: the caller keeps its
 * strings. hm_get() lends the map's copy of a value, valid until that key
 * is put again or removed, or the map is freed.
 * Invalidation: hm_put() on an existing key, hm_remove() and hm_free()
 * invalidate the value hm_get() lent for that key (hm_free(): for all).
 * Failure: hm_new() returns NULL and hm_put() returns -1 when memory runs
 * out; the map is then unchanged (an existing key keeps its old value) and
 * nothing has leaked.
 */
#ifndef HASH_MAP_H
#define HASH_MAP_H

#include <stddef.h>

struct hm_entry {
    char *key;             /* own copy */
    char *value;           /* own copy */
    struct hm_entry *next; /* the next entry in the same bucket */
};

struct hm_bucket {
    struct hm_entry *first; /* a chain of entries, NULL when empty */
};

/* Invariant: nbuckets is a power of two; every entry sits in the bucket
 * hash(key) & (nbuckets - 1); count == number of entries <= nbuckets. */
struct hash_map {
    struct hm_bucket *buckets;
    size_t nbuckets;
    size_t count;
};

struct hash_map *hm_new(void);

/* Maps key to a copy of value. Returns 0, or -1 when memory runs out. */
int hm_put(struct hash_map *m, const char *key, const char *value);

/* The value for key, or NULL. Borrowed from the map. */
const char *hm_get(const struct hash_map *m, const char *key);

/* Removes key. Returns 0, or -1 when key is not in the map. */
int hm_remove(struct hash_map *m, const char *key);

/* Frees the map and every key and value; NULL is ignored. */
void hm_free(struct hash_map *m);

#endif
