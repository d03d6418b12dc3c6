/*
 * apps/bench_api/main.c - what one send costs through the sequential API:
 * `make bench`'s netconn and sockets figures (tools/bench_api.py).
 *
 * Built twice: the default (every API call crosses to tcpip_thread as a
 * message in its mailbox and waits on the connection's op_completed) and
 * with -DLWIP_TCPIP_CORE_LOCKING=1 (the calling thread takes the core lock
 * and runs the do_* function itself). The same loops in both, so the
 * difference between the two images is the difference between the two
 * ways of reaching the stack; the stack's own work below is the same.
 *
 * Run under QEMU -icount shift=0, where every guest instruction takes one
 * nanosecond of virtual time: the SysTick clock (ng_arch_cycles64, 80 ns a
 * count) read around a loop gives its instructions, everything included
 * (interrupts, both threads, the switches), as long as the board never
 * went idle during the loop (an idle CPU's skipped time would be counted
 * too): each figure says how often the idle thread was switched in, and
 * 0 is what makes it exact. Context switches are the sum of every
 * thread's switch-in count over the loop.
 *
 * The loops, N calls each, 64 bytes a call:
 *   udp raw      udp_send of a PBUF_REF pbuf, in tcpip_thread (one
 *                tcpip_callback runs the whole loop): the stack below the
 *                API, the floor under the two below
 *   udp netconn  netconn_send of a netbuf_ref'd netbuf, connected netconn
 *   udp socket   lwip_send on a connected UDP socket
 *     all three to the host's UDP sink at udppeer= through slirp: nothing
 *     comes back, so the board does nothing else during the loop
 *   tcp netconn  netconn_write(NETCONN_COPY) on a connected TCP netconn
 *   tcp socket   lwip_send on a connected TCP socket (TCP_NODELAY)
 *     both over loopback (127.0.0.1) to a raw-API sink in tcpip_thread:
 *     no host in the loop, so no idle time waiting for the host's ACKs;
 *     each figure includes the sink's receive and the ACKs coming back,
 *     the same in both images
 *   tcp host     lwip_send on a TCP socket (TCP_NODELAY) to the host's
 *                sink at tcppeer= through slirp: the board's TCP only
 *                sends and takes ACKs, but it waits for them, idle (see
 *                tcp_host_loop for how that loop is counted)
 * Each loop is checked: every call must succeed, and the sinks must have
 * received every byte (the host sink's count is the bench script's check).
 *
 * Prints one line per loop:
 *   bench_api: LOOP: N calls, I.II instructions per call, S.SS switches
 *   per call, idle K
 * Arguments: udppeer=A.B.C.D:PORT (the host's UDP sink; no UDP loops
 * without it), tcppeer=A.B.C.D:PORT (the host's TCP sink; no tcp host loop
 * without it), n=N calls per loop (1000), ip= netmask= gw= (slirp's plan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "kernel.h"
#include "netdemo.h"
#include "port.h"
#include "lwip/api.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#define SEND_SIZE 64
#define SINK_PORT 5555              /* the loopback TCP sink */
#define NS_PER_COUNT (1000000000u / NG_CPU_HZ)      /* = instructions at shift=0 */

static struct netif en;
static ip4_addr_t arg_ip, arg_mask, arg_gw;
static ip_addr_t udp_peer, tcp_peer;
static u16_t udp_peer_port, tcp_peer_port;
static u32_t n_calls;
static sys_sem_t done_sem;
static u8_t payload[SEND_SIZE];
static volatile u32_t sink_bytes;   /* received by the TCP sink (tcpip_thread) */
static int failures;

/* ---- what a loop costs ----------------------------------------------------- */

struct mark {
    uint64_t cycles;
    uint32_t switches;
    uint32_t idle;
};

static void mark_take(struct mark *m)
{
    uint32_t s = 0, idle = 0;
    uint32_t irq = ng_crit_enter();
    for (struct ng_thread *t = ng_all_threads; t != NULL; t = t->all_next) {
        s += t->switches;
        if (t->prio == 0)
            idle += t->switches;
    }
    m->cycles = ng_arch_cycles64();
    ng_crit_exit(irq);
    m->switches = s;
    m->idle = idle;
}

static void report(const char *what, const struct mark *a, const struct mark *b, u32_t n)
{
    uint64_t per100 = (b->cycles - a->cycles) * NS_PER_COUNT * 100u / n;
    uint32_t sw100 = (uint32_t)((uint64_t)(b->switches - a->switches) * 100u / n);
    printf("bench_api: %s: %lu calls, %lu.%02lu instructions per call, "
           "%lu.%02lu switches per call, idle %lu\n", what, (unsigned long)n,
           (unsigned long)(per100 / 100), (unsigned long)(per100 % 100),
           (unsigned long)(sw100 / 100), (unsigned long)(sw100 % 100),
           (unsigned long)(b->idle - a->idle));
}

static void fail(const char *what, int code)
{
    printf("bench_api: %s failed (%d)\n", what, code);
    failures++;
}

/* ---- the UDP loops ----------------------------------------------------------- */

/* In tcpip_thread: N udp_send of a PBUF_REF pbuf, as netconn_send does it. */
static void udp_raw_loop(void *arg)
{
    struct udp_pcb *pcb = udp_new();
    struct mark a, b;
    (void)arg;
    if (pcb == NULL || udp_connect(pcb, &udp_peer, udp_peer_port) != ERR_OK) {
        fail("udp raw: udp_new/udp_connect", 0);
        sys_sem_signal(&done_sem);
        return;
    }
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, SEND_SIZE, PBUF_REF);
        if (p == NULL) {
            fail("udp raw: pbuf_alloc", (int)i);
            break;
        }
        p->payload = payload;
        err_t err = udp_send(pcb, p);
        pbuf_free(p);
        if (err != ERR_OK) {
            fail("udp raw: udp_send", err);
            break;
        }
    }
    mark_take(&b);
    report("udp raw (udp_send in tcpip_thread)", &a, &b, n_calls);
    udp_remove(pcb);
    sys_sem_signal(&done_sem);
}

static void udp_netconn_loop(void)
{
    struct netconn *conn = netconn_new(NETCONN_UDP);
    struct netbuf *buf = netbuf_new();
    struct mark a, b;
    if (conn == NULL || buf == NULL || netconn_connect(conn, &udp_peer, udp_peer_port) != ERR_OK) {
        fail("udp netconn: netconn_new/netbuf_new/netconn_connect", 0);
        return;
    }
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        err_t err = netbuf_ref(buf, payload, SEND_SIZE);
        if (err == ERR_OK)
            err = netconn_send(conn, buf);
        if (err != ERR_OK) {
            fail("udp netconn: netconn_send", err);
            break;
        }
    }
    mark_take(&b);
    report("udp netconn (netconn_send)", &a, &b, n_calls);
    netbuf_delete(buf);
    netconn_delete(conn);
}

/* A sockaddr_in for addr (network order) and port (host order). */
static void sockaddr_set(struct sockaddr_in *to, u32_t addr, u16_t port)
{
    memset(to, 0, sizeof *to);
    to->sin_len = sizeof *to;
    to->sin_family = AF_INET;
    to->sin_port = lwip_htons(port);
    to->sin_addr.s_addr = addr;
}

/* A TCP socket with Nagle off, connected to addr:port; -1 (and the
 * failure reported under what) when that cannot be had. */
static int tcp_connected(const char *what, u32_t addr, u16_t port)
{
    struct sockaddr_in to;
    int one = 1;
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_set(&to, addr, port);
    if (s < 0 || lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        lwip_connect(s, (struct sockaddr *)&to, sizeof to) != 0) {
        fail(what, errno);
        if (s >= 0)
            lwip_close(s);
        return -1;
    }
    return s;
}

static void udp_socket_loop(void)
{
    struct sockaddr_in to;
    struct mark a, b;
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_set(&to, ip4_addr_get_u32(ip_2_ip4(&udp_peer)), udp_peer_port);
    if (s < 0 || lwip_connect(s, (struct sockaddr *)&to, sizeof to) != 0) {
        fail("udp socket: socket/connect", errno);
        return;
    }
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        if (lwip_send(s, payload, SEND_SIZE, 0) != SEND_SIZE) {
            fail("udp socket: lwip_send", errno);
            break;
        }
    }
    mark_take(&b);
    report("udp socket (lwip_send, connected)", &a, &b, n_calls);
    lwip_close(s);
}

/* ---- the TCP loops (loopback, to the raw sink) ---------------------------------- */

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (p == NULL) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
        return ERR_OK;
    }
    sink_bytes += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t sink_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    tcp_recv(pcb, sink_recv);
    return ERR_OK;
}

/* Waits (at most a second) until the sink has had `want` bytes. */
static void sink_wait(const char *what, u32_t want)
{
    for (int i = 0; i < 100 && sink_bytes < want; i++)
        sys_msleep(10);
    if (sink_bytes != want) {
        printf("bench_api: %s: the sink received %lu of %lu bytes\n", what,
               (unsigned long)sink_bytes, (unsigned long)want);
        failures++;
    }
}

/* In tcpip_thread (the PCB is the stack's): Nagle off, as TCP_NODELAY. */
static void nodelay_cb(void *arg)
{
    tcp_nagle_disable((struct tcp_pcb *)arg);
    sys_sem_signal(&done_sem);
}

static void tcp_netconn_loop(void)
{
    struct netconn *conn = netconn_new(NETCONN_TCP);
    ip_addr_t lo;
    struct mark a, b;
    IP_ADDR4(&lo, 127, 0, 0, 1);
    if (conn == NULL || netconn_connect(conn, &lo, SINK_PORT) != ERR_OK) {
        fail("tcp netconn: netconn_new/netconn_connect", 0);
        return;
    }
    /* Every write a segment, as in the socket loop (TCP_NODELAY). */
    if (tcpip_callback(nodelay_cb, conn->pcb.tcp) != ERR_OK) {
        fail("tcp netconn: tcpip_callback", 0);
        return;
    }
    sys_arch_sem_wait(&done_sem, 0);
    sink_bytes = 0;
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        err_t err = netconn_write(conn, payload, SEND_SIZE, NETCONN_COPY);
        if (err != ERR_OK) {
            fail("tcp netconn: netconn_write", err);
            break;
        }
    }
    mark_take(&b);
    report("tcp netconn (netconn_write, loopback)", &a, &b, n_calls);
    sink_wait("tcp netconn", n_calls * SEND_SIZE);
    netconn_close(conn);
    netconn_delete(conn);
}

static void tcp_socket_loop(void)
{
    struct mark a, b;
    int s = tcp_connected("tcp socket: socket/setsockopt/connect", PP_HTONL(INADDR_LOOPBACK),
                          SINK_PORT);
    if (s < 0)
        return;
    sink_bytes = 0;
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        if (lwip_send(s, payload, SEND_SIZE, 0) != SEND_SIZE) {
            fail("tcp socket: lwip_send", errno);
            break;
        }
    }
    mark_take(&b);
    report("tcp socket (lwip_send, loopback, TCP_NODELAY)", &a, &b, n_calls);
    sink_wait("tcp socket", n_calls * SEND_SIZE);
    lwip_close(s);
}

/* To the host's TCP sink through slirp: the board waits for the host's
 * ACKs, so it goes idle during the loop and its clock counts the idle
 * time too. The instructions are then QEMU's count (QMP query-replay),
 * which the bench script reads while the board sleeps in MARK_MS after
 * each "mark" line; the board's own line gives the switches. */
#define MARK_MS 200

static void tcp_host_loop(void)
{
    struct mark a, b;
    int s = tcp_connected("tcp host: socket/setsockopt/connect",
                          ip4_addr_get_u32(ip_2_ip4(&tcp_peer)), tcp_peer_port);
    if (s < 0)
        return;
    printf("bench_api: mark tcp host begin\n");
    sys_msleep(MARK_MS);
    mark_take(&a);
    for (u32_t i = 0; i < n_calls; i++) {
        if (lwip_send(s, payload, SEND_SIZE, 0) != SEND_SIZE) {
            fail("tcp host: lwip_send", errno);
            break;
        }
    }
    mark_take(&b);
    printf("bench_api: mark tcp host end\n");
    sys_msleep(MARK_MS);
    report("tcp host (lwip_send, to the host through slirp, TCP_NODELAY)", &a, &b, n_calls);
    lwip_close(s);
}

/* ---- start-up ----------------------------------------------------------------- */

static void stack_ready(void *arg)
{
    (void)arg;
    netif_add(&en, &arg_ip, &arg_mask, &arg_gw, NULL, ethernetif_init, tcpip_input);
    netif_set_default(&en);
    netif_set_up(&en);
    struct tcp_pcb *l = tcp_new();
    if (l == NULL || tcp_bind(l, IP4_ADDR_ANY, SINK_PORT) != ERR_OK ||
        (l = tcp_listen(l)) == NULL) {
        fail("the TCP sink: tcp_new/tcp_bind/tcp_listen", 0);
    } else {
        tcp_accept(l, sink_accept);
    }
    sys_sem_signal(&done_sem);
}

/* key=A.B.C.D:PORT into addr and port; 0 if absent. */
static int parse_peer(int argc, char **argv, const char *key, ip_addr_t *addr, u16_t *port)
{
    size_t klen = strlen(key);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], key, klen) != 0 || argv[i][klen] != '=')
            continue;
        char a[IP4ADDR_STRLEN_MAX];
        const char *text = argv[i] + klen + 1;
        const char *colon = strchr(text, ':');
        char *end = NULL;
        unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
        int ok = colon != NULL && (size_t)(colon - text) < sizeof a && *end == '\0' &&
                 p != 0 && p <= 65535;
        if (ok) {
            memcpy(a, text, (size_t)(colon - text));
            a[colon - text] = '\0';
            ok = ip4addr_aton(a, ip_2_ip4(addr));
        }
        if (!ok) {
            printf("bench_api: bad %s=%s (want %s=A.B.C.D:PORT)\n", key, text, key);
            ng_exit(NG_EXIT_BAD_ARGS);
        }
        *port = (u16_t)p;
        return 1;
    }
    return 0;
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "udppeer", "tcppeer", "n",
                                        NULL };
    ng_args_check(argc, argv, keys);
    netdemo_parse_addr("bench_api", argc, argv, "ip", "10.0.2.15", &arg_ip);
    netdemo_parse_addr("bench_api", argc, argv, "netmask", "255.255.255.0", &arg_mask);
    netdemo_parse_addr("bench_api", argc, argv, "gw", "10.0.2.2", &arg_gw);
    n_calls = ng_arg_u32(argc, argv, "n", 1000);
    int have_udp = parse_peer(argc, argv, "udppeer", &udp_peer, &udp_peer_port);
    int have_tcp = parse_peer(argc, argv, "tcppeer", &tcp_peer, &tcp_peer_port);
    if (n_calls == 0) {
        printf("bench_api: n= must be at least 1\n");
        return NG_EXIT_BAD_ARGS;
    }
    for (int i = 0; i < SEND_SIZE; i++)
        payload[i] = (u8_t)('a' + i % 26);

    if (sys_sem_new_named(&done_sem, 0, "bench_done") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&done_sem, 0);
    printf("bench_api: up, %s, %lu calls of %d bytes per loop\n",
           LWIP_TCPIP_CORE_LOCKING ? "core locking (LWIP_TCPIP_CORE_LOCKING=1)"
                                   : "mailbox (LWIP_TCPIP_CORE_LOCKING=0)",
           (unsigned long)n_calls, SEND_SIZE);

    if (have_udp) {
        /* One datagram first, so that ARP has resolved the gateway before
         * any loop begins (the first would wait for the reply). */
        int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in to;
        sockaddr_set(&to, ip4_addr_get_u32(ip_2_ip4(&udp_peer)), udp_peer_port);
        if (s < 0 || lwip_sendto(s, payload, SEND_SIZE, 0, (struct sockaddr *)&to,
                                 sizeof to) != SEND_SIZE)
            fail("udp warm-up: lwip_sendto", errno);
        lwip_close(s);
        sys_msleep(200);
        if (tcpip_callback(udp_raw_loop, NULL) != ERR_OK)
            fail("udp raw: tcpip_callback", 0);
        else
            sys_arch_sem_wait(&done_sem, 0);
        udp_netconn_loop();
        udp_socket_loop();
    } else {
        printf("bench_api: no udppeer=: no UDP loops\n");
    }
    tcp_netconn_loop();
    tcp_socket_loop();
    if (have_tcp)
        tcp_host_loop();
    else
        printf("bench_api: no tcppeer=: no TCP loop to the host\n");
    sys_msleep(100);
    printf("bench_api: done, %d failures\n", failures);
    return failures ? 1 : 0;
}
