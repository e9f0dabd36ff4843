/*
 * Public tests for bug hunt 08-hunt-linked-list: the symptoms users reported.
 *
 * Passing these is not the end: one bug in this module only shows under
 * Valgrind (make memcheck) or AddressSanitizer (make asan).
 * Each test names the README clauses it checks (MC_CLAUSE).
 */
#include "linked_list.h"
#include "mc_test.h"

#include <stdlib.h>
#include <string.h>

#define READ_LEAKS  MC_READ("10.2 Leaks")
#define READ_DOUBLE MC_READ("10.3 Double free and invalid free")
#define READ_UAF    MC_READ("10.4 Use after free and dangling pointers")

MC_SUITE(linked_list);

static const char *const files[] = {"notes.txt", "main.c", "Makefile", "README.md", "todo"};
#define N_FILES (sizeof files / sizeof files[0])

static struct ll_list *list_of_files(void)
{
    struct ll_list *list = ll_create();
    cr_assert_not_null(list, "ll_create() returned NULL, expected a list" READ_LEAKS);
    for (size_t i = 0; i < N_FILES; i++)
        cr_assert_eq(ll_push_back(list, files[i]), 0,
                     "ll_push_back(\"%s\") failed, expected 0" READ_LEAKS, files[i]);
    return list;
}

Test(linked_list, keeps_order_through_pushes_and_removals)
{
    MC_CLAUSE("2.1", "3.1", "3.2", "4.1", "4.2", "6.1");
    struct mc_snapshot before = mc_snapshot();
    struct ll_list *list = list_of_files();
    for (size_t i = 0; i < N_FILES; i++)
        cr_assert_str_eq(ll_get(list, i), files[i],
                         "ll_get(list, %zu) is \"%s\", expected \"%s\"" READ_UAF, i,
                         ll_get(list, i), files[i]);
    cr_assert_null(ll_get(list, N_FILES),
                   "ll_get(list, len) returned a string, expected NULL" READ_UAF);

    /* Remove the middle, the tail and the head, then push again. */
    static const char *const gone[] = {"Makefile", "todo", "notes.txt"};
    static const char *const left[] = {"main.c", "README.md", "again"};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(ll_remove(list, gone[i]), 1,
                     "ll_remove(\"%s\") returned 0, expected 1" READ_UAF, gone[i]);
    cr_assert_eq(ll_remove(list, "absent"), 0,
                 "ll_remove(\"absent\") returned 1, expected 0" READ_UAF);
    cr_assert_eq(ll_push_back(list, "again"), 0,
                 "ll_push_back(\"again\") failed, expected 0" READ_UAF);
    cr_assert_eq(list->len, 3, "the list holds %zu strings, expected 3" READ_UAF, list->len);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(ll_get(list, i), left[i],
                         "ll_get(list, %zu) is \"%s\", expected \"%s\"" READ_UAF, i,
                         ll_get(list, i), left[i]);
    ll_destroy(list);
    mc_assert_no_leak_since(before, "building, editing and destroying a list", "10.2 Leaks");
}

/* A saved session (the copy) and the open list: the user closes every file
 * of the open list, then of the session. Each must be untouched by the other. */
Test(linked_list, copy_shares_no_memory_with_the_original)
{
    MC_CLAUSE("5.1");
    struct ll_list *list = list_of_files();
    struct ll_list *copy = ll_copy(list);
    cr_assert_not_null(copy, "ll_copy() returned NULL, expected a copy" READ_DOUBLE);
    cr_assert_eq(copy->len, N_FILES, "the copy holds %zu strings, expected %zu" READ_DOUBLE,
                 copy->len, N_FILES);
    for (size_t i = 0; i < N_FILES; i++) {
        const char *mine = ll_get(list, i);
        const char *theirs = ll_get(copy, i);
        cr_assert_str_eq(theirs, mine, "copy[%zu] is \"%s\", expected \"%s\"" READ_DOUBLE, i,
                         theirs, mine);
        cr_assert_neq((void *)theirs, (void *)mine,
                      "copy[%zu] is the original's string itself (%p), expected a private copy: "
                      "destroying both lists would free it twice" READ_DOUBLE,
                      i, (void *)theirs);
    }
    /* Closing every file of the open list frees its strings: the copy keeps its own. */
    for (size_t i = 0; i < N_FILES; i++)
        cr_assert_eq(ll_remove(list, files[i]), 1,
                     "ll_remove(\"%s\") from the original returned 0, expected 1" READ_UAF,
                     files[i]);
    for (size_t i = 0; i < N_FILES; i++)
        cr_assert_str_eq(
            ll_get(copy, i), files[i],
            "after the original removed its strings, copy[%zu] is \"%s\", expected \"%s\"" READ_UAF,
            i, ll_get(copy, i), files[i]);
    for (size_t i = 0; i < N_FILES; i++)
        cr_assert_eq(ll_remove(copy, files[i]), 1,
                     "ll_remove(\"%s\") from the copy returned 0, expected 1" READ_DOUBLE,
                     files[i]);
    ll_destroy(list);
    ll_destroy(copy);
}
