/*
 * tests/unit/test_net_demo_http.c - the network demo's HTTP request parser
 * (apps/net_demo/http_parse.c) and its statistics page renderer
 * (apps/net_demo/stats_page.c), both pure code, on the host.
 *
 * The two sources are compiled into this test by #include (they belong to
 * the app, not to the stack the unit tests link with).
 *
 * Parser: complete and incomplete heads (every prefix of a good request is
 * "more needed", never a verdict), GET/HEAD, pipelined requests, bare LF,
 * absolute-form targets, query strings, keep-alive rules of 1.0 and 1.1,
 * Content-Length, and each error: 400 (no Host, two Hosts, bad request
 * line, space before a colon, obs-fold, bare CR, differing lengths), 405,
 * 414, 431, 501, 505.
 * Renderer: counting and sending give the same bytes and length whatever
 * the sink's buffer size (1 byte up); the JSON is well formed (a small
 * checker here: balanced brackets outside strings, no trailing commas)
 * and carries the snapshot's figures; the HTML names the sections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_test.h"
#include "../../apps/net_demo/http_parse.c"
#include "../../apps/net_demo/stats_page.c"

static int parse(const char *text, struct http_request *r)
{
    memset(r, 0x5a, sizeof *r);
    return http_parse_request(text, strlen(text), r);
}

/* ---- the parser ------------------------------------------------------------ */

START_TEST(get_root)
{
    struct http_request r;
    const char *req = "GET / HTTP/1.1\r\nHost: 10.0.2.15\r\nUser-Agent: t\r\n\r\n";
    ck_assert_int_eq(parse(req, &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(r.method, HTTP_GET);
    ck_assert_str_eq(r.path, "/");
    ck_assert_int_eq(r.minor, 1);
    ck_assert_int_eq(r.keep_alive, 1);
    ck_assert_uint_eq(r.content_length, 0);
    ck_assert_uint_eq(r.head_len, strlen(req));
}
END_TEST

START_TEST(every_prefix_needs_more)
{
    const char *req = "GET /stats.json?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
    size_t n = strlen(req);
    struct http_request r;
    for (size_t k = 0; k < n; k++) {
        memset(&r, 0x5a, sizeof r);
        ck_assert_msg(http_parse_request(req, k, &r) == 0, "prefix of %zu bytes", k);
    }
    ck_assert_int_eq(http_parse_request(req, n, &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.path, "/stats.json");
}
END_TEST

START_TEST(pipelined_requests)
{
    const char *two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n"
                      "Connection: close\r\n\r\n";
    struct http_request r;
    ck_assert_int_eq(http_parse_request(two, strlen(two), &r), 1);
    ck_assert_str_eq(r.path, "/a");
    size_t first = r.head_len;
    ck_assert_uint_eq(first, strlen("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"));
    ck_assert_int_eq(http_parse_request(two + first, strlen(two) - first, &r), 1);
    ck_assert_int_eq(r.method, HTTP_HEAD);
    ck_assert_str_eq(r.path, "/b");
    ck_assert_int_eq(r.keep_alive, 0);
    ck_assert_uint_eq(first + r.head_len, strlen(two));
}
END_TEST

START_TEST(bare_lf_and_leading_empty_lines)
{
    struct http_request r;
    ck_assert_int_eq(parse("\r\n\nGET /x HTTP/1.1\nHost: h\n\n", &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.path, "/x");
}
END_TEST

START_TEST(absolute_form)
{
    struct http_request r;
    ck_assert_int_eq(parse("GET http://10.0.2.15:80/stats.json HTTP/1.1\r\nHost: h\r\n\r\n",
                           &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.path, "/stats.json");
    ck_assert_int_eq(parse("GET http://10.0.2.15 HTTP/1.1\r\nHost: h\r\n\r\n", &r), 1);
    ck_assert_str_eq(r.path, "/");
}
END_TEST

START_TEST(keep_alive_rules)
{
    struct http_request r;
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\n\r\n", &r), 1);
    ck_assert_int_eq(r.status, 0);          /* 1.0 needs no Host */
    ck_assert_int_eq(r.keep_alive, 0);
    ck_assert_int_eq(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r), 1);
    ck_assert_int_eq(r.keep_alive, 1);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n", &r),
                     1);
    ck_assert_int_eq(r.keep_alive, 0);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nconnection:keep-alive\r\n\r\n", &r),
                     1);
    ck_assert_int_eq(r.keep_alive, 1);
}
END_TEST

START_TEST(content_length)
{
    struct http_request r;
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n", &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.content_length, 12);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
                           "Content-Length: 2\r\n\r\n", &r), 1);
    ck_assert_int_eq(r.status, 400);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", &r), 1);
    ck_assert_int_eq(r.status, 400);
}
END_TEST

START_TEST(errors)
{
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        { "GET / HTTP/1.1\r\n\r\n", 400 },                          /* no Host */
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },    /* two */
        { "GET /\r\nHost: a\r\n\r\n", 400 },                        /* no version */
        { "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },              /* two spaces */
        { "GET / FTP/1.1\r\nHost: a\r\n\r\n", 400 },
        { "GET nopath HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
        { "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },               /* not a token */
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },              /* space before ':' */
        { "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400 },    /* obs-fold */
        { "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400 },            /* bare CR */
        { "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", 405 },
        { "DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", 405 },
        { "get / HTTP/1.1\r\nHost: a\r\n\r\n", 405 },               /* methods are case-sensitive */
        { "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501 },
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_request r;
        int got = parse(cases[i].req, &r);
        ck_assert_msg(got != 0, "case %zu: no verdict", i);
        ck_assert_msg(r.status == cases[i].status, "case %zu: status %d, want %d", i, r.status,
                      cases[i].status);
        ck_assert_int_eq(r.keep_alive, 0);
    }
}
END_TEST

START_TEST(oversized)
{
    static char buf[HTTP_HEAD_MAX + 64];
    struct http_request r;
    /* a request line that never ends: 414 as soon as it is longer than allowed */
    memset(buf, 0, sizeof buf);
    strcpy(buf, "GET /");
    memset(buf + 5, 'a', HTTP_LINE_MAX);
    ck_assert_int_eq(http_parse_request(buf, HTTP_LINE_MAX - 1, &r), 0);
    ck_assert_int_eq(http_parse_request(buf, HTTP_LINE_MAX + 5, &r), -1);
    ck_assert_int_eq(r.status, 414);
    /* a complete but too long request line: 414 too */
    int n = snprintf(buf, sizeof buf, "GET /%0*d HTTP/1.1\r\nHost: h\r\n\r\n", HTTP_LINE_MAX, 0);
    ck_assert_int_eq(http_parse_request(buf, (size_t)n, &r), -1);
    ck_assert_int_eq(r.status, 414);
    /* headers that fill the buffer without an end: 431 */
    n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: h\r\n");
    while ((size_t)n < HTTP_HEAD_MAX)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "X-Filler: 0123456789\r\n");
    ck_assert_int_eq(http_parse_request(buf, HTTP_HEAD_MAX, &r), -1);
    ck_assert_int_eq(r.status, 431);
    /* just under the limit is fine */
    n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: h\r\nX: ");
    memset(buf + n, 'v', HTTP_HEAD_MAX - (size_t)n - 4);
    memcpy(buf + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
    ck_assert_int_eq(http_parse_request(buf, HTTP_HEAD_MAX, &r), 1);
    ck_assert_int_eq(r.status, 0);
}
END_TEST

START_TEST(long_path_is_cut)
{
    char req[256];
    char path[HTTP_PATH_MAX + 20];
    memset(path, 'p', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", path);
    struct http_request r;
    ck_assert_int_eq(parse(req, &r), 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(strlen(r.path), HTTP_PATH_MAX);
}
END_TEST

/* ---- the renderer ----------------------------------------------------------- */

static void fill_snapshot(struct net_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->now_ms = 123456;
    s->seq = 7;
    strcpy(s->ifname, "en0");
    u8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(s->hwaddr, mac, 6);
    u8_t ip[4] = { 10, 0, 2, 15 }, gw[4] = { 10, 0, 2, 2 }, mask[4] = { 255, 255, 255, 0 };
    memcpy(&s->ip, ip, 4);
    memcpy(&s->gw, gw, 4);
    memcpy(&s->mask, mask, 4);
    s->dhcp_bound = 1;
    s->rx_frames = 1001;
    s->tx_bytes = 99999;
    s->tcp_count = s->tcp_total = 3;
    s->tcp[0] = (struct snap_tcp){ .local_port = 80, .state = 1, .has_netconn = 1, .socket = 2 };
    memcpy(&s->tcp[1].local_ip, ip, 4);
    memcpy(&s->tcp[1].remote_ip, gw, 4);
    s->tcp[1].local_port = 7;
    s->tcp[1].remote_port = 40000;
    s->tcp[1].state = 4;
    s->tcp[1].socket = -1;
    s->tcp[1].has_netconn = 1;
    s->tcp[2].state = 10;
    s->tcp[2].socket = -1;
    s->udp_count = s->udp_total = 1;
    s->udp[0].local_port = 68;
    s->netconn_count = s->netconn_total = 2;
    s->netconn[0] = (struct snap_netconn){ .type = 0x10, .socket = 2, .recv_size = 8,
                                           .accept_count = 1, .accept_size = 4 };
    s->netconn[1] = (struct snap_netconn){ .type = 0x20, .socket = -1, .recv_count = 3,
                                           .recv_size = 6 };
    s->tcpip_count = 2;
    s->tcpip_size = 16;
    s->pool_count = 2;
    s->pool[0] = (struct snap_pool){ .name = "PBUF_POOL", .used = 5, .max = 9, .avail = 16 };
    s->pool[1] = (struct snap_pool){ .name = "TCP_PCB", .used = 2, .max = 3, .avail = 16 };
    s->heap_used = 1200;
    s->proto_count = 1;
    s->proto[0] = (struct snap_proto){ .name = "tcp", .xmit = 10, .recv = 11 };
    s->app.http_requests = 42;
    s->app.echo_bytes = 4096;
}

struct collect {
    char *data;
    size_t len, cap;
};

static int collect(void *ctx, const char *data, size_t n)
{
    struct collect *c = ctx;
    ck_assert_uint_le(c->len + n, c->cap);
    memcpy(c->data + c->len, data, n);
    c->len += n;
    return 0;
}

/* Render with a sink buffer of `cap` bytes; returns the text (malloc'd). */
static char *render(size_t (*fn)(const struct net_snapshot *, struct page_sink *),
                    const struct net_snapshot *s, size_t cap, size_t *len)
{
    struct collect c = { .data = malloc(65536), .cap = 65536 };
    char *buf = malloc(cap);
    struct page_sink k = { .buf = buf, .cap = cap, .flush = collect, .ctx = &c };
    size_t total = fn(s, &k);
    ck_assert_int_eq(k.err, 0);
    ck_assert_uint_eq(total, c.len);
    free(buf);
    c.data[c.len] = '\0';
    *len = c.len;
    return c.data;
}

START_TEST(count_equals_send)
{
    struct net_snapshot s;
    fill_snapshot(&s);
    size_t (*fns[2])(const struct net_snapshot *, struct page_sink *) = {
        stats_page_html, stats_page_json
    };
    for (int f = 0; f < 2; f++) {
        struct page_sink count = { 0 };
        size_t counted = fns[f](&s, &count);
        size_t len0;
        char *ref = render(fns[f], &s, 256, &len0);
        ck_assert_uint_eq(counted, len0);
        static const size_t caps[] = { 1, 2, 7, 160, 1000, 60000 };
        for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
            size_t len;
            char *t = render(fns[f], &s, caps[i], &len);
            ck_assert_uint_eq(len, len0);
            ck_assert_mem_eq(t, ref, len);
            free(t);
        }
        free(ref);
    }
}
END_TEST

/* A small JSON well-formedness check: brackets balance outside strings,
 * no ",]" / ",}" / "[," / "{,", and the text is one value. */
static void assert_json_shape(const char *t)
{
    int depth = 0, in_str = 0;
    char prev = 0;
    for (const char *p = t; *p; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == ' ' || c == '\n')
            continue;
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            ck_assert_msg(prev != ',', "a trailing comma before %c", c);
            depth--;
            ck_assert_int_ge(depth, 0);
        } else if (c == ',') {
            ck_assert_msg(prev != '{' && prev != '[' && prev != ',', "misplaced comma");
        }
        prev = c;
    }
    ck_assert_int_eq(in_str, 0);
    ck_assert_int_eq(depth, 0);
    ck_assert_int_eq(t[0], '{');
}

START_TEST(json_carries_the_figures)
{
    struct net_snapshot s;
    fill_snapshot(&s);
    size_t len;
    char *t = render(stats_page_json, &s, 128, &len);
    assert_json_shape(t);
    ck_assert_ptr_nonnull(strstr(t, "\"uptime_ms\":123456"));
    ck_assert_ptr_nonnull(strstr(t, "\"ip\":\"10.0.2.15\""));
    ck_assert_ptr_nonnull(strstr(t, "\"gw\":\"10.0.2.2\""));
    ck_assert_ptr_nonnull(strstr(t, "\"mask\":\"255.255.255.0\""));
    ck_assert_ptr_nonnull(strstr(t, "\"hwaddr\":\"52:54:00:12:34:56\""));
    ck_assert_ptr_nonnull(strstr(t, "\"rx_frames\":1001"));
    ck_assert_ptr_nonnull(strstr(t, "\"local\":\"10.0.2.15:7\",\"remote\":\"10.0.2.2:40000\","
                                    "\"state\":\"ESTABLISHED\""));
    ck_assert_ptr_nonnull(strstr(t, "\"state\":\"LISTEN\""));
    ck_assert_ptr_nonnull(strstr(t, "\"state\":\"TIME_WAIT\""));
    ck_assert_ptr_nonnull(strstr(t, "\"type\":\"UDP\",\"socket\":-1,\"recvmbox\":[3,6]"));
    ck_assert_ptr_nonnull(strstr(t, "\"acceptmbox\":[1,4]"));
    ck_assert_ptr_nonnull(strstr(t, "\"tcpip_mbox\":{\"count\":2,\"size\":16"));
    ck_assert_ptr_nonnull(strstr(t, "\"PBUF_POOL\":{\"used\":5,\"most\":9,\"size\":16"));
    ck_assert_ptr_nonnull(strstr(t, "\"http_requests\":42"));
    ck_assert_ptr_nonnull(strstr(t, "\"echo_bytes\":4096"));
    free(t);

    /* nothing listed: still well formed */
    memset(&s, 0, sizeof s);
    t = render(stats_page_json, &s, 64, &len);
    assert_json_shape(t);
    free(t);
}
END_TEST

START_TEST(html_names_the_sections)
{
    struct net_snapshot s;
    fill_snapshot(&s);
    size_t len;
    char *t = render(stats_page_html, &s, 100, &len);
    ck_assert_ptr_nonnull(strstr(t, "<!DOCTYPE html>"));
    static const char *const want[] = {
        "<h2>Interface</h2>", "<h2>TCP connections</h2>", "<h2>UDP endpoints</h2>",
        "<h2>Netconns and their mailboxes</h2>", "<h2>Pools</h2>", "<h2>Protocols</h2>",
        "<h2>Services</h2>", "<td>10.0.2.15:7</td><td>10.0.2.2:40000</td><td>ESTABLISHED</td>",
        "tcpip_mbox: <span id=\"tcpip_mbox\">2 / 16</span>",
        "<td>PBUF_POOL</td><td>5</td><td>9</td><td>16</td>",
        "<td id=\"http_requests\">42</td>", "</html>"
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(t, want[i]) != NULL, "missing %s", want[i]);
    free(t);
}
END_TEST

static int fail_after_one(void *ctx, const char *data, size_t n)
{
    (void)data;
    (void)n;
    int *calls = ctx;
    return ++*calls > 1;
}

START_TEST(sink_error_stops)
{
    struct net_snapshot s;
    fill_snapshot(&s);
    char buf[64];
    int calls = 0;
    struct page_sink k = { .buf = buf, .cap = sizeof buf, .flush = fail_after_one, .ctx = &calls };
    stats_page_html(&s, &k);
    ck_assert_int_ne(k.err, 0);
    ck_assert_int_eq(calls, 2);     /* no flush after the failing one */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_demo_http");
    TCase *tc = ng_tcase(s, "parser");
    tcase_add_test(tc, get_root);
    tcase_add_test(tc, every_prefix_needs_more);
    tcase_add_test(tc, pipelined_requests);
    tcase_add_test(tc, bare_lf_and_leading_empty_lines);
    tcase_add_test(tc, absolute_form);
    tcase_add_test(tc, keep_alive_rules);
    tcase_add_test(tc, content_length);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, oversized);
    tcase_add_test(tc, long_path_is_cut);
    tc = ng_tcase(s, "page");
    tcase_add_test(tc, count_equals_send);
    tcase_add_test(tc, json_carries_the_figures);
    tcase_add_test(tc, html_names_the_sections);
    tcase_add_test(tc, sink_error_stops);
    return ng_test_run(s) != 0;
}
