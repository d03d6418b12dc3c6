/*
 * api/sockets.c - BSD sockets over netconn: the socket table, the netconn
 * callback (event_callback), and the calls that make, connect, name and
 * close sockets (lwIP 2.x behaviour, POSIX errno values).
 *
 * A socket is a slot of sockets[] holding one netconn; its descriptor is
 * the slot's index plus LWIP_SOCKET_OFFSET, and the netconn keeps the
 * index in conn->socket so that event_callback finds the slot. The rest of
 * the socket layer is in sockets_io.c (send, receive), sockets_opt.c
 * (getsockopt, setsockopt, ioctl, fcntl) and sockets_select.c (select,
 * poll); what they share is in lwip/priv/sockets_priv.h.
 *
 * Threads: the calls run in the application's thread and reach the stack
 * only through netconn; event_callback runs in tcpip_thread (or under the
 * core lock) and touches the slot's counters, and select's waiter list,
 * only under SYS_ARCH_PROTECT. errno is per thread (the scheduler saves
 * and restores it), set only when a call fails, as POSIX says.
 *
 * Each call holds its socket from get_socket to done_socket (fd_used), so
 * that close from another thread cannot free the netconn under a call
 * blocked in it (lwIP 2.1's fd_used / fd_free_pending): close marks the
 * socket closed (new calls get EBADF), wakes a call waiting in recv or
 * accept with a "closed" message, and the last call out deletes the
 * netconn (close itself, when nobody else is inside).
 *
 * Trace: a LAYER span per call (lwip_socket, lwip_bind, ...), one for
 * alloc_socket and event_callback, NETCONN_EVT for each event with the
 * socket, SELECT_WAKE for each select/poll woken, SOCK_ERRNO for each
 * errno set.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/errno.h"
#include "lwip/priv/api_msg.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "trace.h"

#if LWIP_SOCKET /* the whole file: an app may leave this API out (lwipopts.h) */

/* Both tables give the same names to the same events. */
#define SAME_(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME_(NETCONN_EVT_RCVPLUS, NG_netconn_evt_RCVPLUS) &&
               SAME_(NETCONN_EVT_RCVMINUS, NG_netconn_evt_RCVMINUS) &&
               SAME_(NETCONN_EVT_SENDPLUS, NG_netconn_evt_SENDPLUS) &&
               SAME_(NETCONN_EVT_SENDMINUS, NG_netconn_evt_SENDMINUS) &&
               SAME_(NETCONN_EVT_ERROR, NG_netconn_evt_ERROR),
               "enum netconn_evt and events.def's netconn_evt disagree");
#undef SAME_

struct lwip_sock sockets[NUM_SOCKETS];
struct lwip_select_cb *select_cb_list;

/* Run fn(sock, s, ...) between get_socket and done_socket: -1 (EBADF) for
 * a bad descriptor. */
#define SOCK_CALL(s, fn, ...) __extension__({ \
        struct lwip_sock *sock_ = get_socket(s); \
        int r_ = -1; \
        if (sock_ != NULL) { \
            r_ = fn(sock_, (s), __VA_ARGS__); \
            done_socket(sock_); \
        } \
        r_; })

/* ---- the table ----------------------------------------------------------------- */

struct lwip_sock *tryget_socket(int s)
{
    s -= LWIP_SOCKET_OFFSET;
    if (s < 0 || s >= NUM_SOCKETS || sockets[s].conn == NULL || sockets[s].fd_free_pending)
        return NULL;
    return &sockets[s];
}

struct lwip_sock *get_socket(int s)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct lwip_sock *sock = tryget_socket(s);
    if (sock != NULL)
        sock->fd_used++;
    SYS_ARCH_UNPROTECT(lev);
    if (sock == NULL)
        sock_set_errno(NULL, s, EBADF);
    return sock;
}

/* Delete a closed socket's netconn and free its slot. */
static err_t sock_really_close(struct lwip_sock *sock)
{
    int s = (int)(sock - sockets) + LWIP_SOCKET_OFFSET;
    int is_tcp = NETCONNTYPE_GROUP(sock->conn->type) == NETCONN_TCP;
    err_t err = netconn_delete(sock->conn);
    free_socket(sock, is_tcp);
    /* A select/poll still waiting on s learns (EBADF / POLLNVAL) now. */
    select_wake_socket(s);
    return err;
}

err_t done_socket(struct lwip_sock *sock)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    sock->fd_used--;
    int last = sock->fd_used == 0 && sock->fd_free_pending;
    SYS_ARCH_UNPROTECT(lev);
    return last ? sock_really_close(sock) : ERR_OK;
}

void sock_set_errno(struct lwip_sock *sock, int s, int e)
{
    if (sock != NULL)
        sock->err = e;
    errno = e;
    NG_TRACE1(SOCK_ERRNO, e, (u32_t)s);
}

int alloc_socket(struct netconn *conn, int accepted)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_alloc_socket, conn);
    int fd = -1;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    for (int i = 0; i < NUM_SOCKETS; i++) {
        struct lwip_sock *sock = &sockets[i];
        if (sock->conn != NULL)
            continue;
        sock->conn = conn;
        sock->lastdata.pbuf = NULL;
        /* A TCP socket may send once it is connected: an accepted one is,
         * a new one hears SENDPLUS from do_connected. UDP/raw always may. */
        sock->sendevent = NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP ? (accepted != 0) : 1;
        sock->errevent = 0;
        sock->flags = accepted ? SOCK_F_CONNECTED : 0;
        sock->err = 0;
        sock->fd_used = 0;
        sock->fd_free_pending = 0;
        /* Before it had a socket, event_callback counted the netconn's
         * RCVPLUS events in conn->socket itself: -1 none, -2 one, ... */
        sock->rcvevent = (s16_t)(accepted && conn->socket < -1 ? -1 - conn->socket : 0);
        conn->socket = i;
        fd = i + LWIP_SOCKET_OFFSET;
        break;
    }
    SYS_ARCH_UNPROTECT(lev);
    NG_TRACE0(LAYER_EXIT, NG_layer_alloc_socket);
    return fd;
}

void free_socket(struct lwip_sock *sock, int is_tcp)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    void *last = sock->lastdata.pbuf;
    sock->lastdata.pbuf = NULL;
    sock->conn = NULL;
    sock->rcvevent = 0;
    sock->sendevent = 0;
    sock->errevent = 0;
    sock->flags = 0;
    sock->fd_free_pending = 0;
    /* select_waiting is not reset: the select calls that counted it
     * uncount it when they leave, whoever has the slot by then. */
    SYS_ARCH_UNPROTECT(lev);
    if (last == NULL)
        return;
    if (is_tcp)
        pbuf_free(last);
    else
        netbuf_delete(last);
}

struct netconn *lwip_socket_netconn(int s)
{
    struct lwip_sock *sock = tryget_socket(s);
    return sock ? sock->conn : NULL;
}

/* ---- event_callback and waking select/poll ------------------------------------- */

/* Does a waiter (select sets or poll array) ask about socket s in a way
 * its current state answers? any: asks about s at all (sock is not read
 * then, and may be NULL). Under PROTECT. */
static int waiter_wants(const struct lwip_select_cb *scb, int s, const struct lwip_sock *sock,
                        int any)
{
    int rd = any || sock_is_readable(sock);
    int wr = any || sock->sendevent != 0 || sock->errevent != 0;
    int ex = any || sock->errevent != 0;
    const fd_set *sets[3] = { scb->readset, scb->writeset, scb->exceptset };
    int answered[3] = { rd, wr, ex };
    for (int k = 0; k < 3; k++) {
        if (answered[k] && sets[k] != NULL && FD_ISSET(s, sets[k]))
            return 1;
    }
#if LWIP_SOCKET_POLL
    for (nfds_t i = 0; scb->poll_fds && i < scb->poll_nfds; i++) {
        const struct pollfd *pfd = &scb->poll_fds[i];
        if (pfd->fd != s)
            continue;
        if (ex || (rd && (pfd->events & (POLLIN | POLLRDNORM))) ||
            (wr && (pfd->events & (POLLOUT | POLLWRNORM))))
            return 1;
    }
#endif
    return 0;
}

/* Signal the waiters that socket s (index+offset) concerns. Under PROTECT:
 * a waiter cannot leave the list meanwhile, and signalling a semaphore
 * only makes its thread ready (the switch comes at UNPROTECT). */
static void wake_waiters(int s, const struct lwip_sock *sock, int any)
{
    for (struct lwip_select_cb *scb = select_cb_list; scb != NULL; scb = scb->next) {
        if (scb->sem_signalled || !waiter_wants(scb, s, sock, any))
            continue;
        scb->sem_signalled = 1;
        NG_TRACE1(SELECT_WAKE, s, scb);
        sys_sem_signal(&scb->sem);
    }
}

void select_wake_socket(int s)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    wake_waiters(s, NULL, 1);   /* closed: no state to ask, only "any" matters */
    SYS_ARCH_UNPROTECT(lev);
}

/* The callback of every socket's netconn: keep the slot's counters, which
 * select/poll read, and wake whoever waits for this socket. */
void event_callback(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_event_callback, conn);
    if (conn == NULL) {
        NG_TRACE0(LAYER_EXIT, NG_layer_event_callback);
        return;
    }
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int i = conn->socket;
    if (i < 0) {
        /* A connection accept_function made, not yet lwip_accept'ed: keep
         * its RCVPLUS events (data, FIN) for alloc_socket by counting
         * conn->socket down from -1. Nobody can select on it yet. */
        if (evt == NETCONN_EVT_RCVPLUS)
            conn->socket--;
        SYS_ARCH_UNPROTECT(lev);
        NG_TRACE2(NETCONN_EVT, evt, conn, (u32_t)len | 0xffffu << 16);
        NG_TRACE0(LAYER_EXIT, NG_layer_event_callback);
        return;
    }
    struct lwip_sock *sock = i < NUM_SOCKETS ? &sockets[i] : NULL;
    if (sock == NULL || sock->conn != conn) {   /* the socket is closed already */
        SYS_ARCH_UNPROTECT(lev);
        NG_TRACE0(LAYER_EXIT, NG_layer_event_callback);
        return;
    }
    int wakes = 0;
    switch (evt) {
    case NETCONN_EVT_RCVPLUS:
        sock->rcvevent++;
        wakes = 1;
        break;
    case NETCONN_EVT_RCVMINUS:
        sock->rcvevent--;
        break;
    case NETCONN_EVT_SENDPLUS:
        sock->sendevent = 1;
        wakes = 1;
        break;
    case NETCONN_EVT_SENDMINUS:
        sock->sendevent = 0;
        break;
    case NETCONN_EVT_ERROR:
        sock->errevent = 1;
        wakes = 1;
        break;
    }
    int s = i + LWIP_SOCKET_OFFSET;
    NG_TRACE2(NETCONN_EVT, evt, conn, (u32_t)len | (u32_t)(u16_t)s << 16);
    if (wakes && sock->select_waiting)
        wake_waiters(s, sock, 0);
    SYS_ARCH_UNPROTECT(lev);
    NG_TRACE0(LAYER_EXIT, NG_layer_event_callback);
}

/* ---- addresses ------------------------------------------------------------------- */

void sock_fill_name(struct sockaddr *name, socklen_t *namelen, const ip_addr_t *addr, u16_t port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_len = sizeof sin;
    sin.sin_family = AF_INET;
    sin.sin_port = lwip_htons(port);
    inet_addr_from_ip4addr(&sin.sin_addr, ip_2_ip4(addr));
    socklen_t n = *namelen < sizeof sin ? *namelen : (socklen_t)sizeof sin;
    memcpy(name, &sin, n);
    *namelen = sizeof sin;
}

/* An AF_INET address from the caller: 0, or the errno to report. */
static int sock_read_name(const struct sockaddr *name, socklen_t namelen, ip_addr_t *addr,
                          u16_t *port)
{
    if (name == NULL)
        return EFAULT;
    if (namelen < sizeof(struct sockaddr_in))
        return EINVAL;
    if (name->sa_family != AF_INET)
        return EAFNOSUPPORT;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)name;
    inet_addr_to_ip4addr(ip_2_ip4(addr), &sin->sin_addr);
    *port = lwip_ntohs(sin->sin_port);
    return 0;
}

/* ---- socket, bind, listen, accept, connect ---------------------------------------- */

/* The netconn type for (type, protocol), or NETCONN_INVALID with *e set. */
static enum netconn_type sock_type_to_netconn(int type, int protocol, int *e)
{
    switch (type) {
    case SOCK_STREAM:
        if (protocol == 0 || protocol == IPPROTO_TCP)
            return NETCONN_TCP;
        *e = protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE ? EPROTOTYPE : EPROTONOSUPPORT;
        return NETCONN_INVALID;
    case SOCK_DGRAM:
        if (protocol == 0 || protocol == IPPROTO_UDP)
            return NETCONN_UDP;
        /* UDP-Lite is not built (NETCONN_UDPLITE). */
        *e = protocol == IPPROTO_TCP ? EPROTOTYPE : EPROTONOSUPPORT;
        return NETCONN_INVALID;
    case SOCK_RAW:
        if (protocol > 0 && protocol <= 255)
            return NETCONN_RAW;
        *e = EPROTONOSUPPORT;
        return NETCONN_INVALID;
    default:
        *e = EPROTOTYPE;
        return NETCONN_INVALID;
    }
}

static int sk_socket(int domain, int type, int protocol)
{
    if (domain != AF_INET) {
        sock_set_errno(NULL, -1, EAFNOSUPPORT);
        return -1;
    }
    int e = 0;
    enum netconn_type t = sock_type_to_netconn(type, protocol, &e);
    if (t == NETCONN_INVALID) {
        sock_set_errno(NULL, -1, e);
        return -1;
    }
    struct netconn *conn = netconn_new_with_proto_and_callback(
        t, t == NETCONN_RAW ? (u8_t)protocol : 0, event_callback);
    if (conn == NULL) {
        sock_set_errno(NULL, -1, ENOBUFS);
        return -1;
    }
    int s = alloc_socket(conn, 0);
    if (s < 0) {
        netconn_delete(conn);
        sock_set_errno(NULL, -1, ENFILE);
        return -1;
    }
    return s;
}

int lwip_socket(int domain, int type, int protocol)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_socket, type);
    int r = sk_socket(domain, type, protocol);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_socket);
    return r;
}

static int sk_bind(struct lwip_sock *sock, int s, const struct sockaddr *name, socklen_t namelen)
{
    ip_addr_t addr, bound;
    u16_t port, bound_port = 0;
    int e = sock_read_name(name, namelen, &addr, &port);
    /* POSIX: EINVAL if bound already (by bind, or by connect / sendto
     * choosing a port): the stack itself would just move the PCB. */
    if (e == 0 && netconn_addr(sock->conn, &bound, &bound_port) == ERR_OK && bound_port != 0)
        e = EINVAL;
    if (e == 0) {
        err_t err = netconn_bind(sock->conn, &addr, port);
        /* ERR_VAL: bound already (POSIX: EINVAL); ERR_USE: EADDRINUSE. */
        e = err_to_errno(err);
    }
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    return 0;
}

int lwip_bind(int s, const struct sockaddr *name, socklen_t namelen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_bind, s);
    int r = SOCK_CALL(s, sk_bind, name, namelen);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_bind);
    return r;
}

static int sk_listen(struct lwip_sock *sock, int s, int backlog)
{
    if (NETCONNTYPE_GROUP(sock->conn->type) != NETCONN_TCP) {
        sock_set_errno(sock, s, EOPNOTSUPP);
        return -1;
    }
    if (backlog < 0)
        backlog = 0;
    if (backlog > 0xff)
        backlog = 0xff;
    err_t err = netconn_listen_with_backlog(sock->conn, (u8_t)backlog);
    if (err != ERR_OK) {
        int e;
        switch (err) {
        case ERR_CONN:
        case ERR_ISCONN:
        case ERR_ALREADY:
            e = EINVAL;         /* POSIX: connected already */
            break;
        case ERR_MEM:
        case ERR_BUF:
            e = ENOBUFS;
            break;
        default:
            e = err_to_errno(err);
        }
        sock_set_errno(sock, s, e);
        return -1;
    }
    sock->flags |= SOCK_F_LISTENING;
    return 0;
}

int lwip_listen(int s, int backlog)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_listen, s);
    int r = SOCK_CALL(s, sk_listen, backlog);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_listen);
    return r;
}

static int sk_accept(struct lwip_sock *sock, int s, struct sockaddr *addr, socklen_t *addrlen)
{
    if (NETCONNTYPE_GROUP(sock->conn->type) != NETCONN_TCP) {
        sock_set_errno(sock, s, EOPNOTSUPP);
        return -1;
    }
    if (!(sock->flags & SOCK_F_LISTENING)) {
        sock_set_errno(sock, s, EINVAL);
        return -1;
    }
    if (addr != NULL && addrlen == NULL) {
        sock_set_errno(sock, s, EFAULT);
        return -1;
    }
    struct netconn *newconn = NULL;
    err_t err = netconn_accept(sock->conn, &newconn);
    if (err != ERR_OK) {
        /* ERR_WOULDBLOCK / ERR_TIMEOUT (non-blocking, SO_RCVTIMEO): EWOULDBLOCK;
         * ERR_ABRT: ECONNABORTED; ERR_MEM: ENOMEM. */
        int e = err == ERR_BUF ? ENOBUFS : err_to_errno(err);
        sock_set_errno(sock, s, sock->fd_free_pending ? EBADF : e);   /* closed meanwhile */
        return -1;
    }
    int ns = alloc_socket(newconn, 1);
    if (ns < 0) {
        netconn_delete(newconn);
        sock_set_errno(sock, s, ENFILE);
        return -1;
    }
    if (addr != NULL) {
        ip_addr_t peer;
        u16_t port;
        err = netconn_peer(newconn, &peer, &port);
        if (err != ERR_OK) {    /* reset between the handshake and now */
            struct lwip_sock *nsock = tryget_socket(ns);
            netconn_delete(newconn);
            free_socket(nsock, 1);
            sock_set_errno(sock, s, ECONNABORTED);
            return -1;
        }
        sock_fill_name(addr, addrlen, &peer, port);
    }
    return ns;
}

int lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_accept, s);
    int r = SOCK_CALL(s, sk_accept, addr, addrlen);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_accept);
    return r;
}

/* connect's errno for a TCP err_t (POSIX's names for a failed handshake). */
static int connect_errno(err_t err)
{
    switch (err) {
    case ERR_RST:
        return ECONNREFUSED;    /* RST in SYN-SENT (RFC 9293 3.10.7.3) */
    case ERR_ABRT:
    case ERR_TIMEOUT:
        return ETIMEDOUT;       /* the SYN retransmissions ran out */
    case ERR_MEM:
    case ERR_BUF:
        return ENOBUFS;
    default:
        return err_to_errno(err);
    }
}

static int sk_connect(struct lwip_sock *sock, int s, const struct sockaddr *name, socklen_t namelen)
{
    struct netconn *conn = sock->conn;
    int tcp = NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP;
    if (name == NULL) {
        sock_set_errno(sock, s, EFAULT);
        return -1;
    }
    if (namelen >= 2 && name->sa_family == AF_UNSPEC) {
        /* POSIX: AF_UNSPEC resets a connectionless socket's peer. */
        if (tcp) {
            sock_set_errno(sock, s, EAFNOSUPPORT);
            return -1;
        }
        err_t err = netconn_disconnect(conn);
        if (err != ERR_OK) {
            sock_set_errno(sock, s, err_to_errno(err));
            return -1;
        }
        sock->flags &= (u8_t)~SOCK_F_PEER;
        return 0;
    }
    ip_addr_t addr;
    u16_t port;
    int e = sock_read_name(name, namelen, &addr, &port);
    if (e == 0 && tcp && (sock->flags & SOCK_F_LISTENING))
        e = EOPNOTSUPP;         /* POSIX: the socket is listening */
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    err_t err = netconn_connect(conn, &addr, port);
    if (!tcp) {
        if (err != ERR_OK) {
            sock_set_errno(sock, s, err_to_errno(err));
            return -1;
        }
        sock->flags |= SOCK_F_PEER;
        return 0;
    }
    switch (err) {
    case ERR_OK:
        sock->flags = (u8_t)((sock->flags & ~SOCK_F_CONNECTING) | SOCK_F_CONNECTED);
        return 0;
    case ERR_INPROGRESS:
        /* Non-blocking: the result comes as writability (SENDPLUS) or an
         * error (ERROR), and SO_ERROR tells which. */
        sock->flags |= SOCK_F_CONNECTING;
        sock_set_errno(sock, s, EINPROGRESS);
        return -1;
    case ERR_ALREADY:
        sock_set_errno(sock, s, EALREADY);
        return -1;
    case ERR_ISCONN:
        sock->flags = (u8_t)((sock->flags & ~SOCK_F_CONNECTING) | SOCK_F_CONNECTED);
        sock_set_errno(sock, s, EISCONN);
        return -1;
    default:
        sock_set_errno(sock, s, connect_errno(err));
        return -1;
    }
}

int lwip_connect(int s, const struct sockaddr *name, socklen_t namelen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_connect, s);
    int r = SOCK_CALL(s, sk_connect, name, namelen);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_connect);
    return r;
}

/* SO_ERROR's value: a connect that was EINPROGRESS reports its failure in
 * connect's own words. */
int sock_pending_errno(struct lwip_sock *sock)
{
    err_t err = netconn_err(sock->conn);
    int connecting = (sock->flags & SOCK_F_CONNECTING) != 0;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int writable = sock->sendevent != 0;
    sock->errevent = 0;
    SYS_ARCH_UNPROTECT(lev);
    sock->err = 0;
    if (err == ERR_OK) {
        /* A non-blocking connect is done once the socket is writable. */
        if (connecting && writable)
            sock->flags = (u8_t)((sock->flags & ~SOCK_F_CONNECTING) | SOCK_F_CONNECTED);
        return 0;
    }
    sock->flags &= (u8_t)~SOCK_F_CONNECTING;
    return connecting ? connect_errno(err) : err_to_errno(err);
}

/* ---- close, shutdown, names -------------------------------------------------------- */

/* POSIX close: the descriptor is gone when this returns. If another
 * thread is inside a call on it (blocked in recv or accept, say), the
 * netconn is deleted when that call finishes; it is woken with a "closed"
 * message in the mailbox it waits on, and select/poll with EBADF. */
static int sk_close(int s)
{
    struct lwip_sock *sock = get_socket(s);
    if (sock == NULL)
        return -1;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    sock->fd_free_pending = 1;
    int others = sock->fd_used > 1;
    SYS_ARCH_UNPROTECT(lev);
    if (others) {
        netconn_post_stand_in(sock->conn, ERR_CLSD);
        select_wake_socket(s);
    }
    err_t err = done_socket(sock);
    if (err != ERR_OK) {        /* the descriptor is gone all the same */
        sock_set_errno(NULL, s, err_to_errno(err));
        return -1;
    }
    return 0;
}

int lwip_close(int s)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_close, s);
    int r = sk_close(s);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_close);
    return r;
}

static int sk_shutdown(struct lwip_sock *sock, int s, int how)
{
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
        sock_set_errno(sock, s, EINVAL);
        return -1;
    }
    struct netconn *conn = sock->conn;
    if (NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP) {
        ip_addr_t addr;
        u16_t port;
        if ((sock->flags & SOCK_F_LISTENING) || netconn_peer(conn, &addr, &port) != ERR_OK) {
            sock_set_errno(sock, s, ENOTCONN);
            return -1;
        }
        err_t err = netconn_shutdown(conn, how != SHUT_WR, how != SHUT_RD);
        if (err != ERR_OK) {
            sock_set_errno(sock, s, err == ERR_CLSD || err == ERR_CONN ? ENOTCONN
                                                                       : err_to_errno(err));
            return -1;
        }
        /* do_close emptied and closed the recvmbox but posts nothing to
         * it: a recv another thread is blocked in would never return.
         * Wake it with "closed" (its recv returns 0), as sk_close does;
         * do_close_internal's RCVPLUS for the shut side balances the
         * RCVMINUS that recv then counts. */
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        int others = sock->fd_used > 1;
        SYS_ARCH_UNPROTECT(lev);
        if (how != SHUT_WR && others)
            netconn_post_stand_in(conn, ERR_CLSD);  /* only a listener has an acceptmbox */
    } else if (!(sock->flags & SOCK_F_PEER)) {
        sock_set_errno(sock, s, ENOTCONN);
        return -1;
    }
    if (how != SHUT_WR)
        sock->flags |= SOCK_F_SHUT_RD;
    if (how != SHUT_RD)
        sock->flags |= SOCK_F_SHUT_WR;
    return 0;
}

int lwip_shutdown(int s, int how)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_shutdown, s);
    int r = SOCK_CALL(s, sk_shutdown, how);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_shutdown);
    return r;
}

static int sock_getaddr(struct lwip_sock *sock, int s, struct sockaddr *name, socklen_t *namelen, u8_t local)
{
    if (name == NULL || namelen == NULL) {
        sock_set_errno(sock, s, EFAULT);
        return -1;
    }
    if (!local && NETCONNTYPE_GROUP(sock->conn->type) != NETCONN_TCP &&
        !(sock->flags & SOCK_F_PEER)) {
        sock_set_errno(sock, s, ENOTCONN);
        return -1;
    }
    ip_addr_t addr;
    u16_t port;
    err_t err = netconn_getaddr(sock->conn, &addr, &port, local);
    if (err != ERR_OK) {
        sock_set_errno(sock, s, local ? err_to_errno(err) : ENOTCONN);
        return -1;
    }
    sock_fill_name(name, namelen, &addr, port);
    return 0;
}

int lwip_getsockname(int s, struct sockaddr *name, socklen_t *namelen)
{
    return SOCK_CALL(s, sock_getaddr, name, namelen, 1);
}

int lwip_getpeername(int s, struct sockaddr *name, socklen_t *namelen)
{
    return SOCK_CALL(s, sock_getaddr, name, namelen, 0);
}

#endif /* LWIP_SOCKET */
