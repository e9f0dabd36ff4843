/*
 * ownership.c: an alternative solution.
 *
 * How it differs from the reference: the contact keeps its two strings in an
 * array indexed by field; create starts from a calloc'd contact whose
 * strings are NULL, so one call to own_contact_destroy undoes any half-built
 * contact; strings are copied with strdup; format measures and writes with
 * snprintf; own_message_init builds the message in a local and copies it
 * into *m only once nothing can fail any more; the last release is detected
 * before decrementing.
 */
#include "ownership.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAME, EMAIL, FIELDS };

/* Invariant, once create has returned it: field[NAME] and field[EMAIL] are
 * non-NULL, NUL-terminated strings, each in a block that this contact alone
 * owns. While create is still filling it, a NULL field is simply not there
 * yet, which own_contact_destroy accepts. */
struct own_contact {
    char *field[FIELDS];
};

struct own_contact *own_contact_create(const char *name, const char *email)
{
    if (name == NULL || email == NULL)
        return NULL;
    struct own_contact *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->field[NAME] = strdup(name);
    c->field[EMAIL] = strdup(email);
    if (c->field[NAME] == NULL || c->field[EMAIL] == NULL) {
        own_contact_destroy(c); /* frees whichever copy was made */
        return NULL;
    }
    return c;
}

struct own_contact *own_contact_copy(const struct own_contact *src)
{
    return src == NULL ? NULL : own_contact_create(src->field[NAME], src->field[EMAIL]);
}

void own_contact_destroy(struct own_contact *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < FIELDS; i++)
        free(c->field[i]);
    free(c);
}

const char *own_contact_name(const struct own_contact *c)
{
    return c->field[NAME];
}

const char *own_contact_email(const struct own_contact *c)
{
    return c->field[EMAIL];
}

int own_contact_set_email(struct own_contact *c, const char *email)
{
    if (email == NULL)
        return -1;
    char *copy = strdup(email); /* before the free: email may be the old string */
    if (copy == NULL)
        return -1;
    free(c->field[EMAIL]);
    c->field[EMAIL] = copy;
    return 0;
}

int own_contact_format(const struct own_contact *c, char **out)
{
    int len = snprintf(NULL, 0, "%s <%s>", c->field[NAME], c->field[EMAIL]);
    if (len < 0)
        return -1;
    char *text = malloc((size_t)len + 1);
    if (text == NULL)
        return -1;
    snprintf(text, (size_t)len + 1, "%s <%s>", c->field[NAME], c->field[EMAIL]);
    *out = text;
    return 0;
}

struct own_buf *own_buf_create(const void *bytes, size_t size)
{
    if (size > SIZE_MAX - sizeof(struct own_buf))
        return NULL;
    struct own_buf *b = malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->refs = 1;
    b->size = size;
    if (size > 0)
        memmove(b->data, bytes, size);
    return b;
}

struct own_buf *own_buf_retain(struct own_buf *b)
{
    b->refs += 1;
    return b;
}

void own_buf_release(struct own_buf *b)
{
    if (b == NULL)
        return;
    if (b->refs == 1)
        free(b); /* this was the last owner */
    else
        b->refs -= 1;
}

int own_message_init(struct own_message *m, const struct own_contact *from, const char *subject,
                     const char *body, struct own_buf *attachment)
{
    if (from == NULL || subject == NULL || body == NULL)
        return -1;
    /* Everything is acquired into a local message that starts all NULL, so
     * undoing a partial init is a cleanup of that local; *m is written only
     * on success. */
    struct own_message local = {NULL, NULL, NULL, NULL};
    local.sender = own_contact_copy(from);
    local.subject = local.sender != NULL ? strdup(subject) : NULL;
    local.body = local.subject != NULL ? strdup(body) : NULL;
    if (local.body == NULL) {
        own_message_cleanup(&local);
        return -1;
    }
    local.attachment = attachment != NULL ? own_buf_retain(attachment) : NULL;
    *m = local;
    return 0;
}

void own_message_cleanup(struct own_message *m)
{
    own_contact_destroy(m->sender);
    m->sender = NULL;
    free(m->subject);
    m->subject = NULL;
    free(m->body);
    m->body = NULL;
    own_buf_release(m->attachment);
    m->attachment = NULL;
}

int own_message_take_body(struct own_message *m, char **out)
{
    char *body = m->body;
    if (body == NULL)
        return -1;
    m->body = NULL; /* the caller is the owner now */
    *out = body;
    return 0;
}
