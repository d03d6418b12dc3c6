/*
 * apps/echo_raw/main.c - the echo service (RFC 862) written against
 * lwIP's raw API only, on UDP port 7 and on TCP port 7, and a TCP client
 * that sends a stream of known bytes to a host.
 *
 * UDP: every datagram that reaches port 7 goes back to its sender
 * unchanged. The recv callback owns the pbuf and frees it once sent.
 *
 * TCP: a listening PCB on port 7 (tcp_new, tcp_bind,
 * tcp_listen_with_backlog, tcp_accept). Each connection gets a small
 * state (struct echo_conn, from a static array of MEMP_NUM_TCP_PCB: more
 * connections than PCBs cannot exist, and one that finds the array full
 * anyway is refused with tcp_abort) and the five callbacks. What arrives
 * is handed to tcp_write (TCP_WRITE_FLAG_COPY) as far as tcp_sndbuf
 * allows; the rest of the pbuf chain stays pending, and the sent callback
 * (room again) or the poll callback (tcp_write said ERR_MEM) go on with
 * it. tcp_recved is called only for bytes handed to tcp_write, so the
 * receive window is the back-pressure: a peer that does not read its
 * echo is slowed down to its own pace, never answered with a reset. When
 * the peer closes its side (FIN: the recv callback's p == NULL) the
 * connection is closed (tcp_close) as soon as everything pending has been
 * written; a close that fails with ERR_MEM is tried again from the poll
 * callback. The err callback (reset by the peer, aborted) frees the state.
 * The pending data sits in pool pbufs: apps/echo_raw/lwipopts.h sizes the
 * windows and the pool so that 8 connections cannot fill it (see there).
 *
 * Client (connect=A.B.C.D:PORT send=BYTES): after start-up the board
 * connects to A.B.C.D:PORT (tcp_connect) and sends BYTES bytes of this
 * pattern, byte i of the stream (i counted from 0) being
 *     (i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff
 * (so no 64 KiB piece of it repeats within 16 MiB: a lost, doubled or
 * misplaced segment changes the stream's hash), then closes. It prints
 * the time from the handshake to the acknowledgement of the last byte and
 * the rate, or why the connection failed (refused, no answer, reset).
 * Whatever the peer sends back is read and thrown away.
 *
 * Start-up is the one of apps/ping_demo: tcpip_init starts tcpip_thread,
 * whose done callback adds the Stellaris Ethernet interface with a static
 * address, brings it up and makes the PCBs. Every raw-API callback runs in
 * tcpip_thread, so they call the stack directly. The stack answers ARP
 * (RFC 826) and ping (RFC 792) by itself.
 *
 * At its time limit the app waits (at most SETTLE_MS) for connections
 * still closing, then prints what it echoed and sent, the stack's
 * statistics (stats_display), and whether every pool and the heap are back
 * to their levels after start-up: a leak shows there, and in the exit
 * status. A PCB in TIME_WAIT is no leak (RFC 9293 3.6: the side that
 * closed first keeps it for 2 MSL, two minutes here, after the connection
 * has ended): the app counts them, says so, and leaves them, and the TCP
 * timer they keep armed, out of the check.
 *
 * Arguments (each one more arg= of -semihosting-config):
 *   ip=A.B.C.D netmask=A.B.C.D gw=A.B.C.D  address (10.0.2.15/24, gateway 10.0.2.2)
 *   limit=SECONDS    stop after this long (0: serve until QEMU stops)
 *   connect=A.B.C.D:PORT   also be a client: connect there after start-up ...
 *   send=BYTES       ... and send this many bytes of the pattern (default 4194304)
 * Any other argument stops the run with status 127. The exit status is 0,
 * or 1 if a pool or the heap did not come back to its start-up level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "kernel.h"
#include "netdemo.h"
#include "lwip/ip4_addr.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
/* Read-only, for the report: the PCB lists, to count the connections still
 * closing and those in TIME_WAIT (lwIP has no public call for that). */
#include "lwip/priv/tcp_priv.h"

#define ECHO_PORT 7             /* RFC 862 */
#define ECHO_CONNS MEMP_NUM_TCP_PCB     /* states; there cannot be more connections */
#define ECHO_POLL 1             /* poll callback every slow tick (500 ms) */
#define SETTLE_MS 5000          /* at the limit, wait this long at most for closing PCBs */
#define SETTLE_STEP_MS 100
#define CLIENT_SEND_DEFAULT (4u * 1024u * 1024u)

static struct netif en;
static ip4_addr_t arg_ip, arg_mask, arg_gw;
static sys_sem_t ready_sem, report_sem;
static struct udp_pcb *echo_pcb;
static struct tcp_pcb *echo_listener;
static err_t echo_setup_err;
static const char *echo_setup_what;

/* Start-up levels of every pool and of the heap, taken in tcpip_thread. */
static struct netdemo_levels boot_levels;

/* ---- the UDP echo: written and read only in tcpip_thread -------------------- */
static struct {
    u32_t datagrams, bytes;     /* received on port 7 */
    u32_t echoed, echoed_bytes; /* sent back (udp_sendto said ERR_OK) */
    u32_t send_errors;
    err_t last_err;
} echo;

/* ---- the TCP echo: written and read only in tcpip_thread -------------------- */
struct echo_conn {
    struct tcp_pcb *pcb;        /* NULL: this slot is free */
    struct pbuf *pending;       /* received, not yet handed to tcp_write (nor tcp_recved) */
    u8_t peer_closed;           /* the peer's FIN arrived */
    u8_t mem_blocked;           /* tcp_write said ERR_MEM: waits for heap, not for its own ACKs */
};
static struct echo_conn conns[ECHO_CONNS];

static struct {
    u32_t accepted;             /* connections handed to the accept callback and kept */
    u32_t refused;              /* aborted in the accept callback: no free state */
    u32_t accept_errors;        /* accept callback called with an error */
    u32_t closed;               /* closed by us after the peer's FIN (tcp_close said ERR_OK) */
    u32_t reset;                /* err callback ERR_RST: reset by the peer */
    u32_t aborted;              /* err callback, any other error (ERR_ABRT: timeouts, memory) */
    u32_t close_retries;        /* tcp_close said ERR_MEM, tried again from poll */
    u32_t write_mem;            /* tcp_write said ERR_MEM: went on from sent or poll */
    u32_t bytes_in;             /* received (the recv callbacks' pbufs) */
    u32_t bytes_out;            /* handed to tcp_write (and so tcp_recved) */
    u32_t bytes_acked;          /* acknowledged by the peers (sent callbacks) */
    u32_t bytes_dropped;        /* pending when a connection was reset or aborted */
    u16_t open, open_max;       /* states in use now, and the most at once */
    err_t last_err;             /* the last error of the err callback or tcp_write */
} tcp_echo;

/* ---- the TCP client: written in tcpip_thread ------------------------------- */
static struct {
    u8_t wanted;                /* connect= given */
    u8_t connected, done, failed;
    ip_addr_t addr;
    u16_t port;
    u32_t total;                /* send= */
    u32_t queued;               /* handed to tcp_write */
    u32_t acked;                /* acknowledged */
    u32_t discarded;            /* bytes the peer sent us (thrown away) */
    u32_t write_mem;            /* tcp_write said ERR_MEM */
    u32_t t_start, t_connected, t_acked;    /* sys_now() */
    err_t err;                  /* why it failed */
    struct tcp_pcb *pcb;        /* NULL once closed or failed */
} client;
static u8_t client_buf[512];        /* one chunk of the pattern, copied by tcp_write */

/* ---- in tcpip_thread: UDP ---------------------------------------------------- */

/* RFC 862 (UDP based echo service): send the data back to where it came
 * from. p's payload is the data; udp_sendto puts the headers in front of
 * it again, in the space the received ones left. */
static void echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port)
{
    (void)arg;
    ip_addr_t peer;
    ip_addr_copy(peer, *addr);  /* addr points into the stack's current-packet state */
    u16_t len = p->tot_len;
    echo.datagrams++;
    echo.bytes += len;
    err_t err = udp_sendto(pcb, p, &peer, port);
    if (err == ERR_OK) {
        echo.echoed++;
        echo.echoed_bytes += len;
    } else {
        echo.send_errors++;
        echo.last_err = err;
    }
    pbuf_free(p);               /* the send functions never free p */
}

/* ---- in tcpip_thread: the TCP echo -------------------------------------------- */

static err_t echo_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t echo_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static err_t echo_tcp_poll(void *arg, struct tcp_pcb *pcb);
static void echo_tcp_err(void *arg, err_t err);

/* Register (conn) or clear (NULL) every callback of pcb. */
static void echo_callbacks(struct tcp_pcb *pcb, struct echo_conn *conn)
{
    tcp_arg(pcb, conn);
    tcp_recv(pcb, conn ? echo_tcp_recv : NULL);
    tcp_sent(pcb, conn ? echo_tcp_sent : NULL);
    tcp_err(pcb, conn ? echo_tcp_err : NULL);
    tcp_poll(pcb, conn ? echo_tcp_poll : NULL, ECHO_POLL);
}

static void echo_conn_free(struct echo_conn *conn)
{
    if (conn->pending != NULL) {
        tcp_echo.bytes_dropped += conn->pending->tot_len;
        pbuf_free(conn->pending);
    }
    memset(conn, 0, sizeof *conn);
    tcp_echo.open--;
}

/* Everything was echoed and the peer has closed: close our side too
 * (RFC 9293 3.6: CLOSE in CLOSE-WAIT queues our FIN behind the data). The
 * callbacks go first, so that none can reach the freed state; tcp_close
 * may fail with ERR_MEM (no segment for the FIN): then they come back and
 * the poll callback tries again. */
static void echo_close(struct echo_conn *conn)
{
    struct tcp_pcb *pcb = conn->pcb;
    echo_callbacks(pcb, NULL);
    err_t err = tcp_close(pcb);
    if (err == ERR_OK) {
        tcp_echo.closed++;
        echo_conn_free(conn);
    } else {
        tcp_echo.close_retries++;
        echo_callbacks(pcb, conn);
    }
}

/* Drop the first n bytes of the pending chain (whole pbufs are freed, a
 * partly written one is advanced), then any empty pbufs at its head. */
static void echo_consume(struct echo_conn *conn, u16_t n)
{
    struct pbuf *q = pbuf_free_header(conn->pending, n);
    while (q != NULL && q->len == 0) {
        struct pbuf *rest = q->next;
        q->next = NULL;         /* the chain's reference to rest becomes ours */
        pbuf_free(q);
        q = rest;
    }
    conn->pending = q;
}

/* Hand as much pending data to tcp_write as the send buffer takes; give the
 * window back for exactly what was taken (tcp_recved) and, with output,
 * send it (tcp_output). The callbacks of conn's own PCB pass output 0:
 * the stack sends what they queued as soon as they return, in one go
 * (tcp_input after recv and sent, tcp_slowtmr after poll; a tcp_output of
 * ours there would only return at once), so only another connection that
 * a sent callback pushes needs its own. Closes when the peer has closed
 * and nothing is left. Returns ERR_ABRT if the connection had to be
 * aborted (the state is freed then), else ERR_OK. */
static err_t echo_push(struct echo_conn *conn, int output)
{
    struct tcp_pcb *pcb = conn->pcb;
    u32_t taken = 0;
    if (conn->pending != NULL)
        echo_consume(conn, 0);  /* a chain may start with an empty pbuf */
    while (conn->pending != NULL) {
        struct pbuf *q = conn->pending;
        u16_t room = tcp_sndbuf(pcb);
        if (room == 0)
            break;              /* the sent callback goes on */
        u16_t n = LWIP_MIN(q->len, room);
        /* MORE (no PSH) while the chain goes on: one push per burst. */
        u8_t flags = TCP_WRITE_FLAG_COPY;
        if (n < q->tot_len)
            flags |= TCP_WRITE_FLAG_MORE;
        err_t err = tcp_write(pcb, q->payload, n, flags);
        if (err == ERR_MEM) {
            tcp_echo.write_mem++;   /* no segment or heap now: sent or poll go on */
            conn->mem_blocked = 1;
            break;
        }
        conn->mem_blocked = 0;
        if (err != ERR_OK) {
            tcp_echo.last_err = err;
            tcp_abort(pcb);     /* the err callback frees conn */
            return ERR_ABRT;
        }
        taken += n;
        echo_consume(conn, n);
    }
    if (taken > 0) {
        tcp_echo.bytes_out += taken;
        /* pending never holds more than one window, so taken fits a u16 */
        tcp_recved(pcb, (u16_t)taken);
        if (output)
            tcp_output(pcb);
    }
    if (conn->pending == NULL && conn->peer_closed)
        echo_close(conn);
    return ERR_OK;
}

/* Data (p) or the peer's FIN (p == NULL). The pbuf joins the pending chain. */
static err_t echo_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct echo_conn *conn = arg;
    LWIP_ASSERT("echo_tcp_recv: state of another PCB", conn != NULL && conn->pcb == pcb);
    if (p == NULL) {
        conn->peer_closed = 1;
        return echo_push(conn, 0);
    }
    if (err != ERR_OK) {        /* lwIP never passes one with data; take it all the same */
        tcp_echo.last_err = err;
    }
    tcp_echo.bytes_in += p->tot_len;
    if (conn->pending == NULL)
        conn->pending = p;
    else
        pbuf_cat(conn->pending, p);
    return echo_push(conn, 0);
}

/* len bytes were acknowledged: room in the send buffer for more. The
 * heap those bytes held is free again too, so the other connections whose
 * tcp_write found no memory go on now as well: they may have nothing in
 * flight, and no ACK of their own would ever wake them (only the poll
 * callback, half a second later). */
static err_t echo_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct echo_conn *conn = arg;
    LWIP_UNUSED_ARG(pcb);
    tcp_echo.bytes_acked += len;
    err_t err = echo_push(conn, 0);
    for (unsigned i = 0; i < ECHO_CONNS; i++) {
        struct echo_conn *other = &conns[i];
        if (other != conn && other->pcb != NULL && other->mem_blocked)
            (void)echo_push(other, 1);  /* an abort there frees only that one */
    }
    return err;
}

/* Every 500 ms: go on after an ERR_MEM of tcp_write or tcp_close. */
static err_t echo_tcp_poll(void *arg, struct tcp_pcb *pcb)
{
    struct echo_conn *conn = arg;
    LWIP_UNUSED_ARG(pcb);
    return echo_push(conn, 0);
}

/* The connection is gone (the PCB already freed): reset by the peer, or
 * aborted by the stack (retransmission limit, memory). */
static void echo_tcp_err(void *arg, err_t err)
{
    struct echo_conn *conn = arg;
    if (conn == NULL)
        return;
    if (err == ERR_RST)
        tcp_echo.reset++;
    else
        tcp_echo.aborted++;
    tcp_echo.last_err = err;
    echo_conn_free(conn);
}

static err_t echo_tcp_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    if (err != ERR_OK || newpcb == NULL) {
        tcp_echo.accept_errors++;
        return ERR_VAL;
    }
    struct echo_conn *conn = NULL;
    for (int i = 0; i < ECHO_CONNS && conn == NULL; i++)
        if (conns[i].pcb == NULL)
            conn = &conns[i];
    if (conn == NULL) {
        tcp_echo.refused++;
        tcp_abort(newpcb);
        return ERR_ABRT;        /* we aborted it: the stack must not touch it */
    }
    conn->pcb = newpcb;
    tcp_echo.accepted++;
    if (++tcp_echo.open > tcp_echo.open_max)
        tcp_echo.open_max = tcp_echo.open;
    echo_callbacks(newpcb, conn);
    return ERR_OK;
}

/* The listening PCB of port 7. Any failure is noted for main to print. */
static void echo_tcp_setup(void)
{
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL) {
        echo_setup_err = ERR_MEM;
        echo_setup_what = "tcp_new";
        return;
    }
    err_t err = tcp_bind(pcb, IP_ADDR_ANY, ECHO_PORT);
    if (err != ERR_OK) {
        tcp_close(pcb);
        echo_setup_err = err;
        echo_setup_what = "tcp_bind";
        return;
    }
    struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, ECHO_CONNS, &err);
    if (lpcb == NULL) {
        tcp_close(pcb);         /* tcp_listen failed: pcb is still ours */
        echo_setup_err = err;
        echo_setup_what = "tcp_listen";
        return;
    }
    echo_listener = lpcb;
    tcp_accept(lpcb, echo_tcp_accept);
}

/* ---- in tcpip_thread: the TCP client ------------------------------------------ */

/* Byte i of the client's stream (see the top of the file). */
static u8_t pattern_byte(u32_t i)
{
    return (u8_t)(i * 7u + (i >> 8) * 13u + (i >> 16) * 29u);
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static err_t client_poll(void *arg, struct tcp_pcb *pcb);
static void client_err(void *arg, err_t err);

static void client_callbacks(struct tcp_pcb *pcb, int on)
{
    tcp_recv(pcb, on ? client_recv : NULL);
    tcp_sent(pcb, on ? client_sent : NULL);
    tcp_err(pcb, on ? client_err : NULL);
    tcp_poll(pcb, on ? client_poll : NULL, ECHO_POLL);
}

static u32_t client_rate(u32_t bytes, u32_t ms)
{
    return (u32_t)((uint64_t)bytes * 1000u / (ms ? ms : 1));
}

/* Everything was acknowledged: say how long it took, then close (our FIN;
 * this side will be the one in TIME_WAIT). ERR_MEM: poll tries again. */
static void client_finish(struct tcp_pcb *pcb)
{
    if (!client.done) {
        client.done = 1;
        client.t_acked = sys_now();
        u32_t ms = client.t_acked - client.t_connected;
        printf("echo_raw: client: %lu bytes sent and acknowledged in %lu ms (%lu bytes/s)\n",
               (unsigned long)client.acked, (unsigned long)ms,
               (unsigned long)client_rate(client.acked, ms));
    }
    client_callbacks(pcb, 0);
    if (tcp_close(pcb) == ERR_OK) {
        client.pcb = NULL;
    } else {
        client_callbacks(pcb, 1);
    }
}

/* Queue as much of the pattern as the send buffer takes, then send it. */
static void client_push(struct tcp_pcb *pcb)
{
    u32_t queued = client.queued;
    while (client.queued < client.total) {
        u16_t room = tcp_sndbuf(pcb);
        if (room == 0)
            break;
        u32_t n = LWIP_MIN(LWIP_MIN((u32_t)room, client.total - client.queued),
                           (u32_t)sizeof client_buf);
        for (u32_t k = 0; k < n; k++)
            client_buf[k] = pattern_byte(client.queued + k);
        err_t err = tcp_write(pcb, client_buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
        if (err == ERR_MEM) {
            client.write_mem++;
            break;
        }
        if (err != ERR_OK) {
            client.err = err;
            client.failed = 1;
            client.pcb = NULL;
            printf("echo_raw: client: tcp_write: %s, aborting\n", lwip_strerr(err));
            client_callbacks(pcb, 0);
            tcp_abort(pcb);
            return;
        }
        client.queued += n;
    }
    if (client.queued != queued)
        tcp_output(pcb);
    if (client.acked == client.total)
        client_finish(pcb);
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(err);       /* always ERR_OK in lwIP: failures go to client_err */
    client.connected = 1;
    client.t_connected = sys_now();
    printf("echo_raw: client: connected in %lu ms, sending %lu bytes\n",
           (unsigned long)(client.t_connected - client.t_start), (unsigned long)client.total);
    client_push(pcb);
    return client.pcb == NULL && client.failed ? ERR_ABRT : ERR_OK;
}

static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    LWIP_UNUSED_ARG(arg);
    client.acked += len;
    client_push(pcb);
    return client.pcb == NULL && client.failed ? ERR_ABRT : ERR_OK;
}

/* The peer should send nothing; whatever it does is consumed and dropped.
 * Its FIN (p == NULL) changes nothing: a half-closed connection still
 * carries our data (RFC 9293 3.6). */
static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(err);
    if (p != NULL) {
        client.discarded += p->tot_len;
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static err_t client_poll(void *arg, struct tcp_pcb *pcb)
{
    LWIP_UNUSED_ARG(arg);
    if (client.connected)
        client_push(pcb);
    return client.pcb == NULL && client.failed ? ERR_ABRT : ERR_OK;
}

/* The connection failed, the PCB is gone: refused (a RST answered the
 * SYN), no answer (the SYN retransmissions ran out), or reset later. */
static void client_err(void *arg, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    client.err = err;
    client.failed = 1;
    client.pcb = NULL;
    char a[IP4ADDR_STRLEN_MAX];
    ipaddr_ntoa_r(&client.addr, a, sizeof a);
    if (!client.connected)
        printf("echo_raw: client: connect to %s:%u failed: %s\n", a, client.port,
               err == ERR_RST ? "refused (reset)" :
               err == ERR_ABRT ? "no answer (SYN retransmissions ran out)" : lwip_strerr(err));
    else
        printf("echo_raw: client: connection to %s:%u %s after %lu of %lu bytes acknowledged\n",
               a, client.port, err == ERR_RST ? "reset" : "aborted", (unsigned long)client.acked,
               (unsigned long)client.total);
}

/* Sent as an API message from main once the start-up line is printed. */
static void client_start(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    client.t_start = sys_now();
    struct tcp_pcb *pcb = tcp_new();
    err_t err = ERR_MEM;
    if (pcb != NULL) {
        client_callbacks(pcb, 1);
        err = tcp_connect(pcb, &client.addr, client.port, client_connected);
        if (err != ERR_OK) {
            client_callbacks(pcb, 0);
            tcp_abort(pcb);
        }
    }
    if (err == ERR_OK) {
        client.pcb = pcb;
    } else {
        client.err = err;
        client.failed = 1;
        printf("echo_raw: client: tcp_connect: %s\n", lwip_strerr(err));
    }
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);
}

/* ---- in tcpip_thread: start-up and report ------------------------------------ */

/* tcpip_init's done callback: the interface, the PCBs, then the levels. */
static void stack_ready(void *arg)
{
    (void)arg;
    netif_add(&en, &arg_ip, &arg_mask, &arg_gw, NULL, ethernetif_init, tcpip_input);
    netif_set_default(&en);
    netif_set_up(&en);
    echo_pcb = udp_new();
    if (echo_pcb == NULL) {
        echo_setup_err = ERR_MEM;
        echo_setup_what = "udp_new";
    } else {
        echo_setup_err = udp_bind(echo_pcb, IP_ADDR_ANY, ECHO_PORT);
        if (echo_setup_err == ERR_OK)
            udp_recv(echo_pcb, echo_recv, NULL);
        else
            echo_setup_what = "udp_bind";
    }
    if (echo_setup_err == ERR_OK)
        echo_tcp_setup();
    netdemo_levels_take(&boot_levels);
    sys_sem_signal(&ready_sem);
}

static int pcb_count(const struct tcp_pcb *list)
{
    int n = 0;
    for (; list != NULL; list = list->next)
        n++;
    return n;
}

/* What is still open at the limit: connections of ours, and PCBs the stack
 * holds in SYN_RCVD .. LAST_ACK (ours after tcp_close among them) and in
 * TIME_WAIT. */
struct census {
    int conns, active, tw;
};

static void take_census(void *arg)
{
    struct census *c = arg;
    c->conns = tcp_echo.open + (client.pcb != NULL);
    c->active = pcb_count(tcp_active_pcbs);
    c->tw = pcb_count(tcp_tw_pcbs);
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);
}

/* Sent as an API message (tcpip_send_msg_wait_sem), so the figures are
 * taken in tcpip_thread while nothing is being echoed. */
static void report(void *arg)
{
    int *leaks = arg;
    printf("echo_raw: udp port %u: %lu datagrams %lu bytes received, "
           "%lu datagrams %lu bytes echoed, %lu send errors\n",
           ECHO_PORT, (unsigned long)echo.datagrams, (unsigned long)echo.bytes,
           (unsigned long)echo.echoed, (unsigned long)echo.echoed_bytes,
           (unsigned long)echo.send_errors);
    if (echo.send_errors)
        printf("echo_raw: last send error: %s\n", lwip_strerr(echo.last_err));
    printf("echo_raw: tcp port %u: %lu accepted, %lu refused, %lu closed, %lu reset, "
           "%lu aborted, %u open, at most %u at once\n",
           ECHO_PORT, (unsigned long)tcp_echo.accepted, (unsigned long)tcp_echo.refused,
           (unsigned long)tcp_echo.closed, (unsigned long)tcp_echo.reset,
           (unsigned long)tcp_echo.aborted, (unsigned)tcp_echo.open,
           (unsigned)tcp_echo.open_max);
    printf("echo_raw: tcp port %u: %lu bytes received, %lu echoed, %lu acknowledged, "
           "%lu dropped by resets\n",
           ECHO_PORT, (unsigned long)tcp_echo.bytes_in, (unsigned long)tcp_echo.bytes_out,
           (unsigned long)tcp_echo.bytes_acked, (unsigned long)tcp_echo.bytes_dropped);
    printf("echo_raw: tcp port %u: %lu tcp_write ERR_MEM, %lu tcp_close retries, "
           "%lu accept errors\n",
           ECHO_PORT, (unsigned long)tcp_echo.write_mem, (unsigned long)tcp_echo.close_retries,
           (unsigned long)tcp_echo.accept_errors);
    if (tcp_echo.reset + tcp_echo.aborted)
        printf("echo_raw: tcp port %u: last error: %s\n", ECHO_PORT,
               lwip_strerr(tcp_echo.last_err));
    if (client.wanted) {
        char a[IP4ADDR_STRLEN_MAX];
        ipaddr_ntoa_r(&client.addr, a, sizeof a);
        const char *how = client.failed ? "failed" : client.done ? "done" :
                          client.connected ? "unfinished" : "not connected";
        printf("echo_raw: client to %s:%u: %s, %lu of %lu bytes queued, %lu acknowledged, "
               "%lu received and dropped, %lu tcp_write ERR_MEM\n",
               a, client.port, how, (unsigned long)client.queued, (unsigned long)client.total,
               (unsigned long)client.acked, (unsigned long)client.discarded,
               (unsigned long)client.write_mem);
        if (client.failed)
            printf("echo_raw: client: error: %s\n", lwip_strerr(client.err));
    }
    netdemo_print_netif("echo_raw", &en);
    stats_display();

    /* TIME_WAIT PCBs are the protocol's, not leaks (RFC 9293 3.6): they
     * may hold one MEMP_TCP_PCB each, and while any exists the TCP timer
     * stays armed (one SYS_TIMEOUT entry). Nothing else: their queues
     * were purged when they entered TIME_WAIT. */
    struct netdemo_levels allowed = boot_levels;
    int tw = pcb_count(tcp_tw_pcbs);
    if (tw > 0) {
        printf("echo_raw: TIME_WAIT: %d TCP PCBs (no leak: each ends 2 MSL after its close)\n",
               tw);
        allowed.pools[MEMP_TCP_PCB] = (u16_t)(allowed.pools[MEMP_TCP_PCB] + tw);
        allowed.pools[MEMP_SYS_TIMEOUT]++;
    }
    *leaks = netdemo_levels_check("echo_raw", &allowed);
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);    /* under the core lock the caller does not wait */
}

/* ---- in main ------------------------------------------------------------------- */

/* connect=A.B.C.D:PORT; anything malformed stops the run with status 127. */
static void parse_connect(int argc, char **argv)
{
    const char *text = NULL;
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "connect=", 8) == 0)
            text = argv[i] + 8;
    if (text == NULL)
        return;
    char addr[IP4ADDR_STRLEN_MAX];
    const char *colon = strchr(text, ':');
    size_t alen = colon ? (size_t)(colon - text) : 0;
    char *end = NULL;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    int dots = 0;
    for (size_t k = 0; k < alen; k++)
        dots += text[k] == '.';
    if (colon == NULL || alen == 0 || alen >= sizeof addr || dots != 3 || end == colon + 1 ||
        *end != '\0' || port == 0 || port > 0xffff) {
        printf("echo_raw: bad connect=%s (want connect=A.B.C.D:PORT)\n", text);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    if (!ip4addr_aton(addr, ip_2_ip4(&client.addr))) {
        printf("echo_raw: bad connect=%s (want connect=A.B.C.D:PORT)\n", text);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    client.port = (u16_t)port;
    client.wanted = 1;
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "limit", "connect", "send",
                                        NULL };
    ng_args_check(argc, argv, keys);
    netdemo_parse_addr("echo_raw", argc, argv, "ip", "10.0.2.15", &arg_ip);
    netdemo_parse_addr("echo_raw", argc, argv, "netmask", "255.255.255.0", &arg_mask);
    netdemo_parse_addr("echo_raw", argc, argv, "gw", "10.0.2.2", &arg_gw);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    parse_connect(argc, argv);
    client.total = ng_arg_u32(argc, argv, "send", CLIENT_SEND_DEFAULT);
    u32_t start = sys_now();

    if (sys_sem_new_named(&ready_sem, 0, "echo_ready") != ERR_OK ||
        sys_sem_new_named(&report_sem, 0, "echo_report") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    if (echo_setup_err != ERR_OK) {
        printf("echo_raw: %s for port %u: %s\n", echo_setup_what, ECHO_PORT,
               lwip_strerr(echo_setup_err));
        return 1;
    }
    char ip[IP4ADDR_STRLEN_MAX], mask[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];
    printf("echo_raw: %c%c%u up, hwaddr %02x:%02x:%02x:%02x:%02x:%02x, ip %s mask %s gw %s\n",
           en.name[0], en.name[1], en.num, en.hwaddr[0], en.hwaddr[1], en.hwaddr[2],
           en.hwaddr[3], en.hwaddr[4], en.hwaddr[5], ip4addr_ntoa_r(&arg_ip, ip, sizeof ip),
           ip4addr_ntoa_r(&arg_mask, mask, sizeof mask), ip4addr_ntoa_r(&arg_gw, gw, sizeof gw));
    if (client.wanted) {
        printf("echo_raw: client: connecting to %s:%u to send %lu bytes\n",
               ipaddr_ntoa_r(&client.addr, ip, sizeof ip), client.port,
               (unsigned long)client.total);
        tcpip_send_msg_wait_sem(client_start, NULL, &report_sem);
    }

    if (limit == 0) {
        printf("echo_raw: echoing on udp and tcp port %u until QEMU is stopped\n", ECHO_PORT);
        for (;;)
            sys_msleep(1000);
    }
    printf("echo_raw: echoing on udp and tcp port %u for %lu s\n", ECHO_PORT,
           (unsigned long)limit);
    u32_t spent = sys_now() - start;
    if (spent < limit * 1000u)
        sys_msleep(limit * 1000u - spent);
    printf("echo_raw: time limit of %lu s reached\n", (unsigned long)limit);

    /* Connections still closing (a FIN or its ACK on the way) get a moment. */
    struct census c;
    u32_t waited = 0;
    for (;;) {
        tcpip_send_msg_wait_sem(take_census, &c, &report_sem);
        if ((c.conns == 0 && c.active == 0) || waited >= SETTLE_MS)
            break;
        sys_msleep(SETTLE_STEP_MS);
        waited += SETTLE_STEP_MS;
    }
    if (waited > 0 || c.conns > 0 || c.active > 0)
        printf("echo_raw: waited %lu ms for closing connections: %d of ours and %d TCP PCBs "
               "still active\n", (unsigned long)waited, c.conns, c.active);
    int leaks;
    tcpip_send_msg_wait_sem(report, &leaks, &report_sem);
    printf("echo_raw: done%s\n", leaks ? " (with leaks)" : "");
    return leaks ? 1 : 0;   /* a leak fails the run, for scripts that only see the status */
}
