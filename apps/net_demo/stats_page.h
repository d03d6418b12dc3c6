/*
 * apps/net_demo/stats_page.h - the statistics page of the demo's web
 * server, as HTML (GET /) or JSON (GET /stats.json), rendered from one
 * snapshot (stats_snap.h) into a small sink.
 *
 * The sink buffers what is rendered and hands it on in pieces through
 * `flush`; with flush NULL it only counts. The server renders twice from
 * the same snapshot: once counting (the Content-Length), once sending.
 */
#ifndef NET_DEMO_STATS_PAGE_H
#define NET_DEMO_STATS_PAGE_H

#include <stddef.h>

#include "stats_snap.h"

struct page_sink {
    char *buf;                  /* scratch of `cap` bytes (unused when counting) */
    size_t cap;
    size_t len;                 /* bytes in buf not yet flushed */
    size_t total;               /* bytes rendered in all */
    /* Hand data[0 .. n) on; nonzero stops the rendering (err is set). */
    int (*flush)(void *ctx, const char *data, size_t n);
    void *ctx;
    int err;
};

/* Render into sink (flushing everything at the end); returns sink->total. */
size_t stats_page_html(const struct net_snapshot *s, struct page_sink *sink);
size_t stats_page_json(const struct net_snapshot *s, struct page_sink *sink);

/* The name of a TCP state (enum tcp_state), of a netconn type. */
const char *stats_tcp_state_name(unsigned state);
const char *stats_netconn_type_name(unsigned type);

#endif
