/*
 * value_tree.h: a tree of named values (numbers, strings and objects), the
 * shape a JSON or settings document takes once parsed.
 *
 * Ownership: vt_new_*() return a node the caller owns. vt_new_string()
 * COPIES its argument: the caller keeps its string and may free or reuse it
 * at once. vt_set() transfers the child to the object, on success and on
 * failure alike (on failure the child is freed); the caller must not use or
 * free the child afterwards except through the object. vt_free() frees a
 * node and its whole subtree; call it only on a node that is in no object.
 * Borrowed results: vt_get() lends a child; vt_text() lends text stored in
 * the node itself. Both stay valid until the node is removed or freed.
 * Invalidation: vt_remove() and vt_free() invalidate the removed subtree and
 * every pointer lent from it. vt_set() on an existing key frees the old child.
 * Failure: vt_new_*() return NULL and vt_set() returns -1 when memory runs
 * out, having leaked nothing.
 */
#ifndef VALUE_TREE_H
#define VALUE_TREE_H

#include <stddef.h>

enum vt_kind { VT_NUMBER, VT_STRING, VT_OBJECT };

enum { VT_TEXT_MAX = 32 };

/* Invariant: key is NULL exactly when the node is in no object. An object's
 * children form a singly linked list through next, in insertion order, with
 * distinct keys. */
struct vt_node {
    enum vt_kind kind;
    char *key;                /* own copy of the name in the parent object */
    double number;            /* VT_NUMBER */
    char *string;             /* VT_STRING: own copy, NUL-terminated */
    char text[VT_TEXT_MAX];   /* VT_NUMBER: the number as text, made by vt_text() */
    struct vt_node *children; /* VT_OBJECT: the first child */
    struct vt_node *next;     /* the next child of the same parent */
};

struct vt_node *vt_new_object(void);
struct vt_node *vt_new_number(double number);
struct vt_node *vt_new_string(const char *s);

/* Puts child under key in obj (an object), replacing and freeing any child
 * already there. Returns 0, or -1 when memory runs out. */
int vt_set(struct vt_node *obj, const char *key, struct vt_node *child);

/* The child of obj under key, or NULL. Borrowed. */
struct vt_node *vt_get(const struct vt_node *obj, const char *key);

/* Frees the child under key. Returns 0, or -1 when there is none. */
int vt_remove(struct vt_node *obj, const char *key);

/* How many children obj has. */
size_t vt_count(const struct vt_node *obj);

/* A string's text, or a number formatted with "%.15g"; NULL for an object.
 * Borrowed from the node. */
const char *vt_text(struct vt_node *node);

/* Frees node and its subtree; NULL is ignored. */
void vt_free(struct vt_node *node);

#endif
