/*
 * tests/unit/trace_capture.c - the memory sink and decoder declared in
 * trace_capture.h. Written from docs/trace-format.md, not from the
 * recorder's code, so that the two can disagree. Linked into every test.
 */
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "trace.h"
#include "trace_capture.h"

uint8_t tc_bytes[TC_MAX_BYTES];
uint32_t tc_size, tc_writes;
struct tc_header tc_hdr;
struct tc_chunk tc_chunks[TC_MAX_CHUNKS];
uint32_t tc_nchunks;
uint32_t tc_stream[TC_MAX_WORDS];
uint32_t tc_nwords;
struct tc_rec tc_recs[TC_MAX_RECS];
uint32_t tc_nrecs;

static char err[160];

/* id -> argument words, and whether a string follows; -1 = unknown id */
static int8_t ev_words[256];
static uint8_t ev_var[256];

static void load_table(void)
{
    memset(ev_words, -1, sizeof ev_words);
#define VAR 1
#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_ENUM(type, name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields) \
    ev_words[(id)] = (nwords); ev_var[(id)] = (flags);
#include "events.def"
#undef NG_ENUM
#undef NG_EVENT
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef VAR
}

int tc_event_words(uint8_t id)
{
    load_table();
    return ev_words[id];
}

static void sink(const void *buf, uint32_t len)
{
    if (tc_size + len > TC_MAX_BYTES)
        len = TC_MAX_BYTES - tc_size;      /* tc_parse reports the cut */
    memcpy(tc_bytes + tc_size, buf, len);
    tc_size += len;
    tc_writes++;
}

void tc_install(void)
{
    tc_size = tc_writes = 0;
    ng_host_trace_sink = sink;
}

void tc_start(uint32_t mask)
{
    tc_install();
    struct ng_trace_config cfg = { .transport = NG_TRACE_TO_MEMORY, .mask = mask };
    ng_trace_start(&cfg);
}

static uint32_t le32(uint32_t off)
{
    const uint8_t *p = tc_bytes + off;
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *tc_decode_words(const uint32_t *words, uint32_t n)
{
    if (n > TC_MAX_WORDS)
        return "tc_decode_words: too many words";
    if (words != tc_stream)
        memmove(tc_stream, words, n * 4);
    tc_nwords = n;
    load_table();
    tc_nrecs = 0;
    uint64_t time = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t h = tc_stream[i];
        uint8_t id = (uint8_t)h;
        if (ev_words[id] < 0) {
            snprintf(err, sizeof err, "unknown event id 0x%02x at word %u", id, i);
            return err;
        }
        uint32_t len = (uint32_t)ev_words[id];
        if (ev_var[id]) {
            if (i + 1 >= n) {
                snprintf(err, sizeof err, "VAR record cut at word %u", i);
                return err;
            }
            len += (((tc_stream[i + 1] >> 8) & 0xffu) + 3) / 4;
        }
        if (i + 1 + len > n) {
            snprintf(err, sizeof err, "record 0x%02x at word %u runs past the end", id, i);
            return err;
        }
        if (tc_nrecs == TC_MAX_RECS)
            return "too many records";
        struct tc_rec *r = &tc_recs[tc_nrecs++];
        r->id = id;
        r->a = (uint8_t)(h >> 8);
        r->dt = (uint16_t)(h >> 16);
        r->n = len;
        r->w = &tc_stream[i + 1];
        r->at = i;
        time += r->dt;
        if (id == NG_EV_SYNC)
            time = r->w[0] | (uint64_t)r->w[1] << 32;
        r->time = time;
        i += 1 + len;
    }
    return NULL;
}

const char *tc_parse(void)
{
    memset(&tc_hdr, 0, sizeof tc_hdr);
    tc_nchunks = tc_nwords = tc_nrecs = 0;
    if (tc_size >= TC_MAX_BYTES)
        return "the capture buffer overflowed";
    if (tc_size < 32)
        return "no file header";
    tc_hdr.magic = le32(0);
    tc_hdr.version = le32(4) & 0xffffu;
    tc_hdr.header_len = le32(4) >> 16;
    tc_hdr.signature = le32(8);
    tc_hdr.cpu_hz = le32(12);
    tc_hdr.tick_hz = le32(16);
    tc_hdr.ring_bytes = le32(20);
    tc_hdr.flags = le32(24);
    tc_hdr.build_id_len = le32(28);
    if (tc_hdr.magic != 0x5254474eu)
        return "bad file magic at offset 0";
    if (tc_hdr.header_len < 32 || tc_hdr.header_len % 4 ||
        tc_hdr.header_len != 32 + ((tc_hdr.build_id_len + 3) & ~3u) ||
        tc_hdr.header_len > tc_size)
        return "bad header length at offset 6";

    uint32_t off = tc_hdr.header_len;
    while (off < tc_size) {
        if (off + 12 > tc_size) {
            snprintf(err, sizeof err, "chunk header cut at offset %u", off);
            return err;
        }
        if (tc_nchunks == TC_MAX_CHUNKS)
            return "too many chunks";
        struct tc_chunk *c = &tc_chunks[tc_nchunks];
        c->offset = off;
        c->seq = le32(off + 4);
        c->len = le32(off + 8);
        if (le32(off) != 0x4b42474eu) {
            snprintf(err, sizeof err, "bad chunk magic at offset %u", off);
            return err;
        }
        if (c->seq != tc_nchunks) {
            snprintf(err, sizeof err, "chunk %u has sequence number %u at offset %u",
                     tc_nchunks, c->seq, off);
            return err;
        }
        if (c->len % 4 || c->len > 65536 || off + 12 + c->len > tc_size) {
            snprintf(err, sizeof err, "bad chunk length %u at offset %u", c->len, off);
            return err;
        }
        memcpy(&tc_stream[tc_nwords], tc_bytes + off + 12, c->len);
        tc_nwords += c->len / 4;
        tc_nchunks++;
        off += 12 + c->len;
    }
    return tc_decode_words(tc_stream, tc_nwords);
}

int tc_next(int from, uint8_t id)
{
    for (uint32_t i = from < 0 ? 0 : (uint32_t)from; i < tc_nrecs; i++)
        if (tc_recs[i].id == id)
            return (int)i;
    return -1;
}

int tc_count(uint8_t id)
{
    int n = 0;
    for (uint32_t i = 0; i < tc_nrecs; i++)
        n += tc_recs[i].id == id;
    return n;
}

const char *tc_name_of(const struct tc_rec *r, char *buf)
{
    uint32_t len = (r->w[0] >> 8) & 0xffu;
    for (uint32_t i = 0; i < len && i < 32; i++)
        buf[i] = (char)(r->w[2 + i / 4] >> (8 * (i % 4)));
    buf[len < 32 ? len : 32] = 0;
    return buf;
}
