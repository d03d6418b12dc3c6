/*
 * netif/etharp.h - where lwIP 1.x kept ARP; lwIP 2.x code still includes
 * it (the ethernetif.c template does), so it brings in the 2.x headers.
 */
#ifndef LWIP_HDR_NETIF_ETHARP_COMPAT_H
#define LWIP_HDR_NETIF_ETHARP_COMPAT_H

#include "lwip/etharp.h"
#include "netif/ethernet.h"

#endif
