/*
 * arch/cc.h - compiler and platform definitions for lwIP-style code on
 * netglass: fixed-width types, diagnostics through printf, and assertions
 * that end the run through ng_panic (file:line, exit status 120).
 */
#ifndef NETGLASS_ARCH_CC_H
#define NETGLASS_ARCH_CC_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint8_t u8_t;
typedef int8_t s8_t;
typedef uint16_t u16_t;
typedef int16_t s16_t;
typedef uint32_t u32_t;
typedef int32_t s32_t;
typedef uintptr_t mem_ptr_t;

#define X8_F "02" PRIx8
#define U16_F PRIu16
#define S16_F PRId16
#define X16_F PRIx16
#define U32_F PRIu32
#define S32_F PRId32
#define X32_F PRIx32
#define SZT_F "zu"

/* Both targets are little-endian; the C library already says so. */
#ifndef BYTE_ORDER
#define LITTLE_ENDIAN 1234
#define BIG_ENDIAN 4321
#define BYTE_ORDER LITTLE_ENDIAN
#endif

void ng_panic(int status, const char *file, int line, const char *what)
    __attribute__((noreturn));

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(msg) ng_panic(120, __FILE__, __LINE__, (msg))

/* NG_ASSERTS_ON comes from lwip/opt.h (LWIP_NOASSERT); with it 0 the
 * condition is still compiled (its variables count as used) but never
 * evaluated, and GCC drops the test and the message. */
#define LWIP_ASSERT(message, assertion) do { if (NG_ASSERTS_ON && !(assertion)) \
    LWIP_PLATFORM_ASSERT(message); } while (0)

#endif
