/*
 * boards/lm3s6965evb/arch.c - the Cortex-M3 port of the kernel: SysTick,
 * the PendSV context switch, the first thread's start and the idle loop.
 *
 * Threads run in thread mode on the process stack (PSP); handlers run on
 * the main stack (MSP). A switch is always a PendSV, the lowest-priority
 * exception, so it happens only when no other handler is active: the
 * hardware has already pushed r0-r3, r12, lr, pc and xPSR on the thread's
 * stack, PendSV pushes r4-r11 after them, saves PSP in ng_current->sp, lets
 * ng_sched_switch() pick the next thread, and unwinds that thread's stack
 * the same way (ARMv7-M Architecture Reference Manual, B1.5.6-B1.5.8).
 */
#include "cm3.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

#define NVIC_SHPR2 NG_REG32(0xe000ed1cu)    /* SVCall priority */
#define NVIC_SHPR3 NG_REG32(0xe000ed20u)    /* PendSV and SysTick priorities */
#define PRIO_HIGHEST 0x00u
#define PRIO_LOWEST 0xe0u                   /* the LM3S6965 has 3 priority bits */

volatile uint32_t ng_tick_cycles_lo;
volatile uint32_t ng_tick_cycles_hi;
volatile uint32_t ng_tick_cycles_end = NG_SYSTICK_PERIOD - 1u;
_Static_assert(NG_CPU_HZ % NG_TICK_HZ == 0, "SysTick period must be whole cycles");

/* Where the boot context's registers go at the first switch. */
static uint32_t boot_psp_area[64] __attribute__((aligned(8)));

void ng_arch_systick_start(void)
{
    /* SysTick outranks every other interrupt so that nothing can run
     * between its counter wrapping and ng_tick_cycles catching up. */
    NVIC_SHPR3 = (NVIC_SHPR3 & 0x0000ffffu) | PRIO_LOWEST << 16 | PRIO_HIGHEST << 24;
    NG_SYST_RVR = NG_SYSTICK_PERIOD - 1u;
    NG_SYST_CVR = 0;
    NG_SYST_CSR = 7;        /* enable, interrupt, processor clock */
    while (NG_SYST_CVR == 0)
        ;                   /* until the first reload: 0 would read as a tick's end */
}

void SysTick_Handler(void)
{
    /* The counter reads 0 for one count after pending us; count the tick
     * only once it has reloaded (see ng_arch_cycles32). At most one count
     * (80 instructions under -icount shift=0) of waiting. */
    while (NG_SYST_CVR == 0)
        ;
    uint32_t lo = ng_tick_cycles_lo + NG_SYSTICK_PERIOD;
    if (lo < NG_SYSTICK_PERIOD)
        ng_tick_cycles_hi++;
    ng_tick_cycles_lo = lo;
    ng_tick_cycles_end = lo + NG_SYSTICK_PERIOD - 1u;
    ng_trace_tick_advance(NG_SYSTICK_PERIOD);  /* the recorder's stamp moves with it */
    ng_isr_enter(15);
    ng_kernel_tick();
    ng_isr_exit(15);
}

uint64_t ng_arch_cycles64(void)
{
    uint32_t irq = ng_arch_irq_save();
    uint32_t cvr = NG_SYST_CVR;
    uint64_t lo = (uint64_t)ng_tick_cycles_hi << 32 | ng_tick_cycles_lo;
    uint64_t t;
    if (NG_SCB_ICSR & NG_ICSR_PENDSTSET) {      /* the rules of ng_arch_cycles32 */
        cvr = NG_SYST_CVR;
        t = cvr == 0 ? lo + NG_SYSTICK_PERIOD - 1u : lo + 2u * NG_SYSTICK_PERIOD - 1u - cvr;
    } else {
        t = lo + NG_SYSTICK_PERIOD - 1u - cvr;
    }
    ng_arch_irq_restore(irq);
    return t;
}

void ng_arch_thread_init(struct ng_thread *t)
{
    uint32_t *sp = t->stack + t->stack_size / 4;
    *--sp = 0x01000000u;                            /* xPSR: Thumb state */
    *--sp = (uint32_t)(uintptr_t)t->entry & ~1u;    /* pc */
    *--sp = (uint32_t)(uintptr_t)ng_thread_exit;    /* lr: entry returns here */
    *--sp = 0;                                      /* r12 */
    *--sp = 0;                                      /* r3 */
    *--sp = 0;                                      /* r2 */
    *--sp = 0;                                      /* r1 */
    *--sp = (uint32_t)(uintptr_t)t->arg;            /* r0: the argument */
    for (int i = 0; i < 8; i++)
        *--sp = 0;                                  /* r11..r4 */
    t->sp = sp;
}

void ng_arch_pend_switch(void)
{
    NG_SCB_ICSR = NG_ICSR_PENDSVSET;
}

/* Move thread mode onto the process stack and unmask interrupts: the
 * PendSV that ng_kernel_start pended fires at once and never comes back. */
void ng_arch_start(struct ng_thread *first)
{
    (void)first;
    uint32_t top = (uint32_t)(uintptr_t)&boot_psp_area[64];
    __asm__ volatile("msr psp, %0\n\t"
                     "mov r0, #2\n\t"
                     "msr control, r0\n\t"
                     "isb\n\t"
                     "cpsie i\n\t"
                     : : "r"(top) : "r0", "memory");
    for (;;)
        ;
}

void ng_arch_idle(void)
{
    __asm__ volatile("wfi");
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm__ volatile(
        "cpsid i\n\t"
        "mrs r0, psp\n\t"
        "stmdb r0!, {r4-r11}\n\t"
        "ldr r1, =ng_current\n\t"
        "ldr r2, [r1]\n\t"
        "str r0, [r2]\n\t"              /* ng_current->sp = psp */
        "mov r4, lr\n\t"                /* EXC_RETURN, r4 is saved already */
        "bl ng_sched_switch\n\t"        /* r0 = the thread to run */
        "mov lr, r4\n\t"
        "ldr r0, [r0]\n\t"
        "ldmia r0!, {r4-r11}\n\t"
        "msr psp, r0\n\t"
        "cpsie i\n\t"
        "bx lr\n\t");
}
