/*
 * lwip/api.h - netconn, the sequential API (lwIP 2.x names and shapes).
 *
 * A netconn is a connection an application thread can block on. The calls
 * below (api/api_lib.c) run in the application's thread; each one fills a
 * struct api_msg (lwip/priv/api_msg.h) and crosses to tcpip_thread, where
 * the matching do_* function (api/api_msg.c) does the work with the raw
 * API of lwip/tcp.h, lwip/udp.h or lwip/raw.h, then signals the netconn's
 * op_completed semaphore. Received data goes the other way: the stack's
 * callbacks (recv_tcp, recv_udp, recv_raw, accept_function) trypost to
 * the netconn's recvmbox or acceptmbox, and netconn_recv / netconn_accept
 * fetch from them.
 *
 * Who may touch what (the contract between api_lib.c and api_msg.c):
 *  - type, callback, socket, the timeouts and recv_bufsize: the app side
 *    (set before the netconn is shared; the stack side only reads them);
 *  - pcb, state, current_msg: the stack side only (tcpip_thread, or the
 *    core lock's holder);
 *  - pending_err: written by the stack side (err_tcp, a failed write) and
 *    read by both under SYS_ARCH_PROTECT (netconn_err reads and clears it);
 *  - flags: both, under SYS_ARCH_PROTECT;
 *  - recv_avail: both, under SYS_ARCH_PROTECT (UDP/raw bytes queued);
 *  - op_completed, recvmbox, acceptmbox: created by netconn_alloc (app
 *    side, before the first message), freed by netconn_free after
 *    do_delconn has detached the PCB. A closed recvmbox/acceptmbox is marked
 *    by NETCONN_FLAG_MBOXCLOSED and, after it has been drained, by
 *    sys_mbox_set_invalid.
 * Every error a call returns is also kept in pending_err when it is fatal
 * to the connection (ERR_RST, ERR_ABRT, ERR_CLSD, ERR_CONN), so the next
 * call and netconn_err report it too.
 */
#ifndef LWIP_HDR_API_H
#define LWIP_HDR_API_H

#include <stddef.h>

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netbuf.h"
#include "lwip/sys.h"

struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;
struct ip_pcb;
struct api_msg;
struct netconn;

/* apiflags of netconn_write and netconn_recv_*_flags. */
#define NETCONN_NOFLAG     0x00
#define NETCONN_NOCOPY     0x00    /* the data stays valid until sent and acked */
#define NETCONN_COPY       0x01    /* copy the data into the send buffer */
#define NETCONN_MORE       0x02    /* more follows: no PSH on the last segment */
#define NETCONN_DONTBLOCK  0x04    /* this call only: do not block */
#define NETCONN_NOAUTORCVD 0x08    /* netconn_recv_*: the app calls netconn_tcp_recvd itself */
#define NETCONN_NOFIN      0x10    /* netconn_recv_*: report a FIN on the next call, not now */

/* netconn->flags */
#define NETCONN_FLAG_MBOXCLOSED             0x01  /* recvmbox/acceptmbox closed: no more posts */
#define NETCONN_FLAG_NON_BLOCKING           0x02  /* every call returns instead of blocking */
#define NETCONN_FLAG_IN_NONBLOCKING_CONNECT 0x04  /* a non-blocking connect is under way */
#define NETCONN_FLAG_MBOXINVALID            0x08  /* the mailboxes have been freed */
#define NETCONN_FLAG_CHECK_WRITESPACE       0x10  /* a write found no room: SENDPLUS when there is */
#define NETCONN_FLAG_IPV6_V6ONLY            0x20  /* (IPv6 is not built: never set) */
#define NETCONN_FLAG_FIN_UNPOSTED           0x40  /* the peer's FIN found recvmbox full: posted later */
#define NETCONN_FIN_RX_PENDING              0x80  /* a FIN arrived, not yet reported (NETCONN_NOFIN) */

/* Protocol family and kind. The values are lwIP's: a type's upper nibble
 * says TCP (0x10), UDP (0x20) or raw (0x40). */
enum netconn_type {
    NETCONN_INVALID     = 0,
    NETCONN_TCP         = 0x10,
    NETCONN_UDP         = 0x20,
    NETCONN_UDPLITE     = 0x21,  /* (not built: netconn_new returns NULL) */
    NETCONN_UDPNOCHKSUM = 0x22,  /* UDP without a checksum on send */
    NETCONN_RAW         = 0x40
};
#define NETCONNTYPE_GROUP(t) ((t) & 0xF0)
#define NETCONNTYPE_DATAGRAM(t) ((t) & 0xE0)
#define NETCONNTYPE_ISIPV6(t) 0

/* What the stack side is in the middle of (a blocking call waits on
 * op_completed until it is done). */
enum netconn_state {
    NETCONN_NONE,
    NETCONN_WRITE,     /* do_write: more data than the send buffer took at once */
    NETCONN_LISTEN,
    NETCONN_CONNECT,   /* tcp_connect sent the SYN; do_connected ends it */
    NETCONN_CLOSE      /* do_close: waiting for the send queue to drain or a timeout */
};

/* What event_callback (api/sockets.c) is told. */
enum netconn_evt {
    NETCONN_EVT_RCVPLUS,    /* something arrived: data, a connection, a FIN, an error */
    NETCONN_EVT_RCVMINUS,   /* the app took one of those */
    NETCONN_EVT_SENDPLUS,   /* there is room to send again */
    NETCONN_EVT_SENDMINUS,  /* a write found the send buffer full */
    NETCONN_EVT_ERROR       /* the connection failed (pending_err says why) */
};

typedef void (*netconn_callback)(struct netconn *conn, enum netconn_evt evt, u16_t len);

struct netconn {
    enum netconn_type type;
    enum netconn_state state;
    union {
        struct ip_pcb *ip;
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
        struct raw_pcb *raw;
    } pcb;
    err_t pending_err;          /* the error that ended the connection, or ERR_OK */
    sys_sem_t op_completed;     /* the stack side signals it when a do_* is done */
    sys_mbox_t recvmbox;        /* pbufs (TCP) or netbufs (UDP/raw) for netconn_recv */
    sys_mbox_t acceptmbox;      /* new netconns for netconn_accept (listening TCP only) */
    int socket;                 /* the socket index (api/sockets.c), or -1 */
#if LWIP_SO_SNDTIMEO
    s32_t send_timeout;         /* ms a write may block; 0 = forever */
#endif
#if LWIP_SO_RCVTIMEO
    u32_t recv_timeout;         /* ms a recv or accept may block; 0 = forever */
#endif
#if LWIP_SO_RCVBUF
    int recv_bufsize;           /* UDP/raw: bytes queued before datagrams are dropped */
    int recv_avail;             /* UDP/raw: bytes queued now */
#endif
    u8_t flags;                 /* NETCONN_FLAG_* */
    struct api_msg *current_msg;  /* TCP: the write or close that is not finished */
    netconn_callback callback;  /* event_callback for sockets, or the app's, or NULL */
};

/* ---- the calls (api/api_lib.c) --------------------------------------------------- */
#define netconn_new(t) netconn_new_with_proto_and_callback(t, 0, NULL)
#define netconn_new_with_callback(t, c) netconn_new_with_proto_and_callback(t, 0, c)
struct netconn *netconn_new_with_proto_and_callback(enum netconn_type t, u8_t proto,
                                                    netconn_callback callback);
err_t netconn_prepare_delete(struct netconn *conn);
err_t netconn_delete(struct netconn *conn);
#define netconn_type(conn) ((conn)->type)

err_t netconn_getaddr(struct netconn *conn, ip_addr_t *addr, u16_t *port, u8_t local);
#define netconn_peer(c, i, p) netconn_getaddr(c, i, p, 0)
#define netconn_addr(c, i, p) netconn_getaddr(c, i, p, 1)

err_t netconn_bind(struct netconn *conn, const ip_addr_t *addr, u16_t port);
err_t netconn_bind_if(struct netconn *conn, u8_t if_idx);
err_t netconn_connect(struct netconn *conn, const ip_addr_t *addr, u16_t port);
err_t netconn_disconnect(struct netconn *conn);
err_t netconn_listen_with_backlog(struct netconn *conn, u8_t backlog);
#define netconn_listen(conn) netconn_listen_with_backlog(conn, TCP_DEFAULT_LISTEN_BACKLOG)
err_t netconn_accept(struct netconn *conn, struct netconn **new_conn);

err_t netconn_recv(struct netconn *conn, struct netbuf **new_buf);
err_t netconn_recv_udp_raw_netbuf(struct netconn *conn, struct netbuf **new_buf);
err_t netconn_recv_udp_raw_netbuf_flags(struct netconn *conn, struct netbuf **new_buf,
                                        u8_t apiflags);
err_t netconn_recv_tcp_pbuf(struct netconn *conn, struct pbuf **new_buf);
err_t netconn_recv_tcp_pbuf_flags(struct netconn *conn, struct pbuf **new_buf, u8_t apiflags);
err_t netconn_tcp_recvd(struct netconn *conn, size_t len);

err_t netconn_sendto(struct netconn *conn, struct netbuf *buf, const ip_addr_t *addr, u16_t port);
err_t netconn_send(struct netconn *conn, struct netbuf *buf);
err_t netconn_write_partly(struct netconn *conn, const void *dataptr, size_t size,
                           u8_t apiflags, size_t *bytes_written);
#define netconn_write(conn, dataptr, size, apiflags) \
    netconn_write_partly(conn, dataptr, size, apiflags, NULL)
err_t netconn_close(struct netconn *conn);
err_t netconn_shutdown(struct netconn *conn, u8_t shut_rx, u8_t shut_tx);

err_t netconn_gethostbyname(const char *name, ip_addr_t *addr);
#define netconn_gethostbyname_addrtype(name, addr, dns_addrtype) netconn_gethostbyname(name, addr)

err_t netconn_err(struct netconn *conn);
#define netconn_recv_bufsize(conn) ((conn)->recv_bufsize)

#define netconn_set_flags(conn, set_flags) do { (conn)->flags = (u8_t)((conn)->flags | (set_flags)); } while (0)
#define netconn_clear_flags(conn, clr_flags) do { (conn)->flags = (u8_t)((conn)->flags & (u8_t)(~(clr_flags) & 0xff)); } while (0)
#define netconn_is_flag_set(conn, flag) (((conn)->flags & (flag)) != 0)

#define netconn_set_nonblocking(conn, val) do { if (val) { \
        netconn_set_flags(conn, NETCONN_FLAG_NON_BLOCKING); \
    } else { netconn_clear_flags(conn, NETCONN_FLAG_NON_BLOCKING); } } while (0)
#define netconn_is_nonblocking(conn) (((conn)->flags & NETCONN_FLAG_NON_BLOCKING) != 0)

#if LWIP_SO_SNDTIMEO
#define netconn_set_sendtimeout(conn, timeout) ((conn)->send_timeout = (timeout))
#define netconn_get_sendtimeout(conn) ((conn)->send_timeout)
#endif
#if LWIP_SO_RCVTIMEO
#define netconn_set_recvtimeout(conn, timeout) ((conn)->recv_timeout = (timeout))
#define netconn_get_recvtimeout(conn) ((conn)->recv_timeout)
#endif
#if LWIP_SO_RCVBUF
#define netconn_set_recvbufsize(conn, recvbufsize) ((conn)->recv_bufsize = (recvbufsize))
#define netconn_get_recvbufsize(conn) ((conn)->recv_bufsize)
#endif

#endif
