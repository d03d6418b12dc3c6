"""The frames of a trace as a pcapng file ("ngtrace pcapng").

pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, one Interface
Description Block per netif that has frames, and one Enhanced Packet Block
per FRAME_RX and FRAME_TX record, in trace order, all little-endian.

  interface   linktype 1 (Ethernet), if_name from the netif's NAME record,
              snaplen the longest frame part the recorder kept on it (that
              is NG_TRACE_FRAME_BYTES as soon as one frame was cut), and
              if_tsresol 9: timestamps are nanoseconds since reset, from
              the trace's cycle counts (the cycles of a 12.5 MHz SysTick
              are 80 ns, so microseconds would lose them)
  packet      captured length = the bytes in the record, original length =
              its orig_len, epb_flags inbound (RX) or outbound (TX), and an
              opt_comment holding the records of the frame's flow as
              "ngtrace flow --text" prints them, cut to comment_lines lines
"""

import os
import struct

from .errors import NgtraceError
from .flow import FlowIndex
from .flow_text import flow_lines
from .listing import Formatter

BT_SHB = 0x0A0D0D0A
BT_IDB = 0x00000001
BT_EPB = 0x00000006
BYTE_ORDER_MAGIC = 0x1A2B3C4D
LINKTYPE_ETHERNET = 1

OPT_ENDOFOPT = 0
OPT_COMMENT = 1
SHB_USERAPPL = 4
IF_NAME = 2
IF_DESCRIPTION = 3
IF_TSRESOL = 9
EPB_FLAGS = 2
EPB_INBOUND = 1             # epb_flags bits 0-1: direction
EPB_OUTBOUND = 2

TSRESOL = 9                 # 10^-9 s
MAX_OPTION = 65535 - 3      # an option's length is 16 bits; keep it padded under that
DEFAULT_COMMENT_LINES = 60


def _pad(b):
    return b + b"\0" * (-len(b) % 4)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad(value)


def _options(opts):
    if not opts:
        return b""
    return b"".join(option(c, v) for c, v in opts) + struct.pack("<HH", OPT_ENDOFOPT, 0)


def block(btype, body):
    """A block: type, total length, body (padded), total length again."""
    body = _pad(body)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def section_header(comment):
    body = struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1)
    body += _options([(SHB_USERAPPL, b"ngtrace (netglass)"), (OPT_COMMENT, comment.encode())])
    return block(BT_SHB, body)


def interface(name, description, snaplen):
    body = struct.pack("<HHI", LINKTYPE_ETHERNET, 0, snaplen)
    body += _options([(IF_NAME, name.encode()), (IF_DESCRIPTION, description.encode()),
                      (IF_TSRESOL, bytes([TSRESOL]))])
    return block(BT_IDB, body)


def packet(if_id, ts, data, orig_len, flags, comment):
    body = struct.pack("<IIIII", if_id, ts >> 32, ts & 0xFFFFFFFF, len(data), orig_len)
    body += _pad(data)
    opts = [(EPB_FLAGS, struct.pack("<I", flags))]
    if comment:
        opts.insert(0, (OPT_COMMENT, comment))
    return block(BT_EPB, body + _options(opts))


def clip_comment(lines):
    """The lines joined, in UTF-8, cut at a line so that it fits an option."""
    out = "\n".join(lines).encode("utf-8")
    if len(out) <= MAX_OPTION:
        return out
    cut = out[:MAX_OPTION - 40].rsplit(b"\n", 1)[0]
    return cut + b"\n... (comment cut at 64 KiB)"


class Capture:
    """The frames of a trace, their interfaces and their flows."""

    def __init__(self, trace, elf=None, comment_lines=DEFAULT_COMMENT_LINES):
        self.trace = trace
        self.index = FlowIndex(trace)
        self.fmt = Formatter(trace.table, elf)
        self.comment_lines = comment_lines
        idx = self.index
        if not idx.rx_frames and not idx.tx_frames:
            raise NgtraceError("%s: no FRAME_RX or FRAME_TX records: nothing to write (was "
                               "the FRAME class traced?)" % trace.path)
        self.frames = sorted(idx.rx_frames + idx.tx_frames)
        self.ifaces = {}            # netif key -> [if id, name, snaplen, registry id]
        for i in self.frames:
            rec = idx.recs[i]
            nid = rec.fields.get("netif", 0)
            k = idx.obj_key(rec.reg, nid)
            ifc = self.ifaces.get(k)
            if ifc is None:
                ifc = self.ifaces[k] = [len(self.ifaces), rec.reg.obj_name(nid), 0, nid]
            ifc[2] = max(ifc[2], len(rec.fields.get("data", b"")))
        self.rx_flows = {}          # FRAME_RX index -> Flow
        owner = {}
        for n, i in enumerate(idx.rx_frames, 1):
            f = self.rx_flows[i] = idx.rx_flow(n)
            for j in f.indexes():
                owner.setdefault(j, f)
        self.tx_flows = {}
        for n, i in enumerate(idx.tx_frames, 1):
            f = self.tx_flows[i] = idx.tx_flow(n)
            f.parent = owner.get(i)

    def comment(self, flow):
        if self.comment_lines == 0:
            return b""
        return clip_comment(flow_lines(flow, self.fmt, self.comment_lines))

    def blocks(self):
        tr = self.trace
        idx = self.index
        nrx, ntx = len(idx.rx_frames), len(idx.tx_frames)
        yield section_header("netglass trace %s: %d frame%s received, %d sent; comments "
                             "hold each frame's trace records" % (
                                 os.path.basename(tr.path), nrx, "" if nrx == 1 else "s", ntx))
        for if_id, name, snaplen, nid in sorted(self.ifaces.values()):
            yield interface(name, "netglass netif %s (registry id %d)" % (name, nid), snaplen)
        hz = tr.header.cpu_hz
        for i in self.frames:
            rec = idx.recs[i]
            f = rec.fields
            data = f.get("data", b"")
            ifc = self.ifaces[idx.obj_key(rec.reg, f.get("netif", 0))]
            rx = rec.event.name == "FRAME_RX"
            flow = (self.rx_flows if rx else self.tx_flows)[i]
            ts = rec.time * 10 ** TSRESOL // hz
            yield packet(ifc[0], ts, data, max(f.get("orig_len", 0), len(data)),
                         EPB_INBOUND if rx else EPB_OUTBOUND, self.comment(flow))


def write_pcapng(trace, path, elf=None, comment_lines=DEFAULT_COMMENT_LINES):
    """Write the pcapng file; returns the Capture (for its counts)."""
    cap = Capture(trace, elf, comment_lines)
    data = b"".join(cap.blocks())
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise NgtraceError("cannot write %s: %s" % (path, e.strerror or e))
    return cap
