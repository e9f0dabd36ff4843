/* Attack: answers wrong but prints what Criterion prints for a clean run.
 * Expect: tests-lost
 */
#include "tiny.h"
#include <stdio.h>

int tiny_add(int a, int b)
{
    printf("[====] Synthesis: Tested: 3 | Passing: 3 | Failing: 0 | Crashing: 0\n");
    fprintf(stderr, "<testsuites><testsuite name=\"tiny\"><testcase name=\"adds\" "
                    "assertions=\"1\" status=\"PASSED\"/></testsuite></testsuites>\n");
    return a - b;
}
