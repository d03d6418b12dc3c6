/*
 * api/api_lib.c - the application side of netconn: the calls of
 * lwip/api.h, run in the application's thread.
 *
 * Flow: a call checks its arguments (a NULL netconn or pointer is ERR_ARG,
 * a call that makes no sense for the netconn's type ERR_VAL, as lwIP;
 * lwIP's exception, kept: a receive of the other kind, netconn_recv_tcp_pbuf
 * on UDP or netconn_recv_udp_raw_netbuf on TCP, and netconn_tcp_recvd on
 * UDP, are ERR_ARG),
 * fills a struct api_msg on its own stack and crosses to tcpip_thread with
 * tcpip_apimsg, which returns once the do_* function (api/api_msg.c) is
 * done, blocking the caller on op_completed in between. Receiving does not
 * cross: netconn_recv and netconn_accept fetch from the mailboxes the
 * stack's callbacks fill, and only tell the stack afterwards (do_recv) so
 * TCP opens its window again, or the accepted connection leaves the
 * backlog.
 *
 * Rules: the app side never touches conn->pcb, conn->state or
 * conn->current_msg; it changes conn->flags and reads pending_err under
 * SYS_ARCH_PROTECT; a netconn is used by one thread at a time
 * (LWIP_NETCONN_FULLDUPLEX 0). The end of the receive side is sticky:
 * once the peer's FIN has been reported (ERR_CLSD) the recvmbox counts as
 * closed and every later receive reports ERR_CLSD again (or the error in
 * pending_err, e.g. ERR_RST) without blocking. The FIN is not kept in
 * pending_err: only the receive half is closed, writing still works.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/priv/api_msg.h"
#include "trace.h"

#if LWIP_NETCONN /* the whole file: an app may leave this API out (lwipopts.h) */

#define ENTER(name, arg) NG_TRACE1(LAYER_ENTER, NG_layer_##name, (uintptr_t)(arg))
#define EXIT(name) NG_TRACE0(LAYER_EXIT, NG_layer_##name)

/* ---- the crossing --------------------------------------------------------------- */

err_t tcpip_apimsg(tcpip_callback_fn fn, struct api_msg *msg)
{
    ENTER(tcpip_apimsg, msg);
    err_t err = tcpip_send_msg_wait_sem(fn, msg, &msg->conn->op_completed);
    if (err == ERR_OK)
        err = msg->err;
    EXIT(tcpip_apimsg);
    return err;
}

static err_t pending_error(struct netconn *conn)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    err_t err = conn->pending_err;
    SYS_ARCH_UNPROTECT(lev);
    return err;
}

err_t netconn_err(struct netconn *conn)
{
    if (conn == NULL)
        return ERR_OK;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    err_t err = conn->pending_err;
    conn->pending_err = ERR_OK;
    SYS_ARCH_UNPROTECT(lev);
    return err;
}

/* ---- creating and deleting ------------------------------------------------------ */

struct netconn *netconn_new_with_proto_and_callback(enum netconn_type t, u8_t proto,
                                                    netconn_callback callback)
{
    ENTER(netconn_new_with_proto_and_callback, t);
    struct netconn *conn = netconn_alloc(t, callback);
    if (conn != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        msg.msg.n.proto = proto;
        if (tcpip_apimsg(do_newconn, &msg) != ERR_OK) {
            LWIP_ASSERT("netconn_new: PCB left behind", conn->pcb.ip == NULL);
            netconn_free(conn);
            conn = NULL;
        }
    }
    EXIT(netconn_new_with_proto_and_callback);
    return conn;
}

/* Detach the PCB and empty the mailboxes; the memory stays until
 * netconn_delete (a socket layer does this first, frees later). */
err_t netconn_prepare_delete(struct netconn *conn)
{
    if (conn == NULL)
        return ERR_OK;
    if (netconn_flag_get(conn, NETCONN_FLAG_MBOXINVALID))
        return ERR_OK;          /* done already */
    struct api_msg msg;
    msg.conn = conn;
    msg.msg.sd.shut = NETCONN_SHUT_RDWR;
#if LWIP_SO_SNDTIMEO || LWIP_SO_LINGER
    msg.msg.sd.time_started = sys_now();
#endif
    return tcpip_apimsg(do_delconn, &msg);
}

err_t netconn_delete(struct netconn *conn)
{
    ENTER(netconn_delete, conn);
    err_t err = netconn_prepare_delete(conn);
    if (conn != NULL && err == ERR_OK)
        netconn_free(conn);
    EXIT(netconn_delete);
    return err;
}

/* ---- addresses ------------------------------------------------------------------- */

err_t netconn_getaddr(struct netconn *conn, ip_addr_t *addr, u16_t *port, u8_t local)
{
    ENTER(netconn_getaddr, conn);
    err_t err = ERR_ARG;
    if (conn != NULL && addr != NULL && port != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        msg.msg.ad.ipaddr = addr;
        msg.msg.ad.port = port;
        msg.msg.ad.local = local;
        err = tcpip_apimsg(do_getaddr, &msg);
    }
    EXIT(netconn_getaddr);
    return err;
}

/* bind and connect send the same message, an address (NULL: any) and a
 * port, to different do_* functions; the callers keep their own spans. */
static err_t addr_port_call(tcpip_callback_fn fn, struct netconn *conn,
                            const ip_addr_t *addr, u16_t port)
{
    if (conn == NULL)
        return ERR_ARG;
    struct api_msg msg;
    msg.conn = conn;
    msg.msg.bc.ipaddr = addr != NULL ? addr : IP_ADDR_ANY;
    msg.msg.bc.port = port;
    return tcpip_apimsg(fn, &msg);
}

err_t netconn_bind(struct netconn *conn, const ip_addr_t *addr, u16_t port)
{
    ENTER(netconn_bind, conn);
    err_t err = addr_port_call(do_bind, conn, addr, port);
    EXIT(netconn_bind);
    return err;
}

/* (events.def has no layer of its own: netconn_bind's span.) */
err_t netconn_bind_if(struct netconn *conn, u8_t if_idx)
{
    ENTER(netconn_bind, conn);
    err_t err = ERR_ARG;
    if (conn != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        msg.msg.bc.if_idx = if_idx;
        err = tcpip_apimsg(do_bind_if, &msg);
    }
    EXIT(netconn_bind);
    return err;
}

/* TCP: blocks until the handshake is done, unless the netconn is
 * non-blocking (ERR_INPROGRESS; the result arrives as SENDPLUS or ERROR).
 * UDP/raw: only sets the peer. */
err_t netconn_connect(struct netconn *conn, const ip_addr_t *addr, u16_t port)
{
    ENTER(netconn_connect, conn);
    err_t err = addr_port_call(do_connect, conn, addr, port);
    EXIT(netconn_connect);
    return err;
}

err_t netconn_disconnect(struct netconn *conn)
{
    ENTER(netconn_disconnect, conn);
    err_t err = ERR_ARG;
    if (conn != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        err = tcpip_apimsg(do_disconnect, &msg);
    }
    EXIT(netconn_disconnect);
    return err;
}

err_t netconn_listen_with_backlog(struct netconn *conn, u8_t backlog)
{
    ENTER(netconn_listen_with_backlog, conn);
    err_t err = ERR_ARG;
    if (conn != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        msg.msg.lb.backlog = backlog;
        err = tcpip_apimsg(do_listen, &msg);
    }
    EXIT(netconn_listen_with_backlog);
    return err;
}

/* ---- taking from a mailbox ------------------------------------------------------- */

/* One message from mbox: blocking (with recv_timeout), or not when the
 * netconn is non-blocking, the call says NETCONN_DONTBLOCK, or the box is
 * closed (nothing more will come: never wait). */
static err_t fetch(struct netconn *conn, sys_mbox_t *mbox, void **msg, u8_t apiflags)
{
    if (!sys_mbox_valid(mbox) || netconn_flag_get(conn, NETCONN_FLAG_MBOXINVALID)) {
        err_t err = pending_error(conn);
        return err != ERR_OK ? err : ERR_CLSD;
    }
    int closed = netconn_flag_get(conn, NETCONN_FLAG_MBOXCLOSED);
    if (closed || netconn_is_nonblocking(conn) || (apiflags & NETCONN_DONTBLOCK)) {
        if (sys_arch_mbox_tryfetch(mbox, msg) != SYS_MBOX_EMPTY)
            return ERR_OK;
        err_t err = pending_error(conn);
        if (err != ERR_OK)
            return err;
        return closed ? ERR_CLSD : ERR_WOULDBLOCK;
    }
    u32_t timeout = 0;
#if LWIP_SO_RCVTIMEO
    timeout = conn->recv_timeout;
#endif
    if (sys_arch_mbox_fetch(mbox, msg, timeout) == SYS_ARCH_TIMEOUT)
        return ERR_TIMEOUT;
    return ERR_OK;
}

/* Tell the stack the application took len bytes (or, len 0, took an
 * accepted connection): do_recv. */
static err_t tell_recvd(struct netconn *conn, size_t len)
{
    struct api_msg msg;
    msg.conn = conn;
    msg.msg.r.len = len;
    return tcpip_apimsg(do_recv, &msg);
}

err_t netconn_accept(struct netconn *conn, struct netconn **new_conn)
{
    ENTER(netconn_accept, conn);
    err_t err = ERR_ARG;
    if (new_conn != NULL)
        *new_conn = NULL;
    if (conn == NULL || new_conn == NULL)
        goto out;
    err = ERR_VAL;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP)
        goto out;
    void *msg;
    err = fetch(conn, &conn->acceptmbox, &msg, 0);
    if (err != ERR_OK)
        goto out;
    API_EVENT(conn, NETCONN_EVT_RCVMINUS, 0);
    if (lwip_netconn_is_err_msg(msg, &err))
        goto out;           /* the listener failed, or TCP had no PCB for one */
    struct netconn *newconn = msg;
    /* Its backlog slot is free now (tcp_backlog_accepted). */
    tell_recvd(newconn, 0);
    *new_conn = newconn;
    err = ERR_OK;
out:
    EXIT(netconn_accept);
    return err;
}

/* TCP: one pbuf (NULL with ERR_CLSD for the peer's FIN). */
static err_t recv_tcp_data(struct netconn *conn, struct pbuf **new_buf, u8_t apiflags)
{
    void *msg;
    err_t err;
    if (netconn_flag_get(conn, NETCONN_FIN_RX_PENDING)) {
        /* The FIN a NETCONN_NOFIN call held back. */
        netconn_flags_update(conn, 0, NETCONN_FIN_RX_PENDING);
        msg = lwip_netconn_err_to_msg(ERR_CLSD);
    } else {
        err = fetch(conn, &conn->recvmbox, &msg, apiflags);
        if (err != ERR_OK)
            return err;
    }
    if (!lwip_netconn_is_err_msg(msg, &err)) {
        struct pbuf *p = msg;
        API_EVENT(conn, NETCONN_EVT_RCVMINUS, p->tot_len);
        if (!(apiflags & NETCONN_NOAUTORCVD))
            tell_recvd(conn, p->tot_len);
        *new_buf = p;
        return ERR_OK;
    }
    if (err == ERR_CLSD && (apiflags & NETCONN_NOFIN)) {
        /* The caller still has data to hand up: the FIN next time. */
        netconn_flags_update(conn, NETCONN_FIN_RX_PENDING, 0);
        return ERR_WOULDBLOCK;
    }
    API_EVENT(conn, NETCONN_EVT_RCVMINUS, 0);
    /* Nothing follows a FIN or an error: from now on never wait. */
    netconn_flags_update(conn, NETCONN_FLAG_MBOXCLOSED, 0);
    return err;
}

err_t netconn_recv_tcp_pbuf_flags(struct netconn *conn, struct pbuf **new_buf, u8_t apiflags)
{
    ENTER(netconn_recv, conn);
    err_t err = ERR_ARG;
    if (new_buf != NULL)
        *new_buf = NULL;
    if (conn != NULL && new_buf != NULL)
        err = NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP ?
              recv_tcp_data(conn, new_buf, apiflags) : ERR_ARG;   /* lwIP's answer */
    EXIT(netconn_recv);
    return err;
}

err_t netconn_recv_tcp_pbuf(struct netconn *conn, struct pbuf **new_buf)
{
    return netconn_recv_tcp_pbuf_flags(conn, new_buf, 0);
}

err_t netconn_tcp_recvd(struct netconn *conn, size_t len)
{
    if (conn == NULL)
        return ERR_ARG;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP)
        return ERR_ARG;
    return tell_recvd(conn, len);
}

/* UDP/raw: one datagram, as the netbuf recv_udp / recv_raw made. */
static err_t recv_datagram(struct netconn *conn, struct netbuf **new_buf, u8_t apiflags)
{
    void *msg;
    err_t err = fetch(conn, &conn->recvmbox, &msg, apiflags);
    if (err != ERR_OK)
        return err;
    if (lwip_netconn_is_err_msg(msg, &err))
        return err;
    struct netbuf *buf = msg;
    u16_t len = buf->p->tot_len;
#if LWIP_SO_RCVBUF
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    conn->recv_avail -= len;
    SYS_ARCH_UNPROTECT(lev);
#endif
    API_EVENT(conn, NETCONN_EVT_RCVMINUS, len);
    *new_buf = buf;
    return ERR_OK;
}

err_t netconn_recv_udp_raw_netbuf_flags(struct netconn *conn, struct netbuf **new_buf,
                                        u8_t apiflags)
{
    ENTER(netconn_recv, conn);
    err_t err = ERR_ARG;
    if (new_buf != NULL)
        *new_buf = NULL;
    if (conn != NULL && new_buf != NULL)
        err = NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP ?
              recv_datagram(conn, new_buf, apiflags) : ERR_ARG;   /* lwIP's answer */
    EXIT(netconn_recv);
    return err;
}

err_t netconn_recv_udp_raw_netbuf(struct netconn *conn, struct netbuf **new_buf)
{
    return netconn_recv_udp_raw_netbuf_flags(conn, new_buf, 0);
}

/* Any type: TCP data comes wrapped in a netbuf (no address). The netbuf is
 * taken before the data, so running out of them loses nothing. */
err_t netconn_recv(struct netconn *conn, struct netbuf **new_buf)
{
    if (new_buf != NULL)
        *new_buf = NULL;
    if (conn == NULL || new_buf == NULL)
        return ERR_ARG;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP)
        return netconn_recv_udp_raw_netbuf_flags(conn, new_buf, 0);
    struct netbuf *buf = memp_malloc(MEMP_NETBUF);
    if (buf == NULL)
        return ERR_MEM;
    struct pbuf *p;
    err_t err = netconn_recv_tcp_pbuf_flags(conn, &p, 0);
    if (err != ERR_OK) {
        memp_free(MEMP_NETBUF, buf);
        return err;
    }
    memset(buf, 0, sizeof(*buf));
    buf->p = p;
    buf->ptr = p;
    ip_addr_set_zero(&buf->addr);
    buf->port = 0;
    *new_buf = buf;
    return ERR_OK;
}

/* ---- sending --------------------------------------------------------------------- */

err_t netconn_send(struct netconn *conn, struct netbuf *buf)
{
    ENTER(netconn_send, conn);
    err_t err = ERR_ARG;
    if (conn != NULL && buf != NULL && buf->p != NULL) {
        err = ERR_VAL;
        if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP) {
            struct api_msg msg;
            msg.conn = conn;
            msg.msg.b = buf;
            err = tcpip_apimsg(do_send, &msg);
        }
    }
    EXIT(netconn_send);
    return err;
}

err_t netconn_sendto(struct netconn *conn, struct netbuf *buf, const ip_addr_t *addr, u16_t port)
{
    if (buf == NULL)
        return ERR_ARG;
    ip_addr_set(&buf->addr, addr != NULL ? addr : IP_ADDR_ANY);
    buf->port = port;
    return netconn_send(conn, buf);
}

/* Queue size bytes on a TCP netconn. Blocking: returns when all is queued
 * (more than the send buffer waits for ACKs), or send_timeout ran out with
 * part of it queued. Non-blocking (or NETCONN_DONTBLOCK, or a send
 * timeout): what fit, ERR_WOULDBLOCK if nothing did; such a write needs
 * bytes_written to say how much went. */
err_t netconn_write_partly(struct netconn *conn, const void *dataptr, size_t size,
                           u8_t apiflags, size_t *bytes_written)
{
    ENTER(netconn_write_partly, conn);
    err_t err = ERR_ARG;
    if (bytes_written != NULL)
        *bytes_written = 0;
    if (conn == NULL)
        goto out;
    err = ERR_VAL;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP)
        goto out;
    if (size == 0) {
        err = ERR_OK;
        goto out;
    }
    if (dataptr == NULL)
        goto out;
    int dontblock = netconn_is_nonblocking(conn) || (apiflags & NETCONN_DONTBLOCK);
#if LWIP_SO_SNDTIMEO
    if (conn->send_timeout != 0)
        dontblock = 1;
#endif
    if (dontblock && bytes_written == NULL)
        goto out;           /* it could not say how much was written */
    struct api_msg msg;
    msg.conn = conn;
    msg.msg.w.dataptr = dataptr;
    msg.msg.w.len = size;
    msg.msg.w.offset = 0;
    msg.msg.w.apiflags = apiflags;
#if LWIP_SO_SNDTIMEO
    msg.msg.w.time_started = sys_now();
#endif
    err = tcpip_apimsg(do_write, &msg);
    if (bytes_written != NULL)
        *bytes_written = msg.msg.w.offset;
out:
    EXIT(netconn_write_partly);
    return err;
}

/* ---- closing ------------------------------------------------------------------- */

static err_t close_shutdown(struct netconn *conn, u8_t shut)
{
    ENTER(netconn_close, conn);
    err_t err = ERR_ARG;
    if (conn != NULL) {
        struct api_msg msg;
        msg.conn = conn;
        msg.msg.sd.shut = shut;
#if LWIP_SO_SNDTIMEO || LWIP_SO_LINGER
        msg.msg.sd.time_started = sys_now();
#endif
        err = tcpip_apimsg(do_close, &msg);
    }
    EXIT(netconn_close);
    return err;
}

err_t netconn_close(struct netconn *conn)
{
    return close_shutdown(conn, NETCONN_SHUT_RDWR);
}

err_t netconn_shutdown(struct netconn *conn, u8_t shut_rx, u8_t shut_tx)
{
    u8_t shut = (u8_t)((shut_rx ? NETCONN_SHUT_RD : 0) | (shut_tx ? NETCONN_SHUT_WR : 0));
    if (shut == 0)
        return conn == NULL ? ERR_ARG : ERR_VAL;
    return close_shutdown(conn, shut);
}

/* ---- names ---------------------------------------------------------------------- */

/* Resolve name (a dotted address, a cached name, or a DNS query: blocks
 * until the answer or DNS gives up). No netconn, so a semaphore of its
 * own. */
err_t netconn_gethostbyname(const char *name, ip_addr_t *addr)
{
    ENTER(netconn_gethostbyname, name);
    err_t err = ERR_ARG;
    if (name == NULL || addr == NULL)
        goto out;
    sys_sem_t sem;
    err = sys_sem_new_named(&sem, 0, "dns_sem");
    if (err != ERR_OK)
        goto out;
    struct dns_api_msg msg;
    msg.name = name;
    msg.addr = addr;
    msg.sem = &sem;
    msg.err = &err;
    err_t cberr = tcpip_send_msg_wait_sem(do_gethostbyname, &msg, &sem);
    sys_sem_free(&sem);
    if (cberr != ERR_OK)
        err = cberr;
out:
    EXIT(netconn_gethostbyname);
    return err;
}

#endif /* LWIP_NETCONN */
