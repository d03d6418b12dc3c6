# net/transport.mk - sources of the transport layers (UDP, raw IP PCBs).
# A file is listed here once it compiles.
NET_TRANSPORT_SRC := net/udp.c net/raw.c net/tcp_out.c net/tcp.c net/tcp_in.c net/dhcp.c net/dns.c
