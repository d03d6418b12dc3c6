/*
 * net/tcp_out.c - the sending half of TCP (RFC 9293 3.8, 3.10.1, 3.10.2;
 * RFC 6298 for the retransmission timer, RFC 5681 3.2 for fast
 * retransmit, RFC 1122 4.2.3.4 for sender silly window avoidance):
 * building segments, deciding when they may go, and handing them to IP.
 *
 * How a byte goes from tcp_write to the wire
 * ------------------------------------------
 * 1. Queueing (tcp_write, RFC 9293 3.10.2 "SEND Call"). tcp_write sends
 *    nothing. It takes the bytes from the send buffer (snd_buf), gives
 *    each one its sequence number right away (snd_lbb counts on), and
 *    cuts them into segments of at most one MSS, each a pbuf chain with
 *    room in front for the TCP, IP and Ethernet headers, on the unsent
 *    queue. Small writes are gathered: the last unsent segment is filled
 *    first, in the spare room its pbuf was given for that (TCP_OVERSIZE)
 *    or with a pbuf chained behind it. With TCP_WRITE_FLAG_COPY the bytes
 *    are copied; without it a PBUF_ROM pbuf points at the caller's bytes,
 *    which must then stay put until they are acknowledged.
 *
 * 2. Deciding (tcp_output). A segment at the head of unsent may go when
 *    all of it lies inside the send window: the peer's offer (SND.WND,
 *    RFC 9293 3.8.6) and the congestion window (RFC 5681 3.1: never more
 *    in flight than min(cwnd, rwnd)). A small last segment also waits
 *    while data is in flight (Nagle, RFC 9293 3.7.4), so that a stream of
 *    tiny writes becomes few full segments. When the peer's window is too
 *    small for the next segment and nothing is in flight, no ACK will ever
 *    come to open it: the persist timer starts (RFC 9293 3.8.6.1) and
 *    probes it. Segments are never cut to fit a small window unless the
 *    piece is worth it (sender SWS avoidance, RFC 1122 4.2.3.4).
 *
 * 3. Sending (tcp_output_segment). Only now are the fields filled that
 *    change while a segment waits: the acknowledgment (RCV.NXT) and the
 *    window we offer. So every data segment also acknowledges what we
 *    received (piggybacking, RFC 9293 3.8.6.3): no separate ACK is owed
 *    after it. The checksum covers the pseudo-header and the whole
 *    segment (RFC 9293 3.1). IP puts its header into the room in front.
 *    The segment moves to the unacked queue; the retransmission timer
 *    runs while anything is there, and one segment at a time is timed
 *    for the RTT (RFC 6298).
 *
 * 4. Acknowledged (net/tcp_in.c). The peer's ACK frees what it covers and
 *    gives the room back to snd_buf (the sent callback tells the app).
 *
 * 5. Lost. The RTO timer (net/tcp.c) puts everything unacked back in
 *    front of unsent (tcp_rexmit_rto): with cwnd at one segment, slow
 *    start sends it again. Three duplicate ACKs resend only the first
 *    unacked segment (tcp_rexmit_fast, RFC 5681 3.2). A resent segment is
 *    never timed (Karn's rule, RFC 6298 3), and the same pbuf goes out
 *    again: tcp_output_segment puts its payload back at the TCP header
 *    first, and leaves alone a pbuf still held below (p->ref > 1).
 *
 * 6. Segments that carry no queued data are built on the spot and freed
 *    after sending: a bare ACK (tcp_send_empty_ack), a RST (tcp_rst), a
 *    keepalive (tcp_keepalive) and a zero-window probe.
 *
 * What happens when IP refuses a queued segment (no route, no memory for
 * the ARP queue, the driver failed): to TCP the segment is sent and lost,
 * exactly as if the network had dropped it; it stays on unacked and the
 * RTO timer sends it again (and, after too many tries, gives up). The
 * error is still returned to the caller of tcp_output.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/priv/tcp_priv.h"
#include "trace.h"

#if LWIP_TCP

/* RFC 9293 3.7.1: the send MSS when nothing better is known (a PCB whose
 * mss was never set). */
#define TCP_DEFAULT_SEND_MSS 536U

/* ---- Small helpers --------------------------------------------------------------- */

static u32_t tcp_seg_seqno(const struct tcp_seg *seg)
{
    return lwip_ntohl(seg->tcphdr->seqno);
}

static struct tcp_seg *tcp_seg_last(struct tcp_seg *seg)
{
    if (seg == NULL)
        return NULL;
    while (seg->next != NULL)
        seg = seg->next;
    return seg;
}

static u16_t tcp_send_mss(const struct tcp_pcb *pcb)
{
    return pcb->mss != 0 ? pcb->mss : (u16_t)TCP_DEFAULT_SEND_MSS;
}

/* IP prepends its header (and Ethernet its) in front of seg->tcphdr, so
 * after a segment went out its pbuf's payload points there. Before the
 * pbuf is used again, the payload goes back to the TCP header. */
static void tcp_seg_restore_payload(struct tcp_seg *seg)
{
    u8_t *payload = seg->p->payload;
    u8_t *hdr = (u8_t *)seg->tcphdr;
    LWIP_ASSERT("tcp_seg: payload behind the TCP header", payload <= hdr);
    if (payload != hdr)
        pbuf_remove_header(seg->p, (size_t)(hdr - payload));
}

/* Is the pbuf of seg still held by a layer below (the ARP queue keeps a
 * reference to a packet waiting for an address)? Then it must not be
 * touched: the bytes and the payload pointer belong to that queue too. */
static int tcp_seg_busy(const struct tcp_seg *seg)
{
    return seg->p->ref > 1;
}

/* The window we offer in a segment we send now, and what we remember of
 * it. RFC 9293 3.8.6.2.2 (receiver SWS avoidance): tcp_update_rcv_ann_wnd
 * (net/tcp.c) moves the right edge only by a worthwhile amount; what we
 * announce is remembered as rcv_ann_wnd and its right edge, so a later
 * segment never offers less than this one did (RFC 9293 3.8.6: do not
 * shrink the window). Before the SYN-ACK arrives RCV.NXT is unknown: the
 * SYN offers the whole receive window and nothing is remembered. Our
 * SYN-ACK (syn set, RCV.NXT known) offers the whole window too, and that
 * is where the remembered right edge starts. */
static u16_t tcp_announce_wnd(struct tcp_pcb *pcb, int syn)
{
    if (pcb->state == SYN_SENT)
        return pcb->rcv_wnd;
    if (syn)
        pcb->rcv_ann_wnd = pcb->rcv_wnd;
    else
        tcp_update_rcv_ann_wnd(pcb);
    pcb->rcv_ann_right_edge = pcb->rcv_nxt + pcb->rcv_ann_wnd;
    return pcb->rcv_ann_wnd;
}

/* ---- Building segments ------------------------------------------------------------ */

/* A queue entry for p, whose payload holds optlen option bytes and then
 * the data; the TCP header goes in front (the room was reserved when p
 * was allocated at PBUF_TRANSPORT). Takes p, also on failure. Only what
 * is known now is filled in; ackno, window and checksum are filled in by
 * tcp_output_segment each time the segment is sent. */
static struct tcp_seg *tcp_create_segment(const struct tcp_pcb *pcb, struct pbuf *p,
                                          u8_t hdrflags, u32_t seqno, u8_t optflags)
{
    u8_t optlen = LWIP_TCP_OPT_LENGTH(optflags);
    struct tcp_seg *seg = memp_malloc(MEMP_TCP_SEG);
    if (seg == NULL) {
        pbuf_free(p);
        return NULL;
    }
    seg->next = NULL;
    seg->p = p;
    seg->flags = optflags;
    seg->nrtx = 0;
    seg->len = (u16_t)(p->tot_len - optlen);
    if (pbuf_add_header(p, TCP_HLEN)) {
        memp_free(MEMP_TCP_SEG, seg);
        pbuf_free(p);
        return NULL;
    }
    struct tcp_hdr *hdr = p->payload;
    seg->tcphdr = hdr;
    hdr->src = lwip_htons(pcb->local_port);
    hdr->dest = lwip_htons(pcb->remote_port);
    hdr->seqno = lwip_htonl(seqno);
    hdr->ackno = 0;
    TCPH_HDRLEN_FLAGS_SET(hdr, (TCP_HLEN + optlen) / 4, hdrflags);
    hdr->wnd = 0;
    hdr->chksum = 0;
    hdr->urgp = 0;
    return seg;
}

/* Will more data likely join this segment before it goes? Then give its
 * pbuf spare room (TCP_OVERSIZE) for it: the app said more is coming, or
 * Nagle will hold the segment because other data is queued or in flight.
 * Otherwise the segment leaves at once and spare room would be wasted. */
static int tcp_want_oversize(const struct tcp_pcb *pcb, u8_t apiflags, int first_seg)
{
    if (apiflags & TCP_WRITE_FLAG_MORE)
        return 1;
    if (pcb->flags & TF_NODELAY)
        return 0;
    return !first_seg || pcb->unsent != NULL || pcb->unacked != NULL;
}

/* A PBUF_RAM pbuf for len data bytes (at most max_len), at layer, with
 * len as its length and *oversize bytes of spare room behind them. */
static struct pbuf *tcp_pbuf_prealloc(pbuf_layer layer, u16_t len, u16_t max_len,
                                      u16_t *oversize, const struct tcp_pcb *pcb,
                                      u8_t apiflags, int first_seg)
{
    u16_t alloc = len;
    if (len < max_len && tcp_want_oversize(pcb, apiflags, first_seg))
        alloc = (u16_t)LWIP_MIN((u32_t)max_len, LWIP_MEM_ALIGN_SIZE((u32_t)len + TCP_OVERSIZE));
    struct pbuf *p = pbuf_alloc(layer, alloc, PBUF_RAM);
    if (p == NULL)
        return NULL;
    *oversize = (u16_t)(p->len - len);
    p->len = len;
    p->tot_len = len;
    return p;
}

/* What one tcp_write adds, kept aside until all of it could be built:
 * then it is committed at once, else thrown away (nothing of a failed
 * write stays queued). */
struct tcp_write_plan {
    struct tcp_seg *tail;       /* the last unsent segment (NULL: none) */
    int extend;                 /* may tail take more data? */
    u16_t space;                /* bytes tail can still take (up to an MSS) */
    u16_t oversize_used;        /* copied into tail's spare room (not counted yet) */
    struct pbuf *concat;        /* a pbuf to chain behind tail */
    u16_t concat_oversize;      /* spare room in it */
    struct tcp_seg *queue;      /* new segments, in order */
    struct tcp_seg *queue_tail;
    u16_t queue_oversize;       /* spare room in the last new segment */
    u16_t queuelen;             /* snd_queuelen once committed */
};

/* May the last unsent segment take more bytes? Only one never sent (its
 * pbuf held by nobody else) with no SYN, FIN or RST. */
static int tcp_seg_extendable(const struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
    return seg != NULL && !tcp_seg_busy(seg) &&
           (TCPH_FLAGS(seg->tcphdr) & (TCP_SYN | TCP_FIN | TCP_RST)) == 0 &&
           TCP_SEQ_GEQ(tcp_seg_seqno(seg), pcb->snd_nxt) && seg->len < tcp_send_mss(pcb);
}

/* Step 1: copy into the spare room behind the last unsent segment's data
 * (the lengths are raised only at commit). Returns bytes taken. */
static u16_t tcp_fill_oversize(const struct tcp_pcb *pcb, struct tcp_write_plan *w,
                               const u8_t *data, u16_t len)
{
    if (!w->extend || pcb->unsent_oversize == 0)
        return 0;
    u16_t n = (u16_t)LWIP_MIN(LWIP_MIN(w->space, pcb->unsent_oversize), len);
    struct pbuf *q = w->tail->p;
    while (q->next != NULL)
        q = q->next;
    memcpy((u8_t *)q->payload + q->len, data, n);
    w->oversize_used = n;
    return n;
}

/* Step 2: a pbuf with up to the rest of the last segment's room, to be
 * chained behind it: a copy, or a PBUF_ROM pointing at the caller's data.
 * Returns bytes taken, or -1 when out of memory. */
static int tcp_fill_concat(const struct tcp_pcb *pcb, struct tcp_write_plan *w,
                           const u8_t *data, u16_t len, u8_t apiflags)
{
    u16_t room = (u16_t)(w->space - w->oversize_used);
    if (!w->extend || room == 0 || len == 0)
        return 0;
    u16_t n = LWIP_MIN(room, len);
    struct pbuf *p;
    if (apiflags & TCP_WRITE_FLAG_COPY) {
        p = tcp_pbuf_prealloc(PBUF_RAW, n, room, &w->concat_oversize, pcb, apiflags, 1);
        if (p != NULL)
            memcpy(p->payload, data, n);
    } else {
        p = pbuf_alloc_reference((void *)data, n, PBUF_ROM);
        w->concat_oversize = 0;
    }
    if (p == NULL)
        return -1;
    if (w->queuelen + pbuf_clen(p) > TCP_SND_QUEUELEN) {
        pbuf_free(p);
        return -1;
    }
    w->concat = p;
    w->queuelen = (u16_t)(w->queuelen + pbuf_clen(p));
    return n;
}

/* One new segment of len bytes at seqno (step 3). */
static struct tcp_seg *tcp_new_data_segment(const struct tcp_pcb *pcb, struct tcp_write_plan *w,
                                            const u8_t *data, u16_t len, u32_t seqno,
                                            u8_t apiflags)
{
    struct pbuf *p;
    u16_t oversize = 0;
    if (apiflags & TCP_WRITE_FLAG_COPY) {
        p = tcp_pbuf_prealloc(PBUF_TRANSPORT, len, tcp_send_mss(pcb), &oversize, pcb, apiflags,
                              w->queue == NULL);
        if (p == NULL)
            return NULL;
        memcpy(p->payload, data, len);
    } else {
        /* A header pbuf, the caller's bytes chained behind it. */
        p = pbuf_alloc(PBUF_TRANSPORT, 0, PBUF_RAM);
        if (p == NULL)
            return NULL;
        struct pbuf *ref = pbuf_alloc_reference((void *)data, len, PBUF_ROM);
        if (ref == NULL) {
            pbuf_free(p);
            return NULL;
        }
        pbuf_cat(p, ref);
    }
    u16_t clen = pbuf_clen(p);
    if (w->queuelen + clen > TCP_SND_QUEUELEN) {
        pbuf_free(p);
        return NULL;
    }
    struct tcp_seg *seg = tcp_create_segment(pcb, p, 0, seqno, 0);
    if (seg == NULL)
        return NULL;
    w->queuelen = (u16_t)(w->queuelen + clen);
    w->queue_oversize = oversize;
    return seg;
}

/* Make what tcp_write adds part of the queue, all at once. */
static void tcp_write_commit(struct tcp_pcb *pcb, struct tcp_write_plan *w, u16_t len,
                             u8_t apiflags)
{
    struct tcp_seg *tail = w->tail;
    if (w->oversize_used > 0) {
        struct pbuf *q = tail->p;
        for (;; q = q->next) {
            q->tot_len = (u16_t)(q->tot_len + w->oversize_used);
            if (q->next == NULL)
                break;
        }
        q->len = (u16_t)(q->len + w->oversize_used);
        tail->len = (u16_t)(tail->len + w->oversize_used);
        pcb->unsent_oversize = (u16_t)(pcb->unsent_oversize - w->oversize_used);
    }
    if (w->concat != NULL) {
        u16_t n = w->concat->tot_len;
        pbuf_cat(tail->p, w->concat);
        tail->len = (u16_t)(tail->len + n);
        pcb->unsent_oversize = w->concat_oversize;
    }
    struct tcp_seg *last = tail;
    if (w->queue != NULL) {
        if (tail != NULL)
            tail->next = w->queue;
        else
            pcb->unsent = w->queue;
        last = w->queue_tail;
        pcb->unsent_oversize = w->queue_oversize;
    }
    /* RFC 9293 3.9.1 (SEND, PUSH flag): the last segment of a write is
     * pushed, unless the app says more is coming right away. */
    if (!(apiflags & TCP_WRITE_FLAG_MORE))
        TCPH_SET_FLAG(last->tcphdr, TCP_PSH);
    pcb->snd_lbb += len;
    pcb->snd_buf = (tcpwnd_size_t)(pcb->snd_buf - len);
    pcb->snd_queuelen = w->queuelen;
}

/* Queue len bytes of data at snd_lbb (tcp_write has checked that they fit). */
static err_t tcp_enqueue_data(struct tcp_pcb *pcb, const u8_t *data, u16_t len, u8_t apiflags)
{
    struct tcp_write_plan w;
    memset(&w, 0, sizeof w);
    u16_t mss = tcp_send_mss(pcb);
    w.tail = tcp_seg_last(pcb->unsent);
    w.extend = tcp_seg_extendable(pcb, w.tail);
    w.space = w.extend ? (u16_t)(mss - w.tail->len) : 0;
    w.queuelen = pcb->snd_queuelen;

    u16_t pos = tcp_fill_oversize(pcb, &w, data, len);
    int n = tcp_fill_concat(pcb, &w, data + pos, (u16_t)(len - pos), apiflags);
    if (n < 0)
        goto memerr;
    pos = (u16_t)(pos + n);
    while (pos < len) {
        u16_t seglen = (u16_t)LWIP_MIN((u32_t)mss, (u32_t)(len - pos));
        struct tcp_seg *seg = tcp_new_data_segment(pcb, &w, data + pos, seglen,
                                                   pcb->snd_lbb + pos, apiflags);
        if (seg == NULL)
            goto memerr;
        if (w.queue == NULL)
            w.queue = seg;
        else
            w.queue_tail->next = seg;
        w.queue_tail = seg;
        pos = (u16_t)(pos + seglen);
    }
    tcp_write_commit(pcb, &w, len, apiflags);
    return ERR_OK;

memerr:
    /* Undo: nothing of this write stays. Bytes copied into spare room are
     * harmless (the lengths never covered them). */
    if (w.concat != NULL)
        pbuf_free(w.concat);
    if (w.queue != NULL)
        tcp_segs_free(w.queue);
    tcp_set_flags(pcb, TF_NAGLEMEMERR);
    TCP_STATS_INC(memerr);
    return ERR_MEM;
}

static err_t tcp_enqueue(struct tcp_pcb *pcb, const u8_t *data, u16_t len, u8_t apiflags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_enqueue, pcb);
    err_t err = tcp_enqueue_data(pcb, data, len, apiflags);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_enqueue);
    return err;
}

/* RFC 9293 3.10.2 "SEND Call": in SYN-SENT and SYN-RECEIVED the data is
 * queued for after the handshake; in ESTABLISHED and CLOSE-WAIT it is
 * queued to go; once we closed (FIN-WAIT-1 ...) it is "error: connection
 * closing". A full send buffer is lwIP's ERR_MEM (try again when the sent
 * callback reports room); TF_NAGLEMEMERR then lets what is queued go
 * without waiting for Nagle, since the app cannot add to it. */
static err_t tcp_write_checks(struct tcp_pcb *pcb, u16_t len)
{
    if (pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT && pcb->state != SYN_SENT &&
        pcb->state != SYN_RCVD)
        return ERR_CONN;
    if (len > pcb->snd_buf || pcb->snd_queuelen >= TCP_SND_QUEUELEN) {
        tcp_set_flags(pcb, TF_NAGLEMEMERR);
        TCP_STATS_INC(memerr);
        return ERR_MEM;
    }
    return ERR_OK;
}

static err_t tcp_write_body(struct tcp_pcb *pcb, const void *data, u16_t len, u8_t apiflags)
{
    if (pcb == NULL || (data == NULL && len > 0))
        return ERR_ARG;
    err_t err = tcp_write_checks(pcb, len);
    if (err != ERR_OK || len == 0)
        return err;
    return tcp_enqueue(pcb, data, len, apiflags);
}

err_t tcp_write(struct tcp_pcb *pcb, const void *dataptr, u16_t len, u8_t apiflags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_write, pcb);
    err_t err = tcp_write_body(pcb, dataptr, len, apiflags);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_write);
    return err;
}

/* ---- SYN and FIN ------------------------------------------------------------------- */

static void tcp_unsent_append(struct tcp_pcb *pcb, struct tcp_seg *seg)
{
    struct tcp_seg *last = tcp_seg_last(pcb->unsent);
    if (last == NULL)
        pcb->unsent = seg;
    else
        last->next = seg;
    pcb->unsent_oversize = 0;       /* the new last segment has no spare room */
}

/* RFC 9293 3.4 (SYN and FIN take one sequence number each) and 3.7.1 (the
 * SYN carries our MSS option; the option is written when it is sent,
 * tcp_output_segment). SYN and FIN use no send buffer. */
static err_t tcp_enqueue_flags_body(struct tcp_pcb *pcb, u8_t flags)
{
    LWIP_ASSERT("tcp_enqueue_flags: SYN or FIN", (flags & (TCP_SYN | TCP_FIN)) != 0);
    u8_t optflags = (flags & TCP_SYN) ? TF_SEG_OPTS_MSS : 0;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, LWIP_TCP_OPT_LENGTH(optflags), PBUF_RAM);
    struct tcp_seg *seg = p ? tcp_create_segment(pcb, p, flags, pcb->snd_lbb, optflags) : NULL;
    if (seg == NULL) {
        tcp_set_flags(pcb, TF_NAGLEMEMERR);
        TCP_STATS_INC(memerr);
        return ERR_MEM;
    }
    tcp_unsent_append(pcb, seg);
    pcb->snd_lbb++;
    if (flags & TCP_FIN)
        tcp_set_flags(pcb, TF_FIN);
    pcb->snd_queuelen = (u16_t)(pcb->snd_queuelen + pbuf_clen(seg->p));
    return ERR_OK;
}

err_t tcp_enqueue_flags(struct tcp_pcb *pcb, u8_t flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_enqueue, pcb);
    err_t err = tcp_enqueue_flags_body(pcb, flags);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_enqueue);
    return err;
}

/* RFC 9293 3.10.4 "CLOSE Call": the FIN follows all queued data. It rides
 * on the last unsent segment when that one can take it (no SYN, FIN or
 * RST, and its pbuf is ours alone), else it gets a segment of its own. */
static err_t tcp_send_fin_body(struct tcp_pcb *pcb)
{
    struct tcp_seg *last = tcp_seg_last(pcb->unsent);
    if (last != NULL && !tcp_seg_busy(last) &&
        (TCPH_FLAGS(last->tcphdr) & (TCP_SYN | TCP_FIN | TCP_RST)) == 0) {
        TCPH_SET_FLAG(last->tcphdr, TCP_FIN);
        pcb->snd_lbb++;
        tcp_set_flags(pcb, TF_FIN);
        pcb->unsent_oversize = 0;   /* no data may follow the FIN */
        return ERR_OK;
    }
    return tcp_enqueue_flags_body(pcb, TCP_FIN);
}

err_t tcp_send_fin(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_enqueue, pcb);
    err_t err = tcp_send_fin_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_enqueue);
    return err;
}

/* ---- Sending one queued segment ------------------------------------------------------ */

static void tcp_write_mss_option(struct tcp_pcb *pcb, struct tcp_seg *seg)
{
    /* RFC 9293 3.7.1: kind 2, length 4, our MSS: what our side can
     * receive through the interface toward the peer. */
    u16_t mss = tcp_eff_send_mss(TCP_MSS, &pcb->remote_ip, &pcb->local_ip);
    u8_t *opt = (u8_t *)seg->tcphdr + TCP_HLEN;
    opt[0] = TCP_OPT_MSS;
    opt[1] = 4;
    opt[2] = (u8_t)(mss >> 8);
    opt[3] = (u8_t)(mss & 0xff);
}

/* The fields that change while a segment waits: ACK (RFC 9293 3.10.7.4:
 * every segment but the first SYN of an active open carries it), the
 * acknowledgment and window, options, checksum. */
static int tcp_fill_header(struct tcp_seg *seg, struct tcp_pcb *pcb)
{
    struct tcp_hdr *hdr = seg->tcphdr;
    int ack = pcb->state != SYN_SENT;
    if (ack) {
        TCPH_SET_FLAG(hdr, TCP_ACK);
        hdr->ackno = lwip_htonl(pcb->rcv_nxt);
    } else {
        hdr->ackno = 0;
    }
    hdr->wnd = lwip_htons(tcp_announce_wnd(pcb, (TCPH_FLAGS(hdr) & TCP_SYN) != 0));
    if (seg->flags & TF_SEG_OPTS_MSS)
        tcp_write_mss_option(pcb, seg);
    hdr->urgp = 0;
    hdr->chksum = 0;
    return ack;
}

/* RFC 6298 5.1: the timer runs while data is outstanding. RFC 6298 3
 * (Karn): a segment sent again is never timed, and one at a time is. */
static void tcp_seg_timing(struct tcp_seg *seg, struct tcp_pcb *pcb, u32_t seqno)
{
    if (pcb->rtime < 0)
        pcb->rtime = 0;
    if (pcb->rttest == 0 && seg->nrtx == 0) {
        pcb->rttest = tcp_ticks;
        pcb->rtseq = seqno;
    }
}

static err_t tcp_output_segment_body(struct tcp_seg *seg, struct tcp_pcb *pcb,
                                     struct netif *netif)
{
    u32_t seqno = tcp_seg_seqno(seg);
    /* snd_nxt is SND.MAX here: it never moves back (not by an RTO either). */
    if (TCP_SEQ_LT(pcb->snd_nxt, seqno + TCP_TCPLEN(seg)))
        pcb->snd_nxt = seqno + TCP_TCPLEN(seg);

    /* A retransmission whose earlier copy still waits below (in an ARP
     * queue for the peer's address) is not sent again: that copy goes out
     * when the address is known, and touching the pbuf now would change
     * the queued packet under that queue. As in lwIP, it counts as sent. */
    if (tcp_seg_busy(seg)) {
        if (pcb->rtime < 0)
            pcb->rtime = 0;
        return ERR_OK;
    }
    tcp_seg_restore_payload(seg);
    tcp_seg_timing(seg, pcb, seqno);
    int ack = tcp_fill_header(seg, pcb);
    if (netif == NULL) {
        TCP_STATS_INC(rterr);
        return ERR_RTE;             /* lost, as far as TCP cares: see the top */
    }
    seg->tcphdr->chksum = ip_chksum_pseudo(seg->p, IP_PROTO_TCP, seg->p->tot_len,
                                           &pcb->local_ip, &pcb->remote_ip);
    TCP_STATS_INC(xmit);
    err_t err = ip_output_if(seg->p, &pcb->local_ip, &pcb->remote_ip, pcb->ttl, pcb->tos,
                             IP_PROTO_TCP, netif);
    /* Ready for the next time, unless a queue below still holds it. */
    if (!tcp_seg_busy(seg))
        tcp_seg_restore_payload(seg);
    /* The peer got our latest ACK with it: none is owed any more. */
    if (ack && err == ERR_OK)
        tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
    return err;
}

static err_t tcp_output_segment(struct tcp_seg *seg, struct tcp_pcb *pcb, struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_output_segment, seg->p);
    err_t err = tcp_output_segment_body(seg, pcb, netif);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_output_segment);
    return err;
}

/* ---- Deciding what goes: tcp_output --------------------------------------------------- */

/* Does seg, the head of unsent, lie inside the window wnd (counted from
 * SND.UNA)? Only its data counts: a SYN or FIN alone always fits. */
static int tcp_seg_fits(const struct tcp_pcb *pcb, const struct tcp_seg *seg, u32_t wnd)
{
    return tcp_seg_seqno(seg) - pcb->lastack + seg->len <= wnd;
}

/* Cut the head of unsent after its first `split` data bytes: the rest
 * becomes a new segment behind it (with the PSH and FIN of the original).
 * ERR_VAL if it cannot be cut, ERR_MEM when out of memory. */
static err_t tcp_split_unsent_head(struct tcp_pcb *pcb, u16_t split)
{
    struct tcp_seg *seg = pcb->unsent;
    if (seg == NULL || split == 0 || split >= seg->len || seg->flags != 0 || tcp_seg_busy(seg) ||
        (TCPH_FLAGS(seg->tcphdr) & TCP_SYN))
        return ERR_VAL;
    tcp_seg_restore_payload(seg);
    u16_t hdrlen = TCPH_HDRLEN_BYTES(seg->tcphdr);
    u16_t rest = (u16_t)(seg->len - split);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, rest, PBUF_RAM);
    if (p == NULL) {
        TCP_STATS_INC(memerr);
        return ERR_MEM;
    }
    pbuf_copy_partial(seg->p, p->payload, rest, (u16_t)(hdrlen + split));
    u8_t moved = TCPH_FLAGS(seg->tcphdr) & (TCP_PSH | TCP_FIN);
    struct tcp_seg *tail = tcp_create_segment(pcb, p, moved, tcp_seg_seqno(seg) + split, 0);
    if (tail == NULL) {
        TCP_STATS_INC(memerr);
        return ERR_MEM;
    }
    u16_t clen_before = pbuf_clen(seg->p);
    pbuf_realloc(seg->p, (u16_t)(hdrlen + split));
    seg->len = split;
    TCPH_UNSET_FLAG(seg->tcphdr, TCP_PSH | TCP_FIN);
    tail->nrtx = seg->nrtx;
    tail->next = seg->next;
    seg->next = tail;
    if (tail->next == NULL)
        pcb->unsent_oversize = 0;
    pcb->snd_queuelen = (u16_t)(pcb->snd_queuelen - clen_before + pbuf_clen(seg->p) +
                                pbuf_clen(tail->p));
    return ERR_OK;
}

/* Data bytes of the window left for the head of unsent (0 if none). */
static u32_t tcp_usable_wnd(const struct tcp_pcb *pcb, u32_t wnd)
{
    u32_t used = tcp_seg_seqno(pcb->unsent) - pcb->lastack;
    return used < wnd ? wnd - used : 0;
}

/* RFC 1122 4.2.3.4, sender SWS avoidance. Segments here are cut when the
 * data is queued, so a small window never makes us send a small segment
 * by itself: a segment waits until all of it fits ("if a maximum-sized
 * segment can be sent", and for the last one "all queued data can be
 * sent now", Nagle's bracket taken care of by tcp_may_send). The one case
 * where cutting is worth it is condition (3): the part that fits is at
 * least Fs = 1/2 of the largest window the peer ever offered (our
 * estimate of its buffer), limited by the peer's window, not by cwnd, and
 * with nothing in flight unless Nagle is off. Returns 1 if the head of
 * unsent was cut to fit. */
static int tcp_sws_split(struct tcp_pcb *pcb, u32_t wnd)
{
    if (pcb->snd_wnd > pcb->cwnd)
        return 0;                   /* congestion limits us: wait for ACKs */
    if (pcb->unacked != NULL && !(pcb->flags & TF_NODELAY))
        return 0;
    u32_t usable = tcp_usable_wnd(pcb, wnd);
    u32_t max_wnd = LWIP_MAX(pcb->snd_wnd_max, pcb->snd_wnd);
    if (usable == 0 || usable < max_wnd / 2 || usable >= pcb->unsent->len)
        return 0;
    return tcp_split_unsent_head(pcb, (u16_t)usable) == ERR_OK;
}

/* RFC 9293 3.8.6.1: the peer's window is too small for the next segment
 * and nothing is in flight, so no ACK will come to open it: start the
 * persist timer (tcp_slowtmr probes, tcp_receive stops it). When cwnd is
 * what is too small, data is in flight and its ACKs will come. */
static void tcp_persist_start(struct tcp_pcb *pcb, u32_t wnd)
{
    if (wnd != pcb->snd_wnd || pcb->unacked != NULL || pcb->persist_backoff != 0)
        return;
    pcb->persist_cnt = 0;
    pcb->persist_backoff = 1;
    pcb->persist_probe = 0;
    TCP_TRACE_WND(pcb, ZERO, pcb->snd_wnd);
}

/* May seg, the head of unsent and inside the window, go now?
 * - RFC 9293 3.10.2: before the handshake completes only the SYN goes;
 *   data queued in SYN-SENT or SYN-RECEIVED waits for ESTABLISHED.
 * - A SYN or FIN, and anything sent before (a retransmission: its bytes
 *   already were in a window), go as they are.
 *   NOTE: lwIP applies Nagle to a small retransmitted segment too, which
 *   can delay a fast retransmit until the next ACK; we do not.
 * - RFC 9293 3.7.4 (Nagle): a segment smaller than the MSS waits while
 *   data is in flight, unless it cannot grow any more (others are queued
 *   behind it, or the app cannot add: TF_NAGLEMEMERR, full buffer), the
 *   app turned Nagle off (TF_NODELAY) or closed (TF_FIN: nothing more
 *   will come). tcp_do_output_nagle says all but the last two. */
static int tcp_may_send(const struct tcp_pcb *pcb, const struct tcp_seg *seg)
{
    u8_t flags = TCPH_FLAGS(seg->tcphdr);
    if ((pcb->state == SYN_SENT || pcb->state == SYN_RCVD) && !(flags & TCP_SYN))
        return 0;
    if ((flags & (TCP_SYN | TCP_FIN)) || TCP_SEQ_LT(tcp_seg_seqno(seg), pcb->snd_nxt))
        return 1;
    return tcp_do_output_nagle(pcb) || (pcb->flags & (TF_NAGLEMEMERR | TF_FIN)) != 0;
}

/* Put a segment just sent on unacked, in sequence order: at the end, or
 * (a retransmission) in front of the first segment after it. *tail is
 * the last segment of unacked. */
static void tcp_unacked_insert(struct tcp_pcb *pcb, struct tcp_seg *seg, struct tcp_seg **tail)
{
    seg->next = NULL;
    if (pcb->unacked == NULL) {
        pcb->unacked = seg;
        *tail = seg;
        return;
    }
    if (TCP_SEQ_LT(tcp_seg_seqno(*tail), tcp_seg_seqno(seg))) {
        (*tail)->next = seg;
        *tail = seg;
        return;
    }
    struct tcp_seg **cur = &pcb->unacked;
    while (*cur != NULL && TCP_SEQ_LT(tcp_seg_seqno(*cur), tcp_seg_seqno(seg)))
        cur = &(*cur)->next;
    seg->next = *cur;
    *cur = seg;
}

/* Send from the head of unsent while the window and Nagle allow. */
static err_t tcp_output_queue(struct tcp_pcb *pcb, struct netif *netif, u32_t wnd)
{
    err_t result = ERR_OK;
    struct tcp_seg *tail = tcp_seg_last(pcb->unacked);
    struct tcp_seg *seg;
    while ((seg = pcb->unsent) != NULL && tcp_seg_fits(pcb, seg, wnd) && tcp_may_send(pcb, seg)) {
        pcb->unsent = seg->next;
        err_t err = tcp_output_segment(seg, pcb, netif);
        if (result == ERR_OK)
            result = err;
        LWIP_ASSERT("tcp_output: queued segment without sequence space", TCP_TCPLEN(seg) > 0);
        tcp_unacked_insert(pcb, seg, &tail);
    }
    return result;
}

static err_t tcp_output_unsent(struct tcp_pcb *pcb)
{
    struct netif *netif = tcp_route(pcb, &pcb->local_ip, &pcb->remote_ip);
    /* Bound to the wildcard: from now on the connection is this address
     * (the checksum's pseudo-header needs it, RFC 9293 3.1). */
    if (netif != NULL && ip_addr_isany(&pcb->local_ip))
        ip_addr_copy(pcb->local_ip, *netif_ip4_addr(netif));
    /* RFC 5681 3.1: at most min(cwnd, rwnd) in flight. */
    u32_t wnd = LWIP_MIN(pcb->snd_wnd, pcb->cwnd);
    if (!tcp_seg_fits(pcb, pcb->unsent, wnd) && !tcp_sws_split(pcb, wnd)) {
        tcp_persist_start(pcb, wnd);
        return ERR_OK;
    }
    /* The head fits: there is no window to probe (any more). */
    pcb->persist_backoff = 0;
    return tcp_output_queue(pcb, netif, wnd);
}

static err_t tcp_output_body(struct tcp_pcb *pcb)
{
    if (pcb == NULL || pcb->state == LISTEN)
        return ERR_VAL;             /* a listening PCB has no queues */
    /* tcp_input calls us when the segment is processed: one ACK then
     * covers all it changed. */
    if (tcp_input_pcb == pcb)
        return ERR_OK;
    err_t err = ERR_OK;
    if (pcb->unsent != NULL)
        err = tcp_output_unsent(pcb);
    if (pcb->unsent == NULL) {
        pcb->unsent_oversize = 0;
        tcp_clear_flags(pcb, TF_NAGLEMEMERR);
    }
    /* An ACK is owed now and no segment carried it. */
    if (pcb->flags & TF_ACK_NOW) {
        err_t ack_err = tcp_send_empty_ack(pcb);
        if (err == ERR_OK)
            err = ack_err;
    }
    return err;
}

err_t tcp_output(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_output, pcb);
    err_t err = tcp_output_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_output);
    return err;
}

/* ---- Segments built on the spot: ACK, RST, keepalive, probe ----------------------- */

/* A pbuf with a TCP header (no options, window still 0) and room for
 * datalen bytes after it. */
static struct pbuf *tcp_alloc_header(u16_t datalen, u16_t local_port, u16_t remote_port,
                                     u32_t seqno, u32_t ackno, u8_t flags)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(TCP_HLEN + datalen), PBUF_RAM);
    if (p == NULL) {
        TCP_STATS_INC(memerr);
        return NULL;
    }
    struct tcp_hdr *hdr = p->payload;
    hdr->src = lwip_htons(local_port);
    hdr->dest = lwip_htons(remote_port);
    hdr->seqno = lwip_htonl(seqno);
    hdr->ackno = lwip_htonl(ackno);
    TCPH_HDRLEN_FLAGS_SET(hdr, TCP_HLEN / 4, flags);
    hdr->wnd = 0;
    hdr->chksum = 0;
    hdr->urgp = 0;
    return p;
}

/* The same from pcb's ports, with our ACK and window. */
static struct pbuf *tcp_output_alloc_header(struct tcp_pcb *pcb, u16_t datalen, u32_t seqno,
                                            u8_t flags)
{
    struct pbuf *p = tcp_alloc_header(datalen, pcb->local_port, pcb->remote_port, seqno,
                                      pcb->rcv_nxt, flags);
    if (p != NULL)
        ((struct tcp_hdr *)p->payload)->wnd = lwip_htons(tcp_announce_wnd(pcb, 0));
    return p;
}

/* Checksum p (a whole segment) and send it from src to dst; frees p.
 * pcb may be NULL (a RST for no connection): default TTL, TOS 0. */
static err_t tcp_output_control(const struct tcp_pcb *pcb, struct pbuf *p, const ip_addr_t *src,
                                const ip_addr_t *dst)
{
    struct netif *netif = tcp_route(pcb, src, dst);
    if (netif == NULL) {
        TCP_STATS_INC(rterr);
        pbuf_free(p);
        return ERR_RTE;
    }
    if (ip_addr_isany(src))
        src = netif_ip4_addr(netif);
    struct tcp_hdr *hdr = p->payload;
    hdr->chksum = ip_chksum_pseudo(p, IP_PROTO_TCP, p->tot_len, src, dst);
    TCP_STATS_INC(xmit);
    err_t err = ip_output_if(p, src, dst, pcb ? pcb->ttl : TCP_TTL, pcb ? pcb->tos : 0,
                             IP_PROTO_TCP, netif);
    pbuf_free(p);
    return err;
}

/* RFC 9293 3.10.7 and RFC 1122 4.2.2.20: an ACK without data, SEQ =
 * SND.NXT. When it cannot go, TF_ACK_NOW and TF_ACK_DELAY stay set so the
 * next tcp_output or the fast timer tries again. */
static err_t tcp_send_empty_ack_body(struct tcp_pcb *pcb)
{
    struct pbuf *p = tcp_output_alloc_header(pcb, 0, pcb->snd_nxt, TCP_ACK);
    err_t err = p ? tcp_output_control(pcb, p, &pcb->local_ip, &pcb->remote_ip) : ERR_MEM;
    if (err == ERR_OK)
        tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
    else
        tcp_set_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
    return err;
}

err_t tcp_send_empty_ack(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_send_empty_ack, pcb);
    err_t err = tcp_send_empty_ack_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_send_empty_ack);
    return err;
}

/* RFC 9293 3.10.7.1 and 3.5.2 decide when a RST goes and with which SEQ
 * and ACK (the callers do); here it is built and sent with `flags` (RST,
 * or RST|ACK), offering TCP_WND. */
static void tcp_rst_body(const struct tcp_pcb *pcb, u8_t flags, u32_t seqno, u32_t ackno,
                         const ip_addr_t *local_ip, const ip_addr_t *remote_ip,
                         u16_t local_port, u16_t remote_port)
{
    struct pbuf *p = tcp_alloc_header(0, local_port, remote_port, seqno,
                                      (flags & TCP_ACK) ? ackno : 0, flags);
    if (p == NULL)
        return;
    ((struct tcp_hdr *)p->payload)->wnd = PP_HTONS(TCP_WND);
    tcp_output_control(pcb, p, local_ip, remote_ip);
}

void tcp_rst(const struct tcp_pcb *pcb, u32_t seqno, u32_t ackno, const ip_addr_t *local_ip,
             const ip_addr_t *remote_ip, u16_t local_port, u16_t remote_port)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_rst, pcb);
    tcp_rst_body(pcb, TCP_RST | TCP_ACK, seqno, ackno, local_ip, remote_ip, local_port,
                 remote_port);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_rst);
}

void tcp_rst_pcb(const struct tcp_pcb *pcb)
{
    tcp_rst(pcb, pcb->snd_nxt, pcb->rcv_nxt, &pcb->local_ip, &pcb->remote_ip, pcb->local_port,
            pcb->remote_port);
}

void tcp_rst_noack(const struct tcp_pcb *pcb, u32_t seqno, const ip_addr_t *local_ip,
                   const ip_addr_t *remote_ip, u16_t local_port, u16_t remote_port)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_rst, pcb);
    tcp_rst_body(pcb, TCP_RST, seqno, 0, local_ip, remote_ip, local_port, remote_port);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_rst);
}

/* RFC 1122 4.2.3.6: a keepalive is an ACK with SEQ = SND.NXT - 1 and no
 * data: the peer sees an old sequence number and must answer with an ACK.
 * (tcp_slowtmr counts the probes.) */
static err_t tcp_keepalive_body(struct tcp_pcb *pcb)
{
    u32_t seqno = pcb->snd_nxt - 1;
    struct pbuf *p = tcp_output_alloc_header(pcb, 0, seqno, TCP_ACK);
    if (p == NULL)
        return ERR_MEM;
    TCP_TRACE_REXMIT(pcb, KEEPALIVE, seqno);
    return tcp_output_control(pcb, p, &pcb->local_ip, &pcb->remote_ip);
}

err_t tcp_keepalive(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_keepalive, pcb);
    err_t err = tcp_keepalive_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_keepalive);
    return err;
}

/* RFC 1122 4.2.3.4 condition (4), the override: the persist timer fired
 * but the peer's window is open, only too small for the next segment.
 * Rather than probing byte by byte, send what fits (lwIP does the same).
 * Returns 1 if that was done. */
static int tcp_persist_send_what_fits(struct tcp_pcb *pcb)
{
    if (pcb->snd_wnd == 0 || pcb->unacked != NULL || pcb->unsent == NULL)
        return 0;
    u32_t wnd = LWIP_MIN(pcb->snd_wnd, pcb->cwnd);
    u32_t usable = tcp_usable_wnd(pcb, wnd);
    if (usable == 0)
        return 0;
    if (!tcp_seg_fits(pcb, pcb->unsent, wnd) &&
        tcp_split_unsent_head(pcb, (u16_t)LWIP_MIN(usable, 0xffffU)) != ERR_OK)
        return 0;
    TCP_TRACE_REXMIT(pcb, PROBE, tcp_seg_seqno(pcb->unsent));
    tcp_output(pcb);
    return 1;
}

/* RFC 9293 3.8.6.1: with the peer's window zero, regularly send "at least
 * one octet of new data (if available), or retransmit" to learn when it
 * opens. The probe is one byte of the first unacked segment (else of the
 * first unsent one) at that segment's sequence number, or that segment's
 * FIN alone when it has no data; the segment itself stays queued.
 * Our choice for SND.NXT: a byte (or FIN) never sent before is now sent,
 * so snd_nxt moves past it (max(snd_nxt, seqno + 1)): the peer may
 * accept and acknowledge it, and an ACK of something never sent would
 * be refused. A byte sent before leaves snd_nxt alone. Either way the
 * whole segment goes later (its first byte again, which the peer takes
 * as a duplicate). tcp_slowtmr counts the probes (persist_probe). */
static err_t tcp_zero_window_probe_body(struct tcp_pcb *pcb)
{
    if (tcp_persist_send_what_fits(pcb))
        return ERR_OK;
    struct tcp_seg *seg = pcb->unacked != NULL ? pcb->unacked : pcb->unsent;
    if (seg == NULL)
        return ERR_OK;
    int fin_only = (TCPH_FLAGS(seg->tcphdr) & TCP_FIN) && seg->len == 0;
    u32_t seqno = tcp_seg_seqno(seg);
    struct pbuf *p = tcp_output_alloc_header(pcb, fin_only ? 0 : 1, seqno,
                                             (u8_t)(TCP_ACK | (fin_only ? TCP_FIN : 0)));
    if (p == NULL)
        return ERR_MEM;
    if (!fin_only) {
        /* The first data byte: after the header and options, wherever the
         * pbuf's payload points now. */
        u16_t off = (u16_t)((u8_t *)seg->tcphdr - (u8_t *)seg->p->payload +
                            TCPH_HDRLEN_BYTES(seg->tcphdr));
        pbuf_copy_partial(seg->p, (u8_t *)p->payload + TCP_HLEN, 1, off);
    }
    if (TCP_SEQ_LT(pcb->snd_nxt, seqno + 1))
        pcb->snd_nxt = seqno + 1;
    TCP_TRACE_REXMIT(pcb, PROBE, seqno);
    return tcp_output_control(pcb, p, &pcb->local_ip, &pcb->remote_ip);
}

err_t tcp_zero_window_probe(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_zero_window_probe, pcb);
    err_t err = tcp_zero_window_probe_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_zero_window_probe);
    return err;
}

/* ---- Retransmission ----------------------------------------------------------------- */

/* RFC 6298 5.4: the timer expired: send the earliest unacknowledged
 * segment again. Everything unacked goes back in front of unsent, in
 * order, and tcp_output sends what the window (cwnd now one segment,
 * set by tcp_slowtmr, RFC 5681 3.1) allows: slow start resends the rest
 * as the ACKs come. RFC 6298 3 (Karn): no RTT sample from any of them.
 * A timeout also ends fast recovery (RFC 5681 3.1: cwnd is the loss
 * window now, and slow start takes over). RFC 6582 4.2 (and lwIP's
 * TF_RTO): remember SND.MAX as the end of what the timeout resends; until
 * a new ACK arrives (tcp_receive clears TF_RTO) duplicate ACKs do not
 * start a fast retransmit. */
static void tcp_rexmit_rto_body(struct tcp_pcb *pcb)
{
    struct tcp_seg *first = pcb->unacked;
    if (first == NULL)
        return;
    TCP_TRACE_REXMIT(pcb, RTO, tcp_seg_seqno(first));
    struct tcp_seg *last = first;
    for (;;) {
        if (last->nrtx < 0xff)
            last->nrtx++;
        if (last->next == NULL)
            break;
        last = last->next;
    }
    if (pcb->unsent == NULL)
        pcb->unsent_oversize = 0;
    last->next = pcb->unsent;
    pcb->unsent = first;
    pcb->unacked = NULL;
    pcb->rttest = 0;
    pcb->rto_end = pcb->snd_nxt;
    tcp_clear_flags(pcb, TF_INFR);
    tcp_set_flags(pcb, TF_RTO);
    tcp_output(pcb);
}

void tcp_rexmit_rto(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_rexmit_rto, pcb);
    tcp_rexmit_rto_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_rexmit_rto);
}

/* The first unacked segment back into unsent, where its sequence number
 * puts it (in front of everything never sent). Sends nothing: the caller
 * does (tcp_input calls tcp_output when the ACK is processed). ERR_VAL if
 * there is none, or its pbuf is still held below (its earlier copy has not
 * even left yet). */
static err_t tcp_rexmit_body(struct tcp_pcb *pcb)
{
    struct tcp_seg *seg = pcb->unacked;
    if (seg == NULL || tcp_seg_busy(seg))
        return ERR_VAL;
    pcb->unacked = seg->next;
    struct tcp_seg **cur = &pcb->unsent;
    while (*cur != NULL && TCP_SEQ_LT(tcp_seg_seqno(*cur), tcp_seg_seqno(seg)))
        cur = &(*cur)->next;
    seg->next = *cur;
    *cur = seg;
    if (seg->next == NULL)
        pcb->unsent_oversize = 0;
    if (seg->nrtx < 0xff)
        seg->nrtx++;
    pcb->rttest = 0;                /* RFC 6298 3 (Karn) */
    return ERR_OK;
}

err_t tcp_rexmit(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_rexmit, pcb);
    err_t err = tcp_rexmit_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_rexmit);
    return err;
}

/* RFC 5681 3.2 steps 2 and 3 (with RFC 6582 for the recovery point):
 * the third duplicate ACK. ssthresh = max(FlightSize / 2, 2 * SMSS)
 * (equation 4), resend the first unacked segment, cwnd = ssthresh +
 * 3 * SMSS for the three segments the duplicates say have left the
 * network. Once in fast recovery, further duplicates only inflate cwnd
 * (tcp_receive). The RTO timer restarts so it does not fire on top.
 * RFC 6582 3.2 step 2: duplicates that do not acknowledge past the
 * recovery point do not start it: here, while the segments an RTO sent
 * again are not yet acknowledged at all (TF_RTO). */
static void tcp_rexmit_fast_body(struct tcp_pcb *pcb)
{
    if (pcb->unacked == NULL || (pcb->flags & (TF_INFR | TF_RTO)))
        return;
    u32_t seqno = tcp_seg_seqno(pcb->unacked);
    if (tcp_rexmit(pcb) != ERR_OK)
        return;
    TCP_TRACE_REXMIT(pcb, FAST, seqno);
    u32_t mss = tcp_send_mss(pcb);
    u32_t flight = pcb->snd_nxt - pcb->lastack;
    u32_t ssthresh = LWIP_MIN(LWIP_MAX(flight / 2, 2 * mss), 0xffffU);
    pcb->ssthresh = (tcpwnd_size_t)ssthresh;
    tcp_set_cwnd(pcb, (tcpwnd_size_t)LWIP_MIN(ssthresh + 3 * mss, 0xffffU),
                 NG_cwnd_FAST_RECOVERY);
    tcp_set_flags(pcb, TF_INFR);
    pcb->rto_end = pcb->snd_nxt;
    pcb->rtime = 0;
}

void tcp_rexmit_fast(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_rexmit_fast, pcb);
    tcp_rexmit_fast_body(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_rexmit_fast);
}

#endif /* LWIP_TCP */
