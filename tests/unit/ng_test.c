/*
 * tests/unit/ng_test.c - the helpers declared in ng_test.h: the ordered
 * log and the suite runner. Linked into every unit test.
 */
#include <stdio.h>
#include <string.h>

#include "ng_test.h"

#define TLOG_MAX 1024

static int log_v[TLOG_MAX];
static int log_n;
static char why[4096];

void tlog_reset(void) { log_n = 0; }

void tlog(int v)
{
    ck_assert_msg(log_n < TLOG_MAX, "tlog: more than %d entries", TLOG_MAX);
    log_v[log_n++] = v;
}

int tlog_len(void) { return log_n; }

int tlog_at(int i)
{
    ck_assert_msg(i >= 0 && i < log_n, "tlog_at(%d): the log has %d entries", i, log_n);
    return log_v[i];
}

static void append_list(size_t *pos, const int *v, int n)
{
    for (int i = 0; i < n && *pos < sizeof why - 16; i++)
        *pos += (size_t)snprintf(why + *pos, sizeof why - *pos, "%s%d", i ? " " : "", v[i]);
}

int tlog_matches(const int *expected, int n, const char **description)
{
    int ok = n == log_n && memcmp(expected, log_v, (size_t)n * sizeof *expected) == 0;
    size_t pos = 0;
    pos += (size_t)snprintf(why, sizeof why, "log mismatch: got [");
    append_list(&pos, log_v, log_n);
    pos += (size_t)snprintf(why + pos, sizeof why - pos, "], expected [");
    append_list(&pos, expected, n);
    snprintf(why + pos, sizeof why - pos, "]");
    *description = why;
    return ok;
}

static struct ng_thread pool[NG_TEST_THREADS];
static uint32_t pool_stacks[NG_TEST_THREADS][NG_TEST_STACK_BYTES / 4] __attribute__((aligned(8)));
static int pool_used;

struct ng_thread *ng_test_spawn(const char *name, void (*entry)(void *), void *arg,
                                uint8_t prio)
{
    ck_assert_msg(pool_used < NG_TEST_THREADS, "ng_test_spawn: pool of %d used up",
                  NG_TEST_THREADS);
    struct ng_thread *t = &pool[pool_used];
    uint32_t *stack = pool_stacks[pool_used++];
    ng_thread_create(t, name, entry, arg, stack, NG_TEST_STACK_BYTES, prio);
    return t;
}

TCase *ng_tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return tc;
}

int ng_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);   /* a fresh kernel for every test */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}
