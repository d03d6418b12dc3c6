/*
 * kernel/panic.c - the end of a run that went wrong.
 *
 * Assertions (NG_ASSERT, LWIP_ASSERT) and the stack check end here: say
 * what failed, where, and in which thread, flush the trace so the last
 * records before the failure reach the host, and leave with a status that
 * tells the failures apart (enum ng_exit_status in kernel.h).
 */
#include "kernel.h"
#include "port.h"
#include "trace.h"

static volatile int panicking;

static void put_dec(int v)
{
    char buf[12];
    int i = (int)sizeof buf - 1;
    unsigned u = v < 0 ? (unsigned)-v : (unsigned)v;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (v < 0)
        buf[--i] = '-';
    ng_board_puts(&buf[i]);
}

void ng_panic(int status, const char *file, int line, const char *what)
{
    (void)ng_crit_enter();
    if (panicking++)
        ng_board_exit(status);      /* failed while failing: just leave */
    const char *thread = ng_current && ng_current->name ? ng_current->name : "?";
    if (status == NG_EXIT_STACK_OVERFLOW) {
        ng_board_puts("\nnetglass: stack overflow in thread '");
        ng_board_puts(what);
        ng_board_puts("'");
    } else {
        ng_board_puts("\nnetglass: assertion failed: ");
        ng_board_puts(what);
        if (ng_arch_in_isr()) {
            ng_board_puts(" in interrupt handler ");
            put_dec((int)ng_arch_isr_number());
            ng_board_puts(" while thread '");
            ng_board_puts(thread);
            ng_board_puts("' was running");
        } else {
            ng_board_puts(" in thread '");
            ng_board_puts(thread);
            ng_board_puts("'");
        }
    }
    ng_board_puts(" at ");
    ng_board_puts(file);
    ng_board_puts(":");
    put_dec(line);
    ng_board_puts(" (exit status ");
    put_dec(status);
    ng_board_puts(")\n");
    ng_trace_stop(status);
    ng_board_exit(status);
}
