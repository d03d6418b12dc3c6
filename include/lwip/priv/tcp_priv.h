/*
 * lwip/priv/tcp_priv.h - what the three TCP files share and nobody else
 * should use: the segment queue entry, the PCB lists, the timer counters,
 * and the functions each file offers the other two.
 *
 *   net/tcp.c      PCBs and their lists, bind/listen/connect/close/abort,
 *                  ISNs, the timers (tcp_fasttmr, tcp_slowtmr: RTO,
 *                  persist, keepalive, TIME_WAIT), RTT estimation, window
 *                  bookkeeping, the state-change record.
 *   net/tcp_in.c   tcp_input and RFC 9293 3.10.7 "SEGMENT ARRIVES":
 *                  tcp_listen_input, tcp_timewait_input, tcp_process,
 *                  tcp_receive (ACK processing, congestion control, the
 *                  out-of-order queue), option parsing.
 *   net/tcp_out.c  building and sending segments: tcp_write/tcp_enqueue,
 *                  tcp_enqueue_flags, tcp_output/tcp_output_segment,
 *                  empty ACKs, RST, retransmission, probes, keepalives.
 *
 * A segment on a queue is one pbuf chain holding the TCP header (filled in
 * when sent) and its data; seg->tcphdr points at the header inside p. The
 * sequence number of a segment is lwip_ntohl(seg->tcphdr->seqno); its
 * length in sequence space is TCP_TCPLEN(seg) (data + SYN + FIN).
 */
#ifndef LWIP_HDR_TCP_PRIV_H
#define LWIP_HDR_TCP_PRIV_H

#include "lwip/opt.h"

#if LWIP_TCP

#include "lwip/tcp.h"
#include "lwip/pbuf.h"
#include "lwip/ip.h"
#include "lwip/prot/tcp.h"
#include "trace.h"

/* ---- Segments --------------------------------------------------------------- */
struct tcp_seg {
    struct tcp_seg *next;       /* the queue (unsent, unacked, ooseq) */
    struct pbuf *p;             /* header + options + data; payload at the TCP header */
    u16_t len;                  /* data bytes (no header, no SYN/FIN) */
    u8_t flags;                 /* TF_SEG_* */
    u8_t nrtx;                  /* times this segment was retransmitted */
    struct tcp_hdr *tcphdr;     /* the TCP header inside p */
};

#define TF_SEG_OPTS_MSS 0x01U       /* this segment carries the MSS option (SYN) */
#define TF_SEG_DATA_CHECKSUMMED 0x04U   /* (unused: checksums are computed when sent) */

/* Bytes of options a segment with these TF_SEG_* flags carries. */
#define LWIP_TCP_OPT_LENGTH(flags) (((flags) & TF_SEG_OPTS_MSS) ? 4 : 0)

/* Sequence space of a segment: data, plus one for a SYN or a FIN. */
#define TCP_TCPLEN(seg) ((u32_t)(seg)->len + \
    (((TCPH_FLAGS((seg)->tcphdr) & (TCP_FIN | TCP_SYN)) != 0) ? 1U : 0U))

/* ---- Timers -------------------------------------------------------------------- */
#define TCP_TMR_INTERVAL 250        /* ms between tcp_tmr calls */
#define TCP_FAST_INTERVAL TCP_TMR_INTERVAL      /* tcp_fasttmr: delayed ACKs, refused data */
#define TCP_SLOW_INTERVAL (2 * TCP_TMR_INTERVAL) /* tcp_slowtmr: one "tick" of the PCB timers */

#define TCP_FIN_WAIT_TIMEOUT 20000  /* ms in FIN_WAIT_2 with the receive side shut */
#define TCP_SYN_RCVD_TIMEOUT 20000  /* ms an embryonic connection may stay in SYN_RCVD */
#define TCP_OOSEQ_TIMEOUT 6U        /* RTOs an out-of-order queue may wait, then it goes */
#define TCP_MSL 60000UL             /* maximum segment lifetime (RFC 9293 3.4.2: 2 minutes
                                       suggested; lwIP uses 60 s; TIME_WAIT is 2 MSL) */

/* RFC 1122 4.2.3.6 keepalive defaults (ms); per PCB in keep_idle/intvl/cnt. */
#define TCP_KEEPIDLE_DEFAULT 7200000UL
#define TCP_KEEPINTVL_DEFAULT 75000UL
#define TCP_KEEPCNT_DEFAULT 9U
#define TCP_MAXIDLE (TCP_KEEPCNT_DEFAULT * TCP_KEEPINTVL_DEFAULT)

/* tcp_ticks counts slow-timer ticks since boot; tcp_timer_ctr counts tcp_tmr calls. */
extern u32_t tcp_ticks;
extern u8_t tcp_timer_ctr;

/* Arm tcp_tmr on the timeout list if it is not armed and any PCB is
 * active or in TIME_WAIT (called whenever a PCB joins those lists). */
void tcp_timer_needed(void);

/* ---- The PCB lists (all in net/tcp.c) ------------------------------------------ */
union tcp_listen_pcbs_t {
    struct tcp_pcb_listen *listen_pcbs;
    struct tcp_pcb *pcbs;
};
extern struct tcp_pcb *tcp_bound_pcbs;          /* bound, CLOSED */
extern union tcp_listen_pcbs_t tcp_listen_pcbs; /* LISTEN */
extern struct tcp_pcb *tcp_active_pcbs;         /* SYN_SENT .. LAST_ACK */
extern struct tcp_pcb *tcp_tw_pcbs;             /* TIME_WAIT */
/* Set when tcp_active_pcbs changed under a loop walking it (a callback
 * freed or added a PCB): the loop starts over. */
extern u8_t tcp_active_pcbs_changed;

/* The PCB tcp_input is processing (tcp_output defers output for it until
 * input is done, so one ACK covers a whole segment's effects). */
extern struct tcp_pcb *tcp_input_pcb;

/* Put pcb at the head of *list / take it out (the PCB is not freed). */
void tcp_pcb_register(struct tcp_pcb **list, struct tcp_pcb *pcb);
void tcp_pcb_unlink(struct tcp_pcb **list, struct tcp_pcb *pcb);
/* Unlink pcb from *list, purge its queues, stop delayed ACK (sending it
 * first when owed and synchronized), set CLOSED. Does not free. */
void tcp_pcb_remove(struct tcp_pcb **list, struct tcp_pcb *pcb);
/* Free every queued segment and refused data of pcb (backlog released). */
void tcp_pcb_purge(struct tcp_pcb *pcb);
/* Give pcb back to its pool (MEMP_TCP_PCB or MEMP_TCP_PCB_LISTEN). */
void tcp_free(struct tcp_pcb *pcb);
/* Abort: remove and free pcb, send RST if reset and synchronized, then
 * call the err callback with ERR_ABRT (reset) or ERR_CLSD. */
void tcp_abandon(struct tcp_pcb *pcb, int reset);

/* A new PCB with the defaults (tcp_new's work): from MEMP_TCP_PCB, or by
 * killing the oldest TIME_WAIT PCB, else the oldest LAST_ACK/CLOSING, else
 * the oldest active PCB of lower priority than prio (RFC 9293 leaves
 * the policy open; this is lwIP's). */
struct tcp_pcb *tcp_alloc(u8_t prio);

/* Every state change goes through here: it records TCP_STATE (from, to,
 * ports) and sets pcb->state. */
void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state new_state);

/* The recv callback of a PCB with none: frees data, closes on FIN. */
err_t tcp_recv_null(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);

/* An initial sequence number (RFC 6528: a clock plus a keyed hash of the
 * connection's addresses and ports, so it cannot be predicted). */
u32_t tcp_next_iss(const struct tcp_pcb *pcb);
/* The interface toward the peer: the one pcb is bound to, else the route
 * from src to dest (pcb may be NULL). */
struct netif *tcp_route(const struct tcp_pcb *pcb, const ip_addr_t *src, const ip_addr_t *dest);
/* The MSS to use toward dest: sendmss limited by the MTU of the route. */
u16_t tcp_eff_send_mss(u16_t sendmss, const ip_addr_t *dest, const ip_addr_t *src);

/* Receive window: after rcv_wnd changed, compute what to announce (RFC
 * 9293 3.8.6.2.2 receiver SWS avoidance: the right edge moves only by at
 * least min(RCV.BUFF/2, MSS)). Returns by how much the announced window
 * would grow if announced now. */
u32_t tcp_update_rcv_ann_wnd(struct tcp_pcb *pcb);

/* Offer refused data to the recv callback again (fast timer, tcp_input).
 * ERR_ABRT if the callback aborted the PCB. */
err_t tcp_process_refused_data(struct tcp_pcb *pcb);

/* RFC 6298 2 and 5: a new RTT sample (ticks) updates sa, sv and rto. */
void tcp_rtt_sample(struct tcp_pcb *pcb, s16_t rtt_ticks);

/* Congestion window changes go through here: records TCP_CWND with why. */
void tcp_set_cwnd(struct tcp_pcb *pcb, tcpwnd_size_t cwnd, u8_t why);

/* Segments: free one, free a queue, copy one (for the ooseq queue). */
void tcp_seg_free(struct tcp_seg *seg);
void tcp_segs_free(struct tcp_seg *seg);
/* Received segments thrown away (one, or a queue): each is counted as a
 * drop under reason (NG_drop_<NAME>) and in lwip_stats.tcp.drop, freed. */
void tcp_seg_drop(struct tcp_seg *seg, unsigned reason);
void tcp_segs_drop(struct tcp_seg *seg, unsigned reason);
struct tcp_seg *tcp_seg_copy(const struct tcp_seg *seg);

/* ---- net/tcp_out.c ----------------------------------------------------------------- */
/* Queue a segment with only SYN and/or FIN (SYN carries the MSS option). */
err_t tcp_enqueue_flags(struct tcp_pcb *pcb, u8_t flags);
/* Queue our FIN (merged into the last unsent segment when it can be). */
err_t tcp_send_fin(struct tcp_pcb *pcb);
/* Send a bare ACK now (with the current window). */
err_t tcp_send_empty_ack(struct tcp_pcb *pcb);
/* Send a RST|ACK (aborts; RFC 9293 3.10.7.1's reply to a segment without
 * ACK: SEQ=0, ACK=SEG.SEQ+SEG.LEN); pcb may be NULL (no connection:
 * addresses and ports from the arguments, TTL the default). */
void tcp_rst(const struct tcp_pcb *pcb, u32_t seqno, u32_t ackno,
             const ip_addr_t *local_ip, const ip_addr_t *remote_ip,
             u16_t local_port, u16_t remote_port);
/* tcp_rst for pcb's own connection: SEQ = SND.NXT, ACK = RCV.NXT, its
 * addresses and ports (an abort of a synchronized connection). */
void tcp_rst_pcb(const struct tcp_pcb *pcb);
/* Send a bare RST with SEQ=seqno (RFC 9293 3.10.7.1: the reply to a
 * segment that carried an ACK takes SEQ=SEG.ACK and no ACK bit). */
void tcp_rst_noack(const struct tcp_pcb *pcb, u32_t seqno, const ip_addr_t *local_ip,
                   const ip_addr_t *remote_ip, u16_t local_port, u16_t remote_port);
/* RTO: move every unacked segment back to the head of unsent and send the
 * first again (records TCP_REXMIT cause RTO). */
void tcp_rexmit_rto(struct tcp_pcb *pcb);
/* Retransmit the first unacked segment (put it back at the head of unsent). */
err_t tcp_rexmit(struct tcp_pcb *pcb);
/* Three duplicate ACKs: fast retransmit and enter fast recovery (RFC 5681
 * 3.2 steps 2-3, TCP_REXMIT cause FAST). */
void tcp_rexmit_fast(struct tcp_pcb *pcb);
/* Persist timer: probe a zero window with one byte (RFC 9293 3.8.6.1;
 * TCP_REXMIT cause PROBE). */
err_t tcp_zero_window_probe(struct tcp_pcb *pcb);
/* Keepalive probe: SND.NXT - 1, no data (RFC 1122 4.2.3.6). */
err_t tcp_keepalive(struct tcp_pcb *pcb);
/* Send an ACK of a received segment, delayed or now. */
#define tcp_ack(pcb) do { \
        if ((pcb)->flags & TF_ACK_DELAY) { \
            tcp_clear_flags(pcb, TF_ACK_DELAY); \
            tcp_set_flags(pcb, TF_ACK_NOW); \
        } else { \
            tcp_set_flags(pcb, TF_ACK_DELAY); \
        } \
    } while (0)
#define tcp_ack_now(pcb) tcp_set_flags(pcb, TF_ACK_NOW)

/* Nagle (RFC 9293 3.7.4): may the unsent queue go now? Yes if nothing is
 * in flight, TF_NODELAY, a FIN or memory error is pending, or a full
 * segment is ready. */
#define tcp_do_output_nagle(tpcb) ((((tpcb)->unacked == NULL) || \
    ((tpcb)->flags & (TF_NODELAY | TF_NAGLEMEMERR)) || \
    (((tpcb)->unsent != NULL) && (((tpcb)->unsent->next != NULL) || \
        ((tpcb)->unsent->len >= (tpcb)->mss))) || \
    ((tcp_sndbuf(tpcb) == 0) || (tcp_sndqueuelen(tpcb) >= TCP_SND_QUEUELEN))) ? 1 : 0)

/* Calling the application: each returns the callback's result, or ERR_OK
 * when none is registered (recv: tcp_recv_null). */
#define TCP_EVENT_ACCEPT(lpcb, pcb, arg, err, ret) do { \
        if ((lpcb)->accept != NULL) (ret) = (lpcb)->accept((arg), (pcb), (err)); \
        else (ret) = ERR_ARG; \
    } while (0)
#define TCP_EVENT_SENT(pcb, space, ret) do { \
        if ((pcb)->sent != NULL) (ret) = (pcb)->sent((pcb)->callback_arg, (pcb), (space)); \
        else (ret) = ERR_OK; \
    } while (0)
#define TCP_EVENT_RECV(pcb, p, err, ret) do { \
        if ((pcb)->recv != NULL) (ret) = (pcb)->recv((pcb)->callback_arg, (pcb), (p), (err)); \
        else (ret) = tcp_recv_null(NULL, (pcb), (p), (err)); \
    } while (0)
#define TCP_EVENT_CLOSED(pcb, ret) do { \
        if ((pcb)->recv != NULL) (ret) = (pcb)->recv((pcb)->callback_arg, (pcb), NULL, ERR_OK); \
        else (ret) = ERR_OK; \
    } while (0)
#define TCP_EVENT_CONNECTED(pcb, err, ret) do { \
        if ((pcb)->connected != NULL) \
            (ret) = (pcb)->connected((pcb)->callback_arg, (pcb), (err)); \
        else (ret) = ERR_OK; \
    } while (0)
#define TCP_EVENT_POLL(pcb, ret) do { \
        if ((pcb)->poll != NULL) (ret) = (pcb)->poll((pcb)->callback_arg, (pcb)); \
        else (ret) = ERR_OK; \
    } while (0)
#define TCP_EVENT_ERR(last_state, errf, arg, err) do { \
        LWIP_UNUSED_ARG(last_state); \
        if ((errf) != NULL) (errf)((arg), (err)); \
    } while (0)

/* Trace helpers: values of the NG_ENUM(rexmit, ...), (cwnd, ...) and
 * (wnd, ...) lines of tracer/events.def. */
#define TCP_TRACE_REXMIT(pcb, cause, seqno) \
    NG_TRACE2(TCP_REXMIT, NG_rexmit_##cause, (pcb), (seqno))
/* (The event is TCP_WINDOW, not TCP_WND: that is the window size option
 * of lwip/opt.h, and NG_TRACE2 expands its event argument.) */
#define TCP_TRACE_WND(pcb, dir, wnd) \
    NG_TRACE2(TCP_WINDOW, NG_wnd_##dir, (pcb), (u32_t)(wnd))

/* Drop a received segment: reason (NG_drop_<reason>), count, free. */
#define TCP_DROP(reason, p) ng_drop_pbuf(NG_drop_##reason, (p), &lwip_stats.tcp)

/* ---- How the three files agree (read before changing any of them) ---------------
 *
 * Sequence variables (RFC 9293 3.3.1), all host order:
 *   lastack  = SND.UNA: oldest unacknowledged sequence number.
 *   snd_nxt  = the highest sequence number sent so far + 1 (SND.MAX): never
 *              moved back, also not by an RTO; flight size = snd_nxt - lastack.
 *   snd_lbb  = the sequence number the next queued byte (or SYN/FIN) gets.
 *   Opening (tcp_connect, tcp_listen_input): snd_nxt = snd_lbb = lastack =
 *   snd_wl2 = iss; then tcp_enqueue_flags(SYN) queues a segment with seqno
 *   snd_lbb and does snd_lbb++. tcp_write's segments take seqno snd_lbb and
 *   advance it by their length; a FIN does snd_lbb++.
 *   Passive open also sets rcv_nxt = SEG.SEQ + 1, snd_wl1 = SEG.SEQ - 1 (so
 *   the first window is taken), snd_wnd = SEG.WND.
 *
 * Send buffer: snd_buf counts DATA bytes only (SYN and FIN never use it).
 * tcp_write takes len from snd_buf and adds pbuf_clen of what it queued to
 * snd_queuelen. When tcp_receive frees acknowledged segments it gives back
 * each one's seg->len to snd_buf and its pbuf_clen to snd_queuelen, and the
 * sent callback gets the sum of their seg->len (data bytes acknowledged).
 * A segment stays on unacked until it is acknowledged completely.
 *
 * Output: tcp_output(pcb) does nothing while tcp_input_pcb == pcb (tcp_input
 * calls it once when the segment is processed). It moves segments from
 * unsent to unacked (in sequence order: a retransmitted segment goes back
 * in front) as the windows allow (seqno - lastack + len <= min(snd_wnd,
 * cwnd)), Nagle permitting (tcp_do_output_nagle); with TF_ACK_NOW and
 * nothing sent it calls tcp_send_empty_ack. Every segment sent carries ACK
 * (except the first SYN) and clears TF_ACK_DELAY | TF_ACK_NOW.
 * tcp_output_segment starts the RTO timer (rtime = 0 if it was -1) and,
 * when no segment is being timed (rttest == 0) and the segment is not a
 * retransmission, times this one: rttest = tcp_ticks, rtseq = its seqno.
 *
 * Retransmission: tcp_rexmit_rto (slow timer) and tcp_rexmit (one segment)
 * put segments back at the head of unsent, set rttest = 0 (Karn's rule,
 * RFC 6298 3) and count seg->nrtx; tcp_rexmit records nothing itself (its
 * caller records the cause: FAST from tcp_rexmit_fast, PARTIAL from
 * tcp_receive); tcp_rexmit_rto records RTO. The slow timer backs the RTO
 * off (RFC 6298 5.5), sets ssthresh = max(flight / 2, 2 * mss) and cwnd =
 * mss (NG_cwnd_RTO) before calling tcp_rexmit_rto, and aborts with ERR_ABRT
 * after TCP_MAXRTX (TCP_SYNMAXRTX for a SYN) retransmissions.
 * On an ACK of new data tcp_receive: RTT sample if rttest != 0 and
 * TCP_SEQ_LT(rtseq, ackno) (then rttest = 0), nrtx = 0, rtime = -1 if
 * unacked is now empty else 0, dupacks = 0.
 *
 * Fast retransmit / recovery (RFC 5681 3.2, RFC 6582): tcp_receive counts
 * duplicate ACKs (RFC 5681 2 definition); at the third it calls
 * tcp_rexmit_fast (ssthresh = max(flight / 2, 2 * mss), tcp_rexmit, cwnd =
 * ssthresh + 3 * mss (FAST_RECOVERY), TF_INFR, rto_end = snd_nxt); each
 * further one inflates cwnd by mss (INFLATE). A full ACK (>= rto_end) ends
 * recovery (cwnd = ssthresh, RECOVERED); a partial one retransmits the next
 * segment (tcp_rexmit + TCP_TRACE_REXMIT PARTIAL) and deflates cwnd.
 * Congestion window growth on ACKs (SLOW_START / CONG_AVOID) is
 * tcp_receive's; cwnd starts at TCP_CALC_INITIAL_CWND(mss) (INIT) when the
 * connection becomes ESTABLISHED (tcp_process). ssthresh starts at 0xffff.
 *
 * Persist (RFC 9293 3.8.6.1): when the peer's window is too small for the
 * first unsent segment and nothing is in flight, tcp_output starts the
 * persist timer (persist_backoff = 1, persist_cnt = 0, TCP_TRACE_WND ZERO);
 * tcp_slowtmr sends tcp_zero_window_probe with backoff; tcp_receive stops
 * it (persist_backoff = 0) when the window opens.
 *
 * Delayed ACK (RFC 1122 4.2.3.2, RFC 9293 3.8.6.3): in-order data: tcp_ack
 * (the second full segment in a row: ACK now); out of order, duplicates,
 * a FIN, window probes: tcp_ack_now. tcp_fasttmr sends owed delayed ACKs.
 * Window updates: tcp_recved adds to rcv_wnd, and when
 * tcp_update_rcv_ann_wnd says the announced window would grow by at least
 * TCP_WND_UPDATE_THRESHOLD (or it was zero) it does tcp_ack_now + tcp_output
 * and records TCP_TRACE_WND ANNOUNCE.
 *
 * Listen backlog: a SYN to a listener with accepts_pending >= backlog is
 * dropped (TCP_BACKLOG_FULL). Otherwise the new PCB (SYN_RCVD) has
 * listener = the listener and accepts_pending++; when it becomes
 * ESTABLISHED tcp_process calls tcp_backlog_accepted and then the accept
 * callback. tcp_backlog_delayed counts it again (netconn does, until the
 * app accepts). tcp_pcb_purge releases a pending count; a listener's
 * close clears the listener pointer of its pending connections.
 *
 * Lists: tcp_pcb_register/tcp_pcb_unlink set tcp_active_pcbs_changed when
 * the list is tcp_active_pcbs, and register calls tcp_timer_needed.
 * TIME_WAIT: tcp_in unlinks from tcp_active_pcbs, tcp_pcb_purge, sets
 * TIME_WAIT, pcb->tmr = tcp_ticks, registers on tcp_tw_pcbs; tcp_slowtmr
 * frees it after 2 * TCP_MSL.
 */

/* RFC 5681 3.1 equation (3): the initial window, by the send MSS. */
#define TCP_CALC_INITIAL_CWND(mss) ((tcpwnd_size_t)((mss) > 2190 ? 2 * (mss) : \
    (mss) > 1095 ? 3 * (mss) : 4 * (mss)))

/* ---- Added by net/tcp.c (backlog accounting) -----------------------------------
 * A tcp_pcb.flags bit (lwIP's TF_BACKLOGPEND slot, inverted): set once
 * tcp_backlog_accepted has given the connection's count back to its
 * listener. pcb->listener is kept after that (so the accept callback can
 * be found through it right after tcp_backlog_accepted, and
 * tcp_backlog_delayed can count the connection again); it is cleared by
 * tcp_pcb_purge and when the listener closes. */
#define TF_BACKLOGACC 0x0200U

/* ---- Added by net/tcp_in.c (not part of the original contract) ----------------- */
/* pcb->flags: SYN_RCVD was reached from SYN_SENT (a simultaneous open,
 * RFC 9293 3.10.7.3 fourth), so the handshake's end calls the connected
 * callback, not a listener's accept. Only net/tcp_in.c sets and clears it. */
#define TF_SIMOPEN 0x4000U

/* ---- TIME_WAIT PCBs the application still holds ----------------------------------
 * pcb->flags: the application called tcp_close (it let go of the PCB).
 * Without it, a PCB in TIME_WAIT still belongs to the application (it only
 * shut its sending side, tcp_shutdown(pcb, 0, 1)), so freeing it must say
 * so through the err callback, as every other way a PCB ends does. */
#define TF_APPCLOSED 0x1000U
/* Take pcb off tcp_tw_pcbs and free it; if the application still holds it
 * (no TF_APPCLOSED), its err callback then gets err. */
void tcp_free_timewait(struct tcp_pcb *pcb, err_t err);

#endif /* LWIP_TCP */
#endif
