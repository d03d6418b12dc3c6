/*
 * tests/unit/test_errno.c - errno is per thread (kernel/sched.c keeps each
 * thread's errno in struct ng_thread across every switch).
 *
 * Covers: two threads of one priority that set different errno values and
 * yield to each other many times, each reading back its own value; a
 * thread preempted by a more urgent one (woken from a semaphore) that
 * changes errno, then reading its own value; a new thread starting with
 * errno 0 whatever the creator's is; the creator's value kept across the
 * switches that creating and joining cause.
 */
#include <errno.h>

#include "ng_test.h"

static void setup(void)
{
    ng_host_boot();
    tlog_reset();
}

static int mismatches;

static void pingpong(void *arg)
{
    int mine = (int)(intptr_t)arg;
    for (int i = 0; i < 50; i++) {
        errno = mine + i;
        ng_yield();             /* the other thread sets its own value */
        if (errno != mine + i)
            mismatches++;
    }
    tlog(mine);
}

START_TEST(equal_priorities_yielding_keep_their_own)
{
    errno = 12345;
    ng_test_spawn("a", pingpong, (void *)(intptr_t)1000, NG_MAIN_PRIO);
    ng_test_spawn("b", pingpong, (void *)(intptr_t)2000, NG_MAIN_PRIO);
    ng_sleep(10);               /* both run to the end */
    ck_assert_int_eq(tlog_len(), 2);
    ck_assert_int_eq(mismatches, 0);
    ck_assert_int_eq(errno, 12345);
}
END_TEST

static struct ng_sem wake;
static int urgent_saw;

static void urgent(void *arg)
{
    (void)arg;
    urgent_saw = errno;         /* its own: 0 at the start */
    ng_sem_wait(&wake, NG_WAIT_FOREVER);
    errno = EBADF;              /* runs ahead of main, which was preempted */
}

START_TEST(preemption_keeps_the_preempted_value)
{
    ng_sem_init(&wake, "wake", 0);
    errno = EAGAIN;
    ng_test_spawn("urgent", urgent, NULL, NG_MAIN_PRIO + 1);    /* runs at once */
    ck_assert_int_eq(urgent_saw, 0);
    ck_assert_int_eq(errno, EAGAIN);
    errno = EINVAL;
    ng_sem_signal(&wake);       /* switch to urgent and back */
    ck_assert_int_eq(errno, EINVAL);
    ng_sem_destroy(&wake);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errno");
    TCase *tc = ng_tcase(s, "per_thread");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, equal_priorities_yielding_keep_their_own);
    tcase_add_test(tc, preemption_keeps_the_preempted_value);
    return ng_test_run(s) != 0;
}
