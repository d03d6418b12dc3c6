"""One-line descriptions of the frames in FRAME_RX and FRAME_TX records.

The recorder keeps only the first NG_TRACE_FRAME_BYTES of a frame, so every
parser here reads what is present and says "(cut)" where a header is not.
Only what a lab needs to recognise a frame is decoded: Ethernet II
(IEEE 802.3 clause 3), ARP (RFC 826), IPv4 (RFC 791 3.1), ICMP (RFC 792),
UDP (RFC 768) and TCP (RFC 9293 3.1).
"""

import struct

ETH_HLEN = 14
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8

_ICMP_TYPES = {0: "echo reply", 3: "destination unreachable", 5: "redirect",
               8: "echo request", 11: "time exceeded", 12: "parameter problem"}
_TCP_FLAGS = ((0x02, "SYN"), (0x10, "ACK"), (0x01, "FIN"), (0x04, "RST"),
              (0x08, "PSH"), (0x20, "URG"))


def mac(b):
    return ":".join("%02x" % x for x in b)


def ip4(b):
    return "%d.%d.%d.%d" % tuple(b)


def ipv4_header(data):
    """(ihl bytes, proto, src, dst, total length, more fragments / offset)
    of the IPv4 header after the Ethernet header, or None."""
    ip = data[ETH_HLEN:]
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total, frag = struct.unpack_from(">H2xH", ip, 2)
    return ihl, ip[9], ip[12:16], ip[16:20], total, frag & 0x3FFF


def ethertype(data):
    if len(data) < ETH_HLEN:
        return None
    return struct.unpack_from(">H", data, 12)[0]


def is_icmp_echo(data, icmp_type=ICMP_ECHO_REQUEST):
    """Whether the frame is an IPv4 ICMP echo request (or icmp_type): the
    test "ngtrace flow" uses to pick its default frame."""
    if ethertype(data) != ETHERTYPE_IPV4:
        return False
    h = ipv4_header(data)
    if h is None or h[1] != IPPROTO_ICMP or h[5] & 0x1FFF:
        return False
    off = ETH_HLEN + h[0]
    return len(data) > off and data[off] == icmp_type


def describe(data):
    """"ICMP echo request 10.0.2.2 > 10.0.2.15 id=0x1 seq=1", "ARP who-has
    ...", "IPv4 proto 89 ...", or "EtherType 0x86dd" for what is not
    decoded."""
    et = ethertype(data)
    if et is None:
        return "runt (%d bytes)" % len(data)
    if et == ETHERTYPE_ARP:
        return _arp(data[ETH_HLEN:])
    if et != ETHERTYPE_IPV4:
        return "EtherType 0x%04x %s > %s" % (et, mac(data[6:12]), mac(data[0:6]))
    h = ipv4_header(data)
    if h is None:
        return "IPv4 (cut)"
    ihl, proto, src, dst, total, frag = h
    where = "%s > %s" % (ip4(src), ip4(dst))
    if frag & 0x1FFF:
        return "IPv4 fragment %s proto %d offset %d" % (where, proto, (frag & 0x1FFF) * 8)
    body = data[ETH_HLEN + ihl:]
    if proto == IPPROTO_ICMP:
        if len(body) < 1:
            return "ICMP %s (cut)" % where
        kind = _ICMP_TYPES.get(body[0], "type %d" % body[0])
        if body[0] in (ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY) and len(body) >= 8:
            ident, seq = struct.unpack_from(">HH", body, 4)
            return "ICMP %s %s id=0x%x seq=%d" % (kind, where, ident, seq)
        return "ICMP %s %s" % (kind, where)
    if proto == IPPROTO_UDP:
        if len(body) < 8:
            return "UDP %s (cut)" % where
        sport, dport, ulen = struct.unpack_from(">HHH", body, 0)
        return "UDP %s:%d > %s:%d len=%d" % (ip4(src), sport, ip4(dst), dport, ulen - 8)
    if proto == IPPROTO_TCP:
        if len(body) < 14:
            return "TCP %s (cut)" % where
        sport, dport, seq, ack, off, flags = struct.unpack_from(">HHIIBB", body, 0)
        names = ",".join(n for bit, n in _TCP_FLAGS if flags & bit) or "none"
        payload = total - ihl - (off >> 4) * 4
        return "TCP %s:%d > %s:%d [%s] seq=%d ack=%d len=%d" % (
            ip4(src), sport, ip4(dst), dport, names, seq, ack, max(payload, 0))
    return "IPv4 proto %d %s" % (proto, where)


def _arp(a):
    if len(a) < 28:
        return "ARP (cut)"
    op = struct.unpack_from(">H", a, 6)[0]
    sha, spa, tpa = a[8:14], a[14:18], a[24:28]
    if op == 1:
        return "ARP who-has %s tell %s" % (ip4(tpa), ip4(spa))
    if op == 2:
        return "ARP reply %s is-at %s" % (ip4(spa), mac(sha))
    return "ARP op %d" % op
