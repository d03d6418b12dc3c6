/*
 * lwip/stats.h - counters: lwIP's per-protocol statistics (xmit, recv,
 * drop, chkerr, ...) and per-pool use, plus netglass's drop reasons: every
 * packet the stack throws away is counted under the reason it was thrown
 * away for (the NG_ENUM(drop, ...) lines of tracer/events.def) and, when
 * tracing, leaves a DROP record. Nothing is dropped silently.
 */
#ifndef LWIP_HDR_STATS_H
#define LWIP_HDR_STATS_H

#include "lwip/opt.h"
#include "lwip/mem.h"
#include "trace.h"

struct stats_proto {
    u16_t xmit;     /* transmitted */
    u16_t recv;     /* received */
    u16_t fw;       /* forwarded */
    u16_t drop;     /* dropped, for whatever reason */
    u16_t chkerr;   /* checksum errors */
    u16_t lenerr;   /* invalid length */
    u16_t memerr;   /* out of memory */
    u16_t rterr;    /* routing errors */
    u16_t proterr;  /* protocol errors */
    u16_t opterr;   /* options errors */
    u16_t err;      /* other errors */
    u16_t cachehit;
};

struct stats_mem {
    const char *name;
    u16_t err;      /* allocations that failed */
    mem_size_t avail;
    mem_size_t used;
    mem_size_t max;
    u16_t illegal;  /* frees of something not allocated here */
};

struct stats_ {
    struct stats_proto link;
    struct stats_proto etharp;
    struct stats_proto ip_frag;
    struct stats_proto ip;
    struct stats_proto icmp;
    struct stats_proto udp;
    struct stats_proto tcp;
    struct stats_mem mem;
};
extern struct stats_ lwip_stats;

#define STATS_INC(x) (++lwip_stats.x)
#define STATS_DEC(x) (--lwip_stats.x)
#define LINK_STATS_INC(x) STATS_INC(link.x)
#define ETHARP_STATS_INC(x) STATS_INC(etharp.x)
#define IPFRAG_STATS_INC(x) STATS_INC(ip_frag.x)
#define IP_STATS_INC(x) STATS_INC(ip.x)
#define ICMP_STATS_INC(x) STATS_INC(icmp.x)
#define UDP_STATS_INC(x) STATS_INC(udp.x)
#define TCP_STATS_INC(x) STATS_INC(tcp.x)
#define MEM_STATS_INC(x) STATS_INC(mem.x)

/* Drop reasons: the values of the NG_ENUM(drop, ...) lines, so one more
 * than the last (highest) of them; a line with a higher value added after
 * it makes net/stats.c's ng_drop_name initializer fail to compile. */
#define NG_DROP_REASONS (NG_drop_DNS_UNMATCHED + 1)
extern u32_t ng_drop_count[NG_DROP_REASONS];
#if LWIP_STATS_DISPLAY
extern const char *const ng_drop_name[NG_DROP_REASONS];
#endif

/* Count a drop under its reason (NG_drop_<NAME>) and trace it. `arg` is
 * what was dropped (usually the pbuf), for the record. Does not free. */
#define NG_DROP(reason, arg) ng_drop(NG_drop_##reason, (const void *)(arg))
void ng_drop(unsigned reason, const void *arg);
/* A received packet thrown away by a protocol: ng_drop, then the
 * protocol's drop counter (proto->drop), then pbuf_free(p). The protocols'
 * XXX_DROP macros share this one function (one call at each of their many
 * sites instead of three steps). */
struct pbuf;
void ng_drop_pbuf(unsigned reason, struct pbuf *p, struct stats_proto *proto);
u32_t ng_drops_total(void);

void stats_init(void);
#if LWIP_STATS_DISPLAY
void stats_display(void);   /* print every counter that is not zero */
#else
#define stats_display()
#endif

#endif
