/*
 * tools/lwip_ref/main.c - lwIP 2.2.1's own iperf server (lwiperf, raw API)
 * on the lm3s6965evb, with no operating system (NO_SYS 1): the reference
 * that tools/lwip_reference_iperf.py measures beside netglass's net_demo
 * in the same QEMU, behind the same slirp, with the same `iperf -c`.
 *
 * Only this glue is netglass's; lwIP comes from the tree the tool is
 * given. The Stellaris MAC (QEMU's stellaris_enet) is polled from the
 * main loop: a frame is read from the RX FIFO a word at a time into a
 * buffer and copied into a PBUF_POOL pbuf, and a frame to send is
 * gathered into the buffer and written a word at a time, each with the
 * 16-bit length word the FIFO format puts first (boards/lm3s6965evb/
 * ethernetif.c explains the format). The address is fixed: 10.0.2.15/24,
 * gateway 10.0.2.2, slirp's defaults. SysTick counts milliseconds for
 * sys_now; UART0 carries printf.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lwip/apps/lwiperf.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define MAC_RIS REG(0x40048000u)        /* read: status; write: acknowledge */
#define MAC_IM REG(0x40048004u)
#define MAC_RCTL REG(0x40048008u)
#define MAC_TCTL REG(0x4004800cu)
#define MAC_DATA REG(0x40048010u)
#define MAC_IA0 REG(0x40048014u)
#define MAC_IA1 REG(0x40048018u)
#define MAC_NP REG(0x40048034u)
#define MAC_TR REG(0x40048038u)
#define UART0_DR REG(0x4000c000u)
#define SYST_CSR REG(0xe000e010u)
#define SYST_RVR REG(0xe000e014u)
#define SYST_CVR REG(0xe000e018u)
#define CPU_HZ 12500000u                /* the board's SysTick clock in QEMU */

static volatile uint32_t now_ms;

void SysTick_Handler(void)
{
    now_ms++;
}

u32_t sys_now(void)
{
    return now_ms;
}

/* newlib's printf ends here. */
int _write(int fd, const char *buf, int n)
{
    (void)fd;
    for (int i = 0; i < n; i++)
        UART0_DR = (uint8_t)buf[i];
    return n;
}

static struct netif eth;
static uint32_t frame[(2 + 1514 + 4 + 3) / 4];     /* length word + frame + FCS */

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    if (p->tot_len > 1514)
        return ERR_VAL;
    while (MAC_TR & 1u)
        ;
    uint8_t *b = (uint8_t *)frame;
    b[0] = (uint8_t)(p->tot_len - 14);      /* the FIFO wants the payload length */
    b[1] = (uint8_t)((p->tot_len - 14) >> 8);
    pbuf_copy_partial(p, b + 2, p->tot_len, 0);
    for (uint32_t i = 0, n = (2u + p->tot_len + 3) / 4; i < n; i++)
        MAC_DATA = frame[i];
    MAC_TR = 1u;
    return ERR_OK;
}

static void poll_rx(void)
{
    while (MAC_NP > 0) {
        frame[0] = MAC_DATA;
        uint32_t total = frame[0] & 0xffffu;        /* length word + frame + FCS */
        uint32_t words = (total + 3) / 4;
        if (total < 6 + 14 || words > sizeof frame / 4) {
            for (uint32_t i = 1; i < words; i++)
                (void)MAC_DATA;
            continue;
        }
        for (uint32_t i = 1; i < words; i++)
            frame[i] = MAC_DATA;
        u16_t len = (u16_t)(total - 6);
        struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
        if (p == NULL)
            continue;
        pbuf_take(p, (uint8_t *)frame + 2, len);
        if (eth.input(p, &eth) != ERR_OK)
            pbuf_free(p);
    }
}

static err_t eth_init(struct netif *netif)
{
    MAC_IM = 0;
    MAC_RCTL = 0x10u;           /* reset the RX FIFO */
    MAC_RIS = 0x7fu;
    uint32_t a = MAC_IA0, b = MAC_IA1;
    const uint8_t mac[6] = { (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16),
                             (uint8_t)(a >> 24), (uint8_t)b, (uint8_t)(b >> 8) };
    memcpy(netif->hwaddr, mac, sizeof mac);
    netif->hwaddr_len = 6;
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_LINK_UP;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    MAC_TCTL = 0x0fu;           /* on, pad, FCS, full duplex */
    MAC_RCTL = 0x09u;           /* on, reject bad FCS */
    return ERR_OK;
}

static void report(void *arg, enum lwiperf_report_type type, const ip_addr_t *local,
                   u16_t local_port, const ip_addr_t *remote, u16_t remote_port,
                   u32_t bytes, u32_t ms, u32_t kbits)
{
    (void)arg;
    (void)local;
    (void)local_port;
    (void)remote;
    (void)remote_port;
    printf("lwiperf: report %d: %lu bytes in %lu ms, %lu kbit/s\n", (int)type,
           (unsigned long)bytes, (unsigned long)ms, (unsigned long)kbits);
}

int main(void)
{
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;
    lwip_init();
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    netif_add(&eth, &ip, &mask, &gw, NULL, eth_init, ethernet_input);
    netif_set_default(&eth);
    netif_set_up(&eth);
    lwiperf_start_tcp_server_default(report, NULL);
    printf("lwiperf: serving on port 5001, TCP_WND %u\n", (unsigned)TCP_WND);
    for (;;) {
        poll_rx();
        sys_check_timeouts();
    }
}
