/*
 * linked_list.c: the list of linked_list.h.
 *
 * Another correct fix of the hunt, unlike the reference's: ll_copy() builds
 * the copy with ll_push_back(), which already makes each string's private
 * copy and cleans up after itself, and ll_destroy() pops nodes off the head,
 * so that no node is read after it is freed.
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
        if (ll_push_back(copy, node->value) != 0) {
            ll_destroy(copy); /* frees the nodes and strings copied so far */
            return NULL;
        }
    }
    return copy;
}

void ll_destroy(struct ll_list *list)
{
    if (list == NULL)
        return;
    struct ll_node *node;
    while ((node = list->head) != NULL) {
        list->head = node->next; /* unlink before freeing */
        node_free(node);
    }
    free(list);
}
