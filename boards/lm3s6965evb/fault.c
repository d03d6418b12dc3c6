/*
 * boards/lm3s6965evb/fault.c - what happens when the CPU faults.
 *
 * HardFault, MemManage, BusFault and UsageFault all come here. The handler
 * finds the stacked exception frame (on PSP if a thread faulted, on MSP if a
 * handler did), prints the registers the hardware saved, the fault status
 * registers and the running thread's name, flushes the trace and leaves
 * QEMU with a status per fault kind (enum ng_exit_status). The test
 * harness resolves the printed pc to a function with addr2line.
 * Register meanings: ARMv7-M ARM B3.2.15-B3.2.18 (CFSR, HFSR, MMFAR, BFAR).
 */
#include "cm3.h"
#include "kernel.h"
#include "port.h"
#include "trace.h"

#define SCB_SHCSR NG_REG32(0xe000ed24u)
#define SCB_CFSR NG_REG32(0xe000ed28u)
#define SCB_HFSR NG_REG32(0xe000ed2cu)
#define SCB_MMFAR NG_REG32(0xe000ed34u)
#define SCB_BFAR NG_REG32(0xe000ed38u)
#define SCB_CCR NG_REG32(0xe000ed14u)

/* Give MemManage, BusFault and UsageFault their own handlers (otherwise they
 * escalate to HardFault) and make integer division by zero trap. */
void ng_fault_init(void)
{
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);
    SCB_CCR |= 1u << 4;     /* DIV_0_TRP */
}

static void put_hex(const char *label, uint32_t v)
{
    char buf[12];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
    buf[10] = ' ';
    buf[11] = 0;
    ng_board_puts(label);
    ng_board_puts(buf);
}

void ng_fault_report(uint32_t *frame, uint32_t exc_return)
{
    static const char *const names[] = { "HardFault", "MemManage", "BusFault", "UsageFault" };
    static const int statuses[] = { NG_EXIT_HARDFAULT, NG_EXIT_MEMMANAGE, NG_EXIT_BUSFAULT,
                                    NG_EXIT_USAGEFAULT };
    uint32_t exc = ng_arch_isr_number();
    int k = exc >= 3 && exc <= 6 ? (int)exc - 3 : 0;
    int in_thread = (exc_return & 4u) != 0;
    const char *thread = ng_current && ng_current->name ? ng_current->name : "?";

    ng_board_puts("\nnetglass: ");
    ng_board_puts(names[k]);
    ng_board_puts(in_thread ? " in thread '" : " in an interrupt handler while thread '");
    ng_board_puts(thread);
    ng_board_puts(in_thread ? "'\n" : "' was running\n");
    put_hex("  pc  ", frame[6]);
    put_hex(" lr  ", frame[5]);
    put_hex(" xpsr ", frame[7]);
    ng_board_puts("\n");
    put_hex("  r0  ", frame[0]);
    put_hex(" r1  ", frame[1]);
    put_hex(" r2  ", frame[2]);
    put_hex(" r3  ", frame[3]);
    put_hex(" r12 ", frame[4]);
    ng_board_puts("\n");
    put_hex("  cfsr ", SCB_CFSR);
    put_hex(" hfsr ", SCB_HFSR);
    put_hex(" mmfar ", SCB_MMFAR);
    put_hex(" bfar ", SCB_BFAR);
    ng_board_puts("\n");
    ng_trace_stop(statuses[k]);
    ng_board_exit(statuses[k]);
}

/* The four handlers share one entry: pick the stack the frame is on. */
__attribute__((naked)) void ng_fault_entry(void)
{
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mov r1, lr\n\t"
        "b ng_fault_report\n\t");
}

void HardFault_Handler(void) __attribute__((alias("ng_fault_entry")));
void MemManage_Handler(void) __attribute__((alias("ng_fault_entry")));
void BusFault_Handler(void) __attribute__((alias("ng_fault_entry")));
void UsageFault_Handler(void) __attribute__((alias("ng_fault_entry")));

/* Any exception nobody expected: say which, and stop. */
void ng_fault_unexpected(void)
{
    uint32_t exc = ng_arch_isr_number();
    char num[4] = { (char)('0' + exc / 100 % 10), (char)('0' + exc / 10 % 10),
                    (char)('0' + exc % 10), 0 };
    ng_board_puts("\nnetglass: unexpected exception ");
    ng_board_puts(num);
    ng_board_puts("\n");
    ng_trace_stop(NG_EXIT_HARDFAULT);
    ng_board_exit(NG_EXIT_HARDFAULT);
}
