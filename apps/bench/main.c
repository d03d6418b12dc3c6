/*
 * apps/bench/main.c - measurements for `make bench` (tools/bench.sh).
 *
 * Run under QEMU with -icount shift=0, where every guest instruction takes
 * exactly one nanosecond of virtual time, so timing a loop with SysTick (12.5
 * MHz, 80 ns a count) and subtracting the same loop without the work gives
 * guest instructions per operation. Figures are averages over many
 * iterations, so the 80-instruction resolution of one reading does not
 * matter; they include everything the operation really costs, such as the
 * drain interrupt that ships full trace blocks.
 *
 *   bench=trace    instructions per record for ng_trace_0/1/2
 *   bench=switch   instructions per ng_yield() that switches to another thread
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

#define NS_PER_COUNT (1000000000u / NG_CPU_HZ)      /* = instructions at shift=0 */

static uint64_t now(void)
{
    return ng_arch_cycles64();
}

/* Hundredths of an instruction per iteration, from a loop's cycles. */
static uint32_t per_iter_x100(uint64_t cycles, uint32_t n)
{
    return (uint32_t)(cycles * NS_PER_COUNT * 100u / n);
}

static void print_x100(const char *what, uint32_t v)
{
    printf("bench: %s: %lu.%02lu instructions\n", what, (unsigned long)(v / 100),
           (unsigned long)(v % 100));
}

#if NETGLASS_TRACE
#define N_RECORDS 40000u

static __attribute__((noinline)) uint64_t loop_empty(uint32_t n)
{
    uint64_t t0 = now();
    for (uint32_t i = 0; i < n; i++)
        __asm__ volatile("" : : "r"(i) : "memory");
    return now() - t0;
}

static __attribute__((noinline)) uint64_t loop_trace0(uint32_t n)
{
    uint64_t t0 = now();
    for (uint32_t i = 0; i < n; i++)
        NG_TRACE0(APP_MARK_NOARG, i);
    return now() - t0;
}

static __attribute__((noinline)) uint64_t loop_trace1(uint32_t n)
{
    uint64_t t0 = now();
    for (uint32_t i = 0; i < n; i++)
        NG_TRACE1(APP_MARK, 1, i);
    return now() - t0;
}

static __attribute__((noinline)) uint64_t loop_trace2(uint32_t n)
{
    uint64_t t0 = now();
    for (uint32_t i = 0; i < n; i++)
        NG_TRACE2(APP_MARK2, 2, i, n);
    return now() - t0;
}

static int bench_trace(void)
{
    /* Only this loop's records: no tick or scheduler records in between. */
    ng_trace_mask = NG_TRACE_CLASS_BIT(SYNC) | NG_TRACE_CLASS_BIT(APP_MARK);
    uint32_t lost0 = ng_trace_lost();
    uint64_t base = loop_empty(N_RECORDS);
    uint64_t t0 = loop_trace0(N_RECORDS);
    uint64_t t1 = loop_trace1(N_RECORDS);
    uint64_t t2 = loop_trace2(N_RECORDS);
    uint32_t b = per_iter_x100(base, N_RECORDS);
    print_x100("ng_trace_0 per record", per_iter_x100(t0, N_RECORDS) - b);
    print_x100("ng_trace_1 per record", per_iter_x100(t1, N_RECORDS) - b);
    print_x100("ng_trace_2 per record", per_iter_x100(t2, N_RECORDS) - b);
    printf("bench: records lost during the loops: %lu\n",
           (unsigned long)(ng_trace_lost() - lost0));
    ng_trace_mask = 0xffffffffu;
    return 0;
}
#else
static int bench_trace(void)
{
    printf("bench: tracing is compiled out in this image\n");
    return 1;
}
#endif

#define N_SWITCHES 20000u
static struct ng_thread ping_thread, pong_thread, loner_thread;
static uint32_t ping_stack[128] __attribute__((aligned(8)));
static uint32_t pong_stack[128] __attribute__((aligned(8)));
static uint32_t loner_stack[128] __attribute__((aligned(8)));
static volatile uint32_t rounds, pong_running;
static struct ng_sem bench_done;

static void pinger(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < N_SWITCHES / 2; i++)
        ng_yield();
    rounds = N_SWITCHES / 2;
}

static void ponger(void *arg)
{
    (void)arg;
    while (!rounds)
        ng_yield();
    ng_sem_signal(&bench_done);
}

/* One thread alone at its priority: ng_yield() takes PendSV, which finds
 * nobody to switch to. The difference to the ping-pong is the switch. */
static void loner(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < N_SWITCHES; i++)
        ng_yield();
    ng_sem_signal(&bench_done);
}

static int bench_switch(void)
{
    ng_sem_init(&bench_done, "bench_done", 0);
#if NETGLASS_TRACE
    ng_trace_mask = NG_TRACE_CLASS_BIT(SYNC) | NG_TRACE_CLASS_BIT(THREAD_SWITCH);
#endif

    uint64_t t0 = now();
    ng_thread_create(&loner_thread, "loner", loner, NULL, loner_stack, sizeof loner_stack, 3);
    ng_sem_wait(&bench_done, NG_WAIT_FOREVER);
    uint64_t alone = now() - t0;

    t0 = now();
    ng_thread_create(&ping_thread, "ping", pinger, NULL, ping_stack, sizeof ping_stack, 3);
    ng_thread_create(&pong_thread, "pong", ponger, NULL, pong_stack, sizeof pong_stack, 3);
    ng_sem_wait(&bench_done, NG_WAIT_FOREVER);
    uint64_t pingpong = now() - t0;

    uint32_t a = per_iter_x100(alone, N_SWITCHES);
    uint32_t p = per_iter_x100(pingpong, N_SWITCHES);
    print_x100("ng_yield without a switch (PendSV returns to the caller)", a);
    print_x100("ng_yield with a switch to another thread", p);
#if NETGLASS_TRACE
    ng_trace_mask = 0xffffffffu;
#endif
    return 0;
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "bench", NULL };
    ng_args_check(argc, argv, keys);
    const char *which = "trace";
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "bench=", 6) == 0)
            which = argv[i] + 6;
    if (strcmp(which, "trace") == 0)
        return bench_trace();
    if (strcmp(which, "switch") == 0)
        return bench_switch();
    printf("bench: unknown bench '%s' (trace, switch)\n", which);
    return 127;
}
