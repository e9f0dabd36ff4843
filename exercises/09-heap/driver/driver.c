/*
 * driver.c: replays allocation traces against heap.c, checks every result,
 * and measures utilization and speed against the C library's malloc.
 *
 *     heapdrive [-d] [-c] [-r REPEATS] [-j FILE] TRACE...
 *     heapdrive -w STEP TRACE
 *
 * For each trace (the format is in traces/README.md), three passes:
 *
 *  1. Correctness, on a fresh heap over a region whose break this program
 *     moves. After every operation: the payload is aligned (16 bytes, or the
 *     alignment asked), lies inside [heap start, break), and overlaps no live
 *     payload (a bitmap with one bit per 16 bytes: every payload starts on a
 *     16-byte boundary, so two payloads overlap exactly when they share a
 *     16-byte granule). Payloads are filled with a pattern that is checked on
 *     free and on realloc (which must keep min(old, new) bytes); calloc's
 *     bytes must be zero; heap_free must return HEAP_OK. With -d, heap_check()
 *     runs after every operation.
 *  2. Utilization: the peak of the live payload bytes (as the trace asked for
 *     them) divided by the heap's high-water mark (every byte taken from the
 *     source, the heap's own bookkeeping included).
 *  3. Speed: the trace replayed REPEATS times on heap.c and on malloc, each
 *     run on a fresh heap, without checks; the best time of each. The ratio
 *     glibc time / heap time is the throughput relative to glibc, measured in
 *     the same run (1.0 = as fast as glibc).
 *
 * -c skips pass 3. -j writes the figures as JSON. -w STEP replays the first
 * STEP operations of one trace with the checks, then prints the heap's ranges
 * (heap_walk) one a line, for tools/heapviz.py.
 * Exit status: 0 when every trace passed its checks, 1 when one failed, 2 on
 * bad arguments or an unreadable trace.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "heap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { GRANULE = 16, PATTERN_FULL = 256 * 1024, PATTERN_EDGE = 64 * 1024 };

/* ---- traces ------------------------------------------------------------- */

struct op {
    char kind; /* a(lloc) c(alloc) r(ealloc) m(emalign) f(ree) */
    uint32_t id;
    size_t size;  /* bytes (a, r, m), element size (c) */
    size_t extra; /* count (c), alignment (m) */
};

struct trace {
    char name[128];
    struct op *ops;
    size_t n_ops;
    uint32_t n_ids;
};

static int fail_usage(const char *why)
{
    fprintf(stderr, "heapdrive: %s\n", why);
    return 2;
}

/* Reads a trace; 0, or -1 with a message on stderr. */
static int read_trace(const char *path, struct trace *t)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "heapdrive: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    memset(t, 0, sizeof *t);
    const char *base = strrchr(path, '/');
    snprintf(t->name, sizeof t->name, "%s", base ? base + 1 : path);
    char *dot = strstr(t->name, ".trace");
    if (dot != NULL)
        *dot = '\0';
    size_t cap = 0, line_no = 0;
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line_no++;
        if (line_no == 1) {
            if (strncmp(line, "memcraft-trace 1", 16) != 0) {
                fprintf(stderr, "heapdrive: %s: not a memcraft trace (first line)\n", path);
                rc = -1;
                break;
            }
            continue;
        }
        if (line[0] == '#' || line[0] == '\n')
            continue;
        struct op op = {0};
        unsigned long long id = 0, a = 0, b = 0;
        int got = sscanf(line, " %c %llu %llu %llu", &op.kind, &id, &a, &b);
        bool ok = (op.kind == 'f' && got == 2) ||
                  ((op.kind == 'a' || op.kind == 'r') && got == 3) ||
                  ((op.kind == 'c' || op.kind == 'm') && got == 4);
        if (!ok || id >= UINT32_MAX) {
            fprintf(stderr, "heapdrive: %s:%zu: cannot read '%.40s'\n", path, line_no, line);
            rc = -1;
            break;
        }
        op.id = (uint32_t)id;
        if (op.kind == 'c' || op.kind == 'm') {
            op.extra = (size_t)a; /* count, or alignment */
            op.size = (size_t)b;
        } else {
            op.size = (size_t)a;
        }
        if (t->n_ops == cap) {
            cap = cap ? cap * 2 : 1024;
            struct op *grown = realloc(t->ops, cap * sizeof *grown);
            if (grown == NULL) {
                rc = -1;
                break;
            }
            t->ops = grown;
        }
        t->ops[t->n_ops++] = op;
        if (op.id + 1 > t->n_ids)
            t->n_ids = op.id + 1;
    }
    fclose(f);
    return rc;
}

/* ---- the region: memory whose break this driver controls ----------------- */

struct region {
    unsigned char *base;
    size_t brk;   /* bytes handed to the heap */
    size_t limit; /* bytes reserved */
    bool bad_request;
};

static void *region_more(void *ctx, size_t bytes)
{
    struct region *r = ctx;
    if (bytes % HEAP_ALIGN != 0) {
        r->bad_request = true;
        return NULL;
    }
    if (bytes > r->limit - r->brk)
        return NULL;
    void *old = r->base + r->brk;
    r->brk += bytes;
    return old;
}

static struct region region;

static struct heap *fresh_heap(void)
{
    region.brk = 0;
    region.bad_request = false;
    return heap_init((struct heap_source){region_more, &region});
}

/* ---- correctness ----------------------------------------------------------- */

struct block {
    unsigned char *p;
    size_t size;
    uint64_t seed;
    bool live;
};

struct checker {
    const struct trace *t;
    struct block *blocks;
    uint8_t *granules; /* one bit per 16 bytes of the region */
    struct heap *heap;
    size_t live_bytes, peak_bytes;
    size_t op_index;
    char error[512];
    bool debug;
};

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

static unsigned char pattern_byte(uint64_t seed, size_t i)
{
    return (unsigned char)(mix(seed + i / 8) >> (8 * (i % 8)));
}

/* The offset after i among those the pattern covers: every byte of a block
 * up to PATTERN_FULL bytes; of a larger one, both ends and one byte in 4096. */
static size_t next_offset(size_t size, size_t i)
{
    if (size <= PATTERN_FULL || i + 1 < PATTERN_EDGE || i + 1 >= size - PATTERN_EDGE)
        return i + 1;
    return i + 4096 < size - PATTERN_EDGE ? i + 4096 : size - PATTERN_EDGE;
}

static void fill(const struct block *b)
{
    for (size_t i = 0; i < b->size; i = next_offset(b->size, i))
        b->p[i] = pattern_byte(b->seed, i);
}

/* The first offset below upto whose byte differs from the pattern, or SIZE_MAX. */
static size_t first_damage(const struct block *b, size_t upto)
{
    for (size_t i = 0; i < upto; i = next_offset(b->size, i))
        if (b->p[i] != pattern_byte(b->seed, i))
            return i;
    return SIZE_MAX;
}

__attribute__((format(printf, 2, 3))) static bool error(struct checker *c, const char *format, ...)
{
    const struct op *op = &c->t->ops[c->op_index];
    int n =
        snprintf(c->error, sizeof c->error, "%s, operation %zu (%c %" PRIu32 " %zu): ", c->t->name,
                 c->op_index + 1, op->kind, op->id, op->size);
    va_list args;
    va_start(args, format);
    if (n >= 0 && (size_t)n < sizeof c->error)
        vsnprintf(c->error + n, sizeof c->error - (size_t)n, format, args);
    va_end(args);
    return false;
}

static size_t granule_of(const unsigned char *p)
{
    return (size_t)(p - region.base) / GRANULE;
}

static size_t granule_count(size_t size)
{
    return size == 0 ? 1 : (size + GRANULE - 1) / GRANULE;
}

static bool granule_set(const struct checker *c, size_t g)
{
    return (c->granules[g / 8] >> (g % 8)) & 1;
}

static void mark(struct checker *c, const struct block *b, bool on)
{
    size_t g = granule_of(b->p), end = g + granule_count(b->size);
    for (; g < end && g % 8 != 0; g++)
        c->granules[g / 8] ^= (uint8_t)(1u << (g % 8));
    if (g < end && end - g >= 8) {
        memset(c->granules + g / 8, on ? 0xFF : 0, (end - g) / 8);
        g += (end - g) / 8 * 8;
    }
    for (; g < end; g++)
        c->granules[g / 8] ^= (uint8_t)(1u << (g % 8));
}

/* Checks a payload just handed out: alignment, bounds, overlap. */
static bool check_new(struct checker *c, unsigned char *p, size_t size, size_t align)
{
    if (p == NULL)
        return error(c, "returned NULL (the region has %zu MiB left)",
                     (region.limit - region.brk) >> 20);
    uintptr_t at = (uintptr_t)p, lo = (uintptr_t)region.base;
    if (at % align != 0)
        return error(c, "payload %p is not aligned to %zu bytes", (void *)p, align);
    if (at < lo || at >= lo + region.brk || size > lo + region.brk - at)
        return error(c, "payload %p..+%zu is not inside the heap [%p, %p)", (void *)p, size,
                     (void *)region.base, (void *)(region.base + region.brk));
    size_t g = granule_of(p), n = granule_count(size);
    for (size_t i = 0; i < n; i++) {
        if (granule_set(c, g + i)) {
            for (uint32_t id = 0; id < c->t->n_ids; id++) {
                const struct block *o = &c->blocks[id];
                if (o->live && o->p <= p + i * GRANULE &&
                    p + i * GRANULE < o->p + granule_count(o->size) * GRANULE)
                    return error(c, "payload %p..+%zu overlaps live block %" PRIu32 " at %p..+%zu",
                                 (void *)p, size, id, (void *)o->p, o->size);
            }
            return error(c, "payload %p..+%zu overlaps a live block", (void *)p, size);
        }
    }
    if (heap_usable_size(c->heap, p) < size)
        return error(c, "heap_usable_size() is %zu, below the %zu bytes asked for",
                     heap_usable_size(c->heap, p), size);
    return true;
}

static bool check_intact(struct checker *c, const struct block *b, size_t upto, const char *when)
{
    size_t at = first_damage(b, upto);
    if (at != SIZE_MAX)
        return error(c, "byte %zu of block %p..+%zu changed %s", at, (void *)b->p, b->size, when);
    return true;
}

static void take(struct checker *c, struct block *b, unsigned char *p, size_t size)
{
    *b = (struct block){p, size, mix(c->op_index * 7919u + 1), true};
    mark(c, b, true);
    fill(b);
    c->live_bytes += size;
    if (c->live_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes;
}

static void drop(struct checker *c, struct block *b)
{
    mark(c, b, false);
    b->live = false;
    c->live_bytes -= b->size;
}

static bool step(struct checker *c, const struct op *op)
{
    struct block *b = &c->blocks[op->id];
    bool wants_live = op->kind == 'f' || op->kind == 'r';
    if (b->live != wants_live && !(op->kind == 'r' && !b->live))
        return error(c, "the trace itself is wrong: block %" PRIu32 " is %s", op->id,
                     b->live ? "live" : "not live");
    switch (op->kind) {
    case 'a': {
        unsigned char *p = heap_malloc(c->heap, op->size);
        if (!check_new(c, p, op->size, HEAP_ALIGN))
            return false;
        take(c, b, p, op->size);
        return true;
    }
    case 'm': {
        unsigned char *p = heap_aligned_alloc(c->heap, op->extra, op->size);
        if (!check_new(c, p, op->size, op->extra < HEAP_ALIGN ? HEAP_ALIGN : op->extra))
            return false;
        take(c, b, p, op->size);
        return true;
    }
    case 'c': {
        size_t bytes = op->extra * op->size;
        unsigned char *p = heap_calloc(c->heap, op->extra, op->size);
        if (!check_new(c, p, bytes, HEAP_ALIGN))
            return false;
        for (size_t i = 0; i < bytes; i++)
            if (p[i] != 0)
                return error(c, "byte %zu of a calloc block is %d, not 0", i, p[i]);
        take(c, b, p, bytes);
        return true;
    }
    case 'r': {
        if (!b->live) {
            unsigned char *p = heap_realloc(c->heap, NULL, op->size);
            if (!check_new(c, p, op->size, HEAP_ALIGN))
                return false;
            take(c, b, p, op->size);
            return true;
        }
        if (!check_intact(c, b, b->size, "before realloc"))
            return false;
        struct block old = *b;
        drop(c, b);
        unsigned char *p = heap_realloc(c->heap, old.p, op->size);
        if (!check_new(c, p, op->size, HEAP_ALIGN))
            return false;
        struct block moved = {p, old.size, old.seed, true};
        size_t kept = old.size < op->size ? old.size : op->size;
        if (!check_intact(c, &moved, kept, "by realloc (it must keep min(old, new) bytes)"))
            return false;
        take(c, b, p, op->size);
        return true;
    }
    case 'f': {
        if (!check_intact(c, b, b->size, "while it was live (another block or the heap wrote it)"))
            return false;
        drop(c, b);
        int status = heap_free(c->heap, b->p);
        if (status != HEAP_OK)
            return error(c, "heap_free() of a live block returned %d, not HEAP_OK", status);
        return true;
    }
    default:
        return error(c, "unknown operation");
    }
}

struct figures {
    bool ok;
    size_t peak_bytes, heap_bytes;
    double util, ours_seconds, glibc_seconds;
    char error[512];
};

/* Replays the first upto operations with every check; fills f. */
static struct heap *replay_checked(const struct trace *t, size_t upto, bool debug,
                                   struct figures *f, struct checker *c)
{
    *c = (struct checker){.t = t, .debug = debug};
    c->blocks = calloc(t->n_ids ? t->n_ids : 1, sizeof *c->blocks);
    c->granules = mmap(NULL, region.limit / GRANULE / 8, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    f->ok = false;
    if (c->blocks == NULL || c->granules == MAP_FAILED) {
        snprintf(f->error, sizeof f->error, "%s: out of memory in the driver", t->name);
        return NULL;
    }
    c->heap = fresh_heap();
    if (c->heap == NULL) {
        snprintf(f->error, sizeof f->error, "%s: heap_init() returned NULL", t->name);
        return NULL;
    }
    bool ok = true;
    char why[256];
    for (c->op_index = 0; ok && c->op_index < upto; c->op_index++) {
        ok = step(c, &t->ops[c->op_index]);
        if (ok && region.bad_request)
            ok = error(c, "the heap asked its source for a size that is not a multiple of 16");
        if (ok && debug && heap_check(c->heap, why, sizeof why) != 0)
            ok = error(c, "heap_check() failed: %s", why);
    }
    if (!ok) {
        snprintf(f->error, sizeof f->error, "%s", c->error);
        return NULL;
    }
    f->ok = true;
    f->peak_bytes = c->peak_bytes;
    f->heap_bytes = region.brk;
    f->util = region.brk ? (double)c->peak_bytes / (double)region.brk : 0;
    return c->heap;
}

static void checker_free(struct checker *c)
{
    free(c->blocks);
    if (c->granules != NULL && c->granules != MAP_FAILED)
        munmap(c->granules, region.limit / GRANULE / 8);
}

/* ---- speed ---------------------------------------------------------------- */

/* Keeps p alive in the compiler's eyes, so no call is merged or deleted. */
static inline void escape(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double time_heap(const struct trace *t, void **ptrs)
{
    double start = now();
    struct heap *h = fresh_heap();
    for (size_t i = 0; i < t->n_ops; i++) {
        const struct op *op = &t->ops[i];
        void **p = &ptrs[op->id];
        switch (op->kind) {
        case 'a':
            *p = heap_malloc(h, op->size);
            break;
        case 'c':
            *p = heap_calloc(h, op->extra, op->size);
            break;
        case 'm':
            *p = heap_aligned_alloc(h, op->extra, op->size);
            break;
        case 'r':
            *p = heap_realloc(h, *p, op->size);
            break;
        default:
            heap_free(h, *p);
            *p = NULL;
        }
        escape(*p);
    }
    return now() - start;
}

static double time_glibc(const struct trace *t, void **ptrs)
{
    double start = now();
    for (size_t i = 0; i < t->n_ops; i++) {
        const struct op *op = &t->ops[i];
        void **p = &ptrs[op->id];
        switch (op->kind) {
        case 'a':
            *p = malloc(op->size);
            break;
        case 'c':
            *p = calloc(op->extra, op->size);
            break;
        case 'm':
            *p = aligned_alloc(op->extra, op->size);
            break;
        case 'r':
            *p = realloc(*p, op->size);
            break;
        default:
            free(*p);
            *p = NULL;
        }
        escape(*p);
    }
    double seconds = now() - start;
    for (uint32_t id = 0; id < t->n_ids; id++) { /* what the trace left live */
        free(ptrs[id]);
        ptrs[id] = NULL;
    }
    return seconds;
}

static void measure_speed(const struct trace *t, int repeats, struct figures *f)
{
    void **ptrs = calloc(t->n_ids ? t->n_ids : 1, sizeof *ptrs);
    if (ptrs == NULL)
        return;
    f->ours_seconds = f->glibc_seconds = 1e30;
    for (int r = 0; r < repeats; r++) {
        memset(ptrs, 0, t->n_ids * sizeof *ptrs);
        double ours = time_heap(t, ptrs);
        double glibc = time_glibc(t, ptrs);
        f->ours_seconds = ours < f->ours_seconds ? ours : f->ours_seconds;
        f->glibc_seconds = glibc < f->glibc_seconds ? glibc : f->glibc_seconds;
        if (ours > 5.0) /* a slow heap: one run tells enough */
            break;
    }
    free(ptrs);
}

/* ---- walk ------------------------------------------------------------------ */

struct walk_ctx {
    const struct checker *c;
};

static void print_range(void *ctx, const struct heap_range *r)
{
    const struct checker *c = ((struct walk_ctx *)ctx)->c;
    static const char *const kinds[] = {"meta", "free", "allocated"};
    long long id = -1;
    size_t requested = 0;
    if (r->kind == HEAP_RANGE_ALLOCATED) {
        for (uint32_t i = 0; i < c->t->n_ids; i++) {
            if (c->blocks[i].live && c->blocks[i].p == r->payload) {
                id = i;
                requested = c->blocks[i].size;
                break;
            }
        }
    }
    const unsigned char *start = r->start, *payload = r->payload;
    printf("range %td %zu %s %td %zu %lld %zu\n", start - region.base, r->size,
           r->kind <= HEAP_RANGE_ALLOCATED ? kinds[r->kind] : "?", payload - start, r->usable, id,
           requested);
}

static int walk(const struct trace *t, size_t upto, bool debug)
{
    if (upto > t->n_ops)
        upto = t->n_ops;
    struct figures f = {0};
    struct checker c;
    struct heap *h = replay_checked(t, upto, debug, &f, &c);
    if (h == NULL) {
        printf("error %s\n", f.error);
        checker_free(&c);
        return 1;
    }
    printf("trace %s\nstep %zu %zu\n", t->name, upto, t->n_ops);
    if (upto > 0) {
        const struct op *op = &t->ops[upto - 1];
        printf("op %c %" PRIu32 " %zu %zu\n", op->kind, op->id, op->size, op->extra);
    }
    printf("heap %zu live %zu peak %zu\n", region.brk, c.live_bytes, c.peak_bytes);
    struct walk_ctx ctx = {&c};
    heap_walk(h, print_range, &ctx);
    char why[256];
    if (heap_check(h, why, sizeof why) != 0)
        printf("check %s\n", why);
    checker_free(&c);
    return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

int main(int argc, char **argv)
{
    bool debug = false, correctness_only = false;
    int repeats = 5;
    const char *json_path = NULL;
    long long walk_step = -1;
    int opt;
    while ((opt = getopt(argc, argv, "dcr:j:w:")) != -1) {
        switch (opt) {
        case 'd':
            debug = true;
            break;
        case 'c':
            correctness_only = true;
            break;
        case 'r':
            repeats = atoi(optarg);
            break;
        case 'j':
            json_path = optarg;
            break;
        case 'w':
            walk_step = atoll(optarg);
            break;
        default:
            return fail_usage("usage: heapdrive [-d] [-c] [-r N] [-j FILE] [-w STEP] TRACE...");
        }
    }
    if (optind >= argc || repeats < 1)
        return fail_usage("give one or more trace files");
    region.limit = (size_t)4 << 30;
    region.base = mmap(NULL, region.limit, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region.base == MAP_FAILED)
        return fail_usage("cannot reserve the heap's region");
    if (walk_step >= 0) {
        struct trace t;
        if (read_trace(argv[optind], &t) != 0)
            return 2;
        int rc = walk(&t, (size_t)walk_step, debug);
        free(t.ops);
        return rc;
    }
    int n = argc - optind;
    struct figures *all = calloc((size_t)n, sizeof *all);
    struct trace *traces = calloc((size_t)n, sizeof *traces);
    if (all == NULL || traces == NULL)
        return fail_usage("out of memory");
    bool every_ok = true;
    printf("%-22s %8s %6s %11s %11s %9s %9s %6s\n", "trace", "ops", "util", "peak live", "heap",
           "heap ms", "glibc ms", "speed");
    for (int i = 0; i < n; i++) {
        if (read_trace(argv[optind + i], &traces[i]) != 0)
            return 2;
        struct checker c;
        replay_checked(&traces[i], traces[i].n_ops, debug, &all[i], &c);
        checker_free(&c);
        if (!all[i].ok) {
            every_ok = false;
            printf("%-22s FAILED: %s\n", traces[i].name, all[i].error);
            continue;
        }
        if (correctness_only) {
            printf("%-22s %8zu %5.1f%% %11zu %11zu %9s %9s %6s\n", traces[i].name, traces[i].n_ops,
                   100 * all[i].util, all[i].peak_bytes, all[i].heap_bytes, "-", "-", "-");
            continue;
        }
        measure_speed(&traces[i], repeats, &all[i]);
        printf("%-22s %8zu %5.1f%% %11zu %11zu %9.2f %9.2f %5.2fx\n", traces[i].name,
               traces[i].n_ops, 100 * all[i].util, all[i].peak_bytes, all[i].heap_bytes,
               1e3 * all[i].ours_seconds, 1e3 * all[i].glibc_seconds,
               all[i].ours_seconds > 0 ? all[i].glibc_seconds / all[i].ours_seconds : 0);
        fflush(stdout);
    }
    if (json_path != NULL) {
        FILE *out = fopen(json_path, "w");
        if (out == NULL)
            return fail_usage("cannot write the JSON file");
        fprintf(out, "{\"ok\": %s, \"traces\": [", every_ok ? "true" : "false");
        for (int i = 0; i < n; i++) {
            fprintf(out, "%s\n {\"name\": ", i ? "," : "");
            json_string(out, traces[i].name);
            fprintf(out,
                    ", \"ops\": %zu, \"ok\": %s, \"peak\": %zu, \"heap\": %zu, \"util\": %.6f, "
                    "\"ours_seconds\": %.9f, \"glibc_seconds\": %.9f, \"error\": ",
                    traces[i].n_ops, all[i].ok ? "true" : "false", all[i].peak_bytes,
                    all[i].heap_bytes, all[i].util, all[i].ours_seconds, all[i].glibc_seconds);
            json_string(out, all[i].error);
            fputc('}', out);
        }
        fprintf(out, "]}\n");
        fclose(out);
    }
    for (int i = 0; i < n; i++)
        free(traces[i].ops);
    free(traces);
    free(all);
    return every_ok ? 0 : 1;
}
