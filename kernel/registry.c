/*
 * kernel/registry.c - names for kernel objects.
 *
 * Like FreeRTOS's queue registry: a table the debugger can read (the GDB
 * commands in tools/gdb/ walk it) and the source of the one-byte object ids
 * that trace records carry instead of addresses. Registering an object also
 * writes a NAME record, so the trace names each object exactly once.
 */
#include "kernel.h"
#include "trace.h"

struct ng_registry_entry ng_registry[NG_REGISTRY_SIZE];
uint32_t ng_registry_full_count;    /* objects left unnamed: registry full */

uint8_t ng_registry_add(uint8_t kind, const void *addr, const char *name)
{
    uint32_t irq = ng_crit_enter();
    for (uint32_t i = 1; i < NG_REGISTRY_SIZE; i++) {
        if (ng_registry[i].addr == NULL) {
            ng_registry[i].addr = addr;
            ng_registry[i].name = name ? name : "?";
            ng_registry[i].kind = kind;
            ng_crit_exit(irq);
            NG_TRACE_NAME((uint8_t)i, kind, addr, ng_registry[i].name);
            return (uint8_t)i;
        }
    }
    ng_registry_full_count++;
    ng_crit_exit(irq);
    return 0;
}

void ng_registry_remove(uint8_t id)
{
    if (id == 0 || id >= NG_REGISTRY_SIZE)
        return;
    uint32_t irq = ng_crit_enter();
    ng_registry[id].addr = NULL;
    ng_registry[id].name = NULL;
    ng_registry[id].kind = 0;
    NG_TRACE0(UNNAME, id);
    ng_crit_exit(irq);
}

void ng_registry_announce(void)
{
    for (uint32_t i = 1; i < NG_REGISTRY_SIZE; i++)
        if (ng_registry[i].addr)
            NG_TRACE_NAME((uint8_t)i, ng_registry[i].kind, ng_registry[i].addr,
                          ng_registry[i].name);
}
