/*
 * heaprec.c: records every allocation call of a program, for LD_PRELOAD.
 *
 *     gcc -O2 -shared -fPIC tools/heaprec.c -o build/heaprec.so
 *     HEAPREC_DIR=build/rec LD_PRELOAD=$PWD/build/heaprec.so sort big.txt > /dev/null
 *     python3 tools/heaprec.py build/rec > sort.trace
 *
 * Each process writes HEAPREC_DIR/calls.PID, one line per call, with the
 * addresses as the C library returned them:
 *
 *     a PTR SIZE              malloc
 *     c PTR COUNT SIZE        calloc
 *     r OLD NEW SIZE          realloc (NEW is 0 when it failed)
 *     m PTR ALIGN SIZE        aligned_alloc, memalign, posix_memalign, valloc, pvalloc
 *     f PTR                   free
 *
 * tools/heaprec.py turns addresses into block ids (the trace format of
 * exercises/09-heap/traces/README.md). Every call takes one lock, so the
 * lines are in the order the calls took effect even when threads race, and
 * each line is one write(2), so nothing is lost when the program calls exec
 * or _exit. Slow (a system call per allocation), and meant to be: it records.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_memalign)(size_t, size_t);
static void (*real_free)(void *);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;
static pid_t out_pid;
static int resolving;

/* dlsym may allocate (calloc) before the real functions are known: serve
 * those few calls from a static buffer that is never freed. */
static unsigned char bootstrap[8192] __attribute__((aligned(16)));
static size_t bootstrap_used;

static void *bootstrap_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > sizeof bootstrap - bootstrap_used)
        return NULL;
    void *p = bootstrap + bootstrap_used;
    bootstrap_used += size;
    return p;
}

static int in_bootstrap(const void *p)
{
    return (const unsigned char *)p >= bootstrap &&
           (const unsigned char *)p < bootstrap + sizeof bootstrap;
}

#define FIND(fn, name) (*(void **)(&(fn)) = dlsym(RTLD_NEXT, name))

static void resolve(void)
{
    if (real_malloc != NULL || resolving)
        return;
    resolving = 1;
    FIND(real_malloc, "malloc");
    FIND(real_calloc, "calloc");
    FIND(real_realloc, "realloc");
    FIND(real_memalign, "memalign");
    FIND(real_free, "free");
    resolving = 0;
}

/* Appends one line to this process's file (opened again after a fork). */
static void record(const char *format, ...)
{
    pid_t pid = getpid();
    if (out_fd < 0 || out_pid != pid) {
        const char *dir = getenv("HEAPREC_DIR");
        char path[4096];
        if (dir == NULL ||
            snprintf(path, sizeof path, "%s/calls.%d", dir, (int)pid) >= (int)sizeof path)
            return;
        out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        out_pid = pid;
        if (out_fd < 0)
            return;
    }
    char line[128];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n > 0 && n < (int)sizeof line) {
        int saved = errno;
        ssize_t written = write(out_fd, line, (size_t)n);
        (void)written;
        errno = saved;
    }
}

void *malloc(size_t size)
{
    resolve();
    if (real_malloc == NULL)
        return bootstrap_alloc(size);
    pthread_mutex_lock(&lock);
    void *p = real_malloc(size);
    if (p != NULL)
        record("a %p %zu\n", p, size);
    pthread_mutex_unlock(&lock);
    return p;
}

void *calloc(size_t count, size_t size)
{
    resolve();
    if (real_calloc == NULL) {
        if (count != 0 && size > (size_t)-1 / count)
            return NULL;
        return bootstrap_alloc(count * size); /* static: already zero */
    }
    pthread_mutex_lock(&lock);
    void *p = real_calloc(count, size);
    if (p != NULL)
        record("c %p %zu %zu\n", p, count, size);
    pthread_mutex_unlock(&lock);
    return p;
}

void *realloc(void *old, size_t size)
{
    resolve();
    if (in_bootstrap(old) || real_realloc == NULL) {
        void *p = malloc(size);
        if (p != NULL && old != NULL)
            memcpy(p, old, size); /* a bootstrap block: reading past it stays in the buffer */
        return p;
    }
    pthread_mutex_lock(&lock);
    void *p = real_realloc(old, size);
    record("r %p %p %zu\n", old, p, size);
    pthread_mutex_unlock(&lock);
    return p;
}

void free(void *p)
{
    if (p == NULL || in_bootstrap(p))
        return;
    resolve();
    pthread_mutex_lock(&lock);
    record("f %p\n", p);
    real_free(p);
    pthread_mutex_unlock(&lock);
}

static void *aligned(size_t align, size_t size)
{
    resolve();
    pthread_mutex_lock(&lock);
    void *p = real_memalign(align, size);
    if (p != NULL)
        record("m %p %zu %zu\n", p, align, size);
    pthread_mutex_unlock(&lock);
    return p;
}

void *memalign(size_t align, size_t size)
{
    return aligned(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return aligned(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = aligned(align, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned(page, (size + page - 1) & ~(page - 1));
}
