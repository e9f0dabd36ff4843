/*
 * ownership.c: your solution. Read the contract in ownership.h first, then
 * chapter 3 (../../chapters/03-ownership.md).
 *
 * Every function below compiles and returns a neutral value; replace each
 * TODO with a real implementation. You may add static helpers.
 */
#include "ownership.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* TODO: define struct own_contact here. It is opaque to callers: only this
 * file sees its fields. Write its invariant beside it. */

struct own_contact *own_contact_create(const char *name, const char *email)
{
    /* TODO: allocate a contact that owns copies of both strings; on any
     * failure free what you allocated and return NULL. */
    (void)name;
    (void)email;
    return NULL;
}

struct own_contact *own_contact_copy(const struct own_contact *src)
{
    /* TODO: return a deep copy: new memory for every string. */
    (void)src;
    return NULL;
}

void own_contact_destroy(struct own_contact *c)
{
    /* TODO: free what the contact owns, then the contact itself. */
    (void)c;
}

const char *own_contact_name(const struct own_contact *c)
{
    /* TODO: lend the caller the contact's own name (no allocation). */
    (void)c;
    return NULL;
}

const char *own_contact_email(const struct own_contact *c)
{
    /* TODO: lend the caller the contact's own email (no allocation). */
    (void)c;
    return NULL;
}

int own_contact_set_email(struct own_contact *c, const char *email)
{
    /* TODO: replace the email; on failure leave the contact unchanged. */
    (void)c;
    (void)email;
    return -1;
}

int own_contact_format(const struct own_contact *c, char **out)
{
    /* TODO: build "name <email>" in new memory and hand it over through
     * *out; touch *out only on success. */
    (void)c;
    (void)out;
    return -1;
}

struct own_buf *own_buf_create(const void *bytes, size_t size)
{
    /* TODO: one allocation for the header and the data; refs starts at 1. */
    (void)bytes;
    (void)size;
    return NULL;
}

struct own_buf *own_buf_retain(struct own_buf *b)
{
    /* TODO: count one more owner. */
    return b;
}

void own_buf_release(struct own_buf *b)
{
    /* TODO: count one owner fewer; the last one frees the buffer. */
    (void)b;
}

int own_message_init(struct own_message *m, const struct own_contact *from, const char *subject,
                     const char *body, struct own_buf *attachment)
{
    /* TODO: acquire the sender copy, the subject, the body and a reference
     * to the attachment; on failure undo exactly what succeeded. */
    (void)m;
    (void)from;
    (void)subject;
    (void)body;
    (void)attachment;
    return -1;
}

void own_message_cleanup(struct own_message *m)
{
    /* TODO: release everything the message owns and set each field to
     * NULL. */
    (void)m;
}

int own_message_take_body(struct own_message *m, char **out)
{
    /* TODO: hand the body over through *out; the message must stop owning
     * it. */
    (void)m;
    (void)out;
    return -1;
}
