/*
 * tracer/trace_config.h - the recorder's settings, each with its default.
 * Override with -D (the Makefile passes TRACE_RING=... as NG_TRACE_RING_BYTES).
 */
#ifndef NETGLASS_TRACE_CONFIG_H
#define NETGLASS_TRACE_CONFIG_H

/* RAM ring for records, a power of two. */
#ifndef NG_TRACE_RING_BYTES
#define NG_TRACE_RING_BYTES 8192
#endif

/* The drain ships the ring in blocks of this size (a divisor of the ring). */
#ifndef NG_TRACE_BLOCK_BYTES
#define NG_TRACE_BLOCK_BYTES 1024
#endif

/* Object names longer than this are cut in NAME records. */
#ifndef NG_TRACE_NAME_MAX
#define NG_TRACE_NAME_MAX 32
#endif

/* Timestamp counts per second: the SysTick input clock of the board. */
#ifndef NG_CPU_HZ
#define NG_CPU_HZ 12500000u
#endif

#endif
