/*
 * tests/unit/test_ip4_frag.c - IPv4 reassembly and fragmentation
 * (net/ip4_frag.c), through ip4_input and ip4_output on an interface that
 * records what it sends (tests/unit/ip4_test.h).
 *
 * A reassembled datagram is seen whole by the echo reply hook: the tests
 * send the fragments of an ICMP echo reply, so what reaches the hook has
 * been put together and has passed the ICMP checksum over all of it.
 *
 * Covers: reassembly in order and in every order of three fragments,
 * fragments that are PBUF_POOL chains, a duplicate (only the copy goes,
 * REASS_DUP), overlaps and containment and a contradicting end (the whole
 * datagram goes, REASS_BAD, each fragment counted), empty and ragged
 * fragments, datagrams past 65535 bytes, the timeout after IP_REASS_MAXAGE
 * seconds of sys_check_timeouts (not a second before; ICMP time exceeded
 * with fragment 0's header, none without fragment 0), the pbuf and
 * datagram limits (the oldest goes, REASS_FULL), datagrams interleaved;
 * fragmentation at MTU 1500 of payloads 1480 (none), 1481, 2960, 4000 and
 * at MTU 576 (each fragment's offset, MF, length, ID, checksum and data),
 * our own fragments reassembled into the original, references into the
 * original instead of copies (kept alive by a fragment a driver holds),
 * an original chain cut at odd places, running out of MEMP_FRAG_PBUF, and
 * the trace records. Every test ends with the pools and heap empty.
 */
#include <string.h>

#include "ip4_test.h"

static struct rec_netif rn;     /* 10.0.2.15/24 */
static u8_t msg[8200];          /* an ICMP message */
static u8_t pkt[8300];          /* one IP packet */

static void setup(void)
{
    ip4_test_setup();
    rec_netif_add(&rn, "10.0.2.15", "255.255.255.0", "10.0.2.2");
    netif_set_default(&rn.netif);
}

/* ---- what the hook saw ----------------------------------------------------- */

static int delivered;
static u16_t delivered_len;
static u8_t delivered_bytes[8200];

static void reply_hook(struct pbuf *p, const ip4_addr_t *from)
{
    ck_assert_uint_eq(from->addr, ip_u32("10.0.2.2"));
    ck_assert_uint_le(p->tot_len, sizeof delivered_bytes);
    delivered++;
    delivered_len = p->tot_len;
    pbuf_copy_partial(p, delivered_bytes, p->tot_len, 0);
}

static void hook_on(void)
{
    delivered = 0;
    ng_icmp_echo_reply_hook = reply_hook;
}

/* An echo reply of n bytes (8 of header) into msg. */
static u16_t make_msg(u16_t n, u8_t seed)
{
    return build_echo(msg, ICMP_ER, 0x77, 3, (u16_t)(n - 8), seed);
}

/* Receive bytes [start, start + len) of msg as one fragment of datagram id. */
static void frag_in(u16_t id, u16_t start, u16_t len, int more)
{
    ck_assert_uint_eq(start % 8, 0);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP, .id = id,
                         .frag = (u16_t)(start / 8 | (more ? IP_MF : 0)) };
    u16_t n = build_ip(pkt, &s, msg + start, len);
    rx(&rn.netif, pkt, n);
}

static void assert_delivered(u16_t n)
{
    ck_assert_int_eq(delivered, 1);
    ck_assert_uint_eq(delivered_len, n);
    ck_assert_mem_eq(delivered_bytes, msg, n);
}

static void assert_nothing_held(void)
{
    ck_assert_ptr_null(ip_reass_get_list());
    ck_assert_uint_eq(ip_reass_get_pbufcount(), 0);
}

/* ---- reassembly ------------------------------------------------------------------ */

START_TEST(in_order)
{
    hook_on();
    u16_t n = make_msg(4000, 1);
    frag_in(1, 0, 1480, 1);
    frag_in(1, 1480, 1480, 1);
    ck_assert_int_eq(delivered, 0);
    ck_assert_ptr_nonnull(ip_reass_get_list());
    ck_assert_uint_eq(ip_reass_get_pbufcount(), 6);     /* two 3-pbuf POOL chains */
    frag_in(1, 2960, 1040, 0);
    assert_delivered(n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

/* The six orders of three fragments. */
static const u8_t orders[6][3] = {
    { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};

START_TEST(any_order)
{
    hook_on();
    u16_t n = make_msg(1000, (u8_t)_i);
    static const u16_t start[3] = { 0, 400, 800 }, len[3] = { 400, 400, 200 };
    for (int k = 0; k < 3; k++) {
        int f = orders[_i][k];
        ck_assert_int_eq(delivered, 0);
        frag_in(2, start[f], len[f], f != 2);
    }
    assert_delivered(n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

START_TEST(small_pieces_reversed)
{
    /* 8-byte fragments, the smallest there are, last first */
    hook_on();
    u16_t n = make_msg(96, 9);
    for (int i = 11; i >= 0; i--)
        frag_in(3, (u16_t)(i * 8), 8, i != 11);
    assert_delivered(n);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

START_TEST(duplicate_dropped_alone)
{
    hook_on();
    u16_t n = make_msg(1000, 2);
    frag_in(4, 0, 400, 1);
    frag_in(4, 0, 400, 1);
    ck_assert_one_drop(REASS_DUP);
    frag_in(4, 800, 200, 0);
    frag_in(4, 800, 200, 0);            /* the last one twice, too */
    ck_assert_uint_eq(ng_drop_count[NG_drop_REASS_DUP], 2);
    frag_in(4, 400, 400, 1);
    assert_delivered(n);
    ck_assert_uint_eq(ng_drops_total(), 2);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

/* Two fragments that must not both be true: the second kills the datagram. */
static void conflict(u16_t s1, u16_t l1, int m1, u16_t s2, u16_t l2, int m2)
{
    hook_on();
    make_msg(3000, 4);
    frag_in(5, 1600, 800, 1);           /* held before either */
    frag_in(5, s1, l1, m1);
    ck_assert_uint_eq(ng_drops_total(), 0);
    frag_in(5, s2, l2, m2);
    /* the new one and the three held: every fragment counted */
    ck_assert_uint_eq(ng_drop_count[NG_drop_REASS_BAD], 3);
    ck_assert_uint_eq(ng_drops_total(), 3);
    ck_assert_int_eq(delivered, 0);
    assert_nothing_held();
    ck_assert_uint_eq(rn.n, 0);
}

START_TEST(overlap_discards_datagram)
{
    conflict(0, 800, 1, 792, 408, 1);   /* [792,1200) overlaps [0,800) */
    ng_assert_net_clean();
}
END_TEST

START_TEST(overlap_from_below_discards_datagram)
{
    conflict(0, 800, 1, 1200, 408, 1);  /* [1200,1608) runs into [1600,2400) */
    ng_assert_net_clean();
}
END_TEST

START_TEST(containing_fragment_discards_datagram)
{
    conflict(800, 400, 1, 0, 2400, 1);  /* [0,2400) holds both held ones */
    ng_assert_net_clean();
}
END_TEST

START_TEST(contained_fragment_discards_datagram)
{
    conflict(0, 800, 1, 1608, 400, 1);  /* inside [1600,2400), not equal */
    ng_assert_net_clean();
}
END_TEST

START_TEST(second_end_discards_datagram)
{
    conflict(2400, 600, 0, 2400, 400, 0);   /* the end at 3000, then at 2800 */
    ng_assert_net_clean();
}
END_TEST

START_TEST(end_before_held_data_discards_datagram)
{
    conflict(0, 800, 1, 800, 400, 0);   /* ends at 1200, but [1600,2400) is held */
    ng_assert_net_clean();
}
END_TEST

START_TEST(past_the_end_discards_datagram)
{
    conflict(2400, 8, 0, 2400, 16, 1);  /* the end is 2408; then bytes up to 2416 */
    ng_assert_net_clean();
}
END_TEST

START_TEST(same_bytes_other_mf_discards_datagram)
{
    conflict(2400, 600, 0, 2400, 600, 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(empty_fragment_dropped)
{
    hook_on();
    make_msg(100, 0);
    frag_in(6, 0, 0, 1);
    ck_assert_one_drop(REASS_BAD);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

START_TEST(ragged_fragment_dropped_alone)
{
    hook_on();
    u16_t n = make_msg(1000, 5);
    frag_in(7, 0, 400, 1);
    frag_in(7, 400, 401, 1);            /* not a multiple of 8, and not the last */
    ck_assert_one_drop(REASS_BAD);
    ck_assert_ptr_nonnull(ip_reass_get_list());     /* the datagram waits on */
    frag_in(7, 400, 400, 1);
    frag_in(7, 800, 200, 0);
    assert_delivered(n);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

START_TEST(past_65535_dropped)
{
    hook_on();
    make_msg(1000, 0);
    frag_in(8, 65512, 8, 1);            /* 65512 + 8 + 20 > 65535 */
    ck_assert_one_drop(REASS_TOO_BIG);
    assert_nothing_held();
    frag_in(8, 65504, 8, 0);            /* ends at 65512: fits */
    ck_assert_uint_eq(ng_drops_total(), 1);
    ck_assert_ptr_nonnull(ip_reass_get_list());
}
END_TEST

START_TEST(interleaved_datagrams)
{
    hook_on();
    u16_t n = make_msg(1000, 6);
    frag_in(10, 0, 400, 1);
    frag_in(11, 400, 400, 1);
    frag_in(10, 800, 200, 0);
    frag_in(11, 0, 400, 1);
    frag_in(10, 400, 400, 1);
    assert_delivered(n);
    frag_in(11, 800, 200, 0);
    ck_assert_int_eq(delivered, 2);
    ck_assert_mem_eq(delivered_bytes, msg, n);
    assert_nothing_held();
    ng_assert_net_clean();
}
END_TEST

/* ---- timeout ------------------------------------------------------------------- */

static void run_seconds(int n)
{
    for (int i = 0; i < n; i++) {
        ng_host_advance(1000);
        sys_check_timeouts();
    }
}

START_TEST(timeout_sends_time_exceeded)
{
    sys_timeouts_init();                /* arms ip_reass_tmr */
    hook_on();
    make_msg(1000, 7);
    frag_in(12, 0, 400, 1);
    struct ip_spec s0 = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                          .id = 12, .frag = IP_MF };
    u8_t first[28];
    build_ip(pkt, &s0, msg, 400);
    memcpy(first, pkt, 28);             /* fragment 0's header + 8 bytes, as sent */
    frag_in(12, 800, 200, 0);

    run_seconds(IP_REASS_MAXAGE - 1);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_ptr_nonnull(ip_reass_get_list());
    ck_assert_uint_eq(rn.n, 0);
    run_seconds(1);
    ck_assert_uint_eq(ng_drop_count[NG_drop_REASS_TIMEOUT], 2);    /* both fragments */
    ck_assert_uint_eq(ng_drops_total(), 2);
    assert_nothing_held();

    /* RFC 792: type 11, code 1, fragment 0's header and 8 bytes quoted */
    ck_assert_uint_eq(rn.n, 1);
    const struct rec_packet *k = rec_packet(&rn, 0);
    ck_assert_uint_eq(k->len, 20 + 8 + 28);
    ck_assert_uint_eq(k->data[9], IP_PROTO_ICMP);
    ck_assert_uint_eq(raw32(k->data + 16), ip_u32("10.0.2.2"));
    ck_assert_uint_eq(k->data[20], ICMP_TE);
    ck_assert_uint_eq(k->data[21], ICMP_TE_FRAG);
    ck_assert_uint_eq(be16(k->data + 24), 0);
    ck_assert_uint_eq(be16(k->data + 26), 0);
    ck_assert_mem_eq(k->data + 28, first, 28);
    ck_assert_uint_eq(ref_chksum(k->data + 20, 36), 0);
    ck_assert_int_eq(delivered, 0);
    ip4_test_stop_timers();
    ng_assert_net_clean();
}
END_TEST

START_TEST(timeout_without_fragment_0_is_silent)
{
    sys_timeouts_init();
    make_msg(1000, 7);
    frag_in(13, 400, 400, 1);
    run_seconds(IP_REASS_MAXAGE);
    ck_assert_one_drop(REASS_TIMEOUT);
    ck_assert_uint_eq(rn.n, 0);
    assert_nothing_held();
    ip4_test_stop_timers();
    ng_assert_net_clean();
}
END_TEST

START_TEST(timer_ages_each_datagram_from_its_start)
{
    sys_timeouts_init();
    make_msg(1000, 7);
    frag_in(14, 400, 400, 1);
    run_seconds(5);
    frag_in(15, 400, 400, 1);           /* 5 s younger */
    run_seconds(IP_REASS_MAXAGE - 5);
    ck_assert_one_drop(REASS_TIMEOUT);
    ck_assert_ptr_nonnull(ip_reass_get_list());
    run_seconds(5);
    ck_assert_uint_eq(ng_drop_count[NG_drop_REASS_TIMEOUT], 2);
    assert_nothing_held();
    ip4_test_stop_timers();
    ng_assert_net_clean();
}
END_TEST

/* ---- limits ---------------------------------------------------------------------- */

START_TEST(pbuf_limit_drops_oldest)
{
    /* 200-byte fragments are one pbuf each: six of A, six of B fill the 12 */
    ck_assert_int_eq(IP_REASS_MAX_PBUFS, 12);
    make_msg(4000, 8);
    for (int i = 0; i < 6; i++)
        frag_in(20, (u16_t)(i * 200), 200, 1);
    for (int i = 0; i < 6; i++)
        frag_in(21, (u16_t)(i * 200), 200, 1);
    ck_assert_uint_eq(ip_reass_get_pbufcount(), 12);
    ck_assert_uint_eq(ng_drops_total(), 0);
    frag_in(22, 0, 200, 1);             /* one more: A, the oldest, goes */
    ck_assert_uint_eq(ng_drop_count[NG_drop_REASS_FULL], 6);
    ck_assert_uint_eq(ng_drops_total(), 6);
    ck_assert_uint_eq(ip_reass_get_pbufcount(), 7);
    const struct ip_reassdata *r = ip_reass_get_list();
    ck_assert_uint_eq(lwip_ntohs(IPH_ID(&r->iphdr)), 21);
    ck_assert_uint_eq(lwip_ntohs(IPH_ID(&r->next->iphdr)), 22);
    ck_assert_ptr_null(r->next->next);
}
END_TEST

START_TEST(pbuf_limit_for_one_datagram)
{
    /* a datagram alone at the limit: its next fragment cannot get room */
    make_msg(4000, 8);
    for (int i = 0; i < 12; i++)
        frag_in(23, (u16_t)(i * 200), 200, 1);
    frag_in(23, 2400, 200, 1);
    ck_assert_one_drop(REASS_FULL);
    ck_assert_uint_eq(ip_reass_get_pbufcount(), 12);
}
END_TEST

START_TEST(datagram_limit_drops_oldest)
{
    ck_assert_int_eq(MEMP_NUM_REASSDATA, 4);
    make_msg(1000, 9);
    for (u16_t id = 30; id < 34; id++)
        frag_in(id, 400, 400, 1);
    ck_assert_uint_eq(ng_drops_total(), 0);
    frag_in(34, 400, 400, 1);
    ck_assert_one_drop(REASS_FULL);
    u16_t want = 31;
    for (const struct ip_reassdata *r = ip_reass_get_list(); r; r = r->next)
        ck_assert_uint_eq(lwip_ntohs(IPH_ID(&r->iphdr)), want++);
    ck_assert_uint_eq(want, 35);
}
END_TEST

/* Tests that leave datagrams held empty the table the way time does. */
static void teardown_pending(void)
{
    while (ip_reass_get_list())
        ip_reass_tmr();
    ng_assert_net_clean();
}

/* ---- fragmentation ------------------------------------------------------------------- */

static struct pbuf *payload(u16_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    for (u16_t i = 0; i < len; i++)
        ((u8_t *)p->payload)[i] = (u8_t)(i * 13 + 1);
    return p;
}

/* Send len bytes of protocol 99 to 10.0.2.2 with the MTU; check that the
 * fragments carry the data in order with the right headers. */
static void check_fragments(u16_t mtu, u16_t len, const u16_t *sizes, unsigned nfrag)
{
    rn.netif.mtu = mtu;
    struct pbuf *p = payload(len);
    u8_t data[8000];
    memcpy(data, p->payload, len);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 64, 0, 99), ERR_OK);
    pbuf_free(p);

    ck_assert_uint_eq(rn.n, nfrag);
    u16_t id = be16(rec_packet(&rn, 0)->data + 4);
    u16_t at = 0;
    for (unsigned i = 0; i < nfrag; i++) {
        const struct rec_packet *k = rec_packet(&rn, i);
        int last = i == nfrag - 1;
        ck_assert_uint_le(k->len, mtu);
        ck_assert_uint_eq(k->len, 20 + sizes[i]);
        ck_assert_uint_eq(k->data[0], 0x45);
        ck_assert_uint_eq(be16(k->data + 2), k->len);
        ck_assert_uint_eq(be16(k->data + 4), id);
        ck_assert_uint_eq(be16(k->data + 6), (nfrag > 1 && !last ? IP_MF : 0) | at / 8);
        ck_assert_uint_eq(k->data[8], 64);
        ck_assert_uint_eq(k->data[9], 99);
        ck_assert_uint_eq(ref_chksum(k->data, 20), 0);
        ck_assert_mem_eq(k->data + 20, data + at, sizes[i]);
        ck_assert_uint_eq(k->next_hop.addr, dst.addr);
        if (nfrag > 1)
            ck_assert_uint_eq(k->pbufs, 2);     /* header + one reference */
        at = (u16_t)(at + sizes[i]);
    }
    ck_assert_uint_eq(at, len);
    ck_assert_uint_eq(lwip_stats.ip_frag.xmit, nfrag > 1 ? nfrag : 0);
}

START_TEST(mtu_1500_exactly_fits)
{
    static const u16_t sizes[] = { 1480 };
    check_fragments(1500, 1480, sizes, 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(mtu_1500_one_byte_over)
{
    /* ping -s 1473: 1473 + 8 bytes of ICMP */
    static const u16_t sizes[] = { 1480, 1 };
    check_fragments(1500, 1472 + 8 + 1, sizes, 2);
    ng_assert_net_clean();
}
END_TEST

START_TEST(mtu_1500_exact_multiple)
{
    static const u16_t sizes[] = { 1480, 1480 };
    check_fragments(1500, 2960, sizes, 2);
    ng_assert_net_clean();
}
END_TEST

START_TEST(mtu_1500_4000_bytes)
{
    static const u16_t sizes[] = { 1480, 1480, 1040 };
    check_fragments(1500, 4000, sizes, 3);
    ng_assert_net_clean();
}
END_TEST

START_TEST(mtu_576_4000_bytes)
{
    /* (576 - 20) rounded down to 8: 552 bytes a fragment */
    static const u16_t sizes[] = { 552, 552, 552, 552, 552, 552, 552, 136 };
    check_fragments(576, 4000, sizes, 8);
    ng_assert_net_clean();
}
END_TEST

START_TEST(mtu_68_exact_multiple)
{
    /* RFC 791's smallest MTU: 48 data bytes a fragment */
    static const u16_t sizes[] = { 48, 48, 48, 48 };
    check_fragments(68, 192, sizes, 4);
    ng_assert_net_clean();
}
END_TEST

/* Cut an echo reply of n bytes into fragments with ip4_frag at mtu, then
 * receive them, in the given order (NULL: as sent), as if they came back. */
static void round_trip(u16_t mtu, u16_t n, const u8_t *order)
{
    hook_on();
    make_msg(n, 11);
    struct ip_spec s = { .src = "10.0.2.2", .dst = "10.0.2.15", .proto = IP_PROTO_ICMP,
                         .id = 0x5151 };
    u16_t len = build_ip(pkt, &s, msg, n);
    struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
    memcpy(p->payload, pkt, len);
    rn.netif.mtu = mtu;
    ip4_addr_t dst = { ip_u32("10.0.2.15") };
    ck_assert_int_eq(ip4_frag(p, &rn.netif, &dst), ERR_OK);
    pbuf_free(p);
    unsigned nf = rn.n;
    ck_assert_uint_gt(nf, 1);
    static struct rec_packet got[REC_PACKETS];
    memcpy(got, rn.pkt, sizeof got);
    for (unsigned i = 0; i < nf; i++) {
        unsigned j = order ? order[i] : i;
        rx(&rn.netif, got[j].data, got[j].len);
    }
    assert_delivered(n);
    ck_assert_uint_eq(ng_drops_total(), 0);
    assert_nothing_held();
}

START_TEST(own_fragments_reassemble)
{
    round_trip(1500, 4000, NULL);
    ng_assert_net_clean();
}
END_TEST

START_TEST(own_fragments_reassemble_reversed)
{
    static const u8_t rev[] = { 3, 2, 1, 0 };
    round_trip(576, 2000, rev);         /* 552 * 3 + 344 */
    ng_assert_net_clean();
}
END_TEST

/* A driver that keeps the last frame it was given until told to let go. */
static struct pbuf *kept;

static err_t keeping_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *next_hop)
{
    rec_output(netif, p, next_hop);
    if (kept)
        pbuf_free(kept);
    pbuf_ref(p);
    kept = p;
    return ERR_OK;
}

START_TEST(fragments_reference_the_original)
{
    rn.netif.output = keeping_output;
    struct pbuf *p = payload(3000);
    u8_t *data = p->payload;
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 64, 0, 99), ERR_OK);
    /* the kept last fragment points into p's own bytes: no copy was made */
    ck_assert_ptr_nonnull(kept);
    ck_assert_ptr_nonnull(kept->next);
    ck_assert_ptr_eq(kept->next->payload, data + 2960);
    ck_assert_uint_eq(kept->next->len, 40);
    ck_assert_uint_eq(memp_in_use(MEMP_FRAG_PBUF), 1);
    pbuf_free(p);                       /* the caller is done; the fragment is not */
    ck_assert_uint_gt(mem_used(), 0);
    for (int i = 0; i < 40; i++)
        ck_assert_uint_eq(((u8_t *)kept->next->payload)[i], (u8_t)((2960 + i) * 13 + 1));
    pbuf_free(kept);
    kept = NULL;
    ng_assert_net_clean();
}
END_TEST

START_TEST(original_chain_cut_anywhere)
{
    /* the original as REF pbufs of odd sizes over one buffer */
    static u8_t flat[3020];
    static const u16_t cuts[] = { 20, 7, 1500, 1, 333, 1159 };
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = 99, .id = 1 };
    u8_t body[3000];
    for (int i = 0; i < 3000; i++)
        body[i] = (u8_t)(i * 5 + 3);
    build_ip(flat, &s, body, 3000);
    struct pbuf *p = NULL;
    u16_t at = 0;
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(cuts); i++) {
        struct pbuf *q = pbuf_alloc_reference(flat + at, cuts[i], PBUF_REF);
        if (p)
            pbuf_cat(p, q);
        else
            p = q;
        at = (u16_t)(at + cuts[i]);
    }
    ck_assert_uint_eq(p->tot_len, 3020);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_frag(p, &rn.netif, &dst), ERR_OK);
    pbuf_free(p);
    ck_assert_uint_eq(rn.n, 3);
    ck_assert_mem_eq(rec_packet(&rn, 0)->data + 20, body, 1480);
    ck_assert_mem_eq(rec_packet(&rn, 1)->data + 20, body + 1480, 1480);
    ck_assert_mem_eq(rec_packet(&rn, 2)->data + 20, body + 2960, 40);
    ck_assert_uint_eq(rec_packet(&rn, 0)->pbufs, 1 + 2);    /* 7, and 1473 of the 1500 */
    ck_assert_uint_eq(rec_packet(&rn, 1)->pbufs, 1 + 4);    /* 27 + 1 + 333 + 1119 */
    ck_assert_uint_eq(rec_packet(&rn, 2)->pbufs, 1 + 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(out_of_fragment_references)
{
    /* a first fragment spread over more pbufs than MEMP_NUM_FRAG_PBUF */
    static u8_t flat[20 + 100 * 10];
    struct ip_spec s = { .src = "10.0.2.15", .dst = "10.0.2.2", .proto = 99, .id = 1 };
    u8_t body[1000] = { 0 };
    build_ip(flat, &s, body, 1000);
    struct pbuf *p = pbuf_alloc_reference(flat, 20, PBUF_REF);
    for (int i = 0; i < 10; i++)
        pbuf_cat(p, pbuf_alloc_reference(flat + 20 + i * 100, 100, PBUF_REF));
    rn.netif.mtu = 1000;
    ck_assert_int_gt(10, MEMP_NUM_FRAG_PBUF);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    ck_assert_int_eq(ip4_frag(p, &rn.netif, &dst), ERR_MEM);
    ck_assert_uint_eq(rn.n, 0);
    ck_assert_uint_eq(memp_in_use(MEMP_FRAG_PBUF), 0);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(fragmentation_traced)
{
    struct pbuf *p = payload(2000);
    ip4_addr_t dst = { ip_u32("10.0.2.2") };
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    ck_assert_int_eq(ip4_output(p, NULL, &dst, 64, 0, 99), ERR_OK);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    pbuf_free(p);
    ck_assert_layers(NG_layer_ip4_output, NG_layer_ip4_output_if, NG_layer_ip4_frag,
                     -NG_layer_ip4_frag, -NG_layer_ip4_output_if, -NG_layer_ip4_output);
    ng_assert_net_clean();
}
END_TEST

START_TEST(reassembly_traced)
{
    make_msg(1000, 1);
    frag_in(40, 0, 400, 1);
    hook_on();
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    frag_in(40, 400, 600, 0);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_layers(NG_layer_ip4_input, NG_layer_ip4_reass, -NG_layer_ip4_reass,
                     NG_layer_icmp_input, -NG_layer_icmp_input, -NG_layer_ip4_input);
    ck_assert_int_eq(delivered, 1);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ip4_frag");
    TCase *tc = ng_tcase(s, "reassembly");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, in_order);
    tcase_add_loop_test(tc, any_order, 0, 6);
    tcase_add_test(tc, small_pieces_reversed);
    tcase_add_test(tc, duplicate_dropped_alone);
    tcase_add_test(tc, overlap_discards_datagram);
    tcase_add_test(tc, overlap_from_below_discards_datagram);
    tcase_add_test(tc, containing_fragment_discards_datagram);
    tcase_add_test(tc, contained_fragment_discards_datagram);
    tcase_add_test(tc, second_end_discards_datagram);
    tcase_add_test(tc, end_before_held_data_discards_datagram);
    tcase_add_test(tc, past_the_end_discards_datagram);
    tcase_add_test(tc, same_bytes_other_mf_discards_datagram);
    tcase_add_test(tc, empty_fragment_dropped);
    tcase_add_test(tc, ragged_fragment_dropped_alone);
    tcase_add_test(tc, interleaved_datagrams);
    tcase_add_test(tc, reassembly_traced);

    tc = ng_tcase(s, "pending");        /* leave datagrams held: emptied after */
    tcase_add_checked_fixture(tc, setup, teardown_pending);
    tcase_add_test(tc, past_65535_dropped);
    tcase_add_test(tc, pbuf_limit_drops_oldest);
    tcase_add_test(tc, pbuf_limit_for_one_datagram);
    tcase_add_test(tc, datagram_limit_drops_oldest);

    tc = ng_tcase(s, "timeout");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, timeout_sends_time_exceeded);
    tcase_add_test(tc, timeout_without_fragment_0_is_silent);
    tcase_add_test(tc, timer_ages_each_datagram_from_its_start);

    tc = ng_tcase(s, "fragmentation");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, mtu_1500_exactly_fits);
    tcase_add_test(tc, mtu_1500_one_byte_over);
    tcase_add_test(tc, mtu_1500_exact_multiple);
    tcase_add_test(tc, mtu_1500_4000_bytes);
    tcase_add_test(tc, mtu_576_4000_bytes);
    tcase_add_test(tc, mtu_68_exact_multiple);
    tcase_add_test(tc, own_fragments_reassemble);
    tcase_add_test(tc, own_fragments_reassemble_reversed);
    tcase_add_test(tc, fragments_reference_the_original);
    tcase_add_test(tc, original_chain_cut_anywhere);
    tcase_add_test(tc, out_of_fragment_references);
    tcase_add_test(tc, fragmentation_traced);

    return ng_test_run(s) != 0;
}
