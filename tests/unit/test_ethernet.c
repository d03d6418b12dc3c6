/*
 * tests/unit/test_ethernet.c - the Ethernet layer (net/ethernet.c) on the
 * fake interface.
 *
 * Covers: frames for our MAC handed to IP with the header removed and the
 * interface's index set; broadcast and multicast frames accepted and
 * marked PBUF_FLAG_LLBCAST / PBUF_FLAG_LLMCAST; unicast frames for another
 * station dropped (ETH_NOT_FOR_US: the emulated MAC filters nothing);
 * runts dropped (ETH_RUNT) while a 42-byte ARP frame, shorter than the
 * 60-byte minimum, is accepted and answered; EtherTypes we do not speak
 * (ETH_TYPE), also IPv4 and ARP on an interface without ARP; the header
 * ethernet_output writes, byte for byte, and what linkoutput returns
 * coming back; a packet without room for the header refused (TX_ERROR);
 * and the trace of input: nested layer records and a DROP record with the
 * reason and the packet. Every test ends with every pool and the heap empty.
 */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "fake_netif.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8_t stranger[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const u8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static struct fake_netif fk;

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    fake_netif_clear(&fk);
}

static void teardown(void)
{
    netif_set_down(&fk.netif);
    ng_assert_net_clean();
}

/* A frame to dst of EtherType type with len bytes of payload 0x00, 0x01,
 * ... (an IPv4 header with version 0: IP will not take it further). */
static u16_t frame(u8_t *f, const u8_t *dst, u16_t type, u16_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, gw_mac, 6);
    f[12] = (u8_t)(type >> 8);
    f[13] = (u8_t)type;
    for (u16_t i = 0; i < len; i++)
        f[14 + i] = (u8_t)i;
    return (u16_t)(14 + len);
}

/* Receive the frame in a pbuf that the test keeps a reference to, so that
 * it can look at what the layer did to it afterwards. */
static struct pbuf *receive_kept(const u8_t *f, u16_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(pbuf_take(p, f, len), ERR_OK);
    pbuf_ref(p);
    ck_assert_int_eq(ethernet_input(p, &fk.netif), ERR_OK);
    ck_assert_uint_eq(p->ref, 1);           /* the layer let go of its reference */
    return p;
}

/* Index of the first LAYER_ENTER of fn in the parsed trace, or -1. */
static int entered(int fn, uint32_t *arg)
{
    for (uint32_t i = 0; i < tc_nrecs; i++)
        if (tc_recs[i].id == NG_EV_LAYER_ENTER && tc_recs[i].a == fn) {
            if (arg)
                *arg = tc_recs[i].w[0];
            return (int)i;
        }
    return -1;
}

static void trace_on(void)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER) | NG_TRACE_CLASS_BIT(DROP));
}

static void trace_off(void)
{
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
}

/* ---- receive ---------------------------------------------------------------- */

START_TEST(frame_for_our_mac_goes_to_ip_without_its_header)
{
    u8_t f[64];
    u16_t n = frame(f, our_mac, ETHTYPE_IP, 40);
    trace_on();
    struct pbuf *p = receive_kept(f, n);
    trace_off();
    uint32_t arg = 0;
    int at_eth = entered(NG_layer_ethernet_input, NULL);
    int at_ip = entered(NG_layer_ip4_input, &arg);
    ck_assert_int_ge(at_eth, 0);
    ck_assert_int_gt(at_ip, at_eth);
    ck_assert_uint_eq(arg, (uint32_t)(uintptr_t)p);
    ck_assert_uint_eq(p->tot_len, 40);      /* IP saw the packet, not the frame */
    ck_assert_uint_eq(((u8_t *)p->payload)[1], 1);
    ck_assert_uint_eq(p->if_idx, netif_get_index(&fk.netif));
    ck_assert_uint_eq(p->flags & (PBUF_FLAG_LLBCAST | PBUF_FLAG_LLMCAST), 0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_NOT_FOR_US] + ng_drop_count[NG_drop_ETH_RUNT] +
                      ng_drop_count[NG_drop_ETH_TYPE], 0);
    pbuf_free(p);
}
END_TEST

START_TEST(broadcast_and_multicast_are_accepted_and_marked)
{
    u8_t f[64];
    struct pbuf *p = receive_kept(f, frame(f, bcast, ETHTYPE_IP, 20));
    ck_assert_uint_eq(p->flags & (PBUF_FLAG_LLBCAST | PBUF_FLAG_LLMCAST), PBUF_FLAG_LLBCAST);
    pbuf_free(p);
    p = receive_kept(f, frame(f, mcast, ETHTYPE_IP, 20));
    ck_assert_uint_eq(p->flags & (PBUF_FLAG_LLBCAST | PBUF_FLAG_LLMCAST), PBUF_FLAG_LLMCAST);
    pbuf_free(p);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_NOT_FOR_US], 0);
}
END_TEST

START_TEST(unicast_for_another_station_is_dropped)
{
    u8_t f[64];
    u16_t n = frame(f, stranger, ETHTYPE_IP, 20);
    trace_on();
    struct pbuf *p = receive_kept(f, n);
    trace_off();
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_NOT_FOR_US], 1);
    ck_assert_uint_eq(ng_drops_total(), 1);
    ck_assert_int_lt(entered(NG_layer_ip4_input, NULL), 0);
    int d = -1;
    for (uint32_t i = 0; i < tc_nrecs; i++)
        if (tc_recs[i].id == NG_EV_DROP)
            d = (int)i;
    ck_assert_int_ge(d, 0);
    ck_assert_uint_eq(tc_recs[d].a, NG_drop_ETH_NOT_FOR_US);
    ck_assert_uint_eq(tc_recs[d].w[0], (uint32_t)(uintptr_t)p);
    ck_assert_uint_eq(lwip_stats.link.drop, 1);
    pbuf_free(p);

    /* an ARP request for us in a frame for someone else: not ours either */
    static const u8_t arp_for_us[42] = {
        0x52, 0x54, 0x00, 0x12, 0x34, 0x57, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 10, 0, 2, 2,
        0, 0, 0, 0, 0, 0, 10, 0, 2, 15,
    };
    ck_assert_int_eq(fake_netif_inject(&fk, arp_for_us, sizeof arp_for_us), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_NOT_FOR_US], 2);
}
END_TEST

START_TEST(runts_are_dropped)
{
    u8_t f[64];
    frame(f, our_mac, ETHTYPE_IP, 20);
    ck_assert_int_eq(fake_netif_inject(&fk, f, 13), ERR_OK);
    ck_assert_int_eq(fake_netif_inject(&fk, f, 1), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_RUNT], 2);
    ck_assert_uint_eq(lwip_stats.link.lenerr, 2);
    /* exactly a header and nothing else: IP's problem, not ours */
    ck_assert_int_eq(fake_netif_inject(&fk, f, 14), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_RUNT], 2);
}
END_TEST

START_TEST(short_arp_frame_is_accepted)
{
    /* 42 bytes, unpadded, as some emulated links deliver them */
    static const u8_t request[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 10, 0, 2, 2,
        0, 0, 0, 0, 0, 0, 10, 0, 2, 15,
    };
    ck_assert_int_eq(fake_netif_inject(&fk, request, sizeof request), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);       /* answered */
    ck_assert_uint_eq(fake_netif_frame(&fk, 0)->data[21], ARP_REPLY);
    /* and padded to 60 with zeros, as most senders do */
    u8_t padded[60] = { 0 };
    memcpy(padded, request, sizeof request);
    ck_assert_int_eq(fake_netif_inject(&fk, padded, sizeof padded), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 2);
    ck_assert_uint_eq(ng_drops_total(), 0);
}
END_TEST

START_TEST(ethertypes_we_do_not_speak_are_dropped)
{
    u8_t f[64];
    static const u16_t types[] = { ETHTYPE_IPV6, ETHTYPE_VLAN, ETHTYPE_LLDP, 0x0600 };
    for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++)
        ck_assert_int_eq(fake_netif_inject(&fk, f, frame(f, our_mac, types[i], 40)), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_TYPE], 4);
    ck_assert_uint_eq(ng_drops_total(), 4);
    ck_assert_uint_eq(lwip_stats.link.proterr, 4);
}
END_TEST

START_TEST(ip_and_arp_need_an_arp_interface)
{
    fk.netif.flags &= (u8_t)~NETIF_FLAG_ETHARP;
    u8_t f[64];
    ck_assert_int_eq(fake_netif_inject(&fk, f, frame(f, our_mac, ETHTYPE_IP, 40)), ERR_OK);
    ck_assert_int_eq(fake_netif_inject(&fk, f, frame(f, bcast, ETHTYPE_ARP, 28)), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_TYPE], 2);
    ck_assert_uint_eq(fk.nframes, 0);
}
END_TEST

/* ---- send --------------------------------------------------------------------- */

START_TEST(ethernet_output_writes_the_header)
{
    static const u8_t expected[] = {
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00,
        0xde, 0xad, 0xbe, 0xef,
    };
    struct pbuf *p = pbuf_alloc(PBUF_LINK, 4, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    memcpy(p->payload, "\xde\xad\xbe\xef", 4);
    const struct eth_addr *src = (const struct eth_addr *)our_mac;
    const struct eth_addr *dst = (const struct eth_addr *)gw_mac;
    ck_assert_int_eq(ethernet_output(&fk.netif, p, src, dst, ETHTYPE_IP), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    fake_frame_eq(fake_netif_frame(&fk, 0), expected, sizeof expected);
    ck_assert_uint_eq(p->tot_len, 18);      /* the header stays on: the caller frees p */

    pbuf_free(p);

    fk.linkoutput_result = ERR_IF;          /* the driver's error comes back */
    p = pbuf_alloc(PBUF_LINK, 4, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(ethernet_output(&fk.netif, p, src, &ethbroadcast, 0x88b5), ERR_IF);
    const struct fake_frame *fr = fake_netif_frame(&fk, 1);
    ck_assert_mem_eq(fr->data, bcast, 6);
    ck_assert_uint_eq(fr->data[12], 0x88);
    ck_assert_uint_eq(fr->data[13], 0xb5);
    ck_assert_uint_eq(fr->len, 18);
    /* no room left in front for a second header */
    ck_assert_int_eq(ethernet_output(&fk.netif, p, src, dst, ETHTYPE_IP), ERR_BUF);
    ck_assert_uint_eq(fk.nframes, 2);
    pbuf_free(p);
}
END_TEST

START_TEST(packet_without_room_for_the_header_is_refused)
{
    static u8_t data[20];
    struct pbuf *p = pbuf_alloc_reference(data, sizeof data, PBUF_REF);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(ethernet_output(&fk.netif, p, (const struct eth_addr *)our_mac,
                                     &ethbroadcast, ETHTYPE_IP), ERR_BUF);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TX_ERROR], 1);
    ck_assert_uint_eq(p->tot_len, 20);
    pbuf_free(p);
}
END_TEST

START_TEST(constants)
{
    ck_assert_uint_eq(sizeof(struct eth_hdr), 14);
    ck_assert_uint_eq(SIZEOF_ETH_HDR, 14);
    ck_assert_uint_eq(sizeof(struct etharp_hdr), 28);
    ck_assert_uint_eq(sizeof(struct eth_addr), 6);
    ck_assert_mem_eq(ethbroadcast.addr, bcast, 6);
    static const u8_t zero6[6] = { 0 };
    ck_assert_mem_eq(ethzero.addr, zero6, 6);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ethernet");
    TCase *tc = ng_tcase(s, "receive");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, frame_for_our_mac_goes_to_ip_without_its_header);
    tcase_add_test(tc, broadcast_and_multicast_are_accepted_and_marked);
    tcase_add_test(tc, unicast_for_another_station_is_dropped);
    tcase_add_test(tc, runts_are_dropped);
    tcase_add_test(tc, short_arp_frame_is_accepted);
    tcase_add_test(tc, ethertypes_we_do_not_speak_are_dropped);
    tcase_add_test(tc, ip_and_arp_need_an_arp_interface);

    tc = ng_tcase(s, "send");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ethernet_output_writes_the_header);
    tcase_add_test(tc, packet_without_room_for_the_header_is_refused);
    tcase_add_test(tc, constants);

    return ng_test_run(s) != 0;
}
