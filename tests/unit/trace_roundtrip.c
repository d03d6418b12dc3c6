/*
 * tests/unit/trace_roundtrip.c - writes a trace file in which every value
 * is known, for the cross-language round trip: the C recorder
 * (tracer/trace.c) writes it, the host tool (tracer/ngtrace) must read back
 * exactly what this comment says.
 *
 *     build/host/tests/trace_roundtrip OUT.bin      (exit status 0)
 *
 * Built by `make unit-build` (rule in tests/unit/unit.mk). It does not boot
 * the kernel, so no kernel object is registered and nothing but what is
 * listed here is recorded; time is the host port's virtual cycle counter
 * (ng_host_cycles), which this program sets itself. The transport is
 * NG_TRACE_TO_SEMIHOST, which on the host is a plain file (path argv[1]).
 *
 * The file:
 *
 *   header   magic NGTR, version 1, length 32, the events signature of
 *            events.def, cpu_hz 12500000, tick_hz 1000, ring 8192 bytes,
 *            flags 0, no build id. Then chunks NGBK 0, 1, ... wherever the
 *            recorder cuts them.
 *
 *   records, in this order (dt is in cycles since the previous record):
 *
 *   SYNC     cycles = T0 = 0x100001000 (so cycles_hi = 1): the recorder's
 *            own, before the first record of a trace.
 *   NAME     id 0x30, kind THREAD (1), addr 0x20000100, "rt_thread"; dt 0.
 *   NAME     id 0x31, kind MBOX (4), addr 0x20000200, name
 *            "roundtrip_mailbox_with_a_long_name" cut by the recorder to its
 *            first 32 bytes "roundtrip_mailbox_with_a_long_na" (len 32);
 *            dt 0x100.
 *   EVENTS   one record for every NG_EVENT line of tracer/events.def whose
 *            class is not META and whose flags are not VAR, in the order of
 *            the lines in the file, each with
 *                a  = (id * 7 + 3) & 0xff          (also where FIELDS says "-")
 *                w1 = (id * 0x01010101) ^ 0xA5A55A5A     if NWORDS >= 1
 *                w2 = ~w1                                if NWORDS == 2
 *                dt = id * 16
 *            (all arithmetic on uint32_t; the header word is id | a << 8 |
 *            dt << 16).
 *   SYNC     cycles = the last event's time + 0x12345: a gap of more than
 *            0xffff cycles before the end.
 *   END      status 0; dt 0.
 *
 * The records are samples, not a story: a decoder that follows context
 * will see an ISR_EXIT whose irq does not match the ISR_ENTER before it,
 * a THREAD_SWITCH to an unnamed thread, and so on (`ngtrace list` warns
 * about the ISR_EXIT). Nothing is lost (ng_trace_lost() is checked: exit
 * status 1 otherwise). On success one line goes to stdout.
 */
#include <stdio.h>

#include "kernel.h"
#include "trace.h"

#define T0 0x100001000ull
#define A_OF(id) (((uint32_t)(id) * 7u + 3u) & 0xffu)
#define W1_OF(id) (((uint32_t)(id) * 0x01010101u) ^ 0xA5A55A5Au)
#define DT_OF(id) ((uint32_t)(id) * 16u)
#define END_GAP 0x12345u

static void emit(uint32_t id, uint32_t nwords)
{
    ng_host_cycles += DT_OF(id);
    uint32_t hdr = id | A_OF(id) << 8;
    uint32_t w1 = W1_OF(id);
    if (nwords == 0)
        ng_trace_0(hdr);
    else if (nwords == 1)
        ng_trace_1(hdr, w1);
    else
        ng_trace_2(hdr, w1, ~w1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.bin\n", argv[0]);
        return 2;
    }
    FILE *probe = fopen(argv[1], "wb");     /* the recorder would fall back to */
    if (!probe) {                           /* NG_TRACE_TO_NONE without a word */
        perror(argv[1]);
        return 1;
    }
    fclose(probe);

    ng_host_cycles = T0;
    struct ng_trace_config cfg = {
        .transport = NG_TRACE_TO_SEMIHOST,
        .path = argv[1],
        .mask = 0xffffffffu,
    };
    ng_trace_start(&cfg);

    ng_trace_name(0x30, NG_KIND_THREAD, (const void *)(uintptr_t)0x20000100u, "rt_thread");
    ng_host_cycles += 0x100;
    ng_trace_name(0x31, NG_KIND_MBOX, (const void *)(uintptr_t)0x20000200u,
                  "roundtrip_mailbox_with_a_long_name");

    int events = 0;
#define VAR 1
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_ENUM(type, name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    if (NG_CLASS_##cls != NG_CLASS_META && (flags) != VAR) { \
        emit((id), (nwords)); \
        events++; \
    }
#include "events.def"
#undef NG_ENUM
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef VAR

    ng_host_cycles += END_GAP;
    ng_trace_stop(0);
    if (ng_trace_lost() != 0) {
        fprintf(stderr, "trace_roundtrip: %u records lost\n", (unsigned)ng_trace_lost());
        return 1;
    }
    printf("trace_roundtrip: %d events, %u bytes of records in %s\n", events,
           (unsigned)ng_trace_bytes(), argv[1]);
    return 0;
}
