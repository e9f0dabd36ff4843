/*
 * config_parser.c: the parser of config_parser.h.
 *
 * The entry array grows by exactly one entry per setting, so it never has
 * spare room: entries[count] is always past the end of the block.
 */
#include "config_parser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* A NUL-terminated copy of s[0..len) without surrounding blanks, or NULL. */
static char *copy_trimmed(const char *s, size_t len)
{
    while (len > 0 && is_blank(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    return strndup(s, len);
}

/* Appends the setting in line[0..len), whose '=' is at eq. Returns 0, 1 on
 * a syntax error, -1 when memory runs out; on failure cfg is unchanged. */
static int add_entry(struct config *cfg, const char *line, size_t eq, size_t len)
{
    int rc = -1;
    char *key = copy_trimmed(line, eq);
    char *value = copy_trimmed(line + eq + 1, len - eq - 1);
    if (key == NULL || value == NULL)
        goto err;
    rc = 1;
    if (key[0] == '\0')
        goto err;
    rc = -1;
    if (cfg->count + 1 > SIZE_MAX / sizeof *cfg->entries)
        goto err;
    struct cfg_entry *grown = realloc(cfg->entries, (cfg->count + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    cfg->entries = grown;
    cfg->entries[cfg->count++] = (struct cfg_entry){.key = key, .value = value};
    return 0;
err:
    free(key);
    free(value);
    return rc;
}

/* Handles one line; same results as add_entry(). */
static int parse_line(struct config *cfg, const char *line, size_t len)
{
    size_t skip = 0;
    while (skip < len && is_blank(line[skip]))
        skip++;
    if (skip == len || line[skip] == '#')
        return 0;
    const char *eq = memchr(line, '=', len);
    if (eq == NULL)
        return 1;
    return add_entry(cfg, line, (size_t)(eq - line), len);
}

struct config *cfg_parse(const char *text, size_t *bad_line)
{
    size_t line_no = 0;
    struct config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL)
        goto fail;
    for (const char *line = text; *line != '\0';) {
        size_t len = strcspn(line, "\n");
        line_no++;
        int rc = parse_line(cfg, line, len);
        if (rc != 0) {
            if (rc < 0)
                line_no = 0;
            goto fail;
        }
        line += len;
        if (*line == '\n')
            line++;
    }
    return cfg;
fail:
    if (bad_line != NULL)
        *bad_line = line_no;
    cfg_free(cfg);
    return NULL;
}

const char *cfg_get(const struct config *cfg, const char *key)
{
    for (size_t i = 0; i <= cfg->count; i++) {
        if (strcmp(cfg->entries[i].key, key) == 0)
            return cfg->entries[i].value;
    }
    return NULL;
}

void cfg_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->count; i++) {
        free(cfg->entries[i].key);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    free(cfg);
}
