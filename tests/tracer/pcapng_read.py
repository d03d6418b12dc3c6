"""A small, strict pcapng reader for the tests (standard library only).

Written from the pcapng specification (draft-ietf-opsawg-pcapng) rather
than from tracer/ngtracelib/pcapng.py, so that a mistake in the writer
shows up here.  It checks what a reader such as Wireshark relies on and
raises AssertionError naming the file offset of the first problem:

  * every block: total length at both ends equal, a multiple of 4, at least
    12, inside the file
  * the first block is a Section Header Block with the little-endian byte
    order magic and version 1.0
  * options: code, length, value padded to 4, ending with opt_endofopt
  * Interface Description Blocks before the packets that use them;
    Enhanced Packet Blocks name an existing interface, captured length <=
    original length and <= snaplen, data padded to 4

read(data) returns a Capture with .shb, .interfaces and .packets.
"""

import struct


class Block:
    def __init__(self, btype, offset, body):
        self.type = btype
        self.offset = offset
        self.body = body


class Interface:
    def __init__(self, linktype, snaplen, options):
        self.linktype = linktype
        self.snaplen = snaplen
        self.options = options          # code -> [bytes values]
        self.name = _text(options, 2)
        res = options.get(9, [b"\x06"])[0]
        assert len(res) == 1, "if_tsresol has %d bytes" % len(res)
        self.tsresol = res[0]


class Packet:
    def __init__(self, offset, iface, ts, caplen, origlen, data, options):
        self.offset = offset
        self.iface = iface
        self.ts = ts                    # in units of the interface's tsresol
        self.caplen = caplen
        self.origlen = origlen
        self.data = data
        self.options = options
        self.comment = _text(options, 1)
        flags = options.get(2)
        if flags:
            assert len(flags[0]) == 4, "epb_flags of %d bytes" % len(flags[0])
        self.flags = struct.unpack("<I", flags[0])[0] if flags else None


class Capture:
    def __init__(self):
        self.blocks = []
        self.shb_options = {}
        self.version = None
        self.interfaces = []
        self.packets = []


def _text(options, code):
    v = options.get(code)
    return v[0].decode("utf-8") if v else None


def options(body, at, where):
    """Parse the options starting at body[at:]; {code: [values]}."""
    out = {}
    if at == len(body):
        return out                      # no options at all is allowed
    while True:
        assert at + 4 <= len(body), "%s: option header past the block" % where
        code, length = struct.unpack_from("<HH", body, at)
        at += 4
        if code == 0:
            assert length == 0, "%s: opt_endofopt with length %d" % (where, length)
            assert at == len(body), "%s: %d bytes after opt_endofopt" % (where, len(body) - at)
            return out
        end = at + length
        assert end + (-length % 4) <= len(body), "%s: option %d runs past the block" % (
            where, code)
        out.setdefault(code, []).append(body[at:end])
        at = end + (-length % 4)


def read(data):
    cap = Capture()
    off = 0
    n = len(data)
    while off < n:
        assert n - off >= 12, "offset %d: %d bytes left, a block needs 12" % (off, n - off)
        btype, total = struct.unpack_from("<II", data, off)
        assert total >= 12 and total % 4 == 0, "offset %d: block length %d" % (off, total)
        assert off + total <= n, "offset %d: block of %d bytes runs past the end" % (off, total)
        trailer = struct.unpack_from("<I", data, off + total - 4)[0]
        assert trailer == total, "offset %d: lengths %d and %d differ" % (off, total, trailer)
        body = data[off + 8:off + total - 4]
        where = "offset %d (block type 0x%08x)" % (off, btype)
        if not cap.blocks:
            assert btype == 0x0A0D0D0A, "the first block is 0x%08x, not a SHB" % btype
        cap.blocks.append(Block(btype, off, body))
        if btype == 0x0A0D0D0A:
            magic, major, minor, _seclen = struct.unpack_from("<IHHq", body, 0)
            assert magic == 0x1A2B3C4D, "%s: byte order magic 0x%08x" % (where, magic)
            cap.version = (major, minor)
            assert cap.version == (1, 0), "%s: version %d.%d" % (where, major, minor)
            cap.shb_options = options(body, 16, where)
        elif btype == 1:
            linktype, reserved, snaplen = struct.unpack_from("<HHI", body, 0)
            assert reserved == 0, "%s: reserved field %d" % (where, reserved)
            assert not cap.packets, "%s: an interface after the first packet" % where
            cap.interfaces.append(Interface(linktype, snaplen, options(body, 8, where)))
        elif btype == 6:
            iface, hi, lo, caplen, origlen = struct.unpack_from("<IIIII", body, 0)
            assert iface < len(cap.interfaces), "%s: interface %d unknown" % (where, iface)
            ifc = cap.interfaces[iface]
            assert caplen <= origlen, "%s: caplen %d > origlen %d" % (where, caplen, origlen)
            assert ifc.snaplen == 0 or caplen <= ifc.snaplen, "%s: caplen %d > snaplen %d" % (
                where, caplen, ifc.snaplen)
            padded = caplen + (-caplen % 4)
            assert 20 + padded <= len(body), "%s: packet data past the block" % where
            pad = body[20 + caplen:20 + padded]
            assert pad == b"\0" * len(pad), "%s: padding not zero" % where
            cap.packets.append(Packet(off, iface, hi << 32 | lo, caplen, origlen,
                                      body[20:20 + caplen], options(body, 20 + padded, where)))
        off += total
    assert cap.blocks, "empty file"
    return cap
