"""A FAKE trace encoder, for tests and benchmarks only.

The real encoder is the C recorder (tracer/trace.c).  This one builds trace
files from records following docs/trace-format.md, so that the host tool can
be tested without QEMU.  It reads tracer/events.def with its own small parser
(deliberately not ngtracelib's, so that a mistake in one shows up against the
other) and computes the events signature itself.

    w = TraceWriter()
    w.sync(1000)
    w.record("THREAD_SWITCH", dt=5, to=1, **{"from": 0, "from_state": 1})
    w.name(1, "THREAD", "worker", addr=0x20000100)
    data = w.build(chunk_size=64)

build() also fills in chunk_offsets (file offset of each chunk header),
chunk_ends (file offset after each chunk) and record_offsets (file offset of
each record's header word).
"""

import bisect
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EVENTS_DEF = os.path.join(ROOT, "tracer", "events.def")

WIDTH = {"u8": 8, "u16": 16, "u24": 24, "u32": 32, "obj": 8, "thread": 8,
         "irq": 8, "kind": 8, "state": 8, "ptr": 32, "fn": 32, "ms": 32,
         "ticks": 32}
ENUM_WIDTH = 8          # a field of an NG_ENUM type, wherever it sits


class Spec:
    """One event as this fake encoder understands it."""

    def __init__(self, name, id_, cls, nwords, var, fields_text, enums=()):
        self.name = name
        self.id = id_
        self.cls = cls
        self.nwords = nwords
        self.var = var
        self.fields_text = fields_text
        toks = fields_text.split()
        # a VAR event's last token is its data: name:str or name:bytes
        self.str_field, self.var_type = toks.pop().split(":") if var else (None, None)
        # slots[0] is the a field, slots[1..] the words: lists of (name, type, shift, width)
        self.slots = []
        for tok in toks:
            slot = []
            shift = 0
            if tok != "-":
                for part in tok.split("|"):
                    nm, ty = part.split(":")
                    width = WIDTH.get(ty, ENUM_WIDTH if ty in enums else None)
                    assert width is not None, (name, nm, ty)
                    slot.append((nm, ty, shift, width))
                    shift += width
            self.slots.append(slot)
        assert len(self.slots) == 1 + nwords, name

    def field_names(self):
        out = [f[0] for slot in self.slots for f in slot]
        if self.str_field:
            out.append(self.str_field)
        return out

    def field_width(self, name):
        for slot in self.slots:
            for nm, _ty, _sh, width in slot:
                if nm == name:
                    return width
        raise KeyError(name)


def parse_enums(path=EVENTS_DEF):
    """{type: {name: value}} from the NG_ENUM lines of events.def."""
    enums = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"NG_ENUM\((\w+),\s*(\w+),\s*(\w+)\)", line)
            if m:
                enums.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3), 0)
    return enums


def parse_events_def(path=EVENTS_DEF):
    """(classes, kinds, states, specs) from events.def."""
    classes, kinds, states, specs = {}, {}, {}, []
    enums = parse_enums(path)
    with open(path) as f:
        for line in f:
            m = re.match(r'NG_EVENT\((\w+),\s*(\w+),\s*(\w+),\s*(\d+),\s*(\w+),\s*"(.*)"\)', line)
            if m:
                specs.append(Spec(m.group(1), int(m.group(2), 0), m.group(3),
                                  int(m.group(4)), m.group(5) == "VAR", m.group(6), enums))
                continue
            m = re.match(r"NG_(CLASS|KIND|STATE)\((\w+),\s*(\w+)\)", line)
            if m:
                {"CLASS": classes, "KIND": kinds, "STATE": states}[m.group(1)][m.group(2)] = \
                    int(m.group(3), 0)
    return classes, kinds, states, specs


def signature(classes, specs):
    total = 0
    for s in specs:
        total += ((s.id * 2654435761) % (1 << 32)) ^ (
            (s.nwords << 8) | (classes[s.cls] << 16) | ((1 if s.var else 0) << 24))
    return total % (1 << 32)


class TraceWriter:
    """Builds a trace file in memory."""

    def __init__(self, events_def=EVENTS_DEF, cpu_hz=12_000_000, tick_hz=100,
                 ring_size=4096, flags=0, build_id=b"", sig=None, version=1,
                 magic=b"NGTR"):
        self.classes, self.kinds, self.states, specs = parse_events_def(events_def)
        self.enums = parse_enums(events_def)
        self.specs = {s.name: s for s in specs}
        self.spec_list = specs
        self.cpu_hz = cpu_hz
        self.tick_hz = tick_hz
        self.ring_size = ring_size
        self.flags = flags
        self.build_id = build_id
        self.sig = signature(self.classes, specs) if sig is None else sig
        self.version = version
        self.magic = magic
        self.words = []             # the record stream, 32-bit words
        self.record_words = []      # stream word index of each record
        self.record_times = []      # time in cycles of each record
        self.time = 0               # time of the last record, in cycles
        self.synced = False

    # -- records -----------------------------------------------------------

    def record(self, event, dt=0, **fields):
        """Append one record; fields by name (missing ones are 0).  For a
        VAR event pass the string (or bytes) by its field name; len defaults
        to its length in bytes (UTF-8 for a str).  A field of an NG_ENUM
        type may be given by the value's name: fn="ip4_input"."""
        name = event
        spec = self.specs[name]
        assert 0 <= dt <= 0xFFFF, dt
        text = b""
        if spec.var:
            text = fields.get(spec.str_field, "")
            text = text.encode() if isinstance(text, str) else bytes(text)
            fields.setdefault("len", len(text))
        known = set(spec.field_names())
        for k in fields:
            assert k in known, "%s has no field %s" % (name, k)
        vals = []
        for slot in spec.slots:
            v = 0
            for nm, ty, shift, width in slot:
                x = fields.get(nm, 0)
                if isinstance(x, str):
                    x = self.enums[ty][x]
                assert 0 <= x < (1 << width), (name, nm, x)
                v |= x << shift
            vals.append(v)
        a = vals[0]
        self.record_words.append(len(self.words))
        self.words.append(spec.id | a << 8 | dt << 16)
        self.words.extend(vals[1:])
        if spec.var:
            pad = text + b"\0" * (-len(text) % 4)
            self.words.extend(struct.unpack("<%dI" % (len(pad) // 4), pad))
        if name == "SYNC":
            self.time = fields.get("cycles_lo", 0) | fields.get("cycles_hi", 0) << 32
            self.synced = True
        else:
            self.time += dt
        self.record_times.append(self.time)
        return len(self.record_words) - 1

    def sync(self, cycles):
        return self.record("SYNC", cycles_lo=cycles & 0xFFFFFFFF, cycles_hi=cycles >> 32)

    def at(self, time, event, **fields):
        """Append a record at an absolute time, with a SYNC first when the
        gap does not fit in dt (as the recorder does)."""
        assert time >= self.time
        if not self.synced or time - self.time > 0xFFFF:
            self.sync(time)
        return self.record(event, dt=time - self.time, **fields)

    def name(self, id_, kind, text, addr=0, dt=0):
        return self.record("NAME", dt=dt, id=id_, kind=self.kinds[kind], addr=addr, name=text)

    def switch(self, to, frm, state="RUNNING", dt=0):
        return self.record("THREAD_SWITCH", dt=dt, to=to,
                           **{"from": frm, "from_state": self.states[state]})

    def truncate(self, n):
        """Keep only the first n records (the time is not rewound)."""
        if n < len(self.record_words):
            del self.words[self.record_words[n]:]
            del self.record_words[n:]
            del self.record_times[n:]

    def raw(self, *words):
        """Append raw words (for corrupt streams)."""
        self.record_words.append(len(self.words))
        self.record_times.append(self.time)
        self.words.extend(words)

    # -- container ---------------------------------------------------------

    def header(self):
        bid = self.build_id + b"\0" * (-len(self.build_id) % 4)
        return struct.pack("<4sHHIIIIII", self.magic, self.version, 32 + len(bid), self.sig,
                           self.cpu_hz, self.tick_hz, self.ring_size, self.flags,
                           len(self.build_id)) + bid

    def stream(self):
        return struct.pack("<%dI" % len(self.words), *self.words)

    def build(self, chunk_size=65536, splits=None, seqs=None, magics=None):
        """The file.  The stream is cut into chunks of chunk_size bytes, or
        at the byte offsets in splits; seqs and magics override the sequence
        numbers and magics of chunks (for corrupt files)."""
        stream = self.stream()
        if splits is None:
            splits = list(range(chunk_size, len(stream), chunk_size))
        cuts = [0] + [s for s in splits if 0 < s < len(stream)] + [len(stream)]
        out = [self.header()]
        pos = len(out[0])
        self.chunk_offsets, self.chunk_ends, starts = [], [], []
        for k in range(len(cuts) - 1):
            payload = stream[cuts[k]:cuts[k + 1]]
            assert len(payload) % 4 == 0
            seq = seqs[k] if seqs and k in seqs else k
            magic = magics[k] if magics and k in magics else b"NGBK"
            self.chunk_offsets.append(pos)
            starts.append((cuts[k], pos + 12))
            out.append(struct.pack("<4sII", magic, seq, len(payload)) + payload)
            pos += 12 + len(payload)
            self.chunk_ends.append(pos)
        s0s = [s0 for s0, _f0 in starts]
        self.record_offsets = []
        for w in self.record_words:
            k = bisect.bisect_right(s0s, 4 * w) - 1
            self.record_offsets.append(starts[k][1] + 4 * w - starts[k][0])
        return b"".join(out)

    def write(self, path, **kw):
        data = self.build(**kw)
        with open(path, "wb") as f:
            f.write(data)
        return data


def workload(w, n_records, seed=1):
    """Append about n_records records of a plausible run to TraceWriter w:
    three threads passing messages through two mailboxes, a semaphore, the
    SysTick and a UART interrupt nesting into it, and timer callbacks.
    Returns the number of records appended."""
    import random
    rnd = random.Random(seed)
    start = len(w.record_words)
    w.sync(1000)
    w.name(1, "THREAD", "main", addr=0x20000100)
    w.name(2, "THREAD", "tcpip", addr=0x20000200)
    w.name(3, "THREAD", "app", addr=0x20000300)
    w.name(4, "MBOX", "tcpip_mbox", addr=0x20000400)
    w.name(5, "MBOX", "app_mbox", addr=0x20000480)
    w.name(6, "SEM", "rx_sem", addr=0x20000500)
    w.name(21, "IRQ", "uart0")
    w.switch(1, 0, "READY", dt=20)
    w.record("THREAD_CREATE", dt=30, thread=2, prio=3, stack=1024, entry=0x00000201)
    w.record("THREAD_CREATE", dt=30, thread=3, prio=2, stack=2048, entry=0x00000301)
    cur = 1
    msgs = [0x20001000 + 32 * k for k in range(16)]
    k = 0
    while len(w.record_words) - start < n_records:
        k += 1
        msg = msgs[k % len(msgs)]
        dt = lambda: rnd.randrange(5, 400)          # noqa: E731
        # app posts to tcpip, tcpip fetches, answers on app_mbox
        if cur != 3:
            w.switch(3, cur, "READY", dt=dt())
            cur = 3
        w.record("MBOX_POST", dt=dt(), mbox=4, msg=msg)
        w.record("MBOX_WAIT", dt=dt(), mbox=5, timeout=100)
        w.switch(2, 3, "BLOCKED", dt=dt())
        cur = 2
        w.record("MBOX_FETCH", dt=dt(), mbox=4, msg=msg)
        if k % 3 == 0:
            w.record("ISR_ENTER", dt=dt(), irq=15)
            if k % 6 == 0:
                w.record("ISR_ENTER", dt=dt(), irq=37)
                w.record("SEM_SIGNAL", dt=dt(), sem=6, count=1, woke=0)
                w.record("ISR_EXIT", dt=dt(), irq=37)
            w.record("TIMER_FIRE", dt=dt(), handler=0x00000401, arg=msg)
            w.record("ISR_EXIT", dt=dt(), irq=15)
        w.record("SEM_WAIT", dt=dt(), sem=6, timeout=10)
        w.record("SEM_TAKE", dt=dt(), sem=6, count=0)
        if k % 50 == 0:
            w.record("MBOX_TRYPOST", dt=dt(), mbox=5, msg=msg)
            w.record("MBOX_FULL", dt=dt(), mbox=5, msg=msg + 4)
        else:
            w.record("MBOX_POST", dt=dt(), mbox=5, msg=msg)
        w.switch(3, 2, "RUNNING" if k % 7 else "SLEEPING", dt=dt())
        cur = 3
        w.record("MBOX_FETCH", dt=dt(), mbox=5, msg=msg)
        if k % 11 == 0:
            w.record("MBOX_WAIT", dt=dt(), mbox=5, timeout=5)
            w.record("MBOX_TIMEOUT", dt=rnd.randrange(5000, 60000), mbox=5)
        if k % 97 == 0:
            w.at(w.time + 100000, "APP_MARK", code=1, value=k)   # a gap: SYNC first
    w.truncate(start + n_records)
    return len(w.record_words) - start


# -- frames and a received ping ----------------------------------------------

def inet_checksum(data):
    """RFC 1071: the one's complement of the one's complement sum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_packet(src, dst, proto, payload, ident=1, ttl=64):
    """An IPv4 header (RFC 791 3.1, no options) with a right checksum, and
    payload."""
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, ttl, proto, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack(">H", inet_checksum(hdr)) + hdr[12:]
    return hdr + payload


def icmp_echo_frame(src_mac, dst_mac, src_ip, dst_ip, ident=0x1234, seq=1,
                    payload=bytes(range(56)), reply=False):
    """An Ethernet II frame holding an ICMP echo request (or reply,
    RFC 792) with right checksums."""
    icmp = struct.pack(">BBHHH", 0 if reply else 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack(">H", inet_checksum(icmp)) + icmp[4:]
    return bytes(dst_mac) + bytes(src_mac) + b"\x08\x00" + ipv4_packet(src_ip, dst_ip, 1, icmp)


def arp_frame(src_mac, src_ip, dst_ip, op=1, dst_mac=b"\xff" * 6):
    """An Ethernet II frame holding an ARP request or reply (RFC 826)."""
    tha = b"\0" * 6 if op == 1 else bytes(dst_mac)
    arp = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, bytes(src_mac), bytes(src_ip),
                      tha, bytes(dst_ip))
    return bytes(dst_mac) + bytes(src_mac) + b"\x08\x06" + arp


PEER_MAC = bytes.fromhex("525400aabbcc")
OUR_MAC = bytes.fromhex("525400123456")
PEER_IP = bytes([10, 0, 2, 2])
OUR_IP = bytes([10, 0, 2, 15])

# registry ids of the ping scenario
T_MAIN, T_IDLE, T_ETH_RX, T_TCPIP, S_RX, M_TCPIP, N_EN0 = 1, 2, 3, 4, 5, 6, 7
ETH_IRQ = 16 + 42                   # the Stellaris MAC's exception number
NETIF_ADDR = 0x20000800
FN_ETHERNET_INPUT = 0x00001235


class PingScenario:
    """Writes the records of the receive path of design section 1 for
    received frames into a TraceWriter, as the firmware is expected to:
    the ISR signals the receive thread's semaphore, eth_rx runs
    ethernetif_input -> low_level_input (FRAME_RX) -> tcpip_input ->
    tcpip_inpkt (trypost of an INPKT message to tcpip_mbox), tcpip_thread
    fetches it (TCPIP_MSG) and runs tcpip_thread -> ethernet_input ->
    ip4_input -> icmp_input -> ip4_output_if -> etharp_output ->
    ethernet_output -> low_level_output (FRAME_TX).

    marks collects the record index of each step by a name, per frame."""

    def __init__(self, w, keep=64, sync_at=1000):
        self.w = w
        self.keep = keep
        self.marks = []
        self.msg = 0x20001000
        self.pbuf = 0x20002000
        w.sync(sync_at)
        w.name(T_MAIN, "THREAD", "main", addr=0x20000100)
        w.name(T_IDLE, "THREAD", "idle", addr=0x20000200)
        w.name(T_ETH_RX, "THREAD", "eth_rx", addr=0x20000300)
        w.name(T_TCPIP, "THREAD", "tcpip_thread", addr=0x20000400)
        w.name(S_RX, "SEM", "eth_rx_sem", addr=0x20000500)
        w.name(M_TCPIP, "MBOX", "tcpip_mbox", addr=0x20000600)
        w.name(N_EN0, "NETIF", "en0", addr=NETIF_ADDR)
        w.switch(T_TCPIP, 0, "READY", dt=10)
        w.record("MBOX_WAIT", dt=10, mbox=M_TCPIP, timeout=0xFFFFFFFF)
        w.switch(T_ETH_RX, T_TCPIP, "BLOCKED", dt=10)
        w.record("SEM_WAIT", dt=10, sem=S_RX, timeout=0xFFFFFFFF)
        w.switch(T_IDLE, T_ETH_RX, "BLOCKED", dt=10)

    def _frame(self, event, data, dt):
        return self.w.record(event, dt=dt, netif=N_EN0, len=min(len(data), self.keep),
                             orig_len=len(data), data=data[:self.keep])

    def rx_one(self, m, data, pbuf):
        """eth_rx's part for one frame (ethernetif_input already entered)."""
        w = self.w
        m["lli_enter"] = w.record("LAYER_ENTER", dt=30, fn="low_level_input", arg=NETIF_ADDR)
        m["pbuf_alloc"] = w.record("PBUF_ALLOC", dt=40, type=0x82, p=pbuf, tot_len=len(data))
        m["frame_rx"] = self._frame("FRAME_RX", data, 200)
        m["lli_exit"] = w.record("LAYER_EXIT", dt=20, fn="low_level_input")
        m["tcpip_input"] = w.record("LAYER_ENTER", dt=20, fn="tcpip_input", arg=pbuf)
        w.record("LAYER_ENTER", dt=10, fn="tcpip_inpkt", arg=pbuf)
        m["post"] = w.record("MBOX_TRYPOST", dt=30, mbox=M_TCPIP, msg=self.msg_of(pbuf))
        w.record("LAYER_EXIT", dt=10, fn="tcpip_inpkt")
        w.record("LAYER_EXIT", dt=10, fn="tcpip_input")

    def msg_of(self, pbuf):
        return self.msg + (pbuf - self.pbuf) // 8

    def tcpip_one(self, m, pbuf, reply):
        """tcpip_thread's part for one INPKT message."""
        w = self.w
        msg = self.msg_of(pbuf)
        m["fetch"] = w.record("MBOX_FETCH", dt=40, mbox=M_TCPIP, msg=msg)
        m["tcpip_msg"] = w.record("TCPIP_MSG", dt=20, type="INPKT", msg=msg,
                                  handler=FN_ETHERNET_INPUT)
        chain = ["tcpip_thread", "ethernet_input", "ip4_input", "icmp_input"]
        if reply is not None:
            chain += ["ip4_output_if", "etharp_output", "ethernet_output", "low_level_output"]
        for fn in chain:
            arg = msg if fn == "tcpip_thread" else pbuf
            m[fn] = w.record("LAYER_ENTER", dt=25, fn=fn, arg=arg)
        if reply is not None:
            m["frame_tx"] = self._frame("FRAME_TX", reply, 150)
        for fn in reversed(chain):
            if fn == "ethernet_input":
                m["pbuf_free"] = w.record("PBUF_FREE", dt=10, type=0x82, p=pbuf)
            m["exit_" + fn] = w.record("LAYER_EXIT", dt=15, fn=fn)

    def ping(self, seq=1, frames=1, gap=5000):
        """One interrupt for `frames` echo requests (all handled in one
        ethernetif_input activation), then tcpip_thread answers each.
        Returns the marks of the frames."""
        w = self.w
        marks = [{} for _ in range(frames)]
        w.at(w.time + gap, "ISR_ENTER", irq=ETH_IRQ)
        marks[0]["isr_enter"] = len(w.record_words) - 1
        marks[0]["signal"] = w.record("SEM_SIGNAL", dt=20, sem=S_RX, count=0, woke=T_ETH_RX)
        marks[0]["isr_exit"] = w.record("ISR_EXIT", dt=10, irq=ETH_IRQ)
        marks[0]["switch_rx"] = w.switch(T_ETH_RX, T_IDLE, "READY", dt=30)
        marks[0]["take"] = w.record("SEM_TAKE", dt=20, sem=S_RX, count=0)
        marks[0]["ethif_enter"] = w.record("LAYER_ENTER", dt=20, fn="ethernetif_input",
                                           arg=NETIF_ADDR)
        pbufs = []
        for k in range(frames):
            pbuf = self.pbuf + 0x100 * (len(self.marks) + k)
            pbufs.append(pbuf)
            req = icmp_echo_frame(PEER_MAC, OUR_MAC, PEER_IP, OUR_IP, seq=seq + k)
            marks[k]["request"] = req
            self.rx_one(marks[k], req, pbuf)
        marks[-1]["ethif_exit"] = w.record("LAYER_EXIT", dt=10, fn="ethernetif_input")
        w.record("SEM_WAIT", dt=10, sem=S_RX, timeout=0xFFFFFFFF)
        marks[0]["switch_tcpip"] = w.switch(T_TCPIP, T_ETH_RX, "BLOCKED", dt=30)
        for k in range(frames):
            rep = icmp_echo_frame(OUR_MAC, PEER_MAC, OUR_IP, PEER_IP, seq=seq + k, reply=True)
            marks[k]["reply"] = rep
            self.tcpip_one(marks[k], pbufs[k], rep)
        w.record("MBOX_WAIT", dt=20, mbox=M_TCPIP, timeout=0xFFFFFFFF)
        w.switch(T_IDLE, T_TCPIP, "BLOCKED", dt=10)
        self.marks.extend(marks)
        return marks

    def end(self):
        self.w.at(self.w.time + 100, "END", status=0)
