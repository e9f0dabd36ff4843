/* Attack: spins forever with every signal blocked, so Criterion's own timeout cannot stop it.
 * Expect: audit
 * Without-audit: tests-lost
 */
#include "tiny.h"
#include <signal.h>
#include <stddef.h>

int tiny_add(int a, int b)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (volatile int spin = 1; spin;)
        ;
    return a + b;
}
