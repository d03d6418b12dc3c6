/*
 * apps/lwip_compat/compat_raw_echo.c - a TCP echo server in the style of an
 * lwIP 2.x application using the raw API: callbacks only, all of them
 * running in tcpip_thread. (See compat_netconn_echo.c for what these files
 * are for.) Data that tcp_write cannot take yet waits in the connection's
 * state and goes out from the sent or poll callback.
 */
#include "lwip/opt.h"
#include "lwip/debug.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#include "compat.h"

struct raw_echo_state {
    struct tcp_pcb *pcb;
    struct pbuf *pending;   /* received, not yet given to tcp_write */
    u8_t closing;           /* the peer closed: close when pending is out */
};

static void raw_echo_free(struct raw_echo_state *es)
{
    if (es->pending != NULL)
        pbuf_free(es->pending);
    mem_free(es);
}

static void raw_echo_close(struct tcp_pcb *pcb, struct raw_echo_state *es)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    raw_echo_free(es);
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

/* Hand as much of the pending chain to tcp_write as fits, one pbuf at a
 * time; tcp_recved opens the window only for what went out. */
static void raw_echo_send(struct tcp_pcb *pcb, struct raw_echo_state *es)
{
    while (es->pending != NULL && es->pending->len <= tcp_sndbuf(pcb)) {
        struct pbuf *p = es->pending;
        u16_t len = p->len;
        if (tcp_write(pcb, p->payload, len, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        es->pending = p->next;
        if (es->pending != NULL)
            pbuf_ref(es->pending);
        pbuf_free(p);
        tcp_recved(pcb, len);
    }
    tcp_output(pcb);
    if (es->pending == NULL && es->closing)
        raw_echo_close(pcb, es);
}

static err_t raw_echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct raw_echo_state *es = (struct raw_echo_state *)arg;

    if (p == NULL) {                        /* the peer's FIN */
        es->closing = 1;
        if (es->pending == NULL)
            raw_echo_close(pcb, es);
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    if (es->pending == NULL)
        es->pending = p;
    else
        pbuf_cat(es->pending, p);
    raw_echo_send(pcb, es);
    return ERR_OK;
}

static err_t raw_echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    LWIP_UNUSED_ARG(len);
    raw_echo_send(pcb, (struct raw_echo_state *)arg);
    return ERR_OK;
}

static err_t raw_echo_poll(void *arg, struct tcp_pcb *pcb)
{
    struct raw_echo_state *es = (struct raw_echo_state *)arg;
    if (es == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    raw_echo_send(pcb, es);
    return ERR_OK;
}

static void raw_echo_error(void *arg, err_t err)
{
    LWIP_UNUSED_ARG(err);
    if (arg != NULL)
        raw_echo_free((struct raw_echo_state *)arg);   /* the PCB is already gone */
}

static err_t raw_echo_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct raw_echo_state *es;
    LWIP_UNUSED_ARG(arg);

    if (err != ERR_OK || newpcb == NULL)
        return ERR_VAL;
    es = (struct raw_echo_state *)mem_malloc(sizeof(struct raw_echo_state));
    if (es == NULL) {
        tcp_abort(newpcb);
        return ERR_ABRT;
    }
    es->pcb = newpcb;
    es->pending = NULL;
    es->closing = 0;
    tcp_arg(newpcb, es);
    tcp_recv(newpcb, raw_echo_recv);
    tcp_sent(newpcb, raw_echo_sent);
    tcp_err(newpcb, raw_echo_error);
    tcp_poll(newpcb, raw_echo_poll, 2);
    tcp_setprio(newpcb, TCP_PRIO_MIN);
    return ERR_OK;
}

/* Call in tcpip_thread (e.g. from tcpip_init's done callback). */
void compat_raw_echo_init(void)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
    err_t err;

    LWIP_ASSERT("raw_echo: no PCB", pcb != NULL);
    err = tcp_bind(pcb, IP_ANY_TYPE, COMPAT_RAW_ECHO_PORT);
    if (err != ERR_OK) {
        LWIP_PLATFORM_DIAG(("raw_echo: cannot bind port %d\n", COMPAT_RAW_ECHO_PORT));
        tcp_abort(pcb);
        return;
    }
    pcb = tcp_listen_with_backlog(pcb, 4);
    LWIP_ASSERT("raw_echo: no listening PCB", pcb != NULL);
    tcp_accept(pcb, raw_echo_accept);
}
