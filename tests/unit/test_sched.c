/*
 * tests/unit/test_sched.c - the scheduler (kernel/sched.c, kernel/thread.c)
 * on the host port.
 *
 * Covers: preemption by priority (a higher-priority thread made ready by a
 * semaphore signal or by its creation runs before the signaller goes on; a
 * lower-priority one does not), round robin among equal priorities every
 * NG_TIME_SLICE ticks, a preempted thread keeping its turn, sleep waking
 * after exactly N ticks of virtual time (also across the 32-bit tick wrap),
 * several sleepers waking in due order (FIFO on equal due ticks), yield and
 * ng_sleep(0), thread exit (by returning and by ng_thread_exit), per-thread
 * switch counts, the idle thread moving time only while someone has a
 * timeout, deadlock detection (exit 126) and the assertions on misuse
 * (exit 120).
 *
 * Orders are recorded with tlog() and compared whole with ck_assert_log().
 */
#include "ng_test.h"

#define TICK_CYCLES (NG_CPU_HZ / NG_TICK_HZ)

static struct ng_thread th[6];
NG_TEST_STACK(stk0);
NG_TEST_STACK(stk1);
NG_TEST_STACK(stk2);
NG_TEST_STACK(stk3);
NG_TEST_STACK(stk4);
NG_TEST_STACK(stk5);
static uint32_t *const stk[6] = { stk0, stk1, stk2, stk3, stk4, stk5 };
static struct ng_sem sem_a, sem_b, done;

static void spawn(int i, const char *name, void (*fn)(void *), void *arg, uint8_t prio)
{
    ng_thread_create(&th[i], name, fn, arg, stk[i], NG_TEST_STACK_BYTES, prio);
}

static void boot_at(uint8_t prio)
{
    ng_host_boot_prio(prio);
    tlog_reset();
    ng_sem_init(&sem_a, "sem_a", 0);
    ng_sem_init(&sem_b, "sem_b", 0);
    ng_sem_init(&done, "done", 0);
}

/* main at NG_MAIN_PRIO */
static void setup(void) { boot_at(NG_MAIN_PRIO); }

/* main more urgent than the workers, so they start only when it waits */
static void setup_urgent(void) { boot_at(NG_MAIN_PRIO + 2); }

/* ---- preemption ---------------------------------------------------------- */

static void waiter_logs(void *arg)
{
    int base = (int)(intptr_t)arg;
    tlog(base + 1);                         /* started */
    ng_sem_wait(&sem_a, NG_WAIT_FOREVER);
    tlog(base + 2);                         /* woke */
}

START_TEST(signal_preempts_for_higher_priority)
{
    spawn(0, "high", waiter_logs, (void *)(intptr_t)10, NG_MAIN_PRIO + 2);
    tlog(1);                                /* creation ran "high" first */
    ng_sem_signal(&sem_a);
    tlog(2);                                /* "high" ran before we got here */
    ck_assert_log(11, 1, 12, 2);
    ck_assert_int_eq(th[0].state, NG_TSTATE_EXITED);
}
END_TEST

START_TEST(signal_does_not_preempt_for_lower_priority)
{
    spawn(0, "low", waiter_logs, (void *)(intptr_t)10, NG_MAIN_PRIO - 1);
    tlog(1);                                /* "low" has not started */
    ng_sleep(1);                            /* now it starts and blocks */
    tlog(2);
    ng_sem_signal(&sem_a);
    tlog(3);                                /* we go on: it is less urgent */
    ck_assert_int_eq(th[0].state, NG_TSTATE_READY);
    ng_sleep(1);
    tlog(4);
    ck_assert_log(1, 11, 2, 3, 12, 4);
    ck_assert_int_eq(th[0].state, NG_TSTATE_EXITED);
}
END_TEST

/* A thread preempted by a more urgent one goes back to the front of its
 * ready queue: it resumes before an equal-priority thread that was already
 * waiting for its turn, even if it had earlier yielded with nobody to yield
 * to (that yield must not be remembered). */
static void keeps_turn_high(void *arg)
{
    (void)arg;
    ng_sem_wait(&sem_b, NG_WAIT_FOREVER);
    tlog(2);                                /* "high" preempted "a" */
}

static void keeps_turn_b(void *arg)
{
    (void)arg;
    tlog(4);
}

static void keeps_turn_a(void *arg)
{
    int use_sleep0 = (int)(intptr_t)arg;
    if (use_sleep0)
        ng_sleep(0);                        /* same as a yield */
    else
        ng_yield();                         /* nobody of our priority: go on */
    tlog(1);
    spawn(2, "b", keeps_turn_b, NULL, NG_MAIN_PRIO + 1);   /* ready behind us */
    ng_sem_signal(&sem_b);                  /* "high" preempts us */
    tlog(3);                                /* we still had our turn */
}

static void run_keeps_turn(int use_sleep0)
{
    spawn(0, "high", keeps_turn_high, NULL, NG_MAIN_PRIO + 2);
    spawn(1, "a", keeps_turn_a, (void *)(intptr_t)use_sleep0, NG_MAIN_PRIO + 1);
    tlog(5);
    ck_assert_log(1, 2, 3, 4, 5);
}

START_TEST(preempted_thread_keeps_its_turn_after_yield)
{
    run_keeps_turn(0);
}
END_TEST

START_TEST(preempted_thread_keeps_its_turn_after_sleep0)
{
    run_keeps_turn(1);
}
END_TEST

static void creation_log(void *arg)
{
    tlog((int)(intptr_t)arg);
}

START_TEST(creation_preempts_only_for_higher_priority)
{
    spawn(0, "lower", creation_log, (void *)(intptr_t)30, NG_MAIN_PRIO - 1);
    tlog(1);
    spawn(1, "equal", creation_log, (void *)(intptr_t)20, NG_MAIN_PRIO);
    tlog(2);
    spawn(2, "higher", creation_log, (void *)(intptr_t)10, NG_MAIN_PRIO + 1);
    tlog(3);
    ng_sleep(1);    /* "equal" before "lower"; both before the tick */
    tlog(4);
    ck_assert_log(1, 2, 10, 3, 20, 30, 4);
}
END_TEST

/* ---- round robin --------------------------------------------------------- */

#define RR_ROUNDS 40

/* Each worker "runs" for RR_ROUNDS ticks, logging (who, tick) before each. */
static void rr_worker(void *arg)
{
    int who = (int)(intptr_t)arg;
    for (int i = 0; i < RR_ROUNDS; i++) {
        tlog(who * 1000 + (int)ng_ticks);
        ng_host_advance(1);
    }
    ng_sem_signal(&done);
}

START_TEST(round_robin_every_time_slice)
{
    spawn(0, "rr1", rr_worker, (void *)(intptr_t)1, NG_MAIN_PRIO + 1);
    spawn(1, "rr2", rr_worker, (void *)(intptr_t)2, NG_MAIN_PRIO + 1);
    ck_assert_int_eq(ng_sem_wait(&done, NG_WAIT_FOREVER), NG_OK);
    ck_assert_int_eq(ng_sem_wait(&done, NG_WAIT_FOREVER), NG_OK);

    ck_assert_int_eq(tlog_len(), 2 * RR_ROUNDS);
    for (int k = 0; k < 2 * RR_ROUNDS; k++) {
        int who = (k / NG_TIME_SLICE) % 2 ? 2 : 1;
        ck_assert_int_eq(tlog_at(k), who * 1000 + k);
    }
    ck_assert_uint_eq(ng_ticks, 2 * RR_ROUNDS);
    /* rr1: ticks 0, 20, 40, 60, 80, and after main took "done" once;
     * rr2: ticks 10, 30, 50, 70, and after rr1 exited */
    ck_assert_uint_eq(th[0].switches, 6);
    ck_assert_uint_eq(th[1].switches, 5);
}
END_TEST

/* A thread alone at its priority is not switched out when its slice ends. */
START_TEST(time_slice_without_equals_keeps_running)
{
    uint32_t before = ng_thread_self()->switches;
    ng_host_advance(5 * NG_TIME_SLICE);
    ck_assert_uint_eq(ng_thread_self()->switches, before);
    ck_assert_uint_eq(ng_ticks, 5 * NG_TIME_SLICE);
}
END_TEST

/* ---- sleep --------------------------------------------------------------- */

START_TEST(sleep_wakes_after_exactly_n_ticks)
{
    static const uint32_t n[] = { 1, 2, 7, 250, 1000 };
    for (unsigned i = 0; i < sizeof n / sizeof n[0]; i++) {
        uint32_t t0 = ng_ticks;
        uint64_t c0 = ng_host_cycles;
        ng_sleep(n[i]);
        ck_assert_uint_eq(ng_ticks - t0, n[i]);
        ck_assert_uint_eq(ng_host_cycles - c0, (uint64_t)n[i] * TICK_CYCLES);
    }
    ck_assert_int_eq(ng_sched_has_timed_waiters(), 0);
}
END_TEST

/* Sleeper i sleeps sleep_for[i] ticks and logs i * 1000 + the ticks since
 * tick_base at which it woke. */
static uint32_t sleep_for[6];
static uint32_t tick_base;

static void sleeper(void *arg)
{
    int i = (int)(intptr_t)arg;
    ng_sleep(sleep_for[i]);
    tlog(i * 1000 + (int)(ng_ticks - tick_base));
}

static void spawn_sleeper(int i, uint32_t ticks, uint8_t prio)
{
    sleep_for[i] = ticks;
    spawn(i, "sleeper", sleeper, (void *)(intptr_t)i, prio);
}

START_TEST(sleepers_wake_in_due_order)
{
    spawn_sleeper(0, 30, NG_MAIN_PRIO + 1);
    spawn_sleeper(1, 10, NG_MAIN_PRIO + 1);
    spawn_sleeper(2, 20, NG_MAIN_PRIO + 1);
    spawn_sleeper(3, 10, NG_MAIN_PRIO + 2);
    ng_sleep(100);
    /* 1 and 3 are both made ready on tick 10; 3 is more urgent, runs first */
    ck_assert_log(3010, 1010, 2020, 30);
    ck_assert_uint_eq(ng_ticks, 100);
}
END_TEST

START_TEST(equal_wake_ticks_wake_fifo)
{
    /* equal priorities, equal wake ticks: woken in the order they slept */
    spawn_sleeper(2, 10, NG_MAIN_PRIO + 1);
    spawn_sleeper(0, 10, NG_MAIN_PRIO + 1);
    spawn_sleeper(1, 10, NG_MAIN_PRIO + 1);
    ng_sleep(20);
    ck_assert_log(2010, 10, 1010);
}
END_TEST

START_TEST(sleep_across_tick_wrap)
{
    /* Put the tick counter just below 2^32 (it is kernel state, readable and
     * writable for the debugger) and sleep over the wrap. */
    tick_base = 0xfffffff0u;
    ng_ticks = tick_base;
    spawn_sleeper(0, 32, NG_MAIN_PRIO + 1);     /* due at tick 0x10 */
    spawn_sleeper(1, 5, NG_MAIN_PRIO + 1);      /* due at tick 0xfffffff5 */
    ng_sleep(40);
    ck_assert_uint_eq(ng_ticks, 0x18u);
    ck_assert_log(1005, 32);
}
END_TEST

/* ---- yield --------------------------------------------------------------- */

static void yielder(void *arg)
{
    int who = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++) {
        tlog(who * 10 + i);
        ng_yield();
    }
    ng_sem_signal(&done);
}

START_TEST(yield_alternates_equal_priorities)
{
    spawn(0, "y1", yielder, (void *)(intptr_t)1, NG_MAIN_PRIO + 1);
    spawn(1, "y2", yielder, (void *)(intptr_t)2, NG_MAIN_PRIO + 1);
    ng_sem_wait(&done, NG_WAIT_FOREVER);
    ng_sem_wait(&done, NG_WAIT_FOREVER);
    ck_assert_log(10, 20, 11, 21, 12, 22);
    ck_assert_uint_eq(ng_ticks, 0);         /* yielding takes no time */
}
END_TEST

START_TEST(yield_alone_continues)
{
    spawn(0, "lower", creation_log, (void *)(intptr_t)9, NG_MAIN_PRIO - 1);
    uint32_t before = ng_thread_self()->switches;
    ng_yield();
    ng_sleep(0);
    tlog(1);
    ck_assert_uint_eq(ng_thread_self()->switches, before);
    ck_assert_int_eq(th[0].state, NG_TSTATE_READY);   /* lower: not run */
    ng_sleep(1);
    ck_assert_log(1, 9);
}
END_TEST

/* ---- exit ---------------------------------------------------------------- */

static void exits_early(void *arg)
{
    (void)arg;
    tlog(1);
    ng_thread_exit();
    tlog(99);                               /* never */
}

static void returns(void *arg)
{
    ck_assert_ptr_eq(ng_thread_self(), &th[1]);
    tlog((int)(intptr_t)arg);
}

START_TEST(thread_exit_and_return)
{
    spawn(0, "exiter", exits_early, NULL, NG_MAIN_PRIO + 1);
    spawn(1, "returner", returns, (void *)(intptr_t)2, NG_MAIN_PRIO + 1);
    tlog(3);
    ck_assert_int_eq(th[0].state, NG_TSTATE_EXITED);
    ck_assert_int_eq(th[1].state, NG_TSTATE_EXITED);
    ck_assert_uint_eq(th[0].switches, 1);
    ck_assert_uint_eq(th[1].switches, 1);
    ng_sleep(5);                            /* exited threads never come back */
    ck_assert_log(1, 2, 3);
    ck_assert_uint_eq(th[0].switches, 1);
    ck_assert_uint_eq(th[1].switches, 1);
}
END_TEST

/* ---- switch counts ------------------------------------------------------- */

static void waits_three_times(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        ng_sem_wait(&sem_a, NG_WAIT_FOREVER);
}

START_TEST(switch_counts)
{
    struct ng_thread *self = ng_thread_self();
    ck_assert_uint_eq(self->switches, 0);
    spawn(0, "w", waits_three_times, NULL, NG_MAIN_PRIO + 1);
    ck_assert_uint_eq(th[0].switches, 1);   /* ran at creation, then blocked */
    ck_assert_uint_eq(self->switches, 1);
    for (int i = 0; i < 3; i++)
        ng_sem_signal(&sem_a);
    /* w: switched in at creation and after each of the 3 signals;
     * main: after each of w's 3 waits and after w exited */
    ck_assert_uint_eq(th[0].switches, 4);
    ck_assert_uint_eq(self->switches, 4);
    ck_assert_int_eq(th[0].state, NG_TSTATE_EXITED);

    struct ng_thread *idle = NULL;
    for (struct ng_thread *t = ng_all_threads; t; t = t->all_next)
        if (t->prio == 0)
            idle = t;
    ck_assert_ptr_nonnull(idle);
    ck_assert_str_eq(idle->name, "idle");
    ck_assert_uint_eq(idle->switches, 0);
    ng_sleep(3);                            /* idle runs once, ticks 3 times */
    ck_assert_uint_eq(idle->switches, 1);
    ck_assert_uint_eq(self->switches, 5);
}
END_TEST

/* ---- idle, deadlock ------------------------------------------------------ */

static void waits_forever(void *arg)
{
    (void)arg;
    ng_sem_wait(&sem_a, NG_WAIT_FOREVER);
    tlog(99);
}

START_TEST(idle_advances_time_while_someone_has_a_timeout)
{
    spawn(0, "stuck", waits_forever, NULL, NG_MAIN_PRIO + 1);
    /* "stuck" waits forever, but main's sleep has a timeout: no deadlock */
    ng_sleep(50);
    ck_assert_uint_eq(ng_ticks, 50);
    ck_assert_int_eq(ng_sem_wait(&sem_b, 20), NG_TIMEOUT);
    ck_assert_uint_eq(ng_ticks, 70);
    ck_assert_int_eq(tlog_len(), 0);
}
END_TEST

START_TEST(deadlock_exits_126)
{
    spawn(0, "stuck", waits_forever, NULL, NG_MAIN_PRIO + 1);
    ng_sem_wait(&sem_b, NG_WAIT_FOREVER);   /* nobody will ever signal */
    ck_abort_msg("a deadlocked wait returned");
}
END_TEST

static int hook_calls;

static void deadlock_hook(void)
{
    hook_calls++;
    ng_sem_signal(&sem_b);                  /* break it, as a test may */
}

START_TEST(deadlock_hook_is_called)
{
    ng_host_deadlock_hook = deadlock_hook;
    ng_sleep(4);
    ck_assert_int_eq(hook_calls, 0);
    ck_assert_int_eq(ng_sem_wait(&sem_b, NG_WAIT_FOREVER), NG_OK);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_uint_eq(ng_ticks, 4);         /* a deadlock moves no time */
}
END_TEST

/* ---- misuse asserts ------------------------------------------------------ */

START_TEST(sleep_in_critical_section_asserts)
{
    (void)ng_crit_enter();
    ng_sleep(1);
}
END_TEST

START_TEST(create_with_bad_priority_asserts)
{
    spawn(0, "bad", creation_log, NULL, NG_PRIO_COUNT);
}
END_TEST

START_TEST(create_with_misaligned_stack_asserts)
{
    ng_thread_create(&th[0], "bad", creation_log, NULL, stk0 + 1,
                     NG_TEST_STACK_BYTES - 8, NG_MAIN_PRIO);
}
END_TEST

static void block_in_isr(void *arg)
{
    (void)arg;
    ng_sem_wait(&sem_a, 5);
}

START_TEST(blocking_in_isr_asserts)
{
    ng_host_isr(16, block_in_isr, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = ng_tcase(s, "preemption");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, signal_preempts_for_higher_priority);
    tcase_add_test(tc, signal_does_not_preempt_for_lower_priority);
    tcase_add_test(tc, preempted_thread_keeps_its_turn_after_yield);
    tcase_add_test(tc, preempted_thread_keeps_its_turn_after_sleep0);
    tcase_add_test(tc, creation_preempts_only_for_higher_priority);

    tc = ng_tcase(s, "round_robin");
    tcase_add_checked_fixture(tc, setup_urgent, NULL);
    tcase_add_test(tc, round_robin_every_time_slice);
    tcase_add_test(tc, yield_alternates_equal_priorities);

    tc = ng_tcase(s, "slice");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, time_slice_without_equals_keeps_running);

    tc = ng_tcase(s, "sleep");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, sleep_wakes_after_exactly_n_ticks);
    tcase_add_test(tc, sleepers_wake_in_due_order);
    tcase_add_test(tc, equal_wake_ticks_wake_fifo);
    tcase_add_test(tc, sleep_across_tick_wrap);

    tc = ng_tcase(s, "yield_exit_counts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, yield_alone_continues);
    tcase_add_test(tc, thread_exit_and_return);
    tcase_add_test(tc, switch_counts);

    tc = ng_tcase(s, "idle_deadlock");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, idle_advances_time_while_someone_has_a_timeout);
    tcase_add_exit_test(tc, deadlock_exits_126, NG_EXIT_DEADLOCK);
    tcase_add_test(tc, deadlock_hook_is_called);

    tc = ng_tcase(s, "asserts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, sleep_in_critical_section_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, create_with_bad_priority_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, create_with_misaligned_stack_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, blocking_in_isr_asserts, NG_EXIT_ASSERT);

    return ng_test_run(s) != 0;
}
