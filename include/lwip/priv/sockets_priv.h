/*
 * lwip/priv/sockets_priv.h - the socket table and select's waiter list,
 * shared by the parts of the socket layer (api/sockets.c: the table, the
 * calls that make, connect and close sockets, event_callback;
 * api/sockets_io.c: send and receive; api/sockets_opt.c: options, ioctl,
 * fcntl; api/sockets_select.c: select and poll). Not for applications:
 * they use lwip/sockets.h. Exported for the unit tests and the debugger.
 */
#ifndef LWIP_HDR_SOCKETS_PRIV_H
#define LWIP_HDR_SOCKETS_PRIV_H

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

/* lwip_sock.flags: what the socket layer itself knows of its connection. */
#define SOCK_F_PEER       0x01  /* UDP/raw: connect() fixed the peer */
#define SOCK_F_LISTENING  0x02  /* TCP: listen() succeeded */
#define SOCK_F_CONNECTING 0x04  /* TCP: connect() said EINPROGRESS, SO_ERROR not read yet */
#define SOCK_F_SHUT_RD    0x08  /* shutdown(SHUT_RD): recv returns 0 */
#define SOCK_F_SHUT_WR    0x10  /* shutdown(SHUT_WR): send fails with EPIPE */
#define SOCK_F_CONNECTED  0x20  /* TCP: connected (connect returned 0, accepted, or SO_ERROR
                                   found the EINPROGRESS connect done) */
#define SOCK_F_EOF        0x40  /* TCP: recv has seen the end of the stream: readable for good */

/* One socket. The counters are written by event_callback (tcpip_thread or
 * the core lock's holder) and read by select/poll, under SYS_ARCH_PROTECT. */
struct lwip_sock {
    struct netconn *conn;       /* NULL: the slot is free */
    union {
        struct pbuf *pbuf;      /* TCP: the rest of a pbuf a recv did not take */
        struct netbuf *netbuf;  /* UDP/raw: the datagram a MSG_PEEK left */
    } lastdata;
    s16_t rcvevent;             /* RCVPLUS minus RCVMINUS: things waiting in the mailbox */
    u16_t sendevent;            /* 1: there is room to send */
    u16_t errevent;             /* 1: an error happened (until SO_ERROR or the next call) */
    u8_t select_waiting;        /* select/poll calls waiting on this socket */
    u8_t flags;                 /* SOCK_F_*: written by the calls only */
    u8_t fd_used;               /* calls on this socket under way (get_socket .. done_socket) */
    u8_t fd_free_pending;       /* closed: the last call to finish deletes the netconn */
    int err;                    /* the last errno a call on this socket set (diagnostics) */
};

/* One select or poll call waiting: on the caller's stack, on select_cb_list
 * while it sleeps on sem. event_callback signals sem (once: sem_signalled)
 * when a socket in its sets gets an event. */
struct lwip_select_cb {
    struct lwip_select_cb *next;
    struct lwip_select_cb *prev;
    fd_set *readset;            /* select: the sets asked about (NULL: none) */
    fd_set *writeset;
    fd_set *exceptset;
#if LWIP_SOCKET_POLL
    struct pollfd *poll_fds;    /* poll: the array asked about */
    nfds_t poll_nfds;
#endif
    int sem_signalled;
    sys_sem_t sem;              /* "select_sem" */
};

extern struct lwip_sock sockets[NUM_SOCKETS];

/* Would a recv return at once (data, a connection, the end, an error)?
 * Under SYS_ARCH_PROTECT. */
static inline int sock_is_readable(const struct lwip_sock *sock)
{
    return sock->lastdata.pbuf != NULL || sock->rcvevent > 0 || sock->errevent != 0 ||
           (sock->flags & SOCK_F_EOF) != 0;
}

extern struct lwip_select_cb *select_cb_list;

/* The socket of descriptor s, counted as in use until done_socket; NULL
 * with errno EBADF if s is not an open socket (or is being closed). */
struct lwip_sock *get_socket(int s);
/* The end of a call that get_socket began. The last call to finish on a
 * closed socket deletes its netconn and frees the slot: its err_t. */
err_t done_socket(struct lwip_sock *sock);
/* The open socket of s or NULL, not counted, errno untouched (select/poll
 * scans under SYS_ARCH_PROTECT, lwip_socket_netconn). */
struct lwip_sock *tryget_socket(int s);
/* Take a free slot for conn: its descriptor, or -1 when all are used. An
 * accepted netconn brings the RCVPLUS events counted before it had a socket. */
int alloc_socket(struct netconn *conn, int accepted);
/* Give the slot back (and whatever lastdata holds); conn is not touched. */
void free_socket(struct lwip_sock *sock, int is_tcp);
/* Set errno (and sock->err) to e, recorded as SOCK_ERRNO for socket s. */
void sock_set_errno(struct lwip_sock *sock, int s, int e);
/* Signal every select/poll waiter whose sets hold s (any set, any event). */
void select_wake_socket(int s);
/* The netconn callback of every socket. */
void event_callback(struct netconn *conn, enum netconn_evt evt, u16_t len);

/* SO_ERROR: the connection's pending error as an errno (0: none), cleared
 * with errevent; a failed non-blocking connect reports connect's errno. */
int sock_pending_errno(struct lwip_sock *sock);

/* Fill a sockaddr_in from addr/port, copying at most *namelen bytes
 * (POSIX truncation); *namelen becomes sizeof(struct sockaddr_in). */
void sock_fill_name(struct sockaddr *name, socklen_t *namelen, const ip_addr_t *addr, u16_t port);

#endif
