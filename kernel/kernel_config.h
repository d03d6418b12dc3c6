/*
 * kernel/kernel_config.h - the kernel's settings, each with its default.
 *
 * Override any of them with -D on the command line (the Makefile passes
 * the board's choices) rather than editing this file.
 */
#ifndef NETGLASS_KERNEL_CONFIG_H
#define NETGLASS_KERNEL_CONFIG_H

/* Scheduler tick rate. Timeouts everywhere are in ticks of this clock. */
#ifndef NG_TICK_HZ
#define NG_TICK_HZ 1000
#endif

/* Priorities 0 (idle) .. NG_PRIO_COUNT - 1; at most 32 (one bitmap word). */
#ifndef NG_PRIO_COUNT
#define NG_PRIO_COUNT 16
#endif

/* Round-robin slice among threads of equal priority, in ticks. */
#ifndef NG_TIME_SLICE
#define NG_TIME_SLICE 10
#endif

/* Named objects the registry can hold (threads, semaphores, mailboxes...). */
#ifndef NG_REGISTRY_SIZE
#define NG_REGISTRY_SIZE 64
#endif

/* Priority the application's main thread runs at. */
#ifndef NG_MAIN_PRIO
#define NG_MAIN_PRIO 4
#endif

/* Stack of the idle thread and of the main thread, in bytes. */
#ifndef NG_IDLE_STACK
#define NG_IDLE_STACK 512
#endif
#ifndef NG_MAIN_STACK
#define NG_MAIN_STACK 2048
#endif

/* Words at the bottom of every stack that must never be written. */
#define NG_STACK_CANARY 0xdeadc0deu
#define NG_STACK_GUARD_WORDS 2
#define NG_STACK_PAINT 0xa5a5a5a5u

#endif
