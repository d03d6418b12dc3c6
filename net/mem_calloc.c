/*
 * net/mem_calloc.c - mem_calloc, on top of whichever mem_malloc is built
 * (net/mem.c, the static heap, or net/mem_libc.c with MEM_LIBC_MALLOC).
 */
#include <string.h>

#include "lwip/mem.h"
#include "lwip/stats.h"

void *mem_calloc(mem_size_t count, mem_size_t size)
{
    size_t total = (size_t)count * (size_t)size;
    if (total > 0xffffu) {      /* mem_size_t is 16 bits: refuse, do not wrap */
        lwip_stats.mem.err++;
        return NULL;
    }
    void *p = mem_malloc((mem_size_t)total);
    if (p)
        memset(p, 0, total);
    return p;
}
