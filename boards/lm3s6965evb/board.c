/*
 * boards/lm3s6965evb/board.c - start-up of the LM3S6965 evaluation board
 * under QEMU, and the board services of kernel/port.h.
 *
 * main(): console, fault handlers, command line, trace, kernel, and the
 * "main" thread that runs app_main(). The trace drain runs in IRQ 47, an
 * interrupt no peripheral uses, pended by software whenever the recorder
 * fills a block; at the lowest priority it ships blocks through
 * semihosting SYS_WRITE or UART1 without holding up anything urgent.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cm3.h"
#include "kernel.h"
#include "port.h"
#include "semihost.h"
#include "trace.h"
#include "uart.h"

#define NVIC_ISER(n) NG_REG32(0xe000e100u + 4u * (n))
#define NVIC_ISPR(n) NG_REG32(0xe000e200u + 4u * (n))
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xe000e400u + (n)))
#define DRAIN_IRQ 47


static struct ng_thread main_thread;
static uint32_t main_stack[NG_MAIN_STACK / 4] __attribute__((aligned(8)));
static char cmdline[256];
static char *argv_buf[16];
static int app_argc;
static int trace_fd = -1;
static int trace_transport;

static int split_cmdline(void)
{
    int argc = 0;
    if (sh_get_cmdline(cmdline, sizeof cmdline) != 0)
        return 0;
    for (char *p = cmdline; *p && argc < (int)(sizeof argv_buf / sizeof argv_buf[0]);) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        argv_buf[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return argc;
}

static void main_thread_entry(void *arg)
{
    (void)arg;
    ng_exit(app_main(app_argc, argv_buf));
}

int main(void)
{
    __asm__ volatile("cpsid i");
    uart_init(0);
    ng_fault_init();
    app_argc = ng_board_parse_args(split_cmdline(), argv_buf);
    struct ng_trace_config tc = {
        .transport = (enum ng_trace_transport)ng_board_opts.transport,
        .path = ng_board_opts.trace_path,
        .mask = ng_board_opts.mask,
    };
    /* Open the host file before SysTick starts: without -icount the open
     * takes host time, and ticks missed with interrupts masked would make
     * the trace's clock jump. */
    ng_trace_open(&tc);
    ng_arch_systick_start();
    ng_kernel_init();
    ng_trace_begin();
    ng_thread_create(&main_thread, "main", main_thread_entry, NULL, main_stack,
                     sizeof main_stack, NG_MAIN_PRIO);

    NVIC_IPR(DRAIN_IRQ) = 0xe0;     /* lowest priority */
    NVIC_ISER(DRAIN_IRQ / 32) = 1u << (DRAIN_IRQ % 32);
    ng_kernel_start();
    return 0;
}

void TraceDrain_IRQHandler(void)
{
    ng_trace_drain();
}

void ng_board_trace_kick(void)
{
    NVIC_ISPR(DRAIN_IRQ / 32) = 1u << (DRAIN_IRQ % 32);
}

int ng_board_trace_open(int transport, const char *path)
{
    trace_transport = transport;
    if (transport == NG_TRACE_TO_UART1) {
        uart_init(1);
        return 0;
    }
    trace_fd = sh_open(path, 5 /* "wb" */);
    if (trace_fd < 0) {
        ng_board_puts("netglass: cannot open the trace file on the host\n");
        return -1;
    }
    return 0;
}

void ng_board_trace_write(const void *buf, uint32_t len)
{
    if (trace_transport == NG_TRACE_TO_UART1)
        uart_write(1, buf, len);
    else if (trace_fd >= 0)
        (void)sh_write(trace_fd, buf, len);
}

void ng_board_trace_close(void)
{
    if (trace_fd >= 0)
        sh_close(trace_fd);
    trace_fd = -1;
}

/* The GNU build id note that the linker placed at _build_id_start:
 * namesz, descsz, type, "GNU\0", then descsz bytes of id. */
void ng_board_build_id(const uint8_t **id, uint32_t *len)
{
    extern const uint32_t _build_id_start[], _build_id_end[];
    if (_build_id_end - _build_id_start < 4) {
        *id = NULL;
        *len = 0;
        return;
    }
    *len = _build_id_start[1];
    *id = (const uint8_t *)&_build_id_start[3] + ((_build_id_start[0] + 3u) & ~3u);
}

void ng_board_puts(const char *s)
{
    uart_puts(0, s);
}

void ng_board_exit(int status)
{
    __asm__ volatile("cpsid i");
    sh_exit(status);
}
