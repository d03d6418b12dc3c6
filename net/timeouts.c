/*
 * net/timeouts.c - the sys_timeout list.
 *
 * A singly linked list of pending timeouts sorted by absolute due time (in
 * sys_now() milliseconds, compared modulo 2^32), so the next one to expire
 * is always the head and sys_timeouts_sleeptime() is one subtraction.
 * Cyclic timers are re-armed from the time they were due, not from the time
 * their handler ran, so a late run does not push every later run back
 * (no drift); only if a whole interval was missed is the timer re-armed from
 * now. Entries come from the memory pool MEMP_SYS_TIMEOUT (net/memp.c, so
 * its use shows in the statistics); running out is an assertion, because a
 * lost timer silently breaks a protocol.
 */
#include "lwip/timeouts.h"
#include "lwip/memp.h"
#include "lwip/etharp.h"
#include "lwip/ip4_frag.h"
#include "trace.h"

#define TIME_BEFORE(a, b) ((s32_t)((u32_t)(a) - (u32_t)(b)) < 0)

/* The stack's cyclic timers, armed by sys_timeouts_init, one line each.
 * The last line only keeps the array from being empty; it is not counted. */
const struct lwip_cyclic_timer lwip_cyclic_timers[] = {
#if LWIP_ARP
    { ETHARP_TMR_INTERVAL, etharp_tmr },
#endif
#if IP_REASSEMBLY
    { IP_REASS_TMR_INTERVAL, ip_reass_tmr },
#endif
    { 0, NULL },
};
const int lwip_num_cyclic_timers = (int)LWIP_ARRAYSIZE(lwip_cyclic_timers) - 1;

static struct sys_timeo *next_timeout;
static u32_t current_due;       /* due time of the timeout being run */

static struct sys_timeo *timeo_alloc(void)
{
    struct sys_timeo *t = memp_malloc(MEMP_SYS_TIMEOUT);
    LWIP_ASSERT("sys_timeout: pool MEMP_NUM_SYS_TIMEOUT is empty", t != NULL);
    return t;
}

static void timeo_free(struct sys_timeo *t)
{
    memp_free(MEMP_SYS_TIMEOUT, t);
}

/* What a trace record should call the handler: the cyclic timer's own
 * function rather than lwip_cyclic_timer, which says nothing. */
static uint32_t handler_of(sys_timeout_handler h, void *arg)
{
    if (h == lwip_cyclic_timer && arg)
        return (uint32_t)(uintptr_t)((const struct lwip_cyclic_timer *)arg)->handler;
    return (uint32_t)(uintptr_t)h;
}

void sys_timeout_abs(u32_t due, sys_timeout_handler handler, void *arg)
{
    struct sys_timeo *t = timeo_alloc();
    t->h = handler;
    t->arg = arg;
    t->time = due;
    NG_TRACE2(TIMER_ARM, 0, handler_of(handler, arg), due);

    struct sys_timeo **pp = &next_timeout;
    while (*pp && !TIME_BEFORE(due, (*pp)->time))
        pp = &(*pp)->next;      /* equal times keep the order they were armed in */
    t->next = *pp;
    *pp = t;
}

/* Empty the list (its entries go back to the pool) and arm the stack's
 * cyclic timers. memp_init is idempotent, so calling it here makes the
 * pool ready whoever calls this first (tcpip_thread, a demo's own thread,
 * a test) without disturbing pools already in use. */
void sys_timeouts_init(void)
{
    memp_init();
    while (next_timeout) {
        struct sys_timeo *t = next_timeout;
        next_timeout = t->next;
        timeo_free(t);
    }
    for (int i = 0; i < lwip_num_cyclic_timers; i++)
        sys_timeout(lwip_cyclic_timers[i].interval_ms, lwip_cyclic_timer,
                    (void *)(uintptr_t)&lwip_cyclic_timers[i]);
}

void sys_timeout(u32_t msecs, sys_timeout_handler handler, void *arg)
{
    LWIP_ASSERT("sys_timeout: msecs too large", msecs <= 0x7fffffffu);
    sys_timeout_abs(sys_now() + msecs, handler, arg);
}

void lwip_cyclic_timer(void *arg)
{
    const struct lwip_cyclic_timer *cyclic = arg;
    cyclic->handler();
    u32_t now = sys_now();
    u32_t next = current_due + cyclic->interval_ms;
    if (TIME_BEFORE(next, now))
        next = now + cyclic->interval_ms;   /* missed a whole interval */
    sys_timeout_abs(next, lwip_cyclic_timer, arg);
}

void sys_untimeout(sys_timeout_handler handler, void *arg)
{
    for (struct sys_timeo **pp = &next_timeout; *pp; pp = &(*pp)->next) {
        struct sys_timeo *t = *pp;
        if (t->h == handler && t->arg == arg) {
            *pp = t->next;
            NG_TRACE1(TIMER_CANCEL, 0, handler_of(handler, arg));
            timeo_free(t);
            return;
        }
    }
}

void sys_check_timeouts(void)
{
    for (;;) {
        struct sys_timeo *t = next_timeout;
        if (!t || TIME_BEFORE(sys_now(), t->time))
            return;
        next_timeout = t->next;
        sys_timeout_handler h = t->h;
        void *arg = t->arg;
        current_due = t->time;
        timeo_free(t);
        NG_TRACE2(TIMER_FIRE, 0, handler_of(h, arg), (uintptr_t)arg);
        h(arg);
    }
}

/* Shift every due time so the earliest is due now (after a long pause in
 * which time should not count, as lwIP's sys_restart_timeouts does). */
void sys_restart_timeouts(void)
{
    if (!next_timeout)
        return;
    u32_t shift = sys_now() - next_timeout->time;
    for (struct sys_timeo *t = next_timeout; t; t = t->next)
        t->time += shift;
}

u32_t sys_timeouts_sleeptime(void)
{
    if (!next_timeout)
        return SYS_TIMEOUTS_SLEEPTIME_INFINITE;
    u32_t now = sys_now();
    if (!TIME_BEFORE(now, next_timeout->time))
        return 0;
    return next_timeout->time - now;
}

struct sys_timeo **sys_timeouts_get_next_timeout(void)
{
    return &next_timeout;
}
