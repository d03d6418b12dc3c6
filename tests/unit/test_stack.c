/*
 * tests/unit/test_stack.c - thread stacks: painting, the canary check at
 * every switch, and the high-water mark (kernel/thread.c).
 *
 * On the host a thread executes on a big host stack of its own (see
 * boards/host/arch.c); the board-sized stack it was created with keeps the
 * paint and the canary, and the scheduler checks it at every switch as on
 * the board. So these tests play the part of the thread's code on the
 * board by writing into that stack themselves: "using" N bytes is writing
 * the top N bytes, an overflow is writing the guard words at the bottom.
 *
 * Covers: a new stack is painted with the canary below, the size is rounded
 * down to 8 bytes, ng_thread_stack_used reports the deepest use and never
 * goes down, and a corrupted canary (either guard word, by the thread itself
 * or by someone else while it was switched out) or a saved stack pointer
 * outside the stack stops the run at the thread's next switch with
 * NG_EXIT_STACK_OVERFLOW (121).
 */
#include "ng_test.h"

#define WORDS (NG_TEST_STACK_BYTES / 4)

static struct ng_sem go;

static void setup(void)
{
    ng_host_boot();
    tlog_reset();
    ng_sem_init(&go, "go", 0);
}

/* As the board's code would: touch the top `bytes` of our own stack. */
static void use_stack(uint32_t bytes)
{
    struct ng_thread *self = ng_thread_self();
    uint32_t words = self->stack_size / 4;
    for (uint32_t i = words - bytes / 4; i < words; i++)
        self->stack[i] = 0x5a000000u | i;
}

static void idle_entry(void *arg)
{
    (void)arg;
}

/* ---- painting and high water --------------------------------------------- */

START_TEST(new_stack_is_painted)
{
    struct ng_thread *t = ng_test_spawn("painted", idle_entry, NULL, NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(t->stack_size, NG_TEST_STACK_BYTES);
    for (uint32_t i = 0; i < WORDS; i++)
        ck_assert_uint_eq(t->stack[i], i < NG_STACK_GUARD_WORDS ? NG_STACK_CANARY
                                                                : NG_STACK_PAINT);
    ck_assert_uint_eq(ng_thread_stack_used(t), 0);
    ck_assert_uint_eq(ng_thread_stack_used(ng_thread_self()), 0);  /* no board stack */
}
END_TEST

static struct ng_thread odd;
static uint32_t odd_stack[WORDS] __attribute__((aligned(8)));

START_TEST(stack_size_rounds_down_to_8)
{
    odd_stack[WORDS - 1] = 0x1234;          /* beyond the rounded size */
    ng_thread_create(&odd, "odd", idle_entry, NULL, odd_stack, NG_TEST_STACK_BYTES - 4,
                     NG_MAIN_PRIO - 1);
    ck_assert_uint_eq(odd.stack_size, NG_TEST_STACK_BYTES - 8);
    ck_assert_uint_eq(odd_stack[WORDS - 3], NG_STACK_PAINT);
    ck_assert_uint_eq(odd_stack[WORDS - 2], 0);     /* not part of the stack */
    ck_assert_uint_eq(odd_stack[WORDS - 1], 0x1234);
}
END_TEST

static uint32_t used_seen[4];

static void grows(void *arg)
{
    (void)arg;
    struct ng_thread *self = ng_thread_self();
    use_stack(160);
    used_seen[0] = ng_thread_stack_used(self);
    ng_sem_wait(&go, NG_WAIT_FOREVER);      /* switched out and in again */
    use_stack(64);                          /* shallower: the mark stays */
    used_seen[1] = ng_thread_stack_used(self);
    use_stack(600);
    used_seen[2] = ng_thread_stack_used(self);
    use_stack(NG_TEST_STACK_BYTES - 4 * NG_STACK_GUARD_WORDS);   /* all but the guard */
    ng_sem_wait(&go, NG_WAIT_FOREVER);      /* a full stack is still healthy */
    used_seen[3] = ng_thread_stack_used(self);
}

START_TEST(high_water_mark)
{
    struct ng_thread *t = ng_test_spawn("grows", grows, NULL, NG_MAIN_PRIO + 1);
    ck_assert_uint_eq(used_seen[0], 160);
    ck_assert_uint_eq(ng_thread_stack_used(t), 160);
    ng_sem_signal(&go);
    ck_assert_uint_eq(used_seen[1], 160);
    ck_assert_uint_eq(used_seen[2], 600);
    ng_sem_signal(&go);
    ck_assert_uint_eq(used_seen[3], NG_TEST_STACK_BYTES - 4 * NG_STACK_GUARD_WORDS);
    ck_assert_int_eq(t->state, NG_TSTATE_EXITED);
}
END_TEST

/* ---- overflow detection -------------------------------------------------- */

static void smash_own_canary(void *arg)
{
    int word = (int)(intptr_t)arg;
    ng_thread_self()->stack[word] = 0;
    ng_yield();                             /* the switch point checks us */
    tlog(99);
}

START_TEST(own_canary_word0_stops_the_run)
{
    ng_test_spawn("smasher", smash_own_canary, (void *)(intptr_t)0, NG_MAIN_PRIO + 1);
    ck_abort_msg("the overflow was not noticed");
}
END_TEST

START_TEST(own_canary_word1_stops_the_run)
{
    ng_test_spawn("smasher", smash_own_canary, (void *)(intptr_t)1, NG_MAIN_PRIO + 1);
    ck_abort_msg("the overflow was not noticed");
}
END_TEST

static void waits_twice(void *arg)
{
    (void)arg;
    ng_sem_wait(&go, NG_WAIT_FOREVER);
    ng_sem_wait(&go, NG_WAIT_FOREVER);      /* switching out here: checked */
}

START_TEST(canary_smashed_while_switched_out)
{
    struct ng_thread *t = ng_test_spawn("victim", waits_twice, NULL, NG_MAIN_PRIO + 1);
    t->stack[1] = 0x12345678u;              /* as a neighbour's overflow would */
    ng_sleep(1);                            /* nothing checks a blocked thread */
    ck_assert_uint_eq(ng_ticks, 1);
    ng_sem_signal(&go);                     /* it runs, then blocks: checked */
    ck_abort_msg("the overflow was not noticed");
}
END_TEST

static void deep_recursion(void *arg)
{
    (void)arg;
    use_stack(NG_TEST_STACK_BYTES);         /* through the guard words */
    ng_sem_wait(&go, NG_WAIT_FOREVER);
}

START_TEST(using_the_whole_stack_stops_the_run)
{
    ng_test_spawn("deep", deep_recursion, NULL, NG_MAIN_PRIO + 1);
    ck_abort_msg("the overflow was not noticed");
}
END_TEST

static void bad_sp(void *arg)
{
    (void)arg;
    struct ng_thread *self = ng_thread_self();
    self->sp = self->stack + 1;             /* what PendSV would save after an overflow */
    ng_yield();
}

START_TEST(saved_sp_below_the_guard_stops_the_run)
{
    ng_test_spawn("bad_sp", bad_sp, NULL, NG_MAIN_PRIO + 1);
    ck_abort_msg("the overflow was not noticed");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = ng_tcase(s, "paint");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, new_stack_is_painted);
    tcase_add_test(tc, stack_size_rounds_down_to_8);
    tcase_add_test(tc, high_water_mark);

    tc = ng_tcase(s, "canary");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_exit_test(tc, own_canary_word0_stops_the_run, NG_EXIT_STACK_OVERFLOW);
    tcase_add_exit_test(tc, own_canary_word1_stops_the_run, NG_EXIT_STACK_OVERFLOW);
    tcase_add_exit_test(tc, canary_smashed_while_switched_out, NG_EXIT_STACK_OVERFLOW);
    tcase_add_exit_test(tc, using_the_whole_stack_stops_the_run, NG_EXIT_STACK_OVERFLOW);
    tcase_add_exit_test(tc, saved_sp_below_the_guard_stops_the_run, NG_EXIT_STACK_OVERFLOW);

    return ng_test_run(s) != 0;
}
