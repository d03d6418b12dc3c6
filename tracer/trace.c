/*
 * tracer/trace.c - the trace recorder: records into a RAM ring, a drain
 * ships them to the host.
 *
 * Writing a record masks interrupts for a few dozen instructions: read
 * the cycle counter, check for room, store the words, advance the write
 * pointer. That fast path is inlined at every record (tracer/trace_fast.h,
 * also behind ng_trace_0/1/2 here); this file has the rest. It never
 * blocks and never allocates, so it is safe from any thread or interrupt.
 * When a record would not fit it is counted and dropped; the next record
 * that fits is preceded by OVERFLOW with the count. When more than 0xffff cycles passed since the previous record a
 * SYNC with the full 64-bit time goes first (docs/trace-format.md).
 *
 * With no transport (trace=none) nothing is shipped and the ring works as a
 * flight recorder instead: when it is full the oldest block is given up,
 * so the debugger (tools/gdb, "ng trace") always finds the latest records.
 *
 * Each time the head crosses a block boundary the board is asked to drain
 * (on the Cortex-M3 a low-priority interrupt, see boards/.../board.c); the
 * drain ships every complete block as one chunk through the transport
 * (semihosting SYS_WRITE, UART1, or memory on the host). So a run killed
 * from outside loses at most the block being filled.
 */
#include <stddef.h>
#include <string.h>

#include "kernel.h"
#include "port.h"
#include "trace.h"
#include "trace_config.h"

#define RING_WORDS NG_TRACE_RING_WORDS
#define RING_MASK (RING_WORDS - 1u)
#define BLOCK_WORDS (NG_TRACE_BLOCK_BYTES / 4u)
_Static_assert((RING_WORDS & RING_MASK) == 0, "ring size must be a power of two");
_Static_assert(RING_WORDS % BLOCK_WORDS == 0 && BLOCK_WORDS >= 16, "bad block size");

#define CHUNK_MAGIC 0x4b42474eu     /* "NGBK" */
#define FILE_MAGIC 0x5254474eu      /* "NGTR" */
#define FORMAT_VERSION 1u

struct ng_trace_state ng_trace __attribute__((aligned(8)));
#define ST (&ng_trace)

/* The events signature (docs/trace-format.md), summed over events.def. */
#define VAR 1
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_ENUM(type, name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    + (((uint32_t)(id) * 2654435761u) ^ \
       ((uint32_t)(nwords) << 8 | (uint32_t)NG_CLASS_##cls << 16 | (uint32_t)(flags) << 24))
static const uint32_t events_signature = 0u
#include "events.def"
    ;
#undef NG_ENUM
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef VAR

/* Words written so far, and the other way: put the write pointer at word
 * h (at the start of the ring when h completes a turn). */
static uint32_t cur_head(void)
{
    return ST->lap + (uint32_t)((ST->wp - (uintptr_t)ST->ring) / 4u);
}

static void set_head(uint32_t h)
{
    ST->lap = h & ~RING_MASK;
    ST->wp = (uintptr_t)&ST->ring[h & RING_MASK];
}

/* Where the fast path must stop and come here: the end of the block being
 * filled (so a record never straddles a block, or the end of the ring, on
 * the fast path) or the end of the free space, whichever is first. */
static void set_limit(void)
{
    uint32_t h = cur_head();
    set_head(h);                /* a full turn puts wp back at ring[0] */
    uint32_t block_end = (h | (BLOCK_WORDS - 1u)) + 1u;
    uint32_t free_end = ST->tail + RING_WORDS;
    uint32_t limit = (int32_t)(block_end - free_end) < 0 ? block_end : free_end;
    if (ST->need_sync)
        limit = h;              /* the next record must come to write_slow */
    /* A record of 3 words starting below wlimit ends by the limit (in words). */
    ST->wlimit = (uintptr_t)ST->ring + (uintptr_t)(limit - ST->lap) * 4u - 8u;
}

static void put(uint32_t *h, uint32_t w)
{
    ST->ring[*h & RING_MASK] = w;
    (*h)++;
}

/* The slow path, for every record the fast path cannot take: the first
 * after a time gap of more than 0xffff cycles or after lost records, one
 * that reaches the end of a block, one that does not fit, and NAME records.
 * Interrupts are masked by the caller. Writes, as needed, OVERFLOW (with
 * the count of records lost), SYNC (the full 64-bit time), then the record;
 * asks the board to drain when a block is complete. When there is no room
 * the record is counted as lost and a SYNC is asked for (need_sync, which
 * also pulls the limit down to the head) so that the next record comes here
 * too and the OVERFLOW is written as soon as there is room. */
static void write_slow(uint32_t hdr, uint32_t n, const uint32_t *w, uint32_t now)
{
    uint32_t h = cur_head();
    uint32_t last_time = ng_arch_trace_time(ST->stamp);
    int32_t gap = (int32_t)(now - last_time);
    if (gap < 0) {
        /* The clock read earlier than the previous record. Under -icount
         * this never happens; without it QEMU may show SysTick's reload a
         * moment before it raises the interrupt, so a reading can be one
         * tick behind. Keep the trace monotonic: same time as before. */
        now = last_time;
        gap = 0;
    }
    int sync = ST->need_sync || gap > 0xffff;
    uint32_t need = 1 + n + (sync ? 3u : 0u) + (ST->lost ? 2u : 0u);
    if (ST->transport == NG_TRACE_TO_NONE && RING_WORDS - (h - ST->tail) < need) {
        ST->tail += BLOCK_WORDS;    /* nothing ships: the ring is a flight recorder */
        ST->overwritten += BLOCK_WORDS;
    }
    if (RING_WORDS - (h - ST->tail) < need) {
        ST->lost++;
        ST->lost_total++;
        ST->need_sync = 1;          /* the next record that fits: OVERFLOW, SYNC */
        set_limit();
        return;
    }
    if (ST->lost) {
        struct ng_thread *t = ng_current;
        put(&h, NG_EV_OVERFLOW | (uint32_t)(t ? t->id : 0) << 8);
        put(&h, (ST->lost & 0xffffffu) | ng_arch_isr_number() << 24);
        ST->lost = 0;
    }
    uint32_t dt = (uint32_t)gap;
    if (sync) {
        uint64_t full = ng_arch_cycles64();
        int32_t behind = (int32_t)(last_time - (uint32_t)full);
        if (!ST->need_sync_first && behind > 0)
            full += (uint32_t)behind;   /* as above: never before the previous record */
        put(&h, NG_EV_SYNC);
        put(&h, (uint32_t)full);
        put(&h, (uint32_t)(full >> 32));
        now = (uint32_t)full;
        dt = 0;
        ST->need_sync = 0;
        ST->need_sync_first = 0;
    }
    put(&h, hdr | dt << 16);
    for (uint32_t i = 0; i < n; i++)
        put(&h, w[i]);
    set_head(h);
    ST->stamp = ng_arch_trace_stamp(now);
    if (h - ST->tail >= BLOCK_WORDS)
        ng_board_trace_kick();      /* a whole block is waiting */
    set_limit();
}

/* The fast path's way out (tracer/trace_fast.h). n rides in the header's
 * dt bits (which the slow path fills in itself) so that every argument
 * travels in a register. */
void ng_trace_record_slow(uint32_t hdr_n, uint32_t w1, uint32_t w2, uint32_t irq)
{
    uint32_t w[2] = { w1, w2 };
    write_slow(hdr_n & 0xffffu, hdr_n >> 16, w, ng_arch_cycles32());
    ng_arch_irq_restore(irq);
}

/* The same as functions, for callers that want no inline copy. */
void ng_trace_0(uint32_t hdr) { ng_trace_record(hdr, 0, 0, 0); }
void ng_trace_1(uint32_t hdr, uint32_t w1) { ng_trace_record(hdr, 1, w1, 0); }
void ng_trace_2(uint32_t hdr, uint32_t w1, uint32_t w2) { ng_trace_record(hdr, 2, w1, w2); }

/* NAME records are rare and long: always the slow path (names are cut at
 * NG_TRACE_NAME_MAX bytes). */
void ng_trace_name(uint8_t id, uint8_t kind, const void *addr, const char *name)
{
    if (!ST->started || ST->ended)
        return;     /* ng_trace_begin announces every registered name */
    uint32_t len = (uint32_t)strnlen(name, NG_TRACE_NAME_MAX);
    uint32_t w[2 + NG_TRACE_NAME_MAX / 4] = { kind | len << 8, (uint32_t)(uintptr_t)addr };
    for (uint32_t i = 0; i < len; i++)
        w[2 + i / 4] |= (uint32_t)(uint8_t)name[i] << (8 * (i % 4));
    uint32_t irq = ng_arch_irq_save();
    write_slow(NG_EV_NAME | (uint32_t)id << 8, 2 + (len + 3) / 4, w, ng_arch_cycles32());
    ng_arch_irq_restore(irq);
}

/* VAR records (the first bytes of a frame, ...): one word w1, then the
 * data packed little-endian into whole words, the last one padded with
 * zeros. Two go with every frame pair of a bulk transfer, so they have a
 * fast path of their own, as record's: when the time needs no SYNC and
 * the record fits before the limit (so inside one block), the data is
 * copied straight into the ring. Everything else goes through the slow
 * path, which takes the words from a copy on the stack. */
void ng_trace_var(uint32_t hdr, uint32_t w1, const void *data, uint32_t len)
{
    if (!ST->started || ST->ended)
        return;
    NG_ASSERT(len <= NG_TRACE_VAR_MAX);     /* the record must match its len field */
    uint32_t nw = (len + 3) / 4;
    struct ng_trace_state *st = ST;
    uint32_t irq = ng_arch_irq_save();
    uint32_t reading;
    uint32_t unsure = ng_arch_trace_clock(&reading);
    uintptr_t wp;
    uint32_t stamp;
    ng_trace_load_wp_stamp(st, &wp, &stamp);
    uint32_t dt = stamp - reading;
    /* 2 + nw words end by the limit, which is wlimit + 2 words. */
    if (__builtin_expect((dt | unsure) <= 0xffffu && wp + nw * 4u <= st->wlimit, 1)) {
        uint32_t *p = (uint32_t *)wp;
        p[0] = (hdr & 0xffffu) | dt << 16;
        p[1] = w1;
        if (nw) {
            p[1 + nw] = 0;                  /* the padding of the last word */
            memcpy(&p[2], data, len);
        }
        ng_trace_store_wp_stamp(st, (uintptr_t)(p + 2 + nw), reading);
        ng_arch_irq_restore(irq);
        return;
    }
    ng_arch_irq_restore(irq);
    uint32_t w[1 + NG_TRACE_VAR_MAX / 4];
    w[0] = w1;
    if (nw)
        w[nw] = 0;
    if (len)
        memcpy(&w[1], data, len);
    irq = ng_arch_irq_save();
    write_slow(hdr & 0xffffu, 1 + nw, w, ng_arch_cycles32());
    ng_arch_irq_restore(irq);
}

static void ship(const uint32_t *words, uint32_t count)
{
    ng_board_trace_write(words, count * 4);
}

/* Ship words [tail, upto) as one chunk, in up to two pieces if the ring
 * wraps. Interrupts are masked by the caller. */
static void ship_chunk(uint32_t upto)
{
    uint32_t t = ST->tail, n = upto - t;
    if (n == 0)
        return;
    uint32_t hdr[3] = { CHUNK_MAGIC, ST->chunk_seq++, n * 4 };
    ship(hdr, 3);
    uint32_t first = RING_WORDS - (t & RING_MASK);
    if (first > n)
        first = n;
    ship(&ST->ring[t & RING_MASK], first);
    if (n > first)
        ship(&ST->ring[0], n - first);
    ST->tail = upto;
    set_limit();
}

void ng_trace_drain(void)
{
    if (!ST->started || ST->ended || ST->transport == NG_TRACE_TO_NONE)
        return;
    uint32_t irq = ng_arch_irq_save();
    uint32_t h = cur_head();
    uint32_t full = (h - ST->tail) / BLOCK_WORDS * BLOCK_WORDS;
    if (full)
        ship_chunk(ST->tail + full);
    ng_arch_irq_restore(irq);
}

void ng_trace_flush(void)
{
    if (!ST->started || ST->ended || ST->transport == NG_TRACE_TO_NONE)
        return;
    uint32_t irq = ng_arch_irq_save();
    ship_chunk(cur_head());
    ng_arch_irq_restore(irq);
}

static void write_header(void)
{
    const uint8_t *id;
    uint32_t id_len;
    ng_board_build_id(&id, &id_len);
    if (id_len > 32)
        id_len = 32;
    uint32_t hdr[8 + 8];
    memset(hdr, 0, sizeof hdr);
    uint32_t padded = (id_len + 3) & ~3u;
    hdr[0] = FILE_MAGIC;
    hdr[1] = FORMAT_VERSION | (32u + padded) << 16;
    hdr[2] = events_signature;
    hdr[3] = NG_CPU_HZ;
    hdr[4] = NG_TICK_HZ;
    hdr[5] = NG_TRACE_RING_BYTES;
    hdr[6] = ST->transport == NG_TRACE_TO_UART1 ? 1u : 0u;
    hdr[7] = id_len;
    if (id_len)
        memcpy(&hdr[8], id, id_len);
    ship(hdr, 8 + padded / 4);
}

void ng_trace_open(const struct ng_trace_config *cfg)
{
    if (ST->wp == 0)
        set_head(0);            /* .bss: nothing written yet */
    ST->transport = (uint8_t)cfg->transport;
    ST->mask_wanted = cfg->mask;
    if (ST->transport != NG_TRACE_TO_NONE &&
        ng_board_trace_open(ST->transport, cfg->path ? cfg->path : "trace.bin") != 0)
        ST->transport = NG_TRACE_TO_NONE;
    if (ST->transport != NG_TRACE_TO_NONE)
        write_header();
}

void ng_trace_begin(void)
{
    uint32_t irq = ng_arch_irq_save();
    if (ST->wp == 0)
        set_head(0);
    ST->started = 1;
    ST->lost = 0;
    ST->stamp = ng_arch_trace_stamp(ng_arch_cycles32());
    ST->need_sync = ST->need_sync_first = 1;        /* the first record is a SYNC */
    set_limit();
    ng_trace_mask = ST->mask_wanted | NG_TRACE_CLASS_BIT(SYNC);
    ng_arch_irq_restore(irq);
    ng_registry_announce();
}

void ng_trace_start(const struct ng_trace_config *cfg)
{
    ng_trace_open(cfg);
    ng_trace_begin();
}

void ng_trace_stop(int status)
{
    if (!ST->started || ST->ended)
        return;
    /* Interrupts stay masked from before END until the mask is cleared, so
     * that nothing comes after END: no interrupt's records, and none of the
     * drain interrupt's that a block completed by END itself asks for. */
    uint32_t irq = ng_arch_irq_save();
    ng_trace_mask |= NG_TRACE_CLASS_BIT(END);
    if (RING_WORDS - (cur_head() - ST->tail) < 2u + 2u + 3u)
        ng_trace_flush();   /* the drain is behind: make room for OVERFLOW, SYNC, END */
    ng_trace_1(NG_EV_END, (uint32_t)status);
    ng_trace_mask = 0;      /* END is the last record */
    ng_arch_irq_restore(irq);
    ng_trace_flush();
    ST->ended = 1;
    if (ST->transport != NG_TRACE_TO_NONE)
        ng_board_trace_close();
}

uint32_t ng_trace_lost(void) { return ST->lost_total; }
uint32_t ng_trace_bytes(void) { return cur_head() * 4u; }

/* Called every tick: if nothing was recorded for a long time the 32-bit
 * delta could wrap unnoticed (2^32 cycles is minutes), so refresh the time
 * with a SYNC well before that. */
void ng_trace_tick_check(void)
{
    static uint32_t quiet_ticks;
    static uint32_t seen_head;
    uint32_t h = cur_head();
    if (h != seen_head) {
        seen_head = h;
        quiet_ticks = 0;
    } else if (++quiet_ticks >= NG_TICK_HZ * 60u && ST->started) {
        quiet_ticks = 0;
        ng_trace_0(NG_EV_QUIET);  /* a gap over 0xffff: goes out after a SYNC */
    }
}
