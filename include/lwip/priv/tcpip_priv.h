/*
 * lwip/priv/tcpip_priv.h - the message that crosses tcpip_mbox.
 *
 * Everything tcpip_thread does arrives as a struct tcpip_msg on its
 * mailbox: an API call from an application thread (TCPIP_MSG_API, the
 * caller then waits on a semaphore until the do_* function is done), a
 * received packet from a driver (TCPIP_MSG_INPKT), a callback, or a request
 * to (un)arm a timeout. Shapes and names as in lwIP 2.x.
 */
#ifndef LWIP_HDR_TCPIP_PRIV_H
#define LWIP_HDR_TCPIP_PRIV_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

struct pbuf;
struct netif;
typedef void (*tcpip_callback_fn)(void *ctx);
typedef err_t (*netif_input_fn)(struct pbuf *p, struct netif *inp);

struct tcpip_api_call_data {
    err_t err;
    sys_sem_t *sem;
};
typedef err_t (*tcpip_api_call_fn)(struct tcpip_api_call_data *call);

enum tcpip_msg_type {
    TCPIP_MSG_API,              /* run msg.api_msg.function(msg), then the caller's sem */
    TCPIP_MSG_API_CALL,
    TCPIP_MSG_INPKT,            /* a received packet: msg.inp */
    TCPIP_MSG_TIMEOUT,          /* sys_timeout(msg.tmo) in tcpip_thread */
    TCPIP_MSG_UNTIMEOUT,
    TCPIP_MSG_CALLBACK,         /* run msg.cb.function(ctx), free the message */
    TCPIP_MSG_CALLBACK_STATIC   /* the same, the message is the caller's */
};

struct tcpip_msg {
    enum tcpip_msg_type type;
    union {
        struct {
            tcpip_callback_fn function;
            void *msg;
        } api_msg;
        struct {
            tcpip_api_call_fn function;
            struct tcpip_api_call_data *arg;
            sys_sem_t *sem;
        } api_call;
        struct {
            struct pbuf *p;
            struct netif *netif;
            netif_input_fn input_fn;
        } inp;
        struct {
            tcpip_callback_fn function;
            void *ctx;
        } cb;
        struct {
            u32_t msecs;
            sys_timeout_handler h;
            void *arg;
        } tmo;
    } msg;
};

/* Send an API message and wait on sem until its function has run. */
err_t tcpip_send_msg_wait_sem(tcpip_callback_fn fn, void *apimsg, sys_sem_t *sem);
err_t tcpip_api_call(tcpip_api_call_fn fn, struct tcpip_api_call_data *call);

#endif
