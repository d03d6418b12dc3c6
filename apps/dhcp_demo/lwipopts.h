/*
 * apps/dhcp_demo/lwipopts.h - the options of the DHCP and DNS demo:
 * netglass's defaults (lwip/opt.h), which fit 64 KiB of RAM with room to
 * spare (one UDP PCB for DHCP, one per DNS query in flight, one for the
 * echo socket: MEMP_NUM_UDP_PCB 6 is enough), except that the
 * core-locking mode can be chosen at build time like ping_demo's.
 */
#ifndef DHCP_DEMO_LWIPOPTS_H
#define DHCP_DEMO_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

#endif
