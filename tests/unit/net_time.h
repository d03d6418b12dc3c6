/*
 * tests/unit/net_time.h - virtual time and the stack's timer list, for the
 * protocol tests that run net/timeouts.c by hand (test_dhcp, test_dns).
 *
 *   ng_run_ms(ms)           ms of virtual time (1 tick = 1 ms) in 100 ms steps
 *                           (ng_host_advance), the timers due run at each
 *                           (sys_check_timeouts)
 *   ng_timeouts_listed()    how many timers are on the list now
 *   ng_timeouts_clear()     every timer taken off the list (a teardown's,
 *                           so that no callback outlives its test)
 */
#ifndef NG_NET_TIME_H
#define NG_NET_TIME_H

#include "lwip/arch.h"

void ng_run_ms(u32_t ms);
int ng_timeouts_listed(void);
void ng_timeouts_clear(void);

#endif
