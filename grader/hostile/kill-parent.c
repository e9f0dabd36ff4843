/* Attack: kills the test runner, and then its whole process group.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <signal.h>
#include <unistd.h>

int tiny_add(int a, int b)
{
    kill(getppid(), SIGKILL);
    kill(0, SIGKILL);
    return a + b;
}
