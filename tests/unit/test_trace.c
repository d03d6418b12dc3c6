/*
 * tests/unit/test_trace.c - the trace recorder (tracer/trace.c) as the
 * host sees its output (docs/trace-format.md).
 *
 * The recorder is started with transport NG_TRACE_TO_MEMORY; its chunks go
 * to a sink (trace_capture.c) that collects them, and an independent
 * decoder checks the file header and the chunk framing and splits the
 * records. Time is the host's virtual cycle counter: 12500 cycles a tick.
 *
 * Covers: the file header (magic, version, length, events signature
 * recomputed from events.def as the document describes, cpu_hz, tick_hz,
 * ring size); chunk framing (NGBK, sequence numbers, lengths, full blocks
 * then the rest at the flush, records split across chunks, the ring
 * wrapping, nothing lost); records of ng_trace_0/1/2 with their exact
 * header word (id, a, dt) and words; SYNC at start (with a 64-bit time) and
 * after a gap of more than 0xffff cycles, and after a minute without
 * records (QUIET); overflow accounting when the ring fills while the
 * drain is held back (ng_trace_lost, then OVERFLOW with the count, the
 * thread and the interrupt), and no loss with no transport (the ring is
 * then a flight recorder); class mask filtering; NAME records for the
 * objects that exist at start and for those registered later (names cut
 * at 32 bytes), UNNAME; the records the kernel writes for a thread's life;
 * END on ng_trace_stop.
 *
 * Linked with -Wl,--wrap=ng_board_trace_kick (tests/unit/unit.mk): see
 * "held back" below.
 */
#include <string.h>

#include "ng_test.h"
#include "trace_capture.h"
#include "trace_config.h"

#define TICK_CYCLES (NG_CPU_HZ / NG_TICK_HZ)
#define HDR(id, a) ((uint32_t)(id) | (uint32_t)(a) << 8)
#define CLASS(ev) NG_TRACE_CLASS_BIT(ev)
#define RING_WORDS (NG_TRACE_RING_BYTES / 4)
#define BLOCK_WORDS (NG_TRACE_BLOCK_BYTES / 4)

/* Events used as samples of 0, 1 and 2 argument words. */
_Static_assert(NG_EVW_MUTEX_LOCK == 0, "MUTEX_LOCK takes no words");
_Static_assert(NG_EVW_APP_MARK == 1, "APP_MARK takes one word");
_Static_assert(NG_EVW_TIMER_FIRE == 2, "TIMER_FIRE takes two words");

/* The board's drain is an interrupt of the lowest priority (IRQ 47),
 * pended by ng_board_trace_kick; the host's kick drains at once. This test
 * is linked with -Wl,--wrap=ng_board_trace_kick (tests/unit/unit.mk) so
 * that it can hold the drain back, as a burst of more urgent work holds
 * the board's drain interrupt back, and run it later as that interrupt. */
#define DRAIN_EXCEPTION (16 + 47)
void __real_ng_board_trace_kick(void);
void __wrap_ng_board_trace_kick(void);
static int drain_held, drain_pending;

void __wrap_ng_board_trace_kick(void)
{
    if (drain_held)
        drain_pending++;
    else
        __real_ng_board_trace_kick();
}

static void drain_isr(void *arg)
{
    (void)arg;
    ng_trace_drain();
}

/* The drain interrupt gets its turn. */
static void run_held_drain(void)
{
    drain_held = 0;
    drain_pending = 0;
    ng_host_isr(DRAIN_EXCEPTION, drain_isr, NULL);
}

static void setup(void)
{
    ng_host_boot();
    tlog_reset();
}

static void parse_ok(void)
{
    const char *why = tc_parse();
    ck_assert_msg(why == NULL, "trace does not parse: %s", why);
}

/* The header word of record i, exactly as it is in the stream. */
static uint32_t hdr_word(int i)
{
    return tc_stream[tc_recs[i].at];
}

/* ---- file header --------------------------------------------------------- */

/* docs/trace-format.md: the 32-bit sum over every NG_EVENT line of
 * (id * 2654435761 mod 2^32) XOR (nwords << 8 | class_bit << 16 | var << 24) */
static uint32_t documented_signature(void)
{
    uint64_t sum = 0;
#define VAR 1
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_ENUM(type, name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    sum += (((uint64_t)(id) * 2654435761u) & 0xffffffffu) ^ \
           ((uint64_t)(nwords) << 8 | (uint64_t)NG_CLASS_##cls << 16 | (uint64_t)(flags) << 24);
#include "events.def"
#undef NG_ENUM
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef VAR
    return (uint32_t)sum;
}

START_TEST(file_header)
{
    tc_start(0xffffffffu);
    ng_trace_stop(0);
    parse_ok();
    ck_assert_uint_eq(tc_hdr.magic, 0x5254474eu);   /* "NGTR" */
    ck_assert_mem_eq(tc_bytes, "NGTR", 4);
    ck_assert_uint_eq(tc_hdr.version, 1);
    ck_assert_uint_eq(tc_hdr.header_len, 32);
    ck_assert_uint_ne(tc_hdr.signature, 0);
    ck_assert_uint_eq(tc_hdr.signature, documented_signature());
    ck_assert_uint_eq(tc_hdr.cpu_hz, 12500000u);
    ck_assert_uint_eq(tc_hdr.tick_hz, NG_TICK_HZ);
    ck_assert_uint_eq(tc_hdr.ring_bytes, NG_TRACE_RING_BYTES);
    ck_assert_uint_eq(tc_hdr.flags, 0);
    ck_assert_uint_eq(tc_hdr.build_id_len, 0);      /* the host has none */
    ck_assert_mem_eq(tc_bytes + 32, "NGBK", 4);     /* then the first chunk */
}
END_TEST

/* ---- chunks -------------------------------------------------------------- */

#define MANY 5000

START_TEST(chunk_framing)
{
    tc_start(CLASS(APP_MARK));
    for (uint32_t i = 0; i < MANY; i++)
        ng_trace_1(HDR(NG_EV_APP_MARK, 1), i);
    ck_assert_uint_eq(ng_trace_lost(), 0);
    ng_trace_stop(0);
    parse_ok();

    ck_assert_uint_ge(tc_nchunks, 2);
    uint32_t payload = 0;
    for (uint32_t c = 0; c < tc_nchunks; c++) {
        ck_assert_uint_eq(tc_chunks[c].seq, c);
        ck_assert_mem_eq(tc_bytes + tc_chunks[c].offset, "NGBK", 4);
        if (c + 1 < tc_nchunks)                 /* the drain ships full blocks */
            ck_assert_uint_eq(tc_chunks[c].len, NG_TRACE_BLOCK_BYTES);
        else                                    /* the flush ships the rest */
            ck_assert(tc_chunks[c].len > 0 && tc_chunks[c].len <= NG_TRACE_BLOCK_BYTES);
        payload += tc_chunks[c].len;
    }
    ck_assert_uint_eq(tc_size, 32 + 12 * tc_nchunks + payload);
    ck_assert_uint_eq(payload, ng_trace_bytes());
    ck_assert_uint_gt(payload, 3 * NG_TRACE_RING_BYTES);   /* the ring wrapped */

    /* every record arrived, in order, and some were split between chunks */
    ck_assert_int_eq(tc_count(NG_EV_APP_MARK), MANY);
    uint32_t next = 0;
    int split = 0;
    for (uint32_t i = 0; i < tc_nrecs; i++) {
        const struct tc_rec *r = &tc_recs[i];
        if (r->id == NG_EV_APP_MARK)
            ck_assert_uint_eq(r->w[0], next++);
        uint32_t end = r->at + 1 + r->n;
        if (end / BLOCK_WORDS != r->at / BLOCK_WORDS && end % BLOCK_WORDS)
            split++;
    }
    ck_assert_int_gt(split, 0);
    ck_assert_int_eq(tc_recs[tc_nrecs - 1].id, NG_EV_END);
}
END_TEST

/* ---- records ------------------------------------------------------------- */

START_TEST(records_0_1_2_words)
{
    tc_start(0);
    ng_trace_0(HDR(NG_EV_MUTEX_LOCK, 0x11));
    ng_trace_1(HDR(NG_EV_APP_MARK, 0x22), 0xdeadbeefu);
    ng_trace_2(HDR(NG_EV_TIMER_FIRE, 0x33), 0x01234567u, 0x89abcdefu);
    ng_host_advance(2);                         /* 25000 cycles */
    ng_trace_1(HDR(NG_EV_APP_MARK, 0xff), 0);
    ng_host_advance(5);                         /* 62500: still fits dt */
    ng_trace_0(HDR(NG_EV_MUTEX_LOCK, 0));
    ng_trace_stop(0);
    parse_ok();

    int i = tc_next(0, NG_EV_MUTEX_LOCK);
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(hdr_word(i), HDR(NG_EV_MUTEX_LOCK, 0x11));      /* dt 0 */
    ck_assert_uint_eq(tc_recs[i].n, 0);
    ck_assert_uint_eq(hdr_word(i + 1), HDR(NG_EV_APP_MARK, 0x22));
    ck_assert_uint_eq(tc_recs[i + 1].n, 1);
    ck_assert_uint_eq(tc_recs[i + 1].w[0], 0xdeadbeefu);
    ck_assert_uint_eq(hdr_word(i + 2), HDR(NG_EV_TIMER_FIRE, 0x33));
    ck_assert_uint_eq(tc_recs[i + 2].n, 2);
    ck_assert_uint_eq(tc_recs[i + 2].w[0], 0x01234567u);
    ck_assert_uint_eq(tc_recs[i + 2].w[1], 0x89abcdefu);
    ck_assert_uint_eq(hdr_word(i + 3), HDR(NG_EV_APP_MARK, 0xff) | 25000u << 16);
    ck_assert_uint_eq(tc_recs[i + 3].w[0], 0);
    ck_assert_uint_eq(hdr_word(i + 4), HDR(NG_EV_MUTEX_LOCK, 0) | 62500u << 16);
    ck_assert_uint_eq(tc_recs[i + 4].time, 7 * TICK_CYCLES);
    ck_assert_int_eq(tc_recs[i + 5].id, NG_EV_END);
    ck_assert_int_eq(tc_count(NG_EV_SYNC), 1);  /* only the one at start */
}
END_TEST

START_TEST(sync_at_start_with_64bit_time)
{
    /* 343600 ticks * 12500 cycles = 4295000000 > 2^32 */
    ng_host_advance(343600);
    uint64_t c0 = ng_host_cycles;
    ck_assert_uint_eq(c0, 4295000000ull);
    tc_start(0);
    ng_trace_stop(0);
    parse_ok();
    ck_assert_int_eq(tc_recs[0].id, NG_EV_SYNC);
    ck_assert_uint_eq(hdr_word(0), NG_EV_SYNC);
    ck_assert_uint_eq(tc_recs[0].w[0], (uint32_t)c0);
    ck_assert_uint_eq(tc_recs[0].w[1], 1);
    ck_assert_uint_eq(tc_recs[tc_nrecs - 1].time, c0);
}
END_TEST

START_TEST(sync_after_gap)
{
    tc_start(CLASS(APP_MARK));
    NG_TRACE1(APP_MARK, 1, 100);
    ng_host_advance(5);                         /* 62500 <= 0xffff: no SYNC */
    NG_TRACE1(APP_MARK, 2, 200);
    ng_host_advance(6);                         /* 75000 > 0xffff: SYNC first */
    NG_TRACE1(APP_MARK, 3, 300);
    ng_trace_stop(0);
    parse_ok();

    int i = tc_next(0, NG_EV_APP_MARK);
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(hdr_word(i), HDR(NG_EV_APP_MARK, 1));
    ck_assert_uint_eq(hdr_word(i + 1), HDR(NG_EV_APP_MARK, 2) | 62500u << 16);
    ck_assert_int_eq(tc_recs[i + 2].id, NG_EV_SYNC);
    ck_assert_uint_eq(tc_recs[i + 2].w[0], 11 * TICK_CYCLES);
    ck_assert_uint_eq(tc_recs[i + 2].w[1], 0);
    ck_assert_uint_eq(hdr_word(i + 3), HDR(NG_EV_APP_MARK, 3));         /* dt 0 */
    ck_assert_uint_eq(tc_recs[i + 3].w[0], 300);
    ck_assert_uint_eq(tc_recs[i + 3].time, 11 * TICK_CYCLES);
    ck_assert_int_eq(tc_count(NG_EV_SYNC), 2);
}
END_TEST

START_TEST(sync_after_a_quiet_minute)
{
    tc_start(CLASS(APP_MARK));
    NG_TRACE1(APP_MARK, 1, 1);
    uint32_t bytes = ng_trace_bytes();
    /* the tick notices the new head once, then counts quiet ticks */
    ng_host_advance(NG_TICK_HZ * 60u);
    ck_assert_uint_eq(ng_trace_bytes(), bytes);
    ng_host_advance(1);
    ck_assert_uint_eq(ng_trace_bytes(), bytes + 4 * 4);     /* SYNC + QUIET */
    ng_trace_stop(0);
    parse_ok();
    int s = tc_next(1, NG_EV_SYNC);
    ck_assert_int_gt(s, 0);
    ck_assert_int_eq(tc_recs[s - 1].id, NG_EV_APP_MARK);
    ck_assert_uint_eq(tc_recs[s].w[0], (NG_TICK_HZ * 60u + 1) * TICK_CYCLES);
    ck_assert_uint_eq(tc_recs[s].w[1], 0);
    ck_assert_uint_eq(hdr_word(s + 1), NG_EV_QUIET);        /* dt 0 after the SYNC */
    ck_assert_int_eq(tc_recs[s + 2].id, NG_EV_END);
    ck_assert_int_eq(tc_count(NG_EV_SYNC), 2);
}
END_TEST

/* ---- overflow ------------------------------------------------------------ */

/* More records than the ring holds arrive while the drain is held back:
 * those that do not fit are counted and dropped, and the first record
 * after the drain made room is preceded by OVERFLOW with the count (and
 * the thread and interrupt it is written in), then a SYNC. */
#define BURST_IRQ 21
#define REPORT_IRQ 20

static uint32_t burst_n;

static void burst(void *arg)
{
    uint32_t code = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < burst_n; i++)
        ng_trace_1(HDR(NG_EV_APP_MARK, code), i);
}

static void one_mark(void *arg)
{
    ng_trace_1(HDR(NG_EV_APP_MARK, 9), (uint32_t)(uintptr_t)arg);
}

START_TEST(overflow_is_counted_and_reported)
{
    tc_start(CLASS(APP_MARK));
    /* in the ring: SYNC (3 words), NAME idle and NAME main (4 words each) */
    const uint32_t used = ng_trace_bytes() / 4;
    ck_assert_uint_eq(used, 11);
    const uint32_t fits = (RING_WORDS - used) / 2;  /* 2-word records */
    ck_assert_uint_eq(fits, 1018);

    drain_held = 1;
    burst_n = 1500;
    ng_host_isr(BURST_IRQ, burst, (void *)(uintptr_t)1);   /* an interrupt floods */
    const uint32_t lost1 = burst_n - fits;
    ck_assert_uint_eq(ng_trace_lost(), lost1);
    ck_assert_uint_eq(ng_trace_bytes() / 4, used + 2 * fits);
    ck_assert_int_gt(drain_pending, 0);     /* asked for, not yet run */
    ck_assert_uint_eq(tc_size, 32);         /* only the file header so far */

    run_held_drain();
    ck_assert_uint_gt(tc_size, 32);
    ng_host_isr(REPORT_IRQ, one_mark, (void *)(uintptr_t)0xabcdu);
    ck_assert_uint_eq(ng_trace_lost(), lost1);

    /* a second loss, in a long critical section of the main thread: its
     * OVERFLOW carries its own count, ng_trace_lost() the running total */
    drain_held = 1;
    burst_n = 3000;
    uint32_t irq = ng_crit_enter();
    burst((void *)(uintptr_t)2);
    ng_crit_exit(irq);
    const uint32_t lost2 = ng_trace_lost() - lost1;
    ck_assert_uint_gt(lost2, 0);
    ck_assert_uint_lt(lost2, burst_n);
    run_held_drain();
    one_mark((void *)(uintptr_t)0xef01u);
    ng_trace_stop(0);
    ck_assert_uint_eq(ng_trace_lost(), lost1 + lost2);
    parse_ok();

    /* burst 1: records 0 .. fits-1, then the report from REPORT_IRQ */
    int i = tc_next(0, NG_EV_APP_MARK);
    for (uint32_t k = 0; k < fits; k++, i++) {
        ck_assert_uint_eq(hdr_word(i) & 0xffffu, HDR(NG_EV_APP_MARK, 1));
        ck_assert_uint_eq(tc_recs[i].w[0], k);
    }
    ck_assert_int_eq(tc_recs[i].id, NG_EV_OVERFLOW);
    ck_assert_uint_eq(tc_recs[i].a, ng_thread_self()->id);      /* thread */
    ck_assert_uint_eq(tc_recs[i].w[0], lost1 | REPORT_IRQ << 24);  /* count | irq */
    ck_assert_int_eq(tc_recs[i + 1].id, NG_EV_SYNC);
    ck_assert_uint_eq(hdr_word(i + 2), HDR(NG_EV_APP_MARK, 9));  /* dt 0 */
    ck_assert_uint_eq(tc_recs[i + 2].w[0], 0xabcdu);
    i += 3;
    /* burst 2: records 0 .. burst_n-lost2-1, then the report from main */
    for (uint32_t k = 0; k < burst_n - lost2; k++, i++) {
        ck_assert_uint_eq(hdr_word(i) & 0xffffu, HDR(NG_EV_APP_MARK, 2));
        ck_assert_uint_eq(tc_recs[i].w[0], k);
    }
    ck_assert_int_eq(tc_recs[i].id, NG_EV_OVERFLOW);
    ck_assert_uint_eq(tc_recs[i].w[0], lost2);                  /* irq 0: a thread */
    ck_assert_int_eq(tc_recs[i + 1].id, NG_EV_SYNC);
    ck_assert_uint_eq(tc_recs[i + 2].w[0], 0xef01u);
    ck_assert_int_eq(tc_recs[i + 3].id, NG_EV_END);
    ck_assert_uint_eq(i + 4, tc_nrecs);
    ck_assert_int_eq(tc_count(NG_EV_OVERFLOW), 2);
}
END_TEST

/* A run that ends while the drain is behind and the ring is full still
 * ends its trace with END (and reports the loss before it): otherwise the
 * decoder would take a clean exit for a run that was cut short. */
START_TEST(end_is_written_even_when_the_ring_is_full)
{
    tc_start(CLASS(APP_MARK));
    drain_held = 1;
    burst_n = 1500;
    ng_host_isr(BURST_IRQ, burst, (void *)(uintptr_t)1);
    const uint32_t lost = ng_trace_lost();
    ck_assert_uint_gt(lost, 0);
    ng_trace_stop(7);                       /* still held: no drain ran */
    parse_ok();
    ck_assert_int_eq(tc_count(NG_EV_APP_MARK), (int)(burst_n - lost));
    ck_assert_int_eq(tc_recs[tc_nrecs - 3].id, NG_EV_OVERFLOW);
    ck_assert_uint_eq(tc_recs[tc_nrecs - 3].w[0], lost);
    ck_assert_int_eq(tc_recs[tc_nrecs - 2].id, NG_EV_SYNC);
    ck_assert_int_eq(tc_recs[tc_nrecs - 1].id, NG_EV_END);
    ck_assert_uint_eq(tc_recs[tc_nrecs - 1].w[0], 7);
    ck_assert_uint_eq(ng_trace_lost(), lost);   /* END itself was not lost */
}
END_TEST

/* trace=none: nothing ships, the ring is a flight recorder that gives up
 * its oldest records, so nothing counts as lost. */
START_TEST(no_transport_loses_nothing)
{
    struct ng_trace_config cfg = { .transport = NG_TRACE_TO_NONE, .mask = CLASS(APP_MARK) };
    tc_install();
    ng_trace_start(&cfg);
    for (uint32_t i = 0; i < 10 * RING_WORDS; i++)
        NG_TRACE1(APP_MARK, 1, i);
    ck_assert_uint_eq(ng_trace_lost(), 0);
    ck_assert_uint_eq(ng_trace_bytes(), 11 * 4 + 10 * RING_WORDS * 8);
    ng_trace_stop(0);
    ck_assert_uint_eq(tc_size, 0);          /* no header, no chunk */
    ck_assert_uint_eq(tc_writes, 0);
}
END_TEST

/* ---- mask ---------------------------------------------------------------- */

static struct ng_sem sem;

START_TEST(class_mask_filters)
{
    tc_start(CLASS(APP_MARK));
    ng_sem_init(&sem, "sem", 0);                /* NAME: META, always */
    ng_sem_signal(&sem);                        /* SEM: filtered out */
    NG_TRACE1(APP_MARK, 1, 11);
    ng_trace_mask |= CLASS(SEM_SIGNAL);
    ng_sem_signal(&sem);                        /* now recorded */
    ng_trace_mask &= ~CLASS(APP_MARK);
    NG_TRACE1(APP_MARK, 2, 22);                 /* filtered out */
    ng_trace_stop(0);
    parse_ok();

    ck_assert_int_eq(tc_count(NG_EV_APP_MARK), 1);
    int m = tc_next(0, NG_EV_APP_MARK);
    ck_assert_uint_eq(tc_recs[m].w[0], 11);
    ck_assert_int_eq(tc_count(NG_EV_SEM_SIGNAL), 1);
    int s = tc_next(0, NG_EV_SEM_SIGNAL);
    ck_assert_int_gt(s, m);
    ck_assert_uint_eq(tc_recs[s].a, sem.id);
    ck_assert_uint_eq(tc_recs[s].w[0], 2);      /* the count after the signal */
    ck_assert_int_eq(tc_count(NG_EV_NAME), 3);  /* idle, main, sem */
    ck_assert_int_eq(tc_count(NG_EV_THREAD_SWITCH), 0);
}
END_TEST

START_TEST(mask_zero_keeps_meta)
{
    tc_start(0);
    NG_TRACE1(APP_MARK, 1, 1);
    NG_TRACE0(THREAD_EXIT, 1);
    ng_host_advance(10);                        /* SYNC needs no class bit */
    ng_trace_name(60, NG_KIND_IRQ, (void *)(uintptr_t)0x1000, "uart0");
    ng_trace_stop(3);
    parse_ok();
    static const uint8_t ids[] = { NG_EV_SYNC, NG_EV_NAME, NG_EV_NAME, NG_EV_SYNC,
                                   NG_EV_NAME, NG_EV_END };
    ck_assert_uint_eq(tc_nrecs, sizeof ids);
    for (uint32_t i = 0; i < tc_nrecs; i++)
        ck_assert_uint_eq(tc_recs[i].id, ids[i]);
}
END_TEST

/* ---- names --------------------------------------------------------------- */

static void check_name(int i, uint8_t id, uint8_t kind, const void *addr, const char *name)
{
    char buf[40];
    const struct tc_rec *r = &tc_recs[i];
    ck_assert_int_eq(r->id, NG_EV_NAME);
    ck_assert_uint_eq(r->a, id);
    ck_assert_uint_eq(r->w[0] & 0xffu, kind);
    ck_assert_uint_eq((r->w[0] >> 8) & 0xffu, strlen(name));
    ck_assert_uint_eq(r->w[1], (uint32_t)(uintptr_t)addr);
    ck_assert_uint_eq(r->n, 2 + (strlen(name) + 3) / 4);
    ck_assert_str_eq(tc_name_of(r, buf), name);
}

static struct ng_mutex mtx;
static struct ng_mbox mb;
static void *slots[2];

START_TEST(name_records)
{
    tc_start(0);
    ng_sem_init(&sem, "rx_sem", 0);
    ng_mutex_init(&mtx, "a_mutex_with_a_name_longer_than_32_bytes");
    ng_mbox_init(&mb, "mb", slots, 2);
    ng_sem_destroy(&sem);
    struct ng_sem again;
    ng_sem_init(&again, "again", 1);            /* takes the freed id */
    ng_trace_stop(0);
    parse_ok();

    /* at start: the registered threads, announced by id */
    ck_assert_int_eq(tc_recs[0].id, NG_EV_SYNC);
    struct ng_thread *idle = NULL;
    for (struct ng_thread *t = ng_all_threads; t; t = t->all_next)
        if (t->prio == 0)
            idle = t;
    check_name(1, 1, NG_KIND_THREAD, idle, "idle");
    check_name(2, 2, NG_KIND_THREAD, ng_thread_self(), "main");
    /* then each object when it is registered */
    check_name(3, 3, NG_KIND_SEM, &sem, "rx_sem");
    check_name(4, 4, NG_KIND_MUTEX, &mtx, "a_mutex_with_a_name_longer_than_");
    check_name(5, 5, NG_KIND_MBOX, &mb, "mb");
    ck_assert_int_eq(tc_recs[6].id, NG_EV_UNNAME);
    ck_assert_uint_eq(hdr_word(6), HDR(NG_EV_UNNAME, 3));
    check_name(7, 3, NG_KIND_SEM, &again, "again");
    ck_assert_int_eq(tc_recs[8].id, NG_EV_END);
    ck_assert_uint_eq(tc_nrecs, 9);
}
END_TEST

/* ---- the kernel's records ------------------------------------------------ */

static void traced_thread(void *arg)
{
    (void)arg;
    NG_TRACE1(APP_MARK, 7, 77);
}

START_TEST(kernel_records_for_a_thread)
{
    static struct ng_thread t;
    NG_TEST_STACK(stack);
    tc_start(CLASS(THREAD_SWITCH) | CLASS(APP_MARK) | CLASS(ISR_ENTER));
    ng_thread_create(&t, "traced", traced_thread, NULL, stack, sizeof stack, NG_MAIN_PRIO + 1);
    ng_host_advance(1);
    ng_trace_stop(5);
    parse_ok();

    uint8_t me = ng_thread_self()->id, id = t.id;
    int i = tc_next(0, NG_EV_NAME);
    for (int k = 0; k < 2; k++)                 /* past idle and main */
        i = tc_next(i + 1, NG_EV_NAME);
    check_name(i, id, NG_KIND_THREAD, &t, "traced");
    ck_assert_int_eq(tc_recs[i + 1].id, NG_EV_THREAD_CREATE);
    ck_assert_uint_eq(tc_recs[i + 1].a, id);
    ck_assert_uint_eq(tc_recs[i + 1].w[0], (NG_MAIN_PRIO + 1) | sizeof stack << 8);
    ck_assert_uint_eq(tc_recs[i + 1].w[1], (uint32_t)(uintptr_t)traced_thread);
    ck_assert_uint_eq(hdr_word(i + 2), HDR(NG_EV_THREAD_READY, id));
    ck_assert_int_eq(tc_recs[i + 3].id, NG_EV_THREAD_SWITCH);       /* to it */
    ck_assert_uint_eq(tc_recs[i + 3].a, id);
    ck_assert_uint_eq(tc_recs[i + 3].w[0], me | NG_TSTATE_READY << 8);
    ck_assert_uint_eq(hdr_word(i + 4), HDR(NG_EV_APP_MARK, 7));
    ck_assert_uint_eq(tc_recs[i + 4].w[0], 77);
    ck_assert_uint_eq(hdr_word(i + 5), HDR(NG_EV_THREAD_EXIT, id));
    ck_assert_int_eq(tc_recs[i + 6].id, NG_EV_THREAD_SWITCH);       /* back */
    ck_assert_uint_eq(tc_recs[i + 6].a, me);
    ck_assert_uint_eq(tc_recs[i + 6].w[0], id | NG_TSTATE_EXITED << 8);
    /* the tick: 12500 cycles pass inside the SysTick handler */
    ck_assert_uint_eq(hdr_word(i + 7), HDR(NG_EV_ISR_ENTER, 15));
    ck_assert_uint_eq(hdr_word(i + 8), HDR(NG_EV_ISR_EXIT, 15) | (uint32_t)TICK_CYCLES << 16);
    ck_assert_int_eq(tc_recs[i + 9].id, NG_EV_END);
    ck_assert_uint_eq(tc_recs[i + 9].w[0], 5);
    ck_assert_uint_eq(i + 10, tc_nrecs);
}
END_TEST

/* ---- end ----------------------------------------------------------------- */

START_TEST(end_on_stop)
{
    tc_start(CLASS(APP_MARK));
    NG_TRACE1(APP_MARK, 1, 1);
    ng_trace_stop(42);
    uint32_t size = tc_size;
    ng_trace_stop(43);                          /* a second stop does nothing */
    ck_assert_uint_eq(tc_size, size);
    parse_ok();
    ck_assert_int_eq(tc_count(NG_EV_END), 1);
    const struct tc_rec *e = &tc_recs[tc_nrecs - 1];
    ck_assert_int_eq(e->id, NG_EV_END);
    ck_assert_uint_eq(hdr_word((int)tc_nrecs - 1), HDR(NG_EV_END, 0));
    ck_assert_uint_eq(e->w[0], 42);
    ck_assert_uint_eq(tc_nwords * 4, ng_trace_bytes());    /* all of it shipped */
}
END_TEST

START_TEST(end_status_negative)
{
    tc_start(0);
    ng_trace_stop(-1);
    parse_ok();
    ck_assert_uint_eq(tc_recs[tc_nrecs - 1].w[0], 0xffffffffu);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = ng_tcase(s, "file");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, file_header);
    tcase_add_test(tc, chunk_framing);

    tc = ng_tcase(s, "records");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, records_0_1_2_words);
    tcase_add_test(tc, sync_at_start_with_64bit_time);
    tcase_add_test(tc, sync_after_gap);
    tcase_add_test(tc, sync_after_a_quiet_minute);
    tcase_add_test(tc, kernel_records_for_a_thread);

    tc = ng_tcase(s, "overflow");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, overflow_is_counted_and_reported);
    tcase_add_test(tc, end_is_written_even_when_the_ring_is_full);
    tcase_add_test(tc, no_transport_loses_nothing);

    tc = ng_tcase(s, "mask_names_end");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, class_mask_filters);
    tcase_add_test(tc, mask_zero_keeps_meta);
    tcase_add_test(tc, name_records);
    tcase_add_test(tc, end_on_stop);
    tcase_add_test(tc, end_status_negative);

    return ng_test_run(s) != 0;
}
