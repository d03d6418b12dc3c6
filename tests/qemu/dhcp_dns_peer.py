"""tests/qemu/dhcp_dns_peer.py - UDP, DHCP and DNS on top of the scripted
Ethernet peer of tests/qemu/peer.py, for tests/qemu/test_dhcp_dns.py.

peer.py plays one host (ARP and ping for one address). Here:

* UDP (RFC 768): building a datagram with its checksum over the
  pseudo-header, and parsing one out of a received frame (`udp_of`);
* DHCP (RFC 2131 figure 1, options RFC 2132): parsing the board's
  messages field by field (`Dhcp`) and building the server's replies
  (`dhcp_reply`), every field settable, a wrong cookie included;
* DNS (RFC 1035 4.1): parsing the board's query (`DnsQuery`) and building
  answers (`dns_answer`): A and CNAME records whose names may be
  compression pointers (4.1.4), any rcode, any id, and deliberately broken
  ones;
* `ServerPeer`, a Peer that answers ARP for several addresses (a DHCP
  server that is also the gateway, and two DNS servers on the same link)
  and sends UDP from any of them.

Also a reader of the classic pcap files QEMU's filter-dump writes.
Standard library only.
"""
import struct

try:
    from tests.qemu import peer as P
except ImportError:         # run as a script from tests/qemu/
    import peer as P

IP_PROTO_UDP = 17
DHCP_SERVER_PORT, DHCP_CLIENT_PORT, DNS_PORT = 67, 68, 53
DHCP_COOKIE = 0x63825363
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
TYPE_NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
              7: "RELEASE", 8: "INFORM"}
OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_HOSTNAME = 1, 3, 6, 12
OPT_REQUESTED_IP, OPT_LEASE, OPT_TYPE, OPT_SERVER_ID = 50, 51, 53, 54
OPT_PARAMS, OPT_MAX_SIZE, OPT_T1, OPT_T2, OPT_CLIENT_ID = 55, 57, 58, 59, 61
DNS_TYPE_A, DNS_TYPE_CNAME, DNS_CLASS_IN = 1, 5, 1
RCODE_NXDOMAIN = 3


# ---- UDP -------------------------------------------------------------------

def udp_checksum(src, dst, segment):
    """RFC 768: the checksum over the pseudo-header (source, destination,
    zero, protocol, UDP length) and the segment; 0 is sent as 0xffff."""
    pseudo = src + dst + struct.pack("!BBH", 0, IP_PROTO_UDP, len(segment))
    c = P.checksum(pseudo + segment)
    return c or 0xffff


def udp(src, dst, sport, dport, payload, chksum=None):
    """A UDP segment (addresses as bytes, for the checksum)."""
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if chksum is None:
        chksum = udp_checksum(src, dst, seg)
    return seg[:6] + struct.pack("!H", chksum) + seg[8:]


class Udp:
    """A UDP datagram taken out of a received frame."""

    def __init__(self, frame):
        header, seg = frame.datagram
        self.frame = frame
        self.src, self.dst = P.ip_text(header[12:16]), P.ip_text(header[16:20])
        self.sport, self.dport, self.length, self.chksum = struct.unpack("!HHHH", seg[:8])
        self.payload = seg[8:self.length]
        self.checksum_ok = self.chksum != 0 and \
            P.checksum(header[12:16] + header[16:20] +
                       struct.pack("!BBH", 0, IP_PROTO_UDP, len(seg)) + seg) == 0


def udp_of(frame, sport=None, dport=None):
    """frame's UDP datagram when it is one (to dport, from sport), else None."""
    if not (frame.datagram and frame.ip.proto == IP_PROTO_UDP and len(frame.datagram[1]) >= 8):
        return None
    u = Udp(frame)
    if (sport is not None and u.sport != sport) or (dport is not None and u.dport != dport):
        return None
    return u


# ---- DHCP ------------------------------------------------------------------

def parse_options(data):
    """RFC 2132 2: [(code, bytes)] up to END (PAD skipped), and whether an
    END was there; raises ValueError when an option runs past the data."""
    out, i = [], 0
    while i < len(data):
        code = data[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            return out, True
        if i + 2 > len(data) or i + 2 + data[i + 1] > len(data):
            raise ValueError("option %d runs past the message" % code)
        out.append((code, data[i + 2:i + 2 + data[i + 1]]))
        i += 2 + data[i + 1]
    return out, False


class Dhcp:
    """A DHCP message, parsed field by field (RFC 2131 figure 1)."""

    def __init__(self, data):
        if len(data) < 240:
            raise ValueError("DHCP message of %d bytes" % len(data))
        (self.op, self.htype, self.hlen, self.hops, self.xid, self.secs, self.flags) = \
            struct.unpack("!BBBBIHH", data[:12])
        self.ciaddr, self.yiaddr, self.siaddr, self.giaddr = \
            (P.ip_text(data[o:o + 4]) for o in (12, 16, 20, 24))
        self.chaddr = data[28:44]
        self.sname, self.file = data[44:108], data[108:236]
        self.cookie = struct.unpack("!I", data[236:240])[0]
        self.option_list, self.has_end = parse_options(data[240:])
        self.options = dict(self.option_list)
        self.length = len(data)
        t = self.options.get(OPT_TYPE)
        self.type = t[0] if t and len(t) == 1 else None

    def addr_option(self, code):
        v = self.options.get(code)
        return P.ip_text(v) if v is not None and len(v) == 4 else None

    def __repr__(self):
        return "<DHCP %s xid %#010x>" % (TYPE_NAMES.get(self.type, self.type), self.xid)


def dhcp_of(frame, sport=DHCP_CLIENT_PORT, dport=DHCP_SERVER_PORT):
    """(Udp, Dhcp) when frame carries a DHCP message between those ports."""
    u = udp_of(frame, sport, dport)
    if u is None:
        return None
    try:
        return u, Dhcp(u.payload)
    except ValueError:
        return None


def opt(code, value):
    return bytes([code, len(value)]) + value


def dhcp_reply(msg_type, xid, chaddr, yiaddr="0.0.0.0", server=None, options=(),
               flags=0, cookie=DHCP_COOKIE, op=2, siaddr="0.0.0.0"):
    """A server's message (op 2, htype 1, hlen 6) for the client chaddr:
    option 53, then option 54 when server is given, then `options`
    (already encoded), END."""
    fixed = struct.pack("!BBBBIHH", op, 1, 6, 0, xid, 0, flags)
    fixed += P.ip_bytes("0.0.0.0") + P.ip_bytes(yiaddr) + P.ip_bytes(siaddr) + \
        P.ip_bytes("0.0.0.0")
    fixed += chaddr[:6].ljust(16, b"\0") + b"\0" * 64 + b"\0" * 128
    body = opt(OPT_TYPE, bytes([msg_type]))
    if server is not None:
        body += opt(OPT_SERVER_ID, P.ip_bytes(server))
    body += b"".join(options) + b"\xff"
    return fixed + struct.pack("!I", cookie) + body


# ---- DNS -------------------------------------------------------------------

def encode_name(name):
    """RFC 1035 3.1: length-prefixed labels, then a zero byte."""
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def decode_name(data, off):
    """(name, offset after it) of an uncompressed name; ValueError if it is
    compressed or runs past the data (the board's queries never compress)."""
    labels = []
    while True:
        if off >= len(data):
            raise ValueError("name runs past the message")
        n = data[off]
        if n == 0:
            return ".".join(labels), off + 1
        if n & 0xc0:
            raise ValueError("compressed name in a query")
        labels.append(data[off + 1:off + 1 + n].decode("ascii"))
        off += 1 + n


class DnsQuery:
    """A DNS query (RFC 1035 4.1.1, 4.1.2), parsed."""

    def __init__(self, data):
        if len(data) < 12:
            raise ValueError("DNS message of %d bytes" % len(data))
        self.raw = data
        self.id, self.flags, self.qdcount, self.ancount, self.nscount, self.arcount = \
            struct.unpack("!HHHHHH", data[:12])
        self.qr = self.flags >> 15
        self.opcode = (self.flags >> 11) & 0xf
        self.rd = (self.flags >> 8) & 1
        self.name, end = decode_name(data, 12)
        self.name_bytes = data[12:end]
        self.qtype, self.qclass = struct.unpack("!HH", data[end:end + 4])
        self.question = data[12:end + 4]
        self.length = len(data)


def dns_of(frame):
    """(Udp, DnsQuery) when frame carries a DNS query to port 53."""
    u = udp_of(frame, dport=DNS_PORT)
    if u is None:
        return None
    try:
        return u, DnsQuery(u.payload)
    except (ValueError, struct.error):
        return None


def rr(name, rtype, ttl, rdata, rclass=DNS_CLASS_IN):
    """A resource record (RFC 1035 4.1.3); name already encoded (labels or
    a pointer)."""
    return name + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def pointer(offset):
    """A compression pointer to offset (RFC 1035 4.1.4)."""
    return struct.pack("!H", 0xc000 | offset)


def dns_answer(query, answers=(), rcode=0, txid=None, qr=1, question=None):
    """A response to query: its question copied (or `question`, encoded),
    `answers` (encoded records) in the answer section, RD copied, RA set."""
    flags = qr << 15 | query.rd << 8 | 1 << 7 | rcode
    hdr = struct.pack("!HHHHHH", query.id if txid is None else txid, flags, 1, len(answers),
                      0, 0)
    return hdr + (query.question if question is None else question) + b"".join(answers)


# ---- the peer ----------------------------------------------------------------

class ServerPeer(P.Peer):
    """A Peer that is several hosts on one link: it answers ARP for each of
    `addrs` (with its one MAC) and sends UDP from any of them."""

    def __init__(self, mac="52:55:c0:00:02:01", addrs=("192.0.2.1",)):
        super().__init__(mac=mac, ip=addrs[0])
        self.addrs = list(addrs)
        self.arp_asked = []         # addresses the board asked for, in order

    def _serve(self, f):
        if f.arp and f.arp["op"] == 1 and f.arp["tpa"] in self.addrs:
            self.board_mac = f.arp["sha"]
            self.arp_asked.append(f.arp["tpa"])
            self.send(P.eth(f.arp["sha"], self.mac, P.ETH_P_ARP,
                            P.arp(2, self.mac, P.ip_bytes(f.arp["tpa"]), f.arp["sha"],
                                  P.ip_bytes(f.arp["spa"]))))
            self.answered_arp += 1
            return True
        return super()._serve(f)

    def send_udp(self, src_ip, dst_ip, sport, dport, payload, dst_mac=None):
        """One UDP datagram in one frame (to the board's MAC unless dst_mac)."""
        src, dst = P.ip_bytes(src_ip), P.ip_bytes(dst_ip)
        pkt = P.ipv4(src, dst, IP_PROTO_UDP, udp(src, dst, sport, dport, payload),
                     ident=self.next_ident())
        self.send(P.eth(dst_mac or self.board_mac, self.mac, P.ETH_P_IP, pkt))


# ---- pcap ----------------------------------------------------------------------

def read_pcap(path):
    """The frames of a classic pcap file (what QEMU's filter-dump writes:
    microsecond timestamps, link type 1), as (seconds, bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("pcap of %d bytes" % len(data))
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic == 0xa1b2c3d4 else ">" if magic == 0xd4c3b2a1 else None
    if endian is None:
        raise ValueError("not a pcap file (magic %#x)" % magic)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("pcap link type %d, not Ethernet" % linktype)
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append((sec + usec / 1e6, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out
