/*
 * boards/lm3s6965evb/ethernetif.c - the driver of the Stellaris Ethernet
 * MAC of the LM3S6965 as QEMU emulates it (stellaris_enet, 0x4004_8000,
 * IRQ 42), in the shape of lwIP's ethernetif template.
 *
 * Receive: the MAC raises its interrupt when a frame has arrived in its
 * FIFO. The interrupt handler masks the MAC's interrupts, acknowledges and
 * signals a semaphore; the receive thread "eth_rx" wakes, and while the
 * MAC says frames are waiting (NP) it runs ethernetif_input for each:
 * low_level_input copies the frame out of the FIFO into a chain of
 * PBUF_POOL pbufs, and netif->input (tcpip_input) queues it for
 * tcpip_thread. Then it unmasks the interrupt. One interrupt may stand for
 * many frames, so the thread drains, not counts; it outranks tcpip_thread
 * but gives way to it when the pbuf pool runs low.
 *
 * Transmit: low_level_output (netif->linkoutput, called in tcpip_thread)
 * writes the frame into the transmit FIFO and starts it.
 *
 * The FIFO is a stream of 32-bit words, little-endian:
 *   receive:  [len_lo len_hi f0 f1] [f2 f3 f4 f5] ... [.. c0 c1 c2 c3]
 *             len = frame length + 6 (these 2 bytes and the 4 check bytes
 *             at the end); read ceil(len / 4) words in all.
 *   transmit: [n_lo n_hi f0 f1] [f2 f3 f4 f5] ...
 *             n = frame length - 14 (the payload after the Ethernet
 *             header); the MAC pads to 60 bytes and appends the FCS.
 * So the frame sits two bytes off word alignment both ways, and pbufs
 * split it at arbitrary points: the copies below carry a partial word
 * between pieces.
 *
 * What QEMU's model (hw/net/stellaris_enet.c, measured with QEMU 7.2) does
 * that a driver must allow for: the 4 check bytes are not a real FCS
 * (never validated here); frames shorter than 60 bytes arrive from some
 * back ends (accepted: ethernet_input judges them); there is no address
 * filter (ethernet_input filters by destination); the PHY is not modelled
 * (the link is set up at once, nothing waits for it).
 *
 * Every frame received is traced as FRAME_RX and every frame sent as
 * FRAME_TX, with its first NG_TRACE_FRAME_BYTES bytes (for pcap export);
 * every frame the driver cannot deliver is a counted NG_DROP.
 */
#include <string.h>

#include "cm3.h"
#include "ethernetif.h"
#include "kernel.h"
#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"
#include "trace.h"

/* Registers (LM3S6965 data sheet, Ethernet Controller). */
#define ETH_BASE 0x40048000u
#define MAC_RIS NG_REG32(ETH_BASE + 0x00u)     /* read: raw interrupt status */
#define MAC_IACK NG_REG32(ETH_BASE + 0x00u)    /* write: acknowledge */
#define MAC_IM NG_REG32(ETH_BASE + 0x04u)      /* interrupt mask: 1 = enabled */
#define MAC_RCTL NG_REG32(ETH_BASE + 0x08u)
#define MAC_TCTL NG_REG32(ETH_BASE + 0x0cu)
#define MAC_DATA NG_REG32(ETH_BASE + 0x10u)    /* the FIFOs: read RX, write TX */
#define MAC_IA0 NG_REG32(ETH_BASE + 0x14u)     /* MAC address bytes 0..3 */
#define MAC_IA1 NG_REG32(ETH_BASE + 0x18u)     /* MAC address bytes 4..5 */
#define MAC_NP NG_REG32(ETH_BASE + 0x34u)      /* frames waiting in the RX FIFO */
#define MAC_TR NG_REG32(ETH_BASE + 0x38u)      /* transmission request */

#define INT_RX 0x01u            /* a frame arrived */
#define INT_TXER 0x02u          /* transmit error */
#define INT_TXEMP 0x04u         /* transmit FIFO empty */
#define INT_FOV 0x08u           /* receive FIFO overrun: a frame was lost */
#define INT_RXER 0x10u          /* receive error */
#define INT_ALL 0x7fu
#define INT_WANTED (INT_RX | INT_FOV | INT_RXER)
#define RCTL_RXEN 0x01u
#define RCTL_BADCRC 0x08u       /* reject frames with a bad FCS (real hardware) */
#define RCTL_RSTFIFO 0x10u
#define TCTL_TXEN 0x01u
#define TCTL_PADEN 0x02u        /* pad short frames to 60 bytes */
#define TCTL_CRC 0x04u          /* append the FCS */
#define TCTL_DUPLEX 0x08u       /* full duplex (QEMU ignores it) */
#define TR_NEWTX 0x01u

#define ETH_IRQ 42
#define ETH_EXCEPTION (16 + ETH_IRQ)
#define ETH_IRQ_PRIO 0x80u      /* between SysTick (0x00) and PendSV (0xe0) */
#define NVIC_ISER(n) NG_REG32(0xe000e100u + 4u * (n))
#define NVIC_ICER(n) NG_REG32(0xe000e180u + 4u * (n))
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xe000e400u + (n)))

#define ETH_HLEN 14u                    /* destination, source, EtherType */
#define ETH_FRAME_MAX (1500u + ETH_HLEN) /* without FCS: the MAC adds and strips it */
#define RX_OVERHEAD 6u                  /* length word's 2 bytes + 4 check bytes */

_Static_assert(NG_TRACE_FRAME_BYTES <= NG_TRACE_VAR_MAX,
               "NG_TRACE_FRAME_BYTES is more than a trace record carries");

/* What the driver keeps besides the netif (netif->state points here). */
struct ethernetif {
    struct netif *netif;
    sys_sem_t rx_sem;               /* the interrupt's signal to eth_rx */
    volatile u32_t overruns;        /* INT_FOV seen by the handler */
    volatile u32_t rx_errors;       /* INT_RXER seen by the handler */
    u32_t overruns_counted, rx_errors_counted;
    u32_t tail_words;               /* check-byte words of the last frame, not yet read */
};
static struct ethernetif eth0;

/* NOTE: eth_rx and tcpip_thread (ethernet_input) share lwIP's link
 * counters; as with lwIP's own drivers, an increment in tcpip_thread that
 * eth_rx preempts may lose a count. They are statistics: the drops
 * themselves are counted exactly, under their reasons (ng_drop). */

/* FRAME_RX / FRAME_TX: the netif, how many bytes are kept of how many,
 * and those bytes. */
static void trace_frame_bytes(int tx, const struct netif *netif, const void *head,
                              u16_t kept, u16_t len)
{
    u32_t w1 = (u32_t)kept | (u32_t)len << 16;
    if (tx)
        NG_TRACE_VAR(FRAME_TX, netif->trace_id, w1, head, kept);
    else
        NG_TRACE_VAR(FRAME_RX, netif->trace_id, w1, head, kept);
}

/* The bytes usually all lie in the first pbuf (a received frame is one
 * pool pbuf, a TCP segment's headers are in front of its data): then the
 * record takes them from there, else from a copy. */
static void trace_frame_pbuf(int tx, const struct netif *netif, const struct pbuf *p)
{
    if (!NG_TRACE_ON(FRAME_RX))     /* the class of FRAME_TX too */
        return;
    u16_t kept = (u16_t)LWIP_MIN(p->tot_len, NG_TRACE_FRAME_BYTES);
    if (p->len >= kept) {
        trace_frame_bytes(tx, netif, p->payload, kept, p->tot_len);
        return;
    }
    u8_t head[NG_TRACE_FRAME_BYTES];
    kept = pbuf_copy_partial(p, head, sizeof head, 0);
    trace_frame_bytes(tx, netif, head, kept, p->tot_len);
}

/* ---- the receive FIFO as a byte stream ----------------------------------------- */

struct rx_fifo {
    u32_t word;         /* bytes read from DATA but not yet used, next in bits 0..7 */
    u32_t have;         /* how many */
    u32_t words;        /* words of this frame still in the FIFO */
};

/* Copy the frame's next n bytes to dst. Whole words go straight from the
 * register to memory (the Cortex-M3 stores unaligned words), four per
 * loop turn; only the bytes around a word boundary go one by one. Never
 * reads past the frame: the caller asks for no more than the frame holds.
 * The loops work on local copies of the FIFO state: stores through dst
 * (bytes, which may alias anything) would otherwise make the compiler
 * write f->words back after every word. NG_FIFO_LOOP: this and tx_write
 * move every byte of every frame, so they are optimized even in the -Og
 * debug build (a third of the instructions of a bulk transfer). */
#define NG_FIFO_LOOP __attribute__((optimize("O2")))
static NG_FIFO_LOOP void rx_read(struct rx_fifo *f, u8_t *dst, u32_t n)
{
    u32_t word = f->word, have = f->have;
    for (; n > 0 && have > 0; n--, have--, word >>= 8)
        *dst++ = (u8_t)word;
    u32_t whole = n / 4;
    f->words -= whole;
    n -= 4 * whole;
    for (; whole >= 4; whole -= 4, dst += 16) {
        u32_t w0 = MAC_DATA, w1 = MAC_DATA, w2 = MAC_DATA, w3 = MAC_DATA;
        memcpy(dst, &w0, 4);
        memcpy(dst + 4, &w1, 4);
        memcpy(dst + 8, &w2, 4);
        memcpy(dst + 12, &w3, 4);
    }
    for (; whole > 0; whole--, dst += 4) {
        u32_t w = MAC_DATA;
        memcpy(dst, &w, 4);
    }
    if (n > 0) {
        word = MAC_DATA;
        f->words--;
        have = 4;
        for (; n > 0; n--, have--, word >>= 8)
            *dst++ = (u8_t)word;
    }
    f->word = word;
    f->have = have;
}

/* Read and forget what is left of the frame (the 4 check bytes, or the
 * whole rest of a frame that is being dropped). */
static void rx_discard(struct rx_fifo *f)
{
    for (; f->words > 0; f->words--)
        (void)MAC_DATA;
}

/* The last word of a frame (its check bytes) is left in the FIFO until
 * the next frame is taken, or until eth_rx goes back to sleep with the
 * FIFO nearly full. Why: QEMU's model, when a read empties its FIFO
 * (NP 1 -> 0), flushes its receive queue and so wakes QEMU's I/O thread
 * (qemu_notify_event, an eventfd write), which then contends with the
 * vCPU for QEMU's global lock on every register access. Emptying the FIFO
 * after every frame cost that wake-up per frame, about half the plain-QEMU
 * iperf rate. With the tail left in, NP counts the unfinished frame:
 * the frames waiting are NP - 1 while tail_words > 0. QEMU queues frames
 * only when its FIFO is full (31) and lets them in only at NP -> 0, so the
 * receive thread finishes the tail whenever it saw the FIFO that full. */
#define RX_FIFO_FRAMES 31u

static void rx_finish_tail(struct ethernetif *eth)
{
    for (; eth->tail_words > 0; eth->tail_words--)
        (void)MAC_DATA;
}

/* Frames waiting in the FIFO, the unfinished one not counted; *most
 * keeps the highest NP seen. */
static u32_t rx_frames_waiting(const struct ethernetif *eth, u32_t *most)
{
    u32_t np = MAC_NP;
    if (np > *most)
        *most = np;
    return eth->tail_words > 0 && np > 0 ? np - 1 : np;
}

/* A frame that goes no further than the driver: its first bytes are still
 * traced (so a capture shows it), then it is counted and read away. */
static void rx_drop(struct netif *netif, struct rx_fifo *f, u16_t len, unsigned reason)
{
    u8_t head[NG_TRACE_FRAME_BYTES];
    u16_t kept = len < sizeof head ? len : (u16_t)sizeof head;
    rx_read(f, head, kept);
    rx_discard(f);
    trace_frame_bytes(0, netif, head, kept, len);
    ng_drop(reason, netif);
    netif->rx_drops++;
    if (reason == NG_drop_NO_MEMORY)
        LINK_STATS_INC(memerr);
    else
        LINK_STATS_INC(lenerr);
    LINK_STATS_INC(drop);
}

/* Take the frame at the head of the RX FIFO (NP > 0) into a new PBUF_POOL
 * chain. NULL when it was dropped: too big for a netif of MTU 1500
 * (RX_GIANT), a nonsense length (RX_ERROR) or no pbufs (NO_MEMORY). */
static struct pbuf *low_level_input(struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_low_level_input, netif);
    rx_finish_tail(netif->state);
    u32_t first = MAC_DATA;
    u32_t total = first & 0xffffu;
    struct rx_fifo f = { .word = first >> 16, .have = 2,
                         .words = total > 4 ? (total + 3) / 4 - 1 : 0 };
    u16_t len = total >= RX_OVERHEAD ? (u16_t)(total - RX_OVERHEAD) : 0;
    netif->rx_frames++;
    netif->rx_bytes += len;
    LINK_STATS_INC(recv);

    struct pbuf *p = NULL;
    unsigned reason = NG_drop_RX_ERROR;
    if (total < RX_OVERHEAD)
        reason = NG_drop_RX_ERROR;
    else if (len > ETH_FRAME_MAX)
        reason = NG_drop_RX_GIANT;
    else if ((p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL)) == NULL)
        reason = NG_drop_NO_MEMORY;
    if (p == NULL) {
        rx_drop(netif, &f, len, reason);
        NG_TRACE0(LAYER_EXIT, NG_layer_low_level_input);
        return NULL;
    }
    for (struct pbuf *q = p; q != NULL; q = q->next)
        rx_read(&f, q->payload, q->len);
    ((struct ethernetif *)netif->state)->tail_words = f.words;   /* see rx_finish_tail */
    trace_frame_pbuf(0, netif, p);
    NG_TRACE0(LAYER_EXIT, NG_layer_low_level_input);
    return p;
}

/* One frame from the FIFO up the stack. netif->input (tcpip_input) either
 * queues it for tcpip_thread or refuses it (tcpip_mbox full, no message
 * left: the drop is counted there); then the pbuf is still ours to free. */
static void ethernetif_input(struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ethernetif_input, netif);
    struct pbuf *p = low_level_input(netif);
    if (p != NULL && netif->input(p, netif) != ERR_OK) {
        netif->rx_drops++;
        pbuf_free(p);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_ethernetif_input);
}

/* Frames the MAC lost by itself, as the interrupt handler saw them. */
static void ethernetif_count_mac_errors(struct ethernetif *eth)
{
    for (; eth->overruns_counted != eth->overruns; eth->overruns_counted++) {
        NG_DROP(RX_ERROR, eth->netif);      /* RX FIFO overrun: one frame gone */
        eth->netif->rx_drops++;
        LINK_STATS_INC(drop);
    }
    for (; eth->rx_errors_counted != eth->rx_errors; eth->rx_errors_counted++) {
        NG_DROP(RX_ERROR, eth->netif);
        eth->netif->rx_drops++;
        LINK_STATS_INC(err);
    }
}

/* eth_rx outranks tcpip_thread, so in a burst it would empty the whole
 * FIFO (31 frames) into the pool before tcpip_thread has finished, and
 * freed, a single packet: 16 pool pbufs hold only 5 full-size frames.
 * So before it takes a frame out of the FIFO it makes sure the pool could
 * hold a full-size one, and if not, gives way to tcpip_thread for a tick
 * at a time: the frames wait in the MAC meanwhile. Only when that does
 * not help (the pool is held elsewhere, e.g. by reassembly) does it go on
 * and drop for want of pbufs. */
#define RX_POOL_NEEDED ((ETH_FRAME_MAX + PBUF_POOL_BUFSIZE - 1) / PBUF_POOL_BUFSIZE)
#define RX_POOL_WAIT_TICKS 10

static void ethernetif_wait_for_pbufs(void)
{
    for (int i = 0; i < RX_POOL_WAIT_TICKS &&
                    memp_in_use(MEMP_PBUF_POOL) + RX_POOL_NEEDED > PBUF_POOL_SIZE; i++)
        sys_msleep(1);
}

/* The receive thread. Acknowledging RX before looking at NP means a frame
 * that arrives after the last look raises RX again, and the interrupt
 * fires as soon as it is unmasked: no frame is left waiting unnoticed. */
static void ethernetif_rx_thread(void *arg)
{
    struct ethernetif *eth = arg;
    for (;;) {
        sys_arch_sem_wait(&eth->rx_sem, 0);
        MAC_IACK = INT_RX;
        u32_t most = 0;
        while (rx_frames_waiting(eth, &most) > 0) {
            ethernetif_wait_for_pbufs();
            ethernetif_input(eth->netif);
        }
        /* NP only falls by our reads, one frame per turn of the loop: if
         * the FIFO was full at any moment, some look saw 30 or more. */
        if (most + 1 >= RX_FIFO_FRAMES)
            rx_finish_tail(eth);        /* NP -> 0: QEMU lets queued frames in */
        ethernetif_count_mac_errors(eth);
        MAC_IM = INT_WANTED;
    }
}

/* IRQ 42. Masks the MAC's interrupts until eth_rx has drained the FIFO
 * (QEMU's interrupt line stays high while RX is raised and enabled), notes
 * the errors, and wakes eth_rx. ng_sem_signal is safe here; the switch to
 * eth_rx happens when the handler returns. */
void Ethernet_IRQHandler(void)
{
    ng_isr_enter(ETH_EXCEPTION);
    u32_t ris = MAC_RIS;
    MAC_IM = 0;
    MAC_IACK = ris & INT_WANTED;    /* not TXER: low_level_output reads that one */
    if (ris & INT_FOV)
        eth0.overruns++;
    if (ris & INT_RXER)
        eth0.rx_errors++;
    sys_sem_signal(&eth0.rx_sem);
    ng_isr_exit(ETH_EXCEPTION);
}

/* ---- transmit ---------------------------------------------------------------- */

struct tx_fifo {
    u32_t word;         /* bytes collected for the next DATA write, from bit 0 */
    u32_t have;
};

/* The frame's next n bytes into the transmit FIFO: first the bytes that
 * complete a word begun by the previous piece, then whole words, four per
 * loop turn, then the last bytes, kept in f for the next piece. */
static NG_FIFO_LOOP void tx_write(struct tx_fifo *f, const u8_t *src, u32_t n)
{
    u32_t word = f->word, have = f->have;
    for (; n > 0 && have > 0; n--) {
        word |= (u32_t)*src++ << (8 * have);
        if (++have == 4) {
            MAC_DATA = word;
            word = 0;
            have = 0;
        }
    }
    for (; n >= 16; n -= 16, src += 16) {
        u32_t w0, w1, w2, w3;
        memcpy(&w0, src, 4);
        memcpy(&w1, src + 4, 4);
        memcpy(&w2, src + 8, 4);
        memcpy(&w3, src + 12, 4);
        MAC_DATA = w0;
        MAC_DATA = w1;
        MAC_DATA = w2;
        MAC_DATA = w3;
    }
    for (; n >= 4; n -= 4, src += 4) {
        u32_t w;
        memcpy(&w, src, 4);
        MAC_DATA = w;
    }
    for (; n > 0; n--)
        word |= (u32_t)*src++ << (8 * have++);
    f->word = word;
    f->have = have;
}

/* netif->linkoutput: send the frame p (Ethernet header included). The
 * caller keeps p. The FIFO takes one frame at a time, which the single
 * caller (tcpip_thread, or the core lock's holder) guarantees. */
static err_t low_level_output(struct netif *netif, struct pbuf *p)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_low_level_output, p);
    u16_t len = p->tot_len;
    if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
        NG_DROP(TX_ERROR, p);
        netif->tx_drops++;
        LINK_STATS_INC(lenerr);
        NG_TRACE0(LAYER_EXIT, NG_layer_low_level_output);
        return ERR_VAL;
    }
    trace_frame_pbuf(1, netif, p);
    /* The previous frame may still be going out (never, in QEMU, where
     * sending is synchronous; on hardware, microseconds). Bounded, so a
     * stuck MAC is a counted error rather than a hang. */
    u32_t spins = 100000;
    while ((MAC_TR & TR_NEWTX) && --spins)
        ;
    if (spins == 0) {
        NG_DROP(TX_ERROR, p);
        netif->tx_drops++;
        LINK_STATS_INC(err);
        NG_TRACE0(LAYER_EXIT, NG_layer_low_level_output);
        return ERR_IF;
    }
    struct tx_fifo f = { .word = (u32_t)len - ETH_HLEN, .have = 2 };
    for (const struct pbuf *q = p; q != NULL; q = q->next)
        tx_write(&f, q->payload, q->len);
    if (f.have > 0)
        MAC_DATA = f.word;
    MAC_TR = TR_NEWTX;
    if (MAC_RIS & INT_TXER) {       /* refused (and its FIFO reset by the ack) */
        MAC_IACK = INT_TXER;
        NG_DROP(TX_ERROR, p);
        netif->tx_drops++;
        LINK_STATS_INC(err);
        NG_TRACE0(LAYER_EXIT, NG_layer_low_level_output);
        return ERR_IF;
    }
    netif->tx_frames++;
    netif->tx_bytes += len;
    LINK_STATS_INC(xmit);
    NG_TRACE0(LAYER_EXIT, NG_layer_low_level_output);
    return ERR_OK;
}

/* ---- start-up ------------------------------------------------------------------ */

/* The MAC from reset to running: quiet first (interrupt off, receiver
 * off, FIFO emptied, everything acknowledged), then the address QEMU gave
 * it, the receive thread, the transmitter and receiver, and last the
 * interrupt, with its mask set before the NVIC lets it through (IM comes
 * out of reset with every source enabled). */
static void low_level_init(struct netif *netif)
{
    NVIC_ICER(ETH_IRQ / 32) = 1u << (ETH_IRQ % 32);
    MAC_IM = 0;
    MAC_RCTL = RCTL_RSTFIFO;
    MAC_IACK = INT_ALL;

    u32_t ia0 = MAC_IA0, ia1 = MAC_IA1;
    const u8_t mac[ETH_HWADDR_LEN] = { (u8_t)ia0, (u8_t)(ia0 >> 8), (u8_t)(ia0 >> 16),
                                       (u8_t)(ia0 >> 24), (u8_t)ia1, (u8_t)(ia1 >> 8) };
    memcpy(netif->hwaddr, mac, sizeof mac);
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->mtu = 1500;
    netif->flags |= NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                    NETIF_FLAG_LINK_UP;     /* no PHY to ask: the link is up */

    err_t err = sys_sem_new_named(&eth0.rx_sem, 0, "eth_rx_sem");
    LWIP_ASSERT("ethernetif: cannot create eth_rx_sem", err == ERR_OK);
    sys_thread_new("eth_rx", ethernetif_rx_thread, &eth0, ETHERNETIF_RX_THREAD_STACKSIZE,
                   ETHERNETIF_RX_THREAD_PRIO);

    MAC_TCTL = TCTL_TXEN | TCTL_PADEN | TCTL_CRC | TCTL_DUPLEX;
    MAC_RCTL = RCTL_RXEN | RCTL_BADCRC;
    MAC_IACK = INT_ALL;
    MAC_IM = INT_WANTED;
    NVIC_IPR(ETH_IRQ) = ETH_IRQ_PRIO;
    NVIC_ISER(ETH_IRQ / 32) = 1u << (ETH_IRQ % 32);
}

err_t ethernetif_init(struct netif *netif)
{
    LWIP_ASSERT("ethernetif_init: the board has one Stellaris MAC", eth0.netif == NULL);
    eth0.netif = netif;
    netif->state = &eth0;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = low_level_output;
    low_level_init(netif);
    return ERR_OK;
}
