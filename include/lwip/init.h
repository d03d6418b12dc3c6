/*
 * lwip/init.h - starting the stack: lwip_init() sets up every module in
 * the order they depend on each other (net/init.c). Applications normally
 * call tcpip_init(), which calls lwip_init() and then starts tcpip_thread.
 *
 * The version macros say which lwIP API netglass follows, so that lwIP
 * application code that tests LWIP_VERSION compiles unchanged.
 */
#ifndef LWIP_HDR_INIT_H
#define LWIP_HDR_INIT_H

#include "lwip/opt.h"

#define LWIP_VERSION_MAJOR 2
#define LWIP_VERSION_MINOR 1
#define LWIP_VERSION_REVISION 3
#define LWIP_VERSION_RC 255         /* 255: a release, as lwIP encodes it */
#define LWIP_VERSION ((LWIP_VERSION_MAJOR) << 24 | (LWIP_VERSION_MINOR) << 16 | \
                      (LWIP_VERSION_REVISION) << 8 | (LWIP_VERSION_RC))
#define LWIP_VERSION_STRING "2.1.3 (netglass)"

void lwip_init(void);

#endif
