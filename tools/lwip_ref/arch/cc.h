/*
 * tools/lwip_ref/arch/cc.h - the port header lwIP asks for, shared by the
 * reference tools (tools/lwip_reference_iperf.py, lwip_reference_size.py):
 * newlib gives the types, errno and struct timeval; diagnostics go to
 * printf, and an assertion prints its message, file and line, as lwIP's
 * own ports do (so that the size tool's build with assertions counts what
 * a real port's would).
 */
#ifndef LWIP_REF_CC_H
#define LWIP_REF_CC_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { printf("Assertion \"%s\" failed at line %d in %s\n", \
    x, __LINE__, __FILE__); abort(); } while (0)
#define LWIP_RAND() ((u32_t)rand())
#define LWIP_TIMEVAL_PRIVATE 0
#endif
