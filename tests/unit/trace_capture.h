/*
 * tests/unit/trace_capture.h - a memory sink for the trace recorder and a
 * small, independent decoder of what it ships (docs/trace-format.md), for
 * the recorder's unit tests.
 *
 *   tc_start(mask);                 sink installed, recorder started
 *   ...                             records
 *   ng_trace_stop(0);               END, flush
 *   ck_assert_ptr_null(tc_parse()); header, chunks, records decoded
 *   tc_recs[i].id, .a, .dt, .w[], .time
 *
 * The decoder knows the word count of each event from tracer/events.def
 * (X-macro). A VAR event's string length is taken, as for NAME, from bits
 * 8..15 of its first word.
 */
#ifndef NG_TRACE_CAPTURE_H
#define NG_TRACE_CAPTURE_H

#include <stdint.h>

#define TC_MAX_BYTES (512u * 1024u)
#define TC_MAX_WORDS (TC_MAX_BYTES / 4u)
#define TC_MAX_CHUNKS 1024u
#define TC_MAX_RECS 65536u

/* Install the sink (and forget anything captured before). */
void tc_install(void);
/* tc_install, then ng_trace_start with NG_TRACE_TO_MEMORY and this mask. */
void tc_start(uint32_t mask);

/* What the sink received: bytes, and how many calls delivered them. */
extern uint8_t tc_bytes[TC_MAX_BYTES];
extern uint32_t tc_size, tc_writes;

struct tc_header {
    uint32_t magic;
    uint32_t version, header_len;
    uint32_t signature, cpu_hz, tick_hz, ring_bytes, flags, build_id_len;
};
struct tc_chunk {
    uint32_t offset;            /* of its header in the file */
    uint32_t seq, len;
};
struct tc_rec {
    uint8_t id, a;
    uint16_t dt;
    uint32_t n;                 /* words after the header word */
    const uint32_t *w;          /* those words */
    uint32_t at;                /* index of the header word in tc_stream */
    uint64_t time;              /* rebuilt from SYNC + dt */
};

extern struct tc_header tc_hdr;
extern struct tc_chunk tc_chunks[TC_MAX_CHUNKS];
extern uint32_t tc_nchunks;
extern uint32_t tc_stream[TC_MAX_WORDS];   /* the payloads, concatenated */
extern uint32_t tc_nwords;
extern struct tc_rec tc_recs[TC_MAX_RECS];
extern uint32_t tc_nrecs;

/* Check the header and the chunk framing, concatenate the payloads and
 * decode them. Returns NULL, or what was wrong (with the offset). */
const char *tc_parse(void);
/* Decode n words of record stream (copied into tc_stream). */
const char *tc_decode_words(const uint32_t *words, uint32_t n);

/* Index of the first record with this id at or after index from, or -1. */
int tc_next(int from, uint8_t id);
/* How many records have this id. */
int tc_count(uint8_t id);
/* Argument words of an event (events.def), -1 if the id is unknown. */
int tc_event_words(uint8_t id);
/* The string of a NAME record, into buf (at least 33 bytes). */
const char *tc_name_of(const struct tc_rec *r, char *buf);

#endif
