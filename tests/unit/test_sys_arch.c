/*
 * tests/unit/test_sys_arch.c - the parts of lwIP's sys layer
 * (api/sys_arch.c) that are not semaphores, mutexes or mailboxes (those
 * have their own files): time, sleep, threads, light-weight protection,
 * and the conversion of lwIP's millisecond timeouts to kernel ticks.
 *
 * Covers: sys_now / sys_jiffies following virtual time, sys_msleep sleeping
 * exactly the milliseconds asked and sys_msleep(0) yielding, sys_thread_new
 * (name, argument, priority clamped to 1..NG_PRIO_COUNT-1, default and
 * rounded stack sizes, 8-byte alignment), sys_arch_protect nesting and
 * deferring a switch to the outermost unprotect, and very long timeouts
 * (beyond 2^31 ticks) staying timed waits that do not expire early.
 */
#include "lwip/sys.h"
#include "ng_test.h"

static sys_sem_t sem;

static void setup(void)
{
    ng_host_boot();
    sys_init();
    tlog_reset();
    ck_assert_int_eq(sys_sem_new_named(&sem, 0, "sem"), ERR_OK);
}

/* ---- time ---------------------------------------------------------------- */

START_TEST(now_and_jiffies_follow_virtual_time)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);    /* 1 tick = 1 ms below */
    ck_assert_uint_eq(sys_now(), 0);
    ck_assert_uint_eq(sys_jiffies(), 0);
    ng_host_advance(37);
    ck_assert_uint_eq(sys_now(), 37);
    ck_assert_uint_eq(sys_jiffies(), 37);
    ng_sleep(1000);
    ck_assert_uint_eq(sys_now(), 1037);
}
END_TEST

START_TEST(msleep_sleeps_exactly)
{
    static const u32_t ms[] = { 1, 15, 333 };
    for (int i = 0; i < 3; i++) {
        u32_t t0 = sys_now();
        sys_msleep(ms[i]);
        ck_assert_uint_eq(sys_now() - t0, ms[i]);
    }
}
END_TEST

static void equal_logger(void *arg)
{
    tlog((int)(intptr_t)arg);
}

START_TEST(msleep_zero_yields)
{
    ng_test_spawn("equal", equal_logger, (void *)(intptr_t)2, NG_MAIN_PRIO);
    tlog(1);
    sys_msleep(0);                          /* lets the equal thread run */
    tlog(3);
    ck_assert_log(1, 2, 3);
    ck_assert_uint_eq(sys_now(), 0);
}
END_TEST

/* ---- threads ------------------------------------------------------------- */

static void sys_entry(void *arg)
{
    tlog((int)(intptr_t)arg);
}

START_TEST(thread_new)
{
    sys_thread_t t = sys_thread_new("worker", sys_entry, (void *)(intptr_t)7, 2048,
                                    NG_MAIN_PRIO + 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t->name, "worker");
    ck_assert_uint_eq(t->prio, NG_MAIN_PRIO + 1);
    ck_assert_uint_eq(t->stack_size, 2048);
    ck_assert_uint_eq((uintptr_t)t->stack & 7u, 0);
    ck_assert_int_eq(t->state, NG_TSTATE_EXITED);  /* more urgent: already ran */
    ck_assert_log(7);
    ck_assert_str_eq(ng_registry[t->id].name, "worker");
}
END_TEST

START_TEST(thread_new_defaults_and_clamps)
{
    sys_thread_t d = sys_thread_new("default", sys_entry, (void *)(intptr_t)1, 0, 3);
    ck_assert_uint_eq(d->stack_size, DEFAULT_THREAD_STACKSIZE);
    sys_thread_t r = sys_thread_new("rounded", sys_entry, (void *)(intptr_t)2, 1001, 3);
    ck_assert_uint_eq(r->stack_size, 1008);
    sys_thread_t lo = sys_thread_new("low", sys_entry, (void *)(intptr_t)3, 512, 0);
    ck_assert_uint_eq(lo->prio, DEFAULT_THREAD_PRIO);   /* 0: the default, never idle's */
    sys_thread_t neg = sys_thread_new("neg", sys_entry, (void *)(intptr_t)4, 512, -5);
    ck_assert_uint_eq(neg->prio, DEFAULT_THREAD_PRIO);
    sys_thread_t hi = sys_thread_new("high", sys_entry, (void *)(intptr_t)5, 512, 99);
    ck_assert_uint_eq(hi->prio, NG_PRIO_COUNT - 1);
    ck_assert_log(5);                       /* only "high" preempted main */
    ng_sleep(1);
    ck_assert_log(5, 3, 4, 1, 2);           /* "low" and "neg" (prio 4) before prio 3 */
}
END_TEST

/* ---- protection ---------------------------------------------------------- */

static void protected_waiter(void *arg)
{
    (void)arg;
    sys_arch_sem_wait(&sem, 0);
    tlog(2);
}

START_TEST(protect_nests_and_defers_the_switch)
{
    ng_test_spawn("waiter", protected_waiter, NULL, NG_MAIN_PRIO + 1);
    SYS_ARCH_DECL_PROTECT(outer);
    SYS_ARCH_DECL_PROTECT(inner);
    SYS_ARCH_PROTECT(outer);
    SYS_ARCH_PROTECT(inner);
    ck_assert_uint_eq(outer, 0);
    ck_assert_uint_eq(inner, 1);
    ck_assert_uint_eq(ng_host_irq_depth, 2);
    sys_sem_signal(&sem);                   /* the waiter is ready ... */
    SYS_ARCH_UNPROTECT(inner);
    tlog(1);                                /* ... but runs only when we unmask */
    ck_assert_uint_eq(ng_host_irq_depth, 1);
    SYS_ARCH_UNPROTECT(outer);
    tlog(3);
    ck_assert_uint_eq(ng_host_irq_depth, 0);
    ck_assert_log(1, 2, 3);
}
END_TEST

/* ---- long timeouts ------------------------------------------------------- */

static int timed_while_waiting;

static void signal_late(void *arg)
{
    (void)arg;
    ng_host_advance(5);
    timed_while_waiting = ng_sched_has_timed_waiters();
    sys_sem_signal(&sem);
}

START_TEST(long_sys_timeout_does_not_expire_early)
{
    ng_test_spawn("late", signal_late, NULL, NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(sys_arch_sem_wait(&sem, 0xfffffffeu), 5);
    ck_assert_int_eq(timed_while_waiting, 1);   /* a timed wait, not "forever" */
}
END_TEST

START_TEST(long_kernel_timeout_does_not_expire_early)
{
    ng_test_spawn("late", signal_late, NULL, NG_MAIN_PRIO - 1);
    ck_assert_int_eq(ng_sem_wait(&sem.sem, 0x90000000u), NG_OK);
    ck_assert_uint_eq(ng_ticks, 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sys_arch");
    TCase *tc = ng_tcase(s, "time");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, now_and_jiffies_follow_virtual_time);
    tcase_add_test(tc, msleep_sleeps_exactly);
    tcase_add_test(tc, msleep_zero_yields);

    tc = ng_tcase(s, "threads");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, thread_new);
    tcase_add_test(tc, thread_new_defaults_and_clamps);

    tc = ng_tcase(s, "protect");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, protect_nests_and_defers_the_switch);

    tc = ng_tcase(s, "long_timeouts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, long_sys_timeout_does_not_expire_early);
    tcase_add_test(tc, long_kernel_timeout_does_not_expire_early);

    return ng_test_run(s) != 0;
}
