/*
 * Hidden tests for bug hunt 08-hunt-linked-list: every length destroyed
 * without leaks, copies changed on either side, and allocations failing.
 *
 * A bug hunt earns its points per bug fixed, judged by the tests of the
 * clause the bug breaks. The tests of the copy (5.1) therefore empty both
 * lists with ll_remove() before destroying them, so that they see the copy
 * alone; the tests of ll_destroy() (6.1) never copy.
 *
 * Every test makes the same number of assertions whichever way a call goes
 * (the grader compares the count with the reference solution's).
 */
#include "linked_list.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_LEAKS  MC_READ("10.2 Leaks")
#define READ_DOUBLE MC_READ("10.3 Double free and invalid free")
#define READ_UAF    MC_READ("10.4 Use after free and dangling pointers")

enum { MAX_LEN = 6, MAX_ALLOCS = 16, NAME_MAX = 32 };

MC_SUITE(linked_list_edges);

static void name_of(char *name, size_t i)
{
    snprintf(name, NAME_MAX, "file%zu.c", i);
}

static struct ll_list *list_of(size_t n)
{
    struct ll_list *list = ll_create();
    cr_assert_not_null(list, "ll_create() returned NULL, expected a list" READ_LEAKS);
    for (size_t i = 0; i < n; i++) {
        char name[NAME_MAX];
        name_of(name, i);
        cr_assert_eq(ll_push_back(list, name), 0,
                     "ll_push_back(\"%s\") failed, expected 0" READ_LEAKS, name);
    }
    return list;
}

/* Removes every string, from the head, then destroys the empty list. */
static void empty_then_destroy(struct ll_list *list, const char *which)
{
    while (list->len > 0) {
        char name[NAME_MAX];
        const char *head = ll_get(list, 0);
        cr_assert(head != NULL && strlen(head) < sizeof name,
                  "ll_get(%s, 0) returned %s with len %zu, expected its head string" READ_UAF,
                  which, head == NULL ? "NULL" : "an overlong string", list->len);
        strcpy(name, head);
        cr_assert_eq(ll_remove(list, name), 1,
                     "ll_remove(\"%s\") of the head of %s returned 0, expected 1" READ_UAF, name,
                     which);
    }
    ll_destroy(list);
}

/* The nodes of list, from the head, and what their strings hold. */
struct picture {
    size_t len;
    const struct ll_node *nodes[MAX_LEN + 1];
    const char *values[MAX_LEN + 1];
    char text[MAX_LEN + 1][NAME_MAX];
};

static void take_picture(const struct ll_list *list, struct picture *p)
{
    p->len = list->len;
    const struct ll_node *node = list->head;
    for (size_t i = 0; i < p->len && i <= MAX_LEN; i++, node = node->next) {
        p->nodes[i] = node;
        p->values[i] = node->value;
        snprintf(p->text[i], NAME_MAX, "%s", node->value);
    }
}

/* One assertion: list still has the nodes, strings and texts of p. */
static void assert_unchanged(const struct ll_list *list, const struct picture *p, const char *call,
                             const char *note)
{
    int same = list->len == p->len;
    const struct ll_node *node = list->head;
    const struct ll_node *last = NULL;
    for (size_t i = 0; same && i < p->len; i++, node = node->next) {
        same = node != NULL && node == p->nodes[i] && node->value == p->values[i] &&
               strcmp(node->value, p->text[i]) == 0;
        last = node;
    }
    same = same && node == NULL && list->tail == last && (p->len > 0 || list->head == NULL);
    cr_assert(same,
              "%s (made to fail: %s) changed the list: expected the same %zu nodes and "
              "strings as before" READ_LEAKS,
              call, note, p->len);
}

Test(linked_list_edges, create_gives_an_empty_list_or_null)
{
    MC_CLAUSE("1.1", "1.2");
    struct ll_list *list = ll_create();
    cr_assert_not_null(list, "ll_create() returned NULL, expected a list" READ_LEAKS);
    cr_assert(list->head == NULL && list->tail == NULL && list->len == 0,
              "ll_create() gave head %p, tail %p, len %zu, expected NULL, NULL, 0" READ_LEAKS,
              (void *)list->head, (void *)list->tail, list->len);
    ll_destroy(list);
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    list = ll_create();
    mc_fail_none();
    cr_assert_null(list, "ll_create() returned a list, expected NULL (made to fail: %s)" READ_LEAKS,
                   mc_fail_note());
    mc_assert_no_leak_since(before, "a failed ll_create()", "10.2 Leaks");
}

Test(linked_list_edges, push_back_keeps_its_own_copy_at_the_tail)
{
    MC_CLAUSE("2.1");
    struct ll_list *list = list_of(2);
    char buffer[NAME_MAX] = "changing.txt";
    cr_assert_eq(ll_push_back(list, buffer), 0,
                 "ll_push_back(\"%s\") failed, expected 0" READ_LEAKS, buffer);
    const struct ll_node *tail = list->tail;
    cr_assert(tail != NULL && tail->next == NULL && tail->value != buffer &&
                  tail->len == strlen(buffer) && mc_live_size_of(tail->value) > tail->len,
              "after ll_push_back(\"%s\"), the tail is not a node holding its own %zu-byte "
              "copy with len %zu, as expected" READ_UAF,
              buffer, strlen(buffer) + 1, strlen(buffer));
    cr_assert_eq(list->len, 3, "the list holds %zu strings, expected 3" READ_LEAKS, list->len);
    strcpy(buffer, "overwritten");
    cr_assert_str_eq(ll_get(list, 2), "changing.txt",
                     "after the caller changed its buffer, the list holds \"%s\", expected "
                     "\"changing.txt\"" READ_UAF,
                     ll_get(list, 2));
    ll_destroy(list);
}

Test(linked_list_edges, a_failed_push_back_leaves_the_list_as_it_was)
{
    MC_CLAUSE("2.2");
    for (size_t start = 0; start <= 2; start++) {
        struct ll_list *list = list_of(start);
        for (size_t n = 1; n <= 2; n++) {
            struct picture p;
            take_picture(list, &p);
            struct mc_snapshot before = mc_snapshot();
            mc_fail_nth_alloc(n);
            int rc = ll_push_back(list, "refused.txt");
            mc_fail_none();
            cr_assert_eq(rc, -1,
                         "ll_push_back() returned %d, expected -1 (made to fail: %s)" READ_LEAKS,
                         rc, mc_fail_note());
            mc_assert_no_leak_since(before, "a failed ll_push_back()", "10.2 Leaks");
            assert_unchanged(list, &p, "a failed ll_push_back()", mc_fail_note());
        }
        ll_destroy(list);
    }
}

Test(linked_list_edges, get_counts_from_the_head_and_stops_at_len)
{
    MC_CLAUSE("3.1", "3.2");
    struct ll_list *list = list_of(4);
    for (size_t i = 0; i < 4; i++) {
        char want[NAME_MAX];
        name_of(want, i);
        const char *got = ll_get(list, i);
        cr_assert(got != NULL && strcmp(got, want) == 0,
                  "ll_get(list, %zu) returned \"%s\", expected \"%s\"" READ_UAF, i,
                  got != NULL ? got : "(null)", want);
    }
    static const size_t past[] = {4, 5, 100, (size_t)-1};
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++)
        cr_assert_null(ll_get(list, past[i]),
                       "ll_get(list of 4, %zu) returned a string, expected NULL" READ_UAF, past[i]);
    ll_destroy(list);
    list = list_of(0);
    cr_assert_null(ll_get(list, 0),
                   "ll_get(empty list, 0) returned a string, expected NULL" READ_UAF);
    ll_destroy(list);
}

Test(linked_list_edges, remove_takes_the_first_match_and_keeps_head_and_tail_right)
{
    MC_CLAUSE("4.1", "4.2");
    struct ll_list *list = ll_create();
    cr_assert_not_null(list, "ll_create() returned NULL, expected a list" READ_LEAKS);
    static const char *const names[] = {"a", "b", "a", "c"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(ll_push_back(list, names[i]), 0,
                     "ll_push_back(\"%s\") failed, expected 0" READ_LEAKS, names[i]);
    const struct ll_node *second_a = list->head->next->next;
    struct mc_snapshot before = mc_snapshot();
    cr_assert_eq(ll_remove(list, "a"), 1, "ll_remove(\"a\") returned 0, expected 1" READ_UAF);
    cr_assert(list->len == 3 && list->head != NULL && list->head->next == second_a,
              "ll_remove(\"a\") did not remove the first \"a\", expected the head to go and len "
              "3" READ_UAF);
    cr_assert_eq(mc_live_blocks(), before.blocks - 2,
                 "ll_remove() freed %zu blocks, expected 2 (the node and its string)" READ_LEAKS,
                 before.blocks - mc_live_blocks());
    cr_assert_eq(ll_remove(list, "c"), 1, "ll_remove(\"c\") returned 0, expected 1" READ_UAF);
    cr_assert(list->tail == second_a && second_a->next == NULL,
              "after removing the tail, tail is not the node before it, as expected" READ_UAF);
    cr_assert_eq(ll_push_back(list, "d"), 0, "ll_push_back(\"d\") failed, expected 0" READ_LEAKS);
    cr_assert_str_eq(ll_get(list, 2), "d",
                     "after removing the tail and pushing \"d\", ll_get(list, 2) is \"%s\", "
                     "expected \"d\"" READ_UAF,
                     ll_get(list, 2));

    struct picture p;
    take_picture(list, &p);
    cr_assert_eq(ll_remove(list, "absent"), 0,
                 "ll_remove(\"absent\") returned 1, expected 0" READ_UAF);
    cr_assert_eq(ll_remove(list, ""), 0, "ll_remove(\"\") returned 1, expected 0" READ_UAF);
    assert_unchanged(list, &p, "ll_remove() of a missing string", "nothing");

    static const char *const rest[] = {"b", "a", "d"};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(ll_remove(list, rest[i]), 1,
                     "ll_remove(\"%s\") returned 0, expected 1" READ_UAF, rest[i]);
    cr_assert(list->head == NULL && list->tail == NULL && list->len == 0,
              "after removing every string, head %p, tail %p, len %zu, expected NULL, NULL, "
              "0" READ_UAF,
              (void *)list->head, (void *)list->tail, list->len);
    ll_destroy(list);
}

Test(linked_list_edges, copy_is_independent_on_either_side)
{
    MC_CLAUSE("5.1");
    for (size_t n = 0; n <= 3; n++) {
        struct ll_list *list = list_of(n);
        struct mc_snapshot before = mc_snapshot();
        struct ll_list *copy = ll_copy(list);
        cr_assert_not_null(
            copy, "ll_copy() of %zu strings returned NULL, expected a copy" READ_DOUBLE, n);
        cr_assert_eq(mc_live_blocks(), before.blocks + 1 + 2 * n,
                     "ll_copy() of %zu strings made %zu blocks, expected %zu (the list, a node "
                     "and a string for each)" READ_DOUBLE,
                     n, mc_live_blocks() - before.blocks, 1 + 2 * n);
        const struct ll_node *mine = list->head;
        const struct ll_node *theirs = copy->head;
        for (size_t i = 0; i < n; i++, mine = mine->next, theirs = theirs->next)
            cr_assert(theirs != NULL && theirs != mine && theirs->value != mine->value &&
                          strcmp(theirs->value, mine->value) == 0 && theirs->len == mine->len,
                      "node %zu of the copy is not a node of its own holding its own copy of "
                      "\"%s\", as expected" READ_DOUBLE,
                      i, mine->value);
        cr_assert(copy->len == n && theirs == NULL && (n == 0 || copy->tail->next == NULL),
                  "the copy of %zu strings has len %zu or does not end at its tail, expected the "
                  "same len "
                  "and a tail ending the list" READ_DOUBLE,
                  n, copy->len);

        /* Changing the copy leaves the original alone. */
        cr_assert_eq(ll_push_back(copy, "only-in-copy"), 0,
                     "ll_push_back(copy) failed, expected 0" READ_LEAKS);
        if (n > 0) {
            char first[NAME_MAX];
            name_of(first, 0);
            cr_assert_eq(ll_remove(copy, first), 1,
                         "ll_remove(copy, \"%s\") returned 0, expected 1" READ_UAF, first);
        }
        cr_assert_eq(
            list->len, n,
            "changing the copy changed the original's len to %zu, expected %zu" READ_DOUBLE,
            list->len, n);
        for (size_t i = 0; i < n; i++) {
            char want[NAME_MAX];
            name_of(want, i);
            cr_assert_str_eq(ll_get(list, i), want,
                             "after changing the copy, the original's string %zu is \"%s\", "
                             "expected \"%s\"" READ_DOUBLE,
                             i, ll_get(list, i), want);
        }
        empty_then_destroy(list, "the original");
        empty_then_destroy(copy, "the copy");
    }
}

Test(linked_list_edges, a_failed_copy_frees_everything_and_keeps_the_source)
{
    MC_CLAUSE("5.2");
    struct ll_list *list = list_of(4);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct picture p;
        take_picture(list, &p);
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct ll_list *copy = ll_copy(list);
        mc_fail_none();
        cr_assert(copy == NULL || copy->len == 4,
                  "ll_copy() returned a copy of %zu strings, expected NULL or 4 strings (made to "
                  "fail: %s)" READ_LEAKS,
                  copy != NULL ? copy->len : 0, mc_fail_note());
        ll_destroy(copy);
        char call[1600];
        snprintf(call, sizeof call, "ll_copy() (made to fail: %s)", mc_fail_note());
        mc_assert_no_leak_since(before, call, "10.2 Leaks");
        assert_unchanged(list, &p, "ll_copy()", mc_fail_note());
    }
    ll_destroy(list);
}

Test(linked_list_edges, destroy_frees_lists_of_every_length)
{
    MC_CLAUSE("6.1", "6.2");
    for (size_t n = 0; n <= MAX_LEN; n++) {
        struct mc_snapshot before = mc_snapshot();
        struct ll_list *list = list_of(n);
        cr_assert_eq(mc_live_blocks(), before.blocks + 1 + 2 * n,
                     "a list of %zu strings holds %zu blocks, expected %zu (list, nodes, "
                     "strings)" READ_LEAKS,
                     n, mc_live_blocks() - before.blocks, 1 + 2 * n);
        ll_destroy(list);
        char call[64];
        snprintf(call, sizeof call, "ll_destroy() of a list of %zu strings", n);
        mc_assert_no_leak_since(before, call, "10.4 Use after free and dangling pointers");
    }
    ll_destroy(NULL);
}

Test(linked_list_edges, destroy_frees_a_list_after_removals)
{
    MC_CLAUSE("6.1");
    struct mc_snapshot before = mc_snapshot();
    struct ll_list *list = list_of(MAX_LEN);
    char name[NAME_MAX];
    name_of(name, 2);
    cr_assert_eq(ll_remove(list, name), 1, "ll_remove(\"%s\") returned 0, expected 1" READ_UAF,
                 name);
    cr_assert_eq(ll_push_back(list, "last.c"), 0,
                 "ll_push_back(\"last.c\") failed, expected 0" READ_LEAKS);
    ll_destroy(list);
    mc_assert_no_leak_since(before, "ll_destroy() after a removal and a push",
                            "10.4 Use after free and dangling pointers");
}
