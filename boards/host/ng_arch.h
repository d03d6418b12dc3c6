/*
 * boards/host/ng_arch.h - the inline part of the host port.
 *
 * On the host the "CPU" is one process: threads are ucontext_t contexts,
 * "interrupts" are functions the test calls through ng_host_isr() or the
 * tick through ng_host_advance(), and masking interrupts is a nesting
 * counter. Leaving the outermost critical section performs a pending switch,
 * as unmasking interrupts lets PendSV in on the board.
 */
#ifndef NETGLASS_ARCH_H
#define NETGLASS_ARCH_H

#include <stdint.h>

/* Inlined even at -Og: the recorder's fast path is built from these. */
#define NG_ALWAYS_INLINE static inline __attribute__((always_inline))
#include <ucontext.h>

/* Virtual cycles per second, the same as the board so figures compare. */
#define NG_CPU_HZ 12500000u

struct ng_arch_thread {
    ucontext_t ctx;
    void *fake_stack;           /* AddressSanitizer's per-fiber bookkeeping */
    const void *stack_bottom;
    size_t stack_bytes;
};

extern uint32_t ng_host_irq_depth;   /* >0: "interrupts masked" */
extern uint32_t ng_host_isr_num;     /* exception being "served", 0 in threads */
extern uint64_t ng_host_cycles;      /* virtual time */
void ng_host_irq_restored(void);
void ng_host_exit_prepare(void);     /* before exit(): see arch.c */

NG_ALWAYS_INLINE uint32_t ng_arch_irq_save(void) { return ng_host_irq_depth++; }

NG_ALWAYS_INLINE void ng_arch_irq_restore(uint32_t s)
{
    ng_host_irq_depth = s;
    if (s == 0)
        ng_host_irq_restored();
}

NG_ALWAYS_INLINE void ng_arch_load_pair(const uint32_t *p, uint32_t *a, uint32_t *b)
{
    *a = p[0];
    *b = p[1];
}

NG_ALWAYS_INLINE void ng_arch_store_pair(uint32_t *p, uint32_t a, uint32_t b)
{
    p[0] = a;
    p[1] = b;
}

static inline uint32_t ng_arch_isr_number(void) { return ng_host_isr_num; }
static inline int ng_arch_in_isr(void) { return ng_host_isr_num != 0; }
NG_ALWAYS_INLINE uint32_t ng_arch_cycles32(void) { return (uint32_t)ng_host_cycles; }

/* The trace recorder's clock (see the board's ng_arch.h): a reading that
 * counts down, here the virtual time negated; never unsure. */
NG_ALWAYS_INLINE uint32_t ng_arch_trace_clock(uint32_t *reading)
{
    *reading = 0u - (uint32_t)ng_host_cycles;
    return 0;
}

NG_ALWAYS_INLINE uint32_t ng_arch_trace_time(uint32_t stamp) { return 0u - stamp; }
NG_ALWAYS_INLINE uint32_t ng_arch_trace_stamp(uint32_t now) { return 0u - now; }

#endif
