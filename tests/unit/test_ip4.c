/*
 * tests/unit/test_ip4.c - IPv4 input, output, routing and forwarding
 * (net/ip4.c), on interfaces whose output records the IP packets
 * (tests/unit/ip4_test.h).
 *
 * Covers: every malformed header dropped under its own reason, counted in
 * the matching lwip_stats.ip counter, with nothing sent (shorter than 20,
 * version, IHL below 5 / past the packet / split over pbufs, total length
 * below the header / past the packet, checksum, malformed options);
 * destinations accepted (ours, limited and subnet broadcast, the 0-form,
 * 224.0.0.1, another interface's address) and refused (someone else's,
 * other multicast groups, 127/8 from outside); bad sources (broadcast,
 * subnet broadcast, multicast, 127/8 from outside) and the allowed 0.0.0.0;
 * Ethernet padding cut off; unknown protocols (protocol unreachable, not
 * for broadcasts); the ip_current_*() globals while a packet is handed up
 * and cleared after; the header ip4_output writes (every byte, IDs
 * counting up, the netif's address for IP_ADDR_ANY, 0.0.0.0 kept by
 * ip4_output_if_src, DF), no room for the header, LWIP_IP_HDRINCL, DF
 * with a packet larger than the MTU; ip4_route (subnet, point-to-point,
 * default, down interfaces, 127/8) and ERR_RTE; forwarding (TTL and
 * checksum, TTL 1 with time exceeded, no route, back out of the same
 * interface, DF and too big, fragmenting on the way, never a broadcast,
 * a group or a link-local address); the trace records of
 * ip4_input and ip4_output. Every test ends with the pools and heap empty.
 */
#include <string.h>

#include "ip4_test.h"

static struct rec_netif rn;     /* 10.0.2.15/24, gw 10.0.2.2, the default */
static struct rec_netif rn2;    /* 192.168.1.1/24, for weak host and forwarding */
static u8_t buf[4096];

static void setup(void)
{
    ip4_test_setup();
    rec_netif_add(&rn, "10.0.2.15", "255.255.255.0", "10.0.2.2");
    netif_set_default(&rn.netif);
}

static void add_rn2(void)
{
    rec_netif_add(&rn2, "192.168.1.1", "255.255.255.0", "192.168.1.254");
}

/* A 28-byte echo request from 10.0.2.2 to dst; returns its length. */
static u16_t echo_to(const char *dst)
{
    u8_t icmp[64];
    u16_t n = build_echo(icmp, ICMP_ECHO, 0x1234, 1, 20, 3);
    struct ip_spec s = { .src = "10.0.2.2", .dst = dst, .proto = IP_PROTO_ICMP, .id = 7 };
    return build_ip(buf, &s, icmp, n);
}

/* A packet of protocol 99 (nobody's) with 12 data bytes. */
static u16_t proto99(const char *src, const char *dst)
{
    static const u8_t data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    struct ip_spec s = { .src = src, .dst = dst, .proto = 99, .id = 9 };
    return build_ip(buf, &s, data, sizeof data);
}

static void assert_nothing_sent(void)
{
    ck_assert_uint_eq(rn.n, 0);
    ck_assert_uint_eq(rn2.n, 0);
}

/* ---- malformed headers ----------------------------------------------------- */

START_TEST(shorter_than_a_header)
{
    u16_t n = echo_to("10.0.2.15");
    rx(&rn.netif, buf, 19);
    (void)n;
    ck_assert_one_drop(IP_SHORT);
    ck_assert_uint_eq(lwip_stats.ip.lenerr, 1);
    ck_assert_uint_eq(lwip_stats.ip.drop, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(version_not_4)
{
    u16_t n = echo_to("10.0.2.15");
    buf[0] = 0x65;
    fix_ip_chksum(buf);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_VERSION);
    ck_assert_uint_eq(lwip_stats.ip.err, 1);
    ck_assert_uint_eq(lwip_stats.ip.drop, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(ihl_below_5)
{
    u16_t n = echo_to("10.0.2.15");
    buf[0] = 0x44;
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_HLEN);
    ck_assert_uint_eq(lwip_stats.ip.lenerr, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(ihl_past_the_packet)
{
    u16_t n = echo_to("10.0.2.15");     /* 48 bytes; IHL 15 says 60 */
    buf[0] = 0x4f;
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_HLEN);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(header_split_over_pbufs)
{
    /* IP needs the header in the first pbuf: 10 + 38 bytes is refused. */
    u16_t n = echo_to("10.0.2.15");
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 10, PBUF_RAM);
    struct pbuf *q = pbuf_alloc(PBUF_RAW, (u16_t)(n - 10), PBUF_RAM);
    memcpy(p->payload, buf, 10);
    memcpy(q->payload, buf + 10, n - 10u);
    pbuf_cat(p, q);
    ip4_input(p, &rn.netif);
    ck_assert_one_drop(IP_HLEN);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(total_length_below_header)
{
    u16_t n = echo_to("10.0.2.15");
    put16(buf + 2, 19);
    fix_ip_chksum(buf);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_LEN);
    ck_assert_uint_eq(lwip_stats.ip.lenerr, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(total_length_past_packet)
{
    u16_t n = echo_to("10.0.2.15");
    put16(buf + 2, (u16_t)(n + 1));
    fix_ip_chksum(buf);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_LEN);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(bad_checksum)
{
    u16_t n = echo_to("10.0.2.15");
    buf[11] ^= 0x01;
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_CHKSUM);
    ck_assert_uint_eq(lwip_stats.ip.chkerr, 1);
    ck_assert_uint_eq(lwip_stats.ip.drop, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(malformed_option)
{
    /* hlen 24: NOP, then an option of type 7 claiming 10 bytes (3 left) */
    u8_t icmp[28];
    u16_t m = build_echo(icmp, ICMP_ECHO, 1, 1, 20, 0);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                         .hlen = 24 };
    u16_t n = build_ip(buf, &s, icmp, m);
    buf[21] = 7;
    buf[22] = 10;
    fix_ip_chksum(buf);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_OPTIONS);
    ck_assert_uint_eq(lwip_stats.ip.opterr, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(options_are_skipped)
{
    /* hlen 28: NOPs, a 4-byte option of type 0x44 (timestamp-like), EOL */
    u8_t icmp[28];
    u16_t m = build_echo(icmp, ICMP_ECHO, 1, 1, 20, 0);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                         .hlen = 28 };
    u16_t n = build_ip(buf, &s, icmp, m);
    static const u8_t opt[8] = { 1, 0x44, 4, 5, 0, 0, 0, 0 };
    memcpy(buf + 20, opt, sizeof opt);
    fix_ip_chksum(buf);
    rx(&rn.netif, buf, n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn.n, 1);                     /* the echo reply */
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->len, 20 + m);              /* a fresh header, no options */
    ck_assert_mem_eq(k->data + 28, icmp + 8, 20);   /* same data */
    ng_assert_net_clean();
}
END_TEST

/* ---- destinations ------------------------------------------------------------ */

START_TEST(ours_delivered)
{
    u16_t n = echo_to("10.0.2.15");
    rx(&rn.netif, buf, n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(lwip_stats.ip.recv, 1);       /* the request */
    ck_assert_uint_eq(lwip_stats.ip.xmit, 1);       /* the reply */
    ck_assert_uint_eq(lwip_stats.icmp.recv, 1);
    ck_assert_uint_eq(rn.n, 1);
    ck_assert_uint_eq(rec_packet(&rn, 0)->data[20], ICMP_ER);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ethernet_padding_cut_off)
{
    /* 48 bytes of datagram in a minimum-size frame: 46 bytes of Ethernet
     * payload would be enough here, so pad a 40-byte one to 46 */
    u8_t icmp[64];
    u16_t m = build_echo(icmp, ICMP_ECHO, 0x99, 2, 12, 5);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP };
    u16_t n = build_ip(buf, &s, icmp, m);
    ck_assert_uint_eq(n, 40);
    memset(buf + n, 0xaa, 6);
    rx(&rn.netif, buf, 46);
    ck_assert_uint_eq(ng_drops_total(), 0);         /* the ICMP checksum held: no padding */
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->len, 40);
    ck_assert_uint_eq(be16(k->data + 2), 40);
    ck_assert_mem_eq(k->data + 24, icmp + 4, m - 4u);
    ng_assert_net_clean();
}
END_TEST

/* Protocol 99 to dst: if IP takes it, it is dropped as IP_PROTO (and no
 * protocol unreachable is sent about a broadcast or multicast). */
static void accepted_without_answer(const char *dst)
{
    u16_t n = proto99("10.0.2.2", dst);
    rx(&rn.netif, buf, n);
    ck_assert_msg(ng_drop_count[NG_drop_IP_PROTO] == 1, "%s not accepted", dst);
    ck_assert_uint_eq(ng_drops_total(), 1);
    assert_nothing_sent();
}

START_TEST(limited_broadcast_accepted)
{
    accepted_without_answer("255.255.255.255");
    ng_assert_net_clean();
}
END_TEST

START_TEST(subnet_broadcast_accepted)
{
    accepted_without_answer("10.0.2.255");
    ng_assert_net_clean();
}
END_TEST

START_TEST(zero_broadcast_accepted)
{
    accepted_without_answer("0.0.0.0");     /* RFC 1122 3.3.6: the all-zeros 0-form (not {net,0}) */
    ng_assert_net_clean();
}
END_TEST

START_TEST(all_hosts_multicast_accepted)
{
    accepted_without_answer("224.0.0.1");
    ng_assert_net_clean();
}
END_TEST

START_TEST(other_interfaces_address_accepted)
{
    add_rn2();
    u16_t n = echo_to("192.168.1.1");       /* arrives on rn: weak host model */
    rx(&rn.netif, buf, n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn2.n, 0);
    const struct rec_packet *k = rec_packet(&rn, 0);   /* answered where it came in */
    ck_assert_uint_eq(k->data[20], ICMP_ER);
    ck_assert_uint_eq(raw32(k->data + 12), ip_u32("192.168.1.1"));
    ng_assert_net_clean();
}
END_TEST

START_TEST(someone_elses_dropped)
{
    u16_t n = echo_to("10.0.2.99");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NOT_FOR_US);
    ck_assert_uint_eq(lwip_stats.ip.drop, 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(other_multicast_dropped)
{
    u16_t n = proto99("10.0.2.2", "224.0.0.251");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NOT_FOR_US);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(loopback_from_outside_dropped)
{
    u16_t n = echo_to("127.0.0.1");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NOT_FOR_US);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(down_interface_takes_nothing)
{
    netif_set_down(&rn.netif);
    u16_t n = echo_to("10.0.2.15");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NOT_FOR_US);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

/* ---- sources ---------------------------------------------------------------- */

static const char *const bad_sources[] = {
    "255.255.255.255", "10.0.2.255", "224.0.0.9", "127.0.0.1",
};

START_TEST(bad_source_dropped)
{
    const char *src = bad_sources[_i];
    u16_t n = proto99(src, "10.0.2.15");
    rx(&rn.netif, buf, n);
    ck_assert_msg(ng_drop_count[NG_drop_IP_SRC] == 1, "source %s", src);
    ck_assert_uint_eq(ng_drops_total(), 1);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(zero_source_accepted)
{
    /* accepted (then no protocol), and no ICMP error to 0.0.0.0 */
    u16_t n = proto99("0.0.0.0", "255.255.255.255");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_PROTO);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

/* ---- protocols ---------------------------------------------------------------- */

START_TEST(unknown_protocol_answered)
{
    u16_t n = proto99("10.0.2.2", "10.0.2.15");
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_PROTO);
    ck_assert_uint_eq(lwip_stats.ip.proterr, 1);
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->data[9], IP_PROTO_ICMP);
    ck_assert_uint_eq(k->data[20], ICMP_DUR);
    ck_assert_uint_eq(k->data[21], ICMP_DUR_PROTO);
    ck_assert_mem_eq(k->data + 28, buf, 28);        /* the header + 8 bytes quoted */
    ng_assert_net_clean();
}
END_TEST

START_TEST(unknown_protocol_to_broadcast_not_answered)
{
    accepted_without_answer("10.0.2.255");
    ng_assert_net_clean();
}
END_TEST

/* The globals a protocol reads while it has the packet (seen from the
 * echo reply hook, which runs inside icmp_input). */
static struct ip_globals seen;
static const u8_t *seen_header_bytes;

static void globals_hook(struct pbuf *p, const ip4_addr_t *from)
{
    seen = ip_data;
    seen_header_bytes = (const u8_t *)ip_current_header();
    ck_assert_ptr_eq(from, ip_current_src_addr());
    ck_assert_ptr_eq((const u8_t *)ip_current_header() + ip_current_header_tot_len(),
                     p->payload);
}

START_TEST(current_packet_globals)
{
    ng_icmp_echo_reply_hook = globals_hook;
    u8_t icmp[16];
    u16_t m = build_echo(icmp, ICMP_ER, 5, 6, 8, 1);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP };
    u16_t n = build_ip(buf, &s, icmp, m);
    rx(&rn.netif, buf, n);
    ck_assert_ptr_eq(seen.current_netif, &rn.netif);
    ck_assert_ptr_eq(seen.current_input_netif, &rn.netif);
    ck_assert_ptr_nonnull(seen_header_bytes);
    ck_assert_uint_eq(seen.current_ip_header_tot_len, 20);
    ck_assert_uint_eq(seen.current_iphdr_src.addr, ip_u32("10.0.2.2"));
    ck_assert_uint_eq(seen.current_iphdr_dest.addr, ip_u32("10.0.2.15"));
    /* cleared once the packet has been handed up */
    ck_assert_ptr_null(ip_current_netif());
    ck_assert_ptr_null(ip_current_header());
    ck_assert_uint_eq(ip_current_src_addr()->addr, 0);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ng_icmp_echo_reply_hook = NULL;
    ng_assert_net_clean();
}
END_TEST

/* ---- output --------------------------------------------------------------------- */

static struct pbuf *payload(u16_t len, u8_t seed)
{
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    for (u16_t i = 0; i < len; i++)
        ((u8_t *)p->payload)[i] = (u8_t)(seed + i);
    return p;
}

START_TEST(output_header_bytes)
{
    struct pbuf *p = payload(10, 0x30);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 33, 0x10, 99), ERR_OK);
    pbuf_free(p);
    p = payload(10, 0x40);
    ck_assert_int_eq(ip4_output(p, IP4_ADDR_ANY, &dst, 33, 0x10, 99), ERR_OK);
    pbuf_free(p);

    ck_assert_uint_eq(rn.n, 2);
    u16_t id = be16(rec_packet(&rn, 0)->data + 4);
    for (unsigned i = 0; i < 2; i++) {
        const struct rec_packet *k = rec_packet(&rn, i);
        u8_t data[10], expect[30];
        for (int j = 0; j < 10; j++)
            data[j] = (u8_t)((i ? 0x40 : 0x30) + j);
        struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = 99, .ttl = 33,
                             .tos = 0x10, .id = (u16_t)(id + i) };
        build_ip(expect, &s, data, 10);
        ck_assert_uint_eq(k->len, 30);
        ck_assert_mem_eq(k->data, expect, 30);
        ck_assert_uint_eq(k->next_hop.addr, dst.addr);  /* ARP picks the gateway, not IP */
    }
    ck_assert_uint_eq(lwip_stats.ip.xmit, 2);
    ng_assert_net_clean();
}
END_TEST

START_TEST(output_if_src_keeps_zero_source)
{
    struct pbuf *p = payload(4, 0);
    ip4_addr_t dst = { IPADDR_BROADCAST };
    ck_assert_int_eq(ip4_output_if_src(p, IP4_ADDR_ANY, &dst, 64, 0, 99, &rn.netif), ERR_OK);
    pbuf_free(p);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(raw32(k->data + 12), 0);
    ck_assert_uint_eq(raw32(k->data + 16), IPADDR_BROADCAST);
    ck_assert_uint_eq(ref_chksum(k->data, 20), 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(output_dont_fragment)
{
    struct pbuf *p = payload(100, 0);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_output_if_flags(p, netif_ip4_addr(&rn.netif), &dst, 64, 0, 99,
                                         &rn.netif, IP_DF), ERR_OK);
    pbuf_free(p);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(be16(k->data + 6), IP_DF);
    ck_assert_uint_eq(ref_chksum(k->data, 20), 0);

    /* larger than the MTU with DF: refused, nothing sent */
    p = payload(1481, 0);
    ck_assert_int_eq(ip4_output_if_flags(p, netif_ip4_addr(&rn.netif), &dst, 64, 0, 99,
                                         &rn.netif, IP_DF), ERR_VAL);
    pbuf_free(p);
    ck_assert_uint_eq(rn.n, 1);
    ck_assert_one_drop(IP_FRAG_DF);                 /* counted, not silent */
    ng_assert_net_clean();
}
END_TEST

START_TEST(output_needs_header_room)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 8, PBUF_RAM);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 64, 0, 99), ERR_BUF);
    ck_assert_uint_eq(p->tot_len, 8);
    pbuf_free(p);
    assert_nothing_sent();
    ck_assert_one_drop(IP_NO_ROOM);
    ng_assert_net_clean();
}
END_TEST

START_TEST(output_header_included)
{
    u16_t n = proto99("10.0.2.15", "10.0.2.2");
    struct pbuf *p = pbuf_alloc(PBUF_IP, n, PBUF_RAM);
    memcpy(p->payload, buf, n);
    ck_assert_int_eq(ip4_output_if(p, NULL, LWIP_IP_HDRINCL, 0, 0, 0, &rn.netif), ERR_OK);
    pbuf_free(p);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, buf, n);
    ck_assert_uint_eq(k->next_hop.addr, ip_u32("10.0.2.2"));
    ng_assert_net_clean();
}
END_TEST

START_TEST(routes)
{
    add_rn2();
    ip4_addr_t a;
    a.addr = ip_u32("192.168.1.77");
    ck_assert_ptr_eq(ip4_route(&a), &rn2.netif);
    a.addr = ip_u32("10.0.2.200");
    ck_assert_ptr_eq(ip4_route(&a), &rn.netif);
    a.addr = ip_u32("8.8.8.8");
    ck_assert_ptr_eq(ip4_route(&a), &rn.netif);          /* the default */
    a.addr = ip_u32("127.0.0.1");
    ck_assert_ptr_eq(ip4_route(&a), &netif_loopif);
    a.addr = ip_u32("127.1.2.3");
    ck_assert_ptr_eq(ip4_route(&a), &netif_loopif);
    ck_assert_ptr_eq(ip4_route_src(netif_ip4_addr(&rn.netif), &a), &netif_loopif);

    /* an interface that is down, or whose link is down, is not a route */
    netif_set_link_down(&rn2.netif);
    a.addr = ip_u32("192.168.1.77");
    ck_assert_ptr_eq(ip4_route(&a), &rn.netif);
    netif_set_down(&rn.netif);
    ck_assert_ptr_null(ip4_route(&a));

    /* point to point: no broadcast flag, the peer is the gw */
    netif_set_link_up(&rn2.netif);
    rn2.netif.flags &= (u8_t)~NETIF_FLAG_BROADCAST;
    a.addr = ip_u32("192.168.1.254");
    ck_assert_ptr_eq(ip4_route(&a), &rn2.netif);
    ng_assert_net_clean();
}
END_TEST

START_TEST(no_route)
{
    netif_set_default(NULL);
    struct pbuf *p = payload(4, 0);
    ip4_addr_t dst = { ip_u32("8.8.8.8") };
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 64, 0, 99), ERR_RTE);
    ck_assert_uint_eq(lwip_stats.ip.rterr, 1);
    ck_assert_uint_eq(p->tot_len, 4);               /* untouched, still the caller's */
    pbuf_free(p);
    assert_nothing_sent();
    ck_assert_one_drop(IP_NO_ROUTE);
    ng_assert_net_clean();
}
END_TEST

/* ---- forwarding ------------------------------------------------------------------ */

static u16_t transit(const char *dst, u8_t ttl, u16_t frag, u16_t len)
{
    static u8_t data[2000];
    for (u16_t i = 0; i < len; i++)
        data[i] = (u8_t)(i ^ 0x5a);
    struct ip_spec s = { .src = "10.0.2.2", .dst = dst, .proto = 99, .ttl = ttl, .id = 0x4242,
                         .frag = frag };
    return build_ip(buf, &s, data, len);
}

START_TEST(forward_decrements_ttl)
{
    add_rn2();
    ip4_forwarding = 1;
    u16_t n = transit("192.168.1.50", 9, 0, 30);
    rx(&rn.netif, buf, n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn.n, 0);
    const struct rec_packet *k = rec_packet(&rn2, 0);
    ck_assert_uint_eq(k->len, n);
    ck_assert_uint_eq(k->next_hop.addr, ip_u32("192.168.1.50"));
    buf[8] = 8;
    fix_ip_chksum(buf);                             /* what it should be, summed afresh */
    ck_assert_mem_eq(k->data, buf, n);
    ck_assert_uint_eq(lwip_stats.ip.fw, 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_ttl_1_time_exceeded)
{
    add_rn2();
    ip4_forwarding = 1;
    u16_t n = transit("192.168.1.50", 1, 0, 30);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_TTL);
    ck_assert_uint_eq(rn2.n, 0);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->data[20], ICMP_TE);
    ck_assert_uint_eq(k->data[21], ICMP_TE_TTL);
    ck_assert_uint_eq(raw32(k->data + 16), ip_u32("10.0.2.2"));
    ck_assert_mem_eq(k->data + 28, buf, 28);
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_no_route)
{
    ip4_forwarding = 1;
    netif_set_default(NULL);
    u16_t n = transit("172.16.0.1", 9, 0, 30);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NO_ROUTE);
    ck_assert_uint_eq(lwip_stats.ip.rterr, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);    /* back to the sender: net unreachable */
    ck_assert_uint_eq(k->data[20], ICMP_DUR);
    ck_assert_uint_eq(k->data[21], ICMP_DUR_NET);
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_not_back_out)
{
    ip4_forwarding = 1;
    u16_t n = transit("10.0.2.77", 9, 0, 30);           /* on rn's own subnet */
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NO_ROUTE);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_df_too_big)
{
    add_rn2();
    rn2.netif.mtu = 576;
    ip4_forwarding = 1;
    u16_t n = transit("192.168.1.50", 9, IP_DF, 1000);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_FRAG_DF);
    ck_assert_uint_eq(rn2.n, 0);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->data[20], ICMP_DUR);
    ck_assert_uint_eq(k->data[21], ICMP_DUR_FRAG);
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_fragments)
{
    add_rn2();
    rn2.netif.mtu = 576;
    ip4_forwarding = 1;
    u16_t n = transit("192.168.1.50", 9, 0, 1000);
    rx(&rn.netif, buf, n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn2.n, 2);                        /* 552 + 448 data bytes */
    const struct rec_packet *a = rec_packet(&rn2, 0), *b = rec_packet(&rn2, 1);
    ck_assert_uint_eq(a->len, 572);
    ck_assert_uint_eq(be16(a->data + 6), IP_MF);
    ck_assert_uint_eq(b->len, 468);
    ck_assert_uint_eq(be16(b->data + 6), 552 / 8);
    ck_assert_uint_eq(a->data[8], 8);
    ck_assert_uint_eq(b->data[8], 8);
    ck_assert_uint_eq(ref_chksum(a->data, 20), 0);
    ck_assert_uint_eq(ref_chksum(b->data, 20), 0);
    ck_assert_mem_eq(a->data + 20, buf + 20, 552);
    ck_assert_mem_eq(b->data + 20, buf + 20 + 552, 448);
    ng_assert_net_clean();
}
END_TEST

START_TEST(forward_never_broadcasts)
{
    /* another subnet's directed broadcast, 255.255.255.255, a group, link-local,
     * class E */
    static const char *const dsts[] = { "192.168.1.255", "255.255.255.255", "224.0.0.9",
                                        "169.254.1.1", "240.0.0.1" };
    add_rn2();
    ip4_forwarding = 1;
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(dsts); i++) {
        u16_t n = transit(dsts[i], 9, 0, 30);
        rx(&rn.netif, buf, n);
    }
    /* 255.255.255.255 is ours (accepted, then nobody's protocol) */
    ck_assert_uint_eq(ng_drop_count[NG_drop_IP_NOT_FOR_US], 4);
    ck_assert_uint_eq(ng_drop_count[NG_drop_IP_PROTO], 1);
    ck_assert_uint_eq(ng_drops_total(), 5);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

START_TEST(forwarding_off_by_default)
{
    add_rn2();
    ck_assert_uint_eq(ip4_forwarding, IP_FORWARD);
    u16_t n = transit("192.168.1.50", 9, 0, 30);
    rx(&rn.netif, buf, n);
    ck_assert_one_drop(IP_NOT_FOR_US);
    assert_nothing_sent();
    ng_assert_net_clean();
}
END_TEST

/* ---- trace ------------------------------------------------------------------------ */

START_TEST(input_and_output_traced)
{
    u16_t n = echo_to("10.0.2.15");
    struct pbuf *p = rx_pbuf(buf, n);
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    ip4_input(p, &rn.netif);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    /* ip4_input > icmp_input > ip4_output_if, each entered and left */
    ck_assert_layers(NG_layer_ip4_input, NG_layer_icmp_input, NG_layer_ip4_output_if,
                     -NG_layer_ip4_output_if, -NG_layer_icmp_input, -NG_layer_ip4_input);
    int e = tc_next(0, NG_EV_LAYER_ENTER);
    ck_assert_uint_eq(tc_recs[e].w[0], (u32_t)(uintptr_t)p);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ip4");
    TCase *tc = ng_tcase(s, "header");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, shorter_than_a_header);
    tcase_add_test(tc, version_not_4);
    tcase_add_test(tc, ihl_below_5);
    tcase_add_test(tc, ihl_past_the_packet);
    tcase_add_test(tc, header_split_over_pbufs);
    tcase_add_test(tc, total_length_below_header);
    tcase_add_test(tc, total_length_past_packet);
    tcase_add_test(tc, bad_checksum);
    tcase_add_test(tc, malformed_option);
    tcase_add_test(tc, options_are_skipped);

    tc = ng_tcase(s, "destination");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, ours_delivered);
    tcase_add_test(tc, ethernet_padding_cut_off);
    tcase_add_test(tc, limited_broadcast_accepted);
    tcase_add_test(tc, subnet_broadcast_accepted);
    tcase_add_test(tc, zero_broadcast_accepted);
    tcase_add_test(tc, all_hosts_multicast_accepted);
    tcase_add_test(tc, other_interfaces_address_accepted);
    tcase_add_test(tc, someone_elses_dropped);
    tcase_add_test(tc, other_multicast_dropped);
    tcase_add_test(tc, loopback_from_outside_dropped);
    tcase_add_test(tc, down_interface_takes_nothing);
    tcase_add_loop_test(tc, bad_source_dropped, 0, (int)LWIP_ARRAYSIZE(bad_sources));
    tcase_add_test(tc, zero_source_accepted);
    tcase_add_test(tc, unknown_protocol_answered);
    tcase_add_test(tc, unknown_protocol_to_broadcast_not_answered);
    tcase_add_test(tc, current_packet_globals);

    tc = ng_tcase(s, "output");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, output_header_bytes);
    tcase_add_test(tc, output_if_src_keeps_zero_source);
    tcase_add_test(tc, output_dont_fragment);
    tcase_add_test(tc, output_needs_header_room);
    tcase_add_test(tc, output_header_included);
    tcase_add_test(tc, routes);
    tcase_add_test(tc, no_route);

    tc = ng_tcase(s, "forward");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, forward_decrements_ttl);
    tcase_add_test(tc, forward_ttl_1_time_exceeded);
    tcase_add_test(tc, forward_no_route);
    tcase_add_test(tc, forward_not_back_out);
    tcase_add_test(tc, forward_df_too_big);
    tcase_add_test(tc, forward_fragments);
    tcase_add_test(tc, forward_never_broadcasts);
    tcase_add_test(tc, forwarding_off_by_default);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, input_and_output_traced);

    return ng_test_run(s) != 0;
}
