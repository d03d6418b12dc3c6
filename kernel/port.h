/*
 * kernel/port.h - what a board must provide to run the kernel and the
 * trace recorder.
 *
 * boards/<board>/ng_arch.h supplies the inline pieces (interrupt masking,
 * the cycle counter, "am I in an interrupt?") and struct ng_arch_thread;
 * boards/<board>/ implements the functions below. Two ports exist: the
 * Cortex-M3 one (PendSV context switch, SysTick) and the host one
 * (ucontext, time advanced by the test). docs/porting.md walks through it.
 */
#ifndef NETGLASS_PORT_H
#define NETGLASS_PORT_H

#include <stdint.h>

struct ng_thread;

/* Scheduling. */
void ng_arch_thread_init(struct ng_thread *t);  /* first frame: entry(arg), then exit */
void ng_arch_start(struct ng_thread *first);    /* run the first thread */
void ng_arch_pend_switch(void);                 /* switch at the next chance */
void ng_arch_idle(void);                        /* one turn of the idle loop */
uint64_t ng_arch_cycles64(void);                /* cycles since reset */

/* Board services. */
void ng_board_exit(int status) __attribute__((noreturn)); /* flush trace, leave */
void ng_board_puts(const char *s);              /* console, safe from faults */
int ng_board_trace_open(int transport, const char *path);
void ng_board_trace_write(const void *buf, uint32_t len);
void ng_board_trace_close(void);
void ng_board_build_id(const uint8_t **id, uint32_t *len);
void ng_board_trace_kick(void);                 /* ask for a drain soon */

#endif
