/*
 * apps/ping_demo/lwipopts.h - the options of the ping demo: netglass's
 * defaults (lwip/opt.h), except that the core-locking mode can be chosen
 * at build time, so the same demo is traced both ways:
 *     make APP=ping_demo EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1 \
 *          BUILD=build/lm3s6965evb-corelock
 */
#ifndef PING_DEMO_LWIPOPTS_H
#define PING_DEMO_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

#endif
