/*
 * net/tcp_in.c - TCP input: RFC 9293 3.10.7 "SEGMENT ARRIVES", step by
 * step, for the raw API of lwip/tcp.h.
 *
 *   tcp_input           checks the header (length, checksum, options),
 *                       reads it into the "current segment" below and finds
 *                       the PCB: a connection (exact 4-tuple), a TIME_WAIT
 *                       PCB, a listener, or nobody (RST, 3.10.7.1).
 *   tcp_listen_input    3.10.7.2 LISTEN: a SYN makes a new PCB in SYN_RCVD.
 *   tcp_timewait_input  3.10.7.4 in TIME_WAIT.
 *   tcp_process         3.10.7.3 SYN_SENT, and 3.10.7.4 "Otherwise": the
 *                       sequence check, RST, SYN, ACK, FIN, state changes.
 *   tcp_receive         the ACK (window, duplicate ACKs, congestion control
 *                       per RFC 5681 and RFC 6582) and the text: trimming to
 *                       the window, in-order data, the out-of-order queue.
 *
 * As in lwIP, tcp_process and tcp_receive only record what happened
 * (recv_flags, recv_data, recv_acked); tcp_input then calls the
 * application (sent, recv, closed, err) and tcp_output once, so one
 * segment's effects leave in one ACK. The application may abort the PCB
 * in any callback (it returns ERR_ABRT): from then on nothing touches it.
 *
 * Every received segment is delivered, kept (out-of-order queue, refused
 * data), or dropped with a TCP_DROP reason; segments the stack consumed
 * whole (a pure ACK, a bare FIN, an accepted RST or SYN) are freed.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "trace.h"

#if LWIP_TCP

/* RFC 9293 3.7.1 (RFC 1122 4.2.2.6): the send MSS when the peer's SYN
 * carried no MSS option. */
#define TCP_DEFAULT_MSS 536

/* RFC 5681 2: "DupThresh", the duplicate ACKs that trigger fast retransmit. */
#define TCP_DUPTHRESH 3

/* ---- The segment being processed (RFC 9293's SEG.* variables) --------------------
 * One structure, `in`, rather than a variable each: every function here
 * then reaches all of them from one address (in.seq is SEG.SEQ, ...). */
#define TF_RESET   0x01U        /* in.recv_flags: a valid RST: the connection is gone */
#define TF_CLOSED  0x02U        /* LAST_ACK: our FIN acked, the connection is over */
#define TF_GOT_FIN 0x04U        /* the peer's FIN arrived in order */
static struct {
    struct tcp_seg seg;         /* p (payload at the data), len, tcphdr (network order) */
    u32_t seq;                  /* SEG.SEQ, host order */
    u32_t ack;                  /* SEG.ACK */
    u16_t len;                  /* SEG.LEN: data + 1 for SYN + 1 for FIN */
    u16_t wnd;                  /* SEG.WND */
    u16_t src, dest;            /* ports, host order */
    u16_t mss;                  /* the MSS option, 0 when there was none */
    u8_t flags;                 /* TCP_FIN .. TCP_URG */
    /* What tcp_process found, for tcp_input to act on. */
    u8_t recv_flags;            /* TF_RESET, TF_CLOSED, TF_GOT_FIN */
    struct pbuf *recv_data;     /* in-order data for the recv callback */
    u32_t recv_acked;           /* data bytes newly acknowledged (sent callback) */
} in;

/* Drop the current segment under reason (it is ours no more). One
 * function for the many places that do it. */
static void tcp_drop_inseg(unsigned reason)
{
    ng_drop_pbuf(reason, in.seg.p, &lwip_stats.tcp);
    in.seg.p = NULL;
}
#define TCP_DROP_INSEG(reason) tcp_drop_inseg(NG_drop_##reason)

/* ---- Small helpers --------------------------------------------------------------- */

static u32_t tcp_seg_seqno(const struct tcp_seg *seg)
{
    return lwip_ntohl(seg->tcphdr->seqno);
}

/* One past the last sequence number seg occupies. */
static u32_t tcp_seg_end(const struct tcp_seg *seg)
{
    return tcp_seg_seqno(seg) + TCP_TCPLEN(seg);
}

/* Remove n bytes from the front of a chain whose first pbuf must stay
 * (it holds the TCP header seg->tcphdr points at): pbufs emptied keep
 * length 0; every tot_len in front of the cut shrinks by what follows. */
static void tcp_pbuf_trim_front(struct pbuf *p, u16_t n)
{
    for (struct pbuf *q = p; n > 0 && q != NULL; q = q->next) {
        u16_t cut = LWIP_MIN(n, q->len);
        pbuf_remove_header(q, cut);
        q->tot_len = (u16_t)(q->tot_len - (n - cut));
        n = (u16_t)(n - cut);
    }
}

/* The current segment without its first n sequence numbers (data only). */
static void tcp_inseg_trim_front(u16_t n)
{
    tcp_pbuf_trim_front(in.seg.p, n);
    in.seg.len = (u16_t)(in.seg.len - n);
    in.len = (u16_t)(in.len - n);
    in.seq += n;
    in.seg.tcphdr->seqno = lwip_htonl(in.seq);
}

/* The current segment cut to its first keep data bytes; a FIN goes too. */
static void tcp_inseg_trim_tail(u16_t keep)
{
    if (in.flags & TCP_FIN) {
        in.flags = (u8_t)(in.flags & ~TCP_FIN);
        TCPH_UNSET_FLAG(in.seg.tcphdr, TCP_FIN);
        in.len--;
    }
    if (keep < in.seg.len) {
        pbuf_realloc(in.seg.p, keep);
        in.len = (u16_t)(in.len - (in.seg.len - keep));
        in.seg.len = keep;
    }
}

/* The SYN of the current segment has been dealt with: what is left starts
 * at SEG.SEQ + 1 (the header says so too, for the out-of-order queue). */
static void tcp_inseg_strip_syn(void)
{
    in.flags = (u8_t)(in.flags & ~TCP_SYN);
    TCPH_UNSET_FLAG(in.seg.tcphdr, TCP_SYN);
    in.seq++;
    in.len--;
    in.seg.tcphdr->seqno = lwip_htonl(in.seq);
}

/* The PCB was aborted by a callback before the segment's text was looked
 * at: text or a FIN in it is lost with the connection. */
static void tcp_inseg_gone(void)
{
    if (in.seg.p != NULL && in.len > 0)
        TCP_DROP_INSEG(TCP_NO_PCB);
}

/* RFC 9293 3.10.7.1 (and every "form a reset" of 3.10.7): if the segment
 * has an ACK, <SEQ=SEG.ACK><CTL=RST>, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK>. */
static void tcp_reply_rst(const struct tcp_pcb *pcb)
{
    if (in.flags & TCP_ACK)
        tcp_rst_noack(pcb, in.ack, ip_current_dest_addr(), ip_current_src_addr(), in.dest,
                      in.src);
    else
        tcp_rst(pcb, 0, in.seq + in.len, ip_current_dest_addr(), ip_current_src_addr(),
                in.dest, in.src);
}

/* RFC 9293 3.7.1: the send MSS is the peer's option (536 without one),
 * no more than what the route to it carries. */
static u16_t tcp_send_mss(const struct tcp_pcb *pcb)
{
    u16_t peer = in.mss != 0 ? in.mss : TCP_DEFAULT_MSS;
    u16_t ours = tcp_eff_send_mss(TCP_MSS, &pcb->remote_ip, &pcb->local_ip);
    return LWIP_MIN(peer, ours);
}

/* The peer's window (SND.WND) changes only here, so each change is traced. */
static void tcp_set_snd_wnd(struct tcp_pcb *pcb, u16_t wnd)
{
    if (wnd > pcb->snd_wnd_max)
        pcb->snd_wnd_max = wnd;     /* RFC 1122 4.2.3.4: sender SWS uses the largest */
    if (wnd == pcb->snd_wnd)
        return;
    pcb->snd_wnd = wnd;
    TCP_TRACE_WND(pcb, PEER, wnd);
    /* RFC 9293 3.8.6.1: the window opened, the persist timer stops
     * (tcp_output starts it again if it is still too small). */
    if (wnd > 0 && pcb->persist_backoff > 0) {
        pcb->persist_backoff = 0;
        pcb->persist_cnt = 0;
    }
}

/* The peer's SYN is taken (RFC 9293 3.10.7.2, 3.10.7.3): "RCV.NXT is set
 * to SEG.SEQ+1, IRS is set to SEG.SEQ"; the announced window starts
 * there; the send MSS follows the SYN's option. */
static void tcp_take_syn(struct tcp_pcb *pcb)
{
    pcb->rcv_nxt = in.seq + 1;
    pcb->rcv_ann_right_edge = pcb->rcv_nxt;
    pcb->mss = tcp_send_mss(pcb);
}

/* The window of the peer's SYN: its first SND.WND, and the largest so far. */
static void tcp_take_syn_wnd(struct tcp_pcb *pcb)
{
    pcb->snd_wnd_max = in.wnd;
    tcp_set_snd_wnd(pcb, in.wnd);
}

/* ---- Header and options ----------------------------------------------------------- */

/* RFC 9293 3.2: options are kind (EOL, NOP) or kind, length, value.
 * Only MSS is understood; others are skipped by their length. A length
 * that runs past the header, or an MSS option that is not 4 bytes, makes
 * the header malformed (RFC 9293 3.1: "MUST be prepared to handle an
 * illegal option length"; we drop the segment). */
static int tcp_parse_options(const struct pbuf *p, u16_t hdrlen)
{
    in.mss = 0;
    u16_t off = TCP_HLEN;
    while (off < hdrlen) {
        u8_t kind = pbuf_get_at(p, off);
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP) {
            off++;
            continue;
        }
        if (off + 1 >= hdrlen)
            return -1;
        u8_t len = pbuf_get_at(p, (u16_t)(off + 1));
        if (len < 2 || off + len > hdrlen)
            return -1;
        if (kind == TCP_OPT_MSS) {
            if (len != 4)
                return -1;
            in.mss = (u16_t)((pbuf_get_at(p, (u16_t)(off + 2)) << 8) |
                              pbuf_get_at(p, (u16_t)(off + 3)));
        }
        off = (u16_t)(off + len);
    }
    return 0;
}

/* RFC 9293 3.1: check the header and read it into `in`;
 * afterwards in.seg.p's payload is the data. Drops and returns -1 when
 * the segment is bad. */
static int tcp_parse_header(struct pbuf *p)
{
    if (p->len < TCP_HLEN) {
        TCP_STATS_INC(lenerr);
        TCP_DROP(TCP_SHORT, p);
        return -1;
    }
    /* RFC 1122 4.2.3.10: a SYN to a broadcast or multicast address must
     * be ignored; TCP has no business with them at all. */
    if (ip4_addr_isbroadcast(ip4_current_dest_addr(), ip_current_netif()) ||
        ip4_addr_ismulticast(ip4_current_dest_addr())) {
        TCP_STATS_INC(proterr);
        TCP_DROP(TCP_BCAST, p);
        return -1;
    }
    /* RFC 9293 3.1 "Checksum": over the pseudo-header, header and data. */
    if (ip_chksum_pseudo(p, IP_PROTO_TCP, p->tot_len, ip4_current_src_addr(),
                         ip4_current_dest_addr()) != 0) {
        TCP_STATS_INC(chkerr);
        TCP_DROP(TCP_CHKSUM, p);
        return -1;
    }
    struct tcp_hdr *hdr = p->payload;
    u16_t hdrlen = TCPH_HDRLEN_BYTES(hdr);
    /* RFC 9293 3.1 "Data Offset": 5..15 words, within the segment.
     * NOTE: like lwIP's UDP here, a header split over two pbufs counts as
     * short (with 512-byte pool pbufs a 60-byte header never is). */
    if (hdrlen < TCP_HLEN || hdrlen > p->tot_len || hdrlen > p->len) {
        TCP_STATS_INC(lenerr);
        TCP_DROP(TCP_SHORT, p);
        return -1;
    }
    if (tcp_parse_options(p, hdrlen) != 0) {
        TCP_STATS_INC(opterr);
        TCP_DROP(TCP_OPTIONS, p);
        return -1;
    }
    in.src = lwip_ntohs(hdr->src);
    in.dest = lwip_ntohs(hdr->dest);
    in.seq = lwip_ntohl(hdr->seqno);
    in.ack = lwip_ntohl(hdr->ackno);
    in.wnd = lwip_ntohs(hdr->wnd);
    in.flags = TCPH_FLAGS(hdr);

    pbuf_remove_header(p, hdrlen);
    in.seg.next = NULL;
    in.seg.p = p;
    in.seg.len = p->tot_len;
    in.seg.flags = 0;
    in.seg.nrtx = 0;
    in.seg.tcphdr = hdr;
    in.len = (u16_t)(in.seg.len + ((in.flags & TCP_SYN) ? 1 : 0) + ((in.flags & TCP_FIN) ? 1 : 0));
    return 0;
}

/* ---- Demultiplexing (RFC 9293 3.10.7: "If the state is ...") -------------------- */

static int tcp_netif_ok(u8_t netif_idx, const struct netif *inp)
{
    return netif_idx == NETIF_NO_INDEX || netif_idx == netif_get_index(inp);
}

static int tcp_pcb_matches(const struct tcp_pcb *pcb, const struct netif *inp)
{
    return pcb->remote_port == in.src && pcb->local_port == in.dest &&
           ip_addr_eq(&pcb->remote_ip, ip_current_src_addr()) &&
           ip_addr_eq(&pcb->local_ip, ip_current_dest_addr()) &&
           tcp_netif_ok(pcb->netif_idx, inp);
}

/* The connection of the segment; moved to the front of the list, as in
 * lwIP, since the next segment is most likely for it again. */
static struct tcp_pcb *tcp_find_active(const struct netif *inp)
{
    struct tcp_pcb *prev = NULL;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; prev = pcb, pcb = pcb->next) {
        if (!tcp_pcb_matches(pcb, inp))
            continue;
        if (prev != NULL) {
            prev->next = pcb->next;
            pcb->next = tcp_active_pcbs;
            tcp_active_pcbs = pcb;
        }
        return pcb;
    }
    return NULL;
}

static struct tcp_pcb *tcp_find_timewait(const struct netif *inp)
{
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL; pcb = pcb->next) {
        if (tcp_pcb_matches(pcb, inp))
            return pcb;
    }
    return NULL;
}

/* A listener on the port: one bound to the destination address before
 * one bound to the wildcard. */
static struct tcp_pcb_listen *tcp_find_listener(const struct netif *inp)
{
    struct tcp_pcb_listen *any = NULL;
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l != NULL; l = l->next) {
        if (l->local_port != in.dest || !tcp_netif_ok(l->netif_idx, inp))
            continue;
        if (ip_addr_eq(&l->local_ip, ip_current_dest_addr()))
            return l;
        if (any == NULL && ip_addr_isany(&l->local_ip))
            any = l;
    }
    return any;
}

/* ---- RFC 9293 3.10.7.2: LISTEN ---------------------------------------------------- */

/* A SYN for lpcb: the new connection, in SYN_RCVD, answering SYN-ACK. */
static void tcp_listen_syn(struct tcp_pcb_listen *lpcb)
{
    /* Listen backlog (tcp_listen_with_backlog): connections not yet
     * handed to the accept callback count against it. */
    if (lpcb->accepts_pending >= lpcb->backlog) {
        TCP_DROP_INSEG(TCP_BACKLOG_FULL);
        return;
    }
    struct tcp_pcb *npcb = tcp_alloc(lpcb->prio);
    if (npcb == NULL) {
        /* lwIP: the application hears of it through accept(NULL, ERR_MEM). */
        err_t err;
        TCP_STATS_INC(memerr);
        TCP_DROP_INSEG(TCP_NO_MEMORY);
        TCP_EVENT_ACCEPT(lpcb, NULL, lpcb->callback_arg, ERR_MEM, err);
        LWIP_UNUSED_ARG(err);
        return;
    }
    ip_addr_copy(npcb->local_ip, *ip_current_dest_addr());
    ip_addr_copy(npcb->remote_ip, *ip_current_src_addr());
    npcb->local_port = lpcb->local_port;
    npcb->remote_port = in.src;
    npcb->netif_idx = lpcb->netif_idx;
    npcb->so_options = (u8_t)(lpcb->so_options & SOF_INHERITED);
    npcb->ttl = lpcb->ttl;
    npcb->tos = lpcb->tos;
    npcb->prio = lpcb->prio;
    npcb->callback_arg = lpcb->callback_arg;
    npcb->listener = lpcb;
    lpcb->accepts_pending++;
    tcp_set_state(npcb, SYN_RCVD);

    /* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ, and any other
     * control or text should be queued for processing later. ISS should
     * be selected" (RFC 6528: tcp_next_iss). SND.WL1 = SEG.SEQ - 1 so the
     * window of the handshake's ACK is taken (the contract in tcp_priv.h). */
    tcp_take_syn(npcb);
    u32_t iss = tcp_next_iss(npcb);
    npcb->snd_nxt = npcb->snd_lbb = npcb->lastack = npcb->snd_wl2 = iss;
    npcb->snd_wl1 = in.seq - 1;
    tcp_take_syn_wnd(npcb);

    tcp_pcb_register(&tcp_active_pcbs, npcb);
    /* "a SYN segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>" */
    if (tcp_enqueue_flags(npcb, TCP_SYN | TCP_ACK) != ERR_OK) {
        TCP_STATS_INC(memerr);
        tcp_abandon(npcb, 0);
        TCP_DROP_INSEG(TCP_NO_MEMORY);
        return;
    }
    /* NOTE: text on the SYN is not kept (lwIP); it is not acknowledged
     * either, so the peer sends it again after the handshake. */
    if (in.seg.len > 0 || (in.flags & TCP_FIN))
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
    tcp_output(npcb);
}

static void tcp_listen_segment(struct tcp_pcb_listen *lpcb)
{
    /* first: "An incoming RST should be ignored." */
    if (in.flags & TCP_RST) {
        TCP_DROP_INSEG(TCP_RST_INVALID);
        return;
    }
    /* second: "Any acknowledgment is bad if it arrives on a connection
     * still in the LISTEN state": <SEQ=SEG.ACK><CTL=RST>. */
    if (in.flags & TCP_ACK) {
        tcp_reply_rst(NULL);
        TCP_DROP_INSEG(TCP_BAD_ACK);
        return;
    }
    /* third: SYN. */
    if (in.flags & TCP_SYN) {
        tcp_listen_syn(lpcb);
        return;
    }
    /* fourth: "Any other control or text-bearing segment (not containing
     * SYN) must have an ACK ... Drop the segment and return." */
    TCP_DROP_INSEG(TCP_NO_ACK);
}

static void tcp_listen_input(struct tcp_pcb_listen *lpcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_listen_input, lpcb);
    tcp_listen_segment(lpcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_listen_input);
}

/* ---- RFC 9293 3.10.7.4 in TIME_WAIT ----------------------------------------------- */

/* Returns 1 when the segment is a SYN that starts a new incarnation of
 * the connection: the TIME_WAIT PCB is gone and a listener may take it. */
static int tcp_timewait_segment(struct tcp_pcb *pcb)
{
    /* second: NOTE: RFC 9293 says a RST closes TIME_WAIT; RFC 1337
     * (TIME-WAIT assassination) says ignore it, as lwIP and Linux do. */
    if (in.flags & TCP_RST) {
        TCP_DROP_INSEG(TCP_RST_INVALID);
        return 0;
    }
    if (in.flags & TCP_SYN) {
        /* NOTE: RFC 1122 4.2.2.13: a SYN with a sequence number beyond
         * the old connection's may reopen it at once (Linux does; lwIP
         * answers RST): the TIME_WAIT PCB goes, the SYN goes on. */
        if (!(in.flags & TCP_ACK) && TCP_SEQ_GT(in.seq, pcb->rcv_nxt)) {
            tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
            tcp_free_timewait(pcb, ERR_CLSD);
            return 1;
        }
        /* fourth: RFC 5961 4.2: any other SYN gets a challenge ACK. */
        tcp_ack_now(pcb);
        tcp_output(pcb);
        TCP_DROP_INSEG(TCP_SYN_INVALID);
        return 0;
    }
    /* eighth: a FIN (the peer's FIN again: our ACK was lost): "Restart
     * the 2 MSL time-wait timeout." */
    if (in.flags & TCP_FIN)
        pcb->tmr = tcp_ticks;
    /* first: anything with text or a FIN is a duplicate of what came
     * before the FIN: acknowledge it (RCV.NXT) and drop it. */
    if (in.len > 0) {
        tcp_ack_now(pcb);
        tcp_output(pcb);
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
    }
    return 0;
}

static int tcp_timewait_input(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_timewait_input, pcb);
    int reopen = tcp_timewait_segment(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_timewait_input);
    return reopen;
}

/* ---- tcp_receive: the ACK (RFC 9293 3.10.7.4 fifth, RFC 5681, RFC 6582) --------- */

/* Free the segments of a queue that SEG.ACK covers completely, giving
 * their buffer and queue space back (the contract in tcp_priv.h); *ctl
 * counts the SYNs and FINs among them. Returns the rest of the queue. */
static struct tcp_seg *tcp_free_acked(struct tcp_pcb *pcb, struct tcp_seg *seg, u32_t *ctl)
{
    while (seg != NULL && TCP_SEQ_LEQ(tcp_seg_end(seg), in.ack)) {
        struct tcp_seg *next = seg->next;
        u16_t clen = pbuf_clen(seg->p);
        LWIP_ASSERT("tcp_free_acked: snd_queuelen", pcb->snd_queuelen >= clen);
        pcb->snd_queuelen = (u16_t)(pcb->snd_queuelen >= clen ? pcb->snd_queuelen - clen : 0);
        u32_t buf = (u32_t)pcb->snd_buf + seg->len;
        pcb->snd_buf = (tcpwnd_size_t)LWIP_MIN(buf, TCP_SND_BUF);
        in.recv_acked += seg->len;
        if (TCPH_FLAGS(seg->tcphdr) & (TCP_SYN | TCP_FIN))
            (*ctl)++;
        tcp_seg_free(seg);
        seg = next;
    }
    return seg;
}

static void tcp_cwnd_grow(struct tcp_pcb *pcb, u32_t inc, u8_t why)
{
    u32_t cwnd = LWIP_MIN((u32_t)pcb->cwnd + inc, 0xffffU);
    if (cwnd != pcb->cwnd)
        tcp_set_cwnd(pcb, (tcpwnd_size_t)cwnd, why);
}

/* RFC 6582 3.2 step 5: a partial ACK in fast recovery: the next hole is
 * retransmitted at once, and cwnd deflates by what was acked (plus one
 * MSS back when at least one MSS was acked).
 * NOTE: rtime restarts on every partial ACK (the "Slow-but-Steady"
 * variant of RFC 6582 4), since every new ACK restarts it here. */
static void tcp_partial_ack(struct tcp_pcb *pcb, u32_t acked)
{
    if (pcb->unacked != NULL) {
        u32_t seq = tcp_seg_seqno(pcb->unacked);
        if (tcp_rexmit(pcb) == ERR_OK)
            TCP_TRACE_REXMIT(pcb, PARTIAL, seq);
    }
    u32_t cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
    if (acked >= pcb->mss)
        cwnd += pcb->mss;
    cwnd = LWIP_MAX(cwnd, pcb->mss);
    if (cwnd != pcb->cwnd)
        tcp_set_cwnd(pcb, (tcpwnd_size_t)LWIP_MIN(cwnd, 0xffffU), NG_cwnd_DEFLATE);
}

/* Congestion control on an ACK of new data (acked: data bytes). */
static void tcp_cwnd_on_ack(struct tcp_pcb *pcb, u32_t acked)
{
    if (pcb->flags & TF_INFR) {
        /* RFC 6582 3.2 step 6: a full ACK (all that was outstanding when
         * recovery began) ends fast recovery with cwnd = ssthresh. */
        if (TCP_SEQ_GEQ(in.ack, pcb->rto_end)) {
            tcp_clear_flags(pcb, TF_INFR);
            pcb->bytes_acked = 0;
            tcp_set_cwnd(pcb, pcb->ssthresh, NG_cwnd_RECOVERED);
        } else {
            tcp_partial_ack(pcb, acked);
        }
        return;
    }
    if (acked == 0)
        return;     /* only our SYN or FIN: no data left the network */
    if (pcb->cwnd < pcb->ssthresh) {
        /* RFC 5681 3.1 slow start, equation (2): cwnd += min(N, SMSS).
         * (NOTE: not RFC 3465's L = 2 * SMSS, which lwIP uses.) */
        pcb->bytes_acked = 0;
        tcp_cwnd_grow(pcb, LWIP_MIN(acked, pcb->mss), NG_cwnd_SLOW_START);
        return;
    }
    /* RFC 5681 3.1 congestion avoidance, by byte counting (RFC 3465 2.1):
     * one SMSS more for every cwnd bytes acknowledged. */
    u32_t counted = (u32_t)pcb->bytes_acked + acked;
    if (counted >= pcb->cwnd) {
        counted -= pcb->cwnd;
        tcp_cwnd_grow(pcb, pcb->mss, NG_cwnd_CONG_AVOID);
    }
    pcb->bytes_acked = (tcpwnd_size_t)LWIP_MIN(counted, 0xffffU);
}

/* "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any
 * segments on the retransmission queue that are thereby entirely
 * acknowledged are removed." */
static void tcp_new_ack(struct tcp_pcb *pcb)
{
    u32_t acked = in.ack - pcb->lastack;
    u32_t ctl = 0;
    pcb->lastack = in.ack;
    pcb->dupacks = 0;
    tcp_clear_flags(pcb, TF_RTO);
    pcb->unacked = tcp_free_acked(pcb, pcb->unacked, &ctl);
    /* After an RTO the segments went back to unsent (go-back-N) though
     * they were sent once: the ACK may cover some of them too. */
    struct tcp_seg *unsent = pcb->unsent;
    pcb->unsent = tcp_free_acked(pcb, pcb->unsent, &ctl);
    if (pcb->unsent == NULL && unsent != NULL)
        pcb->unsent_oversize = 0;

    /* RFC 6298 2.2/2.3 with Karn's rule (rttest is 0 after a
     * retransmission): the timed segment is acknowledged. */
    if (pcb->rttest != 0 && TCP_SEQ_LT(pcb->rtseq, in.ack)) {
        tcp_rtt_sample(pcb, (s16_t)(tcp_ticks - pcb->rttest));
        pcb->rttest = 0;
    }
    /* RFC 6298 5.2/5.3: all acked: timer off; else restart it. */
    pcb->nrtx = 0;
    pcb->rtime = (s16_t)(pcb->unacked == NULL ? -1 : 0);

    tcp_cwnd_on_ack(pcb, acked - ctl);
}

/* RFC 5681 2 "DUPLICATE ACKNOWLEDGMENT": (a) data outstanding, (b) no
 * data and (c) no SYN or FIN in the ACK, (d) SEG.ACK is the highest ACK
 * received, (e) the window is the one last advertised. */
static int tcp_is_dupack(const struct tcp_pcb *pcb)
{
    return pcb->lastack != pcb->snd_nxt && in.len == 0 &&
           (in.flags & (TCP_SYN | TCP_FIN)) == 0 && in.ack == pcb->lastack &&
           in.wnd == pcb->snd_wnd;
}

/* RFC 5827 (early retransmit) 3.1: with fewer than four segments in
 * flight and nothing new the windows would let go, three duplicate ACKs
 * can never come, and every loss would wait for the RTO. Then the
 * threshold is one less than the segments outstanding (at least 2 of
 * them). Small windows (a few MSS, as on this board) are exactly that case. */
static u8_t tcp_dupthresh(const struct tcp_pcb *pcb)
{
    u8_t oseg = 0;
    for (const struct tcp_seg *s = pcb->unacked; s != NULL && oseg < 4; s = s->next)
        oseg++;
    if (oseg < 2 || oseg >= 4)
        return TCP_DUPTHRESH;
    if (pcb->unsent != NULL) {
        u32_t wnd = LWIP_MIN(pcb->snd_wnd, pcb->cwnd);
        u32_t end = tcp_seg_seqno(pcb->unsent) - pcb->lastack + pcb->unsent->len;
        if (end <= wnd)
            return TCP_DUPTHRESH;   /* new data can go: its ACKs will come */
    }
    return (u8_t)(oseg - 1);
}

/* RFC 5681 3.2: the third duplicate ACK (RFC 5827: fewer, see above)
 * starts fast retransmit and recovery (tcp_rexmit_fast); each further one
 * in recovery means a segment left the network: cwnd += SMSS (step 4,
 * RFC 6582 step 4). */
static void tcp_dupack(struct tcp_pcb *pcb)
{
    if (pcb->dupacks < 0xff)
        pcb->dupacks++;
    if (pcb->flags & TF_INFR)
        tcp_cwnd_grow(pcb, pcb->mss, NG_cwnd_INFLATE);
    else if (pcb->dupacks >= tcp_dupthresh(pcb))
        tcp_rexmit_fast(pcb);
}

/* RFC 9293 3.10.7.4 fifth, ESTABLISHED STATE. Returns -1 when the
 * segment was dropped. */
static int tcp_receive_ack(struct tcp_pcb *pcb)
{
    /* "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then
     * send an ACK, drop the segment, and return." */
    if (TCP_SEQ_GT(in.ack, pcb->snd_nxt)) {
        tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_BAD_ACK);
        return -1;
    }
    /* "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be ignored."
     * NOTE: RFC 5961 5.2's check of ACKs older than SND.UNA - MAX.SND.WND
     * is not done (lwIP does not either). */
    if (TCP_SEQ_LT(in.ack, pcb->lastack))
        return 0;
    int is_dup = tcp_is_dupack(pcb);
    /* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be
     * updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =<
     * SEG.ACK)), set SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <-
     * SEG.ACK." (Old segments must not update the window.) */
    if (TCP_SEQ_LT(pcb->snd_wl1, in.seq) ||
        (pcb->snd_wl1 == in.seq && TCP_SEQ_LEQ(pcb->snd_wl2, in.ack))) {
        tcp_set_snd_wnd(pcb, in.wnd);
        pcb->snd_wl1 = in.seq;
        pcb->snd_wl2 = in.ack;
    }
    if (in.ack != pcb->lastack)
        tcp_new_ack(pcb);
    else if (is_dup)
        tcp_dupack(pcb);
    return 0;
}

/* ---- tcp_receive: the text (RFC 9293 3.10.7.4 seventh) ---------------------------- */

/* "segments with higher beginning sequence numbers than expected may be
 * held for later processing": the out-of-order queue, kept in sequence
 * order without overlaps (a new segment gives way to what is queued),
 * at most TCP_OOSEQ_MAX_BYTES / TCP_OOSEQ_MAX_PBUFS (the highest go). */
static void tcp_ooseq_limit(struct tcp_pcb *pcb)
{
    u32_t bytes = 0, pbufs = 0;
    for (struct tcp_seg **link = &pcb->ooseq; *link != NULL; link = &(*link)->next) {
        bytes += (*link)->len;
        pbufs += pbuf_clen((*link)->p);
        if (bytes > TCP_OOSEQ_MAX_BYTES || pbufs > TCP_OOSEQ_MAX_PBUFS) {
            tcp_segs_drop(*link, NG_drop_TCP_OOSEQ_FULL);
            *link = NULL;
            return;
        }
    }
}

/* The queued segments from next on that the current segment covers
 * entirely are duplicates now and go; the current segment gives way to
 * the first one it overlaps (its tail is cut there). Returns the first
 * queued segment left. */
static struct tcp_seg *tcp_inseg_give_way(struct tcp_seg *next)
{
    while (next != NULL && TCP_SEQ_LEQ(tcp_seg_end(next), in.seq + in.len)) {
        struct tcp_seg *covered = next;
        next = next->next;
        tcp_seg_drop(covered, NG_drop_TCP_OUT_OF_WINDOW);
    }
    if (next != NULL && TCP_SEQ_LT(tcp_seg_seqno(next), in.seq + in.len))
        tcp_inseg_trim_tail((u16_t)(tcp_seg_seqno(next) - in.seq));
    return next;
}

static void tcp_ooseq_insert(struct tcp_pcb *pcb)
{
    struct tcp_seg *prev = NULL, *next = pcb->ooseq;
    while (next != NULL && TCP_SEQ_LT(tcp_seg_seqno(next), in.seq)) {
        prev = next;
        next = next->next;
    }
    /* What the segment in front already holds, it gives way to. */
    if (prev != NULL) {
        u32_t prev_end = tcp_seg_end(prev);
        if ((TCPH_FLAGS(prev->tcphdr) & TCP_FIN) || TCP_SEQ_GEQ(prev_end, in.seq + in.len)) {
            TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);  /* beyond a FIN, or a duplicate */
            return;
        }
        if (TCP_SEQ_GT(prev_end, in.seq))
            tcp_inseg_trim_front((u16_t)(prev_end - in.seq));
    }
    if (next != NULL && tcp_seg_seqno(next) == in.seq &&
        TCP_SEQ_GEQ(tcp_seg_end(next), in.seq + in.len)) {
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);      /* a duplicate */
        return;
    }
    struct tcp_seg *seg = memp_malloc(MEMP_TCP_SEG);
    if (seg == NULL) {
        TCP_STATS_INC(memerr);
        TCP_DROP_INSEG(TCP_NO_MEMORY);
        return;
    }
    next = tcp_inseg_give_way(next);
    /* Nothing can follow a FIN. */
    if (in.flags & TCP_FIN) {
        tcp_segs_drop(next, NG_drop_TCP_OUT_OF_WINDOW);
        next = NULL;
    }
    *seg = in.seg;
    seg->next = next;
    in.seg.p = NULL;
    if (prev != NULL)
        prev->next = seg;
    else
        pcb->ooseq = seg;
    tcp_ooseq_limit(pcb);
}

/* Accept sequence space n at RCV.NXT (data and maybe a FIN): "advance
 * RCV.NXT over the data accepted, and adjust RCV.WND as appropriate"
 * (the FIN's unit is given back when the application hears of it). */
static void tcp_rcv_advance(struct tcp_pcb *pcb, u32_t n)
{
    pcb->rcv_nxt += n;
    pcb->rcv_wnd = (tcpwnd_size_t)(pcb->rcv_wnd > n ? pcb->rcv_wnd - n : 0);
}

static void tcp_recv_data_add(struct pbuf *p)
{
    if (in.recv_data == NULL)
        in.recv_data = p;
    else
        pbuf_cat(in.recv_data, p);
}

/* Segments of the out-of-order queue that are in order now go with this
 * delivery (chained), up to and including a FIN. */
static void tcp_ooseq_pull(struct tcp_pcb *pcb)
{
    while (!(in.recv_flags & TF_GOT_FIN) && pcb->ooseq != NULL &&
           tcp_seg_seqno(pcb->ooseq) == pcb->rcv_nxt) {
        struct tcp_seg *seg = pcb->ooseq;
        pcb->ooseq = seg->next;
        tcp_rcv_advance(pcb, TCP_TCPLEN(seg));
        if (TCPH_FLAGS(seg->tcphdr) & TCP_FIN)
            in.recv_flags |= TF_GOT_FIN;
        if (seg->len > 0)
            tcp_recv_data_add(seg->p);
        else
            pbuf_free(seg->p);      /* a bare FIN: consumed */
        memp_free(MEMP_TCP_SEG, seg);
    }
    /* FIN ordering: a FIN ends the sequence space; anything queued after
     * it is the peer's mistake. */
    if ((in.recv_flags & TF_GOT_FIN) && pcb->ooseq != NULL) {
        tcp_segs_drop(pcb->ooseq, NG_drop_TCP_OUT_OF_WINDOW);
        pcb->ooseq = NULL;
    }
}

/* The segment starts at RCV.NXT. */
static void tcp_receive_in_order(struct tcp_pcb *pcb)
{
    int had_ooseq = pcb->ooseq != NULL;
    if (had_ooseq && !(in.flags & TCP_FIN)) {
        pcb->ooseq = tcp_inseg_give_way(pcb->ooseq);
    } else if (had_ooseq) {
        /* An in-order FIN: what was queued lies beyond it or repeats it. */
        tcp_segs_drop(pcb->ooseq, NG_drop_TCP_OUT_OF_WINDOW);
        pcb->ooseq = NULL;
    }

    tcp_rcv_advance(pcb, in.len);
    if (in.flags & TCP_FIN)
        in.recv_flags |= TF_GOT_FIN;
    if (in.seg.len > 0)
        tcp_recv_data_add(in.seg.p);
    else
        pbuf_free(in.seg.p);        /* a bare FIN: consumed */
    in.seg.p = NULL;
    tcp_ooseq_pull(pcb);

    /* RFC 9293 3.8.6.3, RFC 1122 4.2.3.2: delay the ACK (every second
     * segment is acknowledged at once by tcp_ack); RFC 5681 4.2: ACK at
     * once a segment that fills (part of) a gap; RFC 9293 eighth: ACK a
     * FIN at once. */
    if (had_ooseq || (in.recv_flags & TF_GOT_FIN))
        tcp_ack_now(pcb);
    else
        tcp_ack(pcb);
}

/* "Once in the ESTABLISHED state, it is possible to deliver segment data
 * to user RECEIVE buffers." The segment is acceptable (first step), so
 * part of it lies at or after RCV.NXT. */
static void tcp_receive_text(struct tcp_pcb *pcb)
{
    /* CLOSE-WAIT, CLOSING, LAST-ACK: "This should not occur since a FIN
     * has been received from the remote side. Ignore the segment text." */
    if (pcb->state != ESTABLISHED && pcb->state != FIN_WAIT_1 && pcb->state != FIN_WAIT_2) {
        tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
        return;
    }
    /* The idealized segment of 3.10.7.4 "begins at RCV.NXT and does not
     * exceed the window": what came before RCV.NXT is cut off, ... */
    if (TCP_SEQ_LT(in.seq, pcb->rcv_nxt))
        tcp_inseg_trim_front((u16_t)(pcb->rcv_nxt - in.seq));
    /* ... and so is what lies beyond RCV.NXT + RCV.WND (a FIN there too). */
    u32_t right = pcb->rcv_nxt + pcb->rcv_wnd;
    if (TCP_SEQ_GT(in.seq + in.len, right))
        tcp_inseg_trim_tail((u16_t)(right - in.seq));
    if (in.len == 0) {
        /* Nothing fits (a zero window, or a probe of it): tell the peer
         * where we are. */
        tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
        return;
    }
    if (in.seq == pcb->rcv_nxt) {
        tcp_receive_in_order(pcb);
    } else {
        /* RFC 5681 4.2: an out-of-order segment is acknowledged at once
         * (the duplicate ACK the peer's fast retransmit counts). */
        tcp_ack_now(pcb);
        tcp_ooseq_insert(pcb);
    }
}

/* Returns -1 when the segment was dropped (nothing more to do with it). */
static int tcp_receive_segment(struct tcp_pcb *pcb)
{
    if (tcp_receive_ack(pcb) != 0)
        return -1;
    if (in.len > 0)
        tcp_receive_text(pcb);
    return 0;
}

static int tcp_receive(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_receive, pcb);
    int r = tcp_receive_segment(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_receive);
    return r;
}

/* ---- tcp_process: RFC 9293 3.10.7.3 SYN-SENT ------------------------------------ */

/* The handshake is done for an active open (SYN_SENT, or SYN_RCVD after
 * a simultaneous open): tell the application. */
static err_t tcp_report_connected(struct tcp_pcb *pcb)
{
    err_t err;
    TCP_EVENT_CONNECTED(pcb, ERR_OK, err);
    if (err == ERR_ABRT)
        tcp_inseg_gone();
    return err == ERR_ABRT ? ERR_ABRT : ERR_OK;
}

/* Step eighth's state changes, after the text: our FIN is acknowledged
 * when SEG.ACK covers everything sent and nothing is left to send. */
static int tcp_our_fin_acked(const struct tcp_pcb *pcb)
{
    return (in.flags & TCP_ACK) && in.ack == pcb->snd_nxt && pcb->unsent == NULL;
}

/* "Enter the TIME-WAIT state. Start the time-wait timer, turn off the
 * other timers." (the contract in tcp_priv.h). */
static void tcp_enter_timewait(struct tcp_pcb *pcb)
{
    tcp_pcb_purge(pcb);
    tcp_pcb_unlink(&tcp_active_pcbs, pcb);
    tcp_set_state(pcb, TIME_WAIT);
    pcb->tmr = tcp_ticks;
    tcp_pcb_register(&tcp_tw_pcbs, pcb);
}

static void tcp_process_fin(struct tcp_pcb *pcb)
{
    int fin = (in.recv_flags & TF_GOT_FIN) != 0;
    switch (pcb->state) {
    case ESTABLISHED:
        if (fin)
            tcp_set_state(pcb, CLOSE_WAIT);
        break;
    case FIN_WAIT_1:
        /* "If our FIN has been ACKed (perhaps in this segment), then enter
         * TIME-WAIT ...; otherwise, enter the CLOSING state." Without a
         * FIN, the ACK of ours alone leads to FIN-WAIT-2 (fifth step). */
        if (fin && tcp_our_fin_acked(pcb))
            tcp_enter_timewait(pcb);
        else if (fin)
            tcp_set_state(pcb, CLOSING);
        else if (tcp_our_fin_acked(pcb))
            tcp_set_state(pcb, FIN_WAIT_2);
        break;
    case FIN_WAIT_2:
        if (fin)
            tcp_enter_timewait(pcb);
        break;
    case CLOSING:
        /* "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" */
        if (tcp_our_fin_acked(pcb))
            tcp_enter_timewait(pcb);
        break;
    case LAST_ACK:
        /* "If our FIN is now acknowledged, delete the TCB, enter the
         * CLOSED state, and return." (tcp_input frees it.) */
        if (tcp_our_fin_acked(pcb))
            in.recv_flags |= TF_CLOSED;
        break;
    default:
        break;
    }
}

/* SYN-SENT, "fourth, check the SYN bit" with an acceptable ACK: "If
 * SND.UNA > ISS (our SYN has been ACKed), change the connection state to
 * ESTABLISHED, form an ACK segment ... and send it." */
static err_t tcp_syn_sent_established(struct tcp_pcb *pcb)
{
    tcp_take_syn(pcb);
    tcp_new_ack(pcb);               /* SND.UNA <- SEG.ACK: the SYN leaves unacked */
    tcp_take_syn_wnd(pcb);
    pcb->snd_wl1 = in.seq;
    pcb->snd_wl2 = in.ack;
    pcb->tmr = tcp_ticks;           /* idle timers count from here */
    tcp_set_state(pcb, ESTABLISHED);
    tcp_set_cwnd(pcb, TCP_CALC_INITIAL_CWND(pcb->mss), NG_cwnd_INIT);
    tcp_inseg_strip_syn();
    if (tcp_report_connected(pcb) == ERR_ABRT)
        return ERR_ABRT;
    tcp_ack_now(pcb);
    /* "If there are other controls or text in the segment, then continue
     * processing at the sixth step": text and FIN. */
    if (in.len > 0 && tcp_receive(pcb) == 0)
        tcp_process_fin(pcb);
    return ERR_OK;
}

/* SYN-SENT, a SYN without ACK: "Otherwise, enter SYN-RECEIVED, form a
 * SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it."
 * Our SYN is on unacked already: it goes back to unsent (tcp_rexmit) and
 * tcp_output sends it again, now with ACK (every state but SYN_SENT sets
 * it): the SYN,ACK. It is no retransmission for the trace (no TCP_REXMIT
 * record), though Karn's rule keeps it from being timed. Should it not
 * go (its pbuf still queued below), a bare ACK does (TF_ACK_NOW).
 * NOTE: text on the SYN is not kept (the peer sends it again). */
static void tcp_syn_sent_simultaneous(struct tcp_pcb *pcb)
{
    tcp_take_syn(pcb);
    tcp_take_syn_wnd(pcb);
    pcb->snd_wl1 = in.seq;
    pcb->snd_wl2 = pcb->lastack;
    tcp_set_flags(pcb, TF_SIMOPEN);
    tcp_set_state(pcb, SYN_RCVD);
    tcp_rexmit(pcb);
    tcp_ack_now(pcb);
    tcp_inseg_strip_syn();
    if (in.len > 0)
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
}

static err_t tcp_process_syn_sent(struct tcp_pcb *pcb)
{
    /* first, check the ACK bit: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT,
     * send a reset (unless the RST bit is set, if so drop the segment
     * and return)". Acceptable is ISS < SEG.ACK =< SND.NXT. */
    int ack = (in.flags & TCP_ACK) != 0;
    int ack_ok = ack && TCP_SEQ_BETWEEN(in.ack, pcb->lastack + 1, pcb->snd_nxt);
    if (ack && !ack_ok) {
        if (in.flags & TCP_RST) {
            TCP_DROP_INSEG(TCP_RST_INVALID);
        } else {
            tcp_reply_rst(pcb);
            TCP_DROP_INSEG(TCP_BAD_ACK);
        }
        return ERR_OK;
    }
    /* second, the RST bit: "If the ACK was acceptable, then signal to the
     * user 'error: connection reset', drop the segment, enter CLOSED
     * state, delete TCB, and return. Otherwise (no ACK), drop the segment
     * and return." (RFC 5961 3.2: an acceptable ACK makes it valid.) */
    if (in.flags & TCP_RST) {
        if (!ack_ok) {
            TCP_DROP_INSEG(TCP_RST_INVALID);
            return ERR_OK;
        }
        in.recv_flags |= TF_RESET;
        return ERR_RST;
    }
    /* fifth: "If neither of the SYN or RST bits is set, then drop the
     * segment and return." */
    if (!(in.flags & TCP_SYN)) {
        TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
        return ERR_OK;
    }
    /* fourth, the SYN bit. */
    if (ack_ok)
        return tcp_syn_sent_established(pcb);
    tcp_syn_sent_simultaneous(pcb);
    return ERR_OK;
}

/* ---- tcp_process: RFC 9293 3.10.7.4 "Otherwise" (SYN_RCVD .. LAST_ACK) --------- */

/* "first, check sequence number": the four cases of the table.
 *   SEG.LEN  RCV.WND  acceptable when
 *   0        0        SEG.SEQ = RCV.NXT
 *   0        >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *   >0       0        not acceptable
 *   >0       >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND or
 *                     RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
 * NOTE: "If the RCV.WND is zero, no segments will be acceptable, but
 * special allowance should be made to accept valid ACKs, URGs, and
 * RSTs": a segment at exactly RCV.NXT passes here (as in Linux), its
 * ACK is processed, and its text is then found not to fit (ACK, drop).
 * NOTE: likewise an empty segment at exactly RCV.NXT+RCV.WND passes (as
 * in Linux): a peer whose data we lost (no pool pbuf) sends its pure ACKs
 * with SEG.SEQ = its SND.NXT, which is the right edge once it has filled
 * our window; refusing them would ignore the ACKs of our retransmissions
 * for good, and both sides would wait on each other. */
static int tcp_seq_acceptable(const struct tcp_pcb *pcb)
{
    u32_t nxt = pcb->rcv_nxt, wnd = pcb->rcv_wnd;
    if (wnd == 0)
        return in.seq == nxt;
    if (TCP_SEQ_BETWEEN(in.seq, nxt, nxt + wnd - 1))
        return 1;
    if (in.len == 0)
        return in.seq == nxt + wnd;
    return in.len > 0 && TCP_SEQ_BETWEEN(in.seq + in.len - 1, nxt, nxt + wnd - 1);
}

/* SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED
 * state and continue processing ... If the segment acknowledgment is not
 * acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it."
 * Returns ERR_OK to go on, ERR_ABRT when the PCB is gone, ERR_VAL when
 * the segment was dropped. */
static err_t tcp_syn_rcvd_ack(struct tcp_pcb *pcb)
{
    if (!TCP_SEQ_BETWEEN(in.ack, pcb->lastack + 1, pcb->snd_nxt)) {
        tcp_reply_rst(pcb);
        TCP_DROP_INSEG(TCP_BAD_ACK);
        return ERR_VAL;
    }
    tcp_set_state(pcb, ESTABLISHED);
    /* RFC 5681 3.1: the initial window (tcp_receive then grows nothing
     * for the ACK of our SYN: it acknowledges no data). */
    tcp_set_cwnd(pcb, TCP_CALC_INITIAL_CWND(pcb->mss), NG_cwnd_INIT);
    if (pcb->flags & TF_SIMOPEN) {
        tcp_clear_flags(pcb, TF_SIMOPEN);
        return tcp_report_connected(pcb);
    }
    /* A passive open: the connection leaves the listener's backlog and
     * goes to its accept callback. If the listener was closed meanwhile,
     * or the application refuses, the connection is aborted (lwIP). */
    struct tcp_pcb_listen *lpcb = pcb->listener;
    err_t err = ERR_VAL;
    if (lpcb != NULL) {
        tcp_backlog_accepted(pcb);
        TCP_EVENT_ACCEPT(lpcb, pcb, pcb->callback_arg, ERR_OK, err);
    }
    if (err != ERR_OK) {
        if (err != ERR_ABRT)
            tcp_abort(pcb);
        tcp_inseg_gone();
        return ERR_ABRT;
    }
    return ERR_OK;
}

/* RFC 9293 3.5 simultaneous open, line 6 of figure 7: in SYN_RCVD the
 * peer's SYN,ACK <SEQ=IRS><ACK=ISS+1> arrives. NOTE: by the table above
 * it is unacceptable (it lies just before RCV.NXT) and would only draw an
 * ACK; like Linux (tcp_validate_incoming), we take its ACK: the SYN is
 * stripped and the rest is an ordinary segment at RCV.NXT. */
static void tcp_simultaneous_synack(const struct tcp_pcb *pcb)
{
    if (pcb->state == SYN_RCVD && (pcb->flags & TF_SIMOPEN) &&
        (in.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
        in.seq + 1 == pcb->rcv_nxt)
        tcp_inseg_strip_syn();
}

static err_t tcp_process_otherwise(struct tcp_pcb *pcb)
{
    tcp_simultaneous_synack(pcb);
    /* first, check sequence number: "If a segment's contents straddle
     * the boundary between old and new, only the new parts are
     * processed" (tcp_receive trims). "If an incoming segment is not
     * acceptable, an acknowledgment should be sent in reply (unless the
     * RST bit is set, if so drop the segment and return)". */
    if (!tcp_seq_acceptable(pcb)) {
        if (in.flags & TCP_RST) {
            TCP_DROP_INSEG(TCP_RST_INVALID);
        } else {
            tcp_ack_now(pcb);
            TCP_DROP_INSEG(TCP_OUT_OF_WINDOW);
        }
        return ERR_OK;
    }
    /* second, check the RST bit (RFC 5961 3.2): "If the RST bit is set
     * and the sequence number exactly matches the next expected sequence
     * number (RCV.NXT), then TCP MUST reset the connection"; in the window
     * but not exact: "TCP MUST send an ACK (challenge ACK)" and drop.
     * NOTE: SYN-RECEIVED from a passive open "returns to LISTEN": the
     * listener is still there, so freeing the PCB (which tcp_input does,
     * without an err callback: it has none yet) is the same. */
    if (in.flags & TCP_RST) {
        if (in.seq == pcb->rcv_nxt) {
            in.recv_flags |= TF_RESET;
            tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
            return ERR_RST;
        }
        tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_RST_INVALID);
        return ERR_OK;
    }
    /* The peer is alive: the idle timers (keepalive, RFC 1122 4.2.3.6)
     * start again; SYN_RCVD keeps counting from the SYN (its timeout). */
    if (pcb->state != SYN_RCVD)
        pcb->tmr = tcp_ticks;
    pcb->keep_cnt_sent = 0;
    pcb->persist_probe = 0;
    /* fourth, check the SYN bit (RFC 5961 4.2): a SYN in a synchronized
     * state draws a challenge ACK and is dropped.
     * NOTE: RFC 9293 returns a passive SYN-RECEIVED to LISTEN here; we
     * keep it and challenge too, so a stray SYN cannot kill it. */
    if (in.flags & TCP_SYN) {
        tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_SYN_INVALID);
        return ERR_OK;
    }
    /* fifth, check the ACK field: "if the ACK bit is off, drop the
     * segment and return". */
    if (!(in.flags & TCP_ACK)) {
        TCP_DROP_INSEG(TCP_NO_ACK);
        return ERR_OK;
    }
    if (pcb->state == SYN_RCVD) {
        err_t err = tcp_syn_rcvd_ack(pcb);
        if (err != ERR_OK)
            return err == ERR_ABRT ? ERR_ABRT : ERR_OK;
    }
    /* fifth (the ACK in the other states), sixth (URG: NOTE: ignored, RFC
     * 9293 3.8.5 leaves urgent data to the application, which has no API
     * for it here), seventh (text): tcp_receive. eighth: FIN. */
    if (tcp_receive(pcb) == 0)
        tcp_process_fin(pcb);
    return ERR_OK;
}

static err_t tcp_process(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_process, pcb);
    err_t err = pcb->state == SYN_SENT ? tcp_process_syn_sent(pcb) : tcp_process_otherwise(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_process);
    return err;
}

/* ---- tcp_input: the results, told to the application ------------------------------ */

/* The connection is over: the PCB is freed, then errf (if any) hears err
 * (lwip/tcp.h: the PCB is gone before the err callback runs). */
static void tcp_input_free(struct tcp_pcb *pcb, tcp_err_fn errf, err_t err)
{
    void *arg = pcb->callback_arg;
    enum tcp_state state = pcb->state;
    tcp_pcb_remove(&tcp_active_pcbs, pcb);
    tcp_free(pcb);
    TCP_EVENT_ERR(state, errf, arg, err);
}

/* A valid RST: "signal to the user 'connection reset'", delete the TCB.
 * NOTE: RFC 9293 gives no signal in CLOSING and LAST_ACK; lwIP calls the
 * err callback in every state (an application that closed can
 * tcp_err(pcb, NULL) first). */
static void tcp_input_reset(struct tcp_pcb *pcb)
{
    tcp_input_free(pcb, pcb->errf, ERR_RST);
}

/* LAST_ACK done: the PCB goes. An application that did not close its
 * receive side (tcp_shutdown of the send side only) hears ERR_CLSD. */
static int tcp_input_closed(struct tcp_pcb *pcb)
{
    if (!(in.recv_flags & TF_CLOSED))
        return 0;
    tcp_input_free(pcb, (pcb->flags & TF_RXCLOSED) ? NULL : pcb->errf, ERR_CLSD);
    return 1;
}

/* In-order data to the recv callback. A refusal (an error other than
 * ERR_ABRT) leaves it with the PCB, offered again later
 * (tcp_process_refused_data). Returns ERR_ABRT when the PCB is gone. */
static err_t tcp_input_deliver(struct tcp_pcb *pcb)
{
    struct pbuf *data = in.recv_data;
    in.recv_data = NULL;
    /* RFC 1122 4.2.2.13: data after the receive side was shut (tcp_close,
     * tcp_shutdown shut_rx) is lost: say so with a RST. */
    if (pcb->flags & TF_RXCLOSED) {
        TCP_DROP(TCP_RX_CLOSED, data);
        /* A FIN with the data may have taken the PCB to TIME_WAIT, where
         * tcp_abort sends nothing: the RST still goes. */
        if (pcb->state == TIME_WAIT)
            tcp_rst_pcb(pcb);
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    err_t err;
    TCP_EVENT_RECV(pcb, data, ERR_OK, err);
    if (err == ERR_ABRT)
        return ERR_ABRT;
    if (err != ERR_OK) {
        /* NOTE: a TIME_WAIT PCB is never offered refused data again (the
         * fast timer walks active PCBs only): the data is dropped. */
        if (pcb->state == TIME_WAIT)
            TCP_DROP(TCP_REFUSED, data);
        else
            pcb->refused_data = data;
    }
    return ERR_OK;
}

/* The peer's FIN: "signal the user 'connection closing'" (recv with
 * NULL), after any data refused before it. */
static err_t tcp_input_fin(struct tcp_pcb *pcb)
{
    if (pcb->refused_data != NULL) {
        pcb->refused_data->flags = (u8_t)(pcb->refused_data->flags | PBUF_FLAG_TCP_FIN);
        return ERR_OK;
    }
    if (pcb->rcv_wnd < TCP_WND)
        pcb->rcv_wnd++;     /* the FIN's unit of the window, back */
    err_t err;
    TCP_EVENT_CLOSED(pcb, err);
    return err == ERR_ABRT ? ERR_ABRT : ERR_OK;
}

/* After tcp_process: the callbacks, in lwIP's order (sent, recv, closed).
 * Returns 1 while the PCB exists. */
static int tcp_input_report(struct tcp_pcb *pcb, err_t err)
{
    if (err == ERR_ABRT)
        return 0;
    if (in.recv_flags & TF_RESET) {
        tcp_input_reset(pcb);
        return 0;
    }
    if (in.recv_acked > 0) {
        TCP_EVENT_SENT(pcb, (u16_t)LWIP_MIN(in.recv_acked, 0xffffU), err);
        if (err == ERR_ABRT)
            return 0;
    }
    if (tcp_input_closed(pcb))
        return 0;
    if (in.recv_data != NULL && tcp_input_deliver(pcb) == ERR_ABRT)
        return 0;
    if ((in.recv_flags & TF_GOT_FIN) && tcp_input_fin(pcb) == ERR_ABRT)
        return 0;
    return 1;
}

/* Data the application refused before goes first; while it is still
 * refused, a new segment with text is not taken (nor acknowledged: RCV.NXT
 * stays), only a zero-window probe is answered. Returns 1 to go on with
 * the segment, 0 when the PCB is gone, -1 when the segment was dropped. */
static int tcp_input_refused(struct tcp_pcb *pcb)
{
    if (pcb->refused_data == NULL)
        return 1;
    if (tcp_process_refused_data(pcb) == ERR_ABRT || pcb->state == TIME_WAIT) {
        /* Aborted, or closed with a RST from the callback (net/tcp.c then
         * parks the PCB in TIME_WAIT while tcp_input holds it). */
        tcp_inseg_gone();
        return 0;
    }
    if (pcb->refused_data != NULL && in.len > 0) {
        if (pcb->rcv_ann_wnd == 0)
            tcp_ack_now(pcb);
        TCP_DROP_INSEG(TCP_REFUSED);
        return -1;
    }
    return 1;
}

/* A segment for a connection (SYN_SENT .. LAST_ACK). tcp_input_pcb is set
 * throughout, so output the callbacks cause waits for the one
 * tcp_output at the end, and net/tcp.c does not free the PCB under us. */
static void tcp_input_active(struct tcp_pcb *pcb)
{
    in.recv_flags = 0;
    in.recv_data = NULL;
    in.recv_acked = 0;
    tcp_input_pcb = pcb;
    int alive = tcp_input_refused(pcb);
    if (alive > 0)
        alive = tcp_input_report(pcb, tcp_process(pcb));
    tcp_input_pcb = NULL;
    if (in.recv_data != NULL) {
        /* accepted, but the connection went before it was delivered */
        TCP_DROP(TCP_NO_PCB, in.recv_data);
        in.recv_data = NULL;
    }
    if (alive)
        tcp_output(pcb);
}

/* RFC 9293 3.10.7.1 CLOSED: "An incoming segment containing a RST is
 * discarded. An incoming segment not containing a RST causes a RST to be
 * sent in response." */
static void tcp_input_no_pcb(void)
{
    TCP_STATS_INC(proterr);
    if (!(in.flags & TCP_RST))
        tcp_reply_rst(NULL);
    TCP_DROP_INSEG(TCP_NO_PCB);
}

static void tcp_input_segment(struct pbuf *p, struct netif *inp)
{
    TCP_STATS_INC(recv);
    if (tcp_parse_header(p) != 0)
        return;

    struct tcp_pcb *pcb = tcp_find_active(inp);
    if (pcb != NULL) {
        tcp_input_active(pcb);
    } else {
        pcb = tcp_find_timewait(inp);
        if (pcb == NULL || tcp_timewait_input(pcb)) {
            struct tcp_pcb_listen *lpcb = tcp_find_listener(inp);
            if (lpcb != NULL)
                tcp_listen_input(lpcb);
            else
                tcp_input_no_pcb();
        }
    }
    /* What is left was consumed whole: a pure ACK, a RST or SYN acted on. */
    if (in.seg.p != NULL) {
        pbuf_free(in.seg.p);
        in.seg.p = NULL;
    }
}

void tcp_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_input, p);
    tcp_input_segment(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_input);
}

#endif /* LWIP_TCP */
