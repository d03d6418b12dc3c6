/*
 * kernel/thread.c - creating and ending threads, the idle thread, start-up,
 * and the stack checks.
 *
 * Stacks are supplied by the caller. At creation the whole stack is painted
 * with NG_STACK_PAINT so the debugger (and ng_thread_stack_used) can see the
 * deepest point ever reached, and the lowest NG_STACK_GUARD_WORDS words get
 * a canary. The scheduler checks the canary and the saved stack pointer of
 * the outgoing thread at every switch: an overflow names the thread and
 * stops the run with NG_EXIT_STACK_OVERFLOW.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"
#include "trace.h"

static struct ng_thread idle_thread;
static uint32_t idle_stack[NG_IDLE_STACK / 4] __attribute__((aligned(8)));

static void idle_main(void *arg)
{
    (void)arg;
    for (;;)
        ng_arch_idle();
}

void ng_kernel_init(void)
{
    ng_sched_init();
    ng_thread_create(&idle_thread, "idle", idle_main, NULL, idle_stack,
                     sizeof idle_stack, 0);
}

void ng_kernel_start(void)
{
    ng_kernel_running = 1;
    ng_arch_pend_switch();
    ng_arch_start(NULL);
}

void ng_thread_create(struct ng_thread *t, const char *name, void (*entry)(void *),
                      void *arg, uint32_t *stack, uint32_t stack_size, uint8_t prio)
{
    NG_ASSERT(prio < NG_PRIO_COUNT);
    NG_ASSERT(stack && stack_size >= 64 && ((uintptr_t)stack & 7u) == 0);
    memset(t, 0, sizeof *t);
    t->name = name;
    t->entry = entry;
    t->arg = arg;
    t->prio = prio;
    t->stack = stack;
    t->stack_size = stack_size & ~7u;
    ng_list_init(&t->link);
    ng_list_init(&t->timer_link);
    for (uint32_t i = 0; i < t->stack_size / 4; i++)
        stack[i] = i < NG_STACK_GUARD_WORDS ? NG_STACK_CANARY : NG_STACK_PAINT;
    ng_arch_thread_init(t);
    t->id = ng_registry_add(NG_KIND_THREAD, t, name);
    NG_TRACE2(THREAD_CREATE, t->id, prio | t->stack_size << 8, (uintptr_t)entry);

    uint32_t s = ng_crit_enter();
    t->all_next = ng_all_threads;
    ng_all_threads = t;
    ng_sched_make_ready(t);
    ng_crit_exit(s);
}

void ng_thread_exit(void)
{
    uint32_t s = ng_crit_enter();
    struct ng_thread *t = ng_current;
    t->state = NG_TSTATE_EXITED;
    NG_TRACE0(THREAD_EXIT, t->id);
    ng_arch_pend_switch();
    ng_crit_exit(s);
    for (;;)
        ;   /* not reached: the switch never returns to an exited thread */
}

struct ng_thread *ng_thread_self(void)
{
    return ng_current;
}

uint32_t ng_thread_stack_used(const struct ng_thread *t)
{
    if (!t->stack)
        return 0;
    uint32_t words = t->stack_size / 4, i = NG_STACK_GUARD_WORDS;
    while (i < words && t->stack[i] == NG_STACK_PAINT)
        i++;
    return (words - i) * 4;
}

void ng_thread_check_stack(struct ng_thread *t)
{
    if (!t->stack)
        return;     /* the boot context and the host's adopted main thread */
    int bad = t->sp < t->stack + NG_STACK_GUARD_WORDS ||
              t->sp > t->stack + t->stack_size / 4;
    for (int i = 0; i < NG_STACK_GUARD_WORDS; i++)
        bad |= t->stack[i] != NG_STACK_CANARY;
    if (bad)
        ng_panic(NG_EXIT_STACK_OVERFLOW, __FILE__, __LINE__, t->name);
}
