/*
 * tests/unit/fake_netif.h - a fake Ethernet interface for the network
 * stack's unit tests (lwIP's test suites use one like it).
 *
 * It is an Ethernet netif as the Stellaris driver makes one (ETHARP,
 * BROADCAST, ETHERNET and LINK_UP, MTU 1500, output = etharp_output) whose
 * linkoutput records a copy of every frame it is given, in order, instead
 * of sending it; and a test can inject frames as if they had arrived.
 *
 *   static struct fake_netif fk;
 *   fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
 *   netif_set_up(&fk.netif);            (sends a gratuitous ARP: frame 0)
 *   fake_netif_inject(&fk, bytes, len); (into fk.netif.input: netif_input)
 *   ck_assert_uint_eq(fk.nframes, 2);
 *   fake_frame_eq(fake_netif_frame(&fk, 1), expected, sizeof expected);
 *
 * Injected frames go to fk.netif.input in the caller's thread: netif_input
 * (ethernet_input) by default; set it to tcpip_input to go through
 * tcpip_thread instead.
 */
#ifndef NG_FAKE_NETIF_H
#define NG_FAKE_NETIF_H

#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"

#define FAKE_NETIF_FRAMES 64        /* frames kept (more are counted, not kept) */
#define FAKE_NETIF_FRAME_MAX 1600   /* bytes kept of each */

/* QEMU's default MAC, used when fake_netif_add is given none. */
#define FAKE_NETIF_MAC ETH_ADDR(0x52, 0x54, 0x00, 0x12, 0x34, 0x56)

struct fake_frame {
    u16_t len;                      /* the frame's length (tot_len of the pbuf) */
    u16_t pbufs;                    /* how many pbufs the chain had */
    u8_t data[FAKE_NETIF_FRAME_MAX];
};

struct fake_netif {
    struct netif netif;             /* first, so &fk.netif == (struct netif *)&fk */
    err_t linkoutput_result;        /* what linkoutput returns (ERR_OK; ERR_IF to fail) */
    unsigned nframes;               /* frames linkoutput was given, kept or not */
    struct fake_frame frames[FAKE_NETIF_FRAMES];
};

/* Add f as an Ethernet netif "fk" with these dotted addresses (NULL: none)
 * and MAC (NULL: FAKE_NETIF_MAC); not yet up. Its input is netif_input. */
struct netif *fake_netif_add(struct fake_netif *f, const char *ip, const char *mask,
                             const char *gw, const struct eth_addr *mac);

/* Forget the frames recorded so far. */
void fake_netif_clear(struct fake_netif *f);

/* Frame i (0 = the first sent since the last clear); fails the test if
 * there is no such frame or it was not kept. */
const struct fake_frame *fake_netif_frame(const struct fake_netif *f, unsigned i);

/* Deliver len bytes as a received frame, as the driver would: copied into
 * a PBUF_POOL chain and given to f->netif.input. Returns input's result
 * (on an error the packet is freed here, as tcpip_thread would). */
err_t fake_netif_inject(struct fake_netif *f, const void *frame, u16_t len);

/* Fail the test, printing both in hex, unless frame fr is exactly these
 * bytes. */
#define fake_frame_eq(fr, bytes, n) fake_frame_eq_at(__FILE__, __LINE__, (fr), (bytes), (n))
void fake_frame_eq_at(const char *file, int line, const struct fake_frame *fr,
                      const void *bytes, size_t n);

#endif
