/*
 * api/api_msg.c - the stack side of netconn: the do_* functions a netconn
 * call runs in tcpip_thread, the raw-API callbacks that feed a netconn's
 * mailboxes, and the memory of a netconn.
 *
 * How a call flows (api/api_lib.c is the other half):
 *   netconn_xxx fills a struct api_msg and crosses with tcpip_apimsg; here
 *   do_xxx works on conn->pcb with the raw API and finishes the message:
 *   it stores msg->err and signals op_completed (TCPIP_APIMSG_ACK; a no-op
 *   under the core lock, where the caller ran do_xxx itself).
 *   Three calls cannot finish at once: a blocking TCP connect (until the
 *   handshake, do_connected), a write larger than the send buffer (until
 *   sent_tcp / poll_tcp have queued the rest, do_writemore) and a close
 *   whose FIN cannot be queued yet (until poll_tcp / sent_tcp retry,
 *   do_close_internal). Such a call parks its message in conn->current_msg
 *   and conn->state, and whoever ends it signals op_completed. Without the
 *   core lock the caller is already waiting on op_completed (in
 *   tcpip_send_msg_wait_sem); with it, the do_* function itself lets the
 *   lock go and waits (wait_for_completion), because the callback that ends
 *   the wait needs the lock to run. op_done() is the one place that knows
 *   which of the two applies.
 *
 * Data the other way: recv_tcp / recv_udp / recv_raw / accept_function
 * only ever trypost to recvmbox / acceptmbox (tcpip_thread must never
 * block on an application), then tell the netconn's callback (API_EVENT)
 * so a select wakes. What happens when a mailbox is full depends on who
 * can keep the data:
 *   - TCP data is refused (ERR_MEM): TCP keeps it in refused_data, does not
 *     acknowledge more, and offers it again (fast timer), so nothing is
 *     lost and it is not counted as a drop; the trace still shows the
 *     refusal as the mailbox's MBOX_FULL record. A FIN cannot be refused
 *     (TCP delivers it once), so a FIN that finds the box full is owed
 *     (NETCONN_FLAG_FIN_UNPOSTED) and posted by the next do_recv or poll_tcp.
 *   - a datagram has nobody to keep it: it is dropped and counted
 *     (NG_DROP RECVMBOX_FULL, RCVBUF_FULL, NETBUF_NO_MEMORY), everything
 *     freed; a new connection that finds acceptmbox full is aborted (RST)
 *     and counted as ACCEPTMBOX_FULL.
 * What is not a pbuf, netbuf or netconn travels as a stand-in: the address
 * of one of three static bytes for "closed" (the peer's FIN), "reset" and
 * "aborted" (lwip_netconn_err_to_msg / lwip_netconn_is_err_msg).
 *
 * Rules kept here: only this file and the raw-API callbacks touch
 * conn->pcb, conn->state and conn->current_msg; an api_msg lives on its
 * caller's stack, so current_msg is cleared before the message is
 * finished; flags, pending_err and recv_avail are shared with the app
 * side and change under SYS_ARCH_PROTECT. LWIP_NETCONN_FULLDUPLEX is 0 (as
 * lwIP's default): one thread uses a netconn at a time. do_delconn still
 * copes with a connect or write some other thread is blocked in: it fails
 * that call with ERR_CLSD and wakes it before it deletes.
 *
 * Trace: every function named in the reference flows has a LAYER span.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/dns.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "lwip/priv/api_msg.h"
#include "trace.h"

#if LWIP_NETCONN /* the whole file: an app may leave this API out (lwipopts.h) */

/* poll_tcp every 2 slow ticks (1 s): retries a write or close that ran
 * out of memory, and posts an owed FIN. */
#define NETCONN_TCP_POLL_INTERVAL 2

#define ENTER(name, arg) NG_TRACE1(LAYER_ENTER, NG_layer_##name, (uintptr_t)(arg))
#define EXIT(name) NG_TRACE0(LAYER_EXIT, NG_layer_##name)

/* ---- stand-in messages ------------------------------------------------------- */

/* One static byte per stand-in, holding the error it stands for: the
 * address says "not data", the byte says which error. */
static const err_t netconn_stand_in[] = { ERR_ABRT, ERR_RST, ERR_CLSD };
#define STAND_INS (sizeof(netconn_stand_in) / sizeof(netconn_stand_in[0]))

/* The three errors are consecutive codes (lwip/err.h), so the error picks
 * its byte: index ERR_ABRT - err. */
_Static_assert(ERR_RST == ERR_ABRT - 1 && ERR_CLSD == ERR_ABRT - 2,
               "netconn_stand_in[] is indexed by ERR_ABRT - err");

void *lwip_netconn_err_to_msg(err_t err)
{
    unsigned i = (unsigned)(ERR_ABRT - err);
    LWIP_ASSERT("lwip_netconn_err_to_msg: no stand-in for this error", i < STAND_INS);
    return (void *)&netconn_stand_in[i];
}

int lwip_netconn_is_err_msg(void *msg, err_t *err)
{
    LWIP_ASSERT("lwip_netconn_is_err_msg: err != NULL", err != NULL);
    /* As integers: msg may point anywhere, not only into the table. */
    uintptr_t i = (uintptr_t)msg - (uintptr_t)netconn_stand_in;
    if (i >= sizeof(netconn_stand_in))
        return 0;
    *err = *(const err_t *)msg;
    return 1;
}

/* The stand-in for err into each mailbox conn has, to wake a recv or
 * accept blocked there. Only tried: a full box holds something for its
 * reader already. Called by err_tcp, and by the socket layer's close from
 * the application's thread (it touches only the mailboxes, which are
 * there for both sides). */
void netconn_post_stand_in(struct netconn *conn, err_t err)
{
    void *stand_in = lwip_netconn_err_to_msg(err);
    if (sys_mbox_valid(&conn->recvmbox))
        (void)sys_mbox_trypost(&conn->recvmbox, stand_in);
    if (sys_mbox_valid(&conn->acceptmbox))
        (void)sys_mbox_trypost(&conn->acceptmbox, stand_in);
}

/* ---- small helpers ---------------------------------------------------------- */

/* API_EVENT: a netconn without a callback (a bare netconn app) has nobody
 * to tell. */
void netconn_api_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
    if (conn->callback != NULL)
        conn->callback(conn, evt, len);
}

/* conn->flags are shared with the application side: read and changed
 * under SYS_ARCH_PROTECT, by these two functions (api_lib.c's too). */
int netconn_flag_get(struct netconn *conn, u8_t flag)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int set = netconn_is_flag_set(conn, flag);
    SYS_ARCH_UNPROTECT(lev);
    return set;
}

void netconn_flags_update(struct netconn *conn, u8_t set, u8_t clr)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    netconn_set_flags(conn, set);
    netconn_clear_flags(conn, clr);
    SYS_ARCH_UNPROTECT(lev);
}

#define conn_flag(conn, flag) netconn_flag_get((conn), (flag))
#define conn_set_flags(conn, set) netconn_flags_update((conn), (set), 0)
#define conn_clear_flags(conn, clr) netconn_flags_update((conn), 0, (clr))

/* May a callback still post to this mailbox? Not once the netconn closed
 * it (delete, shutdown RD, the peer's FIN taken). */
static int mbox_open(struct netconn *conn, sys_mbox_t *mbox)
{
    return sys_mbox_valid(mbox) && !conn_flag(conn, NETCONN_FLAG_MBOXCLOSED);
}

static void recv_avail_add(struct netconn *conn, int delta)
{
#if LWIP_SO_RCVBUF
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    conn->recv_avail += delta;
    SYS_ARCH_UNPROTECT(lev);
#else
    (void)conn;
    (void)delta;
#endif
}

static void recv_avail_reset(struct netconn *conn)
{
#if LWIP_SO_RCVBUF
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    conn->recv_avail = 0;
    SYS_ARCH_UNPROTECT(lev);
#else
    (void)conn;
#endif
}

/* Would len more bytes go past SO_RCVBUF? */
static int rcvbuf_full(struct netconn *conn, u16_t len)
{
#if LWIP_SO_RCVBUF
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int full = conn->recv_avail + (int)len > conn->recv_bufsize;
    SYS_ARCH_UNPROTECT(lev);
    return full;
#else
    (void)conn;
    (void)len;
    return 0;
#endif
}

/* A do_* that had to wait is finished: tell its caller. Without the core
 * lock the caller always waits on op_completed. With it, the caller ran
 * the do_* itself: it waits (wait_for_completion) only when the end came
 * later, from a callback (delayed). */
static void op_done(struct netconn *conn, int delayed)
{
    if (!LWIP_TCPIP_CORE_LOCKING || delayed)
        sys_sem_signal(&conn->op_completed);
}

/* Under the core lock: a do_* that must wait for the network lets the lock
 * go so tcpip_thread can run the callbacks that end the wait. Without it
 * nothing to do: the caller is waiting in tcpip_send_msg_wait_sem. */
static void wait_for_completion(struct api_msg *msg)
{
#if LWIP_TCPIP_CORE_LOCKING
    sys_sem_t *sem = &msg->conn->op_completed;
    UNLOCK_TCPIP_CORE();
    sys_arch_sem_wait(sem, 0);
    LOCK_TCPIP_CORE();
#else
    (void)msg;
#endif
}

/* A TCP PCB forgets this netconn: no callback reaches it any more. */
static void tcp_detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    tcp_err(pcb, NULL);
}

static void netbuf_free_rx(struct netbuf *buf)
{
    if (buf->p != NULL)
        pbuf_free(buf->p);
    memp_free(MEMP_NETBUF, buf);
}

/* ---- memory of a netconn ------------------------------------------------------- */

struct netconn *netconn_alloc(enum netconn_type t, netconn_callback callback)
{
    int size;
    switch (NETCONNTYPE_GROUP(t)) {
    case NETCONN_TCP:
        size = DEFAULT_TCP_RECVMBOX_SIZE;
        break;
    case NETCONN_UDP:
        size = DEFAULT_UDP_RECVMBOX_SIZE;
        break;
    case NETCONN_RAW:
        size = DEFAULT_RAW_RECVMBOX_SIZE;
        break;
    default:
        return NULL;
    }
    struct netconn *conn = memp_malloc(MEMP_NETCONN);
    if (conn == NULL)
        return NULL;
    memset(conn, 0, sizeof(*conn));
    conn->type = t;
    conn->state = NETCONN_NONE;
    conn->pending_err = ERR_OK;
    if (sys_sem_new_named(&conn->op_completed, 0, "op_completed") != ERR_OK) {
        memp_free(MEMP_NETCONN, conn);
        return NULL;
    }
    if (sys_mbox_new_named(&conn->recvmbox, size, "recvmbox") != ERR_OK) {
        sys_sem_free(&conn->op_completed);
        memp_free(MEMP_NETCONN, conn);
        return NULL;
    }
    sys_mbox_set_invalid(&conn->acceptmbox);
    conn->socket = -1;
    conn->callback = callback;
#if LWIP_SO_RCVBUF
    conn->recv_bufsize = RECV_BUFSIZE_DEFAULT;
#endif
    return conn;
}

/* Free a mailbox; what is left in it can only be stand-ins (do_delconn
 * drained the rest, a netconn that never ran holds nothing). */
static void mbox_free_checked(sys_mbox_t *mbox)
{
    if (!sys_mbox_valid(mbox))
        return;
    void *msg;
    err_t err;
    while (sys_arch_mbox_tryfetch(mbox, &msg) != SYS_MBOX_EMPTY)
        LWIP_ASSERT("netconn_free: mailbox not drained", lwip_netconn_is_err_msg(msg, &err));
    sys_mbox_free(mbox);
    sys_mbox_set_invalid(mbox);
}

void netconn_free(struct netconn *conn)
{
    LWIP_ASSERT("netconn_free: PCB still attached", conn->pcb.ip == NULL);
    mbox_free_checked(&conn->recvmbox);
    mbox_free_checked(&conn->acceptmbox);
    sys_sem_free(&conn->op_completed);
    sys_sem_set_invalid(&conn->op_completed);
    memp_free(MEMP_NETCONN, conn);
}

/* ---- the raw-API callbacks: TCP ------------------------------------------------- */

static err_t poll_tcp(void *arg, struct tcp_pcb *pcb);
static err_t sent_tcp(void *arg, struct tcp_pcb *pcb, u16_t len);
static void err_tcp(void *arg, err_t err);
static err_t do_writemore(struct netconn *conn, int delayed);
static err_t do_close_internal(struct netconn *conn, int delayed);

/* Post the FIN stand-in. Returns 0 when the box is full (it stays owed). */
static int post_fin(struct netconn *conn)
{
    if (sys_mbox_trypost(&conn->recvmbox, lwip_netconn_err_to_msg(ERR_CLSD)) != ERR_OK)
        return 0;
    conn_clear_flags(conn, NETCONN_FLAG_FIN_UNPOSTED);
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
    return 1;
}

static void retry_fin(struct netconn *conn)
{
    if (conn_flag(conn, NETCONN_FLAG_FIN_UNPOSTED) && mbox_open(conn, &conn->recvmbox))
        post_fin(conn);
}

/* Data (p) or the peer's FIN (p == NULL) for the application. */
static err_t recv_tcp(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    ENTER(recv_tcp, p);
    struct netconn *conn = arg;
    (void)err;      /* TCP only ever passes ERR_OK */
    if (conn == NULL || !mbox_open(conn, &conn->recvmbox)) {
        /* Nobody will read it: consume it, so the window stays open and
         * the connection can still close normally. */
        if (p != NULL) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        EXIT(recv_tcp);
        return ERR_OK;
    }
    if (p == NULL) {
        if (!post_fin(conn)) {
            conn_set_flags(conn, NETCONN_FLAG_FIN_UNPOSTED);
            API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);    /* readable: data is queued */
        }
        EXIT(recv_tcp);
        return ERR_OK;
    }
    u16_t len = p->tot_len;
    if (sys_mbox_trypost(&conn->recvmbox, p) != ERR_OK) {
        /* Refused, not lost: TCP keeps p and offers it again. */
        EXIT(recv_tcp);
        return ERR_MEM;
    }
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, len);
    EXIT(recv_tcp);
    return ERR_OK;
}

/* Writable again? As lwIP: above TCP_SNDLOWAT bytes of free buffer and
 * below TCP_SNDQUEUELOWAT queued pbufs. */
static void check_writespace(struct netconn *conn, u16_t len)
{
    struct tcp_pcb *pcb = conn->pcb.tcp;
    if (pcb == NULL || !conn_flag(conn, NETCONN_FLAG_CHECK_WRITESPACE))
        return;
    if (tcp_sndbuf(pcb) > TCP_SNDLOWAT && tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT) {
        conn_clear_flags(conn, NETCONN_FLAG_CHECK_WRITESPACE);
        API_EVENT(conn, NETCONN_EVT_SENDPLUS, len);
    }
}

/* Continue whatever waits on the network: a write, a close. */
static void continue_blocked(struct netconn *conn)
{
    if (conn->state == NETCONN_WRITE)
        do_writemore(conn, 1);
    else if (conn->state == NETCONN_CLOSE)
        do_close_internal(conn, 1);
}

static err_t sent_tcp(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    ENTER(sent_tcp, pcb);
    struct netconn *conn = arg;
    if (conn != NULL) {
        continue_blocked(conn);
        check_writespace(conn, len);
    }
    EXIT(sent_tcp);
    return ERR_OK;
}

static err_t poll_tcp(void *arg, struct tcp_pcb *pcb)
{
    ENTER(poll_tcp, pcb);
    struct netconn *conn = arg;
    if (conn != NULL) {
        continue_blocked(conn);
        if (conn->pcb.tcp != NULL)
            retry_fin(conn);
        check_writespace(conn, 0);
    }
    EXIT(poll_tcp);
    return ERR_OK;
}

/* The call blocked on this netconn's network event (conn->current_msg)
 * ends with err; a non-blocking connect has nobody waiting and just stops.
 * Signalled in both modes: the blocked caller waits on op_completed. */
static void end_blocked_op(struct netconn *conn, err_t err)
{
    if (conn_flag(conn, NETCONN_FLAG_IN_NONBLOCKING_CONNECT)) {
        conn_clear_flags(conn, NETCONN_FLAG_IN_NONBLOCKING_CONNECT);
    } else if (conn->current_msg != NULL) {
        conn->current_msg->err = err;
        conn->current_msg = NULL;
        sys_sem_signal(&conn->op_completed);
    }
}

/* The PCB is gone (reset, aborted, or closed for good): everyone who waits
 * on this netconn learns it. */
static void err_tcp(void *arg, err_t err)
{
    ENTER(err_tcp, arg);
    struct netconn *conn = arg;
    if (conn == NULL) {
        EXIT(err_tcp);
        return;
    }
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    conn->pcb.tcp = NULL;
    conn->pending_err = err;
    netconn_set_flags(conn, NETCONN_FLAG_MBOXCLOSED);   /* nothing more will arrive */
    SYS_ARCH_UNPROTECT(lev);
    enum netconn_state old_state = conn->state;
    conn->state = NETCONN_NONE;

    API_EVENT(conn, NETCONN_EVT_ERROR, 0);
    /* Wake selects on read and write too: the call they then make fails. */
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
    API_EVENT(conn, NETCONN_EVT_SENDPLUS, 0);

    /* A blocked recv or accept wakes on the stand-in; if the box is full it
     * finds the error in pending_err once it has taken what is there. */
    netconn_post_stand_in(conn, err);

    /* A close waiting for its FIN has what it wanted: the connection is
     * closed. A write or connect failed. */
    if (old_state == NETCONN_WRITE || old_state == NETCONN_CLOSE ||
        old_state == NETCONN_CONNECT)
        end_blocked_op(conn, old_state == NETCONN_CLOSE ? ERR_OK : err);
    EXIT(err_tcp);
}

static void setup_tcp(struct netconn *conn)
{
    ENTER(setup_tcp, conn);
    struct tcp_pcb *pcb = conn->pcb.tcp;
    tcp_arg(pcb, conn);
    tcp_recv(pcb, recv_tcp);
    tcp_sent(pcb, sent_tcp);
    tcp_poll(pcb, poll_tcp, NETCONN_TCP_POLL_INTERVAL);
    tcp_err(pcb, err_tcp);
    EXIT(setup_tcp);
}

/* A connection for a listening netconn: a netconn of its own, queued for
 * netconn_accept. */
static err_t accept_function(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    ENTER(accept_function, newpcb);
    struct netconn *conn = arg;
    if (conn == NULL || !mbox_open(conn, &conn->acceptmbox)) {
        EXIT(accept_function);
        return ERR_VAL;         /* the stack aborts newpcb */
    }
    if (newpcb == NULL || err != ERR_OK) {
        /* TCP had no PCB for a connection: netconn_accept reports it once. */
        if (sys_mbox_trypost(&conn->acceptmbox, lwip_netconn_err_to_msg(ERR_ABRT)) == ERR_OK)
            API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
        EXIT(accept_function);
        return ERR_VAL;
    }
    struct netconn *newconn = netconn_alloc(conn->type, conn->callback);
    if (newconn == NULL) {
        EXIT(accept_function);
        return ERR_MEM;         /* the stack aborts newpcb */
    }
    newconn->pcb.tcp = newpcb;
    setup_tcp(newconn);
    if (sys_mbox_trypost(&conn->acceptmbox, newconn) != ERR_OK) {
        NG_DROP(ACCEPTMBOX_FULL, newpcb);
        tcp_detach(newpcb);
        newconn->pcb.tcp = NULL;
        netconn_free(newconn);
        tcp_abort(newpcb);
        EXIT(accept_function);
        return ERR_ABRT;
    }
    /* It counts against the backlog until the application accepts it
     * (netconn_accept's do_recv calls tcp_backlog_accepted). */
    tcp_backlog_delayed(newpcb);
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
    EXIT(accept_function);
    return ERR_OK;
}

/* ---- the raw-API callbacks: UDP and raw ------------------------------------------ */

/* Queue one datagram (p, the caller's) as a netbuf; every failure is a
 * counted drop and frees p. */
static void queue_datagram(struct netconn *conn, struct pbuf *p, const ip_addr_t *addr,
                           u16_t port)
{
    u16_t len = p->tot_len;
    if (rcvbuf_full(conn, len)) {
        NG_DROP(RCVBUF_FULL, p);
        pbuf_free(p);
        return;
    }
    struct netbuf *buf = memp_malloc(MEMP_NETBUF);
    if (buf == NULL) {
        NG_DROP(NETBUF_NO_MEMORY, p);
        pbuf_free(p);
        return;
    }
    memset(buf, 0, sizeof(*buf));
    buf->p = p;
    buf->ptr = p;
    ip_addr_set(&buf->addr, addr);
    buf->port = port;
    /* Counted before the post: the reader subtracts as soon as it has it. */
    recv_avail_add(conn, len);
    if (sys_mbox_trypost(&conn->recvmbox, buf) != ERR_OK) {
        recv_avail_add(conn, -(int)len);
        NG_DROP(RECVMBOX_FULL, p);
        netbuf_free_rx(buf);
        return;
    }
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, len);
}

static void recv_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                     u16_t port)
{
    ENTER(recv_udp, p);
    (void)pcb;
    struct netconn *conn = arg;
    if (conn == NULL || !mbox_open(conn, &conn->recvmbox)) {
        pbuf_free(p);           /* the netconn is being deleted */
        EXIT(recv_udp);
        return;
    }
    queue_datagram(conn, p, addr, port);
    EXIT(recv_udp);
}

/* raw_input offers the datagram to every matching PCB: take a copy and
 * leave the original (return 0) so ICMP and others still see it, as lwIP
 * does. */
static u8_t recv_raw(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    ENTER(recv_raw, p);
    struct netconn *conn = arg;
    if (conn == NULL || !mbox_open(conn, &conn->recvmbox)) {
        EXIT(recv_raw);
        return 0;
    }
    struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
    if (q == NULL) {
        NG_DROP(NO_MEMORY, p);
        EXIT(recv_raw);
        return 0;
    }
    queue_datagram(conn, q, addr, pcb->protocol);
    EXIT(recv_raw);
    return 0;
}

/* ---- creating and deleting ------------------------------------------------------ */

static err_t pcb_new(struct api_msg *msg)
{
    ENTER(pcb_new, msg->conn);
    struct netconn *conn = msg->conn;
    err_t err = ERR_OK;
    switch (NETCONNTYPE_GROUP(conn->type)) {
    case NETCONN_RAW:
        conn->pcb.raw = raw_new(msg->msg.n.proto);
        if (conn->pcb.raw != NULL)
            raw_recv(conn->pcb.raw, recv_raw, conn);
        break;
    case NETCONN_UDP:
        if (conn->type == NETCONN_UDPLITE) {
            err = ERR_VAL;      /* UDP-Lite is not built */
            break;
        }
        conn->pcb.udp = udp_new();
        if (conn->pcb.udp == NULL)
            break;
        if (conn->type == NETCONN_UDPNOCHKSUM)
            udp_setflags(conn->pcb.udp, UDP_FLAGS_NOCHKSUM);
        udp_recv(conn->pcb.udp, recv_udp, conn);
        break;
    case NETCONN_TCP:
        /* The callbacks come with do_connect or accept_function
         * (setup_tcp): until then nothing can happen to this PCB. */
        conn->pcb.tcp = tcp_new();
        if (conn->pcb.tcp != NULL)
            tcp_arg(conn->pcb.tcp, conn);
        break;
    default:
        err = ERR_VAL;
    }
    if (err == ERR_OK && conn->pcb.ip == NULL)
        err = ERR_MEM;
    EXIT(pcb_new);
    return err;
}

void do_newconn(void *m)
{
    struct api_msg *msg = m;
    ENTER(do_newconn, msg->conn);
    msg->err = msg->conn->pcb.ip == NULL ? pcb_new(msg) : ERR_VAL;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_newconn);
}

/* Empty a mailbox for good: pbufs and netbufs freed, connections nobody
 * accepted aborted (RST) with their netconns. */
static void drain_mbox(struct netconn *conn, sys_mbox_t *mbox, int accept_box)
{
    if (!sys_mbox_valid(mbox))
        return;
    void *msg;
    err_t err;
    while (sys_arch_mbox_tryfetch(mbox, &msg) != SYS_MBOX_EMPTY) {
        if (lwip_netconn_is_err_msg(msg, &err))
            continue;
        if (accept_box) {
            struct netconn *newconn = msg;
            conn_set_flags(newconn, NETCONN_FLAG_MBOXCLOSED);
            drain_mbox(newconn, &newconn->recvmbox, 0);
            if (newconn->pcb.tcp != NULL) {
                struct tcp_pcb *pcb = newconn->pcb.tcp;
                tcp_detach(pcb);
                newconn->pcb.tcp = NULL;
                tcp_abort(pcb);
            }
            netconn_free(newconn);
        } else if (NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP) {
            pbuf_free(msg);
        } else {
            netbuf_free_rx(msg);
        }
    }
    recv_avail_reset(conn);
}

/* Close both mailboxes (callbacks stop posting) and empty them. */
static void drain_all(struct netconn *conn)
{
    conn_set_flags(conn, NETCONN_FLAG_MBOXCLOSED);
    drain_mbox(conn, &conn->recvmbox, 0);
    drain_mbox(conn, &conn->acceptmbox, 1);
}

static void mbox_release(sys_mbox_t *mbox)
{
    if (!sys_mbox_valid(mbox))
        return;
    sys_mbox_free(mbox);
    sys_mbox_set_invalid(mbox);
}

/* A connect or write another thread is blocked in ends with ERR_CLSD
 * (possible only against the FULLDUPLEX = 0 rule, but it must not hang);
 * a non-blocking connect just stops. */
static void fail_blocked_op(struct netconn *conn)
{
    end_blocked_op(conn, ERR_CLSD);
    if (conn->state != NETCONN_LISTEN)
        conn->state = NETCONN_NONE;
}

void do_delconn(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_delconn, conn);
    fail_blocked_op(conn);
    drain_all(conn);
    mbox_release(&conn->recvmbox);
    mbox_release(&conn->acceptmbox);
    conn_set_flags(conn, NETCONN_FLAG_MBOXINVALID);
    msg->err = ERR_OK;
    if (conn->pcb.ip != NULL) {
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            raw_remove(conn->pcb.raw);
            break;
        case NETCONN_UDP:
            udp_recv(conn->pcb.udp, NULL, NULL);
            udp_remove(conn->pcb.udp);
            break;
        case NETCONN_TCP:
            /* A graceful close that may have to wait for memory: the same
             * path as netconn_close, which also finishes this message. */
            msg->msg.sd.shut = NETCONN_SHUT_RDWR;
            conn->state = NETCONN_CLOSE;
            conn->current_msg = msg;
            if (do_close_internal(conn, 0) != ERR_OK)
                wait_for_completion(msg);
            EXIT(do_delconn);
            return;
        default:
            break;
        }
        conn->pcb.ip = NULL;
    }
    /* Wake a select on this netconn: its next call fails. */
    API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
    API_EVENT(conn, NETCONN_EVT_SENDPLUS, 0);
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_delconn);
}

/* ---- addresses -------------------------------------------------------------------- */

void do_bind(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_bind, conn);
    err_t err = ERR_VAL;
    if (conn->pcb.ip == NULL) {
        err = conn->pending_err != ERR_OK ? conn->pending_err : ERR_CLSD;
    } else {
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            err = raw_bind(conn->pcb.raw, msg->msg.bc.ipaddr);
            break;
        case NETCONN_UDP:
            err = udp_bind(conn->pcb.udp, msg->msg.bc.ipaddr, msg->msg.bc.port);
            break;
        case NETCONN_TCP:
            err = tcp_bind(conn->pcb.tcp, msg->msg.bc.ipaddr, msg->msg.bc.port);
            break;
        default:
            break;
        }
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_bind);
}

/* (events.def has no layer of its own for it: do_bind's span.) */
void do_bind_if(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_bind, conn);
    struct netif *netif = msg->msg.bc.if_idx ? netif_get_by_index(msg->msg.bc.if_idx) : NULL;
    err_t err = ERR_OK;
    if (msg->msg.bc.if_idx != 0 && netif == NULL) {
        err = ERR_VAL;
    } else if (conn->pcb.ip == NULL) {
        err = ERR_CLSD;
    } else {
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            raw_bind_netif(conn->pcb.raw, netif);
            break;
        case NETCONN_UDP:
            udp_bind_netif(conn->pcb.udp, netif);
            break;
        case NETCONN_TCP:
            tcp_bind_netif(conn->pcb.tcp, netif);
            break;
        default:
            err = ERR_VAL;
        }
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_bind);
}

void do_getaddr(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_getaddr, conn);
    int local = msg->msg.ad.local;
    err_t err = ERR_OK;
    u16_t port = 0;
    int known = local;          /* the peer's address only once there is a peer */
    if (conn->pcb.ip == NULL) {
        err = ERR_CONN;
    } else {
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            /* lwIP: the protocol as the local "port", 0 as the peer's */
            port = local ? conn->pcb.raw->protocol : 0;
            known = known || (conn->pcb.raw->flags & RAW_FLAGS_CONNECTED);
            break;
        case NETCONN_UDP:
            port = local ? conn->pcb.udp->local_port : conn->pcb.udp->remote_port;
            known = known || (conn->pcb.udp->flags & UDP_FLAGS_CONNECTED);
            break;
        case NETCONN_TCP:
            port = local ? conn->pcb.tcp->local_port : conn->pcb.tcp->remote_port;
            known = known || (conn->pcb.tcp->state != CLOSED && conn->pcb.tcp->state != LISTEN);
            break;
        default:
            err = ERR_VAL;
        }
    }
    if (err == ERR_OK && !known)
        err = ERR_CONN;
    if (err == ERR_OK) {
        /* Every PCB begins with IP_PCB: the addresses are in the same place. */
        const struct ip_pcb *ip = conn->pcb.ip;
        ip_addr_copy(*msg->msg.ad.ipaddr, local ? ip->local_ip : ip->remote_ip);
        *msg->msg.ad.port = port;
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_getaddr);
}

/* ---- connecting and listening ---------------------------------------------------- */

/* tcp_connect's callback: the handshake is done. */
static err_t do_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    ENTER(do_connected, pcb);
    struct netconn *conn = arg;
    if (conn == NULL || conn->state != NETCONN_CONNECT) {
        EXIT(do_connected);
        return ERR_VAL;
    }
    conn->state = NETCONN_NONE;
    API_EVENT(conn, NETCONN_EVT_SENDPLUS, 0);   /* a connected socket is writable */
    /* A blocked connect returns err (signalled: delayed in both modes); a
     * non-blocking one just stops. Only this file reads the flag that
     * end_blocked_op clears, so clearing it after the event is the same. */
    end_blocked_op(conn, err);
    EXIT(do_connected);
    return ERR_OK;
}

void do_connect(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_connect, conn);
    err_t err;
    if (conn->pcb.ip == NULL) {
        err = conn->pending_err != ERR_OK ? conn->pending_err : ERR_CLSD;
    } else {
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            err = raw_connect(conn->pcb.raw, msg->msg.bc.ipaddr);
            break;
        case NETCONN_UDP:
            err = udp_connect(conn->pcb.udp, msg->msg.bc.ipaddr, msg->msg.bc.port);
            break;
        case NETCONN_TCP:
            if (conn->state == NETCONN_CONNECT) {
                err = ERR_ALREADY;
                break;
            }
            if (conn->state != NETCONN_NONE) {
                err = ERR_ISCONN;
                break;
            }
            setup_tcp(conn);
            err = tcp_connect(conn->pcb.tcp, msg->msg.bc.ipaddr, msg->msg.bc.port,
                              do_connected);
            if (err != ERR_OK)
                break;
            conn->state = NETCONN_CONNECT;
            if (netconn_is_nonblocking(conn)) {
                /* Completes in the background: do_connected, or err_tcp. */
                conn_set_flags(conn, NETCONN_FLAG_IN_NONBLOCKING_CONNECT);
                err = ERR_INPROGRESS;
                break;
            }
            conn->current_msg = msg;
            /* do_connected (or err_tcp) finishes msg and signals. */
            wait_for_completion(msg);
            EXIT(do_connect);
            return;
        default:
            err = ERR_VAL;
        }
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_connect);
}

void do_disconnect(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_disconnect, conn);
    if (conn->pcb.ip != NULL && NETCONNTYPE_GROUP(conn->type) == NETCONN_UDP) {
        udp_disconnect(conn->pcb.udp);
        msg->err = ERR_OK;
    } else if (conn->pcb.ip != NULL && NETCONNTYPE_GROUP(conn->type) == NETCONN_RAW) {
        raw_disconnect(conn->pcb.raw);
        msg->err = ERR_OK;
    } else {
        msg->err = ERR_VAL;
    }
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_disconnect);
}

void do_listen(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_listen, conn);
    err_t err = ERR_OK;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP) {
        err = ERR_ARG;
    } else if (conn->pcb.tcp == NULL) {
        err = ERR_CONN;
    } else if (conn->state == NETCONN_LISTEN) {
        tcp_backlog_set(conn->pcb.tcp, msg->msg.lb.backlog);    /* a new backlog */
    } else if (conn->state != NETCONN_NONE || conn->pcb.tcp->state != CLOSED) {
        err = ERR_VAL;
    } else if (sys_mbox_new_named(&conn->acceptmbox, DEFAULT_ACCEPTMBOX_SIZE,
                                  "acceptmbox") != ERR_OK) {
        sys_mbox_set_invalid(&conn->acceptmbox);
        err = ERR_MEM;
    } else {
        struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(conn->pcb.tcp,
                                                               msg->msg.lb.backlog, &err);
        if (lpcb == NULL) {
            mbox_release(&conn->acceptmbox);
        } else {
            /* A listener receives connections, never data: the acceptmbox
             * takes the recvmbox's place (it is still empty). */
            drain_mbox(conn, &conn->recvmbox, 0);
            mbox_release(&conn->recvmbox);
            conn->state = NETCONN_LISTEN;
            conn->pcb.tcp = lpcb;
            tcp_arg(lpcb, conn);
            tcp_accept(lpcb, accept_function);
        }
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_listen);
}

/* ---- data ------------------------------------------------------------------------ */

void do_send(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_send, conn);
    struct netbuf *b = msg->msg.b;
    err_t err;
    if (conn->pcb.ip == NULL) {
        err = ERR_CONN;
    } else {
        /* The address "any" means the connected peer. */
        int to_peer = ip_addr_isany(&b->addr);
        switch (NETCONNTYPE_GROUP(conn->type)) {
        case NETCONN_RAW:
            err = to_peer ? raw_send(conn->pcb.raw, b->p)
                          : raw_sendto(conn->pcb.raw, b->p, &b->addr);
            break;
        case NETCONN_UDP:
            err = to_peer ? udp_send(conn->pcb.udp, b->p)
                          : udp_sendto(conn->pcb.udp, b->p, &b->addr, b->port);
            break;
        default:
            err = ERR_CONN;
        }
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_send);
}

/* The application took msg.r.len bytes (and, for an accepted connection,
 * took the connection: its backlog slot is free). */
void do_recv(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_recv, conn);
    msg->err = ERR_OK;
    struct tcp_pcb *pcb = conn->pcb.tcp;
    if (pcb != NULL && NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP) {
        tcp_backlog_accepted(pcb);
        size_t left = msg->msg.r.len;
        while (left > 0) {
            u16_t n = (u16_t)LWIP_MIN(left, 0xffffU);
            tcp_recved(pcb, n);
            left -= n;
        }
        retry_fin(conn);        /* room in the box now */
    }
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_recv);
}

#if LWIP_SO_SNDTIMEO
/* Has a write or close begun at started (sys_now() ms) waited SO_SNDTIMEO
 * or longer? Never, with no timeout set. (One function for both: GCC
 * otherwise makes a copy on each path of do_close_internal.) */
static __attribute__((noinline)) int send_timed_out(const struct netconn *conn, u32_t started)
{
    return conn->send_timeout > 0 && (s32_t)(sys_now() - started) >= conn->send_timeout;
}
#endif

/* Queue as much of the current write as the send buffer takes. Returns
 * ERR_OK when the write is finished (and its caller told), ERR_INPROGRESS
 * while it waits for sent_tcp / poll_tcp. */
static err_t do_writemore(struct netconn *conn, int delayed)
{
    ENTER(do_writemore, conn);
    struct api_msg *msg = conn->current_msg;
    struct tcp_pcb *pcb = conn->pcb.tcp;
    LWIP_ASSERT("do_writemore: no write", msg != NULL && conn->state == NETCONN_WRITE);
    u8_t apiflags = msg->msg.w.apiflags;
    int dontblock = netconn_is_nonblocking(conn) || (apiflags & NETCONN_DONTBLOCK);
    err_t err = ERR_OK;
    int finished = 0;
    int queued = 0;

#if LWIP_SO_SNDTIMEO
    if (send_timed_out(conn, msg->msg.w.time_started)) {
        /* Out of time: what is queued counts; nothing queued is a timeout. */
        err = msg->msg.w.offset > 0 ? ERR_OK : ERR_WOULDBLOCK;
        finished = 1;
    }
#endif
    while (!finished && msg->msg.w.offset < msg->msg.w.len) {
        size_t left = msg->msg.w.len - msg->msg.w.offset;
        u16_t room = tcp_sndbuf(pcb);
        if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
            break;
        u16_t chunk = (u16_t)LWIP_MIN(left, (size_t)room);
        u8_t wflags = (apiflags & NETCONN_COPY) ? TCP_WRITE_FLAG_COPY : 0;
        if (chunk < left || (apiflags & NETCONN_MORE))
            wflags |= TCP_WRITE_FLAG_MORE;
        err = tcp_write(pcb, (const u8_t *)msg->msg.w.dataptr + msg->msg.w.offset, chunk,
                        wflags);
        if (err == ERR_MEM) {
            err = ERR_OK;       /* no room after all: wait, not a failure */
            break;
        }
        if (err != ERR_OK) {
            finished = 1;       /* e.g. ERR_CONN: the connection cannot send */
            break;
        }
        msg->msg.w.offset += chunk;
        queued = 1;
    }
    if (queued && tcp_output(pcb) == ERR_RTE && !finished) {
        err = ERR_RTE;          /* no route: the write cannot go anywhere */
        finished = 1;
    }
    if (!finished) {
        if (msg->msg.w.offset == msg->msg.w.len) {
            finished = 1;
        } else {
            /* The buffer is full: a select sees "not writable" until
             * sent_tcp finds room (check_writespace). */
            conn_set_flags(conn, NETCONN_FLAG_CHECK_WRITESPACE);
            API_EVENT(conn, NETCONN_EVT_SENDMINUS, tcp_sndbuf(pcb));
            if (dontblock) {
                err = msg->msg.w.offset > 0 ? ERR_OK : ERR_WOULDBLOCK;
                finished = 1;
            }
        }
    }
    if (!finished) {
        EXIT(do_writemore);
        return ERR_INPROGRESS;
    }
    msg->msg.w.len = msg->msg.w.offset;
    msg->err = err;
    conn->current_msg = NULL;
    conn->state = NETCONN_NONE;
    op_done(conn, delayed);
    EXIT(do_writemore);
    return ERR_OK;
}

void do_write(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_write, conn);
    err_t err;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP) {
        err = ERR_VAL;
    } else if (conn->pcb.tcp == NULL) {
        err = conn->pending_err != ERR_OK ? conn->pending_err : ERR_CONN;
    } else if (conn->state != NETCONN_NONE) {
        err = conn->state == NETCONN_LISTEN ? ERR_CONN : ERR_INPROGRESS;
    } else {
        conn->state = NETCONN_WRITE;
        conn->current_msg = msg;
        if (do_writemore(conn, 0) != ERR_OK)
            wait_for_completion(msg);
        EXIT(do_write);
        return;         /* do_writemore finished the message */
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_write);
}

/* ---- closing ------------------------------------------------------------------- */

/* Close or shut down conn->pcb for the current message (msg.sd.shut).
 * Returns ERR_OK when finished (caller told), ERR_INPROGRESS when TCP had
 * no memory for the FIN: poll_tcp / sent_tcp call again. */
static err_t do_close_internal(struct netconn *conn, int delayed)
{
    ENTER(do_close_internal, conn);
    struct api_msg *msg = conn->current_msg;
    struct tcp_pcb *pcb = conn->pcb.tcp;
    LWIP_ASSERT("do_close_internal: no close", msg != NULL && conn->state == NETCONN_CLOSE);
    u8_t shut = msg->msg.sd.shut;
    int shut_rx = (shut & NETCONN_SHUT_RD) != 0;
    int shut_tx = (shut & NETCONN_SHUT_WR) != 0;
    /* Closed for good when both halves end up shut, and always for a
     * listener (it has no halves). */
    int close = pcb->state == LISTEN || shut == NETCONN_SHUT_RDWR ||
                (shut_tx && tcp_is_flag_set(pcb, TF_RXCLOSED)) ||
                (shut_rx && tcp_is_flag_set(pcb, TF_FIN));
    err_t err;
    if (close) {
        tcp_detach(pcb);        /* from here on the PCB is TCP's */
        err = tcp_close(pcb);
    } else {
        err = tcp_shutdown(pcb, shut_rx, shut_tx);
    }
#if LWIP_SO_SNDTIMEO
    if (err == ERR_MEM && send_timed_out(conn, msg->msg.sd.time_started)) {
        tcp_detach(pcb);        /* waited long enough for memory: reset instead */
        tcp_abort(pcb);
        err = ERR_OK;
        close = 1;
    }
#endif
    if (err == ERR_MEM) {
        /* Try again later: the callbacks must reach us for that. */
        if (close)
            setup_tcp(conn);
        EXIT(do_close_internal);
        return ERR_INPROGRESS;
    }
    msg->err = err;
    conn->current_msg = NULL;
    conn->state = NETCONN_NONE;
    if (err == ERR_OK) {
        if (close) {
            conn->pcb.tcp = NULL;
            API_EVENT(conn, NETCONN_EVT_ERROR, 0);
        }
        if (shut_rx)
            API_EVENT(conn, NETCONN_EVT_RCVPLUS, 0);
        if (shut_tx)
            API_EVENT(conn, NETCONN_EVT_SENDPLUS, 0);
    }
    op_done(conn, delayed);
    EXIT(do_close_internal);
    return ERR_OK;
}

void do_close(void *m)
{
    struct api_msg *msg = m;
    struct netconn *conn = msg->conn;
    ENTER(do_close, conn);
    err_t err;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP || conn->pcb.tcp == NULL) {
        err = ERR_CONN;
    } else if (conn->state == NETCONN_CONNECT) {
        err = ERR_CONN;         /* a connect is under way: nothing to shut yet */
    } else if (conn->state == NETCONN_WRITE) {
        err = ERR_INPROGRESS;
    } else if (conn->state == NETCONN_LISTEN && msg->msg.sd.shut == NETCONN_SHUT_WR) {
        err = ERR_CONN;         /* a listener sends nothing */
    } else {
        /* Shutting the receive side: what is queued goes, and nothing
         * more is posted (netconn_recv reports ERR_CLSD). */
        if (msg->msg.sd.shut & NETCONN_SHUT_RD)
            drain_all(conn);
        conn->state = NETCONN_CLOSE;
        conn->current_msg = msg;
        if (do_close_internal(conn, 0) != ERR_OK)
            wait_for_completion(msg);
        EXIT(do_close);
        return;         /* do_close_internal finished the message */
    }
    msg->err = err;
    TCPIP_APIMSG_ACK(msg);
    EXIT(do_close);
}

/* ---- names ------------------------------------------------------------------------ */

/* dns_gethostbyname's callback: the answer, or NULL for "no such name" or
 * a timeout. */
static void do_dns_found(const char *name, const ip_addr_t *ipaddr, void *arg)
{
    struct dns_api_msg *msg = arg;
    (void)name;
    if (ipaddr == NULL) {
        *msg->err = ERR_VAL;
    } else {
        *msg->err = ERR_OK;
        ip_addr_copy(*msg->addr, *ipaddr);
    }
    sys_sem_signal(msg->sem);
}

void do_gethostbyname(void *arg)
{
    struct dns_api_msg *msg = arg;
    ENTER(do_gethostbyname, msg);
    *msg->err = dns_gethostbyname(msg->name, msg->addr, do_dns_found, msg);
#if LWIP_TCPIP_CORE_LOCKING
    /* The caller is here: wait (lock let go) only for a query on the wire. */
    if (*msg->err == ERR_INPROGRESS) {
        UNLOCK_TCPIP_CORE();
        sys_sem_wait(msg->sem);
        LOCK_TCPIP_CORE();
    }
#else
    /* Cached, a dotted address, or an error: the caller can go now; else
     * do_dns_found signals when the answer comes. */
    if (*msg->err != ERR_INPROGRESS)
        sys_sem_signal(msg->sem);
#endif
    EXIT(do_gethostbyname);
}

#endif /* LWIP_NETCONN */
