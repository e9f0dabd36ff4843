/* Attack: ends the runner with exit(0) before any test runs.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <stdlib.h>

__attribute__((constructor)) static void early(void)
{
    exit(0);
}

int tiny_add(int a, int b)
{
    return a + b;
}
