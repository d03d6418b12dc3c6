/*
 * tests/unit/test_udp.c - UDP (net/udp.c) through ip4_input and
 * ip4_output_if, on an interface that records what IP sends
 * (tests/unit/ip4_test.h). Every datagram is built here byte by byte and
 * its checksum computed here over the pseudo-header (RFC 768),
 * independently of net/inet_chksum.c.
 *
 * Covers: sending, exact, for several lengths, with the header in front
 * of the data or in a pbuf of its own; a checksum that computes to 0 sent
 * as 0xffff; UDP_FLAGS_NOCHKSUM; udp_send to the connected peer; no route;
 * a bound address not on the interface. Receiving, exact, with and
 * without a checksum; bad checksums, short datagrams, lying length fields
 * (each dropped under its reason and counted); IP padding after the
 * datagram cut off. Port unreachable, exact, for a closed port, and none
 * for broadcasts and multicasts; broadcasts only to PCBs with
 * SOF_BROADCAST, a copy to each; bind conflicts and SOF_REUSEADDR;
 * connected PCBs first, specific addresses before the wildcard, connect
 * and disconnect filtering; ephemeral ports, in turn, skipping those in
 * use, wrapping; the PCB pool; the trace records. Every test ends with
 * the pools and heap empty.
 */
#include <string.h>

#include "ip4_test.h"
#include "lwip/udp.h"

static struct rec_netif rn;     /* 10.0.2.15/24 */
static u8_t dgram[1600];
static u8_t pkt[1700];
static u8_t want[1700];

static void setup(void)
{
    ip4_test_setup();
    udp_init();
    rec_netif_add(&rn, "10.0.2.15", "255.255.255.0", "10.0.2.2");
}

/* ---- datagrams, computed here ------------------------------------------------- */

/* The UDP checksum (RFC 768): over the pseudo-header (source, destination,
 * zero, 17, UDP length) and the datagram, whose checksum field is 0. */
static u16_t ref_udp_chksum(const char *src, const char *dst, const u8_t *udp, u16_t len)
{
    static u8_t tmp[12 + sizeof dgram];
    u32_t s = ip_u32(src), d = ip_u32(dst);
    memcpy(tmp, &s, 4);
    memcpy(tmp + 4, &d, 4);
    tmp[8] = 0;
    tmp[9] = IP_PROTO_UDP;
    put16(tmp + 10, len);
    memcpy(tmp + 12, udp, len);
    put16(tmp + 12 + 6, 0);
    return ref_chksum(tmp, 12u + len);
}

/* A datagram sport -> dport with len data bytes i * 3 + seed into dgram;
 * its checksum computed (0 sent as 0xffff) unless no_chksum. */
static u16_t build_udp(const char *src, const char *dst, u16_t sport, u16_t dport, u16_t len,
                       u8_t seed, int no_chksum)
{
    put16(dgram, sport);
    put16(dgram + 2, dport);
    put16(dgram + 4, (u16_t)(8 + len));
    put16(dgram + 6, 0);
    for (u16_t i = 0; i < len; i++)
        dgram[8 + i] = (u8_t)(i * 3 + seed);
    if (!no_chksum) {
        u16_t c = ref_udp_chksum(src, dst, dgram, (u16_t)(8 + len));
        put16(dgram + 6, c == 0 ? 0xffff : c);
    }
    return (u16_t)(8 + len);
}

/* A whole IP packet from src to dst carrying dgram[0..ulen) into buf. */
static u16_t wrap_ip(u8_t *buf, const char *src, const char *dst, u16_t ulen, u16_t id, u8_t ttl)
{
    struct ip_spec s = { .src = src, .dst = dst, .proto = IP_PROTO_UDP, .id = id, .ttl = ttl };
    return build_ip(buf, &s, dgram, ulen);
}

/* A datagram received from src:sport for dst:dport, len data bytes. */
static void rx_udp(const char *src, u16_t sport, const char *dst, u16_t dport, u16_t len)
{
    u16_t u = build_udp(src, dst, sport, dport, len, 0x40, 0);
    u16_t n = wrap_ip(pkt, src, dst, u, 0x1234, 64);
    rx(&rn.netif, pkt, n);
}

/* A pbuf of len data bytes i * 3 + seed, of the given layer and type. */
static struct pbuf *data_pbuf(pbuf_layer layer, u16_t len, u8_t seed)
{
    struct pbuf *p = pbuf_alloc(layer, len, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    for (u16_t i = 0; i < len; i++)
        ((u8_t *)p->payload)[i] = (u8_t)(i * 3 + seed);
    return p;
}

/* ---- what the recv callbacks saw ------------------------------------------- */

#define SEEN_MAX 8
struct seen {
    struct udp_pcb *pcb;
    ip4_addr_t addr;
    u16_t port;
    u16_t len;
    u8_t data[1600];
};
static struct seen seen[SEEN_MAX];
static int nseen;

static void recv_record(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
    ck_assert_ptr_eq(arg, pcb);         /* each test passes the PCB as arg */
    ck_assert_int_lt(nseen, SEEN_MAX);
    struct seen *s = &seen[nseen++];
    s->pcb = pcb;
    s->addr = *addr;
    s->port = port;
    s->len = p->tot_len;
    pbuf_copy_partial(p, s->data, p->tot_len, 0);
    pbuf_free(p);
}

static struct udp_pcb *pcb_on(const char *ip, u16_t port, u8_t so_options)
{
    struct udp_pcb *pcb = udp_new();
    ck_assert_ptr_nonnull(pcb);
    pcb->so_options = so_options;
    ip4_addr_t a;
    a.addr = ip ? ip_u32(ip) : 0;
    ck_assert_int_eq(udp_bind(pcb, &a, port), ERR_OK);
    udp_recv(pcb, recv_record, pcb);
    return pcb;
}

/* ---- sending -------------------------------------------------------------------- */

static const u16_t send_lens[] = { 0, 1, 5, 100, 1472 };

START_TEST(sendto_exact)
{
    u16_t len = send_lens[_i];
    struct udp_pcb *pcb = pcb_on(NULL, 5000, 0);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, len, 0x11);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 7), ERR_OK);
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_ptr_eq(k->pbuf, p);                   /* headers in front of the data */
    u16_t u = build_udp("10.0.2.15", "10.0.2.2", 5000, 7, len, 0x11, 0);
    u16_t n = wrap_ip(want, "10.0.2.15", "10.0.2.2", u, be16(k->data + 4), UDP_TTL);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
    ck_assert_uint_eq(k->next_hop.addr, to.addr);
    ck_assert_uint_eq(lwip_stats.udp.xmit, 1);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sendto_header_in_own_pbuf)
{
    /* no room in front of the data: the header goes into a pbuf before it */
    struct udp_pcb *pcb = pcb_on(NULL, 5001, 0);
    struct pbuf *p = data_pbuf(PBUF_RAW, 33, 0x22);
    ip4_addr_t to = { ip_u32("10.0.2.9") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 53), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_ptr_ne(k->pbuf, p);
    ck_assert_uint_eq(k->pbufs, 2);
    u16_t u = build_udp("10.0.2.15", "10.0.2.9", 5001, 53, 33, 0x22, 0);
    u16_t n = wrap_ip(want, "10.0.2.15", "10.0.2.9", u, be16(k->data + 4), UDP_TTL);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
    ck_assert_uint_eq(p->ref, 1);                   /* still the caller's, as it was */
    ck_assert_uint_eq(p->tot_len, 33);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(checksum_zero_sent_as_ffff)
{
    /* data whose last word makes the checksum compute to 0 */
    struct udp_pcb *pcb = pcb_on(NULL, 6000, 0);
    u16_t u = build_udp("10.0.2.15", "10.0.2.2", 6000, 6001, 10, 0x33, 1);
    put16(dgram + u - 2, 0);
    put16(dgram + u - 2, ref_udp_chksum("10.0.2.15", "10.0.2.2", dgram, u));
    ck_assert_uint_eq(ref_udp_chksum("10.0.2.15", "10.0.2.2", dgram, u), 0);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 10, PBUF_RAM);
    memcpy(p->payload, dgram + 8, 10);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 6001), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(be16(k->data + 20 + 6), 0xffff);
    put16(dgram + 6, 0xffff);
    ck_assert_mem_eq(k->data + 20, dgram, u);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(nochksum_flag_sends_zero)
{
    struct udp_pcb *pcb = pcb_on(NULL, 6002, 0);
    udp_setflags(pcb, udp_flags(pcb) | UDP_FLAGS_NOCHKSUM);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 20, 0x44);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 9), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    u16_t u = build_udp("10.0.2.15", "10.0.2.2", 6002, 9, 20, 0x44, 1);
    ck_assert_uint_eq(be16(k->data + 20 + 6), 0);
    ck_assert_mem_eq(k->data + 20, dgram, u);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(send_to_connected_peer_from_ephemeral_port)
{
    struct udp_pcb *pcb = udp_new();
    ip4_addr_t peer = { ip_u32("10.0.2.3") };
    ck_assert_int_eq(udp_connect(pcb, &peer, 4444), ERR_OK);
    ck_assert_uint_eq(pcb->local_port, UDP_LOCAL_PORT_RANGE_START);
    ck_assert(udp_is_flag_set(pcb, UDP_FLAGS_CONNECTED));
    ck_assert_ptr_eq(udp_pcbs, pcb);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 7, 0x55);
    ck_assert_int_eq(udp_send(pcb, p), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    u16_t u = build_udp("10.0.2.15", "10.0.2.3", 49152, 4444, 7, 0x55, 0);
    u16_t n = wrap_ip(want, "10.0.2.15", "10.0.2.3", u, be16(k->data + 4), UDP_TTL);
    ck_assert_mem_eq(k->data, want, n);
    pbuf_free(p);
    udp_remove(pcb);
    ck_assert_ptr_null(udp_pcbs);
    ng_assert_net_clean();
}
END_TEST

START_TEST(send_binds_ephemeral_port_when_unbound)
{
    struct udp_pcb *pcb = udp_new();
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 3, 0x66);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 7), ERR_OK);
    ck_assert_uint_eq(pcb->local_port, 49152);
    ck_assert_uint_eq(be16(rec_packet(&rn, 0)->data + 20), 49152);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sendto_without_route)
{
    /* no default interface: 192.0.2.1 is not reachable */
    struct udp_pcb *pcb = pcb_on(NULL, 5002, 0);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 4, 0);
    ip4_addr_t to = { ip_u32("192.0.2.1") };
    ck_assert_int_eq(udp_sendto(pcb, p, &to, 7), ERR_RTE);
    ck_assert_uint_eq(rn.n, 0);
    ck_assert_uint_eq(lwip_stats.udp.rterr, 1);
    ck_assert_uint_eq(p->tot_len, 4);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sendto_if_from_address_not_on_netif)
{
    struct udp_pcb *pcb = pcb_on("10.9.9.9", 5003, 0);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 4, 0);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_sendto_if(pcb, p, &to, 7, &rn.netif), ERR_RTE);
    ck_assert_uint_eq(rn.n, 0);
    /* ... and the same PCB, sending from a given source, may */
    ip4_addr_t src = { ip_u32("10.0.2.15") };
    ck_assert_int_eq(udp_sendto_if_src(pcb, p, &to, 7, &rn.netif, &src), ERR_OK);
    ck_assert_uint_eq(rn.n, 1);
    pbuf_free(p);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

/* ---- receiving ------------------------------------------------------------------ */

START_TEST(receive_exact)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    rx_udp("10.0.2.2", 33333, "10.0.2.15", 7, 45);
    ck_assert_int_eq(nseen, 1);
    ck_assert_ptr_eq(seen[0].pcb, pcb);
    ck_assert_uint_eq(seen[0].addr.addr, ip_u32("10.0.2.2"));
    ck_assert_uint_eq(seen[0].port, 33333);
    ck_assert_uint_eq(seen[0].len, 45);
    ck_assert_mem_eq(seen[0].data, dgram + 8, 45);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(lwip_stats.udp.recv, 1);
    ck_assert_uint_eq(rn.n, 0);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(receive_without_checksum)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 12, 1, 1);
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 1, 64);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_uint_eq(seen[0].len, 12);
    ck_assert_uint_eq(ng_drops_total(), 0);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(receive_cuts_ip_padding)
{
    /* the IP payload is 6 bytes longer than the UDP length says */
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 10, 9, 0);
    memset(dgram + u, 0xee, 6);
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", (u16_t)(u + 6), 1, 64);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_uint_eq(seen[0].len, 10);
    ck_assert_mem_eq(seen[0].data, dgram + 8, 10);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(bad_checksum_dropped)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 20, 2, 0);
    dgram[8 + 5] ^= 0x01;
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 1, 64);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_CHKSUM);
    ck_assert_uint_eq(lwip_stats.udp.chkerr, 1);
    ck_assert_uint_eq(lwip_stats.udp.drop, 1);
    ck_assert_uint_eq(rn.n, 0);                     /* no ICMP about it */
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(short_datagram_dropped)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 0, 0, 1);
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", 5, 1, 64);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_SHORT);
    ck_assert_uint_eq(lwip_stats.udp.lenerr, 1);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

static const u16_t lying_lens[] = { 0, 7, 29, 400 };

START_TEST(lying_length_dropped)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 20, 3, 1);
    put16(dgram + 4, lying_lens[_i]);               /* the datagram is 28 bytes */
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 1, 64);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_LEN);
    ck_assert_uint_eq(lwip_stats.udp.lenerr, 1);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(no_recv_callback_dropped)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    udp_recv(pcb, NULL, NULL);
    rx_udp("10.0.2.2", 1000, "10.0.2.15", 7, 4);
    ck_assert_one_drop(UDP_NO_RECV);
    ck_assert_uint_eq(rn.n, 0);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

/* ---- port unreachable ------------------------------------------------------------ */

START_TEST(port_unreachable_exact)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);       /* another port is open */
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 40000, 9999, 30, 4, 0);
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 0x4321, 61);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_NO_PCB);
    ck_assert_uint_eq(lwip_stats.udp.proterr, 1);
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);

    /* RFC 792: type 3 code 3, a zero word, the IP header + 8 bytes */
    static u8_t icmp[8 + 28];
    memset(icmp, 0, sizeof icmp);
    icmp[0] = 3;
    icmp[1] = 3;
    memcpy(icmp + 8, pkt, 28);
    put16(icmp + 2, ref_chksum(icmp, sizeof icmp));
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = IP_PROTO_ICMP,
                         .id = be16(k->data + 4), .ttl = ICMP_TTL };
    u16_t m = build_ip(want, &s, icmp, sizeof icmp);
    ck_assert_uint_eq(k->len, m);
    ck_assert_mem_eq(k->data, want, m);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

static const char *const group_dsts[] = { "255.255.255.255", "10.0.2.255", "224.0.0.1" };

START_TEST(no_port_unreachable_for_broadcast)
{
    rx_udp("10.0.2.2", 1000, group_dsts[_i], 9999, 8);
    ck_assert_uint_eq(rn.n, 0);
    ck_assert_one_drop(UDP_NO_PCB);
    ng_assert_net_clean();
}
END_TEST

/* ---- broadcast --------------------------------------------------------------------- */

START_TEST(broadcast_only_with_sof_broadcast)
{
    struct udp_pcb *plain = pcb_on(NULL, 67, SOF_REUSEADDR);
    struct udp_pcb *bcast = pcb_on(NULL, 67, SOF_REUSEADDR | SOF_BROADCAST);
    rx_udp("10.0.2.2", 68, "255.255.255.255", 67, 16);
    ck_assert_int_eq(nseen, 1);
    ck_assert_ptr_eq(seen[0].pcb, bcast);
    ck_assert_uint_eq(seen[0].len, 16);

    /* without any PCB that may have it: dropped, no ICMP */
    udp_remove(bcast);
    rx_udp("10.0.2.2", 68, "10.0.2.255", 67, 16);
    ck_assert_int_eq(nseen, 1);
    ck_assert_one_drop(UDP_NO_PCB);
    ck_assert_uint_eq(rn.n, 0);

    /* unicast to the same port still reaches the plain PCB */
    rx_udp("10.0.2.2", 68, "10.0.2.15", 67, 3);
    ck_assert_int_eq(nseen, 2);
    ck_assert_ptr_eq(seen[1].pcb, plain);
    udp_remove(plain);
    ng_assert_net_clean();
}
END_TEST

START_TEST(broadcast_to_every_pcb_on_the_port)
{
    struct udp_pcb *a = pcb_on(NULL, 520, SOF_REUSEADDR | SOF_BROADCAST);
    struct udp_pcb *b = pcb_on("10.0.2.15", 520, SOF_REUSEADDR | SOF_BROADCAST);
    struct udp_pcb *c = pcb_on(NULL, 521, SOF_BROADCAST);     /* another port */
    rx_udp("10.0.2.7", 520, "10.0.2.255", 520, 24);
    ck_assert_int_eq(nseen, 2);
    ck_assert_ptr_eq(seen[0].pcb, b);       /* newest first, a copy */
    ck_assert_ptr_eq(seen[1].pcb, a);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(seen[i].len, 24);
        ck_assert_mem_eq(seen[i].data, dgram + 8, 24);
        ck_assert_uint_eq(seen[i].addr.addr, ip_u32("10.0.2.7"));
        ck_assert_uint_eq(seen[i].port, 520);
    }
    ck_assert_uint_eq(ng_drops_total(), 0);
    udp_remove(a);
    udp_remove(b);
    udp_remove(c);
    ng_assert_net_clean();
}
END_TEST

/* ---- binding ------------------------------------------------------------------------ */

START_TEST(bind_conflicts)
{
    struct udp_pcb *a = udp_new(), *b = udp_new();
    ip4_addr_t us = { ip_u32("10.0.2.15") }, lo = { ip_u32("127.0.0.1") };
    ck_assert_int_eq(udp_bind(a, IP_ADDR_ANY, 5000), ERR_OK);
    ck_assert_int_eq(udp_bind(b, IP_ADDR_ANY, 5000), ERR_USE);
    ck_assert_int_eq(udp_bind(b, &us, 5000), ERR_USE);
    ck_assert_int_eq(udp_bind(b, NULL, 5000), ERR_USE);
    ck_assert_uint_eq(b->local_port, 0);
    ck_assert_ptr_eq(udp_pcbs, a);                  /* b not listed */
    ck_assert_ptr_null(a->next);

    /* two different specific addresses may share a port */
    ck_assert_int_eq(udp_bind(a, &us, 6000), ERR_OK);  /* rebinding moves a */
    ck_assert_int_eq(udp_bind(b, &lo, 6000), ERR_OK);
    ck_assert_int_eq(udp_bind(b, IP_ADDR_ANY, 6000), ERR_USE);

    /* both SOF_REUSEADDR: the wildcard too; one alone is not enough */
    ip_set_option(b, SOF_REUSEADDR);
    ck_assert_int_eq(udp_bind(b, IP_ADDR_ANY, 6000), ERR_USE);
    ip_set_option(a, SOF_REUSEADDR);
    ck_assert_int_eq(udp_bind(b, IP_ADDR_ANY, 6000), ERR_OK);
    ck_assert_uint_eq(a->local_port, 6000);
    ck_assert_uint_eq(b->local_port, 6000);

    udp_remove(a);
    udp_remove(b);
    ck_assert_ptr_null(udp_pcbs);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ephemeral_ports_in_turn)
{
    struct udp_pcb *p[5];
    for (int i = 0; i < 5; i++)
        p[i] = udp_new();
    ck_assert_int_eq(udp_bind(p[0], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[0]->local_port, 49152);
    ck_assert_int_eq(udp_bind(p[1], NULL, 49154), ERR_OK);  /* taken by hand */
    ck_assert_int_eq(udp_bind(p[2], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[2]->local_port, 49153);
    ck_assert_int_eq(udp_bind(p[3], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[3]->local_port, 49155);            /* 49154 skipped */
    /* a port given up is not handed out again at once */
    udp_remove(p[0]);
    ck_assert_int_eq(udp_bind(p[4], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[4]->local_port, 49156);
    for (int i = 1; i < 5; i++)
        udp_remove(p[i]);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ephemeral_ports_wrap)
{
    /* 49152..65535 once round, each given up at once; then the first
     * again, and past it one that is in use */
    for (u32_t port = 49152; port <= 65535; port++) {
        struct udp_pcb *pcb = udp_new();
        ck_assert_int_eq(udp_bind(pcb, NULL, 0), ERR_OK);
        ck_assert_uint_eq(pcb->local_port, port);
        udp_remove(pcb);
    }
    struct udp_pcb *hold = udp_new();
    ck_assert_int_eq(udp_bind(hold, NULL, 49153), ERR_OK);
    struct udp_pcb *pcb = udp_new();
    ck_assert_int_eq(udp_bind(pcb, NULL, 0), ERR_OK);
    ck_assert_uint_eq(pcb->local_port, 49152);
    struct udp_pcb *next = udp_new();
    ck_assert_int_eq(udp_bind(next, NULL, 0), ERR_OK);
    ck_assert_uint_eq(next->local_port, 49154);            /* 49153 is hold's */
    udp_remove(pcb);
    udp_remove(next);
    udp_remove(hold);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pcb_pool_runs_out)
{
    struct udp_pcb *p[MEMP_NUM_UDP_PCB];
    for (int i = 0; i < MEMP_NUM_UDP_PCB; i++) {
        p[i] = udp_new();
        ck_assert_ptr_nonnull(p[i]);
    }
    ck_assert_ptr_null(udp_new());
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), MEMP_NUM_UDP_PCB);
    for (int i = 0; i < MEMP_NUM_UDP_PCB; i++)
        udp_remove(p[i]);
    ng_assert_net_clean();
}
END_TEST

/* ---- demultiplexing ---------------------------------------------------------------- */

START_TEST(connected_pcb_first)
{
    struct udp_pcb *any = pcb_on(NULL, 7000, SOF_REUSEADDR);
    struct udp_pcb *conn = pcb_on(NULL, 7000, SOF_REUSEADDR);
    ip4_addr_t peer = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_connect(conn, &peer, 9000), ERR_OK);
    rx_udp("10.0.2.2", 9000, "10.0.2.15", 7000, 1);    /* the peer */
    rx_udp("10.0.2.2", 9001, "10.0.2.15", 7000, 2);    /* its other port */
    rx_udp("10.0.2.3", 9000, "10.0.2.15", 7000, 3);    /* another host */
    ck_assert_int_eq(nseen, 3);
    ck_assert_ptr_eq(seen[0].pcb, conn);
    ck_assert_ptr_eq(seen[1].pcb, any);
    ck_assert_ptr_eq(seen[2].pcb, any);
    udp_remove(any);
    udp_remove(conn);
    ng_assert_net_clean();
}
END_TEST

START_TEST(specific_address_before_wildcard)
{
    /* whichever of the two was bound first */
    for (int order = 0; order < 2; order++) {
        struct udp_pcb *spec = NULL, *any = NULL;
        if (order == 0)
            spec = pcb_on("10.0.2.15", 8000, SOF_REUSEADDR);
        any = pcb_on(NULL, 8000, SOF_REUSEADDR);
        if (order == 1)
            spec = pcb_on("10.0.2.15", 8000, SOF_REUSEADDR);
        rx_udp("10.0.2.2", 1, "10.0.2.15", 8000, 1);
        ck_assert_int_eq(nseen, order + 1);
        ck_assert_ptr_eq(seen[order].pcb, spec);
        udp_remove(spec);
        udp_remove(any);
    }
    ng_assert_net_clean();
}
END_TEST

START_TEST(connect_filters_and_disconnect_opens)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7100, 0);
    ip4_addr_t peer = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_connect(pcb, &peer, 53), ERR_OK);
    rx_udp("10.0.2.4", 53, "10.0.2.15", 7100, 5);      /* not the peer */
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_NO_PCB);
    ck_assert_uint_eq(rn.n, 1);                         /* port unreachable */
    ck_assert_uint_eq(rec_packet(&rn, 0)->data[20], 3);

    udp_disconnect(pcb);
    ck_assert(!udp_is_flag_set(pcb, UDP_FLAGS_CONNECTED));
    ck_assert_uint_eq(pcb->remote_port, 0);
    ck_assert_uint_eq(pcb->local_port, 7100);           /* still bound */
    rx_udp("10.0.2.4", 53, "10.0.2.15", 7100, 5);
    ck_assert_int_eq(nseen, 1);
    ck_assert_uint_eq(seen[0].addr.addr, ip_u32("10.0.2.4"));
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(bound_address_filters)
{
    /* bound to 127.0.0.1: a datagram for 10.0.2.15 is not its */
    struct udp_pcb *pcb = pcb_on("127.0.0.1", 7200, 0);
    rx_udp("10.0.2.2", 1, "10.0.2.15", 7200, 5);
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_NO_PCB);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(bind_netif_filters)
{
    static struct rec_netif other;
    rec_netif_add(&other, "192.168.7.1", "255.255.255.0", "0.0.0.0");
    struct udp_pcb *pcb = pcb_on(NULL, 7300, 0);
    udp_bind_netif(pcb, &other.netif);
    rx_udp("10.0.2.2", 1, "10.0.2.15", 7300, 5);       /* arrives on rn */
    ck_assert_int_eq(nseen, 0);
    ck_assert_one_drop(UDP_NO_PCB);
    udp_bind_netif(pcb, NULL);
    rx_udp("10.0.2.2", 1, "10.0.2.15", 7300, 5);
    ck_assert_int_eq(nseen, 1);
    udp_remove(pcb);
    netif_remove(&other.netif);
    ng_assert_net_clean();
}
END_TEST

/* ---- trace --------------------------------------------------------------------------- */

START_TEST(layers_traced)
{
    struct udp_pcb *pcb = pcb_on(NULL, 7, 0);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(udp_connect(pcb, &to, 7), ERR_OK);
    struct pbuf *p = data_pbuf(PBUF_TRANSPORT, 4, 0);
    struct pbuf *q = data_pbuf(PBUF_TRANSPORT, 4, 0);
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 4, 0x40, 0);
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 1, 64);
    struct pbuf *in = rx_pbuf(pkt, n);

    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    ck_assert_int_eq(udp_send(pcb, p), ERR_OK);
    ck_assert_int_eq(udp_sendto(pcb, q, &to, 7), ERR_OK);
    udp_disconnect(pcb);
    ip4_input(in, &rn.netif);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_layers(NG_layer_udp_send, NG_layer_udp_sendto, NG_layer_udp_sendto_if,
                     NG_layer_ip4_output_if, -NG_layer_ip4_output_if,
                     -NG_layer_udp_sendto_if, -NG_layer_udp_sendto, -NG_layer_udp_send,
                     NG_layer_udp_sendto, NG_layer_udp_sendto_if,
                     NG_layer_ip4_output_if, -NG_layer_ip4_output_if,
                     -NG_layer_udp_sendto_if, -NG_layer_udp_sendto,
                     NG_layer_ip4_input, NG_layer_udp_input, -NG_layer_udp_input,
                     -NG_layer_ip4_input);           /* no raw PCB: no raw_input */
    ck_assert_uint_eq(tc_recs[tc_next(0, NG_EV_LAYER_ENTER)].w[0], (u32_t)(uintptr_t)p);
    ck_assert_uint_eq(rn.n, 2);
    ck_assert_int_eq(nseen, 1);
    pbuf_free(p);
    pbuf_free(q);
    udp_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(drop_traced)
{
    u16_t u = build_udp("10.0.2.2", "10.0.2.15", 1000, 7, 4, 0, 0);
    dgram[9] ^= 0xff;
    u16_t n = wrap_ip(pkt, "10.0.2.2", "10.0.2.15", u, 1, 64);
    struct pbuf *p = rx_pbuf(pkt, n);
    ck_assert_input_drop_traced(p, &rn.netif, UDP_CHKSUM);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("udp");
    TCase *tc = ng_tcase(s, "send");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, sendto_exact, 0, (int)LWIP_ARRAYSIZE(send_lens));
    tcase_add_test(tc, sendto_header_in_own_pbuf);
    tcase_add_test(tc, checksum_zero_sent_as_ffff);
    tcase_add_test(tc, nochksum_flag_sends_zero);
    tcase_add_test(tc, send_to_connected_peer_from_ephemeral_port);
    tcase_add_test(tc, send_binds_ephemeral_port_when_unbound);
    tcase_add_test(tc, sendto_without_route);
    tcase_add_test(tc, sendto_if_from_address_not_on_netif);

    tc = ng_tcase(s, "receive");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, receive_exact);
    tcase_add_test(tc, receive_without_checksum);
    tcase_add_test(tc, receive_cuts_ip_padding);
    tcase_add_test(tc, bad_checksum_dropped);
    tcase_add_test(tc, short_datagram_dropped);
    tcase_add_loop_test(tc, lying_length_dropped, 0, (int)LWIP_ARRAYSIZE(lying_lens));
    tcase_add_test(tc, no_recv_callback_dropped);
    tcase_add_test(tc, port_unreachable_exact);
    tcase_add_loop_test(tc, no_port_unreachable_for_broadcast, 0,
                        (int)LWIP_ARRAYSIZE(group_dsts));
    tcase_add_test(tc, broadcast_only_with_sof_broadcast);
    tcase_add_test(tc, broadcast_to_every_pcb_on_the_port);

    tc = ng_tcase(s, "pcbs");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, bind_conflicts);
    tcase_add_test(tc, ephemeral_ports_in_turn);
    tcase_add_test(tc, ephemeral_ports_wrap);
    tcase_add_test(tc, pcb_pool_runs_out);
    tcase_add_test(tc, connected_pcb_first);
    tcase_add_test(tc, specific_address_before_wildcard);
    tcase_add_test(tc, connect_filters_and_disconnect_opens);
    tcase_add_test(tc, bound_address_filters);
    tcase_add_test(tc, bind_netif_filters);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, layers_traced);
    tcase_add_test(tc, drop_traced);

    return ng_test_run(s) != 0;
}
