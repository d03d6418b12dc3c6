/*
 * apps/net_demo/chargen.c - the character generator service (RFC 864) on
 * TCP port 19: once connected, a client receives an endless stream of
 * text, and whatever it sends is thrown away. One thread serves up to
 * CHARGEN_CLIENTS clients at once with select and non-blocking sends.
 *
 * The stream is the one RFC 864 suggests: the 95 printable ASCII
 * characters (32 .. 126) in a ring, 72 of them per line followed by CR LF,
 * each line starting one character further along the ring than the one
 * before. So line n (from 0) holds characters ' ' + (n + k) % 95 for
 * k = 0 .. 71. Each client keeps its place in the stream (the line and the
 * offset in it), so a send that takes only part of what was offered loses
 * nothing: the next one goes on from the first byte not taken.
 *
 * The loop: select waits for the listening socket to be readable (a
 * connection to accept), each client to be writable (room in its send
 * buffer: SENDPLUS from sent_tcp) or readable (data to drop, its FIN, or
 * an error). A fifth client is accepted and closed at once (counted as
 * refused): leaving it in the backlog would keep the listener readable and
 * select would return at once, forever.
 *
 * The clients' send queues share the stack's heap (MEM_SIZE): two that do
 * not read can hold all of it, and a send to another then returns
 * EWOULDBLOCK with nothing queued. Nothing here needs to retry: the
 * netconn's poll makes that socket writable again within a second, and
 * select hands it back to the loop (docs/api.md, "Limits worth knowing").
 */
#include <stdio.h>
#include <string.h>

#include "net_demo.h"
#include "lwip/sockets.h"

#define CHARGEN_CLIENTS 4
#define CHARGEN_LINE 72                 /* characters per line (RFC 864) */
#define CHARGEN_RING 95                 /* printable ASCII: 32 .. 126 */
#define CHARGEN_PERIOD (CHARGEN_LINE + 2)   /* bytes per line, CR LF included */
#define CHARGEN_CHUNK 536               /* bytes offered per send */

struct chargen_client {
    int fd;                             /* -1: free */
    u32_t line;                         /* the line the next byte belongs to */
    u32_t offset;                       /* ... and its place in that line */
    u32_t sent;
};

static struct chargen_client clients[CHARGEN_CLIENTS];
static char chunk[CHARGEN_CHUNK];

/* Fill buf with n bytes of the stream from (line, offset) on. */
static void chargen_fill(char *buf, size_t n, u32_t line, u32_t offset)
{
    for (size_t i = 0; i < n; i++) {
        if (offset < CHARGEN_LINE)
            buf[i] = (char)(' ' + (line + offset) % CHARGEN_RING);
        else
            buf[i] = offset == CHARGEN_LINE ? '\r' : '\n';
        if (++offset == CHARGEN_PERIOD) {
            offset = 0;
            line++;
        }
    }
}

static void chargen_drop(struct chargen_client *c, const char *why)
{
    printf("net_demo: chargen: client on socket %d %s after %lu bytes\n", c->fd, why,
           (unsigned long)c->sent);
    close(c->fd);
    c->fd = -1;
    NET_DEMO_ADD(chargen_open, -1);
}

/* Send as much of the stream as the send buffer takes now. */
static void chargen_send(struct chargen_client *c)
{
    chargen_fill(chunk, sizeof chunk, c->line, c->offset);
    ssize_t n = send(c->fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EWOULDBLOCK && errno != EAGAIN)
            chargen_drop(c, errno == ECONNRESET ? "reset" : "failed");
        return;
    }
    c->sent += (u32_t)n;
    NET_DEMO_ADD(chargen_bytes, n);
    u32_t pos = c->offset + (u32_t)n;
    c->line += pos / CHARGEN_PERIOD;
    c->offset = pos % CHARGEN_PERIOD;
}

/* The client sent something: drop it; 0 bytes is its FIN. */
static void chargen_read(struct chargen_client *c)
{
    char sink[64];
    ssize_t n = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0)
        chargen_drop(c, "closed");
    else if (n < 0 && errno != EWOULDBLOCK && errno != EAGAIN)
        chargen_drop(c, errno == ECONNRESET ? "reset" : "failed");
}

static void chargen_accept(int listener)
{
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        return;
    for (int i = 0; i < CHARGEN_CLIENTS; i++) {
        if (clients[i].fd < 0) {
            int on = 1;
            ioctl(fd, FIONBIO, &on);
            clients[i] = (struct chargen_client){ .fd = fd };
            NET_DEMO_ADD(chargen_conns, 1);
            NET_DEMO_ADD(chargen_open, 1);
            return;
        }
    }
    NET_DEMO_ADD(chargen_refused, 1);
    close(fd);
}

static void chargen_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    for (int i = 0; i < CHARGEN_CLIENTS; i++)
        clients[i].fd = -1;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_port = htons(NET_DEMO_CHARGEN_PORT);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    err_t err = ERR_OK;
    if (listener < 0 || bind(listener, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(listener, CHARGEN_CLIENTS) < 0) {
        printf("net_demo: chargen: socket/bind/listen on port %d: errno %d\n",
               NET_DEMO_CHARGEN_PORT, errno);
        err = ERR_VAL;
    }
    net_demo_ready("chargen", err);
    if (err != ERR_OK)
        return;
    for (;;) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_SET(listener, &rd);
        int maxfd = listener;
        for (int i = 0; i < CHARGEN_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            FD_SET(clients[i].fd, &rd);
            FD_SET(clients[i].fd, &wr);
            if (clients[i].fd > maxfd)
                maxfd = clients[i].fd;
        }
        int n = select(maxfd + 1, &rd, &wr, NULL, NULL);
        if (n < 0) {
            printf("net_demo: chargen: select: errno %d\n", errno);
            sys_msleep(100);
            continue;
        }
        for (int i = 0; i < CHARGEN_CLIENTS; i++) {
            struct chargen_client *c = &clients[i];
            if (c->fd >= 0 && FD_ISSET(c->fd, &rd))
                chargen_read(c);
            if (c->fd >= 0 && FD_ISSET(c->fd, &wr))
                chargen_send(c);
        }
        if (FD_ISSET(listener, &rd))
            chargen_accept(listener);
    }
}

void chargen_start(void)
{
    sys_thread_new("chargen", chargen_thread, NULL, NET_DEMO_CHARGEN_STACK, NET_DEMO_PRIO);
}
