/*
 * tests/unit/test_mutex.c - mutexes (kernel/mutex.c) and sys_mutex_*.
 *
 * Covers: mutual exclusion between two round-robin threads whose critical
 * regions span time slices (with a control run without the mutex that
 * shows the race is real), the hand-off on unlock to the most urgent waiter
 * (FIFO among equals), no barging (a more urgent unlocker that asks again
 * must wait for the thread it handed the mutex to), and the assertions
 * (exit 120) on unlock by a non-owner, on recursive locking, on locking from
 * an interrupt and on destroying a locked mutex.
 */
#include "lwip/sys.h"
#include "ng_test.h"

static struct ng_mutex mtx;
static struct ng_sem done;

static void setup(void)
{
    ng_host_boot();
    tlog_reset();
    ng_mutex_init(&mtx, "mtx");
    ng_sem_init(&done, "done", 0);
}

static void setup_urgent(void)
{
    ng_host_boot_prio(NG_MAIN_PRIO + 4);
    tlog_reset();
    ng_mutex_init(&mtx, "mtx");
    ng_sem_init(&done, "done", 0);
}

/* ---- exclusion ----------------------------------------------------------- */

#define ITERATIONS 20
#define REGION_TICKS 3      /* a region spans slices: NG_TIME_SLICE is not a multiple */

static int use_mutex;
static int counter, inside, max_inside, contended;

/* Read-modify-write of counter with time passing in between: the other
 * worker gets the CPU in the middle whenever the slice ends. */
static void incrementer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERATIONS; i++) {
        if (use_mutex) {
            if (mtx.owner)
                contended++;
            ng_mutex_lock(&mtx);
            ck_assert_ptr_eq(mtx.owner, ng_thread_self());
        }
        if (++inside > max_inside)
            max_inside = inside;
        int v = counter;
        ng_host_advance(REGION_TICKS);
        counter = v + 1;
        inside--;
        if (use_mutex)
            ng_mutex_unlock(&mtx);
    }
    ng_sem_signal(&done);
}

static void run_incrementers(void)
{
    ng_test_spawn("inc1", incrementer, NULL, NG_MAIN_PRIO + 1);
    ng_test_spawn("inc2", incrementer, NULL, NG_MAIN_PRIO + 1);
    ng_sem_wait(&done, NG_WAIT_FOREVER);
    ng_sem_wait(&done, NG_WAIT_FOREVER);
}

START_TEST(mutual_exclusion)
{
    use_mutex = 1;
    run_incrementers();
    ck_assert_int_eq(counter, 2 * ITERATIONS);
    ck_assert_int_eq(max_inside, 1);
    ck_assert_int_gt(contended, 0);
    ck_assert_ptr_null(mtx.owner);
    ck_assert_uint_eq(mtx.depth, 0);
    ck_assert(ng_list_empty(&mtx.waiters));
    ck_assert_uint_eq(ng_ticks, 2 * ITERATIONS * REGION_TICKS);
}
END_TEST

START_TEST(without_mutex_the_race_is_real)
{
    use_mutex = 0;
    run_incrementers();
    ck_assert_int_lt(counter, 2 * ITERATIONS);
    ck_assert_int_eq(max_inside, 2);
}
END_TEST

/* ---- hand-off ------------------------------------------------------------ */

static void locker(void *arg)
{
    ng_mutex_lock(&mtx);
    ck_assert_ptr_eq(mtx.owner, ng_thread_self());
    tlog((int)(intptr_t)arg);
    ng_mutex_unlock(&mtx);
}

START_TEST(unlock_hands_off_to_most_urgent_waiter)
{
    ng_mutex_lock(&mtx);
    /* each is more urgent than main: it runs at once and blocks on mtx */
    ng_test_spawn("l1", locker, (void *)(intptr_t)51, NG_MAIN_PRIO + 1);
    ng_test_spawn("h", locker, (void *)(intptr_t)80, NG_MAIN_PRIO + 4);
    ng_test_spawn("l2", locker, (void *)(intptr_t)52, NG_MAIN_PRIO + 1);
    ng_test_spawn("m", locker, (void *)(intptr_t)60, NG_MAIN_PRIO + 2);
    ck_assert_int_eq(tlog_len(), 0);
    ck_assert_ptr_eq(mtx.owner, ng_thread_self());
    ng_mutex_unlock(&mtx);
    ck_assert_log(80, 60, 51, 52);
    ck_assert_ptr_null(mtx.owner);
}
END_TEST

static void handoff_waiter(void *arg)
{
    (void)arg;
    ng_mutex_lock(&mtx);
    tlog(1);
    ng_mutex_unlock(&mtx);      /* hands it to main, which preempts us */
    tlog(3);
}

START_TEST(no_barging_after_handoff)
{
    ng_mutex_lock(&mtx);
    struct ng_thread *w = ng_test_spawn("w", handoff_waiter, NULL, NG_MAIN_PRIO + 1);
    ng_sleep(1);                            /* w runs and blocks on mtx */
    ck_assert_int_eq(w->state, NG_TSTATE_BLOCKED);
    ck_assert_uint_eq(w->wait_kind, NG_WAIT_MUTEX);
    ng_mutex_unlock(&mtx);
    ck_assert_ptr_eq(mtx.owner, w);         /* handed over while we still run */
    ng_mutex_lock(&mtx);                    /* so we must wait for w */
    tlog(2);
    ck_assert_ptr_eq(mtx.owner, ng_thread_self());
    ng_mutex_unlock(&mtx);
    ng_sleep(1);
    ck_assert_log(1, 2, 3);
}
END_TEST

START_TEST(sys_mutex_layer)
{
    sys_mutex_t m;
    ck_assert_int_eq(sys_mutex_new_named(&m, "sysm"), ERR_OK);
    ck_assert_int_eq(sys_mutex_valid(&m), 1);
    ck_assert_str_eq(ng_registry[m.mutex.id].name, "sysm");
    sys_mutex_lock(&m);
    ck_assert_ptr_eq(m.mutex.owner, ng_thread_self());
    sys_mutex_unlock(&m);
    ck_assert_ptr_null(m.mutex.owner);
    sys_mutex_free(&m);
    ck_assert_int_eq(sys_mutex_valid(&m), 0);
    ck_assert_int_eq(sys_mutex_valid(NULL), 0);

    sys_mutex_t n;
    ck_assert_int_eq(sys_mutex_new(&n), ERR_OK);
    sys_mutex_set_invalid(&n);
    ck_assert_int_eq(sys_mutex_valid(&n), 0);
    ng_mutex_destroy(&n.mutex);
}
END_TEST

/* ---- misuse -------------------------------------------------------------- */

START_TEST(unlock_unowned_asserts)
{
    ng_mutex_unlock(&mtx);
}
END_TEST

static void owner_thread(void *arg)
{
    (void)arg;
    ng_mutex_lock(&mtx);
    ng_sleep(1000);
}

START_TEST(unlock_by_non_owner_asserts)
{
    ng_test_spawn("owner", owner_thread, NULL, NG_MAIN_PRIO + 1);
    ck_assert_ptr_ne(mtx.owner, NULL);
    ng_mutex_unlock(&mtx);
}
END_TEST

START_TEST(recursive_lock_asserts)
{
    ng_mutex_lock(&mtx);
    ng_mutex_lock(&mtx);
}
END_TEST

static void lock_in_isr(void *arg)
{
    ng_mutex_lock(arg);
}

START_TEST(lock_in_isr_asserts)
{
    ng_host_isr(20, lock_in_isr, &mtx);
}
END_TEST

START_TEST(destroy_locked_asserts)
{
    ng_mutex_lock(&mtx);
    ng_mutex_destroy(&mtx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mutex");
    TCase *tc = ng_tcase(s, "exclusion");
    tcase_add_checked_fixture(tc, setup_urgent, NULL);
    tcase_add_test(tc, mutual_exclusion);
    tcase_add_test(tc, without_mutex_the_race_is_real);

    tc = ng_tcase(s, "handoff");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, unlock_hands_off_to_most_urgent_waiter);
    tcase_add_test(tc, sys_mutex_layer);

    tc = ng_tcase(s, "no_barging");
    tcase_add_checked_fixture(tc, setup_urgent, NULL);
    tcase_add_test(tc, no_barging_after_handoff);

    tc = ng_tcase(s, "asserts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, unlock_unowned_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, unlock_by_non_owner_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, recursive_lock_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, lock_in_isr_asserts, NG_EXIT_ASSERT);
    tcase_add_exit_test(tc, destroy_locked_asserts, NG_EXIT_ASSERT);

    return ng_test_run(s) != 0;
}
