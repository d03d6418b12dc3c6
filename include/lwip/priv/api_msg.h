/*
 * lwip/priv/api_msg.h - the message between a netconn call (api/api_lib.c,
 * the application's thread) and its do_* function (api/api_msg.c,
 * tcpip_thread), and the stack-side functions.
 *
 * The crossing (what the reference documents call tcpip_apimsg):
 *   netconn_xxx fills a struct api_msg on its own stack (msg.conn, the
 *   arguments in msg.msg) and calls tcpip_apimsg(do_xxx, &msg), which
 *   posts TCPIP_MSG_API to tcpip_mbox and waits on msg.conn->op_completed
 *   (tcpip_send_msg_wait_sem). In tcpip_thread, do_xxx does the work,
 *   stores the result in msg->err and signals op_completed
 *   (TCPIP_APIMSG_ACK). tcpip_apimsg returns msg.err.
 * With LWIP_TCPIP_CORE_LOCKING = 1, tcpip_apimsg takes the core lock and
 * calls do_xxx itself; TCPIP_APIMSG_ACK does nothing then. A do_* that must
 * wait for the network (do_connect until do_connected, do_write until all
 * is queued, do_close until the FIN is out) then lets the lock go and waits
 * on op_completed itself, inside the do_* function (the callbacks that end
 * the wait, do_connected / sent_tcp / poll_tcp, signal op_completed in
 * both modes, because the caller is waiting in both).
 *
 * Rules the two sides keep:
 *  - an api_msg lives on the app's stack until tcpip_apimsg returns, so the
 *    stack side never keeps a pointer to it past the ACK (current_msg is
 *    cleared before the ACK of a write or close);
 *  - do_* run only in tcpip_thread (or under the core lock), and only they
 *    and the raw-API callbacks touch conn->pcb;
 *  - the netconn's callback (event_callback) is called by the stack side
 *    with API_EVENT, never with the core lock let go.
 */
#ifndef LWIP_HDR_API_MSG_H
#define LWIP_HDR_API_MSG_H

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/ip_addr.h"
#include "lwip/priv/tcpip_priv.h"

struct api_msg {
    struct netconn *conn;   /* the netconn the call is about */
    err_t err;              /* the result, set by the do_* function */
    union {
        struct netbuf *b;   /* do_send: what to send (netbuf->addr/port for sendto) */
        struct {
            u8_t proto;     /* do_newconn: raw protocol number */
        } n;
        struct {
            const ip_addr_t *ipaddr;  /* do_bind, do_connect */
            u16_t port;
            u8_t if_idx;              /* do_bind_if */
        } bc;
        struct {
            ip_addr_t *ipaddr;  /* do_getaddr: results */
            u16_t *port;
            u8_t local;         /* 1: our end, 0: the peer's */
        } ad;
        struct {
            const void *dataptr;  /* do_write: the data ... */
            size_t len;           /* ... its length; on return: bytes queued */
            size_t offset;        /* bytes queued so far (do_writemore) */
            u8_t apiflags;        /* NETCONN_COPY / MORE / DONTBLOCK */
#if LWIP_SO_SNDTIMEO
            u32_t time_started;   /* sys_now() at the start: send_timeout counts from here */
#endif
        } w;
        struct {
            size_t len;     /* do_recv: bytes the app took (tcp_recved) */
        } r;
        struct {
            u8_t shut;      /* do_close: NETCONN_SHUT_RD | NETCONN_SHUT_WR */
#if LWIP_SO_SNDTIMEO || LWIP_SO_LINGER
            u32_t time_started;
#endif
        } sd;
        struct {
            u8_t backlog;   /* do_listen */
        } lb;
    } msg;
};

/* msg.sd.shut */
#define NETCONN_SHUT_RD   1
#define NETCONN_SHUT_WR   2
#define NETCONN_SHUT_RDWR (NETCONN_SHUT_RD | NETCONN_SHUT_WR)

/* netconn_gethostbyname's message: it has no netconn, so its own semaphore. */
struct dns_api_msg {
    const char *name;
    ip_addr_t *addr;
    sys_sem_t *sem;
    err_t *err;
};

/* Signal the caller that a do_* is done (no-op under the core lock, where
 * the caller called do_* itself). */
#if LWIP_TCPIP_CORE_LOCKING
#define TCPIP_APIMSG_ACK(m) do { (void)(m); } while (0)
#else
#define TCPIP_APIMSG_ACK(m) sys_sem_signal(&(m)->conn->op_completed)
#endif

/* Tell the netconn's callback (event_callback for a socket). One function
 * (api_msg.c) rather than the test and call at each of the many places. */
void netconn_api_event(struct netconn *conn, enum netconn_evt evt, u16_t len);
#define API_EVENT(c, e, l) netconn_api_event((c), (e), (l))

/* conn->flags, which both sides share, read and changed under
 * SYS_ARCH_PROTECT (api_msg.c): is flag set? set the bits of set, then
 * clear those of clr. */
int netconn_flag_get(struct netconn *conn, u8_t flag);
void netconn_flags_update(struct netconn *conn, u8_t set, u8_t clr);

/* ---- api/api_lib.c -------------------------------------------------------------- */
/* The crossing to tcpip_thread: run fn(msg) there (or under the core lock)
 * and return msg->err. */
err_t tcpip_apimsg(tcpip_callback_fn fn, struct api_msg *msg);

/* ---- api/api_msg.c: run in tcpip_thread (or under the core lock) ------------------ */
void do_newconn(void *m);       /* pcb_new: the PCB of conn->type */
void do_delconn(void *m);       /* detach and free the PCB, close the mailboxes */
void do_bind(void *m);
void do_bind_if(void *m);
void do_connect(void *m);       /* TCP: waits for do_connected; UDP/raw: sets the peer */
void do_disconnect(void *m);    /* UDP: forget the peer */
void do_listen(void *m);        /* tcp_listen_with_backlog, acceptmbox, accept_function */
void do_send(void *m);          /* UDP/raw: udp_send(to) / raw_send(to) of msg.b */
void do_recv(void *m);          /* TCP: tcp_recved(msg.r.len) */
void do_write(void *m);         /* TCP: do_writemore until all is queued (or the timeout) */
void do_getaddr(void *m);
void do_close(void *m);         /* close or shutdown (msg.sd.shut) */
void do_gethostbyname(void *arg);   /* arg: struct dns_api_msg */

/* Memory of a netconn (api/api_msg.c): the NETCONN pool, op_completed and
 * recvmbox created (the mailbox sized by the type), callback set, socket
 * -1, timeouts 0, recv_bufsize RECV_BUFSIZE_DEFAULT. NULL when any of it
 * cannot be had. netconn_free frees the mailboxes (they must be empty or
 * invalid), the semaphore and the netconn. */
struct netconn *netconn_alloc(enum netconn_type t, netconn_callback callback);
void netconn_free(struct netconn *conn);

/* Stand-in messages in recvmbox / acceptmbox for what is not a pbuf or
 * netconn: "the peer closed" (TCP FIN), "reset", "aborted", "closed".
 * lwIP posts the address of a static byte for each; lwip_netconn_is_err_msg
 * tells them apart from data and says which error it means. */
int lwip_netconn_is_err_msg(void *msg, err_t *err);
void *lwip_netconn_err_to_msg(err_t err);
/* Post err's stand-in to each mailbox conn has (trypost: a full box is
 * left as it is), waking a recv or accept blocked there. */
void netconn_post_stand_in(struct netconn *conn, err_t err);

#endif
