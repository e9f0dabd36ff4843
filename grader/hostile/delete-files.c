/* Attack: deletes and overwrites whatever it can reach: the test binary, the grader's
 * files, a canary the self-test left in the repository.
 * Expect: audit
 * Without-audit: full-marks
 */
#include "tiny.h"
#include <stdio.h>
#include <unistd.h>

int tiny_add(int a, int b)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        remove(self);
    }
    remove("@CANARY@");
    FILE *f = fopen("@CANARY@", "w");
    if (f != NULL)
        fclose(f);
    return a + b;
}
