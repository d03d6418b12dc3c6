# net/proto.mk - sources of the interface, link and IPv4 layers (netif,
# ethernet, etharp, ip4, ip4_frag, icmp). A file is listed here once it compiles.
NET_PROTO_SRC :=
# interfaces and the link layer (netif, Ethernet, ARP, IPv4 addresses)
NET_PROTO_SRC += net/netif.c net/ethernet.c net/etharp.c net/ip4_addr.c
# IPv4 and ICMP (ip4, fragmentation and reassembly, icmp)
NET_PROTO_SRC += net/ip4.c net/ip4_frag.c net/icmp.c
