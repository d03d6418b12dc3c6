/*
 * lwip/tcpip.h - starting the stack's thread and talking to it.
 *
 * tcpip_init() creates tcpip_thread and its mailbox tcpip_mbox. Drivers
 * hand received packets over with tcpip_input() (which only trypost's, so
 * it is safe to call from the receive thread and never blocks; a full
 * mailbox is a counted drop). Anything else runs in tcpip_thread through
 * tcpip_callback(). With LWIP_TCPIP_CORE_LOCKING = 1, API calls take the
 * core lock instead of crossing the mailbox.
 */
#ifndef LWIP_HDR_TCPIP_H
#define LWIP_HDR_TCPIP_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/timeouts.h"
#include "lwip/netif.h"
#include "lwip/priv/tcpip_priv.h"

#if LWIP_TCPIP_CORE_LOCKING
extern sys_mutex_t lock_tcpip_core;
#define LOCK_TCPIP_CORE() sys_mutex_lock(&lock_tcpip_core)
#define UNLOCK_TCPIP_CORE() sys_mutex_unlock(&lock_tcpip_core)
#else
#define LOCK_TCPIP_CORE()
#define UNLOCK_TCPIP_CORE()
#endif

typedef void (*tcpip_init_done_fn)(void *arg);

struct tcpip_callback_msg;

void tcpip_init(tcpip_init_done_fn tcpip_init_done, void *arg);
err_t tcpip_inpkt(struct pbuf *p, struct netif *inp, netif_input_fn input_fn);
err_t tcpip_input(struct pbuf *p, struct netif *inp);
err_t tcpip_try_callback(tcpip_callback_fn function, void *ctx);
err_t tcpip_callback(tcpip_callback_fn function, void *ctx);
#define tcpip_callback_with_block(function, ctx, block) \
    ((block) ? tcpip_callback(function, ctx) : tcpip_try_callback(function, ctx))
struct tcpip_callback_msg *tcpip_callbackmsg_new(tcpip_callback_fn function, void *ctx);
void tcpip_callbackmsg_delete(struct tcpip_callback_msg *msg);
err_t tcpip_callbackmsg_trycallback(struct tcpip_callback_msg *msg);
err_t tcpip_callbackmsg_trycallback_fromisr(struct tcpip_callback_msg *msg);
err_t tcpip_timeout(u32_t msecs, sys_timeout_handler h, void *arg);
err_t tcpip_untimeout(sys_timeout_handler h, void *arg);

/* Free from a thread that must not run stack code: in tcpip_thread. */
err_t pbuf_free_callback(struct pbuf *p);
err_t mem_free_callback(void *m);

/* netglass: the mailbox and thread, for tests, statistics and GDB. */
extern sys_mbox_t tcpip_mbox;
extern sys_thread_t tcpip_thread_handle;

#endif
