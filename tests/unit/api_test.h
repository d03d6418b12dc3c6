/*
 * tests/unit/api_test.h - what the netconn and socket tests share
 * (tests/unit/test_netconn.c, tests/unit/test_sockets.c).
 *
 * Two ways to run the stack, both with tcpip_thread and real threads:
 *
 *   api_setup()            loopback: the kernel booted, tcpip_init; both
 *                          ends of a connection are ours (127.0.0.1).
 *   api_ts_setup(s, name)  a scripted peer: the TCP script harness
 *                          (tcp_script.h, us 10.0.2.15, the peer 10.0.2.2)
 *                          with tcpip_thread running. The peer's segments
 *                          are delivered in tcpip_thread (API_PEER), the
 *                          stack's are queued for TS_EXPECT as usual. Do
 *                          not use TS_ADVANCE / TS_EXPECT_IN / ts_end here:
 *                          tcpip_thread runs the timers; time moves when
 *                          every thread waits (or with sys_msleep).
 *
 *   api_assert_clean()     at the end of every test: waits (virtual time)
 *                          for the stack's own TCP PCBs to finish, TIME_WAIT
 *                          included (2 MSL: the stack's timers reap it, no
 *                          tcp_abort behind its back), and for the TCP timer
 *                          to stop; then every pool and the heap must be
 *                          where tcpip_init left them.
 *
 * This file and api_test.c use only the core (tcpip, pools, the script
 * harness), never netconn or sockets: unit.mk links api_test.c into every
 * unit test, including those that do not link the API.
 */
#ifndef NG_API_TEST_H
#define NG_API_TEST_H

#include <string.h>

#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "tcp_script.h"

extern u16_t api_pools_after_init[MEMP_MAX];
extern mem_size_t api_heap_after_init;

void api_setup(void);
struct ts *api_ts_setup(struct ts *s, const char *name);

/* The peer sends a segment (a tcp_script.h spec), in tcpip_thread. */
#define API_PEER(s, ...) api_ts_peer(TS_AT(s), __VA_ARGS__)
void api_ts_peer(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define api_assert_clean() api_assert_clean_at(__FILE__, __LINE__)
void api_assert_clean_at(const char *file, int line);

/* ms of virtual time since t0. */
static inline u32_t api_since(u32_t t0) { return sys_now() - t0; }

/* A thread of the test (from ng_test's pool). */
struct ng_thread *api_spawn(const char *name, void (*entry)(void *), void *arg, u8_t prio);

/* The pattern a test's data follows: byte at stream offset off. */
static inline u8_t api_byte(u32_t off) { return (u8_t)(off * 31u + (off >> 8) + 7u); }
void api_fill(u8_t *buf, u32_t off, u32_t n);
/* The offset (from 0) of the first byte of buf that is not api_byte(off + i), or -1. */
long api_check(const u8_t *buf, u32_t off, u32_t n);

#endif
