/*
 * Public tests for bug hunt 08-hunt-value-tree: the symptoms users reported.
 *
 * Passing them is not the end: one bug only shows under AddressSanitizer
 * (make asan) or Valgrind (make memcheck).
 */
#include "mc_test.h"
#include "value_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_OWNERS MC_READ("3.3 Borrowed pointers")
#define READ_FIRST  MC_READ("13.3 Read the first error first")

enum { USERS = 5 };

MC_SUITE(value_tree);

Test(value_tree, strings_are_copied_so_the_caller_keeps_its_own)
{
    MC_CLAUSE("1.3", "6.1");
    struct vt_node *users = vt_new_object();
    cr_assert_not_null(users, "vt_new_object() returned NULL" READ_OWNERS);
    char key[16];
    char name[16]; /* one buffer, reused for every user: the tree must copy */
    for (int i = 0; i < USERS; i++) {
        snprintf(key, sizeof key, "id%d", i);
        snprintf(name, sizeof name, "user-%d", i);
        struct vt_node *s = vt_new_string(name);
        cr_assert_not_null(s, "vt_new_string(\"%s\") returned NULL" READ_OWNERS, name);
        cr_assert_eq(vt_set(users, key, s), 0, "vt_set(users, \"%s\", ...) failed" READ_OWNERS,
                     key);
    }
    strcpy(name, "overwritten");
    cr_assert_eq(vt_count(users), (size_t)USERS,
                 "the object has %zu children, expected %d" READ_OWNERS, vt_count(users), USERS);
    for (int i = 0; i < USERS; i++) {
        char want[16];
        snprintf(key, sizeof key, "id%d", i);
        snprintf(want, sizeof want, "user-%d", i);
        struct vt_node *s = vt_get(users, key);
        cr_assert_not_null(s, "vt_get(users, \"%s\") returned NULL" READ_OWNERS, key);
        cr_assert_str_eq(vt_text(s), want,
                         "user \"%s\" is called \"%s\", expected \"%s\": the tree kept the "
                         "caller's buffer instead of a copy" READ_OWNERS,
                         key, vt_text(s), want);
    }
    vt_free(users);
}

Test(value_tree, numbers_read_back_as_their_own_text)
{
    MC_CLAUSE("6.2");
    static const double values[] = {1.5, -42, 0.25, 1e10, 3};
    static const char *const texts[] = {"1.5", "-42", "0.25", "10000000000", "3"};
    enum { N = sizeof values / sizeof values[0] };
    struct vt_node *nodes[N];
    const char *shown[N];
    for (size_t i = 0; i < N; i++) {
        nodes[i] = vt_new_number(values[i]);
        cr_assert_not_null(nodes[i], "vt_new_number(%g) returned NULL" READ_FIRST, values[i]);
    }
    /* Ask for every text first, then look at them: each must still be there. */
    for (size_t i = 0; i < N; i++)
        shown[i] = vt_text(nodes[i]);
    for (size_t i = 0; i < N; i++) {
        cr_assert_not_null(shown[i], "vt_text(number %g) returned NULL" READ_FIRST, values[i]);
        cr_assert_str_eq(shown[i], texts[i],
                         "vt_text(number %g) reads \"%s\", expected \"%s\"" READ_FIRST, values[i],
                         shown[i], texts[i]);
    }
    for (size_t i = 0; i < N; i++)
        vt_free(nodes[i]);
}
