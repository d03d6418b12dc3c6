/*
 * apps/net_demo/stats_page.c - renders a snapshot of the stack (see
 * stats_page.h) as an HTML page and as JSON, with the same sections and
 * the same figures: interface, TCP connections, UDP endpoints, netconns
 * and their mailboxes, tcpip_mbox, pools and heap, protocol counters,
 * services. Every piece goes through sink_printf, whose buffer is small
 * (the HTTP thread's stack holds it): nothing is rendered whole in RAM.
 * Nothing here comes from the network, so nothing needs escaping except
 * the pool and protocol names, which are constants of the stack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stats_page.h"

#define PIECE_MAX 160           /* the longest single sink_printf */

static void sink_flush(struct page_sink *k)
{
    if (k->flush != NULL && k->len > 0 && k->err == 0)
        k->err = k->flush(k->ctx, k->buf, k->len);
    k->len = 0;
}

static void sink_write(struct page_sink *k, const char *data, size_t n)
{
    k->total += n;
    if (k->flush == NULL || k->err)
        return;
    while (n > 0) {
        size_t room = k->cap - k->len;
        size_t take = n < room ? n : room;
        memcpy(k->buf + k->len, data, take);
        k->len += take;
        data += take;
        n -= take;
        if (k->len == k->cap)
            sink_flush(k);
    }
}

static void sink_printf(struct page_sink *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sink_printf(struct page_sink *k, const char *fmt, ...)
{
    char piece[PIECE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof piece)
        n = sizeof piece - 1;   /* cut, but the same cut both passes */
    sink_write(k, piece, (size_t)n);
}

const char *stats_tcp_state_name(unsigned state)
{
    static const char *const names[] = {
        "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
        "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"
    };
    return state < sizeof names / sizeof names[0] ? names[state] : "?";
}

const char *stats_netconn_type_name(unsigned type)
{
    switch (type) {
    case 0x10: return "TCP";
    case 0x20: return "UDP";
    case 0x21: return "UDPLITE";
    case 0x22: return "UDPNOCHKSUM";
    case 0x40: return "RAW";
    default: return "?";
    }
}

/* a.b.c.d of an address in network order (the first byte in memory first). */
static const char *ip_text(u32_t ip, char *buf, size_t n)
{
    const u8_t *b = (const u8_t *)&ip;
    snprintf(buf, n, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}

#define APP_COUNTERS 21
_Static_assert(sizeof(struct net_demo_counters) == APP_COUNTERS * sizeof(u32_t),
               "every counter of net_demo_counters.h is listed in app_counters");

/* The services' counters, by name, in the order both formats list them. */
struct counter {
    const char *name;
    u32_t value;
};

static size_t app_counters(const struct net_demo_counters *a, struct counter *c)
{
    size_t n = 0;
#define C(field) c[n].name = #field; c[n].value = a->field; n++
    C(echo_conns); C(echo_open); C(echo_bytes);
    C(udp_dgrams); C(udp_bytes); C(udp_errors);
    C(http_conns); C(http_open); C(http_requests); C(http_errors); C(http_timeouts);
    C(chargen_conns); C(chargen_open); C(chargen_refused); C(chargen_bytes);
    C(iperf_conns); C(iperf_open); C(iperf_bytes); C(iperf_last_kbps);
    C(client_steps_ok); C(client_steps_failed);
#undef C
    return n;
}
/* ---- HTML --------------------------------------------------------------------- */

static void html_table(struct page_sink *k, const char *title, const char *heads)
{
    sink_printf(k, "<h2>%s</h2>\n<table>\n<tr>", title);
    /* heads: names separated by '|' */
    const char *h = heads;
    while (*h) {
        const char *bar = strchr(h, '|');
        size_t n = bar ? (size_t)(bar - h) : strlen(h);
        sink_printf(k, "<th>%.*s</th>", (int)n, h);
        h += n + (bar != NULL);
    }
    sink_printf(k, "</tr>\n");
}

size_t stats_page_html(const struct net_snapshot *s, struct page_sink *k)
{
    char a[16], b[16], c[16], d[16];
    sink_printf(k, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>netglass net_demo: live statistics</title>\n<style>"
                "body{font-family:sans-serif}table{border-collapse:collapse}"
                "td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
                "</style></head>\n<body>\n<h1>netglass net_demo</h1>\n");
    sink_printf(k, "<p>uptime <span id=\"uptime\">%lu</span> ms, snapshot %lu</p>\n",
                (unsigned long)s->now_ms, (unsigned long)s->seq);

    html_table(k, "Interface", "name|hwaddr|ip|mask|gw|dns|dhcp|rx frames|rx bytes|rx drops|"
               "tx frames|tx bytes|tx drops");
    sink_printf(k, "<tr><td>%s</td><td>%02x:%02x:%02x:%02x:%02x:%02x</td>", s->ifname,
                s->hwaddr[0], s->hwaddr[1], s->hwaddr[2], s->hwaddr[3], s->hwaddr[4],
                s->hwaddr[5]);
    sink_printf(k, "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>",
                ip_text(s->ip, a, sizeof a), ip_text(s->mask, b, sizeof b),
                ip_text(s->gw, c, sizeof c), ip_text(s->dns, d, sizeof d),
                s->dhcp_bound ? "bound" : "no");
    sink_printf(k, "<td>%lu</td><td>%lu</td><td>%lu</td><td>%lu</td><td>%lu</td><td>%lu</td>"
                "</tr>\n</table>\n",
                (unsigned long)s->rx_frames, (unsigned long)s->rx_bytes,
                (unsigned long)s->rx_drops, (unsigned long)s->tx_frames,
                (unsigned long)s->tx_bytes, (unsigned long)s->tx_drops);

    html_table(k, "TCP connections", "local|remote|state|socket|send queue (pbufs)|"
               "send buffer free|receive window|peer window");
    for (unsigned i = 0; i < s->tcp_count; i++) {
        const struct snap_tcp *t = &s->tcp[i];
        sink_printf(k, "<tr><td>%s:%u</td><td>%s:%u</td><td>%s</td>",
                    ip_text(t->local_ip, a, sizeof a), t->local_port,
                    ip_text(t->remote_ip, b, sizeof b), t->remote_port,
                    stats_tcp_state_name(t->state));
        if (t->socket >= 0)
            sink_printf(k, "<td>%d</td>", t->socket);
        else
            sink_printf(k, "<td>%s</td>", t->has_netconn ? "netconn" : "raw API");
        sink_printf(k, "<td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n", t->snd_queuelen,
                    t->snd_buf, t->rcv_wnd, t->snd_wnd);
    }
    sink_printf(k, "</table>\n<p>%u of %u PCBs listed</p>\n", s->tcp_count, s->tcp_total);

    html_table(k, "UDP endpoints", "local|remote port|netconn");
    for (unsigned i = 0; i < s->udp_count; i++)
        sink_printf(k, "<tr><td>%s:%u</td><td>%u</td><td>%s</td></tr>\n",
                    ip_text(s->udp[i].local_ip, a, sizeof a), s->udp[i].local_port,
                    s->udp[i].remote_port, s->udp[i].has_netconn ? "yes" : "no");
    sink_printf(k, "</table>\n");

    html_table(k, "Netconns and their mailboxes", "type|socket|recvmbox|recvmbox most|"
               "acceptmbox");
    for (unsigned i = 0; i < s->netconn_count; i++) {
        const struct snap_netconn *n = &s->netconn[i];
        sink_printf(k, "<tr><td>%s</td><td>%d</td><td>%u / %u</td><td>%lu</td>"
                    "<td>%u / %u</td></tr>\n", stats_netconn_type_name(n->type), n->socket,
                    n->recv_count, n->recv_size, (unsigned long)n->recv_high,
                    n->accept_count, n->accept_size);
    }
    sink_printf(k, "</table>\n<p>tcpip_mbox: <span id=\"tcpip_mbox\">%u / %u</span>, "
                "at most %lu, %lu posts, %lu found it full</p>\n", s->tcpip_count,
                s->tcpip_size, (unsigned long)s->tcpip_high, (unsigned long)s->tcpip_posts,
                (unsigned long)s->tcpip_fulls);

    html_table(k, "Pools", "pool|used|most|size|failed");
    for (unsigned i = 0; i < s->pool_count; i++)
        sink_printf(k, "<tr><td>%s</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n",
                    s->pool[i].name, s->pool[i].used, s->pool[i].max, s->pool[i].avail,
                    s->pool[i].err);
    sink_printf(k, "<tr><td>heap (bytes)</td><td>%lu</td><td>%lu</td><td>%lu</td><td>%lu</td>"
                "</tr>\n</table>\n", (unsigned long)s->heap_used, (unsigned long)s->heap_max,
                (unsigned long)s->heap_avail, (unsigned long)s->heap_err);

    html_table(k, "Protocols", "protocol|sent|received|dropped|checksum errors|"
               "memory errors|protocol errors");
    for (unsigned i = 0; i < s->proto_count; i++) {
        const struct snap_proto *p = &s->proto[i];
        sink_printf(k, "<tr><td>%s</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td>"
                    "<td>%u</td></tr>\n", p->name, p->xmit, p->recv, p->drop, p->chkerr,
                    p->memerr, p->proterr);
    }
    sink_printf(k, "</table>\n<p>drops counted by reason: %lu</p>\n",
                (unsigned long)s->drops_total);

    struct counter ctr[APP_COUNTERS];
    size_t nc = app_counters(&s->app, ctr);
    html_table(k, "Services", "counter|value");
    for (size_t i = 0; i < nc; i++)
        sink_printf(k, "<tr><td>%s</td><td id=\"%s\">%lu</td></tr>\n", ctr[i].name,
                    ctr[i].name, (unsigned long)ctr[i].value);
    sink_printf(k, "</table>\n</body></html>\n");
    sink_flush(k);
    return k->total;
}

/* ---- JSON (RFC 8259) ------------------------------------------------------------ */

size_t stats_page_json(const struct net_snapshot *s, struct page_sink *k)
{
    char a[16], b[16], c[16], d[16];
    sink_printf(k, "{\"uptime_ms\":%lu,\"snapshot\":%lu,\n", (unsigned long)s->now_ms,
                (unsigned long)s->seq);
    sink_printf(k, "\"netif\":{\"name\":\"%s\",\"hwaddr\":\"%02x:%02x:%02x:%02x:%02x:%02x\",",
                s->ifname, s->hwaddr[0], s->hwaddr[1], s->hwaddr[2], s->hwaddr[3],
                s->hwaddr[4], s->hwaddr[5]);
    sink_printf(k, "\"ip\":\"%s\",\"mask\":\"%s\",\"gw\":\"%s\",\"dns\":\"%s\",\"dhcp_bound\":%s,",
                ip_text(s->ip, a, sizeof a), ip_text(s->mask, b, sizeof b),
                ip_text(s->gw, c, sizeof c), ip_text(s->dns, d, sizeof d),
                s->dhcp_bound ? "true" : "false");
    sink_printf(k, "\"rx_frames\":%lu,\"rx_bytes\":%lu,\"rx_drops\":%lu,\"tx_frames\":%lu,"
                "\"tx_bytes\":%lu,\"tx_drops\":%lu},\n",
                (unsigned long)s->rx_frames, (unsigned long)s->rx_bytes,
                (unsigned long)s->rx_drops, (unsigned long)s->tx_frames,
                (unsigned long)s->tx_bytes, (unsigned long)s->tx_drops);

    sink_printf(k, "\"tcp_total\":%u,\"tcp\":[", s->tcp_total);
    for (unsigned i = 0; i < s->tcp_count; i++) {
        const struct snap_tcp *t = &s->tcp[i];
        sink_printf(k, "%s\n{\"local\":\"%s:%u\",\"remote\":\"%s:%u\",\"state\":\"%s\",",
                    i ? "," : "", ip_text(t->local_ip, a, sizeof a), t->local_port,
                    ip_text(t->remote_ip, b, sizeof b), t->remote_port,
                    stats_tcp_state_name(t->state));
        sink_printf(k, "\"socket\":%d,\"netconn\":%s,\"snd_queuelen\":%u,\"snd_buf\":%u,"
                    "\"rcv_wnd\":%u,\"snd_wnd\":%u}", t->socket,
                    t->has_netconn ? "true" : "false", t->snd_queuelen, t->snd_buf, t->rcv_wnd,
                    t->snd_wnd);
    }
    sink_printf(k, "],\n\"udp_total\":%u,\"udp\":[", s->udp_total);
    for (unsigned i = 0; i < s->udp_count; i++)
        sink_printf(k, "%s\n{\"local\":\"%s:%u\",\"remote_port\":%u,\"netconn\":%s}",
                    i ? "," : "", ip_text(s->udp[i].local_ip, a, sizeof a),
                    s->udp[i].local_port, s->udp[i].remote_port,
                    s->udp[i].has_netconn ? "true" : "false");
    sink_printf(k, "],\n\"netconn_total\":%u,\"netconns\":[", s->netconn_total);
    for (unsigned i = 0; i < s->netconn_count; i++) {
        const struct snap_netconn *n = &s->netconn[i];
        sink_printf(k, "%s\n{\"type\":\"%s\",\"socket\":%d,\"recvmbox\":[%u,%u],"
                    "\"recvmbox_most\":%lu,\"acceptmbox\":[%u,%u]}", i ? "," : "",
                    stats_netconn_type_name(n->type), n->socket, n->recv_count, n->recv_size,
                    (unsigned long)n->recv_high, n->accept_count, n->accept_size);
    }
    sink_printf(k, "],\n\"tcpip_mbox\":{\"count\":%u,\"size\":%u,\"most\":%lu,\"posts\":%lu,"
                "\"fulls\":%lu},\n", s->tcpip_count, s->tcpip_size,
                (unsigned long)s->tcpip_high, (unsigned long)s->tcpip_posts,
                (unsigned long)s->tcpip_fulls);

    sink_printf(k, "\"pools\":{");
    for (unsigned i = 0; i < s->pool_count; i++)
        sink_printf(k, "%s\n\"%s\":{\"used\":%u,\"most\":%u,\"size\":%u,\"failed\":%u}",
                    i ? "," : "", s->pool[i].name, s->pool[i].used, s->pool[i].max,
                    s->pool[i].avail, s->pool[i].err);
    sink_printf(k, "},\n\"heap\":{\"used\":%lu,\"most\":%lu,\"size\":%lu,\"failed\":%lu},\n",
                (unsigned long)s->heap_used, (unsigned long)s->heap_max,
                (unsigned long)s->heap_avail, (unsigned long)s->heap_err);

    sink_printf(k, "\"protocols\":{");
    for (unsigned i = 0; i < s->proto_count; i++) {
        const struct snap_proto *p = &s->proto[i];
        sink_printf(k, "%s\n\"%s\":{\"xmit\":%u,\"recv\":%u,\"drop\":%u,\"chkerr\":%u,"
                    "\"memerr\":%u,\"proterr\":%u}", i ? "," : "", p->name, p->xmit, p->recv,
                    p->drop, p->chkerr, p->memerr, p->proterr);
    }
    sink_printf(k, "},\n\"drops_total\":%lu,\n\"services\":{", (unsigned long)s->drops_total);
    struct counter ctr[APP_COUNTERS];
    size_t nc = app_counters(&s->app, ctr);
    for (size_t i = 0; i < nc; i++)
        sink_printf(k, "%s\"%s\":%lu", i ? "," : "", ctr[i].name, (unsigned long)ctr[i].value);
    sink_printf(k, "}}\n");
    sink_flush(k);
    return k->total;
}
