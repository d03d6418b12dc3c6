/*
 * tests/unit/ng_test.h - what every unit test shares: the headers, static
 * stacks, an ordered log that threads append to, and the suite runner.
 *
 * Each test runs in a child process that Check forks for it (the runner
 * forces CK_FORK), so every test starts with a fresh kernel: call
 * ng_host_boot() (or ng_host_boot_prio()) first, in the test or in a
 * checked fixture. Thread records and stacks must be static (not locals of
 * the test function) so that they outlive the function and LeakSanitizer
 * can see the host stacks hanging off them.
 */
#ifndef NG_UNIT_TEST_H
#define NG_UNIT_TEST_H

#include <check.h>
#include <stdint.h>

#include "host.h"
#include "kernel.h"
#include "trace.h"

/* A thread stack of the size the brief suggests, 8-byte aligned. */
#define NG_TEST_STACK_BYTES 1024
#define NG_TEST_STACK(name) \
    static uint32_t name[NG_TEST_STACK_BYTES / 4] __attribute__((aligned(8)))

/* Create a thread from a pool of NG_TEST_THREADS static records and
 * stacks (NG_TEST_STACK_BYTES each), in creation order. */
#define NG_TEST_THREADS 8
struct ng_thread *ng_test_spawn(const char *name, void (*entry)(void *), void *arg,
                                uint8_t prio);

/* The ordered log: tlog(v) appends v, ck_assert_log(...) compares the whole
 * log with the listed values and prints both on a mismatch. */
void tlog_reset(void);
void tlog(int v);
int tlog_len(void);
int tlog_at(int i);
int tlog_matches(const int *expected, int n, const char **description);

#define ck_assert_log(...) do { \
        static const int exp_[] = { __VA_ARGS__ }; \
        const char *why_; \
        int ok_ = tlog_matches(exp_, (int)(sizeof exp_ / sizeof exp_[0]), &why_); \
        ck_assert_msg(ok_, "%s", why_); \
    } while (0)

/* Run every test of s in forked children, print the summary (CK_NORMAL),
 * free the runner; returns the number of failed tests. */
int ng_test_run(Suite *s);

/* A new test case of s with a generous per-test timeout (the sanitizers are slow). */
TCase *ng_tcase(Suite *s, const char *name);

#endif
