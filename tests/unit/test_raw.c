/*
 * tests/unit/test_raw.c - raw IP PCBs (net/raw.c) through ip4_input and
 * ip4_output_if, on an interface that records what IP sends
 * (tests/unit/ip4_test.h); packets built here, checksums computed here.
 *
 * Covers: raw_sendto, exact, with the IP header in front of the data or
 * in a pbuf of its own; raw_send to the connected peer; RAW_FLAGS_HDRINCL;
 * no route. Delivery: a PCB that does not eat sees the datagram from its
 * IP header, unchanged, and the stack still answers (echo reply); one
 * that eats ends it (no reply, no drop); the newest PCB first, nobody
 * after an eater; protocol, bound address, connected peer and broadcast
 * (SOF_BROADCAST) filtering; a protocol the stack lacks but a raw PCB
 * took is not "protocol unreachable"; raw PCBs see UDP before UDP does;
 * the pool; the trace records. Every test ends with pools and heap empty.
 */
#include <string.h>

#include "ip4_test.h"
#include "lwip/raw.h"
#include "lwip/udp.h"

static struct rec_netif rn;     /* 10.0.2.15/24 */
static u8_t msg[1600];
static u8_t pkt[1700];
static u8_t want[1700];

static void setup(void)
{
    ip4_test_setup();
    raw_init();
    udp_init();
    rec_netif_add(&rn, "10.0.2.15", "255.255.255.0", "10.0.2.2");
}

/* An echo request from src to dst into pkt; returns its length. */
static u16_t echo_packet(const char *src, const char *dst, u16_t data_len)
{
    u16_t m = build_echo(msg, ICMP_ECHO, 0x0101, 7, data_len, 0x30);
    struct ip_spec s = { .src = src, .dst = dst, .proto = IP_PROTO_ICMP, .id = 0x77 };
    return build_ip(pkt, &s, msg, m);
}

/* ---- what the recv callbacks saw ------------------------------------------- */

struct seen {
    struct raw_pcb *pcb;
    ip4_addr_t addr;
    u16_t len;
    u8_t data[1700];
};
static struct seen seen[8];
static int nseen;
static int eat;                 /* the callbacks eat (1) or leave (0) */

static u8_t recv_record(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    ck_assert_ptr_eq(arg, pcb);
    ck_assert_int_lt(nseen, 8);
    struct seen *s = &seen[nseen++];
    s->pcb = pcb;
    s->addr = *addr;
    s->len = p->tot_len;
    pbuf_copy_partial(p, s->data, p->tot_len, 0);
    if (eat)
        pbuf_free(p);
    return (u8_t)eat;
}

static struct raw_pcb *pcb_for(u8_t proto)
{
    struct raw_pcb *pcb = raw_new(proto);
    ck_assert_ptr_nonnull(pcb);
    raw_recv(pcb, recv_record, pcb);
    return pcb;
}

/* ---- sending --------------------------------------------------------------------- */

START_TEST(sendto_exact)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    u16_t m = build_echo(msg, ICMP_ECHO, 0xabcd, 1, 56, 0x10);
    struct pbuf *p = pbuf_alloc(PBUF_IP, m, PBUF_RAM);
    memcpy(p->payload, msg, m);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(raw_sendto(pcb, p, &to), ERR_OK);
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_ptr_eq(k->pbuf, p);
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = IP_PROTO_ICMP,
                         .id = be16(k->data + 4), .ttl = RAW_TTL };
    u16_t n = build_ip(want, &s, msg, m);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
    ck_assert_uint_eq(k->next_hop.addr, to.addr);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sendto_header_in_own_pbuf)
{
    /* protocol 253 (RFC 3692 experiments), data with no room in front, TTL and TOS set */
    struct raw_pcb *pcb = pcb_for(253);
    pcb->ttl = 9;
    pcb->tos = 0x10;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 11, PBUF_RAM);
    for (int i = 0; i < 11; i++)
        ((u8_t *)p->payload)[i] = (u8_t)(0xa0 + i);
    ip4_addr_t to = { ip_u32("10.0.2.8") };
    ck_assert_int_eq(raw_sendto(pcb, p, &to), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_ptr_ne(k->pbuf, p);
    ck_assert_uint_eq(k->pbufs, 2);
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.8", .proto = 253, .tos = 0x10,
                         .id = be16(k->data + 4), .ttl = 9 };
    u16_t n = build_ip(want, &s, p->payload, 11);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
    ck_assert_uint_eq(p->tot_len, 11);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(send_to_connected_peer_from_bound_address)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    ip4_addr_t us = { ip_u32("10.0.2.15") }, peer = { ip_u32("10.0.2.5") };
    ck_assert_int_eq(raw_bind(pcb, &us), ERR_OK);
    ck_assert_int_eq(raw_connect(pcb, &peer), ERR_OK);
    u16_t m = build_echo(msg, ICMP_ECHO, 1, 2, 8, 0);
    struct pbuf *p = pbuf_alloc(PBUF_IP, m, PBUF_RAM);
    memcpy(p->payload, msg, m);
    ck_assert_int_eq(raw_send(pcb, p), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(raw32(k->data + 12), us.addr);
    ck_assert_uint_eq(raw32(k->data + 16), peer.addr);
    ck_assert_mem_eq(k->data + 20, msg, m);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(hdrincl_sent_as_is)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    raw_setflags(pcb, RAW_FLAGS_HDRINCL);
    u16_t n = echo_packet("10.0.2.15", "10.0.2.2", 20);
    struct pbuf *p = pbuf_alloc(PBUF_IP, n, PBUF_RAM);
    memcpy(p->payload, pkt, n);
    ip4_addr_t to = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(raw_sendto(pcb, p, &to), ERR_OK);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, pkt, n);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sendto_without_route)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    struct pbuf *p = pbuf_alloc(PBUF_IP, 8, PBUF_RAM);
    memset(p->payload, 0, 8);
    ip4_addr_t to = { ip_u32("192.0.2.1") };
    ck_assert_int_eq(raw_sendto(pcb, p, &to), ERR_RTE);
    ck_assert_uint_eq(rn.n, 0);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

/* ---- delivery ------------------------------------------------------------------------ */

START_TEST(not_eaten_seen_then_answered)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    u16_t n = echo_packet("10.0.2.2", "10.0.2.15", 32);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_uint_eq(seen[0].len, n);
    ck_assert_mem_eq(seen[0].data, pkt, n);         /* from the IP header on */
    ck_assert_uint_eq(seen[0].addr.addr, ip_u32("10.0.2.2"));
    ck_assert_uint_eq(rn.n, 1);                     /* the stack still replied */
    ck_assert_uint_eq(rec_packet(&rn, 0)->data[20], ICMP_ER);
    ck_assert_uint_eq(ng_drops_total(), 0);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(eaten_goes_no_further)
{
    struct raw_pcb *older = pcb_for(IP_PROTO_ICMP);
    struct raw_pcb *newer = pcb_for(IP_PROTO_ICMP);
    eat = 1;
    u16_t n = echo_packet("10.0.2.2", "10.0.2.15", 32);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_ptr_eq(seen[0].pcb, newer);           /* newest first, then nobody */
    ck_assert_uint_eq(rn.n, 0);                     /* no reply */
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(lwip_stats.icmp.recv, 0);
    raw_remove(newer);
    raw_remove(older);
    ng_assert_net_clean();
}
END_TEST

START_TEST(every_pcb_sees_what_nobody_eats)
{
    struct raw_pcb *a = pcb_for(IP_PROTO_ICMP);
    struct raw_pcb *b = pcb_for(IP_PROTO_ICMP);
    struct raw_pcb *other = pcb_for(IP_PROTO_IGMP);
    u16_t n = echo_packet("10.0.2.2", "10.0.2.15", 4);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 2);
    ck_assert_ptr_eq(seen[0].pcb, b);
    ck_assert_ptr_eq(seen[1].pcb, a);
    ck_assert_mem_eq(seen[1].data, pkt, n);
    raw_remove(a);
    raw_remove(b);
    raw_remove(other);
    ng_assert_net_clean();
}
END_TEST

START_TEST(unknown_protocol_taken_by_raw_pcb)
{
    /* without a PCB: protocol unreachable (net/ip4.c); with one: none */
    static const u8_t data[6] = { 1, 2, 3, 4, 5, 6 };
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = 99, .id = 3 };
    u16_t n = build_ip(pkt, &s, data, sizeof data);
    rx(&rn.netif, pkt, n);
    ck_assert_one_drop(IP_PROTO);
    ck_assert_uint_eq(rn.n, 1);

    struct raw_pcb *pcb = pcb_for(99);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_mem_eq(seen[0].data, pkt, n);
    ck_assert_uint_eq(rn.n, 1);                     /* no second unreachable */
    ck_assert_uint_eq(ng_drops_total(), 1);         /* and no drop */
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(sees_udp_before_udp)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_UDP);
    eat = 1;
    static const u8_t udp[8] = { 0x10, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00 };
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_UDP };
    u16_t n = build_ip(pkt, &s, udp, sizeof udp);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_uint_eq(lwip_stats.udp.recv, 0);      /* UDP never saw it ... */
    ck_assert_uint_eq(rn.n, 0);                     /* ... so no port unreachable */
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

START_TEST(bound_and_connected_filter)
{
    struct raw_pcb *bound = pcb_for(IP_PROTO_ICMP);
    struct raw_pcb *conn = pcb_for(IP_PROTO_ICMP);
    ip4_addr_t elsewhere = { ip_u32("10.0.2.99") }, peer = { ip_u32("10.0.2.3") };
    raw_bind(bound, &elsewhere);
    raw_connect(conn, &peer);
    u16_t n = echo_packet("10.0.2.2", "10.0.2.15", 4);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 0);                     /* neither matches */
    n = echo_packet("10.0.2.3", "10.0.2.15", 4);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_ptr_eq(seen[0].pcb, conn);
    raw_disconnect(conn);
    ck_assert(!raw_is_flag_set(conn, RAW_FLAGS_CONNECTED));
    n = echo_packet("10.0.2.2", "10.0.2.15", 4);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 2);
    ck_assert_ptr_eq(seen[1].pcb, conn);
    raw_remove(bound);
    raw_remove(conn);
    ng_assert_net_clean();
}
END_TEST

START_TEST(broadcast_only_with_sof_broadcast)
{
    struct raw_pcb *plain = pcb_for(IP_PROTO_ICMP);
    struct raw_pcb *bcast = pcb_for(IP_PROTO_ICMP);
    ip_set_option(bcast, SOF_BROADCAST);
    u16_t n = echo_packet("10.0.2.2", "255.255.255.255", 4);
    rx(&rn.netif, pkt, n);
    ck_assert_int_eq(nseen, 1);
    ck_assert_ptr_eq(seen[0].pcb, bcast);
    ck_assert_one_drop(ICMP_BCAST);                 /* the stack itself stays silent */
    raw_remove(plain);
    raw_remove(bcast);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pcb_pool_runs_out)
{
    struct raw_pcb *p[MEMP_NUM_RAW_PCB];
    for (int i = 0; i < MEMP_NUM_RAW_PCB; i++)
        p[i] = raw_new(IP_PROTO_ICMP);
    ck_assert_ptr_null(raw_new(IP_PROTO_ICMP));
    for (int i = 0; i < MEMP_NUM_RAW_PCB; i++) {
        ck_assert_ptr_nonnull(p[i]);
        raw_remove(p[i]);
    }
    ck_assert_ptr_null(raw_pcbs);
    ng_assert_net_clean();
}
END_TEST

/* ---- trace ------------------------------------------------------------------------------ */

START_TEST(layers_traced)
{
    struct raw_pcb *pcb = pcb_for(IP_PROTO_ICMP);
    eat = 1;
    ip4_addr_t peer = { ip_u32("10.0.2.2") };
    raw_connect(pcb, &peer);
    struct pbuf *p = pbuf_alloc(PBUF_IP, 8, PBUF_RAM);
    memset(p->payload, 0, 8);
    u16_t n = echo_packet("10.0.2.2", "10.0.2.15", 4);
    struct pbuf *in = rx_pbuf(pkt, n);

    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    ck_assert_int_eq(raw_send(pcb, p), ERR_OK);
    ip4_input(in, &rn.netif);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_layers(NG_layer_raw_send, NG_layer_raw_sendto, NG_layer_ip4_output_if,
                     -NG_layer_ip4_output_if, -NG_layer_raw_sendto, -NG_layer_raw_send,
                     NG_layer_ip4_input, NG_layer_raw_input, -NG_layer_raw_input,
                     -NG_layer_ip4_input);
    ck_assert_int_eq(nseen, 1);
    pbuf_free(p);
    raw_remove(pcb);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("raw");
    TCase *tc = ng_tcase(s, "send");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, sendto_exact);
    tcase_add_test(tc, sendto_header_in_own_pbuf);
    tcase_add_test(tc, send_to_connected_peer_from_bound_address);
    tcase_add_test(tc, hdrincl_sent_as_is);
    tcase_add_test(tc, sendto_without_route);

    tc = ng_tcase(s, "deliver");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, not_eaten_seen_then_answered);
    tcase_add_test(tc, eaten_goes_no_further);
    tcase_add_test(tc, every_pcb_sees_what_nobody_eats);
    tcase_add_test(tc, unknown_protocol_taken_by_raw_pcb);
    tcase_add_test(tc, sees_udp_before_udp);
    tcase_add_test(tc, bound_and_connected_filter);
    tcase_add_test(tc, broadcast_only_with_sof_broadcast);
    tcase_add_test(tc, pcb_pool_runs_out);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, layers_traced);

    return ng_test_run(s) != 0;
}
