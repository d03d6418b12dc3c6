/*
 * tests/unit/test_sem.c - counting semaphores (kernel/sem.c), directly and
 * through lwIP's sys_sem_* layer (api/sys_arch.c).
 *
 * Covers: counting without blocking, blocking until a signal, timeouts that
 * end after exactly the given ticks (and leave no waiter behind), the
 * milliseconds sys_arch_sem_wait reports and SYS_ARCH_TIMEOUT, a signal
 * from interrupt context (ng_host_isr) waking a blocked thread at the end of
 * the interrupt, the wake order (priority first, FIFO among equals), the
 * hand-off of the unit to the woken waiter (nobody can steal it), and the
 * assertion on destroying a semaphore that has waiters.
 */
#include "lwip/sys.h"
#include "ng_test.h"

static struct ng_sem sem;
static sys_sem_t ssem;

static void setup(void)
{
    ng_host_boot();
    tlog_reset();
    ng_sem_init(&sem, "sem", 0);
    ck_assert_int_eq(sys_sem_new_named(&ssem, 0, "ssem"), ERR_OK);
}

static void setup_urgent(void)
{
    ng_host_boot_prio(NG_MAIN_PRIO + 4);
    tlog_reset();
    ng_sem_init(&sem, "sem", 0);
}

/* ---- counting ------------------------------------------------------------ */

START_TEST(counts_without_blocking)
{
    struct ng_sem s3;
    ng_sem_init(&s3, "three", 3);
    for (uint32_t i = 3; i > 0; i--) {
        ck_assert_uint_eq(s3.count, i);
        ck_assert_int_eq(ng_sem_wait(&s3, 0), NG_OK);
    }
    ck_assert_uint_eq(s3.count, 0);
    ck_assert_int_eq(ng_sem_wait(&s3, 0), NG_TIMEOUT);
    ng_sem_signal(&s3);
    ng_sem_signal(&s3);
    ck_assert_uint_eq(s3.count, 2);
    ck_assert_int_eq(ng_sem_wait(&s3, NG_WAIT_FOREVER), NG_OK);
    ck_assert_int_eq(ng_sem_wait(&s3, 5), NG_OK);
    ck_assert_uint_eq(s3.count, 0);
    ck_assert_uint_eq(ng_ticks, 0);         /* nothing waited */
    ng_sem_destroy(&s3);
}
END_TEST

START_TEST(destroy_unregisters)
{
    struct ng_sem s;
    ng_sem_init(&s, "temp", 0);
    uint8_t id = s.id;
    ck_assert_uint_ne(id, 0);
    ck_assert_ptr_eq(ng_registry[id].addr, &s);
    ck_assert_str_eq(ng_registry[id].name, "temp");
    ck_assert_uint_eq(ng_registry[id].kind, NG_KIND_SEM);
    ng_sem_destroy(&s);
    ck_assert_ptr_null(ng_registry[id].addr);
    ck_assert_uint_eq(s.id, 0);
}
END_TEST

/* ---- blocking and timeouts ----------------------------------------------- */

static void signal_after(void *arg)
{
    ng_host_advance((uint32_t)(uintptr_t)arg);   /* "work" for a while */
    tlog(1);
    ng_sem_signal(&sem);
    tlog(3);                                /* main, more urgent, ran first */
}

START_TEST(blocks_until_signalled)
{
    ng_test_spawn("signaller", signal_after, (void *)(uintptr_t)5, NG_MAIN_PRIO - 1);
    ck_assert_int_eq(ng_sem_wait(&sem, NG_WAIT_FOREVER), NG_OK);
    tlog(2);
    ck_assert_uint_eq(ng_ticks, 5);
    ck_assert_uint_eq(sem.count, 0);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
}
END_TEST

START_TEST(timeout_after_exactly_n_ticks)
{
    static const uint32_t n[] = { 1, 7, 100 };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t t0 = ng_ticks;
        ck_assert_int_eq(ng_sem_wait(&sem, n[i]), NG_TIMEOUT);
        ck_assert_uint_eq(ng_ticks - t0, n[i]);
        ck_assert(ng_list_empty(&sem.waiters));
        ck_assert_int_eq(ng_sched_has_timed_waiters(), 0);
        ck_assert_int_eq(ng_thread_self()->wait_kind, NG_WAIT_NONE);
    }
    ck_assert_uint_eq(sem.count, 0);
}
END_TEST

START_TEST(signal_before_timeout_cancels_it)
{
    ng_test_spawn("signaller", signal_after, (void *)(uintptr_t)12, NG_MAIN_PRIO - 1);
    ck_assert_int_eq(ng_sem_wait(&sem, 50), NG_OK);
    ck_assert_uint_eq(ng_ticks, 12);
    ck_assert_int_eq(ng_sched_has_timed_waiters(), 0);  /* off the delay list */
    ng_sleep(100);      /* the cancelled timeout must not fire on us later */
    ck_assert_uint_eq(ng_ticks, 112);
}
END_TEST

START_TEST(signal_after_timeout_counts)
{
    ck_assert_int_eq(ng_sem_wait(&sem, 3), NG_TIMEOUT);
    ng_sem_signal(&sem);                    /* nobody waits any more */
    ck_assert_uint_eq(sem.count, 1);
    ck_assert_int_eq(ng_sem_wait(&sem, 0), NG_OK);
}
END_TEST

/* ---- sys_arch_sem_wait --------------------------------------------------- */

static void sys_signal_after(void *arg)
{
    ng_host_advance((uint32_t)(uintptr_t)arg);
    sys_sem_signal(&ssem);
}

START_TEST(sys_wait_reports_milliseconds)
{
    ck_assert_int_eq(sys_sem_valid(&ssem), 1);
    /* 1 tick is 1 ms at NG_TICK_HZ 1000 */
    ck_assert_uint_eq(NG_TICK_HZ, 1000);

    ck_assert_uint_eq(sys_arch_sem_wait(&ssem, 20), SYS_ARCH_TIMEOUT);
    ck_assert_uint_eq(ng_ticks, 20);

    ng_test_spawn("s12", sys_signal_after, (void *)(uintptr_t)12, NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(sys_arch_sem_wait(&ssem, 100), 12);
    ck_assert_uint_eq(ng_ticks, 32);

    ng_test_spawn("s250", sys_signal_after, (void *)(uintptr_t)250, NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(sys_arch_sem_wait(&ssem, 0), 250);    /* 0: forever */
    ck_assert_uint_eq(ng_ticks, 282);

    sys_sem_signal(&ssem);
    ck_assert_uint_eq(sys_arch_sem_wait(&ssem, 10), 0);     /* available: 0 ms */
    ck_assert_uint_eq(ng_ticks, 282);

    sys_sem_free(&ssem);
    ck_assert_int_eq(sys_sem_valid(&ssem), 0);
}
END_TEST

START_TEST(sys_sem_new_counts)
{
    sys_sem_t s;
    ck_assert_int_eq(sys_sem_new(&s, 2), ERR_OK);
    ck_assert_uint_eq(sys_arch_sem_wait(&s, 1), 0);
    ck_assert_uint_eq(sys_arch_sem_wait(&s, 1), 0);
    ck_assert_uint_eq(sys_arch_sem_wait(&s, 1), SYS_ARCH_TIMEOUT);
    ck_assert_uint_eq(ng_ticks, 1);
    sys_sem_set_invalid(&s);
    ck_assert_int_eq(sys_sem_valid(&s), 0);
    ck_assert_int_eq(sys_sem_valid(NULL), 0);
    ng_sem_destroy(&s.sem);
}
END_TEST

/* ---- signal from an interrupt -------------------------------------------- */

#define IRQ_NUM 21      /* exception 21 = IRQ 5 */

static void isr_signal(void *arg)
{
    ck_assert(ng_arch_in_isr());
    ck_assert_uint_eq(ng_arch_isr_number(), IRQ_NUM);
    ng_sem_signal(arg);
    tlog(1);        /* the woken thread waits for the interrupt to end */
}

static void raise_irq(void *arg)
{
    ng_host_advance(3);
    ng_host_isr(IRQ_NUM, isr_signal, arg);
    tlog(3);
}

START_TEST(isr_signal_wakes_blocked_thread)
{
    ng_test_spawn("device", raise_irq, &sem, NG_MAIN_PRIO - 1);
    ck_assert_int_eq(ng_sem_wait(&sem, NG_WAIT_FOREVER), NG_OK);
    ck_assert(!ng_arch_in_isr());
    tlog(2);
    ck_assert_uint_eq(ng_ticks, 3);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
}
END_TEST

START_TEST(isr_signal_through_sys_layer_with_timeout)
{
    ng_test_spawn("device", raise_irq, &ssem.sem, NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(sys_arch_sem_wait(&ssem, 10), 3);
    tlog(2);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
}
END_TEST

static void isr_signal_quiet(void *arg)
{
    ng_sem_signal(arg);
}

START_TEST(isr_signal_without_waiter_counts)
{
    ng_host_isr(IRQ_NUM, isr_signal_quiet, &sem);
    ng_host_isr(IRQ_NUM, isr_signal_quiet, &sem);
    ck_assert_uint_eq(sem.count, 2);
}
END_TEST

/* ---- wake order ---------------------------------------------------------- */

static void ordered_waiter(void *arg)
{
    ck_assert_int_eq(ng_sem_wait(&sem, NG_WAIT_FOREVER), NG_OK);
    tlog((int)(intptr_t)arg);
}

START_TEST(wake_order_priority_then_fifo)
{
    /* each waiter is more urgent than main: it runs and blocks at once, so
     * they arrive in creation order 1..5 */
    static const uint8_t prio[] = { 5, 7, 5, 7, 6 };
    for (int i = 0; i < 5; i++)
        ng_test_spawn("waiter", ordered_waiter, (void *)(intptr_t)(i + 1), prio[i]);
    ck_assert_int_eq(tlog_len(), 0);
    for (int i = 0; i < 5; i++)
        ng_sem_signal(&sem);                /* each wakes one, who runs at once */
    ck_assert_log(2, 4, 5, 1, 3);
    ck_assert_uint_eq(sem.count, 0);
}
END_TEST

START_TEST(wake_order_with_all_signals_at_once)
{
    static const uint8_t prio[] = { 5, 7, 5, 7, 6 };
    for (int i = 0; i < 5; i++)
        ng_test_spawn("waiter", ordered_waiter, (void *)(intptr_t)(i + 1), prio[i]);
    uint32_t irq = ng_crit_enter();         /* wake all five before any runs */
    for (int i = 0; i < 5; i++)
        ng_sem_signal(&sem);
    ck_assert_int_eq(tlog_len(), 0);
    ng_crit_exit(irq);
    ck_assert_log(2, 4, 5, 1, 3);
}
END_TEST

/* The unit goes straight to the woken waiter: the signaller, still running
 * because it is more urgent, cannot take it back. */
static void handoff_waiter(void *arg)
{
    (void)arg;
    ck_assert_int_eq(ng_sem_wait(&sem, NG_WAIT_FOREVER), NG_OK);
    tlog(2);
}

START_TEST(signal_hands_unit_to_waiter)
{
    struct ng_thread *w = ng_test_spawn("waiter", handoff_waiter, NULL, NG_MAIN_PRIO + 1);
    ng_sleep(1);                            /* let it block */
    ck_assert_int_eq(w->state, NG_TSTATE_BLOCKED);
    ng_sem_signal(&sem);
    ck_assert_int_eq(w->state, NG_TSTATE_READY);
    ck_assert_uint_eq(sem.count, 0);
    ck_assert_int_eq(ng_sem_wait(&sem, 0), NG_TIMEOUT);     /* no stealing */
    tlog(1);
    ng_sleep(1);
    ck_assert_log(1, 2);
    ck_assert_int_eq(w->state, NG_TSTATE_EXITED);
}
END_TEST

/* ---- misuse -------------------------------------------------------------- */

static void blocker(void *arg)
{
    (void)arg;
    ng_sem_wait(&sem, NG_WAIT_FOREVER);
}

START_TEST(destroy_with_waiters_asserts)
{
    ng_test_spawn("blocked", blocker, NULL, NG_MAIN_PRIO + 1);
    ng_sem_destroy(&sem);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sem");
    TCase *tc = ng_tcase(s, "counting");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, counts_without_blocking);
    tcase_add_test(tc, destroy_unregisters);

    tc = ng_tcase(s, "blocking");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, blocks_until_signalled);
    tcase_add_test(tc, timeout_after_exactly_n_ticks);
    tcase_add_test(tc, signal_before_timeout_cancels_it);
    tcase_add_test(tc, signal_after_timeout_counts);
    tcase_add_test(tc, sys_wait_reports_milliseconds);
    tcase_add_test(tc, sys_sem_new_counts);

    tc = ng_tcase(s, "isr");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, isr_signal_wakes_blocked_thread);
    tcase_add_test(tc, isr_signal_through_sys_layer_with_timeout);
    tcase_add_test(tc, isr_signal_without_waiter_counts);

    tc = ng_tcase(s, "order");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, wake_order_priority_then_fifo);
    tcase_add_test(tc, wake_order_with_all_signals_at_once);

    tc = ng_tcase(s, "handoff");
    tcase_add_checked_fixture(tc, setup_urgent, NULL);
    tcase_add_test(tc, signal_hands_unit_to_waiter);

    tc = ng_tcase(s, "asserts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, destroy_with_waiters_asserts, NG_EXIT_ASSERT);

    return ng_test_run(s) != 0;
}
