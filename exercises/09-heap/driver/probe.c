/*
 * probe.c: checks the shared object built from heap.c and preload.c from the
 * inside. Run it with LD_PRELOAD=libheap.so: its calls to malloc and the rest
 * then reach your preload.c. Each check names the clause of the README it
 * tests; the first failure is printed and the exit status is 1.
 *
 *     LD_PRELOAD=./libheap.so ./heapprobe
 *
 * The thread check runs THREADS threads that allocate, fill, check, resize
 * and free blocks at once; without a lock around the heap it fails or crashes.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT, memalign, pvalloc, valloc */
#include "heap.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { THREADS = 4, THREAD_OPS = 250000, SLOTS = 256 };

static int failures;

#define CHECK(clause, cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s: ", clause);                                                           \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* The functions of heap.c inside the shared object, found at run time. */
static struct heap *(*get_heap)(void);
static size_t (*usable_in_heap)(const struct heap *, const void *);
static int (*check_heap)(const struct heap *, char *, size_t);
static void (*walk_heap)(const struct heap *, heap_visit_fn *, void *);

static bool aligned(const void *p, size_t a)
{
    return (uintptr_t)p % a == 0;
}

/* Looks name up; the POSIX way to turn dlsym's result into a function pointer. */
#define FIND(fn, name) (*(void **)(&(fn)) = dlsym(RTLD_DEFAULT, name))

static void find_functions(void)
{
    FIND(get_heap, "preload_heap");
    FIND(usable_in_heap, "heap_usable_size");
    FIND(check_heap, "heap_check");
    FIND(walk_heap, "heap_walk");
}

static void check_loaded(void)
{
    find_functions();
    CHECK("10.9", get_heap && usable_in_heap && check_heap && walk_heap,
          "the process does not see preload_heap, heap_usable_size, heap_check and heap_walk: is "
          "the shared object preloaded?");
    void *p = malloc(10);
    CHECK("10.1", p != NULL, "malloc(10) returned NULL");
    CHECK("10.9", get_heap() != NULL,
          "preload_heap() is NULL after malloc(10): malloc is not the shared object's, or it "
          "does not use the heap");
    free(p);
}

static void check_basics(void)
{
    static const size_t sizes[] = {0, 1, 8, 15, 16, 24, 100, 1000, 5000, 70000, 200000, 3000000};
    enum { N = sizeof sizes / sizeof sizes[0] };
    unsigned char *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = malloc(sizes[i]);
        CHECK("10.1", p[i] != NULL, "malloc(%zu) returned NULL", sizes[i]);
        CHECK("10.1", aligned(p[i], 16), "malloc(%zu) returned %p, not aligned to 16", sizes[i],
              (void *)p[i]);
        memset(p[i], (int)i + 1, sizes[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k += 97)
            CHECK("10.1", p[i][k] == (unsigned char)(i + 1),
                  "the block of malloc(%zu) was "
                  "overwritten at byte %zu",
                  sizes[i], k);
    CHECK("10.1", p[0] != p[1], "malloc(0) and malloc(1) returned the same pointer");
    for (size_t i = 0; i < N; i++)
        free(p[i]);
    volatile size_t too_big = SIZE_MAX - 64, too_many = SIZE_MAX / 8 + 1; /* hidden from gcc */
    errno = 0;
    void *huge = malloc(too_big);
    CHECK("10.1", huge == NULL && errno == ENOMEM,
          "malloc(SIZE_MAX - 64) returned %p with errno %d, expected NULL and ENOMEM", huge, errno);
    errno = 0;
    void *over = calloc(too_many, 16);
    CHECK("10.1", over == NULL && errno == ENOMEM,
          "calloc(SIZE_MAX / 8 + 1, 16) returned %p with errno %d: the product overflows", over,
          errno);
    unsigned char *dirty = malloc(4000);
    CHECK("10.1", dirty != NULL, "malloc(4000) returned NULL");
    memset(dirty, 0xEE, 4000);
    free(dirty);
    unsigned char *z = calloc(500, 8);
    CHECK("10.1", z != NULL, "calloc(500, 8) returned NULL");
    size_t nonzero = 0;
    for (size_t i = 0; i < 4000; i++)
        nonzero += z[i] != 0;
    CHECK("10.1", nonzero == 0, "calloc(500, 8) gave %zu bytes that are not zero", nonzero);
    free(z);
    unsigned char *big = calloc(1, 1 << 20);
    CHECK("10.1", big != NULL && big[0] == 0 && big[(1 << 20) - 1] == 0,
          "calloc(1, 1 MiB) is NULL or not zero");
    free(big);
}

static void check_realloc(void)
{
    unsigned char *p = realloc(NULL, 100);
    CHECK("10.1", p != NULL, "realloc(NULL, 100) returned NULL");
    for (int i = 0; i < 100; i++)
        p[i] = (unsigned char)i;
    static const size_t steps[] = {200, 5000, 300000, 2000000, 150000, 50, 3000};
    size_t kept = 100;
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        p = realloc(p, steps[s]);
        CHECK("10.1", p != NULL, "realloc to %zu returned NULL", steps[s]);
        kept = kept < steps[s] ? kept : steps[s];
        for (size_t i = 0; i < kept; i++)
            CHECK("10.1", p[i] == (unsigned char)i, "realloc to %zu lost byte %zu", steps[s], i);
    }
    void *gone = realloc(p, 0);
    CHECK("10.1", gone == NULL,
          "realloc(p, 0) returned %p; like glibc's it frees p and returns NULL", gone);
}

static void check_aligned(void)
{
    static const size_t aligns[] = {1, 2, 8, 16, 32, 64, 256, 4096, 65536};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        size_t a = aligns[i], want = a < 16 ? 16 : a;
        void *p = aligned_alloc(a, 200);
        CHECK("10.2", p != NULL && aligned(p, want), "aligned_alloc(%zu, 200) returned %p", a, p);
        void *q = memalign(a, 300000);
        CHECK("10.2", q != NULL && aligned(q, want), "memalign(%zu, 300000) returned %p", a, q);
        void *r = NULL;
        int rc = posix_memalign(&r, a < sizeof(void *) ? sizeof(void *) : a, 50);
        CHECK("10.3", rc == 0 && r != NULL && aligned(r, a < 16 ? 16 : a),
              "posix_memalign(&p, %zu, 50) returned %d, p %p", a, rc, r);
        free(p);
        free(q);
        free(r);
    }
    errno = 0;
    void *bad = aligned_alloc(24, 64);
    CHECK("10.2", bad == NULL && errno == EINVAL,
          "aligned_alloc(24, 64) returned %p with errno %d, expected NULL and EINVAL", bad, errno);
    errno = 0;
    bad = memalign(48, 64);
    CHECK("10.2", bad == NULL && errno == EINVAL,
          "memalign(48, 64) returned %p with errno %d, expected NULL and EINVAL", bad, errno);
    void *untouched = &failures;
    int rc = posix_memalign(&untouched, 24, 64);
    CHECK("10.3", rc == EINVAL && untouched == &failures,
          "posix_memalign(&p, 24, 64) returned %d (expected EINVAL) or changed p", rc);
    rc = posix_memalign(&untouched, 4, 64);
    CHECK("10.3", rc == EINVAL && untouched == &failures,
          "posix_memalign(&p, 4, 64): 4 is not a multiple of sizeof(void *); returned %d", rc);
    volatile size_t near_max = SIZE_MAX - 4096;
    rc = posix_memalign(&untouched, 64, near_max);
    CHECK("10.3", rc == ENOMEM && untouched == &failures,
          "posix_memalign(&p, 64, SIZE_MAX - 4096) returned %d (expected ENOMEM) or changed p", rc);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *v = valloc(100);
    CHECK("10.4", v != NULL && aligned(v, page), "valloc(100) returned %p, not page-aligned", v);
    void *pv = pvalloc(100);
    CHECK("10.4", pv != NULL && aligned(pv, page) && malloc_usable_size(pv) >= page,
          "pvalloc(100) returned %p with usable size %zu: it must be page-aligned and hold a whole "
          "page",
          pv, pv ? malloc_usable_size(pv) : 0);
    free(v);
    free(pv);
}

struct find {
    const void *p;
    bool found;
};

static void find_block(void *ctx, const struct heap_range *r)
{
    struct find *f = ctx;
    if (r->kind == HEAP_RANGE_ALLOCATED && r->payload == f->p)
        f->found = true;
}

static void check_usable_size(void)
{
    CHECK("10.5", malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is not 0");
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t n = 1; n < 3000000; n = n * 3 + 1) {
        unsigned char *p = malloc(n);
        CHECK("10.5", p != NULL, "malloc(%zu) returned NULL", n);
        size_t usable = malloc_usable_size(p);
        CHECK("10.5", usable >= n, "malloc_usable_size(malloc(%zu)) is %zu, below the request", n,
              usable);
        struct find f = {p, false};
        walk_heap(get_heap(), find_block, &f);
        if (f.found) {
            size_t in_heap = usable_in_heap(get_heap(), p);
            CHECK("10.5", usable == in_heap,
                  "malloc_usable_size(malloc(%zu)) is %zu, but the heap's block has %zu usable "
                  "bytes: report the block's usable size, not the request",
                  n, usable, in_heap);
        } else {
            CHECK("10.5", ((uintptr_t)p + usable) % page == 0,
                  "malloc(%zu) is not a block of the heap, so it has a mapping of its own, but "
                  "p + malloc_usable_size(p) = %p is not the end of a page",
                  n, (void *)(p + usable));
        }
        memset(p, 0x5A, usable); /* every usable byte may be written */
        free(p);
    }
    char why[200] = "";
    CHECK("10.5", check_heap(get_heap(), why, sizeof why) == 0,
          "heap_check() fails after blocks were written up to malloc_usable_size(): %s", why);
}

/* Runs fn in a child process; true if it died of SIGABRT and wrote to stderr. */
static bool aborts(void (*fn)(void))
{
    fflush(stdout);
    int err[2];
    if (pipe(err) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        fn();
        _exit(0);
    }
    close(err[1]);
    char buf[256];
    ssize_t got = read(err[0], buf, sizeof buf);
    close(err[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && got > 0;
}

static void free_a_local(void)
{
    long local[4] = {0};
    void *volatile bad = &local[2]; /* volatile: gcc would refuse the call it can see */
    free(bad);
}

static void free_twice(void)
{
    void *volatile p = malloc(64); /* volatile: gcc removes a malloc/free pair it can see */
    void *volatile q = malloc(64);
    free(p);
    free(p);
    free(q);
}

static void free_inside(void)
{
    char *p = malloc(256);
    memset(p, 0, 256);
    void *volatile inside = p + 64;
    free(inside);
}

static void check_bad_frees(void)
{
    CHECK("10.7", aborts(free_a_local),
          "free() of a local variable's address did not print a message and abort");
    CHECK("10.7", aborts(free_twice), "a double free() did not print a message and abort");
    CHECK("10.7", aborts(free_inside),
          "free() of a pointer into the middle of a block did not print a message and abort");
}

/* ---- threads ---------------------------------------------------------------- */

struct worker {
    unsigned seed;
    int damaged;
    int failed;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    unsigned char *p[SLOTS] = {0};
    size_t size[SLOTS] = {0};
    uint64_t x = w->seed * 0x9E3779B97F4A7C15u + 1;
    for (int op = 0; op < THREAD_OPS; op++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t i = x % SLOTS;
        unsigned char tag = (unsigned char)(i ^ w->seed);
        if (p[i] != NULL) {
            w->damaged += p[i][0] != tag || p[i][size[i] - 1] != tag;
            if ((x >> 32) % 4 == 0) {
                size_t n = (x >> 40) % 3000 + 1;
                unsigned char *q = realloc(p[i], n);
                if (q == NULL) {
                    w->failed++;
                    continue;
                }
                w->damaged += q[0] != tag;
                p[i] = q;
                size[i] = n;
                memset(q, tag, n);
            } else {
                free(p[i]);
                p[i] = NULL;
            }
        } else {
            size[i] = (x >> 40) % ((x >> 60) ? 512 : 40000) + 1;
            p[i] = (x >> 33) % 5 == 0 ? calloc(1, size[i]) : malloc(size[i]);
            if (p[i] == NULL) {
                w->failed++;
                continue;
            }
            memset(p[i], tag, size[i]);
        }
    }
    for (size_t i = 0; i < SLOTS; i++)
        free(p[i]);
    return NULL;
}

static void check_threads(void)
{
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.seed = i + 1};
        CHECK("10.6", pthread_create(&t[i], NULL, work, &w[i]) == 0, "pthread_create failed");
    }
    int damaged = 0, failed = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        damaged += w[i].damaged;
        failed += w[i].failed;
    }
    CHECK("10.6", failed == 0, "%d allocations failed while %d threads ran", failed, THREADS);
    CHECK("10.6", damaged == 0,
          "%d blocks were overwritten while %d threads allocated at once: is there a lock "
          "around the heap?",
          damaged, THREADS);
    char why[200] = "";
    CHECK("10.6", check_heap(get_heap(), why, sizeof why) == 0,
          "heap_check() fails after %d threads allocated at once: %s", THREADS, why);
}

/* 10.8: memory comes from mmap, so the program break never moves (the break is
 * the program's own); glibc's startup may have set it already, so compare with
 * the break before the allocation calls of this probe. */
static void check_break_untouched(void *before)
{
    enum { N = 2000 };
    static void *blocks[N];
    for (size_t i = 0; i < N; i++)
        blocks[i] = malloc(64 + (i % 7) * 500);
    for (size_t i = 0; i < N; i++)
        free(blocks[i]);
    CHECK("10.8", sbrk(0) == before,
          "the program break moved from %p to %p: memory must come from mmap", before, sbrk(0));
}

int main(void)
{
    void *brk_before = sbrk(0);
    check_loaded();
    if (failures == 0) {
        check_break_untouched(brk_before);
        check_basics();
        check_realloc();
        check_aligned();
        check_usable_size();
        check_bad_frees();
        check_threads();
    }
    if (failures == 0)
        printf("ok: every check of the shared object passed\n");
    return failures == 0 ? 0 : 1;
}
