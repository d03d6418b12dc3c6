# net/proto.mk - sources of the interface, link and IPv4 layers (netif,
# ethernet, etharp, ip4, ip4_frag, icmp). A file is listed here once it compiles.
NET_PROTO_SRC :=
