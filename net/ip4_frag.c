/*
 * net/ip4_frag.c - IPv4 fragmentation and reassembly (RFC 791 2.3, 3.2;
 * RFC 815; RFC 1122 3.3.2).
 *
 * Reassembly. A fragment belongs to the datagram with its source,
 * destination, identification and protocol (RFC 791 3.2). Each datagram
 * being put together has a struct ip_reassdata (MEMP_REASSDATA) that holds
 * the header of fragment 0 and a list of the fragments received, kept in
 * offset order. The list needs no memory of its own: once a fragment's IP
 * header has been read, its bytes are no longer needed (only fragment 0's
 * header survives, copied into the ip_reassdata), so a small record, struct
 * ip_reass_helper (next fragment, first and last byte, header length), is
 * written over it, as lwIP does. When the list runs from 0 without a hole
 * to the end that the last fragment (MF = 0) gave, the headers of all but
 * fragment 0 are hidden, the pbufs are chained in order and fragment 0's
 * header goes back in front, with the total length of the whole datagram.
 *
 * Policy (a deliberate choice, as RFC 5722 makes it for IPv6): fragments
 * that overlap held ones, or that contradict the datagram's end, discard
 * the whole datagram (REASS_BAD). Overlaps are how the classic attacks
 * work (teardrop, and rewriting a TCP header past a filter, RFC 1858), and
 * no honest sender produces them. An exact copy of a held fragment is the
 * network duplicating a packet: only the copy goes (REASS_DUP). A fragment
 * that is malformed in itself (no data; not the last and not a multiple of
 * 8 bytes, which RFC 791 forbids; reaching past 65535) goes alone, and the
 * rest of its datagram waits for an honest one or times out.
 *
 * Limits: at most IP_REASS_MAX_PBUFS pbufs held by all datagrams together
 * and MEMP_NUM_REASSDATA datagrams; over either the oldest datagram is
 * dropped (REASS_FULL) to make room for the new fragment. ip_reass_tmr
 * runs every IP_REASS_TMR_INTERVAL ms and drops a datagram IP_REASS_MAXAGE
 * runs after its first fragment came (REASS_TIMEOUT), sending ICMP time
 * exceeded (fragment reassembly) if fragment 0 had come (RFC 792, RFC 1122
 * 3.3.2). Every fragment a dropped datagram held is counted on its own, so
 * that each pbuf handed to IP is either delivered or counted once.
 *
 * Fragmentation (ip4_frag). Each fragment is a new PBUF_RAM with room for
 * the link header and the IP header, followed by PBUF_REF pbufs that point
 * into the original packet's payload: no data is copied. Those are
 * struct pbuf_custom_ref (MEMP_FRAG_PBUF); each holds a reference to the
 * pbuf of the original it points into and gives it back when it is freed,
 * so the original lives as long as any fragment does (a driver may keep a
 * frame after netif->output returned).
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/ip4_frag.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "trace.h"

_Static_assert(IP_REASS_MAXAGE >= 1 && IP_REASS_MAXAGE <= 255, "IP_REASS_MAXAGE fits in u8_t");

#define IP_REASS_FLAG_LASTFRAG 0x01U    /* the fragment with MF = 0 came: datagram_len known */
#define IP_REASS_FLAG_FIRSTFRAG 0x02U   /* fragment 0 came: iphdr is its header */

/* Written over the IP header of each fragment held (see the top). Packed,
 * because an IP header is only 2-byte aligned in an Ethernet frame. */
struct ip_reass_helper {
    struct pbuf *next_pbuf;     /* the fragment with the next higher offset */
    u16_t start;                /* offset of its first data byte in the datagram */
    u16_t end;                  /* one past its last */
    u8_t hlen;                  /* its IP header's length */
} __attribute__((packed));
_Static_assert(sizeof(struct ip_reass_helper) <= IP_HLEN, "the helper fits over an IP header");

#define HELPER(p) ((struct ip_reass_helper *)(p)->payload)

/* Datagrams in the order their first fragment came: the head is the oldest. */
static struct ip_reassdata *reassdatagrams;
static u16_t reass_pbufcount;

const struct ip_reassdata *ip_reass_get_list(void)
{
    return reassdatagrams;
}

u16_t ip_reass_get_pbufcount(void)
{
    return reass_pbufcount;
}

/* The 20 bytes of a fixed IP header, from one place to another (to and
 * from the copy of fragment 0's header that an ip_reassdata keeps): one
 * function for the five copies, kept out of line (noinline) so that -Os
 * does not write the copy loop out again at each. */
static __attribute__((noinline)) void copy_fixed_header(void *to, const void *from)
{
    memcpy(to, from, IP_HLEN);
}

/* Drop one received fragment; reason chosen by the caller (NG_DROP's
 * function, since the reason is a value here, not a name). */
static void frag_drop(unsigned reason, struct pbuf *p)
{
    ng_drop_pbuf(reason, p, &lwip_stats.ip_frag);
}

static void reass_unlink(struct ip_reassdata *ipr)
{
    struct ip_reassdata **pp = &reassdatagrams;
    while (*pp != ipr)
        pp = &(*pp)->next;
    *pp = ipr->next;
    reass_pbufcount = (u16_t)(reass_pbufcount - ipr->pbufs);
    memp_free(MEMP_REASSDATA, ipr);
}

/* Throw a whole datagram away, each fragment counted under reason. */
static void reass_discard(struct ip_reassdata *ipr, unsigned reason)
{
    struct pbuf *q = ipr->p;
    while (q) {
        struct pbuf *next = HELPER(q)->next_pbuf;
        frag_drop(reason, q);
        q = next;
    }
    reass_unlink(ipr);
}

/* RFC 792 / RFC 1122 3.3.2: reassembly timed out. If fragment 0 is here,
 * its sender hears of it: ICMP time exceeded, code 1, quoting fragment 0
 * (its header restored over the helper). */
static void reass_timeout(struct ip_reassdata *ipr)
{
    IPFRAG_STATS_INC(err);
    struct pbuf *first = ipr->p;
    if ((ipr->flags & IP_REASS_FLAG_FIRSTFRAG) && HELPER(first)->start == 0) {
        struct pbuf *next = HELPER(first)->next_pbuf;
        copy_fixed_header(first->payload, &ipr->iphdr);
        icmp_time_exceed(first, ICMP_TE_FRAG);
        ipr->p = next;
        frag_drop(NG_drop_REASS_TIMEOUT, first);
    }
    reass_discard(ipr, NG_drop_REASS_TIMEOUT);
}

void ip_reass_tmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip_reass_tmr, 0);
    struct ip_reassdata *ipr = reassdatagrams;
    while (ipr) {
        struct ip_reassdata *next = ipr->next;
        if (--ipr->timer == 0)
            reass_timeout(ipr);
        ipr = next;
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_ip_reass_tmr);
}

/* RFC 791 3.2: the fields that name a datagram. */
static int reass_matches(const struct ip_reassdata *ipr, const struct ip_hdr *h)
{
    return ipr->iphdr.src.addr == h->src.addr && ipr->iphdr.dest.addr == h->dest.addr &&
           IPH_ID(&ipr->iphdr) == IPH_ID(h) && IPH_PROTO(&ipr->iphdr) == IPH_PROTO(h);
}

static struct ip_reassdata *reass_find(const struct ip_hdr *h)
{
    for (struct ip_reassdata *ipr = reassdatagrams; ipr; ipr = ipr->next)
        if (reass_matches(ipr, h))
            return ipr;
    return NULL;
}

/* Drop the oldest datagrams other than keep until clen more pbufs fit
 * under IP_REASS_MAX_PBUFS. Returns whether they fit now. */
static int reass_make_room(u16_t clen, const struct ip_reassdata *keep)
{
    while (reass_pbufcount + clen > IP_REASS_MAX_PBUFS) {
        struct ip_reassdata *oldest = reassdatagrams;
        if (oldest == keep)
            oldest = oldest->next;
        if (oldest == NULL)
            return 0;
        reass_discard(oldest, NG_drop_REASS_FULL);
    }
    return 1;
}

/* A new datagram for the fragment with header h, at the end of the list.
 * With every slot taken, the oldest datagram gives its slot up. */
static struct ip_reassdata *reass_new(const struct ip_hdr *h)
{
    struct ip_reassdata *ipr = memp_malloc(MEMP_REASSDATA);
    if (ipr == NULL && reassdatagrams) {
        reass_discard(reassdatagrams, NG_drop_REASS_FULL);
        ipr = memp_malloc(MEMP_REASSDATA);
    }
    if (ipr == NULL)
        return NULL;
    memset(ipr, 0, sizeof *ipr);
    copy_fixed_header(&ipr->iphdr, h);
    ipr->timer = IP_REASS_MAXAGE;
    struct ip_reassdata **pp = &reassdatagrams;
    while (*pp)
        pp = &(*pp)->next;
    *pp = ipr;
    return ipr;
}

enum reass_verdict { REASS_ADDED, REASS_DUPLICATE, REASS_CONFLICT };

/* Put fragment p (data bytes [start, end), last: MF = 0) into its place
 * in ipr's list, unless it overlaps or contradicts what is held. */
static enum reass_verdict reass_insert(struct ip_reassdata *ipr, struct pbuf *p, u16_t start,
                                       u16_t end, u8_t hlen, int last)
{
    int known_end = (ipr->flags & IP_REASS_FLAG_LASTFRAG) != 0;
    struct pbuf *prev = NULL;   /* p goes after prev (NULL: first) ... */
    struct pbuf *next = ipr->p; /* ... and before next */
    u16_t held_end = 0;         /* the highest end held */

    while (next) {
        struct ip_reass_helper *h = HELPER(next);
        if (h->start == start && h->end == end) {
            /* the same bytes again; a copy only if it agrees on MF */
            int was_last = known_end && ipr->datagram_len == end;
            return was_last == last ? REASS_DUPLICATE : REASS_CONFLICT;
        }
        if (h->start >= end)
            break;
        if (h->end > start)
            return REASS_CONFLICT;      /* overlap */
        prev = next;
        next = h->next_pbuf;
    }
    for (struct pbuf *q = ipr->p; q; q = HELPER(q)->next_pbuf)
        held_end = HELPER(q)->end;
    if (known_end && (end > ipr->datagram_len || (last && end != ipr->datagram_len)))
        return REASS_CONFLICT;  /* past the end, or a second, different end */
    if (last && held_end > end)
        return REASS_CONFLICT;  /* an end before data already held */

    /* Fragment 0's header is the datagram's: keep it before the helper
     * overwrites it. */
    if (start == 0) {
        copy_fixed_header(&ipr->iphdr, p->payload);
        ipr->flags |= IP_REASS_FLAG_FIRSTFRAG;
    }
    if (last) {
        ipr->flags |= IP_REASS_FLAG_LASTFRAG;
        ipr->datagram_len = end;
    }
    struct ip_reass_helper *nh = HELPER(p);
    nh->next_pbuf = next;
    nh->start = start;
    nh->end = end;
    nh->hlen = hlen;
    if (prev)
        HELPER(prev)->next_pbuf = p;
    else
        ipr->p = p;
    return REASS_ADDED;
}

/* RFC 815: complete when there is no hole from 0 to the known end. */
static int reass_complete(const struct ip_reassdata *ipr)
{
    if (!(ipr->flags & IP_REASS_FLAG_LASTFRAG))
        return 0;
    u16_t expect = 0;
    for (struct pbuf *q = ipr->p; q; q = HELPER(q)->next_pbuf) {
        if (HELPER(q)->start != expect)
            return 0;
        expect = HELPER(q)->end;
    }
    return expect == ipr->datagram_len;
}

/* Chain the fragments into the datagram and free ipr. */
static struct pbuf *reass_join(struct ip_reassdata *ipr)
{
    struct pbuf *whole = ipr->p;
    struct pbuf *q = HELPER(whole)->next_pbuf;

    copy_fixed_header(whole->payload, &ipr->iphdr);  /* options, if any, were never touched */
    struct ip_hdr *h = whole->payload;
    u16_t hlen = IPH_HL_BYTES(h);
    IPH_LEN_SET(h, lwip_htons((u16_t)(hlen + ipr->datagram_len)));
    IPH_OFFSET_SET(h, 0);
    IPH_CHKSUM_SET(h, 0);
    IPH_CHKSUM_SET(h, inet_chksum(h, hlen));

    while (q) {
        struct pbuf *next = HELPER(q)->next_pbuf;
        pbuf_remove_header(q, HELPER(q)->hlen);
        pbuf_cat(whole, q);
        q = next;
    }
    ipr->p = NULL;
    reass_unlink(ipr);
    return whole;
}

static struct pbuf *reass_fragment(struct pbuf *p)
{
    IPFRAG_STATS_INC(recv);
    struct ip_hdr *fh = p->payload;
    u8_t hlen = IPH_HL_BYTES(fh);
    u16_t len = (u16_t)(lwip_ntohs(IPH_LEN(fh)) - hlen);    /* ip4_input: IPH_LEN >= hlen */
    u16_t start = IPH_OFFSET_BYTES(fh);
    int last = !(IPH_OFFSET(fh) & PP_HTONS(IP_MF));

    /* RFC 791 3.2: every fragment but the last holds a multiple of 8 bytes. */
    if (len == 0 || (!last && (len & 7))) {
        IPFRAG_STATS_INC(lenerr);
        frag_drop(NG_drop_REASS_BAD, p);
        return NULL;
    }
    if ((u32_t)start + len > 0xffffU - IP_HLEN) {
        IPFRAG_STATS_INC(lenerr);
        frag_drop(NG_drop_REASS_TOO_BIG, p);
        return NULL;
    }

    u16_t clen = pbuf_clen(p);
    struct ip_reassdata *ipr = reass_find(fh);
    if (!reass_make_room(clen, ipr)) {
        IPFRAG_STATS_INC(memerr);
        frag_drop(NG_drop_REASS_FULL, p);
        return NULL;
    }
    if (ipr == NULL) {
        ipr = reass_new(fh);
        if (ipr == NULL) {
            IPFRAG_STATS_INC(memerr);
            frag_drop(NG_drop_REASS_FULL, p);
            return NULL;
        }
    }

    switch (reass_insert(ipr, p, start, (u16_t)(start + len), hlen, last)) {
    case REASS_DUPLICATE:
        frag_drop(NG_drop_REASS_DUP, p);
        return NULL;
    case REASS_CONFLICT:
        IPFRAG_STATS_INC(proterr);
        frag_drop(NG_drop_REASS_BAD, p);
        reass_discard(ipr, NG_drop_REASS_BAD);  /* (with nothing held: just the slot) */
        return NULL;
    case REASS_ADDED:
        break;
    }
    ipr->pbufs = (u16_t)(ipr->pbufs + clen);
    reass_pbufcount = (u16_t)(reass_pbufcount + clen);

    if (!reass_complete(ipr))
        return NULL;
    /* The whole datagram's header must fit its 16-bit total length too
     * (fragment 0 may carry options). */
    if ((u32_t)IPH_HL_BYTES(&ipr->iphdr) + ipr->datagram_len > 0xffffU) {
        IPFRAG_STATS_INC(lenerr);
        reass_discard(ipr, NG_drop_REASS_TOO_BIG);
        return NULL;
    }
    return reass_join(ipr);
}

struct pbuf *ip4_reass(struct pbuf *p)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_reass, p);
    struct pbuf *whole = reass_fragment(p);
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_reass);
    return whole;
}

/* ---- fragmentation ---------------------------------------------------------- */

static void frag_ref_free(struct pbuf *p)
{
    struct pbuf_custom_ref *ref = (struct pbuf_custom_ref *)p;
    pbuf_free(ref->original);
    memp_free(MEMP_FRAG_PBUF, ref);
}

/* Chain to h the n bytes of p from offset off, as references into p's
 * pbufs (one pbuf_custom_ref per pbuf of p they lie in). */
static err_t frag_attach(struct pbuf *h, struct pbuf *p, unsigned off, unsigned n)
{
    u16_t qoff;
    struct pbuf *q = pbuf_skip(p, (u16_t)off, &qoff);
    while (n > 0 && q) {
        unsigned take = LWIP_MIN(n, (unsigned)(q->len - qoff));
        if (take > 0) {
            struct pbuf_custom_ref *ref = memp_malloc(MEMP_FRAG_PBUF);
            if (ref == NULL)
                return ERR_MEM;
            ref->pc.custom_free_function = frag_ref_free;
            ref->original = q;
            /* cannot fail: PBUF_RAW puts nothing in front, and the memory
             * given is exactly the length asked for */
            struct pbuf *r = pbuf_alloced_custom(PBUF_RAW, (u16_t)take, PBUF_REF, &ref->pc,
                                                 (u8_t *)q->payload + qoff, (u16_t)take);
            pbuf_ref(q);
            pbuf_cat(h, r);
            n -= take;
        }
        qoff = 0;
        q = q->next;
    }
    return n == 0 ? ERR_OK : ERR_VAL;
}

/* RFC 791 3.1 "Options", the copied flag: fragments after the first carry
 * only the options whose type has bit 0x80 set. Writes the header for
 * them into out and returns its length (padded to whole words). */
static unsigned frag_later_header(const u8_t *hdr, unsigned hlen, u8_t *out)
{
    unsigned n = IP_HLEN;
    copy_fixed_header(out, hdr);
    for (unsigned i = IP_HLEN; i < hlen;) {
        u8_t type = hdr[i];
        if (type == 0)
            break;
        unsigned olen = (type == 1 || i + 1 >= hlen) ? 1 : hdr[i + 1];
        if (olen < 1 || i + olen > hlen)
            break;
        if (type & 0x80) {
            memcpy(out + n, hdr + i, olen);
            n += olen;
        }
        i += olen;
    }
    while (n & 3)
        out[n++] = 0;       /* end of option list, then padding */
    IPH_VHL_SET((struct ip_hdr *)out, 4, n / 4);
    return n;
}

static err_t frag_send(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest)
{
    const struct ip_hdr *orig = p->payload;
    unsigned hlen = IPH_HL_BYTES(orig);
    u8_t later[IP_HLEN_MAX];
    unsigned later_hlen = frag_later_header(p->payload, hlen, later);
    unsigned field = lwip_ntohs(IPH_OFFSET(orig));
    unsigned base = field & IP_OFFMASK;     /* p may be a fragment itself (forwarding) */
    int orig_mf = (field & IP_MF) != 0;
    unsigned left = p->tot_len - hlen;
    unsigned done = 0;
    err_t result = ERR_OK;

    while (left > 0) {
        const u8_t *fhdr = done == 0 ? (const u8_t *)p->payload : later;
        unsigned fhl = done == 0 ? hlen : later_hlen;
        if (netif->mtu < fhl + 8)
            return ERR_VAL;     /* not even 8 bytes of data fit */
        unsigned room = (netif->mtu - fhl) & ~7U;
        unsigned n = LWIP_MIN(left, room);
        int last = n == left;

        struct pbuf *h = pbuf_alloc(PBUF_LINK, (u16_t)fhl, PBUF_RAM);
        if (h == NULL) {
            IPFRAG_STATS_INC(memerr);
            return ERR_MEM;
        }
        memcpy(h->payload, fhdr, fhl);
        struct ip_hdr *fh = h->payload;
        IPH_LEN_SET(fh, lwip_htons((u16_t)(fhl + n)));
        unsigned off = (base + done / 8) & IP_OFFMASK;
        IPH_OFFSET_SET(fh, lwip_htons((u16_t)(off | ((!last || orig_mf) ? IP_MF : 0))));
        IPH_CHKSUM_SET(fh, 0);
        IPH_CHKSUM_SET(fh, inet_chksum(fh, (u16_t)fhl));

        err_t err = frag_attach(h, p, hlen + done, n);
        if (err != ERR_OK) {
            IPFRAG_STATS_INC(memerr);
            pbuf_free(h);
            return err;
        }
        IPFRAG_STATS_INC(xmit);
        err = netif->output(netif, h, dest);
        if (result == ERR_OK)
            result = err;
        pbuf_free(h);
        done += n;
        left -= n;
    }
    return result;
}

err_t ip4_frag(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_frag, p);
    err_t err = frag_send(p, netif, dest);
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_frag);
    return err;
}
