/*
 * lru_cache.c: the cache of lru_cache.h.
 *
 * A doubly linked list in order of use, searched linearly: fine for the
 * few dozen entries this cache is meant for. lru_put() builds the new
 * entry before it evicts anything, so a failure changes nothing.
 */
#include "lru_cache.h"

#include <stdlib.h>
#include <string.h>

struct lru_cache *lru_create(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct lru_cache *cache = calloc(1, sizeof *cache);
    if (cache != NULL)
        cache->capacity = capacity;
    return cache;
}

/* A new unlinked entry holding copies of key and value, or NULL. */
static struct lru_entry *entry_new(const char *key, const char *value)
{
    struct lru_entry *e = malloc(sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = strdup(key);
    if (e->key == NULL)
        goto err;
    e->value = strdup(value);
    if (e->value == NULL)
        goto err;
    e->prev = e->next = NULL;
    return e;
err:
    free(e->value);
    free(e->key);
    free(e);
    return NULL;
}

static void entry_free(struct lru_entry *e)
{
    free(e->key);
    free(e->value);
    free(e);
}

static void unlink_entry(struct lru_cache *cache, struct lru_entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        cache->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        cache->tail = e->prev;
    e->prev = e->next = NULL;
    cache->count--;
}

static void push_front(struct lru_cache *cache, struct lru_entry *e)
{
    e->prev = NULL;
    e->next = cache->head;
    if (cache->head != NULL)
        cache->head->prev = e;
    else
        cache->tail = e;
    cache->head = e;
    cache->count++;
}

/* Frees the least recently used entry; the cache is not empty. */
static void evict(struct lru_cache *cache)
{
    struct lru_entry *victim = cache->tail;
    entry_free(victim);
    cache->tail = victim->prev;
    if (cache->tail != NULL)
        cache->tail->next = NULL;
    else
        cache->head = NULL;
    cache->count--;
}

static struct lru_entry *find(const struct lru_cache *cache, const char *key)
{
    for (struct lru_entry *e = cache->head; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

int lru_put(struct lru_cache *cache, const char *key, const char *value)
{
    struct lru_entry *fresh = entry_new(key, value);
    if (fresh == NULL)
        return -1;
    struct lru_entry *old = find(cache, key);
    if (old != NULL) {
        unlink_entry(cache, old);
        entry_free(old);
    } else if (cache->count == cache->capacity) {
        evict(cache);
    }
    push_front(cache, fresh);
    return 0;
}

const char *lru_get(struct lru_cache *cache, const char *key)
{
    struct lru_entry *e = find(cache, key);
    if (e == NULL)
        return NULL;
    unlink_entry(cache, e);
    push_front(cache, e);
    return e->value;
}

void lru_destroy(struct lru_cache *cache)
{
    if (cache == NULL)
        return;
    while (cache->tail != NULL)
        evict(cache);
    free(cache);
}
