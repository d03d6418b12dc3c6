/*
 * tests/unit/test_stats.c - counters and their display (net/stats.c).
 *
 * Covers: ng_drop_name[] holding exactly the NG_ENUM(drop, ...) lines of
 * tracer/events.def (checked against a table built here from the same
 * lines, at run time, by comparing type names as strings); NG_DROP
 * counting under its reason, ng_drops_total, and its DROP trace record
 * (reason and argument); stats_init restarting the counters but keeping
 * what is in use; and stats_display printing, one line each, only the
 * non-zero protocol counters, the heap and every pool, and each drop reason
 * that happened.
 */
#include <string.h>

#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
}

struct enum_line {
    const char *type, *name;
    unsigned value;
};

static const struct enum_line enum_lines[] = {
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields)
#define NG_ENUM(type, name, value) { #type, #name, (value) },
#include "events.def"
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef NG_EVENT
#undef NG_ENUM
};

START_TEST(drop_names_are_the_events_def_lines)
{
    int seen[NG_DROP_REASONS] = { 0 };
    int drops = 0;
    for (unsigned i = 0; i < sizeof enum_lines / sizeof enum_lines[0]; i++) {
        if (strcmp(enum_lines[i].type, "drop") != 0)
            continue;
        unsigned v = enum_lines[i].value;
        ck_assert_uint_lt(v, NG_DROP_REASONS);
        ck_assert_ptr_nonnull(ng_drop_name[v]);
        ck_assert_str_eq(ng_drop_name[v], enum_lines[i].name);
        seen[v] = 1;
        drops++;
    }
    ck_assert_int_ge(drops, 30);
    for (unsigned v = 0; v < NG_DROP_REASONS; v++)
        if (!seen[v])
            ck_assert_msg(ng_drop_name[v] == NULL, "ng_drop_name[%u] = %s has no line", v,
                          ng_drop_name[v]);
    ck_assert_str_eq(ng_drop_name[NG_drop_IP_CHKSUM], "IP_CHKSUM");
    ng_assert_net_clean();
}
END_TEST

START_TEST(drop_counts_and_traces)
{
    tc_start(NG_TRACE_CLASS_BIT(DROP));
    static int thing;
    ck_assert_uint_eq(ng_drops_total(), 0);
    NG_DROP(IP_CHKSUM, &thing);
    NG_DROP(IP_CHKSUM, &thing);
    NG_DROP(ETH_RUNT, NULL);
    ng_trace_stop(0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_IP_CHKSUM], 2);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_RUNT], 1);
    ck_assert_uint_eq(ng_drops_total(), 3);
    ck_assert_ptr_null(tc_parse());
    ck_assert_int_eq(tc_count(NG_EV_DROP), 3);
    int r = tc_next(0, NG_EV_DROP);
    ck_assert_uint_eq(tc_recs[r].a, NG_drop_IP_CHKSUM);
    ck_assert_uint_eq(tc_recs[r].w[0], (u32_t)(uintptr_t)&thing);
    r = tc_next(r + 1, NG_EV_DROP);
    r = tc_next(r + 1, NG_EV_DROP);
    ck_assert_uint_eq(tc_recs[r].a, NG_drop_ETH_RUNT);
    ck_assert_uint_eq(tc_recs[r].w[0], 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(stats_init_restarts_but_keeps_what_is_in_use)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 100, PBUF_RAM);
    struct pbuf *q = pbuf_alloc(PBUF_RAW, 100, PBUF_POOL);
    void *big = mem_malloc(MEM_SIZE);                   /* fails: err */
    ck_assert_ptr_null(big);
    IP_STATS_INC(recv);
    NG_DROP(IP_LEN, p);
    mem_size_t used = mem_used();
    stats_init();
    ck_assert_uint_eq(lwip_stats.ip.recv, 0);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(lwip_stats.mem.err, 0);
    ck_assert_uint_eq(lwip_stats.mem.used, used);       /* still allocated */
    ck_assert_uint_eq(lwip_stats.mem.max, used);
    ck_assert_uint_eq(lwip_stats.mem.avail, LWIP_MEM_ALIGN_SIZE(MEM_SIZE));
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 1);
    ck_assert_uint_eq(memp_pools[MEMP_PBUF_POOL]->stats->max, 1);
    ck_assert_str_eq(memp_pools[MEMP_PBUF_POOL]->stats->name, "PBUF_POOL");
    pbuf_free(p);
    pbuf_free(q);
    ng_assert_net_clean();
}
END_TEST

static void display(void)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 700, PBUF_POOL);     /* two pool buffers */
    IP_STATS_INC(recv);
    IP_STATS_INC(recv);
    IP_STATS_INC(drop);
    ICMP_STATS_INC(xmit);
    NG_DROP(IP_CHKSUM, p);
    NG_DROP(IP_CHKSUM, p);
    NG_DROP(ARP_TABLE_FULL, p);
    pbuf_free(p);
    stats_display();
}

START_TEST(display_shows_what_is_not_zero)
{
    char out[4096];
    ck_assert_int_eq(ng_capture_exit(display, out, sizeof out), 0);
    static const char *const want[] = {
        "stats: ip       recv=2 drop=1\n",
        "stats: icmp     xmit=1\n",
        "stats: memp PBUF_POOL        used=0 max=2 avail=16\n",
        "stats: drop IP_CHKSUM        2\n",
        "stats: drop ARP_TABLE_FULL   1\n",
        "stats: drops total 3\n",
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(out, want[i]) != NULL, "want '%s' in:\n%s", want[i], out);
    ck_assert_msg(strstr(out, "stats: mem  HEAP             used=0 max=") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "stats: link") == NULL, "zero counters shown:\n%s", out);
    ck_assert_msg(strstr(out, "stats: tcp") == NULL, "zero counters shown:\n%s", out);
    ck_assert_msg(strstr(out, "ETH_RUNT") == NULL, "zero drops shown:\n%s", out);
    /* one line per pool */
    int pools = 0;
    for (const char *c = out; (c = strstr(c, "stats: memp ")) != NULL; c++)
        pools++;
    ck_assert_int_eq(pools, MEMP_MAX);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = ng_tcase(s, "stats");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, drop_names_are_the_events_def_lines);
    tcase_add_test(tc, drop_counts_and_traces);
    tcase_add_test(tc, stats_init_restarts_but_keeps_what_is_in_use);
    tcase_add_test(tc, display_shows_what_is_not_zero);
    return ng_test_run(s) != 0;
}
