/*
 * lwip/mem.h - the heap: variable-sized allocations (PBUF_RAM pbufs and
 * whatever else asks by size), carved from one static array of MEM_SIZE
 * bytes, first fit, with neighbours merged on free (net/mem.c). With
 * MEM_LIBC_MALLOC = 1 these call the C library's malloc instead.
 */
#ifndef LWIP_HDR_MEM_H
#define LWIP_HDR_MEM_H

#include "lwip/arch.h"
#include "lwip/opt.h"

typedef u16_t mem_size_t;
#define MEM_SIZE_F U16_F

void mem_init(void);
void *mem_trim(void *mem, mem_size_t size);
void *mem_malloc(mem_size_t size);
void *mem_calloc(mem_size_t count, mem_size_t size);
void mem_free(void *mem);

/* netglass: what the heap holds now, for statistics and tests. */
mem_size_t mem_used(void);

#endif
