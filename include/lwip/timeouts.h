/*
 * lwip/timeouts.h - lwIP's list of one-shot timeouts and its cyclic
 * timers. tcpip_thread (or any thread that owns the list) sleeps on its
 * mailbox for sys_timeouts_sleeptime() and then runs sys_check_timeouts().
 * The list is not locked: only its owner thread may touch it, as in lwIP.
 */
#ifndef LWIP_HDR_TIMEOUTS_H
#define LWIP_HDR_TIMEOUTS_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/sys.h"

#define SYS_TIMEOUTS_SLEEPTIME_INFINITE 0xFFFFFFFFUL

typedef void (*lwip_cyclic_timer_handler)(void);
typedef void (*sys_timeout_handler)(void *arg);

/* A timer that runs every interval_ms, re-armed from its due time. */
struct lwip_cyclic_timer {
    u32_t interval_ms;
    lwip_cyclic_timer_handler handler;
};

/* The stack's own cyclic timers, armed by sys_timeouts_init (the table
 * grows as protocols arrive: tcp, etharp, ip_reass, ...). */
extern const struct lwip_cyclic_timer lwip_cyclic_timers[];
extern const int lwip_num_cyclic_timers;

/* One pending timeout, kept in a list sorted by absolute expiry time. */
struct sys_timeo {
    struct sys_timeo *next;
    u32_t time;                 /* due, in sys_now() milliseconds */
    sys_timeout_handler h;
    void *arg;
};

void sys_timeouts_init(void);
void sys_timeout(u32_t msecs, sys_timeout_handler handler, void *arg);
/* The same at an absolute sys_now() time (static in lwIP; the stack's own
 * self-rearming timers use it, net/tcp.c): re-arming "due + interval"
 * through sys_timeout would read sys_now() a second time, and the
 * millisecond may turn in between, so the due time would drift by one. */
void sys_timeout_abs(u32_t due, sys_timeout_handler handler, void *arg);
void sys_untimeout(sys_timeout_handler handler, void *arg);
void sys_restart_timeouts(void);
void sys_check_timeouts(void);
u32_t sys_timeouts_sleeptime(void);

/* The handler that re-arms cyclic timers; arg is a struct lwip_cyclic_timer. */
void lwip_cyclic_timer(void *arg);

/* For tests and the debugger: the head of the list. */
struct sys_timeo **sys_timeouts_get_next_timeout(void);

#endif
