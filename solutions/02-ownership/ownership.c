/*
 * ownership.c: the reference solution.
 *
 * Every allocation here has exactly one owner at any moment: a contact owns
 * its two strings, a message owns its fields, the caller owns what create,
 * copy and the `out` parameters hand over, and a shared buffer is owned
 * jointly by the holders of its references.
 */
#include "ownership.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Invariant: name and email are non-NULL, NUL-terminated, and owned by the
 * contact alone (no other object points at them). */
struct own_contact {
    char *name;
    char *email;
};

/* ---- contacts -------------------------------------------------------------- */

/* A private copy of s that the caller owns, or NULL when memory runs out. */
static char *copy_string(const char *s)
{
    size_t size = strlen(s) + 1;
    char *copy = malloc(size);
    if (copy != NULL)
        memcpy(copy, s, size);
    return copy;
}

struct own_contact *own_contact_create(const char *name, const char *email)
{
    if (name == NULL || email == NULL)
        return NULL;
    struct own_contact *c = malloc(sizeof *c);
    if (c == NULL)
        goto out;
    c->name = copy_string(name);
    if (c->name == NULL)
        goto out_free_contact;
    c->email = copy_string(email);
    if (c->email == NULL)
        goto out_free_name;
    return c;

out_free_name:
    free(c->name);
out_free_contact:
    free(c);
out:
    return NULL;
}

struct own_contact *own_contact_copy(const struct own_contact *src)
{
    if (src == NULL)
        return NULL;
    return own_contact_create(src->name, src->email);
}

void own_contact_destroy(struct own_contact *c)
{
    if (c == NULL)
        return;
    free(c->name);
    free(c->email);
    free(c);
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
    /* Copy first: email may point into c->email, and on failure the old
     * address must still be there. */
    char *fresh = copy_string(email);
    if (fresh == NULL)
        return -1;
    free(c->email);
    c->email = fresh;
    return 0;
}

int own_contact_format(const struct own_contact *c, char **out)
{
    size_t name_len = strlen(c->name);
    size_t email_len = strlen(c->email);
    /* "name" + " <" + "email" + ">" + the terminator */
    char *text = malloc(name_len + 2 + email_len + 1 + 1);
    if (text == NULL)
        return -1;
    char *p = text;
    memcpy(p, c->name, name_len);
    p += name_len;
    memcpy(p, " <", 2);
    p += 2;
    memcpy(p, c->email, email_len);
    p += email_len;
    memcpy(p, ">", 2); /* the '>' and the terminator */
    *out = text;       /* ownership passes to the caller only on success */
    return 0;
}

/* ---- shared buffers ---------------------------------------------------------- */

struct own_buf *own_buf_create(const void *bytes, size_t size)
{
    struct own_buf *b;
    if (size > SIZE_MAX - sizeof *b)
        return NULL;
    b = malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->refs = 1;
    b->size = size;
    if (size != 0)
        memcpy(b->data, bytes, size);
    return b;
}

struct own_buf *own_buf_retain(struct own_buf *b)
{
    b->refs++;
    return b;
}

void own_buf_release(struct own_buf *b)
{
    if (b == NULL)
        return;
    if (--b->refs == 0)
        free(b);
}

/* ---- messages ------------------------------------------------------------------ */

int own_message_init(struct own_message *m, const struct own_contact *from, const char *subject,
                     const char *body, struct own_buf *attachment)
{
    if (from == NULL || subject == NULL || body == NULL)
        return -1;
    /* Each label undoes one acquisition and falls through to undo the earlier
     * ones; a failure jumps to the label for the last thing that succeeded. */
    m->sender = own_contact_copy(from);
    if (m->sender == NULL)
        goto out;
    m->subject = copy_string(subject);
    if (m->subject == NULL)
        goto out_destroy_sender;
    m->body = copy_string(body);
    if (m->body == NULL)
        goto out_free_subject;
    m->attachment = attachment != NULL ? own_buf_retain(attachment) : NULL;
    return 0;

out_free_subject:
    free(m->subject);
out_destroy_sender:
    own_contact_destroy(m->sender);
out:
    return -1;
}

void own_message_cleanup(struct own_message *m)
{
    own_buf_release(m->attachment);
    m->attachment = NULL;
    free(m->body);
    m->body = NULL;
    free(m->subject);
    m->subject = NULL;
    own_contact_destroy(m->sender);
    m->sender = NULL;
}

int own_message_take_body(struct own_message *m, char **out)
{
    if (m->body == NULL)
        return -1;
    *out = m->body;
    m->body = NULL; /* the message no longer owns it: cleanup must not free it */
    return 0;
}
