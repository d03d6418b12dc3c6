/*
 * api/sockets_io.c - sending and receiving on a socket: send, sendto,
 * sendmsg, write, writev and recv, recvfrom, recvmsg, read, readv
 * (lwIP 2.x behaviour, POSIX errno values).
 *
 * TCP sends go through netconn_write_partly with NETCONN_COPY (the data
 * is copied into the send buffer, so the caller's buffer is free when the
 * call returns); a non-blocking send (O_NONBLOCK or MSG_DONTWAIT) returns
 * what fitted, or EWOULDBLOCK when nothing did. UDP and raw sends wrap the
 * caller's bytes in a netbuf (netbuf_ref: a PBUF_REF, no copy; the stack
 * sends before netconn_send returns) and hand it to netconn_send(to).
 *
 * TCP receives take pbufs from the netconn and copy out of them; what a
 * call does not take stays in the socket (lastdata) for the next one, so
 * one received segment can feed many small reads. The stack is told the
 * bytes were taken (netconn_tcp_recvd, since netconn_recv is called with
 * NETCONN_NOAUTORCVD) only once they are copied out: the window opens
 * as the application reads, not as segments arrive (RFC 9293 3.8.6.2).
 * A UDP/raw receive returns one datagram; what does not fit is dropped
 * (MSG_TRUNC in recvmsg's msg_flags).
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lwip/api.h"
#include "lwip/errno.h"
#include "lwip/mem.h"
#include "lwip/netbuf.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "trace.h"

#if LWIP_SOCKET /* the whole file: an app may leave this API out (lwipopts.h) */

#ifndef SSIZE_MAX
#define SSIZE_MAX ((ssize_t)(SIZE_MAX >> 1))   /* newlib's limits.h may lack it */
#endif
#define SOCK_IOV_MAX 1024           /* iovecs in one call (IOV_MAX) */
#define UDP_PAYLOAD_MAX 65507u      /* 65535 - IP header 20 - UDP header 8 */
#define RAW_PAYLOAD_MAX 65515u      /* 65535 - IP header 20 */

/* Sum of iov lengths in *total: 0, or the errno (EINVAL: too many bytes). */
static int iov_total(const struct iovec *iov, int iovcnt, size_t *total)
{
    size_t sum = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > (size_t)SSIZE_MAX - sum)
            return EINVAL;
        if (iov[i].iov_base == NULL && iov[i].iov_len != 0)
            return EFAULT;
        sum += iov[i].iov_len;
    }
    *total = sum;
    return 0;
}

/* Copy the iovecs one after another into d (which has room for all). */
static void iov_gather(u8_t *d, const struct iovec *iov, int iovcnt)
{
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len)
            memcpy(d, iov[i].iov_base, iov[i].iov_len);
        d += iov[i].iov_len;
    }
}

static int sock_nonblocking(const struct lwip_sock *sock, int flags)
{
    return (flags & MSG_DONTWAIT) || netconn_is_nonblocking(sock->conn);
}

/* What recvmsg and sendmsg say of a bad msghdr, and readv and writev of a
 * bad vector: the errno, 0 when it may be used. */
static int msghdr_check(const struct msghdr *message)
{
    if (message == NULL || (message->msg_iovlen > 0 && message->msg_iov == NULL))
        return EFAULT;
    if (message->msg_iovlen <= 0 || message->msg_iovlen > SOCK_IOV_MAX)
        return EMSGSIZE;
    return 0;
}

static int iovec_check(const struct iovec *iov, int iovcnt)
{
    if (iovcnt <= 0 || iovcnt > SOCK_IOV_MAX)
        return EINVAL;
    if (iov == NULL)
        return EFAULT;
    return 0;
}

/* ---- copying out --------------------------------------------------------------- */

/* Where a copy into an iovec array has got to. */
struct iov_cursor {
    const struct iovec *iov;
    int iovcnt;
    int i;                  /* current iovec */
    size_t off;             /* bytes of it filled */
};

/* Copy up to len bytes of p, from offset, into the iovecs: the count. */
static size_t copy_out(struct iov_cursor *c, const struct pbuf *p, u16_t offset, size_t len)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_netbuf_copy_partial, p);
    size_t done = 0;
    while (done < len && c->i < c->iovcnt) {
        size_t room = c->iov[c->i].iov_len - c->off;
        if (room == 0) {
            c->i++;
            c->off = 0;
            continue;
        }
        size_t n = len - done < room ? len - done : room;
        if (n > 0xffffu)
            n = 0xffffu;
        u16_t got = pbuf_copy_partial(p, (u8_t *)c->iov[c->i].iov_base + c->off, (u16_t)n,
                                      (u16_t)(offset + done));
        c->off += got;
        done += got;
        if (got < n)
            break;          /* p ran out */
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_netbuf_copy_partial);
    return done;
}

/* ---- TCP receive ----------------------------------------------------------------- */

static ssize_t recv_tcp(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                        int flags)
{
    size_t want;
    int e = iov_total(iov, iovcnt, &want);
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    if (want == 0)
        return 0;
    struct netconn *conn = sock->conn;
    u8_t apiflags = NETCONN_NOAUTORCVD;
    if (sock_nonblocking(sock, flags))
        apiflags |= NETCONN_DONTBLOCK;
    struct iov_cursor cur = { iov, iovcnt, 0, 0 };
    size_t recvd = 0;
    size_t told = 0;            /* of recvd, bytes netconn_tcp_recvd was told of */
    for (;;) {
        struct pbuf *p = sock->lastdata.pbuf;
        if (p == NULL) {
            err_t err = netconn_recv_tcp_pbuf_flags(conn, &p, apiflags);
            if (err != ERR_OK) {
                if (recvd > 0)
                    break;      /* the FIN or the error is for the next call */
                if (err == ERR_CLSD) {
                    sock->flags |= SOCK_F_EOF;  /* select: readable from now on */
                    return 0;   /* the peer's FIN: end of file */
                }
                sock_set_errno(sock, s, err_to_errno(err));
                return -1;
            }
            sock->lastdata.pbuf = p;
        }
        size_t n = copy_out(&cur, p, 0, want - recvd < p->tot_len ? want - recvd : p->tot_len);
        recvd += n;
        if (flags & MSG_PEEK)
            break;              /* only what is here already, and leave it */
        sock->lastdata.pbuf = n < p->tot_len ? pbuf_free_header(p, (u16_t)n) : NULL;
        if (sock->lastdata.pbuf == NULL)
            pbuf_free(p);
        if (recvd >= want)
            break;
        /* Something arrived: return it rather than wait for more (unless
         * MSG_WAITALL), and leave a FIN for the next call. */
        if (!(flags & MSG_WAITALL)) {
            apiflags |= NETCONN_DONTBLOCK;
        } else {
            /* About to wait for more: open the window for what was taken
             * first. Told only at the end, a MSG_WAITALL of more than
             * TCP_WND bytes closed the window and waited forever for bytes
             * the peer could no longer send. */
            netconn_tcp_recvd(conn, recvd - told);
            told = recvd;
        }
        apiflags |= NETCONN_NOFIN;
    }
    if (!(flags & MSG_PEEK) && recvd > told)
        netconn_tcp_recvd(conn, recvd - told);
    return (ssize_t)recvd;
}

/* ---- UDP / raw receive ----------------------------------------------------------- */

static ssize_t recv_dgram(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                          int flags, struct sockaddr *from, socklen_t *fromlen, int *msg_flags)
{
    size_t want;
    int e = iov_total(iov, iovcnt, &want);
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    struct netbuf *buf = sock->lastdata.netbuf;
    if (buf == NULL) {
        u8_t apiflags = sock_nonblocking(sock, flags) ? NETCONN_DONTBLOCK : 0;
        err_t err = netconn_recv_udp_raw_netbuf_flags(sock->conn, &buf, apiflags);
        if (err != ERR_OK) {
            sock_set_errno(sock, s, err_to_errno(err));
            return -1;
        }
        sock->lastdata.netbuf = buf;
    }
    size_t len = buf->p ? buf->p->tot_len : 0;
    struct iov_cursor cur = { iov, iovcnt, 0, 0 };
    size_t n = buf->p ? copy_out(&cur, buf->p, 0, want < len ? want : len) : 0;
    if (from != NULL && fromlen != NULL)
        sock_fill_name(from, fromlen, netbuf_fromaddr(buf), netbuf_fromport(buf));
    if (msg_flags != NULL && n < len)
        *msg_flags |= MSG_TRUNC;
    if (!(flags & MSG_PEEK)) {
        sock->lastdata.netbuf = NULL;
        netbuf_delete(buf);
    }
    return (ssize_t)n;
}

static ssize_t sock_recv(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                         int flags, struct sockaddr *from, socklen_t *fromlen, int *msg_flags)
{
    if (flags & MSG_OOB) {
        sock_set_errno(sock, s, EOPNOTSUPP);
        return -1;
    }
    if (from != NULL && fromlen == NULL) {
        sock_set_errno(sock, s, EFAULT);
        return -1;
    }
    if (NETCONNTYPE_GROUP(sock->conn->type) != NETCONN_TCP)
        return recv_dgram(sock, s, iov, iovcnt, flags, from, fromlen, msg_flags);
    if (!(sock->flags & (SOCK_F_CONNECTED | SOCK_F_CONNECTING))) {
        sock_set_errno(sock, s, ENOTCONN);  /* never connected, or listening */
        return -1;
    }
    ssize_t r = recv_tcp(sock, s, iov, iovcnt, flags);
    if (r > 0 && from != NULL) {
        ip_addr_t addr;
        u16_t port;
        if (netconn_peer(sock->conn, &addr, &port) == ERR_OK)
            sock_fill_name(from, fromlen, &addr, port);
        else
            *fromlen = 0;
    }
    return r;
}

ssize_t lwip_recvfrom(int s, void *mem, size_t len, int flags, struct sockaddr *from,
                      socklen_t *fromlen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_recvfrom, s);
    ssize_t r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        struct iovec v = { mem, len };
        if (mem == NULL && len != 0)
            sock_set_errno(sock, s, EFAULT);
        else
            r = sock_recv(sock, s, &v, 1, flags, from, fromlen, NULL);
        done_socket(sock);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_recvfrom);
    return r;
}

ssize_t lwip_recv(int s, void *mem, size_t len, int flags)
{
    return lwip_recvfrom(s, mem, len, flags, NULL, NULL);
}

ssize_t lwip_read(int s, void *mem, size_t len)
{
    return lwip_recvfrom(s, mem, len, 0, NULL, NULL);
}

ssize_t lwip_recvmsg(int s, struct msghdr *message, int flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_recvfrom, s);
    ssize_t r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        int e = msghdr_check(message);
        if (e != 0) {
            sock_set_errno(sock, s, e);
        } else {
            message->msg_flags = 0;
            message->msg_controllen = 0;    /* no ancillary data is produced */
            r = sock_recv(sock, s, message->msg_iov, message->msg_iovlen, flags,
                          message->msg_name, message->msg_name ? &message->msg_namelen : NULL,
                          &message->msg_flags);
        }
        done_socket(sock);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_recvfrom);
    return r;
}

ssize_t lwip_readv(int s, const struct iovec *iov, int iovcnt)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_recvfrom, s);
    ssize_t r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        int e = iovec_check(iov, iovcnt);
        if (e != 0)
            sock_set_errno(sock, s, e);
        else
            r = sock_recv(sock, s, iov, iovcnt, 0, NULL, NULL, NULL);
        done_socket(sock);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_recvfrom);
    return r;
}

/* ---- TCP send -------------------------------------------------------------------- */

static ssize_t send_tcp(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                        int flags)
{
    size_t total;
    int e = iov_total(iov, iovcnt, &total);
    if (e == 0 && (sock->flags & SOCK_F_SHUT_WR))
        e = EPIPE;              /* POSIX: shut down for writing */
    if (e == 0 && !(sock->flags & (SOCK_F_CONNECTED | SOCK_F_CONNECTING)))
        e = ENOTCONN;           /* never connected, or listening */
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    int dontblock = sock_nonblocking(sock, flags);
    /* Pieces that fit one segment go as one write, as one segment: a
     * write per piece would let Nagle (or timing) split them. */
    struct iovec joined;
    void *bounce = NULL;
    if (iovcnt > 1 && total > 0 && total <= TCP_MSS && (bounce = mem_malloc((mem_size_t)total))) {
        iov_gather(bounce, iov, iovcnt);
        joined.iov_base = bounce;
        joined.iov_len = total;
        iov = &joined;
        iovcnt = 1;
    }
    size_t sent = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        int last = sent + iov[i].iov_len == total;
        u8_t wf = NETCONN_COPY;
        if ((flags & MSG_MORE) || !last)
            wf |= NETCONN_MORE;     /* no PSH until the last byte (RFC 9293 3.9.1.2) */
        if (dontblock)
            wf |= NETCONN_DONTBLOCK;
        size_t written = 0;
        err_t err = netconn_write_partly(sock->conn, iov[i].iov_base, iov[i].iov_len, wf,
                                         &written);
        sent += written;
        if (err != ERR_OK) {
            if (sent == 0)
                e = err == ERR_MEM ? ENOBUFS : err_to_errno(err);
            break;              /* with a count: the error is for the next call */
        }
        if (written < iov[i].iov_len)
            break;              /* non-blocking: this much fitted */
    }
    if (bounce != NULL)
        mem_free(bounce);       /* NETCONN_COPY: the stack has its own copy */
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    return (ssize_t)sent;
}

/* ---- UDP / raw send -------------------------------------------------------------- */

static ssize_t send_dgram(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                          const struct sockaddr *to, socklen_t tolen)
{
    size_t total;
    int e = iov_total(iov, iovcnt, &total);
    size_t max = NETCONNTYPE_GROUP(sock->conn->type) == NETCONN_RAW ? RAW_PAYLOAD_MAX
                                                                    : UDP_PAYLOAD_MAX;
    ip_addr_t addr;
    u16_t port = 0;
    if (e == 0 && total > max)
        e = EMSGSIZE;
    if (e == 0 && to != NULL) {
        if (tolen < sizeof(struct sockaddr_in))
            e = EINVAL;
        else if (to->sa_family != AF_INET)
            e = EAFNOSUPPORT;
        else {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)to;
            inet_addr_to_ip4addr(ip_2_ip4(&addr), &sin->sin_addr);
            port = lwip_ntohs(sin->sin_port);
        }
    }
    if (e == 0 && to == NULL && !(sock->flags & SOCK_F_PEER))
        e = EDESTADDRREQ;       /* POSIX: not connected, no address given */
    if (e == 0 && (sock->flags & SOCK_F_SHUT_WR))
        e = EPIPE;
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    struct netbuf *buf = netbuf_new();
    if (buf == NULL) {
        sock_set_errno(sock, s, ENOBUFS);
        return -1;
    }
    err_t err = ERR_OK;
    if (iovcnt == 1) {
        err = netbuf_ref(buf, iov[0].iov_base, (u16_t)total);
    } else {
        u8_t *d = netbuf_alloc(buf, (u16_t)total);
        if (d == NULL)
            err = ERR_MEM;
        else
            iov_gather(d, iov, iovcnt);
    }
    if (err == ERR_OK)
        err = to != NULL ? netconn_sendto(sock->conn, buf, &addr, port)
                         : netconn_send(sock->conn, buf);
    netbuf_delete(buf);
    if (err != ERR_OK) {
        sock_set_errno(sock, s, err == ERR_MEM || err == ERR_BUF ? ENOBUFS : err_to_errno(err));
        return -1;
    }
    return (ssize_t)total;
}

static ssize_t sock_send(struct lwip_sock *sock, int s, const struct iovec *iov, int iovcnt,
                         int flags, const struct sockaddr *to, socklen_t tolen)
{
    if (flags & MSG_OOB) {
        sock_set_errno(sock, s, EOPNOTSUPP);
        return -1;
    }
    /* A connection-mode socket ignores the address (POSIX sendto). */
    if (NETCONNTYPE_GROUP(sock->conn->type) == NETCONN_TCP)
        return send_tcp(sock, s, iov, iovcnt, flags);
    return send_dgram(sock, s, iov, iovcnt, to, tolen);
}

/* Every send call ends here: the socket, then the verdict of the
 * caller's own argument check (e, an errno or 0: a bad buffer, msghdr or
 * vector), then the send. One path for send, sendto, sendmsg and writev
 * (the trace spans are the callers'). */
static ssize_t sock_sendv(int s, int e, const struct iovec *iov, int iovcnt, int flags,
                          const struct sockaddr *to, socklen_t tolen)
{
    ssize_t r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        if (e != 0)
            sock_set_errno(sock, s, e);
        else
            r = sock_send(sock, s, iov, iovcnt, flags, to, tolen);
        done_socket(sock);
    }
    return r;
}

/* send and sendto: one buffer, as a vector of one. (Not inlined: both
 * callers would grow by its body.) */
static __attribute__((noinline)) ssize_t sock_send_buf(int s, const void *dataptr, size_t size, int flags,
                             const struct sockaddr *to, socklen_t tolen)
{
    struct iovec v = { (void *)(uintptr_t)dataptr, size };
    return sock_sendv(s, dataptr == NULL && size != 0 ? EFAULT : 0, &v, 1, flags, to, tolen);
}

ssize_t lwip_sendto(int s, const void *dataptr, size_t size, int flags,
                    const struct sockaddr *to, socklen_t tolen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_sendto, s);
    ssize_t r = sock_send_buf(s, dataptr, size, flags, to, tolen);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_sendto);
    return r;
}

ssize_t lwip_send(int s, const void *dataptr, size_t size, int flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_send, s);
    ssize_t r = sock_send_buf(s, dataptr, size, flags, NULL, 0);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_send);
    return r;
}

ssize_t lwip_write(int s, const void *dataptr, size_t size)
{
    return lwip_send(s, dataptr, size, 0);
}

ssize_t lwip_sendmsg(int s, const struct msghdr *message, int flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_send, s);
    int e = msghdr_check(message);      /* message is read only when it passed */
    ssize_t r = e != 0 ? sock_sendv(s, e, NULL, 0, flags, NULL, 0)
                       : sock_sendv(s, 0, message->msg_iov, message->msg_iovlen, flags,
                                    message->msg_name, message->msg_namelen);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_send);
    return r;
}

ssize_t lwip_writev(int s, const struct iovec *iov, int iovcnt)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_send, s);
    ssize_t r = sock_sendv(s, iovec_check(iov, iovcnt), iov, iovcnt, 0, NULL, 0);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_send);
    return r;
}

#endif /* LWIP_SOCKET */
