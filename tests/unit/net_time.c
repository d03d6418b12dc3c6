/*
 * tests/unit/net_time.c - virtual time and the timer list for the
 * protocol tests (see net_time.h).
 */
#include "lwip/timeouts.h"
#include "host.h"
#include "net_time.h"

void ng_run_ms(u32_t ms)
{
    for (u32_t t = 0; t < ms; t += 100) {
        ng_host_advance(100);
        sys_check_timeouts();
    }
}

int ng_timeouts_listed(void)
{
    int n = 0;
    for (struct sys_timeo *t = *sys_timeouts_get_next_timeout(); t; t = t->next)
        n++;
    return n;
}

void ng_timeouts_clear(void)
{
    struct sys_timeo *t;
    while ((t = *sys_timeouts_get_next_timeout()) != NULL)
        sys_untimeout(t->h, t->arg);
}
