/*
 * hash_map.c: string-to-string map with chaining (see hash_map.h).
 *
 * Another fix of the shipped program: entry_new copies the strings into
 * locals first and frees exactly what it got when anything fails; hm_put
 * allocates the bigger bucket array and the entry before it changes
 * anything, and only then moves the entries (a commit that cannot fail);
 * hm_free pops each chain's first entry off its bucket before freeing it.
 */
#include "hash_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FIRST_BUCKETS = 8 };

/* FNV-1a: simple, and good enough for short keys. */
static size_t hash(const char *key)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211u;
    return (size_t)h;
}

static struct hm_entry **bucket_of(const struct hash_map *m, const char *key)
{
    return &m->buckets[hash(key) & (m->nbuckets - 1)].first;
}

struct hash_map *hm_new(void)
{
    struct hash_map *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->buckets = calloc(FIRST_BUCKETS, sizeof *m->buckets);
    if (m->buckets == NULL) {
        free(m);
        return NULL;
    }
    m->nbuckets = FIRST_BUCKETS;
    m->count = 0;
    return m;
}

static void entry_free(struct hm_entry *e)
{
    free(e->key);
    free(e->value);
    free(e);
}

static struct hm_entry *entry_new(const char *key, const char *value)
{
    char *k = strdup(key);
    char *v = strdup(value);
    struct hm_entry *e = k != NULL && v != NULL ? malloc(sizeof *e) : NULL;
    if (e == NULL) { /* free(NULL) does nothing: free whatever was copied */
        free(k);
        free(v);
        return NULL;
    }
    e->key = k;
    e->value = v;
    e->next = NULL;
    return e;
}

/* A zeroed bucket array twice the size of m's, or NULL. */
static struct hm_bucket *bigger_buckets(const struct hash_map *m)
{
    if (m->nbuckets > SIZE_MAX / 2 / sizeof *m->buckets)
        return NULL;
    return calloc(m->nbuckets * 2, sizeof *m->buckets);
}

/* Moves every entry of m into fresh, twice as many buckets, and frees the old
 * array. Cannot fail. */
static void move_to(struct hash_map *m, struct hm_bucket *fresh)
{
    struct hm_bucket *old = m->buckets;
    size_t old_n = m->nbuckets;
    m->buckets = fresh;
    m->nbuckets = old_n * 2;
    for (size_t i = 0; i < old_n; i++) {
        struct hm_entry *e = old[i].first;
        while (e != NULL) {
            struct hm_entry *next = e->next;
            struct hm_entry **b = bucket_of(m, e->key);
            e->next = *b;
            *b = e;
            e = next;
        }
    }
    free(old);
}

/* Puts a copy of value in e, keeping the old value if memory runs out. */
static int replace_value(struct hm_entry *e, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return -1;
    free(e->value);
    e->value = copy;
    return 0;
}

int hm_put(struct hash_map *m, const char *key, const char *value)
{
    for (struct hm_entry *e = *bucket_of(m, key); e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return replace_value(e, value);
    struct hm_bucket *fresh = NULL;
    if (m->count == m->nbuckets) {
        fresh = bigger_buckets(m);
        if (fresh == NULL)
            return -1;
    }
    struct hm_entry *e = entry_new(key, value);
    if (e == NULL) {
        free(fresh);
        return -1;
    }
    if (fresh != NULL) /* nothing fails from here on */
        move_to(m, fresh);
    struct hm_entry **b = bucket_of(m, key);
    e->next = *b;
    *b = e;
    m->count++;
    return 0;
}

const char *hm_get(const struct hash_map *m, const char *key)
{
    for (const struct hm_entry *e = *bucket_of(m, key); e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e->value;
    return NULL;
}

int hm_remove(struct hash_map *m, const char *key)
{
    for (struct hm_entry **link = bucket_of(m, key); *link != NULL; link = &(*link)->next) {
        struct hm_entry *e = *link;
        if (strcmp(e->key, key) == 0) {
            *link = e->next;
            entry_free(e);
            m->count--;
            return 0;
        }
    }
    return -1;
}

void hm_free(struct hash_map *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct hm_bucket *b = &m->buckets[i];
        struct hm_entry *e;
        while ((e = b->first) != NULL) {
            b->first = e->next;
            entry_free(e);
        }
    }
    free(m->buckets);
    free(m);
}
