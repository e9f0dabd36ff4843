/*
 * linked_list.c: the list of linked_list.h.
 *
 * Every node is one allocation and its string another; a node is freed
 * only after everything that must be read from it has been read.
 */
#include "linked_list.h"

#include <stdlib.h>
#include <string.h>

struct ll_list *ll_create(void)
{
    struct ll_list *list = calloc(1, sizeof *list);
    return list;
}

/* Frees a node and its string; the caller has unlinked it. */
static void node_free(struct ll_node *node)
{
    free(node->value);
    free(node);
}

/* Links a finished node after the tail; cannot fail. */
static void link_at_tail(struct ll_list *list, struct ll_node *node)
{
    node->next = NULL;
    if (list->tail != NULL)
        list->tail->next = node;
    else
        list->head = node;
    list->tail = node;
    list->len++;
}

int ll_push_back(struct ll_list *list, const char *value)
{
    struct ll_node *node = malloc(sizeof *node);
    if (node == NULL)
        return -1;
    node->value = strdup(value);
    if (node->value == NULL) {
        free(node);
        return -1;
    }
    node->len = strlen(value);
    link_at_tail(list, node);
    return 0;
}

const char *ll_get(const struct ll_list *list, size_t i)
{
    if (i >= list->len)
        return NULL;
    const struct ll_node *node = list->head;
    while (i-- > 0)
        node = node->next;
    return node->value;
}

int ll_remove(struct ll_list *list, const char *value)
{
    struct ll_node *prev = NULL;
    for (struct ll_node *node = list->head; node != NULL; prev = node, node = node->next) {
        if (strcmp(node->value, value) != 0)
            continue;
        if (prev != NULL)
            prev->next = node->next;
        else
            list->head = node->next;
        if (list->tail == node)
            list->tail = prev;
        list->len--;
        node_free(node);
        return 1;
    }
    return 0;
}

struct ll_list *ll_copy(const struct ll_list *list)
{
    struct ll_list *copy = ll_create();
    if (copy == NULL)
        return NULL;
    for (const struct ll_node *node = list->head; node != NULL; node = node->next) {
        struct ll_node *twin = malloc(sizeof *twin);
        if (twin == NULL)
            goto err;
        twin->value = node->value;
        twin->len = node->len;
        link_at_tail(copy, twin);
    }
    return copy;
err:
    ll_destroy(copy);
    return NULL;
}

void ll_destroy(struct ll_list *list)
{
    if (list == NULL)
        return;
    for (struct ll_node *node = list->head; node != NULL; node = node->next) {
        node_free(node);
    }
    free(list);
}
