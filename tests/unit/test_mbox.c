/*
 * tests/unit/test_mbox.c - mailboxes (kernel/mbox.c) and lwIP's sys_mbox_*
 * on top of them (api/sys_arch.c).
 *
 * Covers: FIFO order (also around the ring's end), a blocking fetch and the
 * milliseconds it reports, a fetch timeout with the waited time (and *msg
 * cleared), tryfetch on empty (SYS_MBOX_EMPTY / NG_EMPTY), trypost on full
 * (ERR_MEM / NG_FULL) and the fulls counter, blocking posts on a full
 * mailbox completing when a fetch makes room with FIFO order preserved
 * (and, among blocked posters of different priorities, the more urgent one
 * first), a blocking post timing out, a post from interrupt context through
 * sys_mbox_trypost_fromisr waking a fetcher at the end of the interrupt,
 * the posts / fetches / high-water counters, and the assertions (exit 120)
 * on freeing a non-empty mailbox or destroying one with waiters.
 *
 * Messages are small integers cast to pointers: M(3) is message 3.
 */
#include "lwip/sys.h"
#include "ng_test.h"

#define M(n) ((void *)(uintptr_t)(n))
#define N(p) ((int)(uintptr_t)(p))

static struct ng_mbox mb;
static void *slots[8];
static sys_mbox_t smb;

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);    /* 1 tick = 1 ms below */
    ng_host_boot();
    tlog_reset();
}

/* ---- FIFO ---------------------------------------------------------------- */

START_TEST(fifo_order)
{
    ng_mbox_init(&mb, "mb", slots, 8);
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(ng_mbox_trypost(&mb, M(i)), NG_OK);
    ck_assert_uint_eq(mb.count, 5);
    for (int i = 1; i <= 5; i++) {
        void *m = NULL;
        ck_assert_int_eq(ng_mbox_fetch(&mb, &m, NG_WAIT_FOREVER), NG_OK);
        ck_assert_int_eq(N(m), i);
    }
    ck_assert_uint_eq(mb.count, 0);
    ck_assert_uint_eq(mb.posts, 5);
    ck_assert_uint_eq(mb.fetches, 5);
    ck_assert_uint_eq(mb.fulls, 0);
    ck_assert_uint_eq(ng_ticks, 0);
    ng_mbox_destroy(&mb);
}
END_TEST

START_TEST(fifo_order_around_the_ring)
{
    ng_mbox_init(&mb, "ring", slots, 3);
    int next_post = 1, next_fetch = 1;
    for (int round = 0; round < 10; round++) {
        /* post 2, fetch 1, then again, so head and tail walk round */
        for (int k = 0; k < 2 && mb.count < 3; k++)
            ck_assert_int_eq(ng_mbox_post(&mb, M(next_post++), 0), NG_OK);
        void *m;
        ck_assert_int_eq(ng_mbox_tryfetch(&mb, &m), NG_OK);
        ck_assert_int_eq(N(m), next_fetch++);
    }
    while (mb.count) {
        void *m;
        ck_assert_int_eq(ng_mbox_tryfetch(&mb, &m), NG_OK);
        ck_assert_int_eq(N(m), next_fetch++);
    }
    ck_assert_int_eq(next_fetch, next_post);
    ck_assert_uint_eq(mb.high_water, 3);
    ng_mbox_destroy(&mb);
}
END_TEST

/* ---- fetch: blocking, timeout, empty ------------------------------------- */

static void post_after(void *arg)
{
    ng_host_advance(4);
    tlog(1);
    sys_mbox_post(&smb, arg);
    tlog(3);
}

START_TEST(blocking_fetch)
{
    ck_assert_int_eq(sys_mbox_new_named(&smb, 4, "smb"), ERR_OK);
    ck_assert_int_eq(sys_mbox_valid(&smb), 1);
    ng_test_spawn("poster", post_after, M(42), NG_MAIN_PRIO - 1);
    void *m = NULL;
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 0), 4);     /* 0: forever */
    tlog(2);
    ck_assert_int_eq(N(m), 42);
    ck_assert_uint_eq(ng_ticks, 4);
    /* handed straight to the waiting fetcher: it never sat in a slot */
    ck_assert_uint_eq(smb.mbox.count, 0);
    ck_assert_uint_eq(smb.mbox.high_water, 0);
    ck_assert_uint_eq(smb.mbox.posts, 1);
    ck_assert_uint_eq(smb.mbox.fetches, 1);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
    sys_mbox_free(&smb);
    ck_assert_int_eq(sys_mbox_valid(&smb), 0);
}
END_TEST

START_TEST(blocking_fetch_within_timeout)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 4), ERR_OK);
    ng_test_spawn("poster", post_after, M(7), NG_MAIN_PRIO - 1);
    void *m = NULL;
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 30), 4);
    ck_assert_int_eq(N(m), 7);
    ck_assert_int_eq(ng_sched_has_timed_waiters(), 0);
    sys_mbox_free(&smb);
}
END_TEST

START_TEST(fetch_timeout_reports_waited_time)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 4), ERR_OK);
    void *m = M(99);
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 25), SYS_ARCH_TIMEOUT);
    ck_assert_ptr_null(m);
    ck_assert_uint_eq(ng_ticks, 25);
    ck_assert(ng_list_empty(&smb.mbox.getters));

    ck_assert_int_eq(ng_mbox_fetch(&smb.mbox, &m, 9), NG_TIMEOUT);
    ck_assert_uint_eq(ng_ticks, 34);
    ck_assert_uint_eq(smb.mbox.fetches, 0);
    sys_mbox_free(&smb);
}
END_TEST

START_TEST(tryfetch_on_empty)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 2), ERR_OK);
    void *m = M(5);
    ck_assert_uint_eq(sys_arch_mbox_tryfetch(&smb, &m), SYS_MBOX_EMPTY);
    ck_assert_uint_eq(SYS_MBOX_EMPTY, SYS_ARCH_TIMEOUT);
    ck_assert_int_eq(ng_mbox_tryfetch(&smb.mbox, &m), NG_EMPTY);
    ck_assert_int_eq(N(m), 5);              /* untouched */
    ck_assert_uint_eq(ng_ticks, 0);
    ck_assert_int_eq(sys_mbox_trypost(&smb, M(8)), ERR_OK);
    ck_assert_uint_eq(sys_mbox_tryfetch(&smb, &m), 0);
    ck_assert_int_eq(N(m), 8);
    sys_mbox_free(&smb);
}
END_TEST

/* ---- post: full, blocking ------------------------------------------------ */

START_TEST(trypost_on_full)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 2), ERR_OK);
    ck_assert_int_eq(sys_mbox_trypost(&smb, M(1)), ERR_OK);
    ck_assert_int_eq(sys_mbox_trypost(&smb, M(2)), ERR_OK);
    ck_assert_int_eq(sys_mbox_trypost(&smb, M(3)), ERR_MEM);
    ck_assert_int_eq(sys_mbox_trypost(&smb, M(4)), ERR_MEM);
    ck_assert_int_eq(ng_mbox_post(&smb.mbox, M(5), 0), NG_FULL);
    ck_assert_int_eq(ng_mbox_trypost(&smb.mbox, M(6)), NG_FULL);
    ck_assert_uint_eq(smb.mbox.fulls, 4);
    ck_assert_uint_eq(smb.mbox.posts, 2);
    ck_assert_uint_eq(smb.mbox.count, 2);
    void *m;
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 1), 0);
    ck_assert_int_eq(N(m), 1);
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 1), 0);
    ck_assert_int_eq(N(m), 2);
    ck_assert_uint_eq(sys_arch_mbox_tryfetch(&smb, &m), SYS_MBOX_EMPTY);
    sys_mbox_free(&smb);
}
END_TEST

static void blocking_poster(void *arg)
{
    sys_mbox_post(&smb, arg);               /* blocks: the mailbox is full */
    tlog(10 + N(arg));
}

static void fetch_four(void)
{
    for (int i = 0; i < 4; i++) {
        void *m = NULL;
        ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 0), 0);
        tlog(N(m));
    }
}

START_TEST(blocking_post_completes_in_fifo_order)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 2), ERR_OK);
    sys_mbox_post(&smb, M(1));
    sys_mbox_post(&smb, M(2));
    /* more urgent than main: each runs at once and blocks in its post */
    struct ng_thread *p3 = ng_test_spawn("p3", blocking_poster, M(3), NG_MAIN_PRIO + 1);
    struct ng_thread *p4 = ng_test_spawn("p4", blocking_poster, M(4), NG_MAIN_PRIO + 1);
    ck_assert_int_eq(p3->state, NG_TSTATE_BLOCKED);
    ck_assert_uint_eq(p3->wait_kind, NG_WAIT_MBOX_POST);
    ck_assert_int_eq(p4->state, NG_TSTATE_BLOCKED);
    ck_assert_int_eq(tlog_len(), 0);
    /* each fetch takes the oldest and lets the first poster in behind it;
     * the poster, more urgent, finishes its post before main goes on */
    fetch_four();
    ck_assert_log(13, 1, 14, 2, 3, 4);
    ck_assert_uint_eq(smb.mbox.posts, 4);
    ck_assert_uint_eq(smb.mbox.fetches, 4);
    ck_assert_uint_eq(smb.mbox.fulls, 0);       /* blocking is not failing */
    ck_assert_uint_eq(smb.mbox.high_water, 2);
    ck_assert_uint_eq(ng_ticks, 0);
    sys_mbox_free(&smb);
}
END_TEST

START_TEST(blocked_posters_enter_by_priority)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 2), ERR_OK);
    sys_mbox_post(&smb, M(1));
    sys_mbox_post(&smb, M(2));
    ng_test_spawn("p3", blocking_poster, M(3), NG_MAIN_PRIO + 1);    /* blocks first */
    ng_test_spawn("p4", blocking_poster, M(4), NG_MAIN_PRIO + 2);    /* more urgent */
    fetch_four();
    ck_assert_log(14, 1, 13, 2, 4, 3);
    sys_mbox_free(&smb);
}
END_TEST

START_TEST(blocking_post_times_out)
{
    ng_mbox_init(&mb, "one", slots, 1);
    ck_assert_int_eq(ng_mbox_post(&mb, M(1), 10), NG_OK);
    ck_assert_int_eq(ng_mbox_post(&mb, M(2), 10), NG_TIMEOUT);
    ck_assert_uint_eq(ng_ticks, 10);
    ck_assert(ng_list_empty(&mb.putters));
    ck_assert_uint_eq(mb.count, 1);
    void *m;
    ck_assert_int_eq(ng_mbox_tryfetch(&mb, &m), NG_OK);
    ck_assert_int_eq(N(m), 1);
    ck_assert_int_eq(ng_mbox_tryfetch(&mb, &m), NG_EMPTY);  /* 2 never got in */
    ck_assert_uint_eq(mb.posts, 1);
    ng_mbox_destroy(&mb);
}
END_TEST

/* ---- post from an interrupt ---------------------------------------------- */

#define IRQ_NUM 22

static err_t isr_result[2];

static void isr_post(void *arg)
{
    ck_assert(ng_arch_in_isr());
    isr_result[0] = sys_mbox_trypost_fromisr(&smb, arg);
    tlog(1);        /* the fetcher waits for the interrupt to end */
}

static void device(void *arg)
{
    ng_host_advance(2);
    ng_host_isr(IRQ_NUM, isr_post, arg);
    tlog(3);
}

START_TEST(post_from_isr_wakes_fetcher)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 1), ERR_OK);
    ng_test_spawn("device", device, M(77), NG_MAIN_PRIO - 1);
    void *m = NULL;
    ck_assert_uint_eq(sys_arch_mbox_fetch(&smb, &m, 100), 2);
    tlog(2);
    ck_assert_int_eq(isr_result[0], ERR_OK);
    ck_assert_int_eq(N(m), 77);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
    sys_mbox_free(&smb);
}
END_TEST

static void isr_post_two(void *arg)
{
    (void)arg;
    isr_result[0] = sys_mbox_trypost_fromisr(&smb, M(1));
    isr_result[1] = sys_mbox_trypost_fromisr(&smb, M(2));
}

START_TEST(post_from_isr_on_full)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 1), ERR_OK);
    ng_host_isr(IRQ_NUM, isr_post_two, NULL);
    ck_assert_int_eq(isr_result[0], ERR_OK);
    ck_assert_int_eq(isr_result[1], ERR_MEM);
    ck_assert_uint_eq(smb.mbox.fulls, 1);
    void *m;
    ck_assert_uint_eq(sys_arch_mbox_tryfetch(&smb, &m), 0);
    ck_assert_int_eq(N(m), 1);
    sys_mbox_free(&smb);
}
END_TEST

/* ---- counters ------------------------------------------------------------ */

START_TEST(high_water_mark)
{
    ng_mbox_init(&mb, "hw", slots, 5);
    for (int i = 0; i < 3; i++)
        ng_mbox_trypost(&mb, M(i));
    ng_mbox_tryfetch(&mb, NULL);            /* msg may be NULL: dropped */
    ng_mbox_tryfetch(&mb, NULL);
    ng_mbox_trypost(&mb, M(3));
    ck_assert_uint_eq(mb.count, 2);
    ck_assert_uint_eq(mb.high_water, 3);
    for (int i = 4; i < 7; i++)
        ng_mbox_trypost(&mb, M(i));
    ck_assert_uint_eq(mb.count, 5);
    ck_assert_uint_eq(mb.high_water, 5);
    ck_assert_int_eq(ng_mbox_trypost(&mb, M(7)), NG_FULL);
    ck_assert_uint_eq(mb.high_water, 5);
    ck_assert_uint_eq(mb.posts, 7);
    ck_assert_uint_eq(mb.fetches, 2);
    ck_assert_uint_eq(mb.fulls, 1);
    while (ng_mbox_tryfetch(&mb, NULL) == NG_OK)
        ;
    ck_assert_uint_eq(mb.high_water, 5);    /* a high-water mark stays */
    ck_assert_uint_eq(mb.fetches, 7);
    ng_mbox_destroy(&mb);
}
END_TEST

START_TEST(sys_mbox_new_rejects_bad_sizes)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 0), ERR_VAL);
    ck_assert_int_eq(sys_mbox_new(&smb, -1), ERR_VAL);
    ck_assert_int_eq(sys_mbox_new(&smb, 0x10000), ERR_VAL);
    ck_assert_int_eq(sys_mbox_new(&smb, 0xffff), ERR_OK);
    ck_assert_uint_eq(smb.mbox.size, 0xffff);
    sys_mbox_set_invalid(&smb);
    ck_assert_int_eq(sys_mbox_valid(&smb), 0);
    ck_assert_int_eq(sys_mbox_valid(NULL), 0);
    sys_mbox_free(&smb);
}
END_TEST

/* ---- misuse -------------------------------------------------------------- */

START_TEST(free_non_empty_asserts)
{
    ck_assert_int_eq(sys_mbox_new(&smb, 2), ERR_OK);
    sys_mbox_post(&smb, M(1));
    sys_mbox_free(&smb);
}
END_TEST

static void fetcher(void *arg)
{
    (void)arg;
    ng_mbox_fetch(&mb, NULL, NG_WAIT_FOREVER);
}

START_TEST(destroy_with_waiters_asserts)
{
    ng_mbox_init(&mb, "mb", slots, 2);
    ng_test_spawn("fetcher", fetcher, NULL, NG_MAIN_PRIO + 1);
    ng_mbox_destroy(&mb);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mbox");
    TCase *tc = ng_tcase(s, "fifo");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, fifo_order);
    tcase_add_test(tc, fifo_order_around_the_ring);

    tc = ng_tcase(s, "fetch");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, blocking_fetch);
    tcase_add_test(tc, blocking_fetch_within_timeout);
    tcase_add_test(tc, fetch_timeout_reports_waited_time);
    tcase_add_test(tc, tryfetch_on_empty);

    tc = ng_tcase(s, "post");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, trypost_on_full);
    tcase_add_test(tc, blocking_post_completes_in_fifo_order);
    tcase_add_test(tc, blocked_posters_enter_by_priority);
    tcase_add_test(tc, blocking_post_times_out);

    tc = ng_tcase(s, "isr");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, post_from_isr_wakes_fetcher);
    tcase_add_test(tc, post_from_isr_on_full);

    tc = ng_tcase(s, "counters");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, high_water_mark);
    tcase_add_test(tc, sys_mbox_new_rejects_bad_sizes);

    tc = ng_tcase(s, "asserts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, free_non_empty_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, destroy_with_waiters_asserts, NG_EXIT_ASSERT);

    return ng_test_run(s) != 0;
}
