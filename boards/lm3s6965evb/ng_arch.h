/*
 * boards/lm3s6965evb/ng_arch.h - the inline part of the Cortex-M3 port.
 *
 * Interrupts are masked with PRIMASK (cpsid i), which nests by saving and
 * restoring the old value. Time is SysTick: ng_tick_cycles holds the cycles
 * of all completed ticks and the down-counter gives the cycles into the
 * current one; if the counter wrapped while interrupts were masked, the
 * pending SysTick bit says so and we add one more period.
 */
#ifndef NETGLASS_ARCH_H
#define NETGLASS_ARCH_H

#include <stdint.h>

/* Inlined even at -Og: the recorder's fast path is built from these. */
#define NG_ALWAYS_INLINE static inline __attribute__((always_inline))

#include "kernel_config.h"

/* SysTick counts the processor clock: 12.5 MHz on this board in QEMU. */
#define NG_CPU_HZ 12500000u

/* Cycles per scheduler tick (NG_TICK_HZ comes from kernel_config.h). */
#define NG_SYSTICK_PERIOD (NG_CPU_HZ / NG_TICK_HZ)

struct ng_arch_thread {
    uint32_t unused;
};

#define NG_REG32(addr) (*(volatile uint32_t *)(addr))
#define NG_SYST_CSR NG_REG32(0xe000e010u)
#define NG_SYST_RVR NG_REG32(0xe000e014u)
#define NG_SYST_CVR NG_REG32(0xe000e018u)
#define NG_SCB_ICSR NG_REG32(0xe000ed04u)
#define NG_ICSR_PENDSVSET (1u << 28)
#define NG_ICSR_PENDSTSET (1u << 26)

extern volatile uint32_t ng_tick_cycles_lo;   /* cycles at the start of this tick */
extern volatile uint32_t ng_tick_cycles_hi;
extern volatile uint32_t ng_tick_cycles_end;  /* ..._lo + period - 1: the last cycle of it */

NG_ALWAYS_INLINE uint32_t ng_arch_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    return primask;
}

NG_ALWAYS_INLINE void ng_arch_irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" : : "r"(primask) : "memory");
}

/* Two adjacent words, 8-byte aligned, in one instruction (the recorder's
 * write pointer and stamp). */
NG_ALWAYS_INLINE void ng_arch_load_pair(const uint32_t *p, uint32_t *a, uint32_t *b)
{
    __asm__ volatile("ldrd %0, %1, [%2]" : "=r"(*a), "=r"(*b) : "r"(p) : "memory");
}

NG_ALWAYS_INLINE void ng_arch_store_pair(uint32_t *p, uint32_t a, uint32_t b)
{
    __asm__ volatile("strd %1, %2, [%0]" : : "r"(p), "r"(a), "r"(b) : "memory");
}

/* Exception number being served (0 in thread mode). */
static inline uint32_t ng_arch_isr_number(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1ffu;
}

static inline int ng_arch_in_isr(void) { return ng_arch_isr_number() != 0; }

/* Low 32 bits of the cycle count; call with interrupts masked.
 * The counter runs down from period - 1 to 0, pends SysTick on reaching 0
 * and reloads one count later. The SysTick handler (arch.c) waits for that
 * reload before it counts the tick, so outside the handler a reading of 0
 * always comes with the pending bit set: the last cycle of a tick not yet
 * counted. A pending SysTick with a reloaded counter means a tick began
 * that the handler has not counted. ng_arch_cycles64() follows the same
 * rules, so the two never disagree and time never runs backwards. */
NG_ALWAYS_INLINE uint32_t ng_arch_cycles32(void)
{
    uint32_t cvr = NG_SYST_CVR;
    uint32_t end = ng_tick_cycles_end;
    if (NG_SCB_ICSR & NG_ICSR_PENDSTSET) {  /* reached 0, not yet counted */
        cvr = NG_SYST_CVR;
        return cvr == 0 ? end : end + NG_SYSTICK_PERIOD - cvr;
    }
    return end - cvr;
}

/* The trace recorder's clock (tracer/trace_fast.h). Its fast path keeps
 * a "stamp" for the previous record and takes one reading of a clock that
 * counts down, so that the cycles between them are stamp - reading, and
 * the next stamp is the reading itself. Here the reading is the SysTick
 * counter as it is, and the tick handler adds a period to the stamp each
 * tick (ng_trace_tick_advance) as it does to ng_tick_cycles_end, so that
 * stamp == ng_tick_cycles_end - (the previous record's time) always holds:
 * two loads (the counter, the pending bit) and no arithmetic, where
 * ng_arch_cycles32 also loads ng_tick_cycles_end and subtracts. The
 * return value is 0 when the reading can be trusted; while a SysTick is
 * pending it is the pending bit, a value above 0xffff, so that the
 * recorder folds it into its own "more than 0xffff cycles" test and takes
 * the slow path, which uses ng_arch_cycles32. */
NG_ALWAYS_INLINE uint32_t ng_arch_trace_clock(uint32_t *reading)
{
    *reading = NG_SYST_CVR;
    return NG_SCB_ICSR & NG_ICSR_PENDSTSET;
}

/* A stamp and the time (low 32 bits of the cycle count) it stands for. */
NG_ALWAYS_INLINE uint32_t ng_arch_trace_time(uint32_t stamp) { return ng_tick_cycles_end - stamp; }
NG_ALWAYS_INLINE uint32_t ng_arch_trace_stamp(uint32_t now) { return ng_tick_cycles_end - now; }

#endif
