/*
 * linked_list.h: a singly linked list of strings (a "recent files" list).
 *
 * Ownership: the list owns a private copy of every string pushed into it
 * and every node; ll_get() lends a string, valid until that string is
 * removed or the list destroyed. ll_copy() returns a deep copy, sharing no
 * memory with its source: each list must be destroyed once, in any order.
 * Arguments are borrowed only during the call.
 * Invalidation: ll_remove() invalidates the removed string; ll_destroy()
 * invalidates the list and everything it lent.
 * Failure: ll_create(), ll_push_back() and ll_copy() return NULL or -1 when
 * memory runs out, having freed what they allocated and left the list as
 * it was.
 */
#ifndef LINKED_LIST_H
#define LINKED_LIST_H

#include <stddef.h>

struct ll_node {
    char *value;          /* own copy, NUL-terminated */
    size_t len;           /* strlen(value) */
    struct ll_node *next; /* NULL at the tail */
};

/* Invariant: len nodes reachable from head; tail is the last (NULL if none). */
struct ll_list {
    struct ll_node *head;
    struct ll_node *tail;
    size_t len;
};

struct ll_list *ll_create(void);

/* Appends a copy of value. Returns 0, or -1 when memory runs out. */
int ll_push_back(struct ll_list *list, const char *value);

/* The i-th string, or NULL when i >= len. Borrowed from the list. */
const char *ll_get(const struct ll_list *list, size_t i);

/* Removes and frees the first node equal to value. Returns 1 if one was
 * removed, 0 if none matched. */
int ll_remove(struct ll_list *list, const char *value);

/* A deep copy of list, or NULL. */
struct ll_list *ll_copy(const struct ll_list *list);

/* Frees every node, every string and the list; NULL is ignored. */
void ll_destroy(struct ll_list *list);

#endif
