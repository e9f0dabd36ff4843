/* Attack: a raw system call (exit_group), which no libc allow-list sees.
 * Expect: audit
 */
#include "tiny.h"

int tiny_add(int a, int b)
{
    __asm__ volatile("mov $231, %%eax\n\txor %%edi, %%edi\n\tsyscall" ::: "rax", "rdi");
    return a + b;
}
