/*
 * apps/net_demo/client.c - the demo's own client: one thread that performs
 * the client-side socket flows of design.md section 1 against listeners
 * on the host, printing the result of every step, then resolves a name
 * and pings. Its trace is what the sequence diagrams of those flows show:
 * socket creation (lwip_socket -> netconn_new -> do_newconn), connect
 * (do_connect, setup_tcp, the SYN, do_connected), send (do_write), receive
 * (recv_tcp -> recvmbox -> lwip_recvfrom -> do_recv), close (do_delconn),
 * and the same for UDP (sendto: do_send -> udp_sendto; recvfrom: recv_udp).
 *
 *  1. TCP (peer=A.B.C.D:PORT, an echo listener): socket, connect, send
 *     send=BYTES bytes of the pattern below, receive as many back and check
 *     every byte, close.
 *  2. UDP (udppeer=A.B.C.D:PORT, an echo listener): socket, sendto a
 *     datagram of the pattern, recvfrom its echo (SO_RCVTIMEO 1 s, up to 3
 *     tries, as UDP may lose one), check it, close.
 *  3. DNS (lookup=NAME): lwip_getaddrinfo, then netconn_gethostbyname (the
 *     second answer comes from the DNS cache).
 *  4. ping (ping.c) the gateway or ping=A.B.C.D, pings=N times.
 * The pattern is echo_raw's: byte i = (i * 7 + (i >> 8) * 13 + (i >> 16) * 29)
 * & 0xff, so the host's checks are the same for both apps.
 */
#include <stdio.h>
#include <string.h>

#include "net_demo.h"
#include "lwip/api.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"

#define CLIENT_UDP_BYTES 256
#define CLIENT_UDP_TRIES 3
#define CLIENT_IO_MS 5000       /* SO_RCVTIMEO / SO_SNDTIMEO of the TCP flow */

static sys_sem_t *done_sem;
static u8_t buf[CLIENT_UDP_BYTES];     /* the TCP flow's chunks, the UDP echo */

static u8_t pattern_byte(u32_t i)
{
    return (u8_t)((i * 7u + (i >> 8) * 13u + (i >> 16) * 29u) & 0xffu);
}

static void step(int ok, const char *what)
{
    if (ok)
        NET_DEMO_ADD(client_steps_ok, 1);
    else
        NET_DEMO_ADD(client_steps_failed, 1);
    if (!ok)
        printf("net_demo: client: %s failed (errno %d)\n", what, errno);
}

static void to_sockaddr(struct sockaddr_in *sa, const ip_addr_t *a, u16_t port)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_len = sizeof *sa;
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    sa->sin_addr.s_addr = ip4_addr_get_u32(a);
}

static void set_timeouts(int fd, u32_t ms)
{
    struct timeval tv = { .tv_sec = (long)(ms / 1000), .tv_usec = (long)(ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void client_tcp(void)
{
    const struct net_demo_config *c = &net_demo_cfg;
    char a[IP4ADDR_STRLEN_MAX];
    ipaddr_ntoa_r(&c->peer, a, sizeof a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    printf("net_demo: client: tcp socket() -> %d\n", fd);
    step(fd >= 0, "tcp socket()");
    if (fd < 0)
        return;
    set_timeouts(fd, CLIENT_IO_MS);
    struct sockaddr_in sa;
    to_sockaddr(&sa, &c->peer, c->peer_port);
    u32_t t0 = sys_now();
    int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    printf("net_demo: client: connect(%s:%u) -> %d in %lu ms\n", a, c->peer_port, r,
           (unsigned long)(sys_now() - t0));
    step(r == 0, "connect()");
    if (r == 0) {
        u32_t sent = 0;
        while (sent < c->send_bytes) {
            u32_t n = c->send_bytes - sent < sizeof buf ? c->send_bytes - sent : sizeof buf;
            for (u32_t k = 0; k < n; k++)
                buf[k] = pattern_byte(sent + k);
            ssize_t k = send(fd, buf, n, 0);
            if (k <= 0)
                break;
            sent += (u32_t)k;
        }
        printf("net_demo: client: send(%lu bytes of the pattern) -> %lu sent\n",
               (unsigned long)c->send_bytes, (unsigned long)sent);
        step(sent == c->send_bytes, "send()");
        u32_t got = 0, bad = 0;
        while (got < sent) {
            ssize_t k = recv(fd, buf, sizeof buf, 0);
            if (k <= 0)
                break;
            for (ssize_t j = 0; j < k; j++)
                bad += buf[j] != pattern_byte(got + (u32_t)j);
            got += (u32_t)k;
        }
        printf("net_demo: client: recv -> %lu of %lu bytes back, %s\n", (unsigned long)got,
               (unsigned long)sent, bad ? "some differ" : got < sent ? "too few" :
               "the pattern intact");
        step(got == sent && bad == 0, "recv()");
    }
    r = close(fd);
    printf("net_demo: client: close(%d) -> %d\n", fd, r);
    step(r == 0, "close()");
}

static void client_udp(void)
{
    const struct net_demo_config *c = &net_demo_cfg;
    char a[IP4ADDR_STRLEN_MAX];
    ipaddr_ntoa_r(&c->udppeer, a, sizeof a);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    printf("net_demo: client: udp socket() -> %d\n", fd);
    step(fd >= 0, "udp socket()");
    if (fd < 0)
        return;
    set_timeouts(fd, 1000);
    struct sockaddr_in to;
    to_sockaddr(&to, &c->udppeer, c->udppeer_port);
    static u8_t dgram[CLIENT_UDP_BYTES];
    for (u32_t k = 0; k < sizeof dgram; k++)
        dgram[k] = pattern_byte(k);
    int ok = 0;
    for (int t = 1; t <= CLIENT_UDP_TRIES && !ok; t++) {
        ssize_t n = sendto(fd, dgram, sizeof dgram, 0, (struct sockaddr *)&to, sizeof to);
        printf("net_demo: client: sendto(%s:%u, %u bytes) -> %ld\n", a, c->udppeer_port,
               (unsigned)sizeof dgram, (long)n);
        if (n != (ssize_t)sizeof dgram)
            break;
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            printf("net_demo: client: recvfrom -> -1 (errno %d), try %d of %d\n", errno, t,
                   CLIENT_UDP_TRIES);
            continue;
        }
        char f[IP4ADDR_STRLEN_MAX];
        ip_addr_t fa;
        ip4_addr_set_u32(&fa, from.sin_addr.s_addr);
        ipaddr_ntoa_r(&fa, f, sizeof f);
        ok = n == (ssize_t)sizeof dgram && memcmp(buf, dgram, sizeof dgram) == 0;
        printf("net_demo: client: recvfrom -> %ld bytes from %s:%u, %s\n", (long)n, f,
               ntohs(from.sin_port), ok ? "the datagram intact" : "not our datagram");
    }
    step(ok, "udp echo");
    int r = close(fd);
    printf("net_demo: client: close(%d) -> %d\n", fd, r);
    step(r == 0, "close()");
}

static void client_dns(const char *name)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    u32_t t0 = sys_now();
    int r = lwip_getaddrinfo(name, NULL, &hints, &res);
    char a[IP4ADDR_STRLEN_MAX] = "-";
    if (r == 0 && res != NULL && res->ai_addr != NULL) {
        const struct sockaddr_in *sa = (const struct sockaddr_in *)(const void *)res->ai_addr;
        ip_addr_t ip;
        ip4_addr_set_u32(&ip, sa->sin_addr.s_addr);
        ipaddr_ntoa_r(&ip, a, sizeof a);
    }
    printf("net_demo: client: getaddrinfo(%s) -> %d, %s in %lu ms\n", name, r, a,
           (unsigned long)(sys_now() - t0));
    step(r == 0, "getaddrinfo()");
    if (res != NULL)
        lwip_freeaddrinfo(res);
    ip_addr_t ip;
    t0 = sys_now();
    err_t err = netconn_gethostbyname(name, &ip);
    if (err == ERR_OK)
        ipaddr_ntoa_r(&ip, a, sizeof a);
    printf("net_demo: client: netconn_gethostbyname(%s) -> %d (%s), %s in %lu ms\n", name,
           err, lwip_strerr(err), err == ERR_OK ? a : "-", (unsigned long)(sys_now() - t0));
    step(err == ERR_OK, "netconn_gethostbyname()");
}

static void client_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    const struct net_demo_config *c = &net_demo_cfg;
    if (c->peer_port)
        client_tcp();
    if (c->udppeer_port)
        client_udp();
    if (c->lookup)
        client_dns(c->lookup);
    if (c->ping_count) {
        int replies = ping_run(&c->ping_target, c->ping_count);
        step(replies > 0, "ping");
    }
    printf("net_demo: client: done, %lu steps ok, %lu failed\n",
           (unsigned long)net_demo_stats.client_steps_ok,
           (unsigned long)net_demo_stats.client_steps_failed);
    sys_sem_signal(done_sem);
}

void client_start(sys_sem_t *client_done)
{
    done_sem = client_done;
    sys_thread_new("client", client_thread, NULL, NET_DEMO_CLIENT_STACK, NET_DEMO_PRIO);
}
