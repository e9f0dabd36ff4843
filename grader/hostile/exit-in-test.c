/* Attack: ends each test with _exit(0) before its assertions run.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <unistd.h>

int tiny_add(int a, int b)
{
    _exit(0);
    return a + b;
}
