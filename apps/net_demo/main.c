/*
 * apps/net_demo/main.c - the network demo: the board gets its address by
 * DHCP, then serves TCP and UDP echo (netconn, port 7), HTTP with the
 * stack's live statistics (sockets, port 80), chargen (select, port 19)
 * and an iperf 2 server (port 5001), while a client thread performs the
 * client-side socket flows against the host, resolves a name and pings.
 * What `make run` boots.
 *
 * Start-up: tcpip_init starts tcpip_thread; its done callback adds the
 * Stellaris Ethernet interface (address 0.0.0.0 unless ip= is given),
 * brings it up and calls dhcp_start (stack code: it must run in
 * tcpip_thread). main then waits for the lease (RFC 2131: DISCOVER,
 * OFFER, REQUEST, ACK; slirp's server answers at once), polling the
 * client's state through tcpip_api_call, and prints
 *     net_demo: dhcp bound A mask M gw G dns D
 * or, after dhcp_wait= ms without one, stops DHCP and falls back to
 * 10.0.2.15/24, gateway 10.0.2.2 (slirp's plan), and says so. Then the
 * services start, each in its thread(s); once every one listens, the
 * pools' levels are taken (the leak check compares with them) and the
 * client thread starts.
 *
 * At its time limit the demo waits (at most SETTLE_MS) for the client and
 * for connections still open, then prints each service's counters, the
 * interface's, the stack's statistics, every thread's stack use, and
 * whether every pool and the heap are back to their levels after
 * start-up (TCP PCBs in TIME_WAIT excepted, as in apps/echo_raw: RFC 9293
 * 3.6 keeps them 2 MSL). The exit status is 0, or 1 with a leak or a
 * service that could not start.
 *
 * Arguments (each one more arg= of -semihosting-config):
 *   ip=A.B.C.D netmask=A.B.C.D gw=A.B.C.D  a static address instead of DHCP
 *                    (and the fallback; 10.0.2.15/24, gateway 10.0.2.2)
 *   dhcp_wait=MS     how long to wait for a lease (10000)
 *   dns=A.B.C.D      the resolver to use instead of the one DHCP gives
 *   peer=A.B.C.D:PORT     the client's TCP echo peer (none: no TCP flow)
 *   udppeer=A.B.C.D:PORT  its UDP echo peer (none: no UDP flow)
 *   send=BYTES       bytes of the pattern the TCP flow sends (4096)
 *   lookup=NAME      the name the client resolves (none: no lookup)
 *   ping=A.B.C.D     whom the client pings (the gateway)
 *   pings=N          how many echo requests (3; 0: no ping)
 *   limit=SECONDS    stop after this long (0: serve until QEMU stops)
 * and the board's trace=, mask=, seed=. Anything else: status 127.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "kernel.h"
#include "net_demo.h"
#include "netdemo.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"

/* At the limit, wait this long at most for connections to close and for
 * packets queued behind an ARP request (etharp gives up after ARP_MAXPENDING). */
#define SETTLE_MS ((ARP_MAXPENDING + 1) * 1000)
#define SETTLE_STEP_MS 100
#define DHCP_POLL_MS 50

/* The C library's heap, between .bss and the handler stack (the board's
 * link.ld): sys_arch takes the thread stacks and the mailboxes from it. */
extern char _heap_start[], _heap_end[];

struct net_demo_config net_demo_cfg;
struct netif net_demo_netif;
struct net_demo_counters net_demo_stats;

static sys_sem_t ready_sem, services_sem, client_sem;
static int services_failed;
static struct netdemo_levels boot_levels;

void net_demo_ready(const char *service, err_t err)
{
    if (err != ERR_OK) {
        printf("net_demo: %s could not start: %s\n", service, lwip_strerr(err));
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        services_failed++;
        SYS_ARCH_UNPROTECT(lev);
    }
    sys_sem_signal(&services_sem);
}

int net_demo_parse_hostport(const char *text, ip_addr_t *addr, u16_t *port)
{
    char a[IP4ADDR_STRLEN_MAX];
    const char *colon = strchr(text, ':');
    if (colon == NULL || colon == text || (size_t)(colon - text) >= sizeof a)
        return 0;
    int dots = 0;
    for (const char *c = text; c < colon; c++)
        dots += *c == '.';
    char *end = NULL;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (dots != 3 || end == colon + 1 || *end != '\0' || p == 0 || p > 0xffff)
        return 0;
    memcpy(a, text, (size_t)(colon - text));
    a[colon - text] = '\0';
    if (!ip4addr_aton(a, ip_2_ip4(addr)))
        return 0;
    *port = (u16_t)p;
    return 1;
}

static const char *arg_text(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);
    const char *v = NULL;
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            v = argv[i] + n + 1;
    return v;
}

static void parse_args(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "dhcp_wait", "dns", "peer",
                                        "udppeer", "send", "lookup", "ping", "pings",
                                        "limit", NULL };
    struct net_demo_config *c = &net_demo_cfg;
    ng_args_check(argc, argv, keys);
    c->static_ip = arg_text(argc, argv, "ip") != NULL;
    netdemo_parse_addr("net_demo", argc, argv, "ip", "10.0.2.15", &c->ip);
    netdemo_parse_addr("net_demo", argc, argv, "netmask", "255.255.255.0", &c->mask);
    netdemo_parse_addr("net_demo", argc, argv, "gw", "10.0.2.2", &c->gw);
    c->dhcp_wait_ms = ng_arg_u32(argc, argv, "dhcp_wait", 10000);
    if (arg_text(argc, argv, "dns")) {
        netdemo_parse_addr("net_demo", argc, argv, "dns", "0.0.0.0", ip_2_ip4(&c->dns));
        c->has_dns = 1;
    }
    static const char *const hostports[] = { "peer", "udppeer" };
    ip_addr_t *addrs[] = { &c->peer, &c->udppeer };
    u16_t *ports[] = { &c->peer_port, &c->udppeer_port };
    for (int i = 0; i < 2; i++) {
        const char *t = arg_text(argc, argv, hostports[i]);
        if (t != NULL && !net_demo_parse_hostport(t, addrs[i], ports[i])) {
            printf("net_demo: bad %s=%s (want %s=A.B.C.D:PORT)\n", hostports[i], t,
                   hostports[i]);
            ng_exit(NG_EXIT_BAD_ARGS);
        }
    }
    c->send_bytes = ng_arg_u32(argc, argv, "send", 4096);
    c->lookup = arg_text(argc, argv, "lookup");
    if (c->lookup != NULL && (c->lookup[0] == '\0' || strlen(c->lookup) > DNS_MAX_NAME_LENGTH)) {
        printf("net_demo: bad lookup=%s\n", c->lookup);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    if (arg_text(argc, argv, "ping"))
        netdemo_parse_addr("net_demo", argc, argv, "ping", "0.0.0.0", ip_2_ip4(&c->ping_target));
    c->ping_count = ng_arg_u32(argc, argv, "pings", 3);
}

/* ---- in tcpip_thread (or under the core lock) ------------------------------------ */

/* tcpip_init's done callback: the interface, then DHCP. */
static void stack_ready(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    const struct net_demo_config *c = &net_demo_cfg;
    ip4_addr_t any;
    ip4_addr_set_zero(&any);
    struct netif *n = &net_demo_netif;
    if (c->static_ip)
        netif_add(n, &c->ip, &c->mask, &c->gw, NULL, ethernetif_init, tcpip_input);
    else
        netif_add(n, &any, &any, &any, NULL, ethernetif_init, tcpip_input);
    n->hostname = "netglass";
    netif_set_default(n);
    netif_set_up(n);
    if (!c->static_ip) {
        err_t err = dhcp_start(n);
        if (err != ERR_OK)
            printf("net_demo: dhcp_start: %s\n", lwip_strerr(err));
    }
    sys_sem_signal(&ready_sem);
}

struct addr_call {
    struct tcpip_api_call_data call;    /* first: what tcpip_api_call is given */
    int bound;
    ip4_addr_t ip, mask, gw, dns;
    int fallback;                       /* in: stop DHCP, use the configured address */
};

static err_t addr_fn(struct tcpip_api_call_data *call)
{
    struct addr_call *a = (struct addr_call *)(void *)call;
    struct netif *n = &net_demo_netif;
    const struct net_demo_config *c = &net_demo_cfg;
    if (a->fallback) {
        dhcp_stop(n);
        netif_set_addr(n, &c->ip, &c->mask, &c->gw);
    }
    a->bound = dhcp_supplied_address(n);
    ip4_addr_copy(a->ip, *netif_ip4_addr(n));
    ip4_addr_copy(a->mask, *netif_ip4_netmask(n));
    ip4_addr_copy(a->gw, *netif_ip4_gw(n));
    const ip_addr_t *dns = dns_getserver(0);
    if (dns != NULL)
        ip4_addr_copy(a->dns, *dns);
    else
        ip4_addr_set_zero(&a->dns);
    return ERR_OK;
}

/* dns=: our resolver instead of DHCP's (set after the lease, which sets its own). */
static err_t dns_fn(struct tcpip_api_call_data *call)
{
    LWIP_UNUSED_ARG(call);
    dns_setserver(0, &net_demo_cfg.dns);
    return ERR_OK;
}

static err_t levels_fn(struct tcpip_api_call_data *call)
{
    LWIP_UNUSED_ARG(call);
    netdemo_levels_take(&boot_levels);
    return ERR_OK;
}

static int pcb_count(const struct tcp_pcb *list)
{
    int n = 0;
    for (; list != NULL; list = list->next)
        n++;
    return n;
}

struct census_call {
    struct tcpip_api_call_data call;
    int active, tw;
    int arp_queued;     /* packets waiting for an ARP reply (at most ARP_MAXPENDING s) */
};

static err_t census_fn(struct tcpip_api_call_data *call)
{
    struct census_call *c = (struct census_call *)(void *)call;
    c->active = pcb_count(tcp_active_pcbs);
    c->tw = pcb_count(tcp_tw_pcbs);
    c->arp_queued = memp_in_use(MEMP_ARP_QUEUE) > boot_levels.pools[MEMP_ARP_QUEUE];
    return ERR_OK;
}

struct report_call {
    struct tcpip_api_call_data call;
    int leaks;
};

static err_t report_fn(struct tcpip_api_call_data *call)
{
    struct report_call *r = (struct report_call *)(void *)call;
    const struct net_demo_counters *s = &net_demo_stats;
    printf("net_demo: echo tcp: %lu connections, %lu bytes echoed\n",
           (unsigned long)s->echo_conns, (unsigned long)s->echo_bytes);
    printf("net_demo: echo udp: %lu datagrams %lu bytes echoed, %lu send errors\n",
           (unsigned long)s->udp_dgrams, (unsigned long)s->udp_bytes,
           (unsigned long)s->udp_errors);
    printf("net_demo: http: %lu connections, %lu requests, %lu errors, %lu timeouts\n",
           (unsigned long)s->http_conns, (unsigned long)s->http_requests,
           (unsigned long)s->http_errors, (unsigned long)s->http_timeouts);
    printf("net_demo: chargen: %lu connections, %lu refused, %lu bytes\n",
           (unsigned long)s->chargen_conns, (unsigned long)s->chargen_refused,
           (unsigned long)s->chargen_bytes);
    printf("net_demo: iperf: %lu connections, %lu bytes, last %lu kbit/s\n",
           (unsigned long)s->iperf_conns, (unsigned long)s->iperf_bytes,
           (unsigned long)s->iperf_last_kbps);
    printf("net_demo: client: %lu steps ok, %lu failed\n", (unsigned long)s->client_steps_ok,
           (unsigned long)s->client_steps_failed);
    netdemo_print_netif("net_demo", &net_demo_netif);
    stats_display();
    for (struct ng_thread *t = ng_all_threads; t != NULL; t = t->all_next)
        printf("net_demo: thread %-12s stack %5lu bytes, %5lu used\n", t->name,
               (unsigned long)t->stack_size, (unsigned long)ng_thread_stack_used(t));
    /* TIME_WAIT PCBs are the protocol's, not leaks (RFC 9293 3.6); while
     * any exists the TCP timer stays armed (one SYS_TIMEOUT). */
    struct netdemo_levels allowed = boot_levels;
    int tw = pcb_count(tcp_tw_pcbs);
    if (tw > 0) {
        printf("net_demo: TIME_WAIT: %d TCP PCBs (no leak: each ends 2 MSL after its close)\n",
               tw);
        allowed.pools[MEMP_TCP_PCB] = (u16_t)(allowed.pools[MEMP_TCP_PCB] + tw);
        allowed.pools[MEMP_SYS_TIMEOUT]++;
    }
    r->leaks = netdemo_levels_check("net_demo", &allowed);
    return ERR_OK;
}

/* ---- in main ----------------------------------------------------------------------- */

static void print_addresses(const char *how, const struct addr_call *a)
{
    char ip[IP4ADDR_STRLEN_MAX], mask[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX],
        dns[IP4ADDR_STRLEN_MAX];
    printf("net_demo: %s %s mask %s gw %s dns %s\n", how, ip4addr_ntoa_r(&a->ip, ip, sizeof ip),
           ip4addr_ntoa_r(&a->mask, mask, sizeof mask), ip4addr_ntoa_r(&a->gw, gw, sizeof gw),
           ip4addr_ntoa_r(&a->dns, dns, sizeof dns));
}

/* Wait for the lease, or fall back; then dns= if given. */
static void get_address(void)
{
    struct addr_call a;
    memset(&a, 0, sizeof a);
    u32_t start = sys_now();
    if (net_demo_cfg.static_ip) {
        tcpip_api_call(addr_fn, &a.call);
        print_addresses("static address", &a);
    } else {
        for (;;) {
            memset(&a, 0, sizeof a);
            tcpip_api_call(addr_fn, &a.call);
            if (a.bound || sys_now() - start >= net_demo_cfg.dhcp_wait_ms)
                break;
            sys_msleep(DHCP_POLL_MS);
        }
        if (a.bound) {
            printf("net_demo: dhcp lease in %lu ms\n", (unsigned long)(sys_now() - start));
            print_addresses("dhcp bound", &a);
        } else {
            memset(&a, 0, sizeof a);
            a.fallback = 1;
            tcpip_api_call(addr_fn, &a.call);
            printf("net_demo: no DHCP lease within %lu ms: falling back to a static address\n",
                   (unsigned long)net_demo_cfg.dhcp_wait_ms);
            print_addresses("fallback", &a);
        }
    }
    if (net_demo_cfg.has_dns) {
        struct tcpip_api_call_data call;
        tcpip_api_call(dns_fn, &call);
        char d[IP4ADDR_STRLEN_MAX];
        printf("net_demo: dns server %s (dns=)\n", ipaddr_ntoa_r(&net_demo_cfg.dns, d, sizeof d));
    }
}

int app_main(int argc, char **argv)
{
    parse_args(argc, argv);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    u32_t start = sys_now();
    if (sys_sem_new_named(&ready_sem, 0, "demo_ready") != ERR_OK ||
        sys_sem_new_named(&services_sem, 0, "demo_services") != ERR_OK ||
        sys_sem_new_named(&client_sem, 0, "demo_client") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    struct netif *n = &net_demo_netif;
    printf("net_demo: %c%c%u up, hwaddr %02x:%02x:%02x:%02x:%02x:%02x, %s\n", n->name[0],
           n->name[1], n->num, n->hwaddr[0], n->hwaddr[1], n->hwaddr[2], n->hwaddr[3],
           n->hwaddr[4], n->hwaddr[5], net_demo_cfg.static_ip ? "static address" :
           "asking DHCP");
    get_address();
    if (ip4_addr_isany_val(net_demo_cfg.ping_target)) {
        struct addr_call a;
        memset(&a, 0, sizeof a);
        tcpip_api_call(addr_fn, &a.call);
        ip4_addr_copy(net_demo_cfg.ping_target, a.gw);  /* the gateway, now that it is known */
    }

    echo_tcp_start();
    echo_udp_start();
    http_server_start();
    chargen_start();
    iperf_server_start();
    for (int i = 0; i < NET_DEMO_SERVICES; i++)
        sys_arch_sem_wait(&services_sem, 0);
    struct tcpip_api_call_data call;
    tcpip_api_call(levels_fn, &call);
    printf("net_demo: serving echo on tcp and udp port %d, http on %d, chargen on %d, "
           "iperf on %d%s\n", NET_DEMO_ECHO_PORT, NET_DEMO_HTTP_PORT, NET_DEMO_CHARGEN_PORT,
           NET_DEMO_IPERF_PORT, services_failed ? " (some failed to start)" : "");
    client_start(&client_sem);

    if (limit == 0) {
        printf("net_demo: serving until QEMU is stopped\n");
        for (;;)
            sys_msleep(1000);
    }
    printf("net_demo: serving for %lu s\n", (unsigned long)limit);
    u32_t spent = sys_now() - start;
    if (spent < limit * 1000u)
        sys_msleep(limit * 1000u - spent);
    printf("net_demo: time limit of %lu s reached\n", (unsigned long)limit);

    /* The client and the connections still open get a moment to finish,
     * and a packet queued for a next hop that never answered ARP (a ping
     * with no network) its ARP_MAXPENDING seconds. */
    u32_t waited = 0;
    int client_done = sys_arch_sem_wait(&client_sem, SETTLE_MS) != SYS_ARCH_TIMEOUT;
    struct census_call c;
    for (;;) {
        memset(&c, 0, sizeof c);
        tcpip_api_call(census_fn, &c.call);
        u32_t open = net_demo_stats.echo_open + net_demo_stats.http_open +
                     net_demo_stats.chargen_open + net_demo_stats.iperf_open;
        if ((open == 0 && c.active == 0 && !c.arp_queued) || waited >= SETTLE_MS)
            break;
        sys_msleep(SETTLE_STEP_MS);
        waited += SETTLE_STEP_MS;
    }
    if (!client_done)
        printf("net_demo: the client thread had not finished\n");
    if (waited > 0 || c.active > 0)
        printf("net_demo: waited %lu ms for closing connections and ARP: %d TCP PCBs still "
               "active%s\n", (unsigned long)waited, c.active,
               c.arp_queued ? ", packets still waiting for ARP" : "");
    struct report_call r;
    memset(&r, 0, sizeof r);
    tcpip_api_call(report_fn, &r.call);
    struct mallinfo mi = mallinfo();
    printf("net_demo: C library heap (thread stacks, mailboxes): %lu of %lu bytes taken, "
           "%lu in use\n", (unsigned long)mi.arena, (unsigned long)(_heap_end - _heap_start),
           (unsigned long)mi.uordblks);
    int failed = r.leaks || services_failed || !client_done;
    printf("net_demo: done%s\n", r.leaks ? " (with leaks)" : failed ? " (with failures)" : "");
    return failed ? 1 : 0;
}
