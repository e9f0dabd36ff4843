/*
 * ownership.c: an alternative solution.
 *
 * How it differs from the reference: the contact caches the length of each
 * string, so format and copy never measure again; strings are copied by a
 * helper that takes the length; own_message_init acquires its three copies
 * into locals, checks them once and frees all three on any failure (free and
 * own_contact_destroy accept NULL) instead of unwinding through labels; the
 * reference count is decremented by subtraction.
 */
#include "ownership.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Invariant: name and email are non-NULL, NUL-terminated, and owned by this
 * contact alone; name_len == strlen(name) and email_len == strlen(email). */
struct own_contact {
    size_t name_len;
    size_t email_len;
    char *name;
    char *email;
};

/* A new block holding the len bytes at s and a NUL, or NULL. The caller owns
 * it. */
static char *copy_of(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

struct own_contact *own_contact_create(const char *name, const char *email)
{
    if (name == NULL || email == NULL)
        return NULL;
    struct own_contact *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->name_len = strlen(name);
    c->email_len = strlen(email);
    c->name = copy_of(name, c->name_len);
    if (c->name != NULL) {
        c->email = copy_of(email, c->email_len);
        if (c->email != NULL)
            return c;
        free(c->name);
    }
    free(c);
    return NULL;
}

struct own_contact *own_contact_copy(const struct own_contact *src)
{
    if (src == NULL)
        return NULL;
    struct own_contact *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *src; /* the lengths; both pointers are replaced below */
    c->name = copy_of(src->name, src->name_len);
    c->email = c->name != NULL ? copy_of(src->email, src->email_len) : NULL;
    if (c->email == NULL) {
        free(c->name);
        free(c);
        return NULL;
    }
    return c;
}

void own_contact_destroy(struct own_contact *c)
{
    if (c != NULL) {
        free(c->email);
        free(c->name);
        free(c);
    }
}

const char *own_contact_name(const struct own_contact *c)
{
    return c->name;
}

const char *own_contact_email(const struct own_contact *c)
{
    return c->email;
}

int own_contact_set_email(struct own_contact *c, const char *email)
{
    if (email == NULL)
        return -1;
    size_t len = strlen(email);
    char *copy = copy_of(email, len); /* email may lie inside c->email */
    if (copy == NULL)
        return -1;
    free(c->email);
    c->email = copy;
    c->email_len = len;
    return 0;
}

int own_contact_format(const struct own_contact *c, char **out)
{
    /* name, " <", email, ">", NUL */
    char *text = malloc(c->name_len + c->email_len + 4);
    if (text == NULL)
        return -1;
    char *at = text;
    memcpy(at, c->name, c->name_len);
    at += c->name_len;
    *at++ = ' ';
    *at++ = '<';
    memcpy(at, c->email, c->email_len);
    at += c->email_len;
    *at++ = '>';
    *at = '\0';
    *out = text;
    return 0;
}

struct own_buf *own_buf_create(const void *bytes, size_t size)
{
    size_t header = sizeof(struct own_buf);
    if (size > SIZE_MAX - header)
        return NULL;
    struct own_buf *b = malloc(header + size);
    if (b == NULL)
        return NULL;
    *b = (struct own_buf){.refs = 1, .size = size};
    if (size != 0)
        memcpy(b->data, bytes, size);
    return b;
}

struct own_buf *own_buf_retain(struct own_buf *b)
{
    ++b->refs;
    return b;
}

void own_buf_release(struct own_buf *b)
{
    if (b == NULL)
        return;
    b->refs = b->refs - 1;
    if (b->refs == 0)
        free(b);
}

int own_message_init(struct own_message *m, const struct own_contact *from, const char *subject,
                     const char *body, struct own_buf *attachment)
{
    if (from == NULL || subject == NULL || body == NULL)
        return -1;
    struct own_contact *sender = own_contact_copy(from);
    char *subject_copy = copy_of(subject, strlen(subject));
    char *body_copy = copy_of(body, strlen(body));
    if (sender == NULL || subject_copy == NULL || body_copy == NULL) {
        free(body_copy);
        free(subject_copy);
        own_contact_destroy(sender);
        return -1;
    }
    m->sender = sender;
    m->subject = subject_copy;
    m->body = body_copy;
    m->attachment = attachment == NULL ? NULL : own_buf_retain(attachment);
    return 0;
}

void own_message_cleanup(struct own_message *m)
{
    free(m->subject);
    free(m->body);
    own_contact_destroy(m->sender);
    own_buf_release(m->attachment);
    m->subject = NULL;
    m->body = NULL;
    m->sender = NULL;
    m->attachment = NULL;
}

int own_message_take_body(struct own_message *m, char **out)
{
    if (m->body == NULL)
        return -1;
    *out = m->body;
    m->body = NULL;
    return 0;
}
