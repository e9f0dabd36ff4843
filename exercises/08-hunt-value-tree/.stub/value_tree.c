/*
 * value_tree.c: a tree of named values (see value_tree.h for the contract).
 */
#include "value_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct vt_node *node_new(enum vt_kind kind)
{
    struct vt_node *node = calloc(1, sizeof *node);
    if (node != NULL)
        node->kind = kind;
    return node;
}

struct vt_node *vt_new_object(void)
{
    return node_new(VT_OBJECT);
}

struct vt_node *vt_new_number(double number)
{
    struct vt_node *node = node_new(VT_NUMBER);
    if (node != NULL)
        node->number = number;
    return node;
}

struct vt_node *vt_new_string(const char *s)
{
    struct vt_node *node = node_new(VT_STRING);
    if (node == NULL)
        return NULL;
    node->string = (char *)s;
    return node;
}

/* The link that points at the child named key (or at the NULL ending the list). */
static struct vt_node **find_link(struct vt_node *obj, const char *key)
{
    struct vt_node **link = &obj->children;
    while (*link != NULL && strcmp((*link)->key, key) != 0)
        link = &(*link)->next;
    return link;
}

int vt_set(struct vt_node *obj, const char *key, struct vt_node *child)
{
    child->key = strdup(key);
    if (child->key == NULL) {
        vt_free(child);
        return -1;
    }
    struct vt_node **link = find_link(obj, key);
    struct vt_node *old = *link;
    child->next = old != NULL ? old->next : NULL;
    *link = child;
    vt_free(old);
    return 0;
}

struct vt_node *vt_get(const struct vt_node *obj, const char *key)
{
    for (struct vt_node *c = obj->children; c != NULL; c = c->next)
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

int vt_remove(struct vt_node *obj, const char *key)
{
    struct vt_node **link = find_link(obj, key);
    struct vt_node *victim = *link;
    if (victim == NULL)
        return -1;
    vt_free(victim);
    *link = victim->next;
    return 0;
}

size_t vt_count(const struct vt_node *obj)
{
    size_t n = 0;
    for (const struct vt_node *c = obj->children; c != NULL; c = c->next)
        n++;
    return n;
}

/* Formats x into buf and returns buf. */
static char *format_number(char *buf, size_t size, double x)
{
    snprintf(buf, size, "%.15g", x);
    return buf;
}

const char *vt_text(struct vt_node *node)
{
    switch (node->kind) {
    case VT_STRING:
        return node->string;
    case VT_NUMBER: {
        char text[VT_TEXT_MAX];
        return format_number(text, sizeof text, node->number);
    }
    case VT_OBJECT:
        break;
    }
    return NULL;
}

/* Frees a list of siblings and everything under them. */
static void free_list(struct vt_node *first)
{
    while (first != NULL) {
        struct vt_node *next = first->next;
        vt_free(first);
        first = next;
    }
}

void vt_free(struct vt_node *node)
{
    if (node == NULL)
        return;
    free_list(node->children);
    free(node->key);
    free(node->string);
    free(node);
}
