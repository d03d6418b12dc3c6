/*
 * boards/host/host.h - what tests (and host-built apps) use to drive the
 * host port: boot, advance virtual time, raise a simulated interrupt.
 */
#ifndef NETGLASS_HOST_H
#define NETGLASS_HOST_H

#include <stdint.h>

/* Initialise the kernel and turn the calling context into the thread
 * "main" at NG_MAIN_PRIO (or prio). Threads created afterwards preempt it
 * as on the board. */
void ng_host_boot(void);
void ng_host_boot_prio(uint8_t prio);

/* Let `ticks` tick interrupts happen while the calling thread "runs". */
void ng_host_advance(uint32_t ticks);

/* Run fn(arg) as interrupt handler number irq (16 + IRQ n; 15 is SysTick). */
void ng_host_isr(uint8_t irq, void (*fn)(void *), void *arg);

/* Trace chunks go to this function when the transport is memory. */
extern void (*ng_host_trace_sink)(const void *buf, uint32_t len);

/* When nothing can ever run again the idle thread calls this; the default
 * prints the threads and exits with NG_EXIT_DEADLOCK. */
extern void (*ng_host_deadlock_hook)(void);

#endif
