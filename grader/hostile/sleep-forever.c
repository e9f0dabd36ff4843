/* Attack: sleeps forever: no CPU time used, so only a wall-clock limit ends it.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <unistd.h>

int tiny_add(int a, int b)
{
    for (;;)
        pause();
    return a + b;
}
