/*
 * lwip/debug.h - lwIP's debug-message and assertion macros, for code
 * written against lwIP. LWIP_ASSERT and LWIP_PLATFORM_DIAG come from the
 * port (arch/cc.h); LWIP_DEBUGF(flags, ("fmt", ...)) prints only when
 * LWIP_DEBUG is set and the flags say LWIP_DBG_ON (netglass's own code
 * does not use it: the trace shows what the stack does).
 */
#ifndef LWIP_HDR_DEBUG_H
#define LWIP_HDR_DEBUG_H

#include "lwip/arch.h"
#include "lwip/opt.h"

#define LWIP_DBG_LEVEL_ALL     0x00
#define LWIP_DBG_LEVEL_WARNING 0x01
#define LWIP_DBG_LEVEL_SERIOUS 0x02
#define LWIP_DBG_LEVEL_SEVERE  0x03
#define LWIP_DBG_MASK_LEVEL    0x03
#define LWIP_DBG_LEVEL_OFF     LWIP_DBG_LEVEL_ALL

#define LWIP_DBG_ON      0x80U
#define LWIP_DBG_OFF     0x00U
#define LWIP_DBG_TRACE   0x40U
#define LWIP_DBG_STATE   0x20U
#define LWIP_DBG_FRESH   0x10U
#define LWIP_DBG_HALT    0x08U

#ifndef LWIP_ERROR
#define LWIP_ERROR(message, expression, handler) do { if (!(expression)) { \
    if (NG_ASSERTS_ON) LWIP_PLATFORM_DIAG(("%s\n", message)); handler; } } while (0)
#endif

#if LWIP_DEBUG
#define LWIP_DEBUGF(debug, message) do { if ((debug) & LWIP_DBG_ON) { \
    LWIP_PLATFORM_DIAG(message); } } while (0)
#else
#define LWIP_DEBUGF(debug, message)
#endif

#endif
