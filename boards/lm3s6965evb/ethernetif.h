/*
 * boards/lm3s6965evb/ethernetif.h - the Stellaris Ethernet MAC as an lwIP
 * network interface (ethernetif.c).
 *
 * Give ethernetif_init to netif_add, with tcpip_input as the input
 * function, from tcpip_thread (e.g. in tcpip_init's done callback):
 *     netif_add(&netif, &ip, &mask, &gw, NULL, ethernetif_init, tcpip_input);
 * The interface is called "en", its MAC address is the one QEMU gives the
 * board (-nic ...,mac=), and its link is up at once (QEMU does not model
 * the PHY). Frames are received by the thread "eth_rx".
 */
#ifndef NETGLASS_ETHERNETIF_H
#define NETGLASS_ETHERNETIF_H

#include "lwip/err.h"
#include "lwip/netif.h"

/* Priority of the receive thread: above tcpip_thread, so that each frame
 * is handed over whole (tcpip_input returns) before tcpip_thread takes it,
 * and the FIFO is emptied while tcpip_thread is busy, the mailbox taking
 * the burst. When the pbuf pool runs low eth_rx gives way to tcpip_thread
 * for a tick at a time rather than drop (ethernetif.c). */
#ifndef ETHERNETIF_RX_THREAD_PRIO
#define ETHERNETIF_RX_THREAD_PRIO (TCPIP_THREAD_PRIO + 1)
#endif
#ifndef ETHERNETIF_RX_THREAD_STACKSIZE
#define ETHERNETIF_RX_THREAD_STACKSIZE 1024
#endif

/* One Stellaris MAC only: a second call is an assertion. */
err_t ethernetif_init(struct netif *netif);

#endif
