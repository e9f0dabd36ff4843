/*
 * tokenizer.c: tok_split() and friends (see tokenizer.h for the contract).
 *
 * A list grows its item array by doubling; each token's text is a separate
 * allocation, so freeing a list means freeing every text, then the array,
 * then the list itself.
 */
#include "tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A NUL-terminated copy of the len bytes at s, or NULL. */
static char *copy_span(const char *s, size_t len)
{
    char *copy = malloc(len);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    return copy;
}

/* Makes room for one more item; on failure the list is unchanged. */
static int reserve_one(struct tok_list *list)
{
    if (list->count < list->cap)
        return 0;
    size_t cap = list->cap != 0 ? list->cap * 2 : 4;
    if (cap > SIZE_MAX / sizeof *list->items)
        return -1;
    struct tok *items = realloc(list->items, cap * sizeof items);
    if (items == NULL)
        return -1;
    list->items = items;
    list->cap = cap;
    return 0;
}

/* Appends a copy of the word at line + offset; on failure nothing changes. */
static int push_word(struct tok_list *list, const char *line, size_t offset, size_t len)
{
    if (reserve_one(list) != 0)
        return -1;
    char *text = copy_span(line + offset, len);
    if (text == NULL)
        return -1;
    list->items[list->count++] = (struct tok){.text = text, .offset = offset, .len = len};
    return 0;
}

struct tok_list *tok_split(const char *line, const char *delims)
{
    struct tok_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return NULL;
    size_t pos = strspn(line, delims);
    while (line[pos] != '\0') {
        size_t len = strcspn(line + pos, delims);
        if (push_word(list, line, pos, len) != 0)
            goto err;
        pos += len;
        pos += strspn(line + pos, delims);
    }
    return list;
err:
    free(list->items);
    free(list);
    return NULL;
}

const char *tok_text(const struct tok_list *list, size_t i)
{
    return i < list->count ? list->items[i].text : NULL;
}

char *tok_join(const struct tok_list *list, const char *sep)
{
    size_t seplen = strlen(sep);
    size_t total = 1;
    for (size_t i = 0; i < list->count; i++) {
        size_t part = strlen(list->items[i].text) + (i != 0 ? seplen : 0);
        if (part > SIZE_MAX - total)
            return NULL;
        total += part;
    }
    char *out = malloc(total);
    if (out == NULL)
        return NULL;
    char *end = out;
    for (size_t i = 0; i < list->count; i++) {
        if (i != 0) {
            memcpy(end, sep, seplen);
            end += seplen;
        }
        size_t len = strlen(list->items[i].text);
        memcpy(end, list->items[i].text, len);
        end += len;
    }
    *end = '\0';
    return out;
}

void tok_list_free(struct tok_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].text);
    free(list->items);
    free(list);
}
