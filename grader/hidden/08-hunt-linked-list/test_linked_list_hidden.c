/*
 * Hidden tests for bug hunt 08-hunt-linked-list: every length destroyed
 * without leaks, and copies failing part-way.
 */
#include "linked_list.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>

#define READ_LEAKS MC_READ("10.2 Leaks")
#define READ_UAF   MC_READ("10.4 Use after free and dangling pointers")

enum { MAX_LEN = 6, MAX_ALLOCS = 16 };

MC_SUITE(linked_list_edges);

static struct ll_list *list_of(size_t n)
{
    struct ll_list *list = ll_create();
    cr_assert_not_null(list, "ll_create() returned NULL, expected a list" READ_LEAKS);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "file%zu.c", i);
        cr_assert_eq(ll_push_back(list, name), 0, "ll_push_back(\"%s\") failed" READ_LEAKS, name);
    }
    return list;
}

Test(linked_list_edges, destroy_frees_lists_of_every_length)
{
    for (size_t n = 0; n <= MAX_LEN; n++) {
        struct mc_snapshot before = mc_snapshot();
        struct ll_list *list = list_of(n);
        cr_assert_eq(mc_live_blocks(), before.blocks + 1 + 2 * n,
                     "a list of %zu strings holds %zu blocks, expected %zu (list, nodes, "
                     "strings)" READ_LEAKS,
                     n, mc_live_blocks() - before.blocks, 1 + 2 * n);
        ll_destroy(list);
        mc_assert_no_leak_since(before, "ll_destroy()",
                                "10.4 Use after free and dangling pointers");
    }
    ll_destroy(NULL);
}

Test(linked_list_edges, copy_frees_everything_when_memory_runs_out)
{
    struct ll_list *list = list_of(4);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct ll_list *copy = ll_copy(list);
        mc_fail_none();
        if (copy != NULL) {
            cr_assert_eq(copy->len, 4,
                         "ll_copy() succeeded with %zu strings, expected 4" READ_LEAKS, copy->len);
            ll_destroy(copy);
        }
        mc_assert_no_leak_since(before, "ll_copy() with one allocation failing", "10.2 Leaks");
    }
    cr_assert_eq(list->len, 4, "ll_copy() changed its source: %zu strings, expected 4" READ_LEAKS,
                 list->len);
    ll_destroy(list);
}
