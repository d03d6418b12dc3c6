/*
 * tracer/trace.h - the firmware side of the trace: record macros.
 *
 * Code everywhere in the stack says, for example,
 *     NG_TRACE1(MBOX_POST, mbox->id, (uint32_t)msg);
 * and the macro checks at compile time that MBOX_POST takes one word (the
 * count comes from tracer/events.def), tests the runtime class mask, and
 * writes the record (the recorder's fast path, inlined: tracer/trace_fast.h).
 * With NETGLASS_TRACE=0 every macro expands to nothing
 * (its arguments are not evaluated) and the recorder is not linked.
 *
 * The recorder writes into a RAM ring; a drain ships full blocks to the host
 * (ng_trace_drain in tracer/trace.c). The record layout is in docs/trace-format.md.
 */
#ifndef NETGLASS_TRACE_H
#define NETGLASS_TRACE_H

#include <stdint.h>

#ifndef NETGLASS_TRACE
#define NETGLASS_TRACE 1
#endif

/* Enumerations generated from events.def: classes NG_CLASS_<NAME>, object
 * kinds NG_KIND_<NAME>, thread states NG_TSTATE_<NAME>, and for each event
 * its id NG_EV_<NAME>, word count NG_EVW_<NAME>, class NG_EVC_<NAME> and
 * NG_EVV_<NAME> (1 for a VAR event, whose data follows the words). */
#define NG_CLASS(name, bit) NG_CLASS_##name = (bit),
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_ENUM(type, name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields)
enum ng_trace_class {
#include "events.def"
    NG_CLASS_END_
};
#undef NG_CLASS
#define NG_CLASS(name, bit)
#undef NG_KIND
#define NG_KIND(name, value) NG_KIND_##name = (value),
enum ng_object_kind {
#include "events.def"
    NG_KIND_END_
};
#undef NG_KIND
#define NG_KIND(name, value)
#undef NG_STATE
#define NG_STATE(name, value) NG_TSTATE_##name = (value),
enum ng_thread_state {
#include "events.def"
    NG_TSTATE_END_
};
#undef NG_STATE
#define NG_STATE(name, value)
#undef NG_ENUM
#define NG_ENUM(type, name, value) NG_##type##_##name = (value),
enum ng_trace_enum_values {
#include "events.def"
    NG_ENUM_END_
};
#undef NG_ENUM
#define NG_ENUM(type, name, value)
#undef NG_EVENT
#define VAR 1
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    NG_EV_##name = (id), NG_EVW_##name = (nwords), NG_EVC_##name = NG_CLASS_##cls, \
    NG_EVV_##name = (flags),
enum ng_trace_event {
#include "events.def"
    NG_EV_END_
};
#undef VAR
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef NG_ENUM

#define NG_TRACE_CLASS_BIT(name) (1u << NG_EVC_##name)

/* Transports for the drain. */
enum ng_trace_transport {
    NG_TRACE_TO_NONE,       /* nothing shipped: the ring keeps the latest records */
    NG_TRACE_TO_SEMIHOST,   /* SYS_WRITE to a host file, the default */
    NG_TRACE_TO_UART1,      /* raw bytes on the second UART */
    NG_TRACE_TO_MEMORY,     /* host build: a callback receives the chunks */
};

#if NETGLASS_TRACE

#include "trace_fast.h"

/* The runtime filter, one bit a class: a field of the recorder's state so
 * that its test and the record share one base register. */
#define ng_trace_mask (ng_trace.mask)

void ng_trace_0(uint32_t ev_a);
void ng_trace_1(uint32_t ev_a, uint32_t w1);
void ng_trace_2(uint32_t ev_a, uint32_t w1, uint32_t w2);
void ng_trace_name(uint8_t id, uint8_t kind, const void *addr, const char *name);

#define NG_TRACE_ON(name) (ng_trace_mask & NG_TRACE_CLASS_BIT(name))
#define NG_TRACE_HDR_(name, a) ((uint32_t)NG_EV_##name | ((uint32_t)(uint8_t)(a) << 8))
/* An argument word: an integer, or a pointer (cut to 32 bits on the host). */
#define NG_TRACE_WORD_(w) ((uint32_t)(uintptr_t)(w))
#define NG_TRACE_CHECK_(name, n) \
    _Static_assert(NG_EVW_##name == (n), #name " takes a different number of words")

/* The record itself is written inline (tracer/trace_fast.h). */
#define NG_TRACE_AT_(name, a, n, w1, w2) do { NG_TRACE_CHECK_(name, n); \
    struct ng_trace_state *ng_st_ = ng_trace_base(); \
    if (ng_st_->mask & NG_TRACE_CLASS_BIT(name)) \
        ng_trace_record_at(ng_st_, NG_TRACE_HDR_(name, a), (n), NG_TRACE_WORD_(w1), \
                           NG_TRACE_WORD_(w2)); } while (0)
#define NG_TRACE0(name, a) NG_TRACE_AT_(name, a, 0, 0, 0)
#define NG_TRACE1(name, a, w1) NG_TRACE_AT_(name, a, 1, w1, 0)
#define NG_TRACE2(name, a, w1, w2) NG_TRACE_AT_(name, a, 2, w1, w2)
#define NG_TRACE_NAME(id, kind, addr, name) ng_trace_name((id), (kind), (addr), (name))
/* A VAR record of one fixed word w1 and len bytes of data (at most
 * NG_TRACE_VAR_MAX). The event's "len" field must say len: for FRAME_RX/TX
 * that is the low 16 bits of w1. */
#define NG_TRACE_VAR(name, a, w1, data, len) do { NG_TRACE_CHECK_(name, 1); \
    _Static_assert(NG_EVV_##name, #name " is not a VAR event"); \
    if (NG_TRACE_ON(name)) ng_trace_var(NG_TRACE_HDR_(name, a), NG_TRACE_WORD_(w1), (data), \
                                        (uint32_t)(len)); } while (0)

#else /* tracing compiled out: arguments are not evaluated */

#define NG_TRACE_ON(name) 0     /* so `if (NG_TRACE_ON(X))` blocks compile away */

#define NG_TRACE0(name, a) do { (void)sizeof(a); } while (0)
#define NG_TRACE1(name, a, w1) do { (void)sizeof(a); (void)sizeof(w1); } while (0)
#define NG_TRACE2(name, a, w1, w2) \
    do { (void)sizeof(a); (void)sizeof(w1); (void)sizeof(w2); } while (0)
#define NG_TRACE_NAME(id, kind, addr, name) \
    do { (void)sizeof(id); (void)sizeof(kind); (void)sizeof(addr); (void)sizeof(name); } while (0)
#define NG_TRACE_VAR(name, a, w1, data, len) \
    do { (void)sizeof(a); (void)sizeof(w1); (void)sizeof(data); (void)sizeof(len); } while (0)
#define ng_trace_tick_advance(cycles) do { (void)sizeof(cycles); } while (0)

#endif

/* Bytes of data one VAR record may carry (FRAME_RX/TX keep the first
 * NG_TRACE_FRAME_BYTES of a frame, lwip/opt.h, which must not exceed it). */
#ifndef NG_TRACE_VAR_MAX
#define NG_TRACE_VAR_MAX 128
#endif
/* Write a VAR record: the header word, w1, then the data padded with zeros
 * to whole words. Takes the recorder's slow path, like NAME records.
 * A no-op when tracing is compiled out (tracer/trace_off.c). */
void ng_trace_var(uint32_t hdr, uint32_t w1, const void *data, uint32_t len);

/* Recorder control: these exist in both builds so that callers need no #if.
 * With tracing compiled out they do nothing. */
struct ng_trace_config {
    enum ng_trace_transport transport;
    const char *path;           /* semihosting file name, "trace.bin" by default */
    uint32_t mask;              /* initial class mask */
};
void ng_trace_start(const struct ng_trace_config *cfg);  /* open + begin */
void ng_trace_open(const struct ng_trace_config *cfg);   /* transport and file header */
void ng_trace_begin(void);            /* records from now on, starting with a SYNC */
void ng_trace_flush(void);            /* ship everything recorded so far */
void ng_trace_stop(int status);       /* END record, flush, close */
void ng_trace_drain(void);            /* ship full blocks; called by the drain IRQ */
uint32_t ng_trace_lost(void);         /* records dropped so far */
uint32_t ng_trace_bytes(void);        /* bytes recorded so far */
void ng_trace_tick_check(void);       /* from the tick: keep 64-bit time rebuildable */

#endif
