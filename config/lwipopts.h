/*
 * config/lwipopts.h - the default lwIP options of netglass images. An
 * application with its own lwipopts.h (in apps/<app>/) uses that instead.
 */
#ifndef NETGLASS_LWIPOPTS_H
#define NETGLASS_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0   /* a build may say 1 (the core-locking test variant) */
#endif

#endif
