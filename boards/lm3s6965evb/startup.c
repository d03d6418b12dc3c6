/*
 * boards/lm3s6965evb/startup.c - the vector table and the reset handler.
 *
 * 16 Cortex-M system exceptions followed by the LM3S6965's IRQs (48
 * slots). Every handler not defined elsewhere is a weak alias of
 * Default_Handler, which reports the unexpected exception and stops. Reset
 * copies .data from flash, zeroes .bss and calls main().
 */
#include <stdint.h>

#include "cm3.h"

extern uint32_t _data_load[], _data_start[], _data_end[], _bss_start[], _bss_end[];
extern uint32_t _stack_top[];

void Default_Handler(void)
{
    ng_fault_unexpected();
}

#define WEAK_ALIAS __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_ALIAS;
void HardFault_Handler(void) WEAK_ALIAS;
void MemManage_Handler(void) WEAK_ALIAS;
void BusFault_Handler(void) WEAK_ALIAS;
void UsageFault_Handler(void) WEAK_ALIAS;
void SVC_Handler(void) WEAK_ALIAS;
void DebugMon_Handler(void) WEAK_ALIAS;
void PendSV_Handler(void) WEAK_ALIAS;
void SysTick_Handler(void) WEAK_ALIAS;
void Ethernet_IRQHandler(void) WEAK_ALIAS;      /* IRQ 42 */
void TraceDrain_IRQHandler(void) WEAK_ALIAS;    /* IRQ 47: software-triggered */

#define IRQ_COUNT 48
typedef void (*vector_t)(void);

/* Later entries override the range on purpose. */
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__((section(".vectors"), used))
const vector_t ng_vectors[16 + IRQ_COUNT] = {
    [0] = (vector_t)(uintptr_t)_stack_top,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [11] = SVC_Handler,
    [12] = DebugMon_Handler,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16 ... 16 + IRQ_COUNT - 1] = Default_Handler,
    [16 + 42] = Ethernet_IRQHandler,
    [16 + 47] = TraceDrain_IRQHandler,
};

void Reset_Handler(void)
{
    uint32_t *src = _data_load, *dst = _data_start;
    while (dst < _data_end)
        *dst++ = *src++;
    for (dst = _bss_start; dst < _bss_end; dst++)
        *dst = 0;
    main();
    for (;;)
        ;
}
