/*
 * apps/common/netdemo.c - the pieces ping_demo and echo_raw share (see
 * netdemo.h). Linked into every image; what an app does not call is
 * dropped by the linker.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "kernel.h"
#include "netdemo.h"

void netdemo_parse_addr(const char *app, int argc, char **argv, const char *key,
                        const char *dflt, ip4_addr_t *a)
{
    const char *text = dflt;
    size_t n = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            text = argv[i] + n + 1;
    int dots = 0;
    for (const char *c = text; *c; c++)
        dots += *c == '.';
    /* A dotted quad only (inet_aton would read "10.0.2" as 10.0.0.2). */
    if (dots != 3 || !ip4addr_aton(text, a) ||
        (strcmp(key, "netmask") == 0 && !ip4_addr_netmask_valid(ip4_addr_get_u32(a)))) {
        printf("%s: bad address %s=%s\n", app, key, text);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
}

void netdemo_print_netif(const char *app, const struct netif *n)
{
    printf("%s: %c%c%u: rx %lu frames %lu bytes %lu dropped, "
           "tx %lu frames %lu bytes %lu dropped\n",
           app, n->name[0], n->name[1], n->num, (unsigned long)n->rx_frames,
           (unsigned long)n->rx_bytes, (unsigned long)n->rx_drops, (unsigned long)n->tx_frames,
           (unsigned long)n->tx_bytes, (unsigned long)n->tx_drops);
}

void netdemo_levels_take(struct netdemo_levels *boot)
{
    for (int t = 0; t < MEMP_MAX; t++)
        boot->pools[t] = memp_in_use((memp_t)t);
    boot->heap = mem_used();
}

int netdemo_levels_check(const char *app, const struct netdemo_levels *boot)
{
    int leaks = 0;
    for (int t = 0; t < MEMP_MAX; t++) {
        u16_t now = memp_in_use((memp_t)t);
        if (now > boot->pools[t]) {
            printf("%s: pool %s: %u in use, %u after start-up\n", app, memp_pools[t]->desc,
                   (unsigned)now, (unsigned)boot->pools[t]);
            leaks++;
        }
    }
    if (mem_used() > boot->heap) {
        printf("%s: heap: %u bytes in use, %u after start-up\n", app, (unsigned)mem_used(),
               (unsigned)boot->heap);
        leaks++;
    }
    if (leaks == 0)
        printf("%s: every pool and the heap are back to their start-up levels\n", app);
    return leaks;
}
