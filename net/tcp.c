/*
 * net/tcp.c - TCP (RFC 9293) PCBs, the calls an application makes to
 * open and close connections, and the TCP timers. Segments are received
 * in net/tcp_in.c and built and sent in net/tcp_out.c; the three files
 * agree through lwip/priv/tcp_priv.h.
 *
 * The life of a PCB (a "transmission control block", RFC 9293 3.3.1):
 *
 *   tcp_new          a struct tcp_pcb from the MEMP_TCP_PCB pool, CLOSED,
 *                    on no list. When the pool is empty tcp_alloc takes one
 *                    back from an old connection (TIME_WAIT first).
 *   tcp_bind         a local address and port: on tcp_bound_pcbs.
 *   tcp_listen       (passive open) the PCB is freed and a smaller
 *                    struct tcp_pcb_listen takes its place on
 *                    tcp_listen_pcbs. Each SYN that arrives makes a new
 *                    PCB (net/tcp_in.c) in SYN_RCVD on tcp_active_pcbs.
 *   tcp_connect      (active open) queues a SYN: SYN_SENT, on
 *                    tcp_active_pcbs, where it stays through ESTABLISHED,
 *                    FIN_WAIT_1/2, CLOSE_WAIT, CLOSING and LAST_ACK.
 *   tcp_close        queues a FIN (FIN_WAIT_1 or LAST_ACK); net/tcp_in.c
 *                    moves the PCB on as the peer answers. The side that
 *                    closed first ends in TIME_WAIT on tcp_tw_pcbs, where
 *                    it answers stray segments for 2 MSL (RFC 9293 3.4.2)
 *                    and is then freed by tcp_slowtmr; the other side is
 *                    freed when its FIN is acknowledged.
 *   tcp_abort        sends RST and frees at once; the err callback says
 *                    ERR_ABRT. A connection the stack gives up on (too
 *                    many retransmissions, keepalive, a timeout) ends the
 *                    same way.
 *
 * Every state change goes through tcp_set_state, which records it in the
 * trace (TCP_STATE), so a diagram shows the RFC's state diagram being
 * walked.
 *
 * The timers. One sys_timeout, tcpip_tcp_timer, runs tcp_tmr every
 * TCP_TMR_INTERVAL (250 ms) while any PCB is active or in TIME_WAIT, and
 * is not armed otherwise (an idle stack does not wake up for TCP):
 *   tcp_fasttmr      every 250 ms: sends delayed ACKs (RFC 1122 4.2.3.2),
 *                    retries a close whose FIN did not fit, and offers
 *                    refused data to the application again.
 *   tcp_slowtmr      every 500 ms, one "tick" of tcp_ticks: the
 *                    retransmission timer (RFC 6298), the persist timer
 *                    (RFC 9293 3.8.6.1), keepalives (RFC 1122 4.2.3.6),
 *                    the idle timeouts of SYN_RCVD, FIN_WAIT_2 and
 *                    LAST_ACK, the poll callback, and the end of
 *                    TIME_WAIT. All PCB timers count in these ticks.
 * A timer callback may free or create PCBs. The loops therefore mark each
 * PCB they have handled (last_timer = tcp_timer_ctr) and start over from
 * the head of the list whenever tcp_active_pcbs_changed says the list was
 * changed under them.
 */
#include <string.h>

#include "board.h"
#include "lwip/def.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "trace.h"

#if LWIP_TCP

/* RFC 9293 3.7.1: without an MSS option a sender assumes 536 bytes for
 * IPv4 (576 - 20 - 20). */
#define TCP_DEFAULT_MSS 536

/* Milliseconds to slow-timer ticks, rounded up so that a timeout is never
 * shorter than asked. */
#define TCP_MS_TO_TICKS(ms) (((u32_t)(ms) + TCP_SLOW_INTERVAL - 1) / TCP_SLOW_INTERVAL)
#define TCP_RTO_MIN_TICKS ((s16_t)TCP_MS_TO_TICKS(TCP_RTO_MIN))
#define TCP_RTO_MAX_TICKS ((s16_t)TCP_MS_TO_TICKS(TCP_RTO_MAX))

struct tcp_pcb *tcp_bound_pcbs;
union tcp_listen_pcbs_t tcp_listen_pcbs;
struct tcp_pcb *tcp_active_pcbs;
struct tcp_pcb *tcp_tw_pcbs;

/* The four lists, for the loops that walk several: the two that hold
 * connections first (TCP_CONN_LISTS of them), then the bound and the
 * listening PCBs. */
static struct tcp_pcb *const *const tcp_lists[] = {
    &tcp_active_pcbs, &tcp_tw_pcbs, &tcp_bound_pcbs, &tcp_listen_pcbs.pcbs
};
#define TCP_CONN_LISTS 2
u8_t tcp_active_pcbs_changed;
struct tcp_pcb *tcp_input_pcb;
u32_t tcp_ticks = 1;     /* see tcp_init */
u8_t tcp_timer_ctr;

/* This file's own variables (lwIP's above keep their names): one
 * structure, so that each function reaches all of them from one address. */
static struct {
    /* The last ephemeral port handed out; the next is the one after it. */
    u16_t port;
    /* Counts tcp_tmr calls: tcp_slowtmr runs on every second one. */
    u8_t tmr_phase;
    /* Set while tcpip_tcp_timer runs (its entry is then off the list). */
    u8_t timer_running;
    /* When the armed timeout is due (sys_now() ms). */
    u32_t timer_due;
    /* RFC 6528: the secret key of the ISN hash, and the per-call increment. */
    u32_t isn_key[4];
    u32_t isn_count;
} tcp_vars = { .port = TCP_LOCAL_PORT_RANGE_END };

/* Value of tcp_pcb.flags private to this file's backlog accounting. */
#define TCP_BACKLOG_GIVEN_BACK TF_BACKLOGACC

/* ---- State changes, congestion window, trace ------------------------------- */

/* RFC 9293 3.3.2: the state diagram. Every transition is recorded as
 * TCP_STATE: to, pcb, from | local_port << 16 (tracer/events.def). */
void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state new_state)
{
    enum tcp_state from = pcb->state;
    if (from == new_state)
        return;
    NG_TRACE2(TCP_STATE, new_state, pcb, (u32_t)from | (u32_t)pcb->local_port << 16);
    pcb->state = new_state;
}

void tcp_set_cwnd(struct tcp_pcb *pcb, tcpwnd_size_t cwnd, u8_t why)
{
    pcb->cwnd = cwnd;
    NG_TRACE2(TCP_CWND, why, pcb, (u32_t)cwnd | (u32_t)pcb->ssthresh << 16);
}

static const char *const tcp_state_str[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *tcp_debug_state_str(enum tcp_state s)
{
    if ((unsigned)s < LWIP_ARRAYSIZE(tcp_state_str))
        return tcp_state_str[s];
    return "?";
}

enum tcp_state tcp_dbg_get_tcp_state(struct tcp_pcb *pcb)
{
    return pcb != NULL ? pcb->state : CLOSED;
}

/* ---- The PCB lists ---------------------------------------------------------------- */

/* The PCB timers only run while a PCB needs them, so joining the active
 * or TIME_WAIT list arms them. */
void tcp_pcb_register(struct tcp_pcb **list, struct tcp_pcb *pcb)
{
    pcb->next = *list;
    *list = pcb;
    if (list == &tcp_active_pcbs)
        tcp_active_pcbs_changed = 1;
    tcp_timer_needed();
}

void tcp_pcb_unlink(struct tcp_pcb **list, struct tcp_pcb *pcb)
{
    for (struct tcp_pcb **link = list; *link != NULL; link = &(*link)->next) {
        if (*link == pcb) {
            *link = pcb->next;
            pcb->next = NULL;
            if (list == &tcp_active_pcbs)
                tcp_active_pcbs_changed = 1;
            return;
        }
    }
}

/* Backlog accounting (lwip/tcp.h): a connection counts against its
 * listener from its SYN (net/tcp_in.c sets listener and counts it) until
 * tcp_backlog_accepted. The listener pointer is kept after that (so the
 * accept callback can still be found, and tcp_backlog_delayed can count
 * it again); TCP_BACKLOG_GIVEN_BACK says the count was given back. */
void tcp_backlog_accepted(struct tcp_pcb *pcb)
{
    if (pcb == NULL || pcb->state == LISTEN || pcb->listener == NULL)
        return;
    if (!tcp_is_flag_set(pcb, TCP_BACKLOG_GIVEN_BACK)) {
        if (pcb->listener->accepts_pending > 0)
            pcb->listener->accepts_pending--;
        tcp_set_flags(pcb, TCP_BACKLOG_GIVEN_BACK);
    }
}

void tcp_backlog_delayed(struct tcp_pcb *pcb)
{
    if (pcb == NULL || pcb->state == LISTEN || pcb->listener == NULL)
        return;
    if (tcp_is_flag_set(pcb, TCP_BACKLOG_GIVEN_BACK)) {
        pcb->listener->accepts_pending++;
        tcp_clear_flags(pcb, TCP_BACKLOG_GIVEN_BACK);
    }
}

void tcp_pcb_purge(struct tcp_pcb *pcb)
{
    if (pcb == NULL || pcb->state == LISTEN)
        return;
    tcp_backlog_accepted(pcb);
    pcb->listener = NULL;
    if (pcb->refused_data != NULL) {
        pbuf_free(pcb->refused_data);
        pcb->refused_data = NULL;
    }
    tcp_segs_free(pcb->ooseq);
    tcp_segs_free(pcb->unsent);
    tcp_segs_free(pcb->unacked);
    pcb->ooseq = pcb->unsent = pcb->unacked = NULL;
    pcb->unsent_oversize = 0;
    /* Nothing is in flight any more: a running retransmission timer would
     * look for segments on unacked. */
    pcb->rtime = -1;
    pcb->persist_backoff = 0;
}

/* NOTE: on a LISTEN PCB this only unlinks it (tcp_free tells the two
 * pools apart by the state, so a listener must stay LISTEN until freed). */
void tcp_pcb_remove(struct tcp_pcb **list, struct tcp_pcb *pcb)
{
    if (pcb->state == LISTEN) {
        tcp_pcb_unlink(list, pcb);
        return;
    }
    tcp_pcb_unlink(list, pcb);
    tcp_pcb_purge(pcb);
    /* An ACK we owe for data already received still goes out (RFC 1122
     * 4.2.3.2 only lets us delay it), if the peer is still listening. */
    if (pcb->state >= ESTABLISHED && pcb->state != TIME_WAIT &&
        tcp_is_flag_set(pcb, TF_ACK_DELAY)) {
        tcp_ack_now(pcb);
        tcp_output(pcb);
    }
    tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
    tcp_set_state(pcb, CLOSED);
    pcb->local_port = 0;    /* not bound any more: tcp_close must not look for it */
}

void tcp_free(struct tcp_pcb *pcb)
{
    if (pcb == NULL)
        return;
    if (pcb->state == LISTEN)
        memp_free(MEMP_TCP_PCB_LISTEN, pcb);
    else
        memp_free(MEMP_TCP_PCB, pcb);
}

/* Close a listener: connections it made but nobody accepted yet keep
 * going without it (their listener pointer is cleared; net/tcp_in.c then
 * refuses to complete them). */
static void tcp_listen_close(struct tcp_pcb_listen *lpcb)
{
    for (unsigned i = 0; i < TCP_CONN_LISTS; i++) {
        for (struct tcp_pcb *pcb = *tcp_lists[i]; pcb != NULL; pcb = pcb->next) {
            if (pcb->listener == lpcb)
                pcb->listener = NULL;
        }
    }
    /* The listen list holds struct tcp_pcb_listen; it is walked with that
     * type where a listener's own fields are used, and as struct tcp_pcb
     * only to register and unlink and where no more than the common prefix
     * of both structs (IP_PCB, TCP_PCB_COMMON) is read (tcp_port_in_use,
     * tcp_bind_taken). */
    tcp_pcb_unlink(&tcp_listen_pcbs.pcbs, (struct tcp_pcb *)lpcb);
    NG_TRACE2(TCP_STATE, CLOSED, lpcb, (u32_t)LISTEN | (u32_t)lpcb->local_port << 16);
    memp_free(MEMP_TCP_PCB_LISTEN, lpcb);
}

/* ---- Making PCBs ------------------------------------------------------------------ */

/* RFC 9293 3.10.5 ABORT: a RST is sent from SYN-RECEIVED, ESTABLISHED,
 * FIN-WAIT-1/2 and CLOSE-WAIT. NOTE: also from CLOSING and LAST-ACK, where
 * the RFC deletes the TCB silently, because the peer there still waits
 * for our FIN (lwIP does the same). */
static int tcp_abort_sends_rst(enum tcp_state s)
{
    return s >= SYN_RCVD && s <= LAST_ACK;
}

void tcp_free_timewait(struct tcp_pcb *pcb, err_t err)
{
    tcp_err_fn errf = tcp_is_flag_set(pcb, TF_APPCLOSED) ? NULL : pcb->errf;
    void *arg = pcb->callback_arg;
    tcp_pcb_remove(&tcp_tw_pcbs, pcb);
    tcp_free(pcb);
    TCP_EVENT_ERR(TIME_WAIT, errf, arg, err);
}

static void tcp_abandon_pcb(struct tcp_pcb *pcb, int reset)
{
    if (pcb->state == LISTEN) {
        tcp_listen_close((struct tcp_pcb_listen *)pcb);
        return;
    }
    if (pcb->state == TIME_WAIT) {
        tcp_free_timewait(pcb, reset ? ERR_ABRT : ERR_CLSD);
        return;
    }
    tcp_err_fn errf = pcb->errf;
    void *arg = pcb->callback_arg;
    enum tcp_state last_state = pcb->state;
    int send_rst = reset && tcp_abort_sends_rst(pcb->state);
    u32_t seqno = pcb->snd_nxt, ackno = pcb->rcv_nxt;
    u16_t local_port = pcb->local_port;
    if (pcb->state == CLOSED) {
        if (pcb->local_port != 0)
            tcp_pcb_unlink(&tcp_bound_pcbs, pcb);
    } else {
        if (send_rst)
            tcp_clear_flags(pcb, TF_ACK_DELAY);     /* the RST says it all */
        tcp_pcb_remove(&tcp_active_pcbs, pcb);
    }
    if (send_rst)
        tcp_rst(pcb, seqno, ackno, &pcb->local_ip, &pcb->remote_ip, local_port,
                pcb->remote_port);
    tcp_free(pcb);
    TCP_EVENT_ERR(last_state, errf, arg, reset ? ERR_ABRT : ERR_CLSD);
}

void tcp_abandon(struct tcp_pcb *pcb, int reset)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_abandon, pcb);
    if (pcb != NULL)
        tcp_abandon_pcb(pcb, reset);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_abandon);
}

void tcp_abort(struct tcp_pcb *pcb)
{
    tcp_abandon(pcb, 1);
}

/* Ticks since pcb last heard from its peer. */
static u32_t tcp_idle_ticks(const struct tcp_pcb *pcb)
{
    return tcp_ticks - pcb->tmr;
}

/* When the pool is empty (RFC 9293 leaves the policy open; these are
 * lwIP's choices): first the TIME_WAIT PCB that has waited longest (its
 * connection is over; only stray duplicates are still guarded against). */
static int tcp_kill_timewait(void)
{
    struct tcp_pcb *oldest = NULL;
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL; pcb = pcb->next) {
        if (oldest == NULL || tcp_idle_ticks(pcb) >= tcp_idle_ticks(oldest))
            oldest = pcb;
    }
    if (oldest == NULL)
        return 0;
    tcp_abort(oldest);
    return 1;
}

/* ... then the oldest connection in `state` (LAST_ACK, then CLOSING): the
 * application has closed it already and only our FIN's ACK is missing. */
static int tcp_kill_state(enum tcp_state state)
{
    struct tcp_pcb *oldest = NULL;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->state == state &&
            (oldest == NULL || tcp_idle_ticks(pcb) >= tcp_idle_ticks(oldest)))
            oldest = pcb;
    }
    if (oldest == NULL)
        return 0;
    tcp_abandon(oldest, 0);
    return 1;
}

/* ... last, a live connection of lower priority than the new one: the
 * lowest priority, among equals the one idle longest. It is aborted (RST,
 * err callback ERR_ABRT). */
static int tcp_kill_prio(u8_t prio)
{
    struct tcp_pcb *victim = NULL;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->prio >= prio)
            continue;
        if (victim == NULL || pcb->prio < victim->prio ||
            (pcb->prio == victim->prio && tcp_idle_ticks(pcb) >= tcp_idle_ticks(victim)))
            victim = pcb;
    }
    if (victim == NULL)
        return 0;
    tcp_abort(victim);
    return 1;
}

static struct tcp_pcb *tcp_pcb_take(u8_t prio)
{
    struct tcp_pcb *pcb = memp_malloc(MEMP_TCP_PCB);
    if (pcb == NULL && tcp_kill_timewait())
        pcb = memp_malloc(MEMP_TCP_PCB);
    if (pcb == NULL && tcp_kill_state(LAST_ACK))
        pcb = memp_malloc(MEMP_TCP_PCB);
    if (pcb == NULL && tcp_kill_state(CLOSING))
        pcb = memp_malloc(MEMP_TCP_PCB);
    if (pcb == NULL && tcp_kill_prio(LWIP_MIN(prio, TCP_PRIO_MAX)))
        pcb = memp_malloc(MEMP_TCP_PCB);
    if (pcb == NULL)
        TCP_STATS_INC(memerr);
    return pcb;
}

/* The defaults of a new connection. */
static void tcp_pcb_defaults(struct tcp_pcb *pcb, u8_t prio)
{
    memset(pcb, 0, sizeof *pcb);
    pcb->prio = prio;
    pcb->netif_idx = NETIF_NO_INDEX;
    pcb->ttl = TCP_TTL;
    pcb->snd_buf = TCP_SND_BUF;
    pcb->rcv_wnd = pcb->rcv_ann_wnd = TCP_WND;
    pcb->mss = TCP_DEFAULT_MSS;         /* until the peer's MSS option is known */
    /* RFC 6298 2.1: before any RTT sample, RTO = TCP_RTO_INITIAL. RTO is
     * SRTT + 4 * RTTVAR = (sa >> 3) + sv, so sa = 0 and sv = that RTO. */
    pcb->sa = 0;
    pcb->sv = (s16_t)TCP_MS_TO_TICKS(TCP_RTO_INITIAL);
    pcb->rto = pcb->sv;
    pcb->rtime = -1;                    /* retransmission timer stopped */
    pcb->cwnd = 1;                      /* set properly when ESTABLISHED (RFC 5681 3.1) */
    pcb->ssthresh = 0xffff;             /* RFC 5681 3.1: "arbitrarily high" at first */
    pcb->tmr = tcp_ticks;
    pcb->last_timer = tcp_timer_ctr;    /* not handled by the timer round under way */
    pcb->keep_idle = TCP_KEEPIDLE_DEFAULT;
    pcb->keep_intvl = TCP_KEEPINTVL_DEFAULT;
    pcb->keep_cnt = TCP_KEEPCNT_DEFAULT;
    pcb->recv = tcp_recv_null;
}

static struct tcp_pcb *tcp_alloc_pcb(u8_t prio)
{
    struct tcp_pcb *pcb = tcp_pcb_take(prio);
    if (pcb != NULL)
        tcp_pcb_defaults(pcb, prio);
    return pcb;
}

struct tcp_pcb *tcp_alloc(u8_t prio)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_alloc, prio);
    struct tcp_pcb *pcb = tcp_alloc_pcb(prio);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_alloc);
    return pcb;
}

struct tcp_pcb *tcp_new(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_new, 0);
    struct tcp_pcb *pcb = tcp_alloc(TCP_PRIO_NORMAL);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_new);
    return pcb;
}

struct tcp_pcb *tcp_new_ip_type(u8_t type)
{
    LWIP_UNUSED_ARG(type);      /* IPv4 only: every type is served as V4 */
    return tcp_new();
}

/* ---- Callbacks and settings ------------------------------------------------------ */

/* callback_arg, prio and local_port are in both kinds of PCB; the other
 * callbacks only in connections, accept only in listeners. */
void tcp_arg(struct tcp_pcb *pcb, void *arg)
{
    if (pcb != NULL)
        pcb->callback_arg = arg;
}

void tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn recv)
{
    if (pcb != NULL && pcb->state != LISTEN)
        pcb->recv = recv;
}

void tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn sent)
{
    if (pcb != NULL && pcb->state != LISTEN)
        pcb->sent = sent;
}

void tcp_err(struct tcp_pcb *pcb, tcp_err_fn err)
{
    if (pcb != NULL && pcb->state != LISTEN)
        pcb->errf = err;
}

void tcp_accept(struct tcp_pcb *pcb, tcp_accept_fn accept)
{
    if (pcb != NULL && pcb->state == LISTEN)
        ((struct tcp_pcb_listen *)pcb)->accept = accept;
}

void tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn poll, u8_t interval)
{
    if (pcb == NULL || pcb->state == LISTEN)
        return;
    pcb->poll = poll;
    pcb->pollinterval = interval;
}

void tcp_setprio(struct tcp_pcb *pcb, u8_t prio)
{
    if (pcb != NULL)
        pcb->prio = prio;
}

err_t tcp_tcp_get_tcp_addrinfo(struct tcp_pcb *pcb, int local, ip_addr_t *addr, u16_t *port)
{
    if (pcb == NULL)
        return ERR_VAL;
    if (local) {
        if (addr != NULL)
            ip_addr_copy(*addr, pcb->local_ip);
        if (port != NULL)
            *port = pcb->local_port;
        return ERR_OK;
    }
    if (pcb->state == LISTEN)
        return ERR_CONN;        /* a listener has no peer (BSD: ENOTCONN) */
    if (addr != NULL)
        ip_addr_copy(*addr, pcb->remote_ip);
    if (port != NULL)
        *port = pcb->remote_port;
    return ERR_OK;
}

/* ---- Binding ------------------------------------------------------------------------ */

/* Is port used by any PCB on any list? The listeners are walked as
 * struct tcp_pcb (tcp_listen_pcbs.pcbs): both structs begin with IP_PCB
 * and TCP_PCB_COMMON, which hold every field looked at here (next,
 * local_ip, so_options, local_port), so one loop serves all four lists. */

static int tcp_port_in_use(u16_t port)
{
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(tcp_lists); i++) {
        for (const struct tcp_pcb *pcb = *tcp_lists[i]; pcb != NULL; pcb = pcb->next) {
            if (pcb->local_port == port)
                return 1;
        }
    }
    return 0;
}

/* RFC 6335 6: ephemeral ports come from TCP_LOCAL_PORT_RANGE_START..END.
 * They are handed out in turn, wrapping, skipping ports in use, so a port
 * just given up is not reused at once. 0 if every one is taken.
 * NOTE: RFC 6056 recommends a random order; a fixed one keeps traces
 * reproducible, and the ISN (tcp_next_iss) already cannot be guessed. */
static u16_t tcp_new_port(void)
{
    for (u32_t tries = 0; tries <= TCP_LOCAL_PORT_RANGE_END - TCP_LOCAL_PORT_RANGE_START;
         tries++) {
        tcp_vars.port = (u16_t)(tcp_vars.port == TCP_LOCAL_PORT_RANGE_END
                                    ? TCP_LOCAL_PORT_RANGE_START : tcp_vars.port + 1);
        if (!tcp_port_in_use(tcp_vars.port))
            return tcp_vars.port;
    }
    return 0;
}

/* Would a PCB with these options on ipaddr:port clash with other, which
 * has other_ip:other_port? Two PCBs that both say SOF_REUSEADDR may share
 * (SO_REUSE; connect then checks the whole 4-tuple). */
static int tcp_bind_clash(u8_t so_options, const ip_addr_t *ipaddr, u16_t port,
                          u8_t other_options, const ip_addr_t *other_ip, u16_t other_port)
{
    if (other_port != port)
        return 0;
    if (SO_REUSE && (so_options & SOF_REUSEADDR) && (other_options & SOF_REUSEADDR))
        return 0;
    return ip_addr_isany(ipaddr) || ip_addr_isany(other_ip) || ip_addr_eq(ipaddr, other_ip);
}

static int tcp_bind_taken(const struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port)
{
    /* With SOF_REUSEADDR a server may bind its port again while old
     * connections wait in TIME_WAIT (they still tell segments apart by
     * the whole 4-tuple). */
    int check_tw = !(SO_REUSE && ip_get_option(pcb, SOF_REUSEADDR));
    /* The listeners as struct tcp_pcb, as in tcp_port_in_use (pcb itself,
     * CLOSED, is never one of them). */
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(tcp_lists); i++) {
        if (tcp_lists[i] == &tcp_tw_pcbs && !check_tw)
            continue;
        for (const struct tcp_pcb *c = *tcp_lists[i]; c != NULL; c = c->next) {
            if (c != pcb && tcp_bind_clash(pcb->so_options, ipaddr, port, c->so_options,
                                           &c->local_ip, c->local_port))
                return 1;
        }
    }
    return 0;
}

static int tcp_on_list(const struct tcp_pcb *list, const struct tcp_pcb *pcb)
{
    for (; list != NULL; list = list->next) {
        if (list == pcb)
            return 1;
    }
    return 0;
}

err_t tcp_bind(struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port)
{
    if (pcb == NULL || pcb->state != CLOSED)
        return ERR_VAL;
    if (ipaddr == NULL)
        ipaddr = IP_ADDR_ANY;
    if (port == 0) {
        port = tcp_new_port();
        if (port == 0)
            return ERR_BUF;     /* lwIP's answer when no ephemeral port is left */
    } else if (tcp_bind_taken(pcb, ipaddr, port)) {
        return ERR_USE;
    }
    ip_addr_set(&pcb->local_ip, ipaddr);
    pcb->local_port = port;
    if (!tcp_on_list(tcp_bound_pcbs, pcb))
        tcp_pcb_register(&tcp_bound_pcbs, pcb);
    return ERR_OK;
}

void tcp_bind_netif(struct tcp_pcb *pcb, const struct netif *netif)
{
    if (pcb != NULL)
        pcb->netif_idx = netif != NULL ? netif_get_index(netif) : NETIF_NO_INDEX;
}

/* ---- Listening (RFC 9293 3.10.1 OPEN, passive) ---------------------------------- */

/* A second listener on the same address and port: with SOF_REUSEADDR
 * tcp_bind let it through, so look again here (only one may listen). */
static int tcp_listen_taken(const struct tcp_pcb *pcb)
{
    for (const struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l != NULL; l = l->next) {
        if (l->local_port != pcb->local_port)
            continue;
        if (ip_addr_eq(&l->local_ip, &pcb->local_ip))
            return 1;
        if (!(SO_REUSE && ip_get_option(pcb, SOF_REUSEADDR) && ip_get_option(l, SOF_REUSEADDR)) &&
            (ip_addr_isany(&l->local_ip) || ip_addr_isany(&pcb->local_ip)))
            return 1;
    }
    return 0;
}

static struct tcp_pcb *tcp_listen_pcb(struct tcp_pcb *pcb, u8_t backlog, err_t *err)
{
    if (pcb->state == LISTEN) {
        *err = ERR_ALREADY;
        return pcb;
    }
    if (pcb->state != CLOSED) {
        *err = ERR_CLSD;
        return NULL;
    }
    if (pcb->local_port == 0) {     /* as BSD listen(): an ephemeral port */
        err_t e = tcp_bind(pcb, &pcb->local_ip, 0);
        if (e != ERR_OK) {
            *err = e;
            return NULL;
        }
    }
    if (tcp_listen_taken(pcb)) {
        *err = ERR_USE;
        return NULL;
    }
    struct tcp_pcb_listen *lpcb = memp_malloc(MEMP_TCP_PCB_LISTEN);
    if (lpcb == NULL) {
        TCP_STATS_INC(memerr);
        *err = ERR_MEM;
        return NULL;
    }
    memset(lpcb, 0, sizeof *lpcb);
    lpcb->callback_arg = pcb->callback_arg;
    lpcb->local_port = pcb->local_port;
    lpcb->prio = pcb->prio;
    lpcb->so_options = pcb->so_options;
    lpcb->netif_idx = pcb->netif_idx;
    lpcb->ttl = pcb->ttl;
    lpcb->tos = pcb->tos;
    ip_addr_copy(lpcb->local_ip, pcb->local_ip);
    lpcb->backlog = backlog != 0 ? backlog : 1;
    lpcb->accepts_pending = 0;
    tcp_set_state((struct tcp_pcb *)lpcb, LISTEN);

    tcp_pcb_unlink(&tcp_bound_pcbs, pcb);
    tcp_free(pcb);
    tcp_pcb_register(&tcp_listen_pcbs.pcbs, (struct tcp_pcb *)lpcb);
    *err = ERR_OK;
    return (struct tcp_pcb *)lpcb;
}

struct tcp_pcb *tcp_listen_with_backlog_and_err(struct tcp_pcb *pcb, u8_t backlog, err_t *err)
{
    err_t dummy;
    if (err == NULL)
        err = &dummy;
    if (pcb == NULL) {
        *err = ERR_VAL;
        return NULL;
    }
    return tcp_listen_pcb(pcb, backlog, err);
}

struct tcp_pcb *tcp_listen_with_backlog(struct tcp_pcb *pcb, u8_t backlog)
{
    return tcp_listen_with_backlog_and_err(pcb, backlog, NULL);
}

/* ---- Connecting (RFC 9293 3.10.1 OPEN, active) ---------------------------------- */

/* With SOF_REUSEADDR two PCBs may share a local port, but never the whole
 * 4-tuple: segments could not be told apart. */
static int tcp_4tuple_taken(const struct tcp_pcb *pcb)
{
    for (unsigned i = 0; i < TCP_CONN_LISTS; i++) {
        for (const struct tcp_pcb *c = *tcp_lists[i]; c != NULL; c = c->next) {
            if (c != pcb && c->local_port == pcb->local_port &&
                c->remote_port == pcb->remote_port && ip_addr_eq(&c->local_ip, &pcb->local_ip) &&
                ip_addr_eq(&c->remote_ip, &pcb->remote_ip))
                return 1;
        }
    }
    return 0;
}

/* The interface toward the peer: the one pcb is bound to, else the route
 * (net/tcp_out.c sends through it too). */
struct netif *tcp_route(const struct tcp_pcb *pcb, const ip_addr_t *src, const ip_addr_t *dest)
{
    if (pcb != NULL && pcb->netif_idx != NETIF_NO_INDEX)
        return netif_get_by_index(pcb->netif_idx);
    return ip_route(src, dest);
}

/* RFC 9293 3.10.1, OPEN in CLOSED, active: choose an ISS, send a SYN,
 * SND.UNA = ISS, SND.NXT = ISS + 1 (net/tcp_out.c advances snd_lbb and
 * snd_nxt as the SYN is queued and sent), enter SYN-SENT. */
static err_t tcp_connect_pcb(struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port,
                             tcp_connected_fn connected)
{
    if (pcb == NULL || ipaddr == NULL)
        return ERR_VAL;
    if (pcb->state != CLOSED)
        return ERR_ISCONN;
    ip_addr_set(&pcb->remote_ip, ipaddr);
    pcb->remote_port = port;

    struct netif *netif = tcp_route(pcb, &pcb->local_ip, &pcb->remote_ip);
    if (netif == NULL) {
        TCP_STATS_INC(rterr);
        return ERR_RTE;
    }
    if (ip_addr_isany(&pcb->local_ip)) {
        const ip_addr_t *local = ip_netif_get_local_ip(netif, &pcb->remote_ip);
        if (local == NULL)
            return ERR_RTE;
        ip_addr_copy(pcb->local_ip, *local);
    }
    u16_t old_local_port = pcb->local_port;
    if (pcb->local_port == 0) {
        pcb->local_port = tcp_new_port();
        if (pcb->local_port == 0)
            return ERR_BUF;
    } else if (SO_REUSE && ip_get_option(pcb, SOF_REUSEADDR) && tcp_4tuple_taken(pcb)) {
        return ERR_USE;
    }

    /* The sequence set-up of lwip/priv/tcp_priv.h ("How the three files
     * agree"). */
    u32_t iss = tcp_next_iss(pcb);
    pcb->rcv_nxt = 0;
    pcb->snd_nxt = pcb->snd_lbb = pcb->lastack = pcb->snd_wl2 = iss;
    pcb->rcv_wnd = pcb->rcv_ann_wnd = TCP_WND;
    pcb->rcv_ann_right_edge = pcb->rcv_nxt;
    pcb->snd_wnd = TCP_WND;         /* a guess until the SYN-ACK tells */
    pcb->mss = tcp_eff_send_mss(TCP_MSS, &pcb->remote_ip, &pcb->local_ip);
    pcb->cwnd = 1;
    pcb->connected = connected;

    err_t err = tcp_enqueue_flags(pcb, TCP_SYN);
    if (err != ERR_OK) {
        pcb->local_port = old_local_port;
        return err;
    }
    tcp_set_state(pcb, SYN_SENT);
    if (old_local_port != 0)
        tcp_pcb_unlink(&tcp_bound_pcbs, pcb);
    tcp_pcb_register(&tcp_active_pcbs, pcb);
    tcp_output(pcb);
    return ERR_OK;
}

err_t tcp_connect(struct tcp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port,
                  tcp_connected_fn connected)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_connect, pcb);
    err_t err = tcp_connect_pcb(pcb, ipaddr, port, connected);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_connect);
    return err;
}

/* ---- Closing (RFC 9293 3.10.4 CLOSE) -------------------------------------------- */

/* Queue our FIN: SYN-RECEIVED and ESTABLISHED go to FIN-WAIT-1,
 * CLOSE-WAIT to LAST-ACK. When the FIN does not fit (no segment or pbuf
 * left) the close is not lost: TF_CLOSEPEND makes tcp_fasttmr try again. */
static err_t tcp_close_fin(struct tcp_pcb *pcb)
{
    enum tcp_state next;
    switch (pcb->state) {
    case SYN_RCVD:
    case ESTABLISHED:
        next = FIN_WAIT_1;
        break;
    case CLOSE_WAIT:
        next = LAST_ACK;
        break;
    default:
        return ERR_OK;          /* our FIN is queued already */
    }
    err_t err = tcp_send_fin(pcb);
    if (err == ERR_OK) {
        tcp_set_state(pcb, next);
        tcp_output(pcb);
        return ERR_OK;
    }
    if (err == ERR_MEM) {
        tcp_set_flags(pcb, TF_CLOSEPEND);
        return ERR_OK;
    }
    return err;
}

/* RFC 1122 4.2.2.13: closing with received data the application has not
 * read loses it, so the peer is told with a RST instead of a FIN.
 * NOTE: when this happens inside tcp_input for the same PCB (from its
 * recv callback), the PCB may not be freed under tcp_input's feet: it is
 * parked in TIME_WAIT (its queues empty) instead, where tcp_slowtmr or
 * tcp_alloc frees it later, as lwIP does for ESTABLISHED. */
static void tcp_close_reset(struct tcp_pcb *pcb)
{
    tcp_rst_pcb(pcb);
    tcp_pcb_purge(pcb);
    tcp_pcb_unlink(&tcp_active_pcbs, pcb);
    tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
    if (pcb == tcp_input_pcb) {
        tcp_set_state(pcb, TIME_WAIT);
        pcb->tmr = tcp_ticks;
        tcp_pcb_register(&tcp_tw_pcbs, pcb);
        return;
    }
    tcp_set_state(pcb, CLOSED);
    tcp_free(pcb);
}

static err_t tcp_close_shutdown(struct tcp_pcb *pcb, int rst_on_unread)
{
    if (rst_on_unread && (pcb->state == ESTABLISHED || pcb->state == CLOSE_WAIT) &&
        (pcb->refused_data != NULL || pcb->rcv_wnd != TCP_WND)) {
        tcp_close_reset(pcb);
        return ERR_OK;
    }
    switch (pcb->state) {
    case CLOSED:
        /* Nothing was sent: just forget it (RFC 9293: "error: connection
         * does not exist" for the user; here the PCB is the user's). */
        if (pcb->local_port != 0)
            tcp_pcb_unlink(&tcp_bound_pcbs, pcb);
        tcp_free(pcb);
        return ERR_OK;
    case LISTEN:
        tcp_listen_close((struct tcp_pcb_listen *)pcb);
        return ERR_OK;
    case SYN_SENT:
        /* RFC 9293 3.10.4: SYN-SENT: delete the TCB. */
        tcp_pcb_remove(&tcp_active_pcbs, pcb);
        tcp_free(pcb);
        return ERR_OK;
    default:
        return tcp_close_fin(pcb);
    }
}

static err_t tcp_close_pcb(struct tcp_pcb *pcb)
{
    if (pcb == NULL)
        return ERR_VAL;
    /* Closing means reading no more either: later data is answered with
     * RST (net/tcp_in.c). */
    if (pcb->state != LISTEN)
        tcp_set_flags(pcb, TF_RXCLOSED | TF_APPCLOSED);
    return tcp_close_shutdown(pcb, 1);
}

err_t tcp_close(struct tcp_pcb *pcb)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_close, pcb);
    err_t err = tcp_close_pcb(pcb);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_close);
    return err;
}

/* Half-close. shut_rx alone only stops delivery (data the application
 * refused goes too); shut_tx sends our FIN but keeps receiving (RFC 9293
 * 3.6: a half-closed connection). */
err_t tcp_shutdown(struct tcp_pcb *pcb, int shut_rx, int shut_tx)
{
    if (pcb == NULL)
        return ERR_VAL;
    if (pcb->state == LISTEN)
        return ERR_CONN;
    if (shut_rx && shut_tx)
        return tcp_close(pcb);
    if (shut_rx) {
        tcp_set_flags(pcb, TF_RXCLOSED);
        if (pcb->refused_data != NULL) {
            TCP_DROP(TCP_RX_CLOSED, pcb->refused_data);
            pcb->refused_data = NULL;
        }
    }
    if (shut_tx) {
        switch (pcb->state) {
        case SYN_RCVD:
        case ESTABLISHED:
        case CLOSE_WAIT:
            return tcp_close_shutdown(pcb, 0);
        default:
            return ERR_CONN;
        }
    }
    return ERR_OK;
}

/* ---- The receive window ------------------------------------------------------------- */

/* RFC 9293 3.8.6.2.2 (receiver side of silly window avoidance): the
 * right edge RCV.NXT + RCV.WND we announced moves on only when it can
 * move by at least min(RCV.BUFF / 2, Eff.snd.MSS); until then the window
 * announced shrinks as data arrives, keeping the right edge where it is. */
u32_t tcp_update_rcv_ann_wnd(struct tcp_pcb *pcb)
{
    u32_t new_right_edge = pcb->rcv_nxt + pcb->rcv_wnd;
    u32_t step = LWIP_MIN((u32_t)TCP_WND / 2, (u32_t)pcb->mss);
    if (TCP_SEQ_GEQ(new_right_edge, pcb->rcv_ann_right_edge + step)) {
        pcb->rcv_ann_wnd = pcb->rcv_wnd;
        return new_right_edge - pcb->rcv_ann_right_edge;
    }
    if (TCP_SEQ_GT(pcb->rcv_nxt, pcb->rcv_ann_right_edge)) {
        /* The peer sent beyond what we announced (into room we had but had
         * not offered): nothing is left of the announced window. */
        pcb->rcv_ann_wnd = 0;
    } else {
        pcb->rcv_ann_wnd = (tcpwnd_size_t)(pcb->rcv_ann_right_edge - pcb->rcv_nxt);
    }
    return 0;
}

/* The application consumed len bytes. The window update goes out when it
 * is worth a segment (TCP_WND_UPDATE_THRESHOLD) or reopens a window we had
 * announced as zero; otherwise it rides on the next segment we send. */
static void tcp_recved_pcb(struct tcp_pcb *pcb, u16_t len)
{
    if (pcb->state == LISTEN)
        return;
    u32_t wnd = (u32_t)pcb->rcv_wnd + len;
    pcb->rcv_wnd = (tcpwnd_size_t)LWIP_MIN(wnd, (u32_t)TCP_WND);
    int was_zero = pcb->rcv_ann_wnd == 0;
    u32_t growth = tcp_update_rcv_ann_wnd(pcb);
    if (pcb->state < ESTABLISHED || pcb->state == TIME_WAIT)
        return;     /* not synchronized: nobody to tell */
    if (growth >= TCP_WND_UPDATE_THRESHOLD || (was_zero && pcb->rcv_ann_wnd > 0)) {
        TCP_TRACE_WND(pcb, ANNOUNCE, pcb->rcv_ann_wnd);
        tcp_ack_now(pcb);
        /* From a callback of tcp_input for this PCB (an app that gives
         * the window back as it reads), the ACK goes with tcp_input's own
         * tcp_output, which would return at once here (net/tcp_out.c). */
        if (pcb != tcp_input_pcb)
            tcp_output(pcb);
    }
}

void tcp_recved(struct tcp_pcb *pcb, u16_t len)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_recved, pcb);
    if (pcb != NULL)
        tcp_recved_pcb(pcb, len);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_recved);
}

/* Data the recv callback refused (it returned an error) waits in
 * refused_data and is offered again here. A FIN that came with it is
 * delivered (recv with p == NULL) once the data is taken. */
err_t tcp_process_refused_data(struct tcp_pcb *pcb)
{
    if (pcb == NULL || pcb->refused_data == NULL)
        return ERR_OK;
    struct pbuf *p = pcb->refused_data;
    u8_t had_fin = (p->flags & PBUF_FLAG_TCP_FIN) != 0;
    pcb->refused_data = NULL;
    err_t err;
    TCP_EVENT_RECV(pcb, p, ERR_OK, err);
    if (err == ERR_ABRT)
        return ERR_ABRT;
    if (err != ERR_OK) {
        pcb->refused_data = p;      /* still refused: keep it for later */
        return ERR_INPROGRESS;
    }
    if (had_fin) {
        /* The FIN's sequence number is no data the application will
         * tcp_recved: give its window byte back here. */
        if (pcb->rcv_wnd != TCP_WND)
            pcb->rcv_wnd++;
        TCP_EVENT_CLOSED(pcb, err);
        if (err == ERR_ABRT)
            return ERR_ABRT;
    }
    return ERR_OK;
}

err_t tcp_recv_null(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    if (p != NULL) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    if (err == ERR_OK)
        return tcp_close(pcb);
    return ERR_OK;
}

/* ---- Segments --------------------------------------------------------------------- */

void tcp_seg_free(struct tcp_seg *seg)
{
    if (seg == NULL)
        return;
    if (seg->p != NULL)
        pbuf_free(seg->p);
    memp_free(MEMP_TCP_SEG, seg);
}

void tcp_segs_free(struct tcp_seg *seg)
{
    while (seg != NULL) {
        struct tcp_seg *next = seg->next;
        tcp_seg_free(seg);
        seg = next;
    }
}

void tcp_seg_drop(struct tcp_seg *seg, unsigned reason)
{
    ng_drop_pbuf(reason, seg->p, &lwip_stats.tcp);
    memp_free(MEMP_TCP_SEG, seg);
}

void tcp_segs_drop(struct tcp_seg *seg, unsigned reason)
{
    while (seg != NULL) {
        struct tcp_seg *next = seg->next;
        tcp_seg_drop(seg, reason);
        seg = next;
    }
}

/* A second queue entry for the same pbuf (which gains a reference). */
struct tcp_seg *tcp_seg_copy(const struct tcp_seg *seg)
{
    struct tcp_seg *copy = memp_malloc(MEMP_TCP_SEG);
    if (copy == NULL)
        return NULL;
    memcpy(copy, seg, sizeof *copy);
    pbuf_ref(copy->p);
    return copy;
}

/* ---- MSS and ISN ------------------------------------------------------------------ */

/* RFC 9293 3.7.1 / RFC 1122 4.2.2.6: a segment must fit the MTU of the
 * interface it leaves by, less the IP and TCP headers (no options). */
u16_t tcp_eff_send_mss(u16_t sendmss, const ip_addr_t *dest, const ip_addr_t *src)
{
    struct netif *netif = ip_route(src, dest);
    if (netif != NULL && netif->mtu > IP_HLEN + TCP_HLEN) {
        u16_t mtu_mss = (u16_t)(netif->mtu - IP_HLEN - TCP_HLEN);
        sendmss = LWIP_MIN(sendmss, mtu_mss);
    }
    return sendmss;
}

static u32_t tcp_rotl(u32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* One round of add-rotate-xor mixing over four words (the round of
 * HalfSipHash, a keyed hash made for short inputs such as these). */
static void tcp_isn_round(u32_t v[4])
{
    v[0] += v[1];
    v[1] = tcp_rotl(v[1], 5) ^ v[0];
    v[0] = tcp_rotl(v[0], 16);
    v[2] += v[3];
    v[3] = tcp_rotl(v[3], 8) ^ v[2];
    v[0] += v[3];
    v[3] = tcp_rotl(v[3], 7) ^ v[0];
    v[2] += v[1];
    v[1] = tcp_rotl(v[1], 13) ^ v[2];
    v[2] = tcp_rotl(v[2], 16);
}

/* F of RFC 6528: a keyed hash of the three words of the 4-tuple; two
 * rounds a word, four to finish. Without the key nobody can compute it. */
static u32_t tcp_isn_hash(const u32_t msg[3])
{
    const u32_t *key = tcp_vars.isn_key;
    u32_t v[4] = { key[0], key[1], key[2] ^ 0x6c796765u, key[3] ^ 0x74656462u };
    for (unsigned i = 0; i < 3; i++) {
        v[3] ^= msg[i];
        tcp_isn_round(v);
        tcp_isn_round(v);
        v[0] ^= msg[i];
    }
    v[2] ^= 0xffu;
    for (unsigned i = 0; i < 4; i++)
        tcp_isn_round(v);
    return v[1] ^ v[3];
}

/* A 32-bit seed spread over the 128-bit key (a different mix per word). */
static void tcp_isn_set_key(u32_t seed)
{
    u32_t x = seed;
    for (unsigned i = 0; i < 4; i++) {
        x += 0x9e3779b9u;
        u32_t z = x;
        z = (z ^ (z >> 16)) * 0x85ebca6bu;
        z = (z ^ (z >> 13)) * 0xc2b2ae35u;
        tcp_vars.isn_key[i] = z ^ (z >> 16);
    }
}

/* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey). M is a clock that ticks every 4 microseconds (RFC 9293
 * 3.4.1), made here from the millisecond clock (x 250) plus one for each
 * ISN handed out, so two connections opened in the same millisecond still
 * differ. F keeps each 4-tuple's sequence space apart and unguessable
 * from outside; M keeps a reused 4-tuple's ISNs moving forward.
 * NOTE: the key comes from a 32-bit seed (ng_board_random_seed), not the
 * 128 random bits RFC 6528 asks for. */
u32_t tcp_next_iss(const struct tcp_pcb *pcb)
{
    u32_t msg[3] = {
        ip4_addr_get_u32(&pcb->local_ip),
        ip4_addr_get_u32(&pcb->remote_ip),
        (u32_t)pcb->local_port | (u32_t)pcb->remote_port << 16,
    };
    u32_t m = sys_now() * 250u + tcp_vars.isn_count++;
    return m + tcp_isn_hash(msg);
}

/* ---- RTT and RTO (RFC 6298) --------------------------------------------------------- */

/* RFC 6298 2: RTO = SRTT + max(G, K * RTTVAR) with K = 4 and G the clock
 * granularity (one tick); sv holds 4 * RTTVAR already. Then 2.4 and 2.5:
 * at least TCP_RTO_MIN, at most TCP_RTO_MAX. */
static s16_t tcp_rto_base(const struct tcp_pcb *pcb)
{
    s32_t rto = (pcb->sa >> 3) + LWIP_MAX((s32_t)pcb->sv, 1);
    rto = LWIP_MAX(rto, (s32_t)TCP_RTO_MIN_TICKS);
    rto = LWIP_MIN(rto, (s32_t)TCP_RTO_MAX_TICKS);
    return (s16_t)rto;
}

/* sa is SRTT scaled by 8, sv is RTTVAR scaled by 4 (so 4 * RTTVAR), both
 * in ticks: the divisions by 8 and 4 of RFC 6298 2.3 become shifts.
 * NOTE: sa == 0 stands for "no sample yet"; with 500 ms ticks an SRTT
 * below 1/8 tick cannot be told from that, so such a connection starts
 * over as at its first sample, which only errs toward a larger RTO. */
void tcp_rtt_sample(struct tcp_pcb *pcb, s16_t rtt_ticks)
{
    s32_t r = LWIP_MAX((s32_t)rtt_ticks, 0);
    r = LWIP_MIN(r, 2 * (s32_t)TCP_RTO_MAX_TICKS);     /* keeps sa and sv in 16 bits */
    if (pcb->sa == 0) {
        /* RFC 6298 2.2: the first measurement R: SRTT = R, RTTVAR = R / 2. */
        pcb->sa = (s16_t)(r << 3);
        pcb->sv = (s16_t)(r << 1);
    } else {
        /* RFC 6298 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| (with the old
         * SRTT), then SRTT = 7/8 SRTT + 1/8 R'. */
        s32_t err = r - (pcb->sa >> 3);
        s32_t abs_err = err < 0 ? -err : err;
        pcb->sv = (s16_t)(pcb->sv + abs_err - (pcb->sv >> 2));
        pcb->sa = (s16_t)(pcb->sa + err);
    }
    pcb->rto = tcp_rto_base(pcb);
}

/* ---- The fast timer ----------------------------------------------------------------- */

/* RFC 1122 4.2.3.2: an ACK may be delayed, but by less than 0.5 s; the
 * fast timer sends the ones owed every 250 ms. */
static void tcp_fasttmr_pcb(struct tcp_pcb *pcb)
{
    if (tcp_is_flag_set(pcb, TF_ACK_DELAY)) {
        tcp_ack_now(pcb);
        tcp_output(pcb);
    }
    if (tcp_is_flag_set(pcb, TF_CLOSEPEND)) {
        tcp_clear_flags(pcb, TF_CLOSEPEND);
        tcp_close_fin(pcb);
    }
}

static void tcp_fasttmr_run(void)
{
    ++tcp_timer_ctr;
restart:
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->last_timer == tcp_timer_ctr)
            continue;
        pcb->last_timer = tcp_timer_ctr;
        tcp_fasttmr_pcb(pcb);
        if (pcb->refused_data != NULL) {
            tcp_active_pcbs_changed = 0;
            tcp_process_refused_data(pcb);
            if (tcp_active_pcbs_changed)
                goto restart;       /* the callback freed or made PCBs */
        }
    }
}

void tcp_fasttmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_fasttmr, 0);
    tcp_fasttmr_run();
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_fasttmr);
}

/* ---- The slow timer ----------------------------------------------------------------- */

/* RFC 6298 5.5: each expiry doubles the RTO ("back off the timer"), up to
 * TCP_RTO_MAX (2.5). The n-th retransmission of a segment waits the base
 * RTO shifted left by n (at most TCP_BACKOFF_MAX_SHIFT: by then the cap
 * has long been reached). */
#define TCP_BACKOFF_MAX_SHIFT 7

static s16_t tcp_rto_backed_off(const struct tcp_pcb *pcb)
{
    unsigned shift = LWIP_MIN((unsigned)pcb->nrtx + 1, TCP_BACKOFF_MAX_SHIFT);
    s32_t rto = (s32_t)tcp_rto_base(pcb) << shift;
    return (s16_t)LWIP_MIN(rto, (s32_t)TCP_RTO_MAX_TICKS);
}

/* RFC 5681 3.1 equation (4), loss detected by the timer: ssthresh =
 * max(FlightSize / 2, 2 * SMSS), and cwnd = 1 segment (the loss window). */
static void tcp_rto_congestion(struct tcp_pcb *pcb)
{
    u32_t flight = pcb->snd_nxt - pcb->lastack;
    u32_t ssthresh = LWIP_MAX(flight / 2, 2u * pcb->mss);
    pcb->ssthresh = (tcpwnd_size_t)LWIP_MIN(ssthresh, 0xffffu);
    pcb->bytes_acked = 0;
    tcp_set_cwnd(pcb, pcb->mss, NG_cwnd_RTO);
}

/* The retransmission timer (RFC 6298 5). rtime counts the ticks the
 * oldest unacknowledged segment has waited; the timer fires at the first
 * tick at which more than rto ticks have passed (so never early, RFC
 * 6298 5.4-5.6: retransmit, back off, restart). Returns 1 when the
 * connection is to be given up: the limit of retransmissions (TCP_MAXRTX,
 * TCP_SYNMAXRTX for a SYN, RFC 1122 4.2.3.5 R2) was reached and the last
 * one was not answered either. */
static int tcp_slowtmr_rto(struct tcp_pcb *pcb)
{
    if (pcb->rtime < 0)
        return 0;
    if (pcb->rtime < 0x7fff)
        pcb->rtime++;
    if (pcb->rtime <= pcb->rto)
        return 0;
    if (pcb->unacked == NULL) {
        /* Nothing in flight: a segment that could not be sent is retried,
         * else the timer just stops. */
        pcb->rtime = pcb->unsent != NULL ? 0 : -1;
        if (pcb->unsent != NULL)
            tcp_output(pcb);
        return 0;
    }
    u8_t limit = (pcb->state == SYN_SENT || pcb->state == SYN_RCVD) ? TCP_SYNMAXRTX : TCP_MAXRTX;
    if (pcb->nrtx >= limit)
        return 1;
    pcb->rto = tcp_rto_backed_off(pcb);
    tcp_rto_congestion(pcb);
    pcb->rtime = 0;
    u8_t nrtx = pcb->nrtx;
    tcp_rexmit_rto(pcb);
    /* Counted here whether or not tcp_rexmit_rto counts it too. */
    pcb->nrtx = (u8_t)(nrtx < 0xff ? nrtx + 1 : nrtx);
    return 0;
}

/* RFC 9293 3.8.6.1: while the peer's window is too small for what we
 * have, probe it: the first probe after one RTO, then at exponentially
 * growing intervals (persist_backoff - 1 doublings, at most
 * TCP_PERSIST_MAX_BACKOFF - 1), at most TCP_RTO_MAX apart. */
#define TCP_PERSIST_MAX_BACKOFF 7

static u32_t tcp_persist_interval(const struct tcp_pcb *pcb)
{
    unsigned shift = LWIP_MIN((unsigned)pcb->persist_backoff - 1, TCP_PERSIST_MAX_BACKOFF - 1);
    u32_t ticks = (u32_t)tcp_rto_base(pcb) << shift;
    return LWIP_MIN(ticks, (u32_t)TCP_RTO_MAX_TICKS);
}

/* Returns 1 to give the connection up. NOTE: RFC 9293 3.8.6.1 says a
 * zero window must be probed for as long as the peer answers; so the
 * probe count (TCP_MAXRTX) only ends the connection when nothing at all
 * came back since the last probe. */
static int tcp_slowtmr_persist(struct tcp_pcb *pcb)
{
    u32_t interval = tcp_persist_interval(pcb);
    if (pcb->persist_cnt < 0xff)
        pcb->persist_cnt++;
    if (pcb->persist_cnt <= interval)
        return 0;
    if (pcb->persist_probe >= TCP_MAXRTX && tcp_idle_ticks(pcb) > pcb->persist_cnt)
        return 1;
    u8_t probes = pcb->persist_probe;
    tcp_zero_window_probe(pcb);
    if (pcb->persist_backoff == 0)
        return 0;   /* the window had room after all: data went, persist is over */
    /* Counted even when the probe could not be sent, so a connection
     * without memory or route does not probe forever. */
    pcb->persist_probe = (u8_t)(probes < 0xff ? probes + 1 : probes);
    pcb->persist_cnt = 0;
    if (pcb->persist_backoff < TCP_PERSIST_MAX_BACKOFF)
        pcb->persist_backoff++;
    return 0;
}

enum tcp_slow_verdict {
    TCP_SLOW_KEEP,      /* the connection goes on */
    TCP_SLOW_REMOVE,    /* give it up quietly (err callback ERR_ABRT) */
    TCP_SLOW_RESET,     /* give it up and tell the peer with a RST */
};

/* RFC 1122 4.2.3.6: when the application asked for keepalives, an idle
 * connection (no segment from the peer for keep_idle, at least two hours
 * by default) is probed every keep_intvl; after keep_cnt unanswered
 * probes it is considered dead. */
static enum tcp_slow_verdict tcp_slowtmr_keepalive(struct tcp_pcb *pcb)
{
    if (!ip_get_option(pcb, SOF_KEEPALIVE) ||
        (pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT))
        return TCP_SLOW_KEEP;
    u32_t idle = tcp_idle_ticks(pcb);
    if (idle <= pcb->keep_idle / TCP_SLOW_INTERVAL) {
        pcb->keep_cnt_sent = 0;     /* heard from the peer since the last probe */
        return TCP_SLOW_KEEP;
    }
    if (idle > (pcb->keep_idle + pcb->keep_cnt * pcb->keep_intvl) / TCP_SLOW_INTERVAL)
        return TCP_SLOW_RESET;
    if (idle > (pcb->keep_idle + pcb->keep_cnt_sent * pcb->keep_intvl) / TCP_SLOW_INTERVAL) {
        u8_t sent = pcb->keep_cnt_sent;
        if (tcp_keepalive(pcb) == ERR_OK)
            pcb->keep_cnt_sent = (u8_t)(sent + 1);
    }
    return TCP_SLOW_KEEP;
}

/* The idle limits of the states where the peer may just go away:
 * FIN-WAIT-2 once we cannot receive any more (RFC 9293 leaves FIN-WAIT-2
 * open-ended; a closed application cannot wait forever), SYN-RECEIVED (a
 * SYN flood's half-open connections), LAST-ACK (our FIN never acked). */
static int tcp_slowtmr_idle_timeout(const struct tcp_pcb *pcb)
{
    u32_t idle = tcp_idle_ticks(pcb);
    switch (pcb->state) {
    case FIN_WAIT_2:
        return tcp_is_flag_set(pcb, TF_RXCLOSED) &&
               idle > TCP_FIN_WAIT_TIMEOUT / TCP_SLOW_INTERVAL;
    case SYN_RCVD:
        return idle > TCP_SYN_RCVD_TIMEOUT / TCP_SLOW_INTERVAL;
    case LAST_ACK:
        return idle > 2 * TCP_MSL / TCP_SLOW_INTERVAL;
    default:
        return 0;
    }
}

/* Out-of-order data nobody filled the hole before for TCP_OOSEQ_TIMEOUT
 * RTOs is thrown away (the peer retransmits it anyway); its memory is
 * worth more to others. */
static void tcp_slowtmr_ooseq(struct tcp_pcb *pcb)
{
    if (pcb->ooseq == NULL || tcp_idle_ticks(pcb) < (u32_t)pcb->rto * TCP_OOSEQ_TIMEOUT)
        return;
    struct tcp_seg *seg = pcb->ooseq;
    pcb->ooseq = NULL;
    /* NOTE: recorded under TCP_OOSEQ_FULL: events.def has no reason of
     * its own for an out-of-order queue given up by time. */
    tcp_segs_drop(seg, NG_drop_TCP_OOSEQ_FULL);
}

static enum tcp_slow_verdict tcp_slowtmr_verdict(struct tcp_pcb *pcb)
{
    int give_up = pcb->persist_backoff > 0 ? tcp_slowtmr_persist(pcb) : tcp_slowtmr_rto(pcb);
    if (give_up)
        return TCP_SLOW_REMOVE;
    if (tcp_slowtmr_idle_timeout(pcb))
        return TCP_SLOW_REMOVE;
    enum tcp_slow_verdict v = tcp_slowtmr_keepalive(pcb);
    if (v != TCP_SLOW_KEEP)
        return v;
    tcp_slowtmr_ooseq(pcb);
    return TCP_SLOW_KEEP;
}

/* Give a connection up: free it, then tell the application (ERR_ABRT). */
static void tcp_slowtmr_kill(struct tcp_pcb *pcb, int reset)
{
    tcp_err_fn errf = pcb->errf;
    void *arg = pcb->callback_arg;
    enum tcp_state last_state = pcb->state;
    tcp_pcb_purge(pcb);
    tcp_pcb_unlink(&tcp_active_pcbs, pcb);
    if (reset)
        tcp_rst_pcb(pcb);
    tcp_set_state(pcb, CLOSED);
    tcp_free(pcb);
    TCP_EVENT_ERR(last_state, errf, arg, ERR_ABRT);
}

/* One active PCB's tick. tcp_active_pcbs_changed tells the caller when
 * the list changed (pcb may then be gone). */
static void tcp_slowtmr_pcb(struct tcp_pcb *pcb)
{
    enum tcp_slow_verdict v = tcp_slowtmr_verdict(pcb);
    if (v != TCP_SLOW_KEEP) {
        tcp_slowtmr_kill(pcb, v == TCP_SLOW_RESET);
        return;
    }
    int polled = 0;
    if (pcb->poll != NULL && ++pcb->polltmr >= pcb->pollinterval) {
        pcb->polltmr = 0;
        err_t err;
        TCP_EVENT_POLL(pcb, err);
        if (tcp_active_pcbs_changed || err != ERR_OK)
            return;         /* pcb may be gone (ERR_ABRT) */
        polled = 1;
    }
    /* What the poll callback wrote goes now; queued data that is still
     * waiting gets another chance (lwIP calls tcp_output here for every
     * PCB; the ones with nothing queued are left out of the trace). */
    if (polled || pcb->unsent != NULL)
        tcp_output(pcb);
}

static void tcp_slowtmr_active(void)
{
restart:
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->last_timer == tcp_timer_ctr)
            continue;
        pcb->last_timer = tcp_timer_ctr;
        tcp_active_pcbs_changed = 0;
        tcp_slowtmr_pcb(pcb);
        if (tcp_active_pcbs_changed)
            goto restart;
    }
}

/* RFC 9293 3.10.8: TIME-WAIT ends after 2 MSL; the PCB is freed. */
static void tcp_slowtmr_timewait(void)
{
    struct tcp_pcb *pcb = tcp_tw_pcbs;
    while (pcb != NULL) {
        struct tcp_pcb *next = pcb->next;
        if (tcp_idle_ticks(pcb) > 2 * TCP_MSL / TCP_SLOW_INTERVAL)
            tcp_free_timewait(pcb, ERR_CLSD);
        pcb = next;
    }
}

void tcp_slowtmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcp_slowtmr, 0);
    ++tcp_ticks;
    ++tcp_timer_ctr;
    tcp_slowtmr_active();
    tcp_slowtmr_timewait();
    NG_TRACE0(LAYER_EXIT, NG_layer_tcp_slowtmr);
}

/* ---- Arming the timers --------------------------------------------------------------- */

void tcp_tmr(void)
{
    tcp_fasttmr();
    if (++tcp_vars.tmr_phase & 1)
        tcp_slowtmr();
}

static int tcp_timer_wanted(void)
{
    return tcp_active_pcbs != NULL || tcp_tw_pcbs != NULL;
}

static void tcpip_tcp_timer(void *arg);

/* Looked up on the timeout list rather than remembered in a flag: a test
 * (or sys_timeouts_init) may empty the list under us. */
static int tcp_timer_armed(void)
{
    for (const struct sys_timeo *t = *sys_timeouts_get_next_timeout(); t != NULL; t = t->next) {
        if (t->h == tcpip_tcp_timer)
            return 1;
    }
    return 0;
}

static void tcp_timer_arm(u32_t due)
{
    tcp_vars.timer_due = due;
    sys_timeout_abs(due, tcpip_tcp_timer, NULL);    /* not due - sys_now(): see timeouts.h */
}

/* The one TCP timeout: runs tcp_tmr and arms itself again while a PCB
 * still needs the timers. Like the cyclic timers of net/timeouts.c it is
 * re-armed from the time it was due, not from when it ran, so the ticks
 * stay TCP_TMR_INTERVAL apart however late tcpip_thread gets to them
 * (only a whole interval missed restarts the rhythm from now). */
static void tcpip_tcp_timer(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    tcp_vars.timer_running = 1;
    tcp_tmr();
    tcp_vars.timer_running = 0;
    if (!tcp_timer_wanted() || tcp_timer_armed())
        return;
    u32_t now = sys_now();
    u32_t next = tcp_vars.timer_due + TCP_TMR_INTERVAL;
    if ((s32_t)(next - now) < 0)
        next = now + TCP_TMR_INTERVAL;
    tcp_timer_arm(next);
}

void tcp_timer_needed(void)
{
    if (!tcp_vars.timer_running && tcp_timer_wanted() && !tcp_timer_armed())
        tcp_timer_arm(sys_now() + TCP_TMR_INTERVAL);
}

/* ---- Address changes and start-up -------------------------------------------------- */

/* Connections on old_addr cannot go on (their peer knows the old address):
 * they are aborted. Listeners on it follow the interface to new_addr. */
static void tcp_abort_on_addr(struct tcp_pcb **list, const ip_addr_t *old_addr)
{
restart:
    for (struct tcp_pcb *pcb = *list; pcb != NULL; pcb = pcb->next) {
        if (ip_addr_eq(&pcb->local_ip, old_addr)) {
            tcp_abort(pcb);     /* its err callback may change any list */
            goto restart;
        }
    }
}

void tcp_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr)
{
    if (ip_addr_isany(old_addr))
        return;
    tcp_abort_on_addr(&tcp_active_pcbs, old_addr);
    tcp_abort_on_addr(&tcp_bound_pcbs, old_addr);
    if (ip_addr_isany(new_addr))
        return;
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l != NULL; l = l->next) {
        if (ip_addr_eq(&l->local_ip, old_addr))
            ip_addr_copy(l->local_ip, *new_addr);
    }
}

void tcp_init(void)
{
    sys_untimeout(tcpip_tcp_timer, NULL);
    tcp_bound_pcbs = NULL;
    tcp_listen_pcbs.listen_pcbs = NULL;
    tcp_active_pcbs = NULL;
    tcp_tw_pcbs = NULL;
    tcp_active_pcbs_changed = 0;
    tcp_input_pcb = NULL;
    /* From 1: rttest == 0 means "no segment timed", so a segment sent at
     * tick 0 (the first SYN, typically) could not be timed. */
    tcp_ticks = 1;
    tcp_timer_ctr = 0;
    tcp_vars.tmr_phase = 0;
    tcp_vars.timer_running = 0;
    tcp_vars.port = TCP_LOCAL_PORT_RANGE_END;
    tcp_vars.isn_count = 0;
    tcp_isn_set_key(ng_board_random_seed());
}

#endif /* LWIP_TCP */
