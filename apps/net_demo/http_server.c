/*
 * apps/net_demo/http_server.c - an HTTP/1.1 server on TCP port 80, written
 * against the BSD sockets API, that serves the stack's live statistics:
 *     GET /            an HTML page (stats_page.c)
 *     GET /stats.json  the same figures as JSON
 * HEAD of either gives the headers alone; any other path is 404, other
 * methods 405, malformed requests 400, oversized request lines 414 and
 * heads 431 (http_parse.c decides which).
 *
 * Connections are persistent (RFC 9112 9.3): every answer carries
 * Content-Length, so one connection carries request after request until
 * the client closes it, asks for "Connection: close", makes an error, or
 * stays silent for HTTP_IDLE_MS (SO_RCVTIMEO): a client that connects and
 * says nothing cannot hold a thread for longer than that. A request begun
 * and not finished within that time gets 408.
 *
 * Concurrency: HTTP_THREADS threads share the listening socket, taking
 * turns at accept (a mutex makes sure only one waits in accept at a time)
 * and each serving its connection to the end. Why threads and not select:
 * a request is a sequence of blocking steps (recv, a snapshot taken in
 * tcpip_thread, two renderings, sends), which reads best as straight-line
 * code, and each thread's SO_RCVTIMEO is its own request timeout; select
 * is shown by chargen.c. The cost is a stack and a buffer per thread, so
 * the pool is small: HTTP_THREADS clients are served at once and further
 * connections wait in the listen backlog (the acceptmbox) for a thread.
 *
 * An answer that closes the connection is followed by a lingering close:
 * shutdown(SHUT_WR) sends our FIN, then what the client still sends is
 * read and dropped for a moment, so that closing with unread data (which
 * TCP answers with a reset, RFC 9293 3.6.1) does not destroy the answer
 * before the client has read it.
 */
#include <stdio.h>
#include <string.h>

#include "http_parse.h"
#include "net_demo.h"
#include "stats_page.h"
#include "stats_take.h"
#include "lwip/sockets.h"

#define HTTP_THREADS 2
#define HTTP_IDLE_MS 5000       /* SO_RCVTIMEO: the longest silence we wait through */
#define HTTP_LINGER_MS 500      /* the lingering close reads for this long at most */
#define HTTP_BACKLOG 4
#define HTTP_CHUNK 256          /* the page goes out in sends of this size */

struct http_worker {
    int id;
    char req[HTTP_HEAD_MAX];    /* the request bytes received, not yet consumed */
    size_t len;
};

static struct http_worker workers[HTTP_THREADS];
static int listen_fd = -1;
static sys_mutex_t accept_lock;
static sys_sem_t listening;

/* One snapshot and one output buffer for all the threads (1.6 KiB that
 * 64 KiB of RAM do not have twice): a page is taken, counted and sent
 * under page_lock, so two pages are made one after the other. */
static sys_mutex_t page_lock;
static struct net_snapshot page_snap;
static char page_out[HTTP_CHUNK];

/* send() all of data; 0 or -1 (the connection is broken). */
static int send_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, data, n, 0);
        if (k <= 0)
            return -1;
        data += k;
        n -= (size_t)k;
    }
    return 0;
}

static int sink_send(void *ctx, const char *data, size_t n)
{
    return send_all(*(int *)ctx, data, n);
}

static int send_head(int fd, int status, const char *type, size_t length, int keep_alive)
{
    char head[224];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nServer: netglass\r\nContent-Type: %s\r\n"
                     "Content-Length: %lu\r\nCache-Control: no-store\r\n%s"
                     "Connection: %s\r\n\r\n", status, http_reason(status), type,
                     (unsigned long)length, status == 405 ? "Allow: GET, HEAD\r\n" : "",
                     keep_alive ? "keep-alive" : "close");
    return send_all(fd, head, (size_t)n);
}

/* A short text/plain answer (the errors and 404). */
static int send_error(int fd, int status, int keep_alive, int head_only)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
    if (send_head(fd, status, "text/plain; charset=utf-8", (size_t)n, keep_alive))
        return -1;
    return head_only ? 0 : send_all(fd, body, (size_t)n);
}

/* The statistics page: one snapshot, rendered once to count, once to send. */
static int send_page(int fd, int json, int keep_alive, int head_only)
{
    if (stats_take(&page_snap) != ERR_OK)
        return send_error(fd, 503, 0, head_only);
    size_t (*render)(const struct net_snapshot *, struct page_sink *) =
        json ? stats_page_json : stats_page_html;
    struct page_sink count = { 0 };
    size_t length = render(&page_snap, &count);
    if (send_head(fd, 200, json ? "application/json" : "text/html; charset=utf-8", length,
                  keep_alive))
        return -1;
    if (head_only)
        return 0;
    struct page_sink out = { .buf = page_out, .cap = sizeof page_out, .flush = sink_send,
                             .ctx = &fd };
    render(&page_snap, &out);
    return out.err ? -1 : 0;
}

static int send_stats(int fd, int json, int keep_alive, int head_only)
{
    sys_mutex_lock(&page_lock);
    int err = send_page(fd, json, keep_alive, head_only);
    sys_mutex_unlock(&page_lock);
    return err;
}

/* Shut our side, drop what still comes for a moment, close. */
static void linger_close(int fd)
{
    shutdown(fd, SHUT_WR);
    struct timeval tv = { .tv_sec = 0, .tv_usec = HTTP_LINGER_MS * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char sink[64];
    u32_t start = sys_now();
    while (sys_now() - start < HTTP_LINGER_MS && recv(fd, sink, sizeof sink, 0) > 0)
        ;
    close(fd);
}

/* Read more of the request; 1 got bytes, 0 the peer closed, -1 error or timeout. */
static int fill(struct http_worker *w, int fd, int *timed_out)
{
    ssize_t n = recv(fd, w->req + w->len, sizeof w->req - w->len, 0);
    if (n > 0) {
        w->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EWOULDBLOCK || errno == EAGAIN))
        *timed_out = 1;
    return n == 0 ? 0 : -1;
}

/* Drop the first n bytes of the buffer (one request, or a body). */
static void consume(struct http_worker *w, size_t n)
{
    memmove(w->req, w->req + n, w->len - n);
    w->len -= n;
}

/* Skip a request body of n bytes (we serve none: it is read and dropped). */
static int skip_body(struct http_worker *w, int fd, unsigned long n)
{
    int timed_out = 0;
    while (n > 0) {
        if (w->len == 0 && fill(w, fd, &timed_out) <= 0)
            return -1;
        size_t k = w->len < n ? w->len : (size_t)n;
        consume(w, k);
        n -= k;
    }
    return 0;
}

/* Serve one connection to its end; closes fd. */
static void serve(struct http_worker *w, int fd)
{
    struct timeval tv = { .tv_sec = HTTP_IDLE_MS / 1000, .tv_usec = (HTTP_IDLE_MS % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    w->len = 0;
    for (;;) {
        struct http_request req;
        int r = http_parse_request(w->req, w->len, &req);
        if (r == 0) {
            int timed_out = 0;
            int got = fill(w, fd, &timed_out);
            if (got > 0)
                continue;
            if (timed_out) {
                NET_DEMO_ADD(http_timeouts, 1);
                if (w->len > 0) {       /* a request begun, not finished */
                    send_error(fd, 408, 0, 0);
                    linger_close(fd);
                    return;
                }
            }
            close(fd);                  /* closed, reset, or silent: done */
            return;
        }
        int head_only = r > 0 && req.method == HTTP_HEAD;
        int status = req.status;
        if (r > 0 && status == 0 && strcmp(req.path, "/") != 0 &&
            strcmp(req.path, "/index.html") != 0 && strcmp(req.path, "/stats.json") != 0)
            status = 404;
        NET_DEMO_ADD(http_requests, 1);
        int err;
        if (status == 0) {
            err = send_stats(fd, strcmp(req.path, "/stats.json") == 0, req.keep_alive,
                             head_only);
        } else {
            NET_DEMO_ADD(http_errors, 1);
            err = send_error(fd, status, status == 404 && req.keep_alive, head_only);
        }
        if (err) {
            close(fd);
            return;
        }
        int keep = (status == 0 || status == 404) && req.keep_alive;
        if (!keep) {
            linger_close(fd);
            return;
        }
        consume(w, req.head_len);
        if (req.content_length > 0 && skip_body(w, fd, req.content_length)) {
            close(fd);
            return;
        }
    }
}

static void http_thread(void *arg)
{
    struct http_worker *w = arg;
    if (w->id == 0) {
        /* The first thread makes the listening socket; the others wait for it. */
        err_t err = ERR_OK;
        listen_fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_len = sizeof sa;
        sa.sin_family = AF_INET;
        sa.sin_port = htons(NET_DEMO_HTTP_PORT);
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
        if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
            listen(listen_fd, HTTP_BACKLOG) < 0) {
            printf("net_demo: http: socket/bind/listen on port %d: errno %d\n",
                   NET_DEMO_HTTP_PORT, errno);
            err = ERR_VAL;
        }
        for (int i = 1; i < HTTP_THREADS; i++)
            sys_sem_signal(&listening);
        net_demo_ready("http", err);
        if (err != ERR_OK)
            return;
    } else {
        sys_arch_sem_wait(&listening, 0);
        if (listen_fd < 0)
            return;
    }
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        sys_mutex_lock(&accept_lock);
        int fd = accept(listen_fd, (struct sockaddr *)&peer, &plen);
        sys_mutex_unlock(&accept_lock);
        if (fd < 0) {
            printf("net_demo: http: accept: errno %d\n", errno);
            sys_msleep(100);            /* e.g. no netconn left: let some close */
            continue;
        }
        NET_DEMO_ADD(http_conns, 1);
        NET_DEMO_ADD(http_open, 1);
        serve(w, fd);
        NET_DEMO_ADD(http_open, -1);
    }
}

void http_server_start(void)
{
    static const char *const names[HTTP_THREADS] = { "http0", "http1" };
    sys_mutex_new_named(&accept_lock, "http_accept");
    sys_mutex_new_named(&page_lock, "http_page");
    sys_sem_new_named(&listening, 0, "http_listening");
    for (int i = 0; i < HTTP_THREADS; i++) {
        workers[i].id = i;
        sys_thread_new(names[i], http_thread, &workers[i], NET_DEMO_HTTP_STACK,
                       NET_DEMO_PRIO);
    }
}
