/*
 * mc_test.c: allocation tracking, failure injection and test tagging.
 *
 * The build links test binaries with -Wl,--wrap=malloc (and the other
 * allocation functions), so a call to malloc from the code under test lands
 * in __wrap_malloc here, and __real_malloc is the C library's (or the
 * sanitizer's) malloc. Allocations made inside the C library itself are not
 * seen, and need not be.
 *
 * Live blocks are kept in an open-addressing hash table that grows as needed:
 * a tracker that silently stops tracking when full would hide leaks.
 * Invariant: live_count == number of occupied slots; table_size is a power of
 * two and live_count <= table_size / 2.
 */
#define _GNU_SOURCE /* dladdr: where an injected failure was asked for */
#include "mc_test.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
int __real_posix_memalign(void **out, size_t alignment, size_t size);
void __real_free(void *ptr);

/* Blocks are stored disguised (address XOR DISGUISE), so that the table does
 * not count as a reference to them: Valgrind and LeakSanitizer must still see
 * a block whose last real pointer is gone as leaked. */
#define DISGUISE ((uintptr_t)0xA5A5A5A5A5A5A5A5u)

struct slot {
    uintptr_t key; /* address ^ DISGUISE; 0 marks an empty slot */
    size_t size;
};

static struct slot *table;
static size_t table_size;
static size_t live_count;
static size_t live_bytes;

static size_t calls;
static size_t failed;
static size_t fail_only;  /* 1-based call number that fails; 0 = none */
static size_t fail_after; /* calls beyond this number fail; SIZE_MAX = none */
/* The last injection armed, kept for mc_fail_note() after mc_fail_none(). */
static size_t armed_at;             /* calls when it was armed */
static size_t armed_only;           /* its fail_only */
static size_t armed_after;          /* its fail_after */
static size_t first_fail;           /* the first call made to fail since then; 0 = none yet */
static const void *first_fail_site; /* the return address of that call */

/* ---- failure injection ------------------------------------------------- */

static void arm(size_t only, size_t after)
{
    fail_only = armed_only = only;
    fail_after = armed_after = after;
    armed_at = calls;
    first_fail = 0;
    first_fail_site = NULL;
}

void mc_fail_nth_alloc(size_t n)
{
    arm(calls + n, SIZE_MAX);
}

void mc_fail_allocs_after(size_t n)
{
    arm(0, calls + n);
}

void mc_fail_none(void)
{
    fail_only = 0;
    fail_after = SIZE_MAX;
}

/* Counts one allocation call, made from site; true when the kit must make it fail. */
static int next_call_fails(const void *site)
{
    calls++;
    if (calls == fail_only || calls > fail_after) {
        failed++;
        if (first_fail == 0) {
            first_fail = calls;
            first_fail_site = site;
        }
        return 1;
    }
    return 0;
}

/* ---- live-block table --------------------------------------------------- */

static uintptr_t key_of(const void *ptr)
{
    return (uintptr_t)ptr ^ DISGUISE;
}

static size_t slot_index(uintptr_t key)
{
    uintptr_t h = key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    return (size_t)(h >> 7) & (table_size - 1);
}

static size_t find_slot(uintptr_t key)
{
    size_t i = slot_index(key);
    while (table[i].key != 0 && table[i].key != key)
        i = (i + 1) & (table_size - 1);
    return i;
}

static void insert_slot(uintptr_t key, size_t size)
{
    size_t i = find_slot(key);
    if (table[i].key == 0)
        live_count++;
    else
        live_bytes -= table[i].size;
    table[i].key = key;
    table[i].size = size;
    live_bytes += size;
}

static int grow_table(void)
{
    size_t old_size = table_size;
    struct slot *old = table;
    size_t new_size = old_size ? old_size * 2 : 1024;
    struct slot *fresh = __real_calloc(new_size, sizeof *fresh);
    if (fresh == NULL)
        return -1;
    table = fresh;
    table_size = new_size;
    live_count = 0;
    live_bytes = 0;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].key != 0)
            insert_slot(old[i].key, old[i].size);
    __real_free(old);
    return 0;
}

static void track(const void *ptr, size_t size)
{
    if (ptr == NULL)
        return;
    if ((live_count + 1) * 2 > table_size && grow_table() != 0) {
        fputs("mc_test: out of memory for the allocation table\n", stderr);
        abort();
    }
    insert_slot(key_of(ptr), size);
}

/* Removes ptr with backward-shift deletion, so no tombstones are needed. */
static void untrack(const void *ptr)
{
    if (ptr == NULL || table_size == 0)
        return;
    size_t i = find_slot(key_of(ptr));
    if (table[i].key == 0)
        return; /* not ours: allocated before the test, or by the C library */
    live_count--;
    live_bytes -= table[i].size;
    size_t j = i;
    for (;;) {
        table[i].key = 0;
        for (;;) {
            j = (j + 1) & (table_size - 1);
            if (table[j].key == 0)
                return;
            size_t home = slot_index(table[j].key);
            /* Move j back to i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            break;
        }
        table[i] = table[j];
        i = j;
    }
}

size_t mc_alloc_calls(void)
{
    return calls;
}

size_t mc_failed_allocs(void)
{
    return failed;
}

size_t mc_live_blocks(void)
{
    return live_count;
}

size_t mc_live_bytes(void)
{
    return live_bytes;
}

size_t mc_live_size_of(const void *p)
{
    if (p == NULL || table_size == 0)
        return 0;
    size_t i = find_slot(key_of(p));
    return table[i].key == key_of(p) ? table[i].size : 0;
}

struct mc_snapshot mc_snapshot(void)
{
    struct mc_snapshot s = {live_count, live_bytes};
    return s;
}

/* ---- the wrapped allocation functions ------------------------------------ */

/* The caller of a wrapped function: the code under test (or a test). */
#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

static void *tracked_malloc(size_t size, const void *site)
{
    if (next_call_fails(site)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __real_malloc(size);
    track(p, size);
    return p;
}

void *__wrap_malloc(size_t size)
{
    return tracked_malloc(size, CALLER);
}

void *__wrap_calloc(size_t count, size_t size)
{
    if (next_call_fails(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __real_calloc(count, size);
    track(p, count * size); /* calloc checked the product: p is NULL if it overflowed */
    return p;
}

static void *tracked_realloc(void *ptr, size_t size, const void *site)
{
    if (ptr != NULL && size == 0) { /* glibc frees here; it is not an allocation */
        untrack(ptr);
        return __real_realloc(ptr, 0);
    }
    if (next_call_fails(site)) {
        errno = ENOMEM;
        return NULL; /* like a real failure: ptr is untouched */
    }
    void *p = __real_realloc(ptr, size);
    if (p != NULL) {
        untrack(ptr);
        track(p, size);
    }
    return p;
}

void *__wrap_realloc(void *ptr, size_t size)
{
    return tracked_realloc(ptr, size, CALLER);
}

void *__wrap_reallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        calls++; /* a call all the same: contracts may promise none on overflow */
        errno = ENOMEM;
        return NULL;
    }
    return tracked_realloc(ptr, count * size, CALLER);
}

void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
    if (next_call_fails(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = __real_aligned_alloc(alignment, size);
    track(p, size);
    return p;
}

int __wrap_posix_memalign(void **out, size_t alignment, size_t size)
{
    if (next_call_fails(CALLER))
        return ENOMEM;
    int rc = __real_posix_memalign(out, alignment, size);
    if (rc == 0)
        track(*out, size);
    return rc;
}

static char *tracked_strndup(const char *s, size_t max, const void *site)
{
    size_t len = strnlen(s, max);
    char *copy = tracked_malloc(len + 1, site);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *__wrap_strndup(const char *s, size_t max)
{
    return tracked_strndup(s, max, CALLER);
}

char *__wrap_strdup(const char *s)
{
    return tracked_strndup(s, SIZE_MAX, CALLER);
}

void __wrap_free(void *ptr)
{
    untrack(ptr);
    __real_free(ptr);
}

/* ---- naming the allocation that was made to fail ------------------------- */

static const char *ordinal_suffix(size_t n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    switch (n % 10) {
    case 1:
        return "st";
    case 2:
        return "nd";
    case 3:
        return "rd";
    default:
        return "th";
    }
}

/* "vector.c:35, in grow" for a return address, from the binary's debug
 * information (addr2line); "in grow" or "" when that is not available. */
static void describe_site(const void *site, char *out, size_t size)
{
    Dl_info info;
    out[0] = '\0';
    if (site == NULL || dladdr(site, &info) == 0 || info.dli_fbase == NULL)
        return;
    uintptr_t offset = (uintptr_t)site - (uintptr_t)info.dli_fbase - 1; /* the call itself */
    /* The code under test is linked into the executable itself, whose name in
     * dli_fname is whatever argv[0] was (Criterion's workers re-execute it). */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "addr2line -f -e /proc/%ld/exe %#lx 2>/dev/null", (long)getpid(),
             (unsigned long)offset);
    FILE *pipe = popen(cmd, "r");
    char fn[256] = "";
    char where[1024] = "";
    if (pipe != NULL) {
        if (fgets(fn, sizeof fn, pipe) != NULL && fgets(where, sizeof where, pipe) != NULL) {
            fn[strcspn(fn, "\n")] = '\0';
            where[strcspn(where, " \n")] = '\0';
        }
        pclose(pipe);
    }
    const char *file = strrchr(where, '/') ? strrchr(where, '/') + 1 : where;
    if (fn[0] != '\0' && fn[0] != '?' && file[0] != '\0' && file[0] != '?')
        snprintf(out, size, "%s, in %s", file, fn);
    else if (info.dli_sname != NULL)
        snprintf(out, size, "in %s", info.dli_sname);
}

const char *mc_fail_note(void)
{
    static char note[1400];
    char site[1100];
    describe_site(first_fail_site, site, sizeof site);
    char at[1200] = "";
    if (site[0] != '\0')
        snprintf(at, sizeof at, " (%s)", site);
    if (armed_only != 0) {
        size_t nth = armed_only - armed_at;
        if (first_fail != 0)
            snprintf(note, sizeof note, "the %zu%s allocation%s", nth, ordinal_suffix(nth), at);
        else
            snprintf(note, sizeof note, "the %zu%s allocation, which was never made", nth,
                     ordinal_suffix(nth));
    } else if (armed_after != SIZE_MAX) {
        size_t kept = armed_after - armed_at;
        char after[64] = "";
        if (kept > 0)
            snprintf(after, sizeof after, " after the first %zu", kept);
        if (first_fail != 0)
            snprintf(note, sizeof note, "every allocation%s; the first refused was the %zu%s%s",
                     after, kept + 1, ordinal_suffix(kept + 1), at);
        else
            snprintf(note, sizeof note, "every allocation%s; none was made", after);
    } else {
        snprintf(note, sizeof note, "no allocation");
    }
    return note;
}

/* ---- per-test set-up ------------------------------------------------------ */

/* When MC_MARKER_DIR is set (by the checker), write "suite::test" to the file
 * named after this worker's pid, so that Valgrind logs, which are named by pid
 * too, can be traced back to the test that wrote them. With MC_CAPTURE_STDERR
 * also set, the worker's stderr goes to "<pid>.err" beside it: that is where
 * AddressSanitizer and UBSan reports land (UBSan ignores log_path when it runs
 * beside ASan). */
static void write_marker(void)
{
    const char *dir = getenv("MC_MARKER_DIR");
    if (dir == NULL || criterion_current_test == NULL)
        return;
    char path[4096];
    char line[512];
    snprintf(path, sizeof path, "%s/%ld", dir, (long)getpid());
    int n = snprintf(line, sizeof line, "%s::%s\n", criterion_current_suite->name,
                     criterion_current_test->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (n > 0 && write(fd, line, (size_t)n) < 0)
        perror("mc_test: marker");
    close(fd);
    if (getenv("MC_CAPTURE_STDERR") == NULL)
        return;
    snprintf(path, sizeof path, "%s/%ld.err", dir, (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

void mc_test_begin(void)
{
    calls = 0;
    failed = 0;
    arm(0, SIZE_MAX);
    write_marker();
}

void mc_test_end(void)
{
    mc_fail_none();
}
