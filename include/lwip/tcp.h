/*
 * lwip/tcp.h - TCP (RFC 9293) through lwIP 2.x's raw API (net/tcp.c,
 * net/tcp_in.c, net/tcp_out.c).
 *
 * An application makes a PCB with tcp_new, registers its callbacks
 * (tcp_arg, tcp_recv, tcp_sent, tcp_err, tcp_poll), then either
 *   - tcp_bind + tcp_listen (which FREES the PCB and returns a smaller
 *     listening one) + tcp_accept: each connection arrives as a new PCB in
 *     the accept callback; or
 *   - tcp_connect: the connected callback runs when the handshake is done.
 * Data goes out with tcp_write (queued; TCP_WRITE_FLAG_COPY copies it,
 * without it the bytes must stay put until acknowledged) and tcp_output
 * (sends what the windows allow); the sent callback reports bytes the peer
 * acknowledged. Data comes in through the recv callback, which owns the
 * pbuf and must call tcp_recved(pcb, n) once it has consumed n bytes so
 * the window opens again; p == NULL in the recv callback means the peer
 * closed its side (FIN). tcp_close closes gracefully (it may fail with
 * ERR_MEM: try again from the poll callback), tcp_abort sends a RST and
 * frees at once.
 *
 * Callback rules, as in lwIP: after the err callback runs the PCB is
 * already freed; a callback that called tcp_abort on its PCB must return
 * ERR_ABRT. Ports are in host byte order. All of it runs in tcpip_thread
 * (or under the core lock).
 */
#ifndef LWIP_HDR_TCP_H
#define LWIP_HDR_TCP_H

#include "lwip/opt.h"

#if LWIP_TCP

#include "lwip/err.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/tcp.h"

struct tcp_pcb;
struct tcp_pcb_listen;

/* A connection arrived on a listening PCB: newpcb is it (err ERR_OK), or
 * newpcb is NULL and err ERR_MEM when none could be allocated. Return
 * ERR_OK to keep it; anything else and the stack aborts it (return
 * ERR_ABRT after calling tcp_abort yourself). */
typedef err_t (*tcp_accept_fn)(void *arg, struct tcp_pcb *newpcb, err_t err);
/* Data arrived (p), or the peer closed its side (p == NULL). The callback
 * owns p and calls tcp_recved when it has consumed the bytes. Returning an
 * error other than ERR_ABRT refuses p: the stack keeps it and offers it
 * again later (and must not free it). */
typedef err_t (*tcp_recv_fn)(void *arg, struct tcp_pcb *tpcb, struct pbuf *p, err_t err);
/* len bytes of sent data were acknowledged (room in the send buffer again). */
typedef err_t (*tcp_sent_fn)(void *arg, struct tcp_pcb *tpcb, u16_t len);
/* Called every pollinterval slow-timer ticks (500 ms each) while open. */
typedef err_t (*tcp_poll_fn)(void *arg, struct tcp_pcb *tpcb);
/* The connection failed: ERR_RST (reset by the peer), ERR_ABRT (aborted:
 * retransmission limit, keepalive, or memory), ERR_CLSD. The PCB is
 * already freed when this runs. */
typedef void (*tcp_err_fn)(void *arg, err_t err);
/* tcp_connect's handshake completed (err is ERR_OK). */
typedef err_t (*tcp_connected_fn)(void *arg, struct tcp_pcb *tpcb, err_t err);

/* Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4). */
#define TCP_SEQ_LT(a, b) ((s32_t)((u32_t)(a) - (u32_t)(b)) < 0)
#define TCP_SEQ_LEQ(a, b) ((s32_t)((u32_t)(a) - (u32_t)(b)) <= 0)
#define TCP_SEQ_GT(a, b) ((s32_t)((u32_t)(a) - (u32_t)(b)) > 0)
#define TCP_SEQ_GEQ(a, b) ((s32_t)((u32_t)(a) - (u32_t)(b)) >= 0)
#define TCP_SEQ_BETWEEN(a, b, c) (TCP_SEQ_GEQ(a, b) && TCP_SEQ_LEQ(a, c))  /* b <= a <= c */

/* The eleven states of RFC 9293 3.3.2, with lwIP's values. */
enum tcp_state {
    CLOSED = 0,
    LISTEN = 1,
    SYN_SENT = 2,
    SYN_RCVD = 3,
    ESTABLISHED = 4,
    FIN_WAIT_1 = 5,
    FIN_WAIT_2 = 6,
    CLOSE_WAIT = 7,
    CLOSING = 8,
    LAST_ACK = 9,
    TIME_WAIT = 10
};

typedef u16_t tcpwnd_size_t;    /* no window scaling: windows fit 16 bits */
typedef u16_t tcpflags_t;

/* Bits of tcp_pcb.flags. */
#define TF_ACK_DELAY   0x01U    /* an ACK is owed; the fast timer sends it (delayed ACK) */
#define TF_ACK_NOW     0x02U    /* send an ACK at the next tcp_output */
#define TF_INFR        0x04U    /* in fast recovery (RFC 5681 3.2) */
#define TF_CLOSEPEND   0x08U    /* close wanted but the FIN could not be queued yet */
#define TF_RXCLOSED    0x10U    /* receive side shut (tcp_shutdown shut_rx) */
#define TF_FIN         0x20U    /* the connection was closed locally (FIN queued) */
#define TF_NODELAY     0x40U    /* Nagle's algorithm disabled */
#define TF_NAGLEMEMERR 0x80U    /* tcp_write ran out of memory: send what is queued now */
#define TF_RTO         0x0800U  /* an RTO retransmission is in progress (reset on new ACK) */

/* What every PCB, listening or not, starts with. */
#define TCP_PCB_COMMON(type) \
    type *next;                 /* in one of the lists of lwip/priv/tcp_priv.h */ \
    void *callback_arg;         /* tcp_arg */ \
    enum tcp_state state; \
    u8_t prio;                  /* tcp_setprio: who is killed first when PCBs run out */ \
    u16_t local_port            /* host order */

/* A listening PCB: what tcp_listen returns; only the fields it needs. */
struct tcp_pcb_listen {
    IP_PCB;
    TCP_PCB_COMMON(struct tcp_pcb_listen);
    tcp_accept_fn accept;
    u8_t backlog;               /* connections not yet tcp_backlog_accepted, at most */
    u8_t accepts_pending;       /* how many are pending now */
};

/* A connection. Sequence numbers are u32 host order; windows in bytes. */
struct tcp_pcb {
    IP_PCB;
    TCP_PCB_COMMON(struct tcp_pcb);
    u16_t remote_port;
    tcpflags_t flags;           /* TF_* */

    /* Timers (counted in slow-timer ticks of TCP_SLOW_INTERVAL ms). */
    u8_t polltmr, pollinterval;
    u8_t last_timer;            /* tcp_timer_ctr when the fast timer last ran this PCB */
    u32_t tmr;                  /* tcp_ticks at the last segment received (idle timers) */

    /* Receiver (RFC 9293 3.3.1: RCV.NXT, RCV.WND). */
    u32_t rcv_nxt;              /* next sequence number expected */
    tcpwnd_size_t rcv_wnd;      /* receive window free right now */
    tcpwnd_size_t rcv_ann_wnd;  /* window announced in the last segment sent */
    u32_t rcv_ann_right_edge;   /* rcv_nxt + rcv_ann_wnd when it was announced */

    /* Retransmission timer (RFC 6298). */
    s16_t rtime;                /* ticks the oldest unacked segment has waited; -1: stopped */
    u16_t mss;                  /* send MSS: min(peer's option, what our netif can carry) */
    u32_t rttest;               /* tcp_ticks when the timed segment was sent; 0: none timed */
    u32_t rtseq;                /* sequence number of the segment being timed (Karn) */
    s16_t sa, sv;               /* scaled SRTT (x8) and RTTVAR (x4), in ticks */
    s16_t rto;                  /* retransmission timeout, in ticks */
    u8_t nrtx;                  /* retransmissions of the oldest segment so far */

    /* Fast retransmit and recovery (RFC 5681 3.2, RFC 6582). */
    u8_t dupacks;
    u32_t lastack;              /* highest ACK number received (SND.UNA) */
    u32_t rto_end;              /* recovery point: snd_nxt when recovery began */

    /* Congestion control (RFC 5681 3.1). */
    tcpwnd_size_t cwnd;
    tcpwnd_size_t ssthresh;
    tcpwnd_size_t bytes_acked;  /* congestion avoidance: bytes acked since cwnd last grew */

    /* Sender (RFC 9293 3.3.1: SND.NXT, SND.WND, SND.WL1, SND.WL2). */
    u32_t snd_nxt;              /* next sequence number to send */
    u32_t snd_wl1, snd_wl2;     /* seqno and ackno of the segment that last updated snd_wnd */
    u32_t snd_lbb;              /* sequence number after the last byte queued by tcp_write */
    tcpwnd_size_t snd_wnd;      /* the peer's window */
    tcpwnd_size_t snd_wnd_max;  /* the largest window the peer offered (sender SWS, RFC 1122 4.2.3.4) */
    tcpwnd_size_t snd_buf;      /* bytes tcp_write may still queue (tcp_sndbuf) */
    u16_t snd_queuelen;         /* pbufs queued (unsent + unacked), against TCP_SND_QUEUELEN */

    u16_t unsent_oversize;      /* bytes the last unsent segment's pbuf can still take */

    struct tcp_seg *unsent;     /* queued, not yet sent, in sequence order */
    struct tcp_seg *unacked;    /* sent, not yet acknowledged, in sequence order */
    struct tcp_seg *ooseq;      /* received out of order, in sequence order */
    struct pbuf *refused_data;  /* data the recv callback refused, offered again */

    struct tcp_pcb_listen *listener;    /* SYN_RCVD and until tcp_backlog_accepted: its
                                           listener (backlog accounting); else NULL */

    tcp_sent_fn sent;
    tcp_recv_fn recv;
    tcp_connected_fn connected;
    tcp_poll_fn poll;
    tcp_err_fn errf;

    /* Keepalive (RFC 1122 4.2.3.6), in ms, when SOF_KEEPALIVE is set. */
    u32_t keep_idle, keep_intvl, keep_cnt;
    u8_t keep_cnt_sent;

    /* Persist timer (RFC 9293 3.8.6.1): zero-window probes. */
    u8_t persist_cnt;           /* slow ticks since the last probe */
    u8_t persist_backoff;       /* 0: persist timer off; else index into the backoff table */
    u8_t persist_probe;         /* probes sent without the window opening */
};

/* tcp_write's apiflags. */
#define TCP_WRITE_FLAG_COPY 0x01U   /* copy the data (else it must stay until acked) */
#define TCP_WRITE_FLAG_MORE 0x02U   /* more is coming: do not set PSH */

/* Priorities (tcp_setprio). */
#define TCP_PRIO_MIN    1
#define TCP_PRIO_NORMAL 64
#define TCP_PRIO_MAX    127

/* ---- Making, binding, listening, connecting ----------------------------------- */
/* A new PCB (CLOSED) from MEMP_TCP_PCB; when the pool is empty, one in
 * TIME_WAIT or of lower priority is sacrificed (tcp_alloc). NULL if none. */
struct tcp_pcb *tcp_new(void);
struct tcp_pcb *tcp_new_ip_type(u8_t type);
void tcp_arg(struct tcp_pcb *pcb, void *arg);
void tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn recv);
void tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn sent);
void tcp_err(struct tcp_pcb *pcb, tcp_err_fn err);
void tcp_accept(struct tcp_pcb *pcb, tcp_accept_fn accept);
/* poll every `interval` slow ticks (2 per second). */
void tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn poll, u8_t interval);
/* Local address and port (0: ephemeral). ERR_USE when taken (unless
 * SOF_REUSEADDR on both), ERR_VAL when pcb is not CLOSED. */
err_t tcp_bind(struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port);
void tcp_bind_netif(struct tcp_pcb *pcb, const struct netif *netif);
/* Listen: frees pcb and returns a listening PCB in its place (NULL and
 * *err set on failure, pcb then still valid). */
struct tcp_pcb *tcp_listen_with_backlog_and_err(struct tcp_pcb *pcb, u8_t backlog, err_t *err);
struct tcp_pcb *tcp_listen_with_backlog(struct tcp_pcb *pcb, u8_t backlog);
#define tcp_listen(pcb) tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG)
/* Active open: queue a SYN (with our MSS) and send it. */
err_t tcp_connect(struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port,
                  tcp_connected_fn connected);

/* Backlog accounting: a connection counts against its listener's backlog
 * from its SYN until, established, it is handed to the accept callback.
 * tcp_backlog_delayed makes it count again (netconn does, until the app
 * accepts it); tcp_backlog_accepted ends that. */
void tcp_backlog_delayed(struct tcp_pcb *pcb);
void tcp_backlog_accepted(struct tcp_pcb *pcb);
#define tcp_accepted(pcb) do { LWIP_UNUSED_ARG(pcb); } while (0)  /* lwIP 2.x: a no-op */

/* ---- Data ------------------------------------------------------------------------ */
/* Queue len bytes (ERR_MEM when the send buffer or the queue is full: wait
 * for the sent callback). Does not send by itself: tcp_output does. */
err_t tcp_write(struct tcp_pcb *pcb, const void *dataptr, u16_t len, u8_t apiflags);
/* Send what the send and congestion windows allow (Nagle permitting). */
err_t tcp_output(struct tcp_pcb *pcb);
/* The application consumed len bytes: open the window (and announce it
 * when that is worth a segment, RFC 9293 3.8.6.2.2). */
void tcp_recved(struct tcp_pcb *pcb, u16_t len);

/* ---- Closing ------------------------------------------------------------------- */
/* Graceful close: queue a FIN (or free at once in CLOSED/LISTEN/SYN_SENT).
 * ERR_MEM: nothing changed, try again. After ERR_OK, pcb is the stack's. */
err_t tcp_close(struct tcp_pcb *pcb);
/* Half-close: shut_rx stops receiving (later data is answered with RST),
 * shut_tx sends a FIN. Both: tcp_close. */
err_t tcp_shutdown(struct tcp_pcb *pcb, int shut_rx, int shut_tx);
/* Send RST (when synchronized) and free pcb; the err callback gets ERR_ABRT. */
void tcp_abort(struct tcp_pcb *pcb);

/* ---- Settings and queries ---------------------------------------------------- */
void tcp_setprio(struct tcp_pcb *pcb, u8_t prio);
err_t tcp_tcp_get_tcp_addrinfo(struct tcp_pcb *pcb, int local, ip_addr_t *addr, u16_t *port);
#define tcp_sndbuf(pcb) ((pcb)->snd_buf)
#define tcp_sndqueuelen(pcb) ((pcb)->snd_queuelen)
#define tcp_mss(pcb) ((pcb)->mss)
#define tcp_set_flags(pcb, set_flags) \
    do { (pcb)->flags = (tcpflags_t)((pcb)->flags | (set_flags)); } while (0)
#define tcp_clear_flags(pcb, clr_flags) \
    do { (pcb)->flags = (tcpflags_t)((pcb)->flags & (tcpflags_t)(~(clr_flags) & 0xffff)); } while (0)
#define tcp_is_flag_set(pcb, flag) (((pcb)->flags & (flag)) != 0)
#define tcp_nagle_disable(pcb) tcp_set_flags(pcb, TF_NODELAY)
#define tcp_nagle_enable(pcb) tcp_clear_flags(pcb, TF_NODELAY)
#define tcp_nagle_disabled(pcb) tcp_is_flag_set(pcb, TF_NODELAY)
#define tcp_backlog_set(pcb, new_backlog) do { \
        LWIP_ASSERT("pcb->state == LISTEN", (pcb)->state == LISTEN); \
        ((struct tcp_pcb_listen *)(pcb))->backlog = ((new_backlog) ? (new_backlog) : 1); \
    } while (0)
enum tcp_state tcp_dbg_get_tcp_state(struct tcp_pcb *pcb);
const char *tcp_debug_state_str(enum tcp_state s);

/* ---- The IP layer's side and the timers --------------------------------------- */
/* A segment for us: p's payload at the TCP header, ip_current_*() set. Takes p. */
void tcp_input(struct pbuf *p, struct netif *inp);
void tcp_init(void);
/* The TCP timer (every TCP_TMR_INTERVAL = 250 ms): tcp_fasttmr each time,
 * tcp_slowtmr every second time. Armed while any PCB needs it. */
void tcp_tmr(void);
void tcp_fasttmr(void);
void tcp_slowtmr(void);
/* An interface's address changed: connections on the old one are aborted,
 * listeners follow it. */
void tcp_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr);

#define tcp_new_ip6() tcp_new_ip_type(IPADDR_TYPE_V6)

#endif /* LWIP_TCP */
#endif
