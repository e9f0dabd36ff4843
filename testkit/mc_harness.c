/*
 * mc_harness.c: runs a test binary's Criterion tests under one start of Valgrind.
 *
 * Why: Criterion 2.4 runs every test in a worker process that re-executes the
 * binary, and has no mode without workers (2.4 removed --single). Under
 * Valgrind each worker pays Valgrind's start-up again, about a second, which
 * made the memory check most of a grade's time.
 *
 * How: this file is a second main() for the same test objects, linked into a
 * binary of its own (never with the student's code in charge of it: the
 * harness is ours, the student's objects are linked in beside the tests as in
 * the Criterion binary). It walks the tests that Criterion's Test() macro
 * registers in the cr_tst section (and the suites of TestSuite() in cr_sts,
 * for their fixtures and time limits), and runs each test in a child made by
 * fork() alone, without exec: the child is a copy of an already running,
 * already instrumented process, so Valgrind starts once per binary, while
 * every test still begins from a fresh copy of every global, as in
 * Criterion's own workers, and a crash or a hang ends only that child.
 *
 * The calls that the test code makes into Criterion's runtime are redirected
 * to this file at link time (-Wl,--wrap=...): the test's set-up, body and
 * tear-down (criterion_internal_test_setup/main/teardown), the assertion
 * reports (criterion_send_assert, cri_asserts_passed_incr) and the jumps out
 * of a failed test (criterion_abort_test, criterion_test_die); and the two
 * variables that name the running test (criterion_current_test/_suite). So
 * no runner process and no message transport are needed, and the tests, the
 * test kit and the student's code are the very objects of the Criterion run.
 *
 * Usage: harness --list            the tests, "suite::name" per line
 *        harness REPORT [FIRST]    runs the tests from index FIRST (0)
 * REPORT gets a line per event, flushed as it happens, so that whoever runs
 * the harness knows how far it got even if the harness itself dies:
 *   B <tab> index <tab> suite::name                       before the test
 *   R <tab> index <tab> status <tab> asserts <tab> suite::name <tab> message
 * status is PASSED, FAILED, CRASHED (with the signal in the message),
 * TIMEOUT, SKIPPED or UNSUPPORTED (a parameterized test, or one that expects
 * a signal or an exit status: the grader runs those per test, as before).
 * MC_HARNESS_TIMEOUT_SCALE multiplies each test's time limit (Valgrind is
 * 20 to 50 times slower than a native run); MC_HARNESS_TIMEOUT_MAX caps it.
 *
 * Ownership: the harness owns nothing of the tests; each child owns its copy.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/stats.h>
#include <criterion/types.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What Test() and TestSuite() register; the linker provides the bounds. */
extern struct criterion_test *__start_cr_tst[];
extern struct criterion_test *__stop_cr_tst[];
extern struct criterion_suite *__start_cr_sts[] __attribute__((weak));
extern struct criterion_suite *__stop_cr_sts[] __attribute__((weak));

/* The running test, as the test kit reads it (criterion_current_test). */
const struct criterion_test *__wrap_criterion_current_test;
const struct criterion_suite *__wrap_criterion_current_suite;

#define MESSAGE_MAX 4096

/* ---- inside a child: one test ------------------------------------------- */

static jmp_buf *escape;           /* where a failed assertion jumps to */
static size_t asserts;            /* assertions made, passed or failed */
static int failed;                /* an assertion failed */
static char message[MESSAGE_MAX]; /* the first failure's "file:line: message" */

static void note_failure(const char *file, unsigned line, const char *text)
{
    failed = 1;
    if (message[0] == '\0')
        snprintf(message, sizeof message, "%s:%u: %s", file ? file : "?", line, text ? text : "");
}

void __wrap_cri_asserts_passed_incr(void)
{
    asserts++;
}

void __wrap_criterion_send_assert(struct criterion_assert_stats *stats)
{
    if (!stats->passed) {
        asserts++;
        note_failure(stats->file, stats->line, stats->message);
    }
}

void __wrap_criterion_abort_test(void)
{
    if (escape != NULL)
        longjmp(*escape, 1);
    _exit(3); /* an assertion outside any test body: nothing to return to */
}

void __wrap_criterion_continue_test(void) {}

void __wrap_criterion_test_die(const char *fmt, ...)
{
    char text[MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    note_failure("(criterion)", 0, text);
    __wrap_criterion_abort_test();
}

static void run_fixture(void (*fn)(void))
{
    jmp_buf here;
    jmp_buf *outer = escape;
    if (fn != NULL) {
        escape = &here;
        if (setjmp(here) == 0)
            fn();
        escape = outer;
    }
}

void __wrap_criterion_internal_test_setup(void)
{
    const struct criterion_suite *suite = __wrap_criterion_current_suite;
    if (suite != NULL && suite->data != NULL)
        run_fixture(suite->data->init);
    run_fixture(__wrap_criterion_current_test->data->init);
}

void __wrap_criterion_internal_test_main(void (*fn)(void))
{
    if (failed)
        return; /* a fixture failed: the body does not run */
    run_fixture(fn);
}

void __wrap_criterion_internal_test_teardown(void)
{
    const struct criterion_suite *suite = __wrap_criterion_current_suite;
    run_fixture(__wrap_criterion_current_test->data->fini);
    if (suite != NULL && suite->data != NULL)
        run_fixture(suite->data->fini);
}

/* Runs one test and writes "status asserts message" to fd; never returns. */
static void child(const struct criterion_test *test, int fd)
{
    test->test(); /* the Test() trampoline: set-up, body, tear-down */
    char line[MESSAGE_MAX + 64];
    int n =
        snprintf(line, sizeof line, "%s\t%zu\t%s", failed ? "FAILED" : "PASSED", asserts, message);
    if (n > 0 && write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        _exit(4);
    _exit(0);
}

/* ---- the parent: every test, one child each -------------------------------- */

static const struct criterion_suite *suite_of(const struct criterion_test *test)
{
    if (__start_cr_sts == NULL)
        return NULL;
    for (struct criterion_suite **s = __start_cr_sts; s < __stop_cr_sts; s++)
        if (*s != NULL && strcmp((*s)->name, test->category) == 0)
            return *s;
    return NULL;
}

static double time_limit(const struct criterion_test *test, const struct criterion_suite *suite)
{
    double limit = test->data->timeout;
    if (limit <= 0 && suite != NULL && suite->data != NULL)
        limit = suite->data->timeout;
    if (limit <= 0)
        limit = 60;
    const char *scale = getenv("MC_HARNESS_TIMEOUT_SCALE");
    const char *most = getenv("MC_HARNESS_TIMEOUT_MAX");
    limit *= scale != NULL && atof(scale) > 0 ? atof(scale) : 1.0;
    if (most != NULL && atof(most) > 0 && limit > atof(most))
        limit = atof(most);
    return limit;
}

/* Writes s with tabs and newlines escaped, so that a result stays on one line. */
static void put_escaped(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else if (*s == '\\')
            fputs("\\\\", out);
        else
            fputc(*s, out);
    }
}

static void result(FILE *out, size_t index, const struct criterion_test *test, const char *status,
                   size_t count, const char *text)
{
    fprintf(out, "R\t%zu\t%s\t%zu\t%s::%s\t", index, status, count, test->category, test->name);
    put_escaped(out, text);
    fputc('\n', out);
    fflush(out);
}

/* Waits for pid up to seconds; kills it past that. Returns its wait status, or
 * -1 when it was killed for time. SIGCHLD is blocked by the caller. */
static int wait_for(pid_t pid, double seconds)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int status;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return status;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = seconds - (double)(now.tv_sec - start.tv_sec) -
                      (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (done < 0 || left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        double step = left < 0.2 ? left : 0.2;
        struct timespec nap = {0, (long)(step * 1e9)};
        sigtimedwait(&chld, NULL, &nap); /* wakes early when a child ends */
    }
}

static void run_one(FILE *out, size_t index, const struct criterion_test *test)
{
    const struct criterion_suite *suite = suite_of(test);
    fprintf(out, "B\t%zu\t%s::%s\n", index, test->category, test->name);
    fflush(out);
    if (test->data->disabled || (suite && suite->data && suite->data->disabled)) {
        result(out, index, test, "SKIPPED", 0, "disabled");
        return;
    }
    if (test->data->kind_ != CR_TEST_NORMAL || test->data->signal != 0 ||
        test->data->exit_code != 0) {
        result(out, index, test, "UNSUPPORTED", 0, "run per test");
        return;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        result(out, index, test, "CRASHED", 0, "the harness could not make a pipe");
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* the test runs as in a worker */
        close(fds[0]);
        close(fileno(out)); /* the report is the parent's alone */
        __wrap_criterion_current_test = test;
        __wrap_criterion_current_suite = suite;
        child(test, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        result(out, index, test, "CRASHED", 0, "the harness could not fork");
        return;
    }
    int status = wait_for(pid, time_limit(test, suite));
    char line[MESSAGE_MAX + 64] = "";
    ssize_t got = read(fds[0], line, sizeof line - 1);
    close(fds[0]);
    line[got > 0 ? got : 0] = '\0';
    char text[160];
    if (status == -1) {
        result(out, index, test, "TIMEOUT", 0, "the test ran past its time limit");
    } else if (WIFSIGNALED(status)) {
        snprintf(text, sizeof text, "The test crashed (signal %d).", WTERMSIG(status));
        result(out, index, test, "CRASHED", 0, text);
    } else if (got <= 0 || WEXITSTATUS(status) != 0) {
        snprintf(text, sizeof text, "The test ended the process (exit status %d).",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        result(out, index, test, "CRASHED", 0, text);
    } else {
        char *verdict = strtok(line, "\t");
        char *count = strtok(NULL, "\t");
        char *rest = strtok(NULL, "");
        result(out, index, test, verdict ? verdict : "CRASHED",
               count ? strtoul(count, NULL, 10) : 0, rest ? rest : "");
    }
}

/* MC_HARNESS_ONLY, when set, lists the tests to run ("suite::test", one per
 * line): the grader's second pass, which asks Valgrind where the uninitialized
 * values of those tests were created (--track-origins, too slow for every test). */
static int chosen(const struct criterion_test *test)
{
    const char *only = getenv("MC_HARNESS_ONLY");
    if (only == NULL)
        return 1;
    size_t suite = strlen(test->category), name = strlen(test->name);
    for (const char *line = only; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len == suite + 2 + name && strncmp(line, test->category, suite) == 0 &&
            strncmp(line + suite, "::", 2) == 0 && strncmp(line + suite + 2, test->name, name) == 0)
            return 1;
        line += len + (end != NULL);
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t count = (size_t)(__stop_cr_tst - __start_cr_tst);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < count; i++)
            if (__start_cr_tst[i] != NULL)
                printf("%s::%s\n", __start_cr_tst[i]->category, __start_cr_tst[i]->name);
        return 0;
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s --list | %s REPORT [FIRST]\n", argv[0], argv[0]);
        return 2;
    }
    FILE *out = fopen(argv[1], "a");
    if (out == NULL) {
        perror(argv[1]);
        return 2;
    }
    size_t first = argc == 3 ? strtoul(argv[2], NULL, 10) : 0;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    for (size_t i = first; i < count; i++)
        if (__start_cr_tst[i] != NULL && chosen(__start_cr_tst[i]))
            run_one(out, i, __start_cr_tst[i]);
    fprintf(out, "E\t%zu\n", count);
    fclose(out);
    return 0;
}
