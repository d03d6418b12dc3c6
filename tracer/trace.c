/*
 * tracer/trace.c - the trace recorder: records into a RAM ring, a drain
 * ships them to the host.
 *
 * Writing a record (ng_trace_0/1/2) masks interrupts for a few dozen
 * instructions: read the cycle counter, check for room, store the words,
 * advance the head. It never blocks and never allocates, so it is safe
 * from any thread or interrupt. When a record would not fit it is counted
 * and dropped; the next record that fits is preceded by OVERFLOW with the
 * count. When more than 0xffff cycles passed since the previous record a
 * SYNC with the full 64-bit time goes first (docs/trace-format.md).
 *
 * Each time the head crosses a block boundary the board is asked to drain
 * (on the Cortex-M3 a low-priority interrupt, see boards/.../board.c); the
 * drain ships every complete block as one chunk through the transport
 * (semihosting SYS_WRITE, UART1, or memory on the host). So a run killed
 * from outside loses at most the block being filled.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"
#include "trace.h"
#include "trace_config.h"

#define RING_WORDS (NG_TRACE_RING_BYTES / 4u)
#define RING_MASK (RING_WORDS - 1u)
#define BLOCK_WORDS (NG_TRACE_BLOCK_BYTES / 4u)
_Static_assert((RING_WORDS & RING_MASK) == 0, "ring size must be a power of two");
_Static_assert(RING_WORDS % BLOCK_WORDS == 0 && BLOCK_WORDS >= 16, "bad block size");

#define CHUNK_MAGIC 0x4b42474eu     /* "NGBK" */
#define FILE_MAGIC 0x5254474eu      /* "NGTR" */
#define FORMAT_VERSION 1u

/* Recorder state; the GDB commands read the ring and these indexes. */
uint32_t ng_trace_ring[RING_WORDS] __attribute__((aligned(8)));
volatile uint32_t ng_trace_head;    /* words written, free-running */
volatile uint32_t ng_trace_tail;    /* words shipped, free-running */
volatile uint32_t ng_trace_mask;
static uint32_t last_time;          /* low 32 bits of the previous record's time */
static uint32_t lost;               /* dropped since the last OVERFLOW record */
static uint32_t lost_total;
static uint32_t chunk_seq;
static uint8_t started, transport, ended;

/* The events signature (docs/trace-format.md), summed over events.def. */
#define VAR 1
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    + (((uint32_t)(id) * 2654435761u) ^ \
       ((uint32_t)(nwords) << 8 | (uint32_t)NG_CLASS_##cls << 16 | (uint32_t)(flags) << 24))
static const uint32_t events_signature = 0u
#include "events.def"
    ;
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef VAR

/* The slow path: time sync, a pending OVERFLOW, or no room. Interrupts are
 * masked by the caller. Returns 0 if the record must be dropped. */
static int __attribute__((noinline)) make_room(uint32_t words)
{
    uint32_t need = words + (lost ? 2u : 0u) + 3u;
    uint32_t h = ng_trace_head;
    if (RING_WORDS - (h - ng_trace_tail) < need) {
        lost++;
        lost_total++;
        return 0;
    }
    if (lost) {
        struct ng_thread *t = ng_current;
        ng_trace_ring[h & RING_MASK] = NG_EV_OVERFLOW | (uint32_t)(t ? t->id : 0) << 8;
        ng_trace_ring[(h + 1) & RING_MASK] = (lost & 0xffffffu) | ng_arch_isr_number() << 24;
        h += 2;
        lost = 0;
    }
    uint64_t full = ng_arch_cycles64();
    ng_trace_ring[h & RING_MASK] = NG_EV_SYNC;
    ng_trace_ring[(h + 1) & RING_MASK] = (uint32_t)full;
    ng_trace_ring[(h + 2) & RING_MASK] = (uint32_t)(full >> 32);
    ng_trace_head = h + 3;
    last_time = (uint32_t)full;
    return 1;
}

static inline void kick_if_block_done(uint32_t before, uint32_t after)
{
    if ((before ^ after) & ~(BLOCK_WORDS - 1u))
        ng_board_trace_kick();
}

/* One record of n words (0..2). Inlined into each of the three entries so
 * that n is a constant and the common path is straight-line code. */
static inline __attribute__((always_inline)) void record(uint32_t hdr, uint32_t n,
                                                         uint32_t w1, uint32_t w2)
{
    uint32_t irq = ng_arch_irq_save();
    uint32_t now = ng_arch_cycles32();
    uint32_t h0 = ng_trace_head;
    uint32_t dt = now - last_time;
    if (__builtin_expect(dt > 0xffffu || lost ||
                         RING_WORDS - (h0 - ng_trace_tail) < n + 1u, 0)) {
        if (!make_room(n + 1u)) {
            ng_arch_irq_restore(irq);
            return;
        }
        dt = 0;
    }
    uint32_t h = ng_trace_head;
    ng_trace_ring[h & RING_MASK] = hdr | dt << 16;
    if (n >= 1)
        ng_trace_ring[(h + 1) & RING_MASK] = w1;
    if (n >= 2)
        ng_trace_ring[(h + 2) & RING_MASK] = w2;
    ng_trace_head = h + 1 + n;
    last_time = now;
    kick_if_block_done(h0, h + 1 + n);
    ng_arch_irq_restore(irq);
}

void ng_trace_0(uint32_t hdr) { record(hdr, 0, 0, 0); }
void ng_trace_1(uint32_t hdr, uint32_t w1) { record(hdr, 1, w1, 0); }
void ng_trace_2(uint32_t hdr, uint32_t w1, uint32_t w2) { record(hdr, 2, w1, w2); }

/* NAME records are rare, so they take the simple way: one record of up to
 * 2 + 8 words written in one critical section (names are cut at 32 bytes). */
void ng_trace_name(uint8_t id, uint8_t kind, const void *addr, const char *name)
{
    if (!started)
        return;     /* ng_trace_start announces every registered name */
    uint32_t len = (uint32_t)strnlen(name, NG_TRACE_NAME_MAX);
    uint32_t words = 2 + (len + 3) / 4;
    uint32_t irq = ng_arch_irq_save();
    uint32_t now = ng_arch_cycles32();
    uint32_t h0 = ng_trace_head;
    uint32_t dt = now - last_time;
    if (dt > 0xffffu || lost || RING_WORDS - (h0 - ng_trace_tail) < words + 1) {
        if (!make_room(words + 1)) {
            ng_arch_irq_restore(irq);
            return;
        }
        dt = 0;
    }
    uint32_t h = ng_trace_head;
    ng_trace_ring[h++ & RING_MASK] = NG_EV_NAME | (uint32_t)id << 8 | dt << 16;
    ng_trace_ring[h++ & RING_MASK] = kind | len << 8;
    ng_trace_ring[h++ & RING_MASK] = (uint32_t)(uintptr_t)addr;
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t w = 0;
        for (uint32_t j = 0; j < 4 && i + j < len; j++)
            w |= (uint32_t)(uint8_t)name[i + j] << (8 * j);
        ng_trace_ring[h++ & RING_MASK] = w;
    }
    ng_trace_head = h;
    last_time = now;
    kick_if_block_done(h0, h);
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
    uint32_t t = ng_trace_tail, n = upto - t;
    if (n == 0)
        return;
    uint32_t hdr[3] = { CHUNK_MAGIC, chunk_seq++, n * 4 };
    ship(hdr, 3);
    uint32_t first = RING_WORDS - (t & RING_MASK);
    if (first > n)
        first = n;
    ship(&ng_trace_ring[t & RING_MASK], first);
    if (n > first)
        ship(&ng_trace_ring[0], n - first);
    ng_trace_tail = upto;
}

void ng_trace_drain(void)
{
    if (!started || transport == NG_TRACE_TO_NONE)
        return;
    uint32_t irq = ng_arch_irq_save();
    uint32_t h = ng_trace_head;
    uint32_t full = (h - ng_trace_tail) / BLOCK_WORDS * BLOCK_WORDS;
    if (full)
        ship_chunk(ng_trace_tail + full);
    ng_arch_irq_restore(irq);
}

void ng_trace_flush(void)
{
    if (!started || transport == NG_TRACE_TO_NONE)
        return;
    uint32_t irq = ng_arch_irq_save();
    ship_chunk(ng_trace_head);
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
    hdr[6] = transport == NG_TRACE_TO_UART1 ? 1u : 0u;
    hdr[7] = id_len;
    if (id_len)
        memcpy(&hdr[8], id, id_len);
    ship(hdr, 8 + padded / 4);
}

void ng_trace_start(const struct ng_trace_config *cfg)
{
    transport = (uint8_t)cfg->transport;
    ng_trace_mask = cfg->mask | NG_TRACE_CLASS_BIT(SYNC);
    if (transport != NG_TRACE_TO_NONE &&
        ng_board_trace_open(transport, cfg->path ? cfg->path : "trace.bin") != 0)
        transport = NG_TRACE_TO_NONE;
    if (transport != NG_TRACE_TO_NONE)
        write_header();
    uint32_t irq = ng_arch_irq_save();
    uint64_t full = ng_arch_cycles64();
    uint32_t h = ng_trace_head;
    ng_trace_ring[h & RING_MASK] = NG_EV_SYNC;
    ng_trace_ring[(h + 1) & RING_MASK] = (uint32_t)full;
    ng_trace_ring[(h + 2) & RING_MASK] = (uint32_t)(full >> 32);
    ng_trace_head = h + 3;
    last_time = (uint32_t)full;
    started = 1;
    ng_arch_irq_restore(irq);
    ng_registry_announce();
}

void ng_trace_stop(int status)
{
    if (!started || ended)
        return;
    ng_trace_mask |= NG_TRACE_CLASS_BIT(END);
    ng_trace_1(NG_EV_END, (uint32_t)status);
    ng_trace_flush();
    ended = 1;
    if (transport != NG_TRACE_TO_NONE)
        ng_board_trace_close();
}

uint32_t ng_trace_lost(void) { return lost_total; }
uint32_t ng_trace_bytes(void) { return ng_trace_head * 4u; }

/* Called every tick: if nothing was recorded for a long time the 32-bit
 * delta could wrap unnoticed (2^32 cycles is minutes), so refresh the time
 * with a SYNC well before that. */
void ng_trace_tick_check(void)
{
    static uint32_t quiet_ticks;
    static uint32_t seen_head;
    if (ng_trace_head != seen_head) {
        seen_head = ng_trace_head;
        quiet_ticks = 0;
    } else if (++quiet_ticks >= NG_TICK_HZ * 60u && started) {
        quiet_ticks = 0;
        uint32_t irq = ng_arch_irq_save();
        (void)make_room(0);     /* writes a SYNC (and a pending OVERFLOW) */
        ng_arch_irq_restore(irq);
    }
}
