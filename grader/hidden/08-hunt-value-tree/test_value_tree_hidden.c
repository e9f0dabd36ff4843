/*
 * Hidden tests for bug hunt 08-hunt-value-tree: removing from anywhere in
 * an object, replacing a key, and every allocation failing in turn.
 */
#include "mc_test.h"
#include "value_tree.h"

#include <stdlib.h>
#include <string.h>

#define READ_OWNERS MC_READ("3.3 Borrowed pointers")
#define READ_TEST   MC_READ("13.5 Fix minimally and pin it with a test")

enum { MAX_ALLOCS = 16 };

MC_SUITE(value_tree_edges);

static struct vt_node *five_numbers(void)
{
    static const char *const keys[] = {"a", "b", "c", "d", "e"};
    struct vt_node *obj = vt_new_object();
    cr_assert_not_null(obj, "vt_new_object() returned NULL" READ_TEST);
    for (int i = 0; i < 5; i++) {
        struct vt_node *n = vt_new_number(i);
        cr_assert_not_null(n, "vt_new_number(%d) returned NULL" READ_TEST, i);
        cr_assert_eq(vt_set(obj, keys[i], n), 0, "vt_set(obj, \"%s\", ...) failed" READ_TEST,
                     keys[i]);
    }
    return obj;
}

Test(value_tree_edges, removes_children_from_anywhere_and_replaces_keys)
{
    struct vt_node *obj = five_numbers();
    static const char *const order[] = {"c", "a", "e", "d", "b"};
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(vt_remove(obj, order[i]), 0, "vt_remove(obj, \"%s\") failed" READ_TEST,
                     order[i]);
        cr_assert_null(vt_get(obj, order[i]), "\"%s\" is still there after vt_remove()" READ_TEST,
                       order[i]);
        cr_assert_eq(vt_count(obj), 4 - i,
                     "%zu children after %zu removals, expected %zu" READ_TEST, vt_count(obj),
                     i + 1, 4 - i);
        cr_assert_eq(vt_remove(obj, order[i]), -1,
                     "removing \"%s\" twice succeeded, expected -1" READ_TEST, order[i]);
    }
    vt_free(obj);

    obj = five_numbers();
    struct vt_node *s = vt_new_string("replaced");
    cr_assert_not_null(s, "vt_new_string() returned NULL" READ_OWNERS);
    cr_assert_eq(vt_set(obj, "c", s), 0, "vt_set() over an existing key failed" READ_OWNERS);
    cr_assert_eq(vt_count(obj), 5, "replacing a key left %zu children, expected 5" READ_OWNERS,
                 vt_count(obj));
    cr_assert_str_eq(vt_text(vt_get(obj, "c")), "replaced",
                     "\"c\" reads \"%s\" after replacing it, expected \"replaced\"" READ_OWNERS,
                     vt_text(vt_get(obj, "c")));
    cr_assert_str_eq(vt_text(vt_get(obj, "d")), "3",
                     "\"d\" reads \"%s\" after replacing \"c\", expected \"3\"" READ_OWNERS,
                     vt_text(vt_get(obj, "d")));
    vt_free(obj);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after vt_free(), expected 0" READ_OWNERS,
                 mc_live_blocks());
}

Test(value_tree_edges, frees_everything_when_memory_runs_out)
{
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        mc_fail_nth_alloc(n);
        struct vt_node *root = vt_new_object();
        struct vt_node *inner = vt_new_object();
        struct vt_node *name = vt_new_string("memcraft");
        int ok = 0;
        if (root == NULL || inner == NULL || name == NULL) {
            vt_free(inner);
            vt_free(name);
        } else if (vt_set(inner, "name", name) != 0) {
            vt_free(inner); /* vt_set() freed name */
        } else {
            ok = vt_set(root, "inner", inner) == 0; /* on failure it freed inner */
        }
        mc_fail_none();
        if (ok)
            cr_assert_str_eq(vt_text(vt_get(vt_get(root, "inner"), "name")), "memcraft",
                             "root.inner.name is wrong after a successful build" READ_OWNERS);
        vt_free(root);
        cr_assert_eq(mc_live_blocks(), 0,
                     "with allocation %zu failing, %zu block(s) stayed live, expected 0" READ_TEST,
                     n, mc_live_blocks());
    }
}
