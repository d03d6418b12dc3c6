/*
 * api/tcpip.c - tcpip_thread, the one thread the stack runs in, and the
 * functions other threads use to reach it through its mailbox, tcpip_mbox.
 *
 * Everything that happens inside the stack happens in tcpip_thread, so the
 * protocol code needs no locks. Other threads talk to it with messages
 * (struct tcpip_msg, lwip/priv/tcpip_priv.h):
 *   - a driver's receive thread hands over each frame with tcpip_input,
 *     which only ever trypost's (a full mailbox is a counted drop: a
 *     receive path must never block);
 *   - an application's API call (netconn, sockets) posts TCPIP_MSG_API and
 *     waits on a semaphore until the do_* function has run (the reference
 *     documents call this tcpip_apimsg; lwIP 2.x tcpip_send_msg_wait_sem);
 *   - tcpip_callback runs any function in tcpip_thread, tcpip_timeout arms
 *     a sys_timeout there (the timeout list belongs to tcpip_thread).
 * Between messages tcpip_thread sleeps on its mailbox only until the next
 * timeout is due, then runs sys_check_timeouts (tcpip_timeouts_mbox_fetch).
 *
 * LWIP_TCPIP_CORE_LOCKING = 1 changes one thing: a mutex, lock_tcpip_core,
 * is held by whoever runs stack code. tcpip_thread holds it while it
 * handles a message or runs timers, and an API call takes it and runs its
 * function directly instead of crossing the mailbox. Received packets,
 * callbacks and timeouts still go through the mailbox in both modes.
 *
 * Trace: the mailbox itself records each post and fetch with the message
 * pointer; tcpip_thread adds TCPIP_MSG (type, message, the function it
 * will run) and a LAYER span "tcpip_thread" around the handling, and
 * tcpip_input / tcpip_inpkt have their own spans. Under the core lock an
 * API call records TCPIP_MSG with message 0: "ran directly, no message".
 */
#include "lwip/tcpip.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "trace.h"

/* The trace shows a message's type by the NG_ENUM(msgtype, ...) names. */
#define SAME_(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME_(TCPIP_MSG_API, NG_msgtype_API) &&
               SAME_(TCPIP_MSG_API_CALL, NG_msgtype_API_CALL) &&
               SAME_(TCPIP_MSG_INPKT, NG_msgtype_INPKT) &&
               SAME_(TCPIP_MSG_TIMEOUT, NG_msgtype_TIMEOUT) &&
               SAME_(TCPIP_MSG_UNTIMEOUT, NG_msgtype_UNTIMEOUT) &&
               SAME_(TCPIP_MSG_CALLBACK, NG_msgtype_CALLBACK) &&
               SAME_(TCPIP_MSG_CALLBACK_STATIC, NG_msgtype_CALLBACK_STATIC),
               "enum tcpip_msg_type and events.def's msgtype disagree");
#undef SAME_

sys_mbox_t tcpip_mbox;
sys_thread_t tcpip_thread_handle;
/* tcpip_init's callback for tcpip_thread, and its argument (together: one
 * address to load for both). */
static struct {
    tcpip_init_done_fn fn;
    void *arg;
} tcpip_init_done;

/* The function a message will run, for its TCPIP_MSG record. */
static inline uintptr_t tcpip_msg_handler(const struct tcpip_msg *msg)
{
    switch (msg->type) {
    case TCPIP_MSG_API:
        return (uintptr_t)msg->msg.api_msg.function;
    case TCPIP_MSG_API_CALL:
        return (uintptr_t)msg->msg.api_call.function;
    case TCPIP_MSG_INPKT:
        return (uintptr_t)msg->msg.inp.input_fn;
    case TCPIP_MSG_TIMEOUT:
    case TCPIP_MSG_UNTIMEOUT:
        return (uintptr_t)msg->msg.tmo.h;
    case TCPIP_MSG_CALLBACK:
    case TCPIP_MSG_CALLBACK_STATIC:
        return (uintptr_t)msg->msg.cb.function;
    }
    return 0;
}

/* ---- the core lock: one of the two flavours -------------------------------- */

#if LWIP_TCPIP_CORE_LOCKING

sys_mutex_t lock_tcpip_core;

static void tcpip_core_lock_init(void)
{
    err_t err = sys_mutex_new_named(&lock_tcpip_core, "lock_tcpip_core");
    LWIP_ASSERT("tcpip_init: cannot create lock_tcpip_core", err == ERR_OK);
}

/* The caller takes the lock and runs fn itself; fn does not signal sem
 * (api_msg's ACK is a no-op under the core lock, as in lwIP). */
err_t tcpip_send_msg_wait_sem(tcpip_callback_fn fn, void *apimsg, sys_sem_t *sem)
{
    (void)sem;
    LOCK_TCPIP_CORE();
    NG_TRACE2(TCPIP_MSG, TCPIP_MSG_API, 0, (uintptr_t)fn);
    fn(apimsg);
    UNLOCK_TCPIP_CORE();
    return ERR_OK;
}

err_t tcpip_api_call(tcpip_api_call_fn fn, struct tcpip_api_call_data *call)
{
    LOCK_TCPIP_CORE();
    NG_TRACE2(TCPIP_MSG, TCPIP_MSG_API_CALL, 0, (uintptr_t)fn);
    call->err = fn(call);
    UNLOCK_TCPIP_CORE();
    return call->err;
}

#else /* every API call crosses tcpip_mbox */

static void tcpip_core_lock_init(void)
{
}

/* Post TCPIP_MSG_API and wait until fn, running in tcpip_thread, signals
 * sem. The message lives on the caller's stack: the caller cannot return
 * before tcpip_thread is done with it. */
err_t tcpip_send_msg_wait_sem(tcpip_callback_fn fn, void *apimsg, sys_sem_t *sem)
{
    struct tcpip_msg msg;
    msg.type = TCPIP_MSG_API;
    msg.msg.api_msg.function = fn;
    msg.msg.api_msg.msg = apimsg;
    sys_mbox_post(&tcpip_mbox, &msg);
    sys_arch_sem_wait(sem, 0);
    return ERR_OK;
}

/* Post TCPIP_MSG_API_CALL; tcpip_thread stores fn's result in call->err
 * and signals a semaphore of this call. */
err_t tcpip_api_call(tcpip_api_call_fn fn, struct tcpip_api_call_data *call)
{
    sys_sem_t sem;
    err_t err = sys_sem_new_named(&sem, 0, "api_call");
    if (err != ERR_OK)
        return err;
    call->sem = &sem;
    struct tcpip_msg msg;
    msg.type = TCPIP_MSG_API_CALL;
    msg.msg.api_call.function = fn;
    msg.msg.api_call.arg = call;
    msg.msg.api_call.sem = &sem;
    sys_mbox_post(&tcpip_mbox, &msg);
    sys_arch_sem_wait(&sem, 0);
    sys_sem_free(&sem);
    call->sem = NULL;
    return call->err;
}

#endif

/* ---- tcpip_thread ------------------------------------------------------------ */

/* Wait for the next message, but only until the next timeout is due; run
 * the due timeouts whenever the wait ends without a message. The core lock
 * is let go only while waiting. */
static void tcpip_timeouts_mbox_fetch(sys_mbox_t *mbox, void **msg)
{
    for (;;) {
        u32_t sleep = sys_timeouts_sleeptime();
        if (sleep == 0) {
            sys_check_timeouts();
            continue;
        }
        UNLOCK_TCPIP_CORE();
        u32_t waited = sys_arch_mbox_fetch(mbox, msg,
                                           sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 0 : sleep);
        LOCK_TCPIP_CORE();
        if (waited != SYS_ARCH_TIMEOUT)
            return;
        sys_check_timeouts();
    }
}

/* Run one message, then free it if it came from a pool. After the work of
 * an API message is done its caller may return at once, so the message is
 * not touched again. */
static void tcpip_thread_handle_msg(struct tcpip_msg *msg)
{
    NG_TRACE2(TCPIP_MSG, msg->type, (uintptr_t)msg, tcpip_msg_handler(msg));
    NG_TRACE1(LAYER_ENTER, NG_layer_tcpip_thread, (uintptr_t)msg);
    switch (msg->type) {
    case TCPIP_MSG_API:
        msg->msg.api_msg.function(msg->msg.api_msg.msg);   /* it signals the caller */
        break;
    case TCPIP_MSG_API_CALL:
        msg->msg.api_call.arg->err = msg->msg.api_call.function(msg->msg.api_call.arg);
        sys_sem_signal(msg->msg.api_call.sem);
        break;
    case TCPIP_MSG_INPKT: {
        struct pbuf *p = msg->msg.inp.p;
        /* lwIP's contract: an input function that does not return ERR_OK
         * did not take the packet (ethernet_input and ip4_input always do). */
        if (msg->msg.inp.input_fn(p, msg->msg.inp.netif) != ERR_OK) {
            NG_DROP(INPUT_REFUSED, p);
            pbuf_free(p);
        }
        memp_free(MEMP_TCPIP_MSG_INPKT, msg);
        break;
    }
    case TCPIP_MSG_TIMEOUT:
        sys_timeout(msg->msg.tmo.msecs, msg->msg.tmo.h, msg->msg.tmo.arg);
        memp_free(MEMP_TCPIP_MSG_API, msg);
        break;
    case TCPIP_MSG_UNTIMEOUT:
        sys_untimeout(msg->msg.tmo.h, msg->msg.tmo.arg);
        memp_free(MEMP_TCPIP_MSG_API, msg);
        break;
    case TCPIP_MSG_CALLBACK:
        msg->msg.cb.function(msg->msg.cb.ctx);
        memp_free(MEMP_TCPIP_MSG_API, msg);
        break;
    case TCPIP_MSG_CALLBACK_STATIC:
        msg->msg.cb.function(msg->msg.cb.ctx);     /* the message is its owner's */
        break;
    /* No default: every message is built by a function of this file, with
     * one of these types, and without a default -Wswitch (-Werror) makes
     * a new type that has no case here a compile error. */
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_tcpip_thread);
}

static void tcpip_thread(void *arg)
{
    (void)arg;
    LOCK_TCPIP_CORE();
    if (tcpip_init_done.fn != NULL)
        tcpip_init_done.fn(tcpip_init_done.arg);   /* in this thread, as lwIP does */
    for (;;) {
        void *msg;
        tcpip_timeouts_mbox_fetch(&tcpip_mbox, &msg);
        LWIP_ASSERT("tcpip_thread: NULL message", msg != NULL);
        tcpip_thread_handle_msg(msg);
    }
}

/* The stack first (so it is complete before any message can arrive), then
 * the mailbox, then the thread, which preempts the caller when it is the
 * more urgent: init_done may well have run when tcpip_init returns. */
void tcpip_init(tcpip_init_done_fn initfunc, void *arg)
{
    lwip_init();
    tcpip_init_done.fn = initfunc;
    tcpip_init_done.arg = arg;
    err_t err = sys_mbox_new_named(&tcpip_mbox, TCPIP_MBOX_SIZE, "tcpip_mbox");
    LWIP_ASSERT("tcpip_init: cannot create tcpip_mbox", err == ERR_OK);
    tcpip_core_lock_init();
    tcpip_thread_handle = sys_thread_new(TCPIP_THREAD_NAME, tcpip_thread, NULL,
                                         TCPIP_THREAD_STACKSIZE, TCPIP_THREAD_PRIO);
}

/* ---- received packets ------------------------------------------------------ */

/* Queue p for input_fn in tcpip_thread. Never blocks: with no message left
 * or a full mailbox the packet is counted as dropped (NO_MEMORY, MBOX_FULL)
 * and ERR_MEM returned; as in lwIP the caller still owns p then and frees
 * it (the drop is already counted here, where it was decided). */
err_t tcpip_inpkt(struct pbuf *p, struct netif *inp, netif_input_fn input_fn)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcpip_inpkt, (uintptr_t)p);
    struct tcpip_msg *msg = memp_malloc(MEMP_TCPIP_MSG_INPKT);
    if (msg == NULL) {
        NG_DROP(NO_MEMORY, p);
        NG_TRACE0(LAYER_EXIT, NG_layer_tcpip_inpkt);
        return ERR_MEM;
    }
    msg->type = TCPIP_MSG_INPKT;
    msg->msg.inp.p = p;
    msg->msg.inp.netif = inp;
    msg->msg.inp.input_fn = input_fn;
    if (sys_mbox_trypost(&tcpip_mbox, msg) != ERR_OK) {
        NG_DROP(MBOX_FULL, p);
        memp_free(MEMP_TCPIP_MSG_INPKT, msg);
        NG_TRACE0(LAYER_EXIT, NG_layer_tcpip_inpkt);
        return ERR_MEM;
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_tcpip_inpkt);
    return ERR_OK;
}

/* netif->input of a driver: Ethernet frames go to ethernet_input, bare IP
 * packets (an interface without a link layer) to ip4_input. */
err_t tcpip_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_tcpip_input, (uintptr_t)p);
    netif_input_fn fn = (inp->flags & (NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET)) ?
                        ethernet_input : ip4_input;
    err_t err = tcpip_inpkt(p, inp, fn);
    NG_TRACE0(LAYER_EXIT, NG_layer_tcpip_input);
    return err;
}

/* ---- callbacks and timeouts -------------------------------------------------- */

static struct tcpip_msg *callback_msg_alloc(enum tcpip_msg_type type,
                                            tcpip_callback_fn function, void *ctx)
{
    struct tcpip_msg *msg = memp_malloc(MEMP_TCPIP_MSG_API);
    if (msg == NULL)
        return NULL;
    msg->type = type;
    msg->msg.cb.function = function;
    msg->msg.cb.ctx = ctx;
    return msg;
}

/* Post a callback message: waiting while the mailbox is full (block), or
 * ERR_MEM then. (Not inlined: each caller would get its own copy.) */
static __attribute__((noinline)) err_t callback_post(tcpip_callback_fn function, void *ctx,
                                                     int block)
{
    struct tcpip_msg *msg = callback_msg_alloc(TCPIP_MSG_CALLBACK, function, ctx);
    if (msg == NULL)
        return ERR_MEM;
    if (block) {
        sys_mbox_post(&tcpip_mbox, msg);
    } else if (sys_mbox_trypost(&tcpip_mbox, msg) != ERR_OK) {
        memp_free(MEMP_TCPIP_MSG_API, msg);
        return ERR_MEM;
    }
    return ERR_OK;
}

/* Run function(ctx) in tcpip_thread; waits while the mailbox is full. */
err_t tcpip_callback(tcpip_callback_fn function, void *ctx)
{
    return callback_post(function, ctx, 1);
}

/* The same without waiting: ERR_MEM when the mailbox is full. */
err_t tcpip_try_callback(tcpip_callback_fn function, void *ctx)
{
    return callback_post(function, ctx, 0);
}

/* A callback message allocated once and posted many times (from anywhere,
 * interrupts included: trypost is safe there), e.g. by a driver that must
 * not fail for want of a message at the worst moment. */
struct tcpip_callback_msg *tcpip_callbackmsg_new(tcpip_callback_fn function, void *ctx)
{
    return (struct tcpip_callback_msg *)callback_msg_alloc(TCPIP_MSG_CALLBACK_STATIC,
                                                          function, ctx);
}

void tcpip_callbackmsg_delete(struct tcpip_callback_msg *msg)
{
    memp_free(MEMP_TCPIP_MSG_API, msg);
}

err_t tcpip_callbackmsg_trycallback(struct tcpip_callback_msg *msg)
{
    return sys_mbox_trypost(&tcpip_mbox, msg) == ERR_OK ? ERR_OK : ERR_MEM;
}

err_t tcpip_callbackmsg_trycallback_fromisr(struct tcpip_callback_msg *msg)
{
    return sys_mbox_trypost_fromisr(&tcpip_mbox, msg) == ERR_OK ? ERR_OK : ERR_MEM;
}

static err_t tcpip_timeout_msg(enum tcpip_msg_type type, u32_t msecs, sys_timeout_handler h,
                               void *arg)
{
    struct tcpip_msg *msg = memp_malloc(MEMP_TCPIP_MSG_API);
    if (msg == NULL)
        return ERR_MEM;
    msg->type = type;
    msg->msg.tmo.msecs = msecs;
    msg->msg.tmo.h = h;
    msg->msg.tmo.arg = arg;
    sys_mbox_post(&tcpip_mbox, msg);
    return ERR_OK;
}

/* sys_timeout / sys_untimeout from another thread: the list is tcpip_thread's. */
err_t tcpip_timeout(u32_t msecs, sys_timeout_handler h, void *arg)
{
    return tcpip_timeout_msg(TCPIP_MSG_TIMEOUT, msecs, h, arg);
}

err_t tcpip_untimeout(sys_timeout_handler h, void *arg)
{
    return tcpip_timeout_msg(TCPIP_MSG_UNTIMEOUT, 0, h, arg);
}

/* Free a pbuf or heap memory from a context that must not run stack code
 * (lwIP's pbuf_free_callback, mem_free_callback). */
static void pbuf_free_int(void *p)
{
    pbuf_free(p);
}

err_t pbuf_free_callback(struct pbuf *p)
{
    return tcpip_try_callback(pbuf_free_int, p);
}

err_t mem_free_callback(void *m)
{
    return tcpip_try_callback(mem_free, m);
}
