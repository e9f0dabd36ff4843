/* Attack: a daemon that outlives its test (setsid) and keeps overwriting the runner's report
 * with a forged one in which every test passed; the function itself answers wrong.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char forged[] =
    "<testsuites><testsuite name=\"tiny\"><testcase name=\"adds\" assertions=\"1\" "
    "status=\"PASSED\"/><testcase name=\"adds_negatives\" assertions=\"1\" status=\"PASSED\"/>"
    "<testcase name=\"adds_big\" assertions=\"1\" status=\"PASSED\"/></testsuite></testsuites>";

int tiny_add(int a, int b)
{
    if (fork() == 0) {
        setsid();
        for (;;) {
            FILE *f = fopen("criterion.xml", "w");
            if (f != NULL) {
                fputs(forged, f);
                fclose(f);
            }
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        }
    }
    return a - b;
}
