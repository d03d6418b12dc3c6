/*
 * tests/unit/test_memp.c - the memory pools (net/memp.c).
 *
 * Covers: every pool of memp_std.h hands out exactly its MEMP_NUM_*
 * elements, distinct, aligned, of at least its size, then NULL with `err`
 * counted and no assertion; used / max / avail and the name of each pool in
 * its stats; memp_in_use(); LIFO reuse (O(1) free list); memp_init being
 * idempotent and memp_malloc working without it; sys_timeout entries coming
 * from MEMP_SYS_TIMEOUT; and the checks (exit 120, the message naming the
 * pool): a double free, a free of a foreign pointer or into the wrong pool
 * or the middle of an element, a write past an element found at its free
 * or by memp_overflow_check_all, a write into a free element's guard found
 * when it is handed out again; the MEMP_ALLOC / MEMP_FREE trace records
 * (pool and element, p = 0 for an empty pool, none for the pbuf pools).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/memp.h"
#include "lwip/timeouts.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
}

static const u16_t expected_num[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) [MEMP_##name] = (num),
#include "lwip/priv/memp_std.h"
#undef LWIP_MEMPOOL
};
static const size_t expected_size[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) [MEMP_##name] = (size),
#include "lwip/priv/memp_std.h"
#undef LWIP_MEMPOOL
};

START_TEST(every_pool_gives_exactly_its_elements)
{
    static void *got[256];
    for (int t = 0; t < MEMP_MAX; t++) {
        const struct memp_desc *d = memp_pools[t];
        ck_assert_uint_eq(d->num, expected_num[t]);
        ck_assert_uint_ge(d->size, expected_size[t]);
        ck_assert_str_eq(d->stats->name, d->desc);
        ck_assert_uint_eq(d->stats->avail, d->num);
        ck_assert_uint_le(d->num, 256);
        for (int i = 0; i < d->num; i++) {
            got[i] = memp_malloc((memp_t)t);
            ck_assert_msg(got[i] != NULL, "pool %s: element %d", d->desc, i);
            ck_assert_uint_eq((uintptr_t)got[i] % MEM_ALIGNMENT, 0);
            memset(got[i], 0x33, expected_size[t]);     /* the whole element is ours */
            for (int j = 0; j < i; j++)
                ck_assert_ptr_ne(got[i], got[j]);
            ck_assert_uint_eq(memp_in_use((memp_t)t), i + 1);
        }
        u16_t err = d->stats->err;
        ck_assert_ptr_null(memp_malloc((memp_t)t));     /* empty: NULL, no assertion */
        ck_assert_uint_eq(d->stats->err, err + 1);
        ck_assert_uint_eq(d->stats->used, d->num);
        ck_assert_uint_eq(d->stats->max, d->num);
        for (int i = 0; i < d->num; i++)
            memp_free((memp_t)t, got[i]);
        ck_assert_uint_eq(memp_in_use((memp_t)t), 0);
        ck_assert_uint_eq(d->stats->max, d->num);        /* the high-water mark stays */
    }
    ng_assert_net_clean();
}
END_TEST

START_TEST(free_list_is_lifo)
{
    void *a = memp_malloc(MEMP_PBUF);
    void *b = memp_malloc(MEMP_PBUF);
    memp_free(MEMP_PBUF, a);
    memp_free(MEMP_PBUF, b);
    ck_assert_ptr_eq(memp_malloc(MEMP_PBUF), b);
    ck_assert_ptr_eq(memp_malloc(MEMP_PBUF), a);
    memp_free(MEMP_PBUF, a);
    memp_free(MEMP_PBUF, b);
    memp_free(MEMP_PBUF, NULL);         /* allowed */
    ng_assert_net_clean();
}
END_TEST

START_TEST(init_is_idempotent)
{
    void *got[MEMP_NUM_ARP_QUEUE];
    got[0] = memp_malloc(MEMP_ARP_QUEUE);
    memp_init();                        /* must not hand got[0] out again */
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 1);
    for (int i = 1; i < MEMP_NUM_ARP_QUEUE; i++) {
        got[i] = memp_malloc(MEMP_ARP_QUEUE);
        ck_assert_ptr_nonnull(got[i]);
        ck_assert_ptr_ne(got[i], got[0]);
    }
    ck_assert_ptr_null(memp_malloc(MEMP_ARP_QUEUE));
    for (int i = 0; i < MEMP_NUM_ARP_QUEUE; i++)
        memp_free(MEMP_ARP_QUEUE, got[i]);
    ng_assert_net_clean();
}
END_TEST

START_TEST(malloc_works_without_init)
{
    ng_host_boot();                     /* no ng_net_test_init: memp_init never ran */
    void *p = memp_malloc(MEMP_REASSDATA);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(memp_in_use(MEMP_REASSDATA), 1);
    memp_free(MEMP_REASSDATA, p);
    ng_assert_net_clean();
}
END_TEST

static void noop(void *arg)
{
    (void)arg;
}

START_TEST(timeouts_use_the_sys_timeout_pool)
{
    const u16_t stack = (u16_t)lwip_num_cyclic_timers;   /* etharp_tmr, ip_reass_tmr, ... */
    sys_timeouts_init();
    ck_assert_uint_eq(memp_in_use(MEMP_SYS_TIMEOUT), stack);
    sys_timeout(10, noop, NULL);
    sys_timeout(20, noop, NULL);
    ck_assert_uint_eq(memp_in_use(MEMP_SYS_TIMEOUT), stack + 2);
    sys_untimeout(noop, NULL);
    ck_assert_uint_eq(memp_in_use(MEMP_SYS_TIMEOUT), stack + 1);
    sys_timeouts_init();                /* empties the list, re-arms the stack's */
    ck_assert_uint_eq(memp_in_use(MEMP_SYS_TIMEOUT), stack);
    ck_assert_uint_eq(memp_pools[MEMP_SYS_TIMEOUT]->stats->max, stack + 2);
    for (int i = 0; i < lwip_num_cyclic_timers; i++)
        sys_untimeout(lwip_cyclic_timer, (void *)(uintptr_t)&lwip_cyclic_timers[i]);
    ng_assert_net_clean();
}
END_TEST

/* ---- misuse: each runs in a child, the message must name the pool -------- */

static void expect_fault(void (*fn)(void), const char *pool, const char *what)
{
    char out[1024];
    ck_assert_int_eq(ng_capture_exit(fn, out, sizeof out), NG_EXIT_ASSERT);
    char want[64];
    snprintf(want, sizeof want, "pool %s:", pool);
    ck_assert_msg(strstr(out, want) != NULL, "want '%s' in: %s", want, out);
    ck_assert_msg(strstr(out, what) != NULL, "want '%s' in: %s", what, out);
}

static void double_free(void)
{
    void *p = memp_malloc(MEMP_PBUF_POOL);
    memp_free(MEMP_PBUF_POOL, p);
    memp_free(MEMP_PBUF_POOL, p);
}

START_TEST(double_free_is_caught)
{
    expect_fault(double_free, "PBUF_POOL", "double free");
    ng_assert_net_clean();
}
END_TEST

static void free_into_the_wrong_pool(void)
{
    void *p = memp_malloc(MEMP_TCPIP_MSG_API);
    memp_free(MEMP_TCPIP_MSG_INPKT, p);
}

START_TEST(free_into_the_wrong_pool_is_caught)
{
    expect_fault(free_into_the_wrong_pool, "TCPIP_MSG_INPKT", "not an element of this pool");
    ng_assert_net_clean();
}
END_TEST

static void free_mid_element(void)
{
    u8_t *p = memp_malloc(MEMP_PBUF_POOL);
    memp_free(MEMP_PBUF_POOL, p + 8);
}

START_TEST(free_into_the_middle_is_caught)
{
    expect_fault(free_mid_element, "PBUF_POOL", "not an element of this pool");
    ng_assert_net_clean();
}
END_TEST

static u8_t not_a_pool[64] __attribute__((aligned(8)));

static void free_foreign(void)
{
    memp_free(MEMP_SYS_TIMEOUT, not_a_pool);
}

START_TEST(free_of_foreign_memory_is_caught)
{
    expect_fault(free_foreign, "SYS_TIMEOUT", "not an element of this pool");
    ng_assert_net_clean();
}
END_TEST

static void overflow_then_free(void)
{
    u8_t *p = memp_malloc(MEMP_REASSDATA);
    p[memp_pools[MEMP_REASSDATA]->size] = 0;      /* one byte past the element */
    memp_free(MEMP_REASSDATA, p);
}

static void overflow_then_check(void)
{
    u8_t *p = memp_malloc(MEMP_FRAG_PBUF);
    p[memp_pools[MEMP_FRAG_PBUF]->size + MEM_ALIGNMENT - 1] = 0;   /* the guard's last byte */
    memp_overflow_check_all();
}

static void overflow_into_a_free_element(void)
{
    u8_t *p = memp_malloc(MEMP_ARP_QUEUE);
    memp_free(MEMP_ARP_QUEUE, p);
    p[memp_pools[MEMP_ARP_QUEUE]->size] = 0;      /* written after free */
    memp_malloc(MEMP_ARP_QUEUE);
}

START_TEST(overflow_is_caught)
{
    expect_fault(overflow_then_free, "REASSDATA", "overflowed");
    expect_fault(overflow_then_check, "FRAG_PBUF", "overflowed");
    expect_fault(overflow_into_a_free_element, "ARP_QUEUE", "guard overwritten while free");
    ng_assert_net_clean();
}
END_TEST

static void corrupt_free_list(void)
{
    void **p = memp_malloc(MEMP_PBUF);
    memp_free(MEMP_PBUF, p);
    *p = not_a_pool;                    /* the free element's link, written after free */
    memp_malloc(MEMP_PBUF);
}

START_TEST(corrupt_free_list_is_caught)
{
    expect_fault(corrupt_free_list, "PBUF_REF/ROM", "corrupt");
    ng_assert_net_clean();
}
END_TEST

START_TEST(double_free_exits_120)
{
    double_free();
}
END_TEST

/* ---- trace ---------------------------------------------------------------- */

START_TEST(trace_records_alloc_and_free)
{
    tc_start(NG_TRACE_CLASS_BIT(MEMP_ALLOC));
    void *seg = memp_malloc(MEMP_TCP_SEG);
    void *pb = memp_malloc(MEMP_PBUF);          /* the pbuf pools make no MEMP record */
    memp_free(MEMP_PBUF, pb);
    memp_free(MEMP_TCP_SEG, seg);
    void *got[MEMP_NUM_ARP_QUEUE];
    for (int i = 0; i < MEMP_NUM_ARP_QUEUE; i++)
        got[i] = memp_malloc(MEMP_ARP_QUEUE);
    ck_assert_ptr_null(memp_malloc(MEMP_ARP_QUEUE));    /* empty: recorded with p = 0 */
    for (int i = 0; i < MEMP_NUM_ARP_QUEUE; i++)
        memp_free(MEMP_ARP_QUEUE, got[i]);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_int_eq(tc_count(NG_EV_MEMP_ALLOC), 1 + MEMP_NUM_ARP_QUEUE + 1);
    ck_assert_int_eq(tc_count(NG_EV_MEMP_FREE), 1 + MEMP_NUM_ARP_QUEUE);
    u32_t seg_pool = (u32_t)(uintptr_t)memp_pools[MEMP_TCP_SEG];
    u32_t arp_pool = (u32_t)(uintptr_t)memp_pools[MEMP_ARP_QUEUE];
    int a = tc_next(0, NG_EV_MEMP_ALLOC);
    ck_assert_uint_eq(tc_recs[a].w[0], seg_pool);
    ck_assert_uint_eq(tc_recs[a].w[1], (u32_t)(uintptr_t)seg);
    int f = tc_next(0, NG_EV_MEMP_FREE);
    ck_assert_int_gt(f, a);
    ck_assert_uint_eq(tc_recs[f].w[0], seg_pool);
    ck_assert_uint_eq(tc_recs[f].w[1], (u32_t)(uintptr_t)seg);
    for (int i = 0; i < MEMP_NUM_ARP_QUEUE; i++) {
        a = tc_next(a + 1, NG_EV_MEMP_ALLOC);
        ck_assert_uint_eq(tc_recs[a].w[0], arp_pool);
        ck_assert_uint_eq(tc_recs[a].w[1], (u32_t)(uintptr_t)got[i]);
    }
    a = tc_next(a + 1, NG_EV_MEMP_ALLOC);
    ck_assert_uint_eq(tc_recs[a].w[0], arp_pool);
    ck_assert_uint_eq(tc_recs[a].w[1], 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(clean_check_names_the_pool)
{
    void *p = memp_malloc(MEMP_ARP_QUEUE);
    (void)p;
    ng_assert_net_clean();              /* must fail: one ARP_QUEUE element is out */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memp");
    TCase *tc = ng_tcase(s, "pools");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, every_pool_gives_exactly_its_elements);
    tcase_add_test(tc, free_list_is_lifo);
    tcase_add_test(tc, init_is_idempotent);
    tcase_add_test(tc, timeouts_use_the_sys_timeout_pool);
    tcase_add_test(tc, trace_records_alloc_and_free);

    tc = ng_tcase(s, "no init");
    tcase_add_test(tc, malloc_works_without_init);

    tc = ng_tcase(s, "checks");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, double_free_is_caught);
    tcase_add_test(tc, free_into_the_wrong_pool_is_caught);
    tcase_add_test(tc, free_into_the_middle_is_caught);
    tcase_add_test(tc, free_of_foreign_memory_is_caught);
    if (MEMP_OVERFLOW_CHECK)
        tcase_add_test(tc, overflow_is_caught);
    tcase_add_test(tc, corrupt_free_list_is_caught);
    tcase_add_exit_test(tc, double_free_exits_120, NG_EXIT_ASSERT);

    int failed = ng_test_run(s);

    /* ng_assert_net_clean itself must be able to fail */
    Suite *s2 = suite_create("memp: the clean check fails when it should");
    tc = ng_tcase(s2, "clean");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, clean_check_names_the_pool);
    SRunner *sr = srunner_create(s2);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);
    int clean_failed = srunner_ntests_failed(sr);
    TestResult **r = srunner_failures(sr);
    int named = clean_failed == 1 && strstr(tr_msg(r[0]), "pool ARP_QUEUE: 1 in use") != NULL;
    printf("memp: ng_assert_net_clean %s a pool left in use%s%s\n",
           named ? "reports" : "DOES NOT report", named ? "" : ": ",
           named ? "" : (clean_failed ? tr_msg(r[0]) : "(passed)"));
    free(r);
    srunner_free(sr);
    return failed != 0 || !named;
}
