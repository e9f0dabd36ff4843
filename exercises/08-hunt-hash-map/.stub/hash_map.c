/*
 * hash_map.c: string-to-string map with chaining (see hash_map.h).
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
    struct hm_entry *e = malloc(sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = strdup(key);
    e->value = strdup(value);
    e->next = NULL;
    if (e->key == NULL || e->value == NULL) {
        memset(e, 0, sizeof *e); /* leave no half-built entry behind */
        entry_free(e);
        return NULL;
    }
    return e;
}

/* Doubles the bucket array and moves every entry to its new bucket. */
static int grow(struct hash_map *m)
{
    if (m->nbuckets > SIZE_MAX / 2 / sizeof *m->buckets)
        return -1;
    struct hm_bucket *old = m->buckets;
    size_t old_n = m->nbuckets;
    m->buckets = calloc(old_n * 2, sizeof *m->buckets);
    if (m->buckets == NULL) {
        m->buckets = old;
        return -1;
    }
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
    return 0;
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
    /* Every allocation before any change: a failed put leaves the map as it was. */
    struct hm_entry *e = entry_new(key, value);
    if (e == NULL)
        return -1;
    if (m->count == m->nbuckets && grow(m) != 0) {
        entry_free(e);
        return -1;
    }
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
        for (struct hm_entry *e = m->buckets[i].first; e != NULL; e = e->next)
            entry_free(e);
    }
    free(m->buckets);
    free(m);
}
