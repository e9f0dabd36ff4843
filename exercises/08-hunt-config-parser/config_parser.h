/*
 * config_parser.h: read "key = value" settings from a text.
 *
 * Syntax: one setting per line, "key = value"; spaces, tabs and carriage
 * returns around the key and the value are ignored; blank lines and lines
 * whose first non-blank character is '#' are skipped. A key must not be
 * empty. Any other line is an error. README.md states each rule exactly.
 *
 * Ownership: cfg_parse() returns a config the caller owns and frees once
 * with cfg_free(); the config owns copies of every key and value.
 * cfg_get() lends a value, valid until cfg_free(). The text is borrowed
 * only during the call.
 * Failure: cfg_parse() returns NULL on a syntax error (storing the
 * 1-based number of the bad line in *bad_line, when bad_line is not NULL)
 * or when memory runs out (storing 0); either way it has freed everything
 * it allocated.
 */
#ifndef CONFIG_PARSER_H
#define CONFIG_PARSER_H

#include <stddef.h>

struct cfg_entry {
    char *key;   /* own copy, trimmed, not empty */
    char *value; /* own copy, trimmed, may be empty */
};

/* Invariant: entries holds exactly count entries, in file order. */
struct config {
    struct cfg_entry *entries;
    size_t count;
};

struct config *cfg_parse(const char *text, size_t *bad_line);

/* The value of the first entry named key, or NULL if there is none. */
const char *cfg_get(const struct config *cfg, const char *key);

/* Frees the config and everything in it; NULL is ignored. */
void cfg_free(struct config *cfg);

#endif
