/*
 * lwip/priv/memp_types.h - the structures held in memory pools whose
 * layers keep them private, declared once so that lwip/memp.h can size
 * the pools (the layers' own headers include this file too).
 */
#ifndef LWIP_HDR_MEMP_TYPES_H
#define LWIP_HDR_MEMP_TYPES_H

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/ip4_addr.h"
#include "lwip/prot/ip4.h"
#include "lwip/priv/tcpip_priv.h"

/* A packet waiting in the ARP table for its destination's address. */
struct etharp_q_entry {
    struct etharp_q_entry *next;
    struct pbuf *p;
};

/* A datagram being reassembled from fragments (net/ip4_frag.c, which
 * explains how the fragments are kept: linked in offset order through a
 * small record written over each fragment's own, no longer needed, IP
 * header). */
struct ip_reassdata {
    struct ip_reassdata *next;
    struct pbuf *p;                 /* the fragment with the lowest offset so far */
    struct ip_hdr iphdr;            /* the header of fragment 0 once it came, until then
                                       of the first to come (src, dest, id, proto match) */
    u16_t datagram_len;             /* data bytes of the whole datagram, known once the
                                       last fragment (MF = 0) came */
    u16_t pbufs;                    /* pbufs held, counted against IP_REASS_MAX_PBUFS */
    u8_t flags;                     /* IP_REASS_FLAG_* (net/ip4_frag.c) */
    u8_t timer;                     /* seconds left (from IP_REASS_MAXAGE) */
};

/* A pbuf that points into another pbuf (fragmentation without copying). */
struct pbuf_custom {
    struct pbuf pbuf;
    void (*custom_free_function)(struct pbuf *p);
};
struct pbuf_custom_ref {
    struct pbuf_custom pc;
    struct pbuf *original;
};

/* The PCBs of UDP and raw IP (their public headers define them). */
#include "lwip/udp.h"
#include "lwip/raw.h"
/* TCP's PCBs (lwip/tcp.h) and segments (lwip/priv/tcp_priv.h). */
#include "lwip/priv/tcp_priv.h"
#include "lwip/api.h"
#include "lwip/netbuf.h"

#endif
