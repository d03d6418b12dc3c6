/*
 * tests/unit/fake_netif.c - the fake Ethernet interface of fake_netif.h:
 * a linkoutput that records copies of the frames and an injector that
 * plays the driver's receive path.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "fake_netif.h"

static err_t fake_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct fake_netif *f = (struct fake_netif *)netif;
    if (f->nframes < FAKE_NETIF_FRAMES) {
        struct fake_frame *fr = &f->frames[f->nframes];
        ck_assert_msg(p->tot_len <= FAKE_NETIF_FRAME_MAX, "fake_netif: a frame of %u bytes",
                      (unsigned)p->tot_len);
        fr->len = p->tot_len;
        fr->pbufs = pbuf_clen(p);
        ck_assert_uint_eq(pbuf_copy_partial(p, fr->data, p->tot_len, 0), p->tot_len);
    }
    f->nframes++;
    netif->tx_frames++;
    netif->tx_bytes += p->tot_len;
    return f->linkoutput_result;
}

static const struct eth_addr *init_mac;

static err_t fake_init(struct netif *netif)
{
    netif->name[0] = 'f';
    netif->name[1] = 'k';
    netif->output = etharp_output;
    netif->linkoutput = fake_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, init_mac->addr, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static void parse(const char *s, ip4_addr_t *a)
{
    ip4_addr_set_zero(a);
    if (s)
        ck_assert_msg(ip4addr_aton(s, a), "fake_netif: bad address '%s'", s);
}

struct netif *fake_netif_add(struct fake_netif *f, const char *ip, const char *mask,
                             const char *gw, const struct eth_addr *mac)
{
    static const struct eth_addr default_mac = FAKE_NETIF_MAC;
    ip4_addr_t a, m, g;
    parse(ip, &a);
    parse(mask, &m);
    parse(gw, &g);
    memset(f, 0, sizeof *f);
    f->linkoutput_result = ERR_OK;
    init_mac = mac ? mac : &default_mac;
    struct netif *n = netif_add(&f->netif, &a, &m, &g, NULL, fake_init, netif_input);
    ck_assert_ptr_eq(n, &f->netif);
    return n;
}

void fake_netif_clear(struct fake_netif *f)
{
    f->nframes = 0;
}

const struct fake_frame *fake_netif_frame(const struct fake_netif *f, unsigned i)
{
    ck_assert_msg(i < f->nframes, "fake_netif: frame %u asked for, %u sent", i, f->nframes);
    ck_assert_msg(i < FAKE_NETIF_FRAMES, "fake_netif: frame %u was not kept", i);
    return &f->frames[i];
}

err_t fake_netif_inject(struct fake_netif *f, const void *frame, u16_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
    ck_assert_msg(p != NULL, "fake_netif: no PBUF_POOL for a %u-byte frame", (unsigned)len);
    ck_assert_int_eq(pbuf_take(p, frame, len), ERR_OK);
    f->netif.rx_frames++;
    f->netif.rx_bytes += len;
    err_t err = f->netif.input(p, &f->netif);
    if (err != ERR_OK)
        pbuf_free(p);
    return err;
}

static void hex(char *out, size_t size, const u8_t *b, size_t n)
{
    size_t pos = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && pos + 4 < size; i++)
        pos += (size_t)snprintf(out + pos, size - pos, "%s%02x", i && i % 16 == 0 ? "\n  " :
                                i ? " " : "", b[i]);
}

void fake_frame_eq_at(const char *file, int line, const struct fake_frame *fr,
                      const void *bytes, size_t n)
{
    if (fr->len == n && memcmp(fr->data, bytes, n) == 0)
        return;
    static char got[8192], want[8192];
    hex(got, sizeof got, fr->data, fr->len);
    hex(want, sizeof want, bytes, n);
    size_t at = 0;
    while (at < n && at < fr->len && fr->data[at] == ((const u8_t *)bytes)[at])
        at++;
    ck_abort_msg("%s:%d: frame differs at byte %zu\n got (%u):\n  %s\n expected (%zu):\n  %s",
                 file, line, at, (unsigned)fr->len, got, n, want);
}
