"""tests/qemu/peer.py - a scripted Ethernet peer for a board in QEMU.

QEMU's `-netdev dgram` back end carries each Ethernet frame as one UDP
datagram between two loopback ports: QEMU sends the board's frames to the
peer's port and takes the peer's frames from its own. This module is the
other end: it builds frames (Ethernet II, ARP of RFC 826, IPv4 of RFC 791
with its checksum, ICMP of RFC 792), fragments IPv4 datagrams itself,
sends them, receives with time limits and puts fragmented replies back
together. Every field can be set to a wrong value on purpose, which is what
the tests of malformed input need.

    peer = Peer(mac=..., ip="10.0.2.2")
    qemu_args = peer.qemu_netdev_args()     # -netdev dgram,... -net nic,...
    ...start QEMU...
    peer.run_until(lambda f: ..., timeout=5)    # answers ARP and ping meanwhile

While it waits, the peer plays a host: it answers ARP requests for its
address and ICMP echo requests to it, and learns the board's MAC address
from what the board sends. Standard library only.
"""
import random
import socket
import struct
import time

try:
    from tests.qemu import qemu as _qemu
except ImportError:         # run as a script from tests/qemu/
    import qemu as _qemu

ETH_HLEN = 14
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
BROADCAST = b"\xff" * 6
IP_PROTO_ICMP = 1
ICMP_ECHO_REPLY = 0
ICMP_ECHO = 8


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def ip_bytes(text):
    return socket.inet_aton(text)


def ip_text(b):
    return socket.inet_ntoa(b)


def checksum(data):
    """The Internet checksum (RFC 1071): ones' complement of the ones'
    complement sum of the 16-bit words, an odd last byte padded with 0."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- building frames -------------------------------------------------------

def eth(dst, src, ethertype, payload):
    return dst + src + struct.pack("!H", ethertype) + payload


def arp(op, sha, spa, tha, tpa, htype=1, ptype=ETH_P_IP, hlen=6, plen=4):
    """An ARP packet (RFC 826); addresses as bytes. hlen/plen only change the
    length fields: the addresses are as long as they are."""
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


def ipv4(src, dst, proto, payload, ident=0, flags=0, offset=0, ttl=64, tos=0, ihl=5,
         options=b"", total_length=None, chksum=None, version=4):
    """An IPv4 header (RFC 791 3.1) in front of payload. offset is in bytes
    (a multiple of 8); flags: 2 = DF, 1 = MF. The checksum is right unless
    chksum is given."""
    hdr_len = 20 + len(options)
    if total_length is None:
        total_length = hdr_len + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, tos, total_length, ident,
                    flags << 13 | offset // 8, ttl, proto, 0, src, dst) + options
    if chksum is None:
        chksum = checksum(h)
    return h[:10] + struct.pack("!H", chksum) + h[12:] + payload


def icmp(type_, code, rest, data, chksum=None):
    """An ICMP message (RFC 792): type, code, checksum, a 4-byte rest."""
    m = struct.pack("!BBH", type_, code, 0) + rest + data
    if chksum is None:
        chksum = checksum(m)
    return m[:2] + struct.pack("!H", chksum) + m[4:]


def icmp_echo(ident, seq, data, type_=ICMP_ECHO, chksum=None):
    return icmp(type_, 0, struct.pack("!HH", ident, seq), data, chksum)


def fragment(packet, mtu=1500):
    """Split an IPv4 datagram (RFC 791 3.2, "Fragmentation"): each fragment
    gets the header (same identification), at most mtu bytes, data in
    multiples of 8 except the last, MF on all but the last."""
    ihl = (packet[0] & 0x0f) * 4
    header, data = packet[:ihl], packet[ihl:]
    step = (mtu - ihl) // 8 * 8
    frags = []
    for off in range(0, len(data), step):
        piece = data[off:off + step]
        more = off + step < len(data)
        frags.append(refragment(header, piece, off, more))
    return frags


def refragment(header, piece, offset, more, df=False):
    """One fragment: header (its options kept) for data piece at offset."""
    h = bytearray(header)
    struct.pack_into("!H", h, 2, len(h) + len(piece))
    struct.pack_into("!H", h, 6, (2 if df else 0) << 13 | (1 if more else 0) << 13 | offset // 8)
    struct.pack_into("!H", h, 10, 0)
    struct.pack_into("!H", h, 10, checksum(bytes(h)))
    return bytes(h) + piece


# ---- parsing ---------------------------------------------------------------

class Ipv4:
    """A parsed IPv4 header and its payload (the datagram's own length)."""

    def __init__(self, data):
        if len(data) < 20:
            raise ValueError("IPv4 packet of %d bytes" % len(data))
        v_ihl, self.tos, self.total_length, self.ident, fl, self.ttl, self.proto, \
            self.chksum, src, dst = struct.unpack("!BBHHHBBH4s4s", data[:20])
        self.version, self.ihl = v_ihl >> 4, (v_ihl & 0x0f) * 4
        self.flags, self.offset = fl >> 13, (fl & 0x1fff) * 8
        self.src, self.dst = ip_text(src), ip_text(dst)
        self.header = data[:self.ihl]
        self.payload = data[self.ihl:self.total_length]
        self.checksum_ok = checksum(self.header) == 0
        self.more_fragments = bool(self.flags & 1)

    @property
    def is_fragment(self):
        return self.more_fragments or self.offset != 0


class Frame:
    """A received Ethernet frame, parsed as far as it goes."""

    def __init__(self, raw):
        self.raw = raw
        self.dst, self.src = raw[0:6], raw[6:12]
        self.type = struct.unpack("!H", raw[12:14])[0] if len(raw) >= 14 else None
        self.payload = raw[14:]
        self.arp = self.ip = None
        self.datagram = None        # (header, payload) once whole (Peer.run_until)
        if self.type == ETH_P_ARP and len(self.payload) >= 28:
            f = struct.unpack("!HHBBH6s4s6s4s", self.payload[:28])
            self.arp = dict(htype=f[0], ptype=f[1], hlen=f[2], plen=f[3], op=f[4],
                            sha=f[5], spa=ip_text(f[6]), tha=f[7], tpa=ip_text(f[8]))
        elif self.type == ETH_P_IP and len(self.payload) >= 20:
            self.ip = Ipv4(self.payload)

    def __repr__(self):
        what = "type %#06x" % self.type if self.type is not None else "runt"
        if self.arp:
            what = "ARP op %d %s -> %s" % (self.arp["op"], self.arp["spa"], self.arp["tpa"])
        elif self.ip:
            what = "IPv4 %s -> %s proto %d len %d" % (self.ip.src, self.ip.dst, self.ip.proto,
                                                     self.ip.total_length)
        return "<Frame %s -> %s, %d bytes, %s>" % (mac_text(self.src), mac_text(self.dst),
                                                  len(self.raw), what)


class Reassembler:
    """Puts received fragments back together (RFC 791 3.2, the receiver's
    side, kept simple: a datagram is complete when its pieces cover
    [0, end) exactly)."""

    def __init__(self):
        self.held = {}

    def add(self, ip):
        """Returns (header, payload) of a whole datagram, or None."""
        if not ip.is_fragment:
            return ip.header, ip.payload
        key = (ip.src, ip.dst, ip.ident, ip.proto)
        parts = self.held.setdefault(key, {})
        parts[ip.offset] = (ip, ip.payload)
        end = None
        for off, (frag, data) in parts.items():
            if not frag.more_fragments:
                end = off + len(data)
        if end is None:
            return None
        pos, out = 0, b""
        while pos < end:
            if pos not in parts:
                return None
            out += parts[pos][1]
            pos += len(parts[pos][1])
        if pos != end:
            return None
        del self.held[key]
        return parts[0][0].header, out


# ---- the peer --------------------------------------------------------------

class Peer:
    """One end of a QEMU dgram link, playing a host with mac and ip."""

    def __init__(self, mac="52:55:0a:00:02:02", ip="10.0.2.2"):
        self.mac = mac_bytes(mac)
        self.ip = ip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.qemu_port = free_udp_port()
        self.board_mac = None
        self.sent = 0               # frames sent
        self.received = []          # every frame received, in order
        self.answered_arp = 0
        self.answered_echo = 0
        self.reassembler = Reassembler()
        self.ident = random.randrange(0x10000)

    def close(self):
        self.sock.close()

    def qemu_netdev_args(self, mac="52:54:00:12:34:56"):
        """The QEMU arguments that connect the board's MAC to this peer."""
        return _qemu.dgram_netdev_args(self.qemu_port, self.port, mac)

    def send(self, frame):
        self.sock.sendto(frame, ("127.0.0.1", self.qemu_port))
        self.sent += 1

    def recv(self, timeout):
        """The next frame from the board, or None after timeout seconds."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            raw = self.sock.recv(65536)
        except socket.timeout:
            return None
        f = Frame(raw)
        self.received.append(f)
        return f

    def next_ident(self):
        self.ident = (self.ident + 1) & 0xffff
        return self.ident

    # -- playing a host --------------------------------------------------

    def _serve(self, f):
        """Answer what a host at self.ip would; True if f was handled."""
        if f.arp and f.arp["op"] == 1 and f.arp["tpa"] == self.ip:
            self.board_mac = f.arp["sha"]
            self.send(eth(f.arp["sha"], self.mac, ETH_P_ARP,
                          arp(2, self.mac, ip_bytes(self.ip), f.arp["sha"],
                              ip_bytes(f.arp["spa"]))))
            self.answered_arp += 1
            return True
        if f.datagram and f.ip.dst == self.ip and f.ip.proto == IP_PROTO_ICMP:
            header, msg = f.datagram
            if len(msg) >= 8 and msg[0] == ICMP_ECHO and checksum(msg) == 0:
                reply = icmp(ICMP_ECHO_REPLY, 0, msg[4:8], msg[8:])
                pkt = ipv4(ip_bytes(self.ip), header[12:16], IP_PROTO_ICMP, reply,
                           ident=self.next_ident())
                for frag in fragment(pkt):
                    self.send(eth(f.src, self.mac, ETH_P_IP, frag))
                self.answered_echo += 1
                return True
        return False

    def _note(self, f):
        """What every received frame teaches: the board's MAC address, and
        the whole datagram once its last fragment is in (f.datagram)."""
        if f.src != self.mac and self.board_mac is None and len(f.raw) >= 12:
            self.board_mac = f.src
        f.datagram = self.reassembler.add(f.ip) if f.ip else None

    def run_until(self, want, timeout):
        """Receive (and serve) until want(frame) is true: returns that frame,
        or None when timeout seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            f = self.recv(left)
            if f is None:
                return None
            self._note(f)
            if want(f):
                return f
            self._serve(f)

    def serve_until(self, done, timeout):
        """Serve until done() is true, checked after each frame is served:
        True, or False when timeout seconds pass first."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            f = self.recv(left) if left > 0 else None
            if f is None:
                return done()
            self._note(f)
            self._serve(f)
        return True

    def idle(self, seconds):
        """Just serve for a while."""
        self.run_until(lambda f: False, seconds)

    # -- asking the board --------------------------------------------------

    def resolve(self, ip, timeout=2.0):
        """ARP for ip (RFC 826): returns the reply frame, or None."""
        self.send(eth(BROADCAST, self.mac, ETH_P_ARP,
                      arp(1, self.mac, ip_bytes(self.ip), b"\0" * 6, ip_bytes(ip))))
        return self.run_until(lambda f: f.arp is not None and f.arp["op"] == 2 and
                              f.arp["spa"] == ip, timeout)

    def echo_frames(self, dst_ip, ident, seq, data, dst_mac=None, mtu=1500):
        """The frames of one echo request: fragmented when it is larger
        than mtu."""
        pkt = ipv4(ip_bytes(self.ip), ip_bytes(dst_ip), IP_PROTO_ICMP,
                   icmp_echo(ident, seq, data), ident=self.next_ident())
        return [eth(dst_mac or self.board_mac, self.mac, ETH_P_IP, f)
                for f in fragment(pkt, mtu)]

    def wait_echo_reply(self, src_ip, ident, seq, timeout):
        """The reply to echo (ident, seq) from src_ip, reassembled: returns
        (ip header bytes, ICMP message bytes), or None."""
        def want(f):
            if not (f.datagram and f.ip.src == src_ip and f.ip.dst == self.ip and
                    f.ip.proto == IP_PROTO_ICMP):
                return False
            msg = f.datagram[1]
            return len(msg) >= 8 and msg[0] == ICMP_ECHO_REPLY and \
                struct.unpack("!HH", msg[4:8]) == (ident, seq)

        f = self.run_until(want, timeout)
        return f.datagram if f else None

    def ping(self, dst_ip, seq, data, timeout=2.0, ident=0x7071):
        """One echo request; returns the reply's (ip header, ICMP message)
        or None."""
        for frame in self.echo_frames(dst_ip, ident, seq, data):
            self.send(frame)
        return self.wait_echo_reply(dst_ip, ident, seq, timeout)
