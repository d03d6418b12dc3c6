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

/* SysTick counts the processor clock: 12.5 MHz on this board in QEMU. */
#define NG_CPU_HZ 12500000u

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
extern uint32_t ng_systick_period;            /* cycles per tick */

static inline uint32_t ng_arch_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    return primask;
}

static inline void ng_arch_irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" : : "r"(primask) : "memory");
}

/* Exception number being served (0 in thread mode). */
static inline uint32_t ng_arch_isr_number(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1ffu;
}

static inline int ng_arch_in_isr(void) { return ng_arch_isr_number() != 0; }

/* Low 32 bits of the cycle count; call with interrupts masked. */
static inline uint32_t ng_arch_cycles32(void)
{
    uint32_t cvr = NG_SYST_CVR;
    uint32_t base = ng_tick_cycles_lo;
    if (NG_SCB_ICSR & NG_ICSR_PENDSTSET) {  /* wrapped, tick not yet counted */
        cvr = NG_SYST_CVR;
        base += ng_systick_period;
    }
    return base + (ng_systick_period - 1u - cvr);
}

#endif
