/*
 * tests/unit/ng_net_test.h - what the network stack's unit tests share.
 *
 *   ng_net_test_init()      the memory core ready and its counters at zero
 *                           (stats_init, mem_init, memp_init; all idempotent)
 *   ng_assert_net_clean()   every memp pool and the heap are empty again and
 *                           no pool element overflowed its guard; call it at
 *                           the end of every test (or in a teardown): on
 *                           failure it names each pool still in use
 *   ng_capture_exit(fn, buf, size)
 *                           run fn in a child process with its console output
 *                           captured into buf; returns the exit status, so a
 *                           test can check that an assertion fired (120) and
 *                           that its message names what it should
 */
#ifndef NG_NET_TEST_H
#define NG_NET_TEST_H

#include <stddef.h>

#include "ng_test.h"

void ng_net_test_init(void);

#define ng_assert_net_clean() ng_assert_net_clean_at(__FILE__, __LINE__)
void ng_assert_net_clean_at(const char *file, int line);

int ng_capture_exit(void (*fn)(void), char *buf, size_t size);

#endif
