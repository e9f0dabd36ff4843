/*
 * ownership.h: records that own their strings, a message that owns several
 * resources at once, and a reference-counted buffer that many owners share.
 *
 * Ownership, in one line per kind of pointer:
 *  - create / copy return a new object that the caller owns and must pass to
 *    the matching destroy (or release) exactly once.
 *  - An accessor returns a borrowed pointer: the object keeps owning it; the
 *    caller must not free it and must stop using it when the call named in
 *    the accessor's comment invalidates it.
 *  - A `char **out` parameter transfers ownership to the caller on success:
 *    the caller frees *out with free(). On failure *out is left untouched.
 *  - const char * arguments are borrowed for the duration of the call only:
 *    functions copy what they keep, so callers may change or free their
 *    strings afterwards.
 *
 * Failure policy: a function that can fail returns NULL or -1, and then has
 * freed everything it allocated and left every object and out-parameter as it
 * was (the strong guarantee; own_message_init's storage is the one exception,
 * see there). A NULL argument that a function refuses is refused before any
 * allocation. Nothing aborts or prints. README.md numbers each promise.
 */
#ifndef OWNERSHIP_H
#define OWNERSHIP_H

#include <stddef.h>

/* ---- a record that owns its strings ------------------------------------- */

/* Opaque: defined in ownership.c. A contact owns private copies of a name and
 * an email address, each in an allocation of its own (three blocks in all,
 * with the contact's), both NUL-terminated and never NULL while it lives. */
struct own_contact;

/* Returns a new contact holding copies of name and email, or NULL when
 * either argument is NULL (allocating nothing) or when memory runs out. */
struct own_contact *own_contact_create(const char *name, const char *email);

/* Returns a deep copy of src that shares no memory with it, or NULL when src
 * is NULL (allocating nothing) or memory runs out. Destroying either leaves
 * the other intact. */
struct own_contact *own_contact_copy(const struct own_contact *src);

/* Frees c and both of its strings. Invalidates c and every pointer borrowed
 * from it. NULL is accepted and ignored. */
void own_contact_destroy(struct own_contact *c);

/* Borrowed pointers to c's strings; they allocate nothing. The name stays
 * valid until own_contact_destroy(c); the email until own_contact_destroy(c)
 * or a successful own_contact_set_email(c, ...). */
const char *own_contact_name(const struct own_contact *c);
const char *own_contact_email(const struct own_contact *c);

/* Replaces c's email with a copy of email and returns 0; the old string is
 * freed, so pointers borrowed from it become invalid; the name is untouched.
 * email may point into c's own strings (its email or its name). Returns -1,
 * with c unchanged, when email is NULL or memory runs out. */
int own_contact_set_email(struct own_contact *c, const char *email);

/* Builds the string "name <email>" in a new allocation and transfers it to
 * the caller through *out, returning 0. The caller frees *out. Returns -1
 * and leaves *out untouched when memory runs out. */
int own_contact_format(const struct own_contact *c, char **out);

/* ---- a reference-counted shared buffer ------------------------------------ */

/* One allocation: this header, then `size` bytes of data.
 * Invariant: refs >= 1 while the buffer lives; refs == number of owners.
 * The buffer is freed by the release that brings refs to 0. */
struct own_buf {
    size_t refs;          /* owners that will each call own_buf_release once */
    size_t size;          /* bytes in data */
    unsigned char data[]; /* owned by the buffer; borrowed by every owner */
};

/* Returns a new buffer, in one allocation, holding a copy of the size bytes
 * at bytes, with refs == 1: the caller is its first owner. bytes may be NULL
 * only when size is 0. Returns NULL when memory runs out or when the total
 * size overflows (then without allocating). */
struct own_buf *own_buf_create(const void *bytes, size_t size);

/* Adds an owner: increments b->refs and returns b, so that
 * `keep = own_buf_retain(b);` reads as taking a reference. Cannot fail. */
struct own_buf *own_buf_retain(struct own_buf *b);

/* Gives up one reference. The last release frees b; after any release the
 * caller must not use its pointer again. NULL is accepted and ignored. */
void own_buf_release(struct own_buf *b);

/* ---- a message that owns several resources --------------------------------- */

/* Caller-provided storage, filled by own_message_init. Every field is owned
 * by the message until own_message_cleanup, except where noted. */
struct own_message {
    struct own_contact *sender; /* own deep copy of the sender */
    char *subject;              /* own copy */
    char *body;                 /* own copy; NULL once taken by own_message_take_body */
    struct own_buf *attachment; /* one reference held, or NULL for no attachment */
};

/* Fills *m, which may hold garbage: copies from, subject and body, and takes
 * a reference to attachment (which may be NULL). Returns 0 on success; the
 * caller must then call own_message_cleanup(m) once it is done. Returns -1
 * when from, subject or body is NULL (before acquiring anything) or memory
 * runs out: everything acquired so far has been released, attachment->refs
 * is as it was, and *m must not be read or cleaned up. */
int own_message_init(struct own_message *m, const struct own_contact *from, const char *subject,
                     const char *body, struct own_buf *attachment);

/* Releases everything m owns and sets each field to NULL, so that a second
 * cleanup of the same message does nothing. Invalidates pointers borrowed
 * from the message's fields. */
void own_message_cleanup(struct own_message *m);

/* Transfers the body to the caller: *out receives it, m->body becomes NULL,
 * and the caller must free *out. Returns 0. Returns -1 and leaves *out
 * untouched when the body has already been taken. */
int own_message_take_body(struct own_message *m, char **out);

#endif
