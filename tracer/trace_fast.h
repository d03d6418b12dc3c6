/*
 * tracer/trace_fast.h - the recorder's fast path, inlined where a record
 * is made.
 *
 * Most records of a run take this path: interrupts masked, the clock read,
 * one test for "time sync due (or records lost)", one for "room before the
 * limit", the header and argument words stored at the write pointer, the
 * pointer and the time stored back. Inlined into each NG_TRACE0/1/2 (the
 * macros of tracer/trace.h) it costs some 25 instructions; as a function
 * it cost 10 more (the call, saving registers, moving the arguments), and
 * a bulk TCP transfer makes some 45 records per KiB (docs/performance.md).
 * Everything the fast path cannot do, it hands to ng_trace_record_slow in
 * tracer/trace.c, which also says how the state below is kept.
 *
 * Included by tracer/trace.h when tracing is compiled in; not for direct use.
 */
#ifndef NETGLASS_TRACE_FAST_H
#define NETGLASS_TRACE_FAST_H

#include <stdint.h>

#include "ng_arch.h"
#include "trace_config.h"

#define NG_TRACE_RING_WORDS (NG_TRACE_RING_BYTES / 4u)

/* Recorder state, in one structure so the hot path reaches all of it from
 * one base register. The fast path keeps where it writes as a pointer (wp)
 * rather than a word count, so that a record is stored without computing
 * an address, and the time as the stamp that the board's clock reading
 * gives (boards/.../ng_arch.h); wp and stamp side by side so that one
 * ldrd/strd moves both on the board. The count of words written ("head", free-running) is
 * lap + (wp - ring) / 4, where lap, the words written before the ring's
 * current turn, changes only on the slow path. Every access is inside a
 * critical section (whose asm has a memory clobber), so nothing here needs
 * to be volatile. The GDB commands (tools/gdb/) read it as ng_trace. */
struct ng_trace_state {
    uintptr_t wp;               /* address of the next record's first word */
    uint32_t stamp;             /* the previous record's time as a clock reading
                                 * (ng_arch_trace_clock; its time: ng_arch_trace_time) */
    uintptr_t wlimit;           /* the fast path writes a record only below this
                                 * address: its up to 3 words end by the limit */
    uint32_t lap;               /* words written before ring[0] of this turn */
    uint32_t tail;              /* words shipped, free-running */
    uint32_t lost;              /* dropped since the last OVERFLOW record */
    uint32_t lost_total;
    uint32_t chunk_seq;
    uint32_t mask_wanted;       /* the class mask to apply at ng_trace_begin */
    volatile uint32_t mask;     /* the runtime filter, one bit a class (ng_trace_mask) */
    uint8_t need_sync;          /* the next record goes after a SYNC */
    uint8_t need_sync_first;    /* ... the first of the trace: take the clock as it is */
    uint32_t overwritten;       /* trace=none: words of the oldest records given up */
    uint8_t started, transport, ended;
    uint32_t ring[NG_TRACE_RING_WORDS] __attribute__((aligned(8)));
};
extern struct ng_trace_state ng_trace;

/* The slow path (tracer/trace.c): writes the record of header hdr_n & 0xffff
 * and hdr_n >> 16 words, then unmasks interrupts (irq from ng_arch_irq_save). */
void ng_trace_record_slow(uint32_t hdr_n, uint32_t w1, uint32_t w2, uint32_t irq);

/* wp and stamp in one ldrd/strd where an address is 32 bits (the
 * board); two plain accesses where it is not (the host build). */
NG_ALWAYS_INLINE void ng_trace_load_wp_stamp(
    const struct ng_trace_state *st, uintptr_t *wp, uint32_t *t)
{
    if (sizeof(uintptr_t) == sizeof(uint32_t)) {
        uint32_t a;
        ng_arch_load_pair((const uint32_t *)(const void *)&st->wp, &a, t);
        *wp = a;
    } else {
        *wp = st->wp;
        *t = st->stamp;
    }
}

NG_ALWAYS_INLINE void ng_trace_store_wp_stamp(
    struct ng_trace_state *st, uintptr_t wp, uint32_t t)
{
    if (sizeof(uintptr_t) == sizeof(uint32_t)) {
        ng_arch_store_pair((uint32_t *)(void *)&st->wp, (uint32_t)wp, t);
    } else {
        st->wp = wp;
        st->stamp = t;
    }
}

/* The state's address in a register the compiler cannot rematerialise,
 * so that the class mask test and the record share one load of it, even
 * at -Og (the protocol code's level). */
NG_ALWAYS_INLINE struct ng_trace_state *ng_trace_base(void)
{
    struct ng_trace_state *st = &ng_trace;
    __asm__("" : "+r"(st));
    return st;
}

/* One record of n words (0..2; a constant at every call, so this is
 * straight-line code). */
NG_ALWAYS_INLINE void ng_trace_record_at(struct ng_trace_state *st, uint32_t hdr, uint32_t n,
                                         uint32_t w1, uint32_t w2)
{
    uint32_t irq = ng_arch_irq_save();
    uint32_t reading;
    uint32_t unsure = ng_arch_trace_clock(&reading);   /* > 0xffff: a tick to sort out */
    uintptr_t wp;
    uint32_t stamp;
    ng_trace_load_wp_stamp(st, &wp, &stamp);
    uint32_t dt = stamp - reading;
    if (__builtin_expect((dt | unsure) > 0xffffu || wp >= st->wlimit, 0)) {
        ng_trace_record_slow(hdr | n << 16, w1, w2, irq);
        return;
    }
    /* The limit keeps the whole record inside one block, so inside the ring. */
    uint32_t *p = (uint32_t *)wp;
    p[0] = hdr | dt << 16;
    if (n >= 1)
        p[1] = w1;
    if (n >= 2)
        p[2] = w2;
    ng_trace_store_wp_stamp(st, (uintptr_t)(p + 1 + n), reading);
    ng_arch_irq_restore(irq);
}

NG_ALWAYS_INLINE void ng_trace_record(uint32_t hdr, uint32_t n, uint32_t w1, uint32_t w2)
{
    ng_trace_record_at(ng_trace_base(), hdr, n, w1, w2);
}

/* From the tick handler, as it moves ng_tick_cycles_end on by a period:
 * the stamp moves with it (boards/.../ng_arch.h, ng_arch_trace_clock). */
NG_ALWAYS_INLINE void ng_trace_tick_advance(uint32_t cycles)
{
    ng_trace.stamp += cycles;
}

#endif
