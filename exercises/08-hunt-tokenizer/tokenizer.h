/*
 * tokenizer.h: split a line of text into words, and join them again.
 *
 * Ownership: tok_split() returns a list the caller owns and frees once with
 * tok_list_free(). Every token's text is a NUL-terminated copy owned by the
 * list; tok_text() lends it, valid until tok_list_free(). tok_join() returns
 * a new string the caller frees. The input line and the delimiter set are
 * borrowed only during the call.
 * Invalidation: tok_list_free() invalidates the list and every text it lent.
 * Failure: tok_split() and tok_join() return NULL when memory runs out,
 * having freed everything they allocated.
 */
#ifndef TOKENIZER_H
#define TOKENIZER_H

#include <stddef.h>

struct tok {
    char *text;    /* own copy of the word, NUL-terminated */
    size_t offset; /* where the word starts in the line */
    size_t len;    /* strlen(text) */
};

/* Invariant: count <= cap; items[0..count) are tokens in line order. */
struct tok_list {
    struct tok *items;
    size_t count;
    size_t cap;
};

/* Splits line at every run of characters from delims ("" means no split). */
struct tok_list *tok_split(const char *line, const char *delims);

/* The text of token i, or NULL when i >= count. Borrowed from the list. */
const char *tok_text(const struct tok_list *list, size_t i);

/* A new string: every token, separated by sep. "" for an empty list. */
char *tok_join(const struct tok_list *list, const char *sep);

/* Frees the list and every token; NULL is ignored. */
void tok_list_free(struct tok_list *list);

#endif
