/*
 * lwip/netif.h - network interfaces, lwIP 2.x's API.
 *
 * A struct netif is what the stack knows of one interface: its addresses,
 * its flags, and three functions. `input` is how the driver hands a frame
 * up (tcpip_input: into tcpip_mbox); `output` is how IP sends a packet
 * (etharp_output on Ethernet: resolve the next hop, then ...); `linkoutput`
 * is how a finished frame reaches the hardware (the driver's
 * low_level_output). The loopback interface (127.0.0.1) sends its output
 * back through tcpip_thread.
 */
#ifndef LWIP_HDR_NETIF_H
#define LWIP_HDR_NETIF_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcpip_priv.h"

#define ENABLE_LOOPBACK (LWIP_NETIF_LOOPBACK || LWIP_HAVE_LOOPIF)

#define NETIF_MAX_HWADDR_LEN 6U
#define NETIF_NAMESIZE 6
#define NETIF_NO_INDEX 0

#define NETIF_FLAG_UP 0x01U         /* administratively up */
#define NETIF_FLAG_BROADCAST 0x02U
#define NETIF_FLAG_LINK_UP 0x04U
#define NETIF_FLAG_ETHARP 0x08U     /* uses ARP */
#define NETIF_FLAG_ETHERNET 0x10U   /* an Ethernet device */
#define NETIF_FLAG_IGMP 0x20U
#define NETIF_FLAG_MLD6 0x40U

struct netif;

typedef err_t (*netif_init_fn)(struct netif *netif);
typedef err_t (*netif_output_fn)(struct netif *netif, struct pbuf *p,
                                 const ip4_addr_t *ipaddr);
typedef err_t (*netif_linkoutput_fn)(struct netif *netif, struct pbuf *p);
typedef void (*netif_status_callback_fn)(struct netif *netif);

struct dhcp;

struct netif {
    struct netif *next;
    ip_addr_t ip_addr;
    ip_addr_t netmask;
    ip_addr_t gw;
    netif_input_fn input;           /* driver -> stack */
    netif_output_fn output;         /* IP -> link layer */
    netif_linkoutput_fn linkoutput; /* link layer -> driver */
    netif_status_callback_fn status_callback;
    netif_status_callback_fn link_callback;
    void *state;                    /* the driver's own data */
    u16_t mtu;
    u8_t hwaddr[NETIF_MAX_HWADDR_LEN];
    u8_t hwaddr_len;
    u8_t flags;
    char name[2];
    u8_t num;
    u8_t trace_id;                  /* netglass: registry id, for FRAME records */
    char trace_name[NETIF_NAMESIZE]; /* netglass: "en1", "lo0": its name in the registry */
#if ENABLE_LOOPBACK
    struct pbuf *loop_first;
    struct pbuf *loop_last;
    u16_t loop_cnt_current;
#endif
#if LWIP_DHCP
    struct dhcp *dhcp;              /* the DHCP client's state (net/dhcp.c), or NULL */
#endif
#if LWIP_NETIF_HOSTNAME
    const char *hostname;           /* sent in DHCP option 12 when not NULL */
#endif
    /* netglass: counters the driver and the stack keep per interface */
    u32_t rx_frames, rx_bytes, tx_frames, tx_bytes, rx_drops, tx_drops;
};

extern struct netif *netif_list;
extern struct netif *netif_default;

#define NETIF_FOREACH(netif) for ((netif) = netif_list; (netif) != NULL; (netif) = (netif)->next)

void netif_init(void);
struct netif *netif_add(struct netif *netif, const ip4_addr_t *ipaddr, const ip4_addr_t *netmask,
                        const ip4_addr_t *gw, void *state, netif_init_fn init,
                        netif_input_fn input);
struct netif *netif_add_noaddr(struct netif *netif, void *state, netif_init_fn init,
                               netif_input_fn input);
void netif_set_addr(struct netif *netif, const ip4_addr_t *ipaddr, const ip4_addr_t *netmask,
                    const ip4_addr_t *gw);
void netif_set_ipaddr(struct netif *netif, const ip4_addr_t *ipaddr);
void netif_set_netmask(struct netif *netif, const ip4_addr_t *netmask);
void netif_set_gw(struct netif *netif, const ip4_addr_t *gw);
void netif_remove(struct netif *netif);
struct netif *netif_find(const char *name);
void netif_set_default(struct netif *netif);
void netif_set_up(struct netif *netif);
void netif_set_down(struct netif *netif);
void netif_set_link_up(struct netif *netif);
void netif_set_link_down(struct netif *netif);
void netif_set_status_callback(struct netif *netif, netif_status_callback_fn cb);
void netif_set_link_callback(struct netif *netif, netif_status_callback_fn cb);
err_t netif_input(struct pbuf *p, struct netif *inp);
#if LWIP_NETIF_HOSTNAME
#define netif_set_hostname(netif, name) do { if ((netif) != NULL) (netif)->hostname = (name); } while (0)
#define netif_get_hostname(netif) (((netif) != NULL) ? ((netif)->hostname) : NULL)
#endif
#define netif_is_up(netif) (((netif)->flags & NETIF_FLAG_UP) ? (u8_t)1 : (u8_t)0)
#define netif_is_link_up(netif) (((netif)->flags & NETIF_FLAG_LINK_UP) ? (u8_t)1 : (u8_t)0)
#define netif_ip4_addr(netif) ((const ip4_addr_t *)&((netif)->ip_addr))
#define netif_ip4_netmask(netif) ((const ip4_addr_t *)&((netif)->netmask))
#define netif_ip4_gw(netif) ((const ip4_addr_t *)&((netif)->gw))
#define netif_ip_addr4(netif) ((const ip_addr_t *)&((netif)->ip_addr))
#define netif_get_index(netif) ((u8_t)((netif)->num + 1))
struct netif *netif_get_by_index(u8_t idx);

#if ENABLE_LOOPBACK
err_t netif_loop_output(struct netif *netif, struct pbuf *p);
void netif_poll(struct netif *netif);
#endif

/* netglass: the loopback interface that netif_init adds (lo, 127.0.0.1). */
extern struct netif netif_loopif;

#endif
