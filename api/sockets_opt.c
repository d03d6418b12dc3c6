/*
 * api/sockets_opt.c - socket options (getsockopt, setsockopt), ioctl
 * (FIONBIO, FIONREAD) and fcntl (F_GETFL, F_SETFL with O_NONBLOCK).
 *
 * Options kept by the socket layer or the netconn's app-side fields
 * (timeouts, SO_RCVBUF, SO_TYPE, SO_ACCEPTCONN, SO_ERROR) are handled
 * here, in the caller's thread. Options that live in the PCB (so_options,
 * ttl, tos, Nagle, keepalive, UDP checksum) are read and written in
 * tcpip_thread through tcpip_api_call (under the core lock when
 * LWIP_TCPIP_CORE_LOCKING is 1), because only the stack side may touch
 * conn->pcb (lwip/api.h).
 *
 * Errors, in this order: EBADF; ENOPROTOOPT for an option this socket
 * does not have; EFAULT for a NULL optval/optlen; EINVAL for a short
 * optlen or a value out of range; EDOM for a timeout too large.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/errno.h"
#include "lwip/ip.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/priv/tcpip_priv.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "trace.h"

#if LWIP_SOCKET /* the whole file: an app may leave this API out (lwipopts.h) */

/* Where an option lives, and what its value is. */
enum opt_kind {
    OPT_UNKNOWN,        /* ENOPROTOOPT */
    OPT_PCB_INT,        /* an int in the PCB: crosses to tcpip_thread */
    OPT_SOCK_INT,       /* an int kept on this side */
    OPT_TIMEVAL,        /* struct timeval kept on this side */
    OPT_GET_ONLY_INT,   /* SO_ERROR, SO_TYPE, SO_ACCEPTCONN */
};

static enum opt_kind opt_classify(const struct netconn *conn, int level, int optname)
{
    int group = NETCONNTYPE_GROUP(conn->type);
    switch (level) {
    case SOL_SOCKET:
        if (optname == SO_REUSEADDR || optname == SO_KEEPALIVE || optname == SO_BROADCAST)
            return OPT_PCB_INT;
        if (optname == SO_NO_CHECK)
            return group == NETCONN_UDP ? OPT_PCB_INT : OPT_UNKNOWN;
        if (optname == SO_RCVBUF)
            return OPT_SOCK_INT;
        if (optname == SO_RCVTIMEO || optname == SO_SNDTIMEO)
            return OPT_TIMEVAL;
        if (optname == SO_ERROR || optname == SO_TYPE || optname == SO_ACCEPTCONN)
            return OPT_GET_ONLY_INT;
        return OPT_UNKNOWN;
    case IPPROTO_IP:
        return optname == IP_TTL || optname == IP_TOS ? OPT_PCB_INT : OPT_UNKNOWN;
    case IPPROTO_TCP:
        if (group != NETCONN_TCP)
            return OPT_UNKNOWN;
        switch (optname) {
        case TCP_NODELAY:
        case TCP_KEEPALIVE:
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
        case TCP_KEEPCNT:
            return OPT_PCB_INT;
        default:
            return OPT_UNKNOWN;
        }
    default:
        return OPT_UNKNOWN;
    }
}

/* ---- options in the PCB: run in tcpip_thread ------------------------------------ */

struct sockopt_call {
    struct tcpip_api_call_data call;    /* first: tcpip_api_call hands us its address */
    struct netconn *conn;
    int level, optname;
    int set;            /* 1: write value; 0: read it into value */
    int value;
    int e;              /* the errno, 0 if it worked */
};

/* SO_REUSEADDR, SO_KEEPALIVE and SO_BROADCAST have the values of the
 * so_options bits they set (as in lwIP), so the option names the bit. */
_Static_assert(SO_REUSEADDR == SOF_REUSEADDR && SO_KEEPALIVE == SOF_KEEPALIVE &&
               SO_BROADCAST == SOF_BROADCAST, "SO_ option and SOF_ bit differ");

static void so_bit(struct ip_pcb *ip, u8_t bit, struct sockopt_call *o)
{
    if (!o->set)
        o->value = ip_get_option(ip, bit) != 0;
    else if (o->value)
        ip_set_option(ip, bit);
    else
        ip_reset_option(ip, bit);
}

/* TCP level; keepalive times are kept in ms in the PCB. */
static void tcp_opt(struct tcp_pcb *tcp, struct sockopt_call *o)
{
    if (tcp->state == LISTEN) {     /* a listening PCB has no such fields */
        o->e = EINVAL;
        return;
    }
    u32_t scale = o->optname == TCP_KEEPIDLE || o->optname == TCP_KEEPINTVL ? 1000u : 1u;
    u32_t *field = NULL;
    switch (o->optname) {
    case TCP_NODELAY:
        if (!o->set)
            o->value = tcp_nagle_disabled(tcp) != 0;
        else if (o->value)
            tcp_nagle_disable(tcp);
        else
            tcp_nagle_enable(tcp);
        return;
    case TCP_KEEPALIVE:
    case TCP_KEEPIDLE:
        field = &tcp->keep_idle;
        break;
    case TCP_KEEPINTVL:
        field = &tcp->keep_intvl;
        break;
    case TCP_KEEPCNT:
        field = &tcp->keep_cnt;
        break;
    }
    if (!o->set) {
        o->value = (int)(*field / scale);
        return;
    }
    if (o->value < 1 || (u32_t)o->value > 0x7fffffffu / scale) {
        o->e = EINVAL;
        return;
    }
    *field = (u32_t)o->value * scale;
}

static err_t sockopt_pcb(struct tcpip_api_call_data *call)
{
    struct sockopt_call *o = (struct sockopt_call *)call;
    struct ip_pcb *ip = o->conn->pcb.ip;
    o->e = 0;
    if (ip == NULL) {           /* the connection is gone (reset, aborted) */
        o->e = EINVAL;
        return ERR_VAL;
    }
    switch (o->level) {
    case SOL_SOCKET:
        /* The three SO_ flags are the PCB's SOF_ bits (asserted above). */
        if (o->optname != SO_NO_CHECK)
            so_bit(ip, (u8_t)o->optname, o);
        else if (!o->set)       /* SO_NO_CHECK */
            o->value = udp_is_flag_set(o->conn->pcb.udp, UDP_FLAGS_NOCHKSUM);
        else if (o->value)
            udp_setflags(o->conn->pcb.udp, udp_flags(o->conn->pcb.udp) | UDP_FLAGS_NOCHKSUM);
        else
            udp_setflags(o->conn->pcb.udp, udp_flags(o->conn->pcb.udp) & ~UDP_FLAGS_NOCHKSUM);
        break;
    case IPPROTO_IP: {
        u8_t *field = o->optname == IP_TTL ? &ip->ttl : &ip->tos;
        if (!o->set)
            o->value = *field;
        else if (o->value < (o->optname == IP_TTL ? 1 : 0) || o->value > 255)
            o->e = EINVAL;
        else
            *field = (u8_t)o->value;
        break;
    }
    case IPPROTO_TCP:
        tcp_opt(o->conn->pcb.tcp, o);
        break;
    }
    return o->e ? ERR_VAL : ERR_OK;
}

static int pcb_option(struct netconn *conn, int level, int optname, int set, int *value)
{
    struct sockopt_call o;
    memset(&o, 0, sizeof o);
    o.conn = conn;
    o.level = level;
    o.optname = optname;
    o.set = set;
    o.value = *value;
    tcpip_api_call(sockopt_pcb, &o.call);
    *value = o.value;
    return o.e;
}

/* ---- timeouts ----------------------------------------------------------------------- */

static void ms_to_timeval(u32_t ms, struct timeval *tv)
{
    tv->tv_sec = (time_t)(ms / 1000u);
    tv->tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
}

/* ms for a timeval (rounded up: 1 us must not become 0 = forever), or -1. */
static long timeval_to_ms(const struct timeval *tv)
{
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
        return -1;
    if ((unsigned long long)tv->tv_sec > 0x7fffffffULL / 1000u - 1u)
        return -1;
    return (long)tv->tv_sec * 1000L + ((long)tv->tv_usec + 999L) / 1000L;
}

/* ---- getsockopt / setsockopt ----------------------------------------------------- */

static int do_getsockopt(struct lwip_sock *sock, int s, int level, int optname, void *optval, socklen_t *optlen)
{
    struct netconn *conn = sock->conn;
    enum opt_kind kind = opt_classify(conn, level, optname);
    socklen_t need = kind == OPT_TIMEVAL ? sizeof(struct timeval) : sizeof(int);
    int e = 0;
    if (kind == OPT_UNKNOWN)
        e = ENOPROTOOPT;
    else if (optval == NULL || optlen == NULL)
        e = EFAULT;
    else if (*optlen < need)
        e = EINVAL;
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    int v = 0;
    switch (kind) {
    case OPT_TIMEVAL: {
        struct timeval tv;
        memset(&tv, 0, sizeof tv);
        ms_to_timeval(optname == SO_RCVTIMEO ? netconn_get_recvtimeout(conn)
                                             : (u32_t)netconn_get_sendtimeout(conn), &tv);
        memcpy(optval, &tv, sizeof tv);
        *optlen = sizeof tv;
        return 0;
    }
    case OPT_PCB_INT:
        e = pcb_option(conn, level, optname, 0, &v);
        break;
    case OPT_SOCK_INT:          /* SO_RCVBUF */
        v = netconn_get_recvbufsize(conn);
        break;
    case OPT_GET_ONLY_INT:
        if (optname == SO_ERROR)
            v = sock_pending_errno(sock);
        else if (optname == SO_ACCEPTCONN)
            v = (sock->flags & SOCK_F_LISTENING) != 0;
        else if (NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP)
            v = SOCK_STREAM;
        else
            v = NETCONNTYPE_GROUP(conn->type) == NETCONN_UDP ? SOCK_DGRAM : SOCK_RAW;
        break;
    case OPT_UNKNOWN:
        break;
    }
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    memcpy(optval, &v, sizeof v);
    *optlen = sizeof v;
    return 0;
}

int lwip_getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_getsockopt, s);
    int r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        r = do_getsockopt(sock, s, level, optname, optval, optlen);
        done_socket(sock);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_getsockopt);
    return r;
}

static int do_setsockopt(struct lwip_sock *sock, int s, int level, int optname, const void *optval, socklen_t optlen)
{
    struct netconn *conn = sock->conn;
    enum opt_kind kind = opt_classify(conn, level, optname);
    socklen_t need = kind == OPT_TIMEVAL ? sizeof(struct timeval) : sizeof(int);
    int e = 0;
    if (kind == OPT_UNKNOWN || kind == OPT_GET_ONLY_INT)
        e = ENOPROTOOPT;
    else if (optval == NULL)
        e = EFAULT;
    else if (optlen < need)
        e = EINVAL;
    if (e == 0 && kind == OPT_TIMEVAL) {
        struct timeval tv;
        memcpy(&tv, optval, sizeof tv);
        long ms = timeval_to_ms(&tv);
        if (ms < 0)
            e = EDOM;
        else if (optname == SO_RCVTIMEO)
            netconn_set_recvtimeout(conn, (u32_t)ms);
        else
            netconn_set_sendtimeout(conn, (s32_t)ms);
    } else if (e == 0) {
        int v;
        memcpy(&v, optval, sizeof v);
        if (kind == OPT_PCB_INT) {
            e = pcb_option(conn, level, optname, 1, &v);
        } else if (v < 0) {     /* SO_RCVBUF */
            e = EINVAL;
        } else {
            netconn_set_recvbufsize(conn, v);
        }
    }
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    return 0;
}

int lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_setsockopt, s);
    int r = -1;
    struct lwip_sock *sock = get_socket(s);
    if (sock != NULL) {
        r = do_setsockopt(sock, s, level, optname, optval, optlen);
        done_socket(sock);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_setsockopt);
    return r;
}

/* ---- ioctl, fcntl ------------------------------------------------------------------ */

/* netconn_set_nonblocking is a plain read-modify-write of conn->flags, a
 * field tcpip_thread changes too (MBOXCLOSED in err_tcp, CHECK_WRITESPACE,
 * FIN_UNPOSTED): unprotected, a preemption between the read and the write
 * loses the stack's bit (lwip/api.h: flags only under SYS_ARCH_PROTECT). */
static void sock_set_nonblocking(struct netconn *conn, int on)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    netconn_set_nonblocking(conn, on);
    SYS_ARCH_UNPROTECT(lev);
}

/* Bytes a recv would return now. TCP: every pbuf already queued is taken
 * into lastdata (without telling the stack: the window opens when the
 * app reads them), a FIN left for the recv. UDP/raw: all the datagrams
 * queued (LWIP_FIONREAD_LINUXMODE = 0, as lwIP), plus a peeked one. */
static int sock_fionread(struct lwip_sock *sock)
{
    struct netconn *conn = sock->conn;
    if (NETCONNTYPE_GROUP(conn->type) != NETCONN_TCP) {
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        int avail = conn->recv_avail;
        SYS_ARCH_UNPROTECT(lev);
        if (avail < 0)
            avail = 0;
        if (sock->lastdata.netbuf != NULL && sock->lastdata.netbuf->p != NULL)
            avail += sock->lastdata.netbuf->p->tot_len;
        return avail;
    }
    if (sock->flags & SOCK_F_LISTENING)
        return 0;
    for (;;) {
        struct pbuf *p = NULL;
        if (sock->lastdata.pbuf != NULL && sock->lastdata.pbuf->tot_len > 0xffffu - TCP_MSS)
            break;              /* tot_len is 16 bits */
        if (netconn_recv_tcp_pbuf_flags(conn, &p,
                                        NETCONN_DONTBLOCK | NETCONN_NOAUTORCVD | NETCONN_NOFIN) !=
            ERR_OK)
            break;
        if (sock->lastdata.pbuf == NULL)
            sock->lastdata.pbuf = p;
        else
            pbuf_cat(sock->lastdata.pbuf, p);
    }
    return sock->lastdata.pbuf ? sock->lastdata.pbuf->tot_len : 0;
}

static int sock_ioctl(struct lwip_sock *sock, int s, long cmd, void *argp)
{
    int e = 0;
    if (cmd != FIONBIO && cmd != FIONREAD)
        e = EINVAL;
    else if (argp == NULL)
        e = EFAULT;
    if (e != 0) {
        sock_set_errno(sock, s, e);
        return -1;
    }
    if (cmd == FIONBIO) {
        int on;
        memcpy(&on, argp, sizeof on);
        sock_set_nonblocking(sock->conn, on != 0);
    } else {
        int avail = sock_fionread(sock);
        memcpy(argp, &avail, sizeof avail);
    }
    return 0;
}

static int sock_fcntl(struct lwip_sock *sock, int s, int cmd, int val)
{
    switch (cmd) {
    case F_GETFL: {
        int fl = netconn_is_nonblocking(sock->conn) ? O_NONBLOCK : 0;
        if (!(sock->flags & SOCK_F_SHUT_RD))
            fl |= O_RDONLY;
        if (!(sock->flags & SOCK_F_SHUT_WR))
            fl |= O_WRONLY;
        return fl;
    }
    case F_SETFL:
        /* The access mode bits are ignored (POSIX); O_NONBLOCK is the one
         * status flag a socket has. */
        if ((val & ~(O_NONBLOCK | O_RDWR)) != 0) {
            sock_set_errno(sock, s, ENOSYS);
            return -1;
        }
        sock_set_nonblocking(sock->conn, (val & O_NONBLOCK) != 0);
        return 0;
    default:
        sock_set_errno(sock, s, EINVAL);
        return -1;
    }
}

int lwip_ioctl(int s, long cmd, void *argp)
{
    struct lwip_sock *sock = get_socket(s);
    if (sock == NULL)
        return -1;
    int r = sock_ioctl(sock, s, cmd, argp);
    done_socket(sock);
    return r;
}

int lwip_fcntl(int s, int cmd, int val)
{
    struct lwip_sock *sock = get_socket(s);
    if (sock == NULL)
        return -1;
    int r = sock_fcntl(sock, s, cmd, val);
    done_socket(sock);
    return r;
}

#endif /* LWIP_SOCKET */
