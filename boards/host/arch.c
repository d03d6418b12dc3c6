/*
 * boards/host/arch.c - the host port of the kernel: ucontext threads and
 * virtual time.
 *
 * The switch point is do_switch(): it asks ng_sched_switch() for the next
 * thread exactly as the board's PendSV does, then swapcontext()s to it.
 * Time moves only when the test says so (ng_host_advance) or when every
 * thread is waiting: then the idle thread advances the tick until a timeout
 * wakes somebody, so a test of "fetch with a 100 ms timeout" takes no real
 * time at all. If nobody is waiting with a timeout either, the run is
 * deadlocked, and the host says so instead of hanging.
 */
#include <stdio.h>
#include <stdlib.h>

#include "host.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#define ASAN_FIBERS 1
#else
#define ASAN_FIBERS 0
#endif

uint32_t ng_host_irq_depth;
uint32_t ng_host_isr_num;
uint64_t ng_host_cycles;
static int switch_pending;
static struct ng_thread host_main;
static struct ng_thread *switching_from;

#define CYCLES_PER_TICK (NG_CPU_HZ / NG_TICK_HZ)


static void fiber_arrived(void)
{
#if ASAN_FIBERS
    const void *bottom;
    size_t size;
    struct ng_thread *from = switching_from;
    __sanitizer_finish_switch_fiber(ng_current->arch.fake_stack, &bottom, &size);
    if (from && !from->arch.stack_bottom) {
        from->arch.stack_bottom = bottom;   /* learn the adopted main's stack */
        from->arch.stack_bytes = size;
    }
#endif
}

static void do_switch(void)
{
    while (switch_pending && ng_host_isr_num == 0) {
        switch_pending = 0;
        ng_host_irq_depth++;
        struct ng_thread *prev = ng_current;
        struct ng_thread *next = ng_sched_switch();
        if (next != prev) {
            switching_from = prev;
#if ASAN_FIBERS
            __sanitizer_start_switch_fiber(
                prev->state == NG_TSTATE_EXITED ? NULL : &prev->arch.fake_stack,
                next->arch.stack_bottom, next->arch.stack_bytes);
#endif
            swapcontext(&prev->arch.ctx, &next->arch.ctx);
            fiber_arrived();
        }
        ng_host_irq_depth--;
    }
}

void ng_host_irq_restored(void)
{
    if (switch_pending)
        do_switch();
}

void ng_arch_pend_switch(void)
{
    switch_pending = 1;
    if (ng_host_irq_depth == 0)
        do_switch();
}

static void trampoline(void)
{
    fiber_arrived();
    ng_host_irq_depth = 0;      /* as the exception return unmasks on the board */
    struct ng_thread *self = ng_current;
    self->entry(self->arg);
    ng_thread_exit();
}

/* Host code (and the sanitizers) need far more stack than the board's
 * threads are given, so each thread runs on a host stack of its own; the
 * board-sized stack it was created with keeps its canary, which the
 * scheduler still checks at every switch. */
#define HOST_STACK_BYTES (256u * 1024u)

void ng_arch_thread_init(struct ng_thread *t)
{
    if (!t->arch.stack_bottom) {
        t->arch.stack_bottom = malloc(HOST_STACK_BYTES);
        t->arch.stack_bytes = HOST_STACK_BYTES;
        if (!t->arch.stack_bottom) {
            fprintf(stderr, "netglass host: out of memory for a thread stack\n");
            abort();
        }
    }
    getcontext(&t->arch.ctx);
    t->arch.ctx.uc_stack.ss_sp = (void *)t->arch.stack_bottom;
    t->arch.ctx.uc_stack.ss_size = t->arch.stack_bytes;
    t->arch.ctx.uc_link = NULL;
    t->sp = t->stack + t->stack_size / 4;
    makecontext(&t->arch.ctx, trampoline, 0);
}

void ng_arch_start(struct ng_thread *first)
{
    (void)first;
    fprintf(stderr, "netglass host: use ng_host_boot(), not ng_kernel_start()\n");
    abort();
}

uint64_t ng_arch_cycles64(void)
{
    return ng_host_cycles;
}

void ng_host_boot_prio(uint8_t prio)
{
    ng_kernel_init();
    struct ng_thread *t = &host_main;
    t->name = "main";
    t->prio = prio;
    t->state = NG_TSTATE_RUNNING;
    t->slice = NG_TIME_SLICE;
    ng_list_init(&t->link);
    ng_list_init(&t->timer_link);
    t->id = ng_registry_add(NG_KIND_THREAD, t, t->name);
    t->all_next = ng_all_threads;
    ng_all_threads = t;
    ng_current = t;
    ng_kernel_running = 1;
}

void ng_host_boot(void)
{
    ng_host_boot_prio(NG_MAIN_PRIO);
}

static void tick_isr(void *arg)
{
    (void)arg;
    ng_host_cycles += CYCLES_PER_TICK;
    ng_kernel_tick();
}

void ng_host_isr(uint8_t irq, void (*fn)(void *), void *arg)
{
    uint32_t outer = ng_host_isr_num;
    ng_host_isr_num = irq;
    ng_isr_enter(irq);
    fn(arg);
    ng_isr_exit(irq);
    ng_host_isr_num = outer;
    if (outer == 0 && ng_host_irq_depth == 0 && switch_pending)
        do_switch();
}

void ng_host_advance(uint32_t ticks)
{
    while (ticks--)
        ng_host_isr(15, tick_isr, NULL);
}

/* Called by ng_board_exit. exit() from a thread other than the adopted
 * main: AddressSanitizer then knows only that thread's stack, so the leak
 * check at exit would not scan the process's own stack and would report
 * what only it points to (the test framework's state, app_main's locals)
 * as leaked, turning the exit status (121, 126, ...) into LSan's. */
void ng_host_exit_prepare(void)
{
#if ASAN_FIBERS
    if (ng_current != &host_main && host_main.arch.stack_bottom)
        __lsan_register_root_region(host_main.arch.stack_bottom, host_main.arch.stack_bytes);
#endif
}

static void default_deadlock(void)
{
    fprintf(stderr, "netglass host: deadlock: every thread waits forever\n");
    for (struct ng_thread *t = ng_all_threads; t; t = t->all_next)
        fprintf(stderr, "  %-12s prio %2u state %u wait_kind %u\n", t->name, t->prio,
                t->state, t->wait_kind);
    ng_trace_stop(NG_EXIT_DEADLOCK);
    ng_board_exit(NG_EXIT_DEADLOCK);
}

void (*ng_host_deadlock_hook)(void) = default_deadlock;

/* The idle thread runs only when nothing else can: move time on to the
 * next timeout, or report the deadlock. */
void ng_arch_idle(void)
{
    if (!ng_sched_has_timed_waiters())
        ng_host_deadlock_hook();
    ng_host_advance(1);
}
