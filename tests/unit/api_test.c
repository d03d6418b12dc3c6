/*
 * tests/unit/api_test.c - the fixtures of the netconn and socket tests
 * (see api_test.h): the stack with tcpip_thread, on loopback or behind the
 * scripted TCP peer, and the end-of-test check that everything was freed.
 * Only core symbols here: unit.mk links this file into every unit test.
 */
#include <stdarg.h>
#include <stdio.h>

#include "api_test.h"
#include "lwip/ip4_addr.h"
#include "lwip/priv/tcp_priv.h"

u16_t api_pools_after_init[MEMP_MAX];
mem_size_t api_heap_after_init;

static void snapshot(void)
{
    for (int t = 0; t < MEMP_MAX; t++)
        api_pools_after_init[t] = memp_in_use((memp_t)t);
    api_heap_after_init = mem_used();
}

void api_setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);       /* 1 tick = 1 ms in the tests */
    ng_host_boot();
    tlog_reset();
    tcpip_init(NULL, NULL);
    snapshot();
}

/* ---- the scripted peer behind tcpip_thread -------------------------------------- */

static netif_output_fn ts_saved_output;

/* The harness's interface again, as ts_begin made it, after lwip_init (in
 * tcpip_init) emptied the interface list. */
static err_t readd_init(struct netif *netif)
{
    netif->name[0] = 't';
    netif->name[1] = 's';
    netif->output = ts_saved_output;
    netif->linkoutput = NULL;
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST;
    return ERR_OK;
}

struct ts *api_ts_setup(struct ts *s, const char *name)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);
    ts_begin(s, name);              /* boots the kernel, adds the harness's netif */
    ts_saved_output = s->netif.output;
    tlog_reset();
    tcpip_init(NULL, NULL);
    ip4_addr_t a, m, g;
    ip4addr_aton(TS_OUR_IP, &a);
    ip4addr_aton("255.255.255.0", &m);
    ip4addr_aton("10.0.2.1", &g);
    ck_assert_ptr_eq(netif_add(&s->netif, &a, &m, &g, NULL, readd_init, ip4_input), &s->netif);
    netif_set_up(&s->netif);
    netif_set_link_up(&s->netif);
    snapshot();
    return s;
}

struct peer_call {
    struct ts *s;
    char text[400];
};

static void peer_in_tcpip(void *arg)
{
    struct peer_call *c = arg;
    ts_peer(c->s, "%s", c->text);
}

void api_ts_peer(struct ts *s, const char *fmt, ...)
{
    /* static: tcpip_callback returns once tcpip_thread (more urgent) has
     * run it, so one at a time. */
    static struct peer_call c;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c.text, sizeof c.text, fmt, ap);
    va_end(ap);
    c.s = s;
    ck_assert_int_eq(tcpip_callback(peer_in_tcpip, &c), ERR_OK);
}

/* ---- threads and data ------------------------------------------------------------- */

struct ng_thread *api_spawn(const char *name, void (*entry)(void *), void *arg, u8_t prio)
{
    return ng_test_spawn(name, entry, arg, prio);
}

void api_fill(u8_t *buf, u32_t off, u32_t n)
{
    for (u32_t i = 0; i < n; i++)
        buf[i] = api_byte(off + i);
}

long api_check(const u8_t *buf, u32_t off, u32_t n)
{
    for (u32_t i = 0; i < n; i++)
        if (buf[i] != api_byte(off + i))
            return (long)i;
    return -1;
}

/* ---- the end of a test -------------------------------------------------------------- */

void api_assert_clean_at(const char *file, int line)
{
    /* The stack's own PCBs (FIN_WAIT, LAST_ACK, TIME_WAIT) finish by its
     * timers: at most 2 MSL for TIME_WAIT, plus retransmissions. */
    u32_t t0 = sys_now();
    while ((tcp_active_pcbs || tcp_tw_pcbs) && api_since(t0) < 2 * TCP_MSL + 120000)
        sys_msleep(500);
    ck_assert_msg(!tcp_active_pcbs && !tcp_tw_pcbs,
                  "%s:%d: TCP PCBs still active %u ms later", file, line,
                  (unsigned)api_since(t0));
    ck_assert_msg(!tcp_bound_pcbs && !tcp_listen_pcbs.pcbs,
                  "%s:%d: bound or listening TCP PCBs left", file, line);
    /* The TCP timer stops itself once no PCB is left. */
    t0 = sys_now();
    while (memp_in_use(MEMP_SYS_TIMEOUT) != api_pools_after_init[MEMP_SYS_TIMEOUT] &&
           api_since(t0) < 5000)
        sys_msleep(250);
    char why[600];
    size_t n = 0;
    why[0] = 0;
    for (int t = 0; t < MEMP_MAX; t++) {
        u16_t used = memp_in_use((memp_t)t);
        if (used != api_pools_after_init[t] && n < sizeof why - 64)
            n += (size_t)snprintf(why + n, sizeof why - n, " pool %s: %u in use, %u after init;",
                                  memp_pools[t]->desc, (unsigned)used,
                                  (unsigned)api_pools_after_init[t]);
    }
    if (mem_used() != api_heap_after_init)
        snprintf(why + n, sizeof why - n, " heap: %u bytes in use, %u after init;",
                 (unsigned)mem_used(), (unsigned)api_heap_after_init);
    ck_assert_msg(why[0] == 0, "%s:%d: not everything was freed:%s", file, line, why);
    memp_overflow_check_all();
}
