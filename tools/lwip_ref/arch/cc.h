/*
 * tools/lwip_ref/arch/cc.h - the port header lwIP asks for: newlib gives
 * the types, errno and struct timeval; diagnostics go to printf.
 */
#ifndef LWIP_REF_CC_H
#define LWIP_REF_CC_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { printf("lwIP assertion: %s\n", x); abort(); } while (0)
#define LWIP_RAND() ((u32_t)rand())
#define LWIP_TIMEVAL_PRIVATE 0
#endif
