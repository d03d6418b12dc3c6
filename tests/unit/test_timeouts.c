/*
 * tests/unit/test_timeouts.c - lwIP's sys_timeout list (net/timeouts.c).
 *
 * The list is driven the way tcpip_thread drives it: time moves (here with
 * ng_host_advance, 1 tick = 1 ms) and sys_check_timeouts() runs whatever
 * is due, possibly late.
 *
 * Covers: ordering by due time with equal due times kept in arming order,
 * sys_timeouts_sleeptime (infinite, counting down, 0 when late),
 * sys_untimeout (first match of handler and argument only), handlers
 * arming more timeouts, cyclic timers through lwip_cyclic_timer re-armed
 * from their due time so that late checks cause no drift (run times and
 * due times asserted at exact multiples of the interval), a missed
 * interval re-armed from now, sys_restart_timeouts, due times across the
 * 32-bit wrap of sys_now, sys_timeouts_init emptying the list, and the
 * assertions (exit 120) on an exhausted pool and on a too long timeout.
 */
#include "lwip/timeouts.h"
#include "ng_test.h"

#define A(n) ((void *)(uintptr_t)(n))

/* sys_timeouts_init also arms the stack's cyclic timers (etharp_tmr,
 * ip_reass_tmr, ...); these tests want the list to themselves. */
static void cancel_stack_timers(void)
{
    for (int i = 0; i < lwip_num_cyclic_timers; i++)
        sys_untimeout(lwip_cyclic_timer, (void *)(uintptr_t)&lwip_cyclic_timers[i]);
}

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);    /* 1 tick = 1 ms below */
    ng_host_boot();
    tlog_reset();
    sys_timeouts_init();
    cancel_stack_timers();
}

/* Move virtual time to absolute millisecond t (from main, nobody else). */
static void advance_to(u32_t t)
{
    ck_assert_uint_ge(t, sys_now());
    ng_host_advance(t - sys_now());
    ck_assert_uint_eq(sys_now(), t);
}

static void log_arg(void *arg)
{
    tlog((int)(uintptr_t)arg);
}

static void other_handler(void *arg)
{
    tlog(1000 + (int)(uintptr_t)arg);
}

static struct sys_timeo *head(void)
{
    return *sys_timeouts_get_next_timeout();
}

static int list_len(void)
{
    int n = 0;
    for (struct sys_timeo *t = head(); t; t = t->next)
        n++;
    return n;
}

/* ---- ordering ------------------------------------------------------------ */

START_TEST(ordered_by_due_time_then_arming_order)
{
    sys_timeout(30, log_arg, A(1));
    sys_timeout(10, log_arg, A(2));
    sys_timeout(20, log_arg, A(3));
    sys_timeout(10, log_arg, A(4));
    sys_timeout(0, log_arg, A(5));
    static const u32_t due[] = { 0, 10, 10, 20, 30 };
    static const int arg[] = { 5, 2, 4, 3, 1 };
    int i = 0;
    for (struct sys_timeo *t = head(); t; t = t->next, i++) {
        ck_assert_uint_eq(t->time, due[i]);
        ck_assert_int_eq((int)(uintptr_t)t->arg, arg[i]);
        ck_assert_ptr_eq(t->h, log_arg);
    }
    ck_assert_int_eq(i, 5);

    sys_check_timeouts();                   /* t=0: only the one due now */
    ck_assert_log(5);
    advance_to(9);
    sys_check_timeouts();
    ck_assert_log(5);
    advance_to(10);
    sys_check_timeouts();
    ck_assert_log(5, 2, 4);
    advance_to(35);
    sys_check_timeouts();                   /* late: both, in due order */
    ck_assert_log(5, 2, 4, 3, 1);
    ck_assert_ptr_null(head());
}
END_TEST

START_TEST(sleeptime)
{
    ck_assert_uint_eq(sys_timeouts_sleeptime(), SYS_TIMEOUTS_SLEEPTIME_INFINITE);
    sys_timeout(30, log_arg, A(1));
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 30);
    advance_to(12);
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 18);
    sys_timeout(5, log_arg, A(2));          /* due 17: the new head */
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 5);
    advance_to(17);
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 0);
    sys_check_timeouts();
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 13);
    advance_to(45);                         /* 15 ms late */
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 0);
    sys_check_timeouts();
    ck_assert_uint_eq(sys_timeouts_sleeptime(), SYS_TIMEOUTS_SLEEPTIME_INFINITE);
    ck_assert_log(2, 1);
}
END_TEST

START_TEST(untimeout_removes_first_match_only)
{
    sys_timeout(10, log_arg, A(1));
    sys_timeout(20, log_arg, A(2));
    sys_timeout(30, log_arg, A(1));
    sys_timeout(40, other_handler, A(1));
    sys_untimeout(log_arg, A(1));           /* the one due at 10 */
    ck_assert_int_eq(list_len(), 3);
    ck_assert_uint_eq(head()->time, 20);
    sys_untimeout(log_arg, A(3));           /* no such argument */
    sys_untimeout(other_handler, A(2));     /* no such pair */
    ck_assert_int_eq(list_len(), 3);
    advance_to(100);
    sys_check_timeouts();
    ck_assert_log(2, 1, 1001);
    sys_untimeout(log_arg, A(2));           /* on an empty list */
    ck_assert_ptr_null(head());
}
END_TEST

static void rearm_twice(void *arg)
{
    int n = (int)(uintptr_t)arg;
    tlog(n);
    if (n < 3)
        sys_timeout(0, rearm_twice, A(n + 1));  /* due now: runs in this check */
}

START_TEST(handler_may_arm_timeouts)
{
    sys_timeout(5, rearm_twice, A(1));
    sys_timeout(6, log_arg, A(9));
    advance_to(5);
    sys_check_timeouts();
    ck_assert_log(1, 2, 3);
    ck_assert_uint_eq(head()->time, 6);
}
END_TEST

/* ---- cyclic timers ------------------------------------------------------- */

static void cyclic_a(void) { tlog(1000 + (int)sys_now()); }
static void cyclic_b(void) { tlog(2000 + (int)sys_now()); }

static const struct lwip_cyclic_timer timer_a = { 30, cyclic_a };
static const struct lwip_cyclic_timer timer_b = { 50, cyclic_b };

static void arm_cyclic(const struct lwip_cyclic_timer *c)
{
    sys_timeout(c->interval_ms, lwip_cyclic_timer, (void *)(uintptr_t)c);
}

START_TEST(cyclic_timers_checked_every_ms)
{
    arm_cyclic(&timer_a);
    arm_cyclic(&timer_b);
    for (int t = 1; t <= 300; t++) {
        ng_host_advance(1);
        sys_check_timeouts();
    }
    /* Runs at every multiple of each interval. Where both are due (150,
     * 300) b runs first: it was re-armed earlier (at t-50, a at t-30). */
    int k = 0;
    for (int t = 1; t <= 300; t++) {
        if (t % 50 == 0)
            ck_assert_int_eq(tlog_at(k++), 2000 + t);
        if (t % 30 == 0)
            ck_assert_int_eq(tlog_at(k++), 1000 + t);
    }
    ck_assert_int_eq(tlog_len(), k);
    ck_assert_int_eq(k, 16);
}
END_TEST

START_TEST(cyclic_timer_late_checks_do_not_drift)
{
    arm_cyclic(&timer_b);
    /* check at irregular times, each less than one interval late */
    static const u32_t when[] = { 57, 103, 149, 150, 240, 250, 251, 349, 399, 400 };
    static const u32_t due_after[] = { 100, 150, 150, 200, 250, 300, 300, 350, 400, 450 };
    for (unsigned i = 0; i < sizeof when / sizeof when[0]; i++) {
        advance_to(when[i]);
        sys_check_timeouts();
        ck_assert_uint_eq(head()->time, due_after[i]);
        ck_assert_uint_eq(head()->time % timer_b.interval_ms, 0);
        ck_assert_int_eq(list_len(), 1);
    }
    /* one run per interval, at the check that came after its due time */
    ck_assert_log(2057, 2103, 2150, 2240, 2250, 2349, 2399, 2400);
}
END_TEST

START_TEST(cyclic_timer_missed_interval_rearms_from_now)
{
    arm_cyclic(&timer_b);
    advance_to(170);                        /* due 50; 100 and 150 missed */
    sys_check_timeouts();
    ck_assert_log(2170);                    /* runs once, no burst */
    ck_assert_uint_eq(head()->time, 220);   /* a new grid from now */
    advance_to(220);
    sys_check_timeouts();
    ck_assert_uint_eq(head()->time, 270);
    ck_assert_log(2170, 2220);
}
END_TEST

START_TEST(cyclic_timer_late_by_exactly_one_interval)
{
    arm_cyclic(&timer_b);
    advance_to(100);    /* due 50; the next one, 100, is due now, not missed */
    sys_check_timeouts();
    ck_assert_log(2100, 2100);
    ck_assert_uint_eq(head()->time, 150);
}
END_TEST

START_TEST(restart_timeouts_shifts_to_now)
{
    sys_timeout(10, log_arg, A(1));
    sys_timeout(30, log_arg, A(2));
    advance_to(100);                        /* a pause that should not count */
    sys_restart_timeouts();
    ck_assert_uint_eq(head()->time, 100);
    ck_assert_uint_eq(head()->next->time, 120);
    sys_check_timeouts();
    ck_assert_log(1);
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 20);
    sys_restart_timeouts();                 /* due in the future: moved to now */
    ck_assert_uint_eq(head()->time, 100);
}
END_TEST

START_TEST(due_times_across_the_wrap)
{
    /* sys_now() is the tick count at 1 kHz; start it 6 ms before 2^32 */
    ng_ticks = 0xfffffffau;
    u32_t base = sys_now();
    sys_timeout(10, log_arg, A(10));        /* due 4, after the wrap */
    sys_timeout(3, log_arg, A(3));          /* due 0xfffffffd */
    sys_timeout(20, log_arg, A(20));
    ck_assert_uint_eq(head()->time, 0xfffffffdu);
    ck_assert_uint_eq(sys_timeouts_sleeptime(), 3);
    for (int i = 1; i <= 25; i++) {
        ng_host_advance(1);
        int before = tlog_len();
        sys_check_timeouts();
        if (tlog_len() != before)
            tlog(-(int)(sys_now() - base));     /* when it ran */
    }
    ck_assert_log(3, -3, 10, -10, 20, -20);
}
END_TEST

START_TEST(init_empties_the_list)
{
    for (int i = 0; i < MEMP_NUM_SYS_TIMEOUT; i++)
        sys_timeout(10, log_arg, A(i));
    sys_timeouts_init();
    /* Only the stack's cyclic timers are left, each armed once. */
    ck_assert_int_eq(list_len(), lwip_num_cyclic_timers);
    for (struct sys_timeo *t = head(); t; t = t->next)
        ck_assert_ptr_eq(t->h, lwip_cyclic_timer);
    cancel_stack_timers();
    ck_assert_ptr_null(head());
    for (int i = 0; i < MEMP_NUM_SYS_TIMEOUT; i++)  /* the whole pool is back */
        sys_timeout(10, log_arg, A(i));
    ck_assert_int_eq(list_len(), MEMP_NUM_SYS_TIMEOUT);
}
END_TEST

START_TEST(pool_entries_are_reused)
{
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < MEMP_NUM_SYS_TIMEOUT; i++)
            sys_timeout(1, log_arg, A(i));
        ng_host_advance(1);
        sys_check_timeouts();               /* frees all of them */
        ck_assert_ptr_null(head());
    }
    ck_assert_int_eq(tlog_len(), 3 * MEMP_NUM_SYS_TIMEOUT);
    for (int i = 0; i < MEMP_NUM_SYS_TIMEOUT; i++)
        sys_timeout(5, log_arg, A(i));
    sys_untimeout(log_arg, A(3));
    sys_timeout(5, log_arg, A(99));         /* the freed entry */
    ck_assert_int_eq(list_len(), MEMP_NUM_SYS_TIMEOUT);
}
END_TEST

/* ---- misuse -------------------------------------------------------------- */

START_TEST(pool_exhaustion_asserts)
{
    for (int i = 0; i < MEMP_NUM_SYS_TIMEOUT; i++)
        sys_timeout((u32_t)i, log_arg, A(i));
    ck_assert_int_eq(list_len(), MEMP_NUM_SYS_TIMEOUT);
    sys_timeout(1, log_arg, A(99));
}
END_TEST

START_TEST(too_long_timeout_asserts)
{
    sys_timeout(0x80000000u, log_arg, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timeouts");
    TCase *tc = ng_tcase(s, "list");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, ordered_by_due_time_then_arming_order);
    tcase_add_test(tc, sleeptime);
    tcase_add_test(tc, untimeout_removes_first_match_only);
    tcase_add_test(tc, handler_may_arm_timeouts);
    tcase_add_test(tc, restart_timeouts_shifts_to_now);
    tcase_add_test(tc, due_times_across_the_wrap);
    tcase_add_test(tc, init_empties_the_list);
    tcase_add_test(tc, pool_entries_are_reused);

    tc = ng_tcase(s, "cyclic");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, cyclic_timers_checked_every_ms);
    tcase_add_test(tc, cyclic_timer_late_checks_do_not_drift);
    tcase_add_test(tc, cyclic_timer_missed_interval_rearms_from_now);
    tcase_add_test(tc, cyclic_timer_late_by_exactly_one_interval);

    tc = ng_tcase(s, "asserts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, pool_exhaustion_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, too_long_timeout_asserts, NG_EXIT_ASSERT);

    return ng_test_run(s) != 0;
}
