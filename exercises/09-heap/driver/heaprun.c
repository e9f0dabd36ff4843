/*
 * heaprun.c: runs a program with or without a preloaded allocator and
 * measures it.
 *
 *     heaprun [-p LIBRARY] OUT ERR -- PROGRAM [ARG...]
 *
 * Runs PROGRAM with its standard output in the file OUT and its standard
 * error in ERR; with -p, LD_PRELOAD=LIBRARY is set for PROGRAM (and what it
 * starts), not for heaprun itself. Prints one line:
 *
 *     status S seconds T maxrss_kb M
 *
 * S is the exit status, or 128 + the signal that killed PROGRAM; T its wall
 * time; M the largest resident set of PROGRAM and of every process it waited
 * for (getrusage RUSAGE_CHILDREN). Exit status 0, or 2 if PROGRAM could not
 * be started.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *preload = NULL;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
        preload = argv[i + 1];
        i += 2;
    }
    if (argc - i < 4 || strcmp(argv[i + 2], "--") != 0) {
        fprintf(stderr, "usage: heaprun [-p LIBRARY] OUT ERR -- PROGRAM [ARG...]\n");
        return 2;
    }
    const char *out = argv[i], *err = argv[i + 1];
    char **program = &argv[i + 3];
    double start = now();
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        if (preload != NULL && setenv("LD_PRELOAD", preload, 1) != 0)
            _exit(127);
        execvp(program[0], program);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return 2;
    double seconds = now() - start;
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("status %d seconds %.6f maxrss_kb %ld\n", code, seconds, usage.ru_maxrss);
    return 0;
}
