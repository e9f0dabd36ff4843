/*
 * Hidden tests for bug hunt 08-hunt-value-tree: constructors, keys put,
 * replaced and removed anywhere in an object, the state after every failed
 * call, and every allocation failing in turn. The tests of vt_set and
 * vt_remove use numbers and objects only, and read numbers from the nodes
 * (not through vt_text), so that each planted bug is judged alone. Every
 * test makes the same number of assertions whatever the design (the grader
 * counts them).
 */
#include "mc_test.h"
#include "value_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_OWNERS   MC_READ("3.3 Borrowed pointers")
#define READ_COPIES   MC_READ("3.2 Create, copy and destroy")
#define READ_LOCAL    MC_READ("10.8 Returning the address of a local")
#define READ_UAF      MC_READ("10.4 Use after free and dangling pointers")
#define READ_STRONG   MC_READ("5.5 The strong guarantee")
#define READ_RUNS_OUT MC_READ("2.7 When memory runs out")
#define READ_TEST     MC_READ("13.5 Fix minimally and pin it with a test")

enum { KEYS = 5, MAX_ALLOCS = 4 };

MC_SUITE(value_tree_edges);

static const char *const keys[KEYS] = {"a", "b", "c", "d", "e"};

/* An object {a: 0, b: 1, c: 2, d: 3, e: 4}, keys put from one reused buffer. */
static struct vt_node *five_numbers(void)
{
    struct vt_node *obj = vt_new_object();
    cr_assert_not_null(obj, "vt_new_object() returned NULL" READ_TEST);
    char key[8];
    for (int i = 0; i < KEYS; i++) {
        struct vt_node *n = vt_new_number(i);
        cr_assert_not_null(n, "vt_new_number(%d) returned NULL" READ_TEST, i);
        snprintf(key, sizeof key, "%s", keys[i]);
        cr_assert_eq(vt_set(obj, key, n), 0, "vt_set(obj, \"%s\", ...) failed" READ_TEST, key);
    }
    return obj;
}

/* What an object holds, read from its nodes: keys and numbers, in order. */
struct shape {
    size_t n;
    const struct vt_node *node[KEYS + 1];
    const char *key[KEYS + 1];
    char key_text[KEYS + 1][8];
    double number[KEYS + 1];
};

static struct shape shape_of(const struct vt_node *obj)
{
    struct shape s = {0};
    for (const struct vt_node *c = obj->children; c != NULL && s.n <= KEYS; c = c->next) {
        s.node[s.n] = c;
        s.key[s.n] = c->key;
        snprintf(s.key_text[s.n], sizeof s.key_text[s.n], "%s", c->key != NULL ? c->key : "?");
        s.number[s.n] = c->number;
        s.n++;
    }
    return s;
}

static int same_shape(const struct shape *a, const struct shape *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->node[i] != b->node[i] || a->key[i] != b->key[i] ||
            strcmp(a->key_text[i], b->key_text[i]) != 0 || a->number[i] != b->number[i])
            return 0;
    return 1;
}

/* The keys of s joined, as "abde", for messages. */
static const char *key_list(const struct shape *s)
{
    static char text[KEYS * 8 + 1];
    text[0] = '\0';
    for (size_t i = 0; i < s->n; i++)
        strcat(text, s->key_text[i]);
    return text;
}

Test(value_tree_edges, constructors_make_fresh_unattached_nodes)
{
    MC_CLAUSE("1.1", "1.2", "5.1", "6.3");
    struct vt_node *obj = vt_new_object();
    cr_assert_not_null(obj, "vt_new_object() returned NULL" READ_TEST);
    cr_assert(obj->kind == VT_OBJECT && obj->children == NULL && obj->key == NULL,
              "vt_new_object() is not an empty object with no key" READ_TEST);
    cr_assert_eq(vt_count(obj), 0, "a new object counts %zu children, expected 0" READ_TEST,
                 vt_count(obj));
    cr_assert_null(vt_text(obj), "vt_text() of an object is not NULL" READ_TEST);
    struct vt_node *num = vt_new_number(-2.5);
    cr_assert_not_null(num, "vt_new_number(-2.5) returned NULL" READ_TEST);
    cr_assert(num->kind == VT_NUMBER && num->number == -2.5 && num->key == NULL,
              "vt_new_number(-2.5) has kind %d and number %g, expected VT_NUMBER and -2.5, no "
              "key" READ_TEST,
              (int)num->kind, num->number);
    struct vt_node *inner = vt_new_object();
    cr_assert_not_null(inner, "vt_new_object() returned NULL" READ_TEST);
    cr_assert(vt_set(inner, "x", num) == 0 && vt_set(obj, "inner", inner) == 0,
              "vt_set() failed" READ_TEST);
    cr_assert_eq(vt_count(obj), 1,
                 "an object with one child holding one child counts %zu, expected 1" READ_TEST,
                 vt_count(obj));
    vt_free(obj);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after vt_free()" READ_TEST,
                 mc_live_blocks());
}

Test(value_tree_edges, a_string_node_owns_a_copy_of_its_own)
{
    MC_CLAUSE("1.3", "6.1");
    static const char *const texts[] = {"", "x", "a longer string with spaces"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char *mine = malloc(len + 1);
        cr_assert_not_null(mine, "malloc() failed: the test cannot run");
        memcpy(mine, texts[i], len + 1);
        struct vt_node *s = vt_new_string(mine);
        cr_assert_not_null(s, "vt_new_string(\"%s\") returned NULL" READ_COPIES, texts[i]);
        cr_assert(s->kind == VT_STRING && s->key == NULL && s->string != mine,
                  "vt_new_string(\"%s\") kept the caller's pointer, expected a copy" READ_COPIES,
                  texts[i]);
        cr_assert_geq(mc_live_size_of(s->string), len + 1,
                      "the string of vt_new_string(\"%s\") is not a block of its own with room for "
                      "%zu bytes" READ_COPIES,
                      texts[i], len + 1);
        memset(mine, '#', len);
        free(mine);
        cr_assert_str_eq(s->string, texts[i],
                         "after the caller freed its string, the node reads \"%s\", expected "
                         "\"%s\"" READ_COPIES,
                         s->string, texts[i]);
        cr_assert_eq(vt_text(s), s->string, "vt_text() of a string is not its string" READ_OWNERS);
        vt_free(s);
    }
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after vt_free()" READ_COPIES,
                 mc_live_blocks());
}

Test(value_tree_edges, number_text_lives_in_the_node_until_it_is_freed)
{
    MC_CLAUSE("6.2");
    static const double values[] = {0.1, 1e300, -0.0, 123456789012345678.0, 2.0 / 3, 42};
    static const char *const texts[] = {
        "0.1", "1e+300", "-0", "1.23456789012346e+17", "0.666666666666667", "42"};
    enum { N = sizeof values / sizeof values[0] };
    struct vt_node *obj = vt_new_object();
    cr_assert_not_null(obj, "vt_new_object() returned NULL" READ_LOCAL);
    struct vt_node *nodes[N];
    const char *shown[N];
    for (size_t i = 0; i < N; i++) {
        nodes[i] = vt_new_number(values[i]);
        cr_assert_not_null(nodes[i], "vt_new_number(%g) returned NULL" READ_LOCAL, values[i]);
        shown[i] = vt_text(nodes[i]);
        cr_assert_eq(
            shown[i], nodes[i]->text,
            "vt_text(number %g) returned %p, expected the node's own text field %p" READ_LOCAL,
            values[i], (const void *)shown[i], (void *)nodes[i]->text);
    }
    char key[8];
    for (size_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "n%zu", i);
        cr_assert_eq(vt_set(obj, key, nodes[i]), 0, "vt_set() failed" READ_LOCAL);
    }
    for (size_t i = 0; i < N; i++)
        cr_assert_str_eq(
            shown[i], texts[i],
            "the text vt_text() lent for %.17g reads \"%s\" later, expected \"%s\"" READ_LOCAL,
            values[i], shown[i], texts[i]);
    vt_free(obj);
}

Test(value_tree_edges, set_appends_new_keys_in_order_under_copied_keys)
{
    MC_CLAUSE("2.1", "3.1", "5.1");
    struct vt_node *obj = five_numbers();
    struct shape s = shape_of(obj);
    cr_assert_str_eq(key_list(&s), "abcde",
                     "the keys are in the order \"%s\", expected \"abcde\"" READ_TEST,
                     key_list(&s));
    cr_assert_eq(vt_count(obj), KEYS, "vt_count() is %zu, expected %d" READ_TEST, vt_count(obj),
                 KEYS);
    for (size_t i = 0; i < KEYS; i++) {
        cr_assert(s.number[i] == (double)i, "child \"%s\" holds %g, expected %zu" READ_TEST,
                  s.key_text[i], s.number[i], i);
        cr_assert_geq(mc_live_size_of(s.key[i]), 2,
                      "the key of child %zu is not a block of its own" READ_OWNERS, i);
        cr_assert_eq(vt_get(obj, keys[i]), s.node[i],
                     "vt_get(obj, \"%s\") is not the child under that key" READ_OWNERS, keys[i]);
    }
    cr_assert_null(vt_get(obj, "f"),
                   "vt_get(obj, \"f\") found a child that was never set" READ_OWNERS);
    cr_assert_null(vt_get(obj, ""),
                   "vt_get(obj, \"\") found a child that was never set" READ_OWNERS);
    vt_free(obj);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after vt_free()" READ_TEST,
                 mc_live_blocks());
}

Test(value_tree_edges, set_replaces_in_place_and_frees_the_old_child)
{
    MC_CLAUSE("2.2");
    for (size_t i = 0; i < KEYS; i++) {
        struct vt_node *obj = five_numbers();
        /* The old child gets a subtree, to be freed with it. */
        struct vt_node *old = vt_get(obj, keys[i]);
        cr_assert_not_null(old, "vt_get(obj, \"%s\") returned NULL" READ_TEST, keys[i]);
        struct vt_node *sub = vt_new_object();
        struct vt_node *deep = vt_new_number(9);
        cr_assert(sub != NULL && deep != NULL && vt_set(sub, "deep", deep) == 0,
                  "building an object failed" READ_TEST);
        cr_assert_eq(vt_set(obj, keys[i], sub), 0,
                     "replacing \"%s\" with an object failed" READ_TEST, keys[i]);
        struct vt_node *by = vt_new_number(100 + (double)i);
        cr_assert_not_null(by, "vt_new_number() returned NULL" READ_TEST);
        cr_assert_eq(vt_set(obj, keys[i], by), 0, "replacing \"%s\" again failed" READ_TEST,
                     keys[i]);
        struct shape s = shape_of(obj);
        cr_assert(s.n == KEYS && strcmp(key_list(&s), "abcde") == 0 && s.node[i] == by &&
                      s.number[i] == 100 + (double)i,
                  "after replacing \"%s\" the keys are \"%s\" and it holds %g, expected \"abcde\" "
                  "and %g in the same place" READ_TEST,
                  keys[i], key_list(&s), s.n > i ? s.number[i] : -1.0, 100 + (double)i);
        vt_free(obj);
        cr_assert_eq(mc_live_blocks(), 0,
                     "replacing \"%s\" left %zu block(s) live after vt_free(): the old child was "
                     "not freed" READ_TEST,
                     keys[i], mc_live_blocks());
    }
}

/* vt_set(obj, key, a new number) with each allocation failing in turn, on a
 * fresh five_numbers() object each time: -1 leaves obj as it was and frees
 * the child; 0 must have put it under key. */
static void set_with_failures(const char *key, size_t where, size_t count_after)
{
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct vt_node *obj = five_numbers();
        struct shape before = shape_of(obj);
        struct mc_snapshot live = mc_snapshot();
        struct vt_node *child = vt_new_number(77);
        cr_assert_not_null(child, "vt_new_number(77) returned NULL" READ_TEST);
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = vt_set(obj, key, child);
        mc_fail_none();
        struct shape after = shape_of(obj);
        struct mc_snapshot now = mc_snapshot();
        int ok = rc == -1 ? mc_failed_allocs() > failed && same_shape(&before, &after) &&
                                now.blocks == live.blocks && now.bytes == live.bytes
                          : rc == 0 && after.n == count_after && after.node[where] == child &&
                                after.number[where] == 77;
        cr_assert(ok,
                  "vt_set(obj, \"%s\", child) with %s failing returned %d; the object holds \"%s\" "
                  "(it held \"%s\"), and %zu block(s) are live where %zu were before the child: "
                  "expected -1 with the object unchanged and the child freed, or 0 with the "
                  "child in place" READ_STRONG,
                  key, mc_fail_note(), rc, key_list(&after), key_list(&before), now.blocks,
                  live.blocks);
        vt_free(obj);
    }
}

Test(value_tree_edges, a_failed_set_changes_nothing_and_frees_the_child)
{
    MC_CLAUSE("2.3");
    set_with_failures("f", KEYS, KEYS + 1); /* a new key */
    set_with_failures("c", 2, KEYS);        /* an existing key: "c" must survive */
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after vt_free()" READ_STRONG,
                 mc_live_blocks());
}

Test(value_tree_edges, removes_children_from_anywhere_keeping_the_order)
{
    MC_CLAUSE("4.1", "5.1");
    static const char *const order[] = {"c", "a", "e", "d", "b"};
    static const char *const left[] = {"abde", "bde", "bd", "b", ""};
    struct vt_node *obj = five_numbers();
    for (size_t i = 0; i < KEYS; i++) {
        cr_assert_eq(vt_remove(obj, order[i]), 0, "vt_remove(obj, \"%s\") failed" READ_UAF,
                     order[i]);
        struct shape s = shape_of(obj);
        cr_assert_str_eq(key_list(&s), left[i],
                         "after removing \"%s\" the keys are \"%s\", expected \"%s\"" READ_UAF,
                         order[i], key_list(&s), left[i]);
        cr_assert_null(vt_get(obj, order[i]), "\"%s\" is still there after vt_remove()" READ_UAF,
                       order[i]);
        cr_assert_eq(vt_count(obj), KEYS - 1 - i,
                     "%zu children after %zu removals, expected %zu" READ_UAF, vt_count(obj), i + 1,
                     KEYS - 1 - i);
    }
    /* A child with a subtree: removing it frees all of it. */
    struct mc_snapshot empty = mc_snapshot();
    struct vt_node *sub = vt_new_object();
    struct vt_node *deep = vt_new_number(1);
    cr_assert(sub != NULL && deep != NULL && vt_set(sub, "deep", deep) == 0 &&
                  vt_set(obj, "sub", sub) == 0,
              "building a subtree failed" READ_UAF);
    cr_assert_eq(vt_remove(obj, "sub"), 0, "vt_remove(obj, \"sub\") failed" READ_UAF);
    mc_assert_no_leak_since(empty, "vt_remove() of a child with a subtree",
                            "10.4 Use after free and dangling pointers");
    vt_free(obj);
}

Test(value_tree_edges, removing_a_missing_key_changes_nothing)
{
    MC_CLAUSE("4.2");
    struct vt_node *obj = five_numbers();
    struct shape before = shape_of(obj);
    static const char *const missing[] = {"f", "", "ab", "A"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        struct mc_snapshot live = mc_snapshot();
        cr_assert_eq(vt_remove(obj, missing[i]), -1,
                     "vt_remove(obj, \"%s\") of a missing key did not return -1" READ_TEST,
                     missing[i]);
        struct shape after = shape_of(obj);
        cr_assert(same_shape(&before, &after),
                  "removing missing \"%s\" changed the object" READ_TEST, missing[i]);
        mc_assert_no_leak_since(live, "vt_remove() of a missing key",
                                "13.5 Fix minimally and pin it with a test");
    }
    vt_free(obj);
    struct vt_node *none = vt_new_object();
    cr_assert_not_null(none, "vt_new_object() returned NULL" READ_TEST);
    cr_assert_eq(vt_remove(none, "a"), -1,
                 "vt_remove() from an empty object did not return -1" READ_TEST);
    vt_free(none);
}

Test(value_tree_edges, constructors_leak_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.4");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        for (int which = 0; which < 3; which++) {
            static const char *const names[] = {"vt_new_object()", "vt_new_number(5)",
                                                "vt_new_string(\"memcraft\")"};
            struct mc_snapshot before = mc_snapshot();
            size_t failed = mc_failed_allocs();
            mc_fail_nth_alloc(n);
            struct vt_node *node = which == 0   ? vt_new_object()
                                   : which == 1 ? vt_new_number(5)
                                                : vt_new_string("memcraft");
            mc_fail_none();
            int ok = node == NULL ? mc_failed_allocs() > failed
                                  : (which != 2 || (node->string != NULL &&
                                                    strcmp(node->string, "memcraft") == 0));
            cr_assert(
                ok, "%s with %s failing returned %s" READ_RUNS_OUT, names[which], mc_fail_note(),
                node == NULL ? "NULL though no allocation failed" : "a node without its string");
            vt_free(node);
            char what[1600];
            snprintf(what, sizeof what, "%s with %s failing", names[which], mc_fail_note());
            mc_assert_no_leak_since(before, what, "2.7 When memory runs out");
        }
    }
}

Test(value_tree_edges, building_a_tree_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.4", "2.3", "7.1");
    for (size_t n = 1; n <= 12; n++) {
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
        const struct vt_node *got = ok ? vt_get(vt_get(root, "inner"), "name") : NULL;
        cr_assert(!ok || (got != NULL && strcmp(got->string, "memcraft") == 0),
                  "root.inner.name is wrong after a successful build with %s failing" READ_OWNERS,
                  mc_fail_note());
        vt_free(root);
        cr_assert_eq(mc_live_blocks(), 0,
                     "with %s failing, %zu block(s) stayed live after vt_free(root), expected "
                     "0" READ_RUNS_OUT,
                     mc_fail_note(), mc_live_blocks());
    }
}

Test(value_tree_edges, free_releases_whole_subtrees)
{
    MC_CLAUSE("7.1");
    vt_free(NULL);
    struct vt_node *root = vt_new_object();
    cr_assert_not_null(root, "vt_new_object() returned NULL" READ_TEST);
    struct vt_node *level = root;
    for (int depth = 0; depth < 4; depth++) {
        struct vt_node *next = vt_new_object();
        struct vt_node *s = vt_new_string("leaf");
        struct vt_node *x = vt_new_number(depth);
        cr_assert(next != NULL && s != NULL && x != NULL && vt_set(level, "s", s) == 0 &&
                      vt_set(level, "x", x) == 0 && vt_set(level, "next", next) == 0,
                  "building level %d failed" READ_TEST, depth);
        level = next;
    }
    vt_free(root);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after vt_free() of a 5-level tree" READ_TEST, mc_live_blocks());
}
