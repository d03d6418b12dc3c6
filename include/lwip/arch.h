/*
 * lwip/arch.h - the basic types and platform macros lwIP code expects
 * (u8_t ... s32_t, LWIP_PLATFORM_DIAG, LWIP_PLATFORM_ASSERT), taken from
 * arch/cc.h, which each port provides.
 */
#ifndef LWIP_HDR_ARCH_H
#define LWIP_HDR_ARCH_H

#include "arch/cc.h"

#ifndef LWIP_UNUSED_ARG
#define LWIP_UNUSED_ARG(x) (void)(x)
#endif

#endif
