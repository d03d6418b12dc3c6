/*
 * apps/lwip_compat/main.c - the netglass side of the lwIP compatibility
 * image: brings the Ethernet interface up and starts the five lwIP 2.x
 * style applications of compat_*.c, which know nothing of netglass:
 *   netconn TCP echo on port 7000, socket TCP echo with select on 7001,
 *   raw-API TCP echo on 7002; with udpserver=A.B.C.D:PORT, a UDP client
 *   that sends 20 requests there and expects "reply <request>"; with
 *   tcpclient=A.B.C.D:PORT, a socket TCP client that sends a block of
 *   COMPAT_TCP_CLIENT_BYTES there and expects it back before the close.
 * Arguments: ip= netmask= gw= (10.0.2.15/24 via 10.0.2.2, slirp's), limit=
 * SECONDS (0: run until QEMU stops), udpserver=A.B.C.D:PORT,
 * tcpclient=A.B.C.D:PORT.
 * It prints "lwip_compat: up ..." when every server listens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "kernel.h"
#include "netdemo.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "compat.h"

static struct netif en;
static ip4_addr_t arg_ip, arg_mask, arg_gw;
static sys_sem_t ready_sem;

static void stack_ready(void *arg)
{
    (void)arg;
    netif_add(&en, &arg_ip, &arg_mask, &arg_gw, NULL, ethernetif_init, tcpip_input);
    netif_set_default(&en);
    netif_set_up(&en);
    compat_raw_echo_init();             /* the raw API: in tcpip_thread */
    sys_sem_signal(&ready_sem);
}

/* KEY=A.B.C.D:PORT (key "udpserver=" or "tcpclient=") into addr (a dotted
 * quad) and port; 0 if absent. */
static u16_t parse_server(int argc, char **argv, const char *key, char *addr, size_t size)
{
    size_t klen = strlen(key);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], key, klen) != 0)
            continue;
        const char *text = argv[i] + klen;
        const char *colon = strrchr(text, ':');
        char *end;
        unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
        ip4_addr_t check;
        size_t alen = colon ? (size_t)(colon - text) : 0;
        if (colon == NULL || *end != '\0' || port == 0 || port > 65535 || alen >= size) {
            printf("lwip_compat: bad %s%s (want %sA.B.C.D:PORT)\n", key, text, key);
            ng_exit(NG_EXIT_BAD_ARGS);
        }
        memcpy(addr, text, alen);
        addr[alen] = '\0';
        if (!ip4addr_aton(addr, &check)) {
            printf("lwip_compat: bad %s%s (want %sA.B.C.D:PORT)\n", key, text, key);
            ng_exit(NG_EXIT_BAD_ARGS);
        }
        return (u16_t)port;
    }
    return 0;
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "limit", "udpserver",
                                        "tcpclient", NULL };
    char server[IP4ADDR_STRLEN_MAX], tcp_server[IP4ADDR_STRLEN_MAX];
    ng_args_check(argc, argv, keys);
    netdemo_parse_addr("lwip_compat", argc, argv, "ip", "10.0.2.15", &arg_ip);
    netdemo_parse_addr("lwip_compat", argc, argv, "netmask", "255.255.255.0", &arg_mask);
    netdemo_parse_addr("lwip_compat", argc, argv, "gw", "10.0.2.2", &arg_gw);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    u16_t server_port = parse_server(argc, argv, "udpserver=", server, sizeof server);
    u16_t tcp_port = parse_server(argc, argv, "tcpclient=", tcp_server, sizeof tcp_server);

    if (sys_sem_new_named(&ready_sem, 0, "compat_ready") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    compat_netconn_echo_init();
    compat_socket_echo_init();
    sys_msleep(100);                    /* let both threads reach listen */
    char ip[IP4ADDR_STRLEN_MAX];
    printf("lwip_compat: up, ip %s: netconn echo %d, socket echo %d, raw echo %d\n",
           ip4addr_ntoa_r(&arg_ip, ip, sizeof ip), COMPAT_NETCONN_ECHO_PORT,
           COMPAT_SOCKET_ECHO_PORT, COMPAT_RAW_ECHO_PORT);
    if (server_port != 0)
        compat_udp_client_init(server, server_port);
    if (tcp_port != 0)
        compat_tcp_client_init(tcp_server, tcp_port);
    if (limit == 0) {
        for (;;)
            sys_msleep(1000);
    }
    sys_msleep(limit * 1000u);
    printf("lwip_compat: time limit of %lu s reached\n", (unsigned long)limit);
    return 0;
}
