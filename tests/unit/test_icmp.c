/*
 * tests/unit/test_icmp.c - ICMP (net/icmp.c) through ip4_input, on an
 * interface that records what IP sends (tests/unit/ip4_test.h). Every
 * expected packet is built here byte by byte, its checksums computed
 * here, and compared with what was sent, all of it.
 *
 * Covers: echo replies, exact, for several data lengths (odd, empty, the
 * largest unfragmented), built in the request's own buffer when it has
 * room and in a copy when it has not (no room in front, ICMP header split
 * over pbufs); the reply to a reassembled 4000-byte ping, itself sent in
 * fragments; no reply to broadcast or multicast echoes (ICMP_BCAST); short
 * messages, bad checksums, types nobody takes, an echo reply without a
 * hook (each dropped under its reason); echo replies to the hook (with the
 * sender, p intact, freed after); destination unreachable for an unknown
 * protocol and time exceeded, exact (quoting options, and fewer than 8
 * bytes of data); the cases where RFC 1122 3.2.2 forbids an error; an
 * error with no route back; the trace records. Every test ends with the
 * pools and heap empty.
 */
#include <string.h>

#include "ip4_test.h"

static struct rec_netif rn;     /* 10.0.2.15/24, the default */
static u8_t icmp[8200];
static u8_t pkt[8300];
static u8_t want[8300];

static void setup(void)
{
    ip4_test_setup();
    rec_netif_add(&rn, "10.0.2.15", "255.255.255.0", "10.0.2.2");
    netif_set_default(&rn.netif);
}

/* An echo request of data_len bytes from 10.0.2.2 to dst into pkt. */
static u16_t echo_request(const char *dst, u16_t data_len, u8_t tos)
{
    u16_t m = build_echo(icmp, ICMP_ECHO, 0xbeef, 0x0102, data_len, 0x21);
    struct ip_spec s = { .src = "10.0.2.2", .dst = dst, .proto = IP_PROTO_ICMP, .tos = tos,
                         .id = 0x3333, .ttl = 57 };
    return build_ip(pkt, &s, icmp, m);
}

/* The reply that request should get, with the IP ID the stack chose. */
static u16_t echo_reply(u16_t data_len, u8_t tos, u16_t ip_id)
{
    u16_t m = build_echo(icmp, ICMP_ER, 0xbeef, 0x0102, data_len, 0x21);
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = IP_PROTO_ICMP,
                         .tos = tos, .id = ip_id, .ttl = ICMP_TTL };
    return build_ip(want, &s, icmp, m);
}

static void assert_reply_exact(const struct rec_packet *k, u16_t data_len, u8_t tos)
{
    u16_t n = echo_reply(data_len, tos, be16(k->data + 4));
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
    ck_assert_uint_eq(k->next_hop.addr, ip_u32("10.0.2.2"));
}

/* ---- echo --------------------------------------------------------------------- */

static const u16_t data_lens[] = { 56, 33, 0, 1, 1472 };

START_TEST(echo_reply_exact)
{
    u16_t len = data_lens[_i];
    u16_t n = echo_request("10.0.2.15", len, 0x28);
    struct pbuf *p = rx_pbuf(pkt, n);
    ip4_input(p, &rn.netif);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    assert_reply_exact(k, len, 0x28);
    ck_assert_ptr_eq(k->pbuf, p);                   /* in the request's own buffer */
    ck_assert_uint_eq(lwip_stats.icmp.recv, 1);
    ck_assert_uint_eq(lwip_stats.icmp.xmit, 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(echo_reply_from_a_copy_without_room)
{
    /* a PBUF_RAM with no room in front: the reply is built in a copy */
    u16_t n = echo_request("10.0.2.15", 40, 0);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, n, PBUF_RAM);
    memcpy(p->payload, pkt, n);
    ip4_input(p, &rn.netif);
    ck_assert_uint_eq(ng_drops_total(), 0);
    const struct rec_packet *k = rec_packet(&rn, 0);
    assert_reply_exact(k, 40, 0);
    ck_assert_ptr_ne(k->pbuf, p);
    ck_assert_uint_eq(k->type, PBUF_RAM);
    ng_assert_net_clean();
}
END_TEST

START_TEST(echo_reply_from_a_copy_when_header_split)
{
    /* the IP header and 4 bytes of ICMP, then the rest: not in place */
    u16_t n = echo_request("10.0.2.15", 40, 0);
    struct pbuf *p = pbuf_alloc(PBUF_LINK, 24, PBUF_RAM);
    struct pbuf *q = pbuf_alloc(PBUF_RAW, (u16_t)(n - 24), PBUF_RAM);
    memcpy(p->payload, pkt, 24);
    memcpy(q->payload, pkt + 24, n - 24u);
    pbuf_cat(p, q);
    ip4_input(p, &rn.netif);
    ck_assert_uint_eq(ng_drops_total(), 0);
    const struct rec_packet *k = rec_packet(&rn, 0);
    assert_reply_exact(k, 40, 0);
    ck_assert_ptr_ne(k->pbuf, p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(echo_reply_to_reassembled_ping)
{
    /* ping -s 4000: 4008 bytes of ICMP in three fragments; the reply,
     * built in place in the reassembled chain, leaves in three too */
    u16_t m = build_echo(icmp, ICMP_ECHO, 0xbeef, 0x0102, 4000, 0x21);
    static const u16_t start[3] = { 0, 1480, 2960 }, len[3] = { 1480, 1480, 1048 };
    for (int i = 0; i < 3; i++) {
        struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                             .id = 0x6000, .frag = (u16_t)(start[i] / 8 | (i < 2 ? IP_MF : 0)) };
        u16_t n = build_ip(pkt, &s, icmp + start[i], len[i]);
        rx(&rn.netif, pkt, n);
    }
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn.n, 3);
    u16_t rm = build_echo(want, ICMP_ER, 0xbeef, 0x0102, 4000, 0x21);
    ck_assert_uint_eq(rm, m);
    u16_t id = be16(rec_packet(&rn, 0)->data + 4);
    for (int i = 0; i < 3; i++) {
        const struct rec_packet *k = rec_packet(&rn, (unsigned)i);
        ck_assert_uint_eq(k->len, 20 + len[i]);
        ck_assert_uint_eq(be16(k->data + 4), id);
        ck_assert_uint_eq(be16(k->data + 6), start[i] / 8 | (i < 2 ? IP_MF : 0));
        ck_assert_uint_eq(ref_chksum(k->data, 20), 0);
        ck_assert_mem_eq(k->data + 20, want + start[i], len[i]);
    }
    ng_assert_net_clean();
}
END_TEST

static const char *const group_dsts[] = { "255.255.255.255", "10.0.2.255", "224.0.0.1" };

START_TEST(no_reply_to_broadcast_echo)
{
    u16_t n = echo_request(group_dsts[_i], 16, 0);
    rx(&rn.netif, pkt, n);
    ck_assert_one_drop(ICMP_BCAST);
    ck_assert_uint_eq(lwip_stats.icmp.drop, 1);
    ck_assert_uint_eq(rn.n, 0);
    ng_assert_net_clean();
}
END_TEST

/* ---- bad messages --------------------------------------------------------------- */

static u16_t icmp_packet(const u8_t *m, u16_t len)
{
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP };
    return build_ip(pkt, &s, m, len);
}

START_TEST(too_short)
{
    u8_t m[7] = { ICMP_ECHO, 0, 0, 0, 0, 0, 0 };
    put16(m + 2, ref_chksum(m, 7));
    rx(&rn.netif, pkt, icmp_packet(m, 7));
    ck_assert_one_drop(ICMP_SHORT);
    ck_assert_uint_eq(lwip_stats.icmp.lenerr, 1);
    ck_assert_uint_eq(rn.n, 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(bad_checksum)
{
    u16_t m = build_echo(icmp, ICMP_ECHO, 1, 2, 30, 0);
    icmp[20] ^= 0x40;
    rx(&rn.netif, pkt, icmp_packet(icmp, m));
    ck_assert_one_drop(ICMP_CHKSUM);
    ck_assert_uint_eq(lwip_stats.icmp.chkerr, 1);
    ck_assert_uint_eq(rn.n, 0);
    ng_assert_net_clean();
}
END_TEST

static const u8_t untaken_types[] = { ICMP_TS, ICMP_DUR, ICMP_TE, ICMP_AM, 42, ICMP_ER };

START_TEST(type_nobody_takes)
{
    /* ICMP_ER last: an echo reply with no hook set has nobody either */
    u8_t m[20];
    memset(m, 0, sizeof m);
    m[0] = untaken_types[_i];
    put16(m + 2, ref_chksum(m, sizeof m));
    rx(&rn.netif, pkt, icmp_packet(m, sizeof m));
    ck_assert_one_drop(ICMP_TYPE);
    ck_assert_uint_eq(rn.n, 0);
    ng_assert_net_clean();
}
END_TEST

/* ---- echo replies to the hook ----------------------------------------------------- */

static int hook_calls;
static u16_t hook_id, hook_seq, hook_len;
static u32_t hook_from;

static void hook(struct pbuf *p, const ip4_addr_t *from)
{
    const struct icmp_echo_hdr *h = p->payload;
    hook_calls++;
    hook_id = lwip_ntohs(h->id);
    hook_seq = lwip_ntohs(h->seqno);
    hook_len = p->tot_len;
    hook_from = from->addr;
}

START_TEST(echo_reply_goes_to_hook)
{
    ng_icmp_echo_reply_hook = hook;
    u16_t m = build_echo(icmp, ICMP_ER, 0x4711, 9, 56, 0);
    rx(&rn.netif, pkt, icmp_packet(icmp, m));
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_uint_eq(hook_id, 0x4711);
    ck_assert_uint_eq(hook_seq, 9);
    ck_assert_uint_eq(hook_len, 64);
    ck_assert_uint_eq(hook_from, ip_u32("10.0.2.2"));
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(rn.n, 0);
    ng_icmp_echo_reply_hook = NULL;
    ng_assert_net_clean();                          /* freed by icmp_input */
}
END_TEST

/* ---- errors we send ------------------------------------------------------------------ */

/* The error message that quoting `quote` bytes of pkt should give. */
static u16_t error_message(u8_t type, u8_t code, u16_t quote, u16_t ip_id)
{
    u8_t m[8 + 68];
    memset(m, 0, 8);
    m[0] = type;
    m[1] = code;
    memcpy(m + 8, pkt, quote);
    put16(m + 2, ref_chksum(m, 8u + quote));
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = IP_PROTO_ICMP,
                         .id = ip_id, .ttl = ICMP_TTL };
    return build_ip(want, &s, m, (u16_t)(8 + quote));
}

static void assert_error_exact(u8_t type, u8_t code, u16_t quote)
{
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    u16_t n = error_message(type, code, quote, be16(k->data + 4));
    ck_assert_uint_eq(k->len, n);
    ck_assert_mem_eq(k->data, want, n);
}

START_TEST(protocol_unreachable_exact)
{
    u8_t data[30];
    for (int i = 0; i < 30; i++)
        data[i] = (u8_t)(0xc0 + i);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = 200, .id = 0x0bad };
    u16_t n = build_ip(pkt, &s, data, sizeof data);
    rx(&rn.netif, pkt, n);
    ck_assert_one_drop(IP_PROTO);
    assert_error_exact(ICMP_DUR, ICMP_DUR_PROTO, 28);
    ng_assert_net_clean();
}
END_TEST

/* A packet from 10.0.2.2 as IP gives it to icmp_*: payload at its header. */
static struct pbuf *offender(const struct ip_spec *s, u16_t data_len)
{
    u8_t data[64];
    for (int i = 0; i < 64; i++)
        data[i] = (u8_t)(i + 1);
    u16_t n = build_ip(pkt, s, data, data_len);
    return rx_pbuf(pkt, n);
}

START_TEST(time_exceeded_exact)
{
    struct ip_spec s = { .src = "10.0.2.2", .dst = "192.0.2.9", .proto = 17, .ttl = 1 };
    struct pbuf *p = offender(&s, 40);
    icmp_time_exceed(p, ICMP_TE_TTL);
    assert_error_exact(ICMP_TE, ICMP_TE_TTL, 28);
    ck_assert_uint_eq(p->tot_len, 60);              /* still the caller's, untouched */
    ck_assert_mem_eq(p->payload, pkt, 20);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(error_quotes_options_and_short_data)
{
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = 17, .hlen = 32 };
    struct pbuf *p = offender(&s, 3);               /* 32 + 3: all of it */
    icmp_dest_unreach(p, ICMP_DUR_PORT);
    assert_error_exact(ICMP_DUR, ICMP_DUR_PORT, 35);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(error_allowed_about_echo_and_first_fragment)
{
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                         .frag = IP_MF };
    u8_t m[16];
    build_echo(m, ICMP_ECHO, 1, 1, 8, 0);
    u16_t n = build_ip(pkt, &s, m, 16);
    struct pbuf *p = rx_pbuf(pkt, n);
    icmp_dest_unreach(p, ICMP_DUR_HOST);
    assert_error_exact(ICMP_DUR, ICMP_DUR_HOST, 28);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

/* RFC 1122 3.2.2: no error about these. */
struct no_error_case {
    const char *src, *dst;
    u8_t proto;
    u8_t icmp_type;         /* for proto 1 */
    u16_t frag;
    u8_t flags;             /* pbuf flags */
};

static const struct no_error_case no_error[] = {
    { "10.0.2.2", "10.0.2.15", IP_PROTO_ICMP, ICMP_DUR, 0, 0 },     /* an ICMP error */
    { "10.0.2.2", "10.0.2.15", IP_PROTO_ICMP, ICMP_TE, 0, 0 },
    { "10.0.2.2", "10.0.2.15", IP_PROTO_ICMP, ICMP_RD, 0, 0 },
    { "10.0.2.2", "255.255.255.255", 17, 0, 0, 0 },                /* broadcast */
    { "10.0.2.2", "10.0.2.255", 17, 0, 0, 0 },
    { "10.0.2.2", "224.0.0.1", 17, 0, 0, 0 },                      /* multicast */
    { "10.0.2.2", "10.0.2.15", 17, 0, 0, PBUF_FLAG_LLBCAST },      /* link broadcast */
    { "10.0.2.2", "10.0.2.15", 17, 0, 0, PBUF_FLAG_LLMCAST },
    { "10.0.2.2", "10.0.2.15", 17, 0, IP_MF | 1, 0 },              /* not fragment 0 */
    { "10.0.2.2", "10.0.2.15", 17, 0, 185, 0 },                    /* the last one */
    { "0.0.0.0", "10.0.2.15", 17, 0, 0, 0 },                       /* not one host */
    { "255.255.255.255", "10.0.2.15", 17, 0, 0, 0 },
    { "10.0.2.255", "10.0.2.15", 17, 0, 0, 0 },
    { "224.1.2.3", "10.0.2.15", 17, 0, 0, 0 },
    { "127.0.0.1", "10.0.2.15", 17, 0, 0, 0 },
    { "240.0.0.1", "10.0.2.15", 17, 0, 0, 0 },                     /* class E */
};

START_TEST(no_error_where_forbidden)
{
    const struct no_error_case *c = &no_error[_i];
    struct ip_spec s = { .src = c->src, .dst = c->dst, .proto = c->proto, .frag = c->frag };
    u8_t m[16] = { c->icmp_type };
    u16_t n = build_ip(pkt, &s, m, 16);
    struct pbuf *p = rx_pbuf(pkt, n);
    p->flags = c->flags;
    icmp_dest_unreach(p, ICMP_DUR_PORT);
    icmp_time_exceed(p, ICMP_TE_TTL);
    ck_assert_msg(rn.n == 0, "case %d: an error was sent", _i);
    ck_assert_uint_eq(ng_drops_total(), 0);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(error_without_route_back)
{
    netif_set_default(NULL);
    struct ip_spec s = { .src = "198.51.100.1", .dst = "10.0.2.15", .proto = 17 };
    struct pbuf *p = offender(&s, 8);
    icmp_dest_unreach(p, ICMP_DUR_PORT);
    ck_assert_one_drop(IP_NO_ROUTE);
    ck_assert_uint_eq(lwip_stats.icmp.rterr, 1);
    ck_assert_uint_eq(rn.n, 0);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

/* ---- trace -------------------------------------------------------------------------- */

START_TEST(errors_traced)
{
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = 17 };
    struct pbuf *p = offender(&s, 8);
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    icmp_dest_unreach(p, ICMP_DUR_PORT);
    icmp_time_exceed(p, ICMP_TE_TTL);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_layers(NG_layer_icmp_dest_unreach, NG_layer_ip4_output_if,
                     -NG_layer_ip4_output_if, -NG_layer_icmp_dest_unreach,
                     NG_layer_icmp_time_exceed, NG_layer_ip4_output_if,
                     -NG_layer_ip4_output_if, -NG_layer_icmp_time_exceed);
    ck_assert_uint_eq(tc_recs[tc_next(0, NG_EV_LAYER_ENTER)].w[0], (u32_t)(uintptr_t)p);
    ck_assert_uint_eq(rn.n, 2);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(drop_traced)
{
    u16_t n = echo_request("255.255.255.255", 16, 0);
    struct pbuf *p = rx_pbuf(pkt, n);
    ck_assert_input_drop_traced(p, &rn.netif, ICMP_BCAST);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("icmp");
    TCase *tc = ng_tcase(s, "echo");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, echo_reply_exact, 0, (int)LWIP_ARRAYSIZE(data_lens));
    tcase_add_test(tc, echo_reply_from_a_copy_without_room);
    tcase_add_test(tc, echo_reply_from_a_copy_when_header_split);
    tcase_add_test(tc, echo_reply_to_reassembled_ping);
    tcase_add_loop_test(tc, no_reply_to_broadcast_echo, 0, (int)LWIP_ARRAYSIZE(group_dsts));
    tcase_add_test(tc, echo_reply_goes_to_hook);

    tc = ng_tcase(s, "bad");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, too_short);
    tcase_add_test(tc, bad_checksum);
    tcase_add_loop_test(tc, type_nobody_takes, 0, (int)LWIP_ARRAYSIZE(untaken_types));

    tc = ng_tcase(s, "errors");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, protocol_unreachable_exact);
    tcase_add_test(tc, time_exceeded_exact);
    tcase_add_test(tc, error_quotes_options_and_short_data);
    tcase_add_test(tc, error_allowed_about_echo_and_first_fragment);
    tcase_add_loop_test(tc, no_error_where_forbidden, 0, (int)LWIP_ARRAYSIZE(no_error));
    tcase_add_test(tc, error_without_route_back);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, errors_traced);
    tcase_add_test(tc, drop_traced);

    return ng_test_run(s) != 0;
}
