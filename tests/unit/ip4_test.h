/*
 * tests/unit/ip4_test.h - what the IPv4 and ICMP tests share (test_ip4.c,
 * test_ip4_frag.c, test_icmp.c): an interface whose output records every
 * IP packet IP hands it (no Ethernet, no ARP: these tests are about IP),
 * packets built byte by byte with a checksum computed here, independently
 * of net/inet_chksum.c, and received packets delivered as a driver would
 * (a PBUF_POOL chain with room for the Ethernet header in front).
 *
 * Header-only (static functions): included by those three tests alone.
 */
#ifndef NG_IP4_TEST_H
#define NG_IP4_TEST_H

#include <stdio.h>
#include <string.h>

#include "lwip/icmp.h"
#include "lwip/ip.h"
#include "lwip/ip4_frag.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "ng_net_test.h"
#include "ref_wire.h"
#include "trace_capture.h"

#define REC_PACKETS 16
#define REC_PACKET_MAX 4200

struct rec_packet {
    u16_t len;                  /* tot_len of what output got */
    u16_t pbufs;                /* the chain's length */
    ip4_addr_t next_hop;        /* the address output was given */
    const struct pbuf *pbuf;    /* the pbuf itself (compared, never used) */
    u8_t type;                  /* its type_internal */
    u8_t data[REC_PACKET_MAX];
};

struct rec_netif {
    struct netif netif;         /* first: &r->netif == (struct netif *)r */
    err_t result;               /* what output returns */
    unsigned n;                 /* packets output was given */
    struct rec_packet pkt[REC_PACKETS];
};

static inline u32_t ip_u32(const char *dotted)
{
    ip4_addr_t a;
    ck_assert_msg(ip4addr_aton(dotted, &a), "bad address %s", dotted);
    return a.addr;
}

static inline err_t rec_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *next_hop)
{
    struct rec_netif *r = (struct rec_netif *)netif;
    if (r->n < REC_PACKETS) {
        struct rec_packet *k = &r->pkt[r->n];
        ck_assert_uint_le(p->tot_len, REC_PACKET_MAX);
        k->len = p->tot_len;
        k->pbufs = pbuf_clen(p);
        k->next_hop = *next_hop;
        k->pbuf = p;
        k->type = p->type_internal;
        ck_assert_uint_eq(pbuf_copy_partial(p, k->data, p->tot_len, 0), p->tot_len);
    }
    r->n++;
    return r->result;
}

static inline err_t rec_init(struct netif *netif)
{
    netif->name[0] = 'r';
    netif->name[1] = 'c';
    netif->output = rec_output;
    netif->linkoutput = NULL;
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST;
    return ERR_OK;
}

/* Add r with these addresses, up and with its link up. */
static inline struct netif *rec_netif_add(struct rec_netif *r, const char *ip, const char *mask,
                                          const char *gw)
{
    memset(r, 0, sizeof *r);
    ip4_addr_t a, m, g;
    a.addr = ip_u32(ip);
    m.addr = ip_u32(mask);
    g.addr = ip_u32(gw);
    struct netif *n = netif_add(&r->netif, &a, &m, &g, NULL, rec_init, ip4_input);
    ck_assert_ptr_eq(n, &r->netif);
    netif_set_up(n);
    netif_set_link_up(n);
    return n;
}

static inline const struct rec_packet *rec_packet(const struct rec_netif *r, unsigned i)
{
    ck_assert_msg(i < r->n, "packet %u asked for, %u sent", i, r->n);
    ck_assert_uint_lt(i, REC_PACKETS);
    return &r->pkt[i];
}

/* ---- checksums and packets, computed here -------------------------------- */

/* Four bytes as stored (an address in network order), at any alignment. */
static inline u32_t raw32(const u8_t *b) { u32_t v; memcpy(&v, b, 4); return v; }

/* The fields of a test packet's header. */
struct ip_spec {
    const char *src, *dst;
    u8_t proto, ttl, tos, hlen;     /* hlen 0: 20 */
    u16_t id, frag;                 /* frag: flags and offset field, host order */
};

/* Write an IPv4 header by spec, then len payload bytes, into buf; the
 * checksum is computed here. Returns the total length. Options (hlen >
 * 20) are NOPs ending with an End of Option List. */
static inline u16_t build_ip(u8_t *buf, const struct ip_spec *s, const void *payload, u16_t len)
{
    u8_t hl = s->hlen ? s->hlen : 20;
    memset(buf, 0, hl);
    buf[0] = (u8_t)(0x40 | hl / 4);
    buf[1] = s->tos;
    put16(buf + 2, (u16_t)(hl + len));
    put16(buf + 4, s->id);
    put16(buf + 6, s->frag);
    buf[8] = s->ttl ? s->ttl : 64;
    buf[9] = s->proto;
    u32_t a = ip_u32(s->src), d = ip_u32(s->dst);
    memcpy(buf + 12, &a, 4);
    memcpy(buf + 16, &d, 4);
    for (unsigned i = 20; i + 1 < hl; i++)
        buf[i] = 1;             /* no operation */
    if (len)
        memcpy(buf + hl, payload, len);
    put16(buf + 10, ref_chksum(buf, hl));
    return (u16_t)(hl + len);
}

/* An ICMP echo (type 8) or echo reply (type 0) message with len data
 * bytes i * 7 + seed, checksum computed here. Returns its length. */
static inline u16_t build_echo(u8_t *buf, u8_t type, u16_t id, u16_t seq, u16_t len, u8_t seed)
{
    buf[0] = type;
    buf[1] = 0;
    put16(buf + 2, 0);
    put16(buf + 4, id);
    put16(buf + 6, seq);
    for (u16_t i = 0; i < len; i++)
        buf[8 + i] = (u8_t)(i * 7 + seed);
    put16(buf + 2, ref_chksum(buf, 8u + len));
    return (u16_t)(8 + len);
}

/* Re-checksum a header after a test changed it. */
static inline void fix_ip_chksum(u8_t *buf)
{
    unsigned hl = (buf[0] & 0x0f) * 4u;
    put16(buf + 10, 0);
    put16(buf + 10, ref_chksum(buf, hl));
}

/* The bytes as a driver delivers them: a PBUF_POOL chain (512-byte
 * buffers) whose payload starts after room for an Ethernet header. */
static inline struct pbuf *rx_pbuf(const void *bytes, u16_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(len + PBUF_LINK_HLEN), PBUF_POOL);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(pbuf_remove_header(p, PBUF_LINK_HLEN), 0);
    ck_assert_uint_eq(pbuf_take(p, bytes, len), ERR_OK);
    return p;
}

/* Receive the packet on netif, as ethernet_input would give it to IP. */
static inline void rx(struct netif *netif, const void *bytes, u16_t len)
{
    ip4_input(rx_pbuf(bytes, len), netif);
}

/* Exactly one drop so far, of this reason. */
#define ck_assert_one_drop(reason) do { \
        ck_assert_uint_eq(ng_drop_count[NG_drop_##reason], 1); \
        ck_assert_uint_eq(ng_drops_total(), 1); \
    } while (0)

/* Feed p to ip4_input with only DROP records traced: exactly one must
 * appear, for `reason`, naming p. */
#define ck_assert_input_drop_traced(p, netif, reason) do { \
        tc_start(NG_TRACE_CLASS_BIT(DROP)); \
        ip4_input((p), (netif)); \
        ng_trace_stop(0); \
        ck_assert_ptr_null(tc_parse()); \
        ck_assert_int_eq(tc_count(NG_EV_DROP), 1); \
        const struct tc_rec *r_ = &tc_recs[tc_next(0, NG_EV_DROP)]; \
        ck_assert_uint_eq(r_->a, NG_drop_##reason); \
        ck_assert_uint_eq(r_->w[0], (u32_t)(uintptr_t)(p)); \
    } while (0)

/* The LAYER_ENTER (as +fn) and LAYER_EXIT (as -fn) records of a capture
 * (tc_start ... ng_trace_stop, tc_parse), in order; returns how many. */
static inline int layer_seq(int *seq, int max)
{
    int n = 0;
    for (uint32_t i = 0; i < tc_nrecs && n < max; i++) {
        if (tc_recs[i].id == NG_EV_LAYER_ENTER)
            seq[n++] = tc_recs[i].a;
        else if (tc_recs[i].id == NG_EV_LAYER_EXIT)
            seq[n++] = -(int)tc_recs[i].a;
    }
    return n;
}

#define ck_assert_layers(...) do { \
        static const int want_[] = { __VA_ARGS__ }; \
        int got_[64]; \
        int n_ = layer_seq(got_, 64); \
        int ok_ = n_ == (int)LWIP_ARRAYSIZE(want_); \
        for (int i_ = 0; ok_ && i_ < n_; i_++) \
            ok_ = got_[i_] == want_[i_]; \
        char why_[512]; \
        int w_ = snprintf(why_, sizeof why_, "layers:"); \
        for (int i_ = 0; i_ < n_ && w_ < 480; i_++) \
            w_ += snprintf(why_ + w_, sizeof why_ - (size_t)w_, " %d", got_[i_]); \
        ck_assert_msg(ok_, "%s", why_); \
    } while (0)

/* The stack up for a test: memory, counters, interfaces (lo included). */
static inline void ip4_test_setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    netif_init();
}

/* Take the stack's cyclic timers off the list again (sys_timeouts_init
 * armed them), so that the SYS_TIMEOUT pool is empty at the end. */
static inline void ip4_test_stop_timers(void)
{
    for (int i = 0; i < lwip_num_cyclic_timers; i++)
        sys_untimeout(lwip_cyclic_timer, (void *)(uintptr_t)&lwip_cyclic_timers[i]);
}

#endif
