/*
 * kernel/sched.c - ready queues, blocking and waking, the tick, and the
 * choice of the next thread.
 *
 * One FIFO ready queue per priority and a bitmap of the non-empty ones, so
 * picking the most urgent thread is one count-leading-zeros. The running
 * thread is not on any ready queue. A thread that blocks goes on the wait
 * queue of what it waits for (ordered by priority) and, if its wait has a
 * timeout, on the delay list (ordered by wake-up tick). The port calls
 * ng_sched_switch() from its switch point (PendSV on the board) with
 * interrupts masked; everything else here runs inside critical sections.
 * ng_sched_switch also swaps errno, so each thread has its own.
 */
#include <errno.h>

#include "kernel.h"
#include "port.h"
#include "trace.h"

struct ng_thread *volatile ng_current;
struct ng_thread *ng_all_threads;
volatile uint32_t ng_ticks;
volatile uint8_t ng_kernel_running;

static struct ng_list ready[NG_PRIO_COUNT];
static uint32_t ready_bits;
static struct ng_list delay_list;

/* Where errno lives: one place for all kernel threads (newlib's reent
 * structure on the board, the one host pthread's on the host), looked up
 * once here rather than by a call to __errno() at every switch. */
static int *errno_var;

/* The context that runs before the first switch: main() on the board. It
 * is "exited" so that the first switch never comes back to it. */
static struct ng_thread boot_thread = { .name = "boot", .state = NG_TSTATE_EXITED };

void ng_sched_init(void)
{
    for (int i = 0; i < NG_PRIO_COUNT; i++)
        ng_list_init(&ready[i]);
    ready_bits = 0;
    ng_list_init(&delay_list);
    errno_var = &errno;
    ng_ticks = 0;
    ng_kernel_running = 0;
    ng_all_threads = NULL;
    ng_list_init(&boot_thread.link);
    ng_list_init(&boot_thread.timer_link);
    ng_current = &boot_thread;
}

static void ready_insert(struct ng_thread *t, int front)
{
    if (front)
        ng_list_push_front(&ready[t->prio], &t->link);
    else
        ng_list_push_back(&ready[t->prio], &t->link);
    ready_bits |= 1u << t->prio;
}

static void ready_remove(struct ng_thread *t)
{
    ng_list_remove(&t->link);
    if (ng_list_empty(&ready[t->prio]))
        ready_bits &= ~(1u << t->prio);
}

static unsigned highest_ready(void)
{
    return 31u - (unsigned)__builtin_clz(ready_bits | 1u);
}

void ng_sched_make_ready(struct ng_thread *t)
{
    t->state = NG_TSTATE_READY;
    ready_insert(t, 0);
    NG_TRACE0(THREAD_READY, t->id);
    if (ng_kernel_running && t->prio > ng_current->prio)
        ng_arch_pend_switch();
}

/* Wait queues keep the most urgent waiter first, FIFO among equals. */
static void wait_insert(struct ng_list *queue, struct ng_thread *t)
{
    struct ng_list *pos = queue->next;
    while (pos != queue && NG_CONTAINER_OF(pos, struct ng_thread, link)->prio >= t->prio)
        pos = pos->next;
    ng_list_insert_before(pos, &t->link);
}

/* The delay list is ordered by wake_tick, compared modulo 2^32. */
static void delay_insert(struct ng_thread *t)
{
    struct ng_list *pos = delay_list.next;
    while (pos != &delay_list &&
           (int32_t)(NG_CONTAINER_OF(pos, struct ng_thread, timer_link)->wake_tick -
                     t->wake_tick) <= 0)
        pos = pos->next;
    ng_list_insert_before(pos, &t->timer_link);
}

/* Block the running thread; the switch happens when the caller leaves its
 * critical section. The caller must not be nested in another one. */
void ng_sched_block(struct ng_list *queue, void *obj, uint8_t kind, uint32_t timeout)
{
    struct ng_thread *t = ng_current;
    NG_ASSERT(!ng_arch_in_isr());
    NG_ASSERT(t->state == NG_TSTATE_RUNNING);
    t->state = kind == NG_WAIT_SLEEP ? NG_TSTATE_SLEEPING : NG_TSTATE_BLOCKED;
    t->wait_obj = obj;
    t->wait_kind = kind;
    t->wait_result = NG_OK;
    if (queue)
        wait_insert(queue, t);
    if (timeout != NG_WAIT_FOREVER) {
        if (timeout > 0x7fffffffu)
            timeout = 0x7fffffffu;  /* wake ticks are compared modulo 2^32 */
        t->wake_tick = ng_ticks + timeout;
        delay_insert(t);
    }
    ng_arch_pend_switch();
}

void ng_sched_wake(struct ng_thread *t, int result)
{
    ng_list_remove(&t->link);
    ng_list_remove(&t->timer_link);
    t->wait_result = (int8_t)result;
    t->wait_obj = NULL;
    t->wait_kind = NG_WAIT_NONE;
    ng_sched_make_ready(t);
}

struct ng_thread *ng_sched_first_waiter(struct ng_list *queue)
{
    return ng_list_empty(queue) ? NULL : NG_CONTAINER_OF(queue->next, struct ng_thread, link);
}

struct ng_thread *ng_sched_switch(void)
{
    struct ng_thread *prev = ng_current;
    unsigned top = highest_ready();

    /* The overflow checks of kernel/thread.c, inline: they run at every
     * switch (canary words intact, saved sp above the guard). */
    if (prev->stack && (prev->stack[0] != NG_STACK_CANARY || prev->stack[1] != NG_STACK_CANARY ||
                        prev->sp < prev->stack + NG_STACK_GUARD_WORDS))
        ng_thread_check_stack(prev);
    if (prev->state == NG_TSTATE_RUNNING) {
        if (top < prev->prio || (top == prev->prio && !prev->yielding) || !ready_bits) {
            prev->yielding = 0;     /* a yield with nobody to yield to is spent */
            return prev;
        }
        prev->state = NG_TSTATE_READY;
        ready_insert(prev, !prev->yielding);   /* preempted: keep its turn */
    }
    prev->yielding = 0;
    struct ng_thread *next = NG_CONTAINER_OF(ready[top].next, struct ng_thread, link);
    ready_remove(next);
    if (next == prev) {         /* yielded, but nobody else of its priority was ready */
        next->state = NG_TSTATE_RUNNING;
        return prev;
    }
    next->state = NG_TSTATE_RUNNING;
    next->slice = NG_TIME_SLICE;
    next->switches++;
    /* errno is one variable of the C library, shared by every kernel
     * thread: each thread's own value goes with the thread, so a switch
     * between a failing call and the read of errno cannot change it. */
    prev->saved_errno = *errno_var;
    *errno_var = next->saved_errno;
    NG_TRACE1(THREAD_SWITCH, next->id, prev->id | (uint32_t)prev->state << 8);
    ng_current = next;
    return next;
}

void ng_kernel_tick(void)
{
    uint32_t s = ng_crit_enter();
    uint32_t now = ++ng_ticks;
    while (!ng_list_empty(&delay_list)) {
        struct ng_thread *t = NG_CONTAINER_OF(delay_list.next, struct ng_thread, timer_link);
        if ((int32_t)(t->wake_tick - now) > 0)
            break;
        ng_sched_wake(t, t->wait_kind == NG_WAIT_SLEEP ? NG_OK : NG_TIMEOUT);
    }
    struct ng_thread *cur = ng_current;
    if (cur->state == NG_TSTATE_RUNNING && --cur->slice == 0) {
        cur->slice = NG_TIME_SLICE;
        if (!ng_list_empty(&ready[cur->prio])) {
            cur->yielding = 1;
            ng_arch_pend_switch();
        }
    }
    ng_trace_tick_check();
    ng_crit_exit(s);
}

void ng_sleep(uint32_t ticks)
{
    uint32_t s = ng_crit_enter();
    NG_ASSERT(s == 0);
    NG_TRACE1(THREAD_SLEEP, ng_current->id, ticks);
    if (ticks == 0) {
        ng_current->yielding = 1;
        ng_arch_pend_switch();
    } else {
        ng_sched_block(NULL, NULL, NG_WAIT_SLEEP, ticks);
    }
    ng_crit_exit(s);
}

void ng_yield(void)
{
    uint32_t s = ng_crit_enter();
    ng_current->yielding = 1;
    ng_arch_pend_switch();
    ng_crit_exit(s);
}

void ng_isr_enter(uint8_t irq)
{
    NG_TRACE0(ISR_ENTER, irq);
}

void ng_isr_exit(uint8_t irq)
{
    NG_TRACE0(ISR_EXIT, irq);
}

/* Used by the host port's idle loop: can time still wake anybody? */
int ng_sched_has_timed_waiters(void)
{
    return !ng_list_empty(&delay_list);
}
