"""Reading a trace file: the container and the decoded record stream.

Trace(path) reads the file header and the chunks of docs/trace-format.md,
checks them (magic, version, events signature, chunk magic, sequence and
length, each problem reported with its file offset), and joins the chunk
payloads into the record stream.  Trace.records() then decodes the stream
into Record objects, rebuilding along the way what the records do not repeat:

  time     64-bit cycle count: SYNC sets it, every other record adds its dt
  context  the running thread (THREAD_SWITCH, OVERFLOW) and the stack of
           interrupts being served (ISR_ENTER, ISR_EXIT, OVERFLOW)
  names    the registry of NAME/UNNAME: each record keeps the registry
           snapshot in force at its moment, so a reused id resolves to the
           name it had then
  losses   the lost-record counts of OVERFLOW

Decisions where the format leaves room (also in docs/ngtrace.md):

* A SYNC record's time is the absolute count it carries; its dt is ignored.
  Records before the first SYNC count from 0 (with a warning).
* THREAD_SWITCH and ISR_EXIT are attributed to the context that was running
  when they were written (the thread switched away from, the interrupt that
  ends); ISR_ENTER and OVERFLOW to the context they establish.
* OVERFLOW resynchronises the context to its thread, with one interrupt on
  the stack if its irq is not 0 (exception number 0 means thread mode).
* A NAME of kind IRQ names an exception number (its id field), in a table of
  its own; it does not take a registry id.  The NAME record itself already
  resolves its id to the new name; an UNNAME record still shows the old one.
* A problem in the container after some good chunks (a bad magic or
  sequence, a chunk running past the end of the file) does not stop the
  records before it from being decoded: records() yields them, then raises
  the error.  A file that ends exactly at a chunk boundary is not an error;
  without an END record it is reported as cut short (a warning).
"""

import array
import operator
import struct
import sys

from . import events as events_mod
from .errors import NgtraceError

FILE_MAGIC = b"NGTR"
CHUNK_MAGIC = b"NGBK"
FORMAT_VERSION = 1
MAX_CHUNK = 65536

HEADER = struct.Struct("<4sHHIIIIII")    # the fixed 32 bytes of the file header
CHUNK = struct.Struct("<4sII")          # magic, sequence, payload length

# What the decoder needs from events.def: event -> fields it interprets.
REQUIRED = {
    "SYNC": ("cycles_lo", "cycles_hi"),
    "OVERFLOW": ("thread", "lost", "irq"),
    "END": ("status",),
    "NAME": ("id", "kind", "len", "addr", "name"),
    "UNNAME": ("id",),
    "THREAD_SWITCH": ("to", "from", "from_state"),
    "ISR_ENTER": ("irq",),
    "ISR_EXIT": ("irq",),
}

# Codes of the records the reader interprets itself (others: 0).
_SYNC, _OVERFLOW, _END, _NAME, _UNNAME, _SWITCH, _ENTER, _EXIT, _VAR = range(1, 10)
_SPECIAL = {"SYNC": _SYNC, "OVERFLOW": _OVERFLOW, "END": _END, "NAME": _NAME,
            "UNNAME": _UNNAME, "THREAD_SWITCH": _SWITCH, "ISR_ENTER": _ENTER,
            "ISR_EXIT": _EXIT}

# Cortex-M core exception numbers; 16 + n is IRQ n.
CORE_EXCEPTIONS = {1: "Reset", 2: "NMI", 3: "HardFault", 4: "MemManage",
                   5: "BusFault", 6: "UsageFault", 11: "SVCall",
                   12: "DebugMon", 14: "PendSV", 15: "SysTick"}


def exception_name(exc):
    """SysTick for 15, irq42 for exception 58 (IRQ 42), exc7 for others."""
    if exc >= 16:
        return "irq%d" % (exc - 16)
    return CORE_EXCEPTIONS.get(exc) or "exc%d" % exc


class Name:
    """One NAME record: what an id (or, for kind IRQ, an exception) is."""
    __slots__ = ("id", "kind", "addr", "name", "serial")

    def __init__(self, id_, kind, addr, name, serial):
        self.id = id_
        self.kind = kind
        self.addr = addr
        self.name = name
        self.serial = serial        # index of the NAME record: unique

    def __repr__(self):
        return "Name(%d, %r, kind=%d)" % (self.id, self.name, self.kind)


class Registry:
    """An immutable snapshot of the names in force: NAME and UNNAME make a
    new one, so every record can keep a reference to its own."""
    __slots__ = ("objs", "irqs", "_ctx", "_obj_disp", "_irq_disp")

    def __init__(self, objs=None, irqs=None):
        self.objs = objs or {}      # registry id -> Name
        self.irqs = irqs or {}      # exception number -> Name (kind IRQ)
        self._ctx = {}
        self._obj_disp = None
        self._irq_disp = None

    def obj_names(self):
        """A list: id (0..255) -> obj_name(id), for fast formatting."""
        if self._obj_disp is None:
            self._obj_disp = [self.obj_name(k) for k in range(256)]
        return self._obj_disp

    def irq_names(self):
        """A list: exception number (0..255) -> irq_name, "none" for 0."""
        if self._irq_disp is None:
            self._irq_disp = ["none"] + [self.irq_name(k) for k in range(1, 256)]
        return self._irq_disp

    def with_obj(self, name):
        objs = dict(self.objs)
        objs[name.id] = name
        return Registry(objs, self.irqs)

    def with_irq(self, name):
        irqs = dict(self.irqs)
        irqs[name.id] = name
        return Registry(self.objs, irqs)

    def without(self, id_):
        objs = dict(self.objs)
        objs.pop(id_, None)
        return Registry(objs, self.irqs)

    def obj_name(self, id_):
        """Name of an object id: "none" for 0, "#5" if never named."""
        n = self.objs.get(id_)
        if n is not None:
            return n.name
        return "none" if id_ == 0 else "#%d" % id_

    def thread_name(self, id_):
        """Name of a thread id as a context: "boot" for 0."""
        n = self.objs.get(id_)
        if n is not None:
            return n.name
        return "boot" if id_ == 0 else "thread#%d" % id_

    def irq_name(self, exc):
        """Name of an exception number: a NAME of kind IRQ, else SysTick,
        irqN (N = exception - 16), ..."""
        n = self.irqs.get(exc)
        return n.name if n is not None else exception_name(exc)

    def context_name(self, ctx):
        """"worker", "boot", "isr:SysTick", ... for a Record.ctx value."""
        s = self._ctx.get(ctx)
        if s is None:
            if ctx >> 8:
                s = "isr:" + self.irq_name(ctx >> 8)
            else:
                s = self.thread_name(ctx)
            self._ctx[ctx] = s
        return s


class Record(tuple):
    """One decoded record: a tuple (for speed) with named parts.

    index   position in the record stream (0-based)
    time    64-bit time in cycles
    ctx     the context: thread id in bits 0..7, and the exception number of
            the interrupt being served in bits 8.. (0 in thread mode)
    event   the events.Event
    fields  dict of the decoded fields (ints; a VAR record's data as str,
            or as bytes for a field of type bytes)
    offset  file offset of the record's header word
    reg     the Registry snapshot in force at this record
    """
    __slots__ = ()

    index = property(operator.itemgetter(0))
    time = property(operator.itemgetter(1))
    ctx = property(operator.itemgetter(2))
    event = property(operator.itemgetter(3))
    fields = property(operator.itemgetter(4))
    offset = property(operator.itemgetter(5))
    reg = property(operator.itemgetter(6))

    @property
    def name(self):
        return self[3].name

    @property
    def thread(self):
        """The thread id running (under the interrupt, if one is served)."""
        return self[2] & 0xFF

    @property
    def isr(self):
        """The exception number being served, or None in thread mode."""
        return (self[2] >> 8) or None

    @property
    def context(self):
        """The context's name as of this record: "worker", "isr:SysTick"."""
        return self[6].context_name(self[2])

    def __repr__(self):
        return "Record(#%d %s t=%d %s %r @%d)" % (
            self.index, self.event.name, self.time, self.context, self.fields,
            self.offset)


class Header:
    """The file header fields."""

    def __init__(self, version, header_len, signature, cpu_hz, tick_hz,
                 ring_size, flags, build_id):
        self.version = version
        self.header_len = header_len
        self.signature = signature
        self.cpu_hz = cpu_hz
        self.tick_hz = tick_hz
        self.ring_size = ring_size
        self.flags = flags
        self.build_id = build_id

    @property
    def transport(self):
        return "UART1" if self.flags & 1 else "semihosting"


class Chunk:
    """One chunk of the container."""
    __slots__ = ("seq", "offset", "length", "stream_offset")

    def __init__(self, seq, offset, length, stream_offset):
        self.seq = seq
        self.offset = offset                # file offset of the chunk header
        self.length = length                # payload bytes present
        self.stream_offset = stream_offset  # where the payload starts in the stream


def _u32_array(data):
    a = array.array("I")
    if a.itemsize != 4:
        a = array.array("L")
        if a.itemsize != 4:
            raise NgtraceError("no 32-bit array type on this Python")
    a.frombytes(data)
    if sys.byteorder == "big":
        a.byteswap()
    return a


class Trace:
    """A trace file.  Reading it checks the header and the chunks; iterating
    records() decodes the stream and fills in the statistics (count, lost,
    end_seen, ...) as it goes."""

    def __init__(self, path, table=None, warn=None):
        self.path = path
        self.table = table or events_mod.load()
        self.warn = warn or (lambda msg: None)
        self._check_table()
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise NgtraceError("cannot read trace %s: %s" % (path, e.strerror or e))
        self.file_size = len(data)
        self.header = self._read_header(data)
        self.chunks = []
        self.pending_error = None       # container problem after good chunks
        self.stream = self._read_chunks(data)
        self.stream_bytes = len(self.stream)
        self._reset_stats()

    def _reset_stats(self):
        """The statistics that records() fills in as it goes."""
        self.count = 0
        self.lost = 0
        self.overflows = 0
        self.first_overflow_offset = None
        self.end_seen = False
        self.end_status = None
        self.first_time = None
        self.last_time = None
        self.per_event = [0] * 256
        self.unmatched_isr_exits = 0

    # -- container ---------------------------------------------------------

    def _check_table(self):
        t = self.table
        for name, fields in REQUIRED.items():
            ev = t.by_name.get(name)
            if ev is None:
                raise NgtraceError("%s: the decoder needs an NG_EVENT %s" % (t.path, name))
            for f in fields:
                if f not in ev.field_types:
                    raise NgtraceError("%s: event %s needs a field %s"
                                       % (t.path, name, f))

    def _read_header(self, data):
        n = len(data)
        if n < 4 or data[:4] != FILE_MAGIC:
            raise NgtraceError("%s: not a trace file: bad magic %r at offset 0 (expected %r)"
                               % (self.path, bytes(data[:4]), FILE_MAGIC))
        if n < HEADER.size:
            raise NgtraceError("%s: truncated file header at offset %d: %d bytes, need %d"
                               % (self.path, n, n, HEADER.size))
        (_, version, hlen, sig, cpu_hz, tick_hz, ring, flags,
         bid_len) = HEADER.unpack_from(data, 0)
        if version != FORMAT_VERSION:
            raise NgtraceError("%s: unsupported format version %d at offset 4 "
                               "(this tool reads version %d)"
                               % (self.path, version, FORMAT_VERSION))
        if hlen < HEADER.size or hlen % 4:
            raise NgtraceError("%s: bad header length %d at offset 6" % (self.path, hlen))
        if HEADER.size + bid_len > hlen:
            raise NgtraceError("%s: build id length %d at offset 28 does not fit in "
                               "the header of %d bytes" % (self.path, bid_len, hlen))
        if n < hlen:
            raise NgtraceError("%s: truncated file header at offset %d: %d bytes, need %d"
                               % (self.path, n, n, hlen))
        if sig != self.table.signature:
            raise NgtraceError(
                "%s: events signature mismatch at offset 8: the trace has 0x%08x, "
                "%s gives 0x%08x (the trace was written with a different events table)"
                % (self.path, sig, self.table.path, self.table.signature))
        if cpu_hz == 0:
            raise NgtraceError("%s: cpu_hz is 0 at offset 12" % self.path)
        build_id = bytes(data[HEADER.size:HEADER.size + bid_len])
        return Header(version, hlen, sig, cpu_hz, tick_hz, ring, flags, build_id)

    def _read_chunks(self, data):
        n = len(data)
        pos = self.header.header_len
        parts = []
        stream_len = 0
        seq = 0
        where = self.path
        while pos < n:
            if n - pos < CHUNK.size:
                self.pending_error = ("%s: truncated chunk header at offset %d: "
                                      "%d bytes left, need %d" % (where, pos, n - pos, CHUNK.size))
                break
            magic, cseq, length = CHUNK.unpack_from(data, pos)
            if magic != CHUNK_MAGIC:
                self.pending_error = ("%s: bad chunk magic %r at offset %d (expected %r)"
                                      % (where, magic, pos, CHUNK_MAGIC))
                break
            if cseq != seq:
                self.pending_error = ("%s: bad chunk sequence at offset %d: expected %d, found %d"
                                      % (where, pos + 4, seq, cseq))
                break
            if length % 4 or length > MAX_CHUNK:
                self.pending_error = ("%s: bad chunk length %d at offset %d (a multiple of 4, "
                                      "at most %d)" % (where, length, pos + 8, MAX_CHUNK))
                break
            start = pos + CHUNK.size
            present = min(length, n - start)
            if present < length:
                self.pending_error = ("%s: truncated chunk %d at offset %d: payload of %d bytes "
                                      "at offset %d runs past the end of the file at offset %d"
                                      % (where, seq, pos, length, start, n))
                present &= ~3
            self.chunks.append(Chunk(seq, pos, present, stream_len))
            parts.append(data[start:start + present])
            stream_len += present
            pos = start + length
            seq += 1
        return b"".join(parts)

    # -- records -----------------------------------------------------------

    def _offset_map(self):
        """(first word, end word, byte delta) per non-empty chunk: the file
        offset of stream word i is 4 * i + delta."""
        out = []
        for c in self.chunks:
            if c.length:
                w0 = c.stream_offset >> 2
                out.append((w0, w0 + (c.length >> 2), c.offset + CHUNK.size - c.stream_offset))
        out.append((1 << 62, 1 << 62, 0))
        return out

    def records(self):
        """Decode the record stream, yielding Record objects in order.
        Raises NgtraceError at the first problem, after the records before
        it; warnings go to the warn callback at the end."""
        self._reset_stats()
        table = self.table
        by_id = table.by_id
        info = [None] * 256         # id -> (event, nwords, decode, special code)
        for ev in table.events:
            info[ev.id] = (ev, ev.nwords, ev.decode, _SPECIAL.get(ev.name, _VAR if ev.var else 0))
        irq_kind = table.kinds.get("IRQ")
        stream = self.stream
        words = _u32_array(stream[:len(stream) & ~3])
        nw = len(words)
        omap = self._offset_map()
        ci = 0
        cend = omap[0][1]
        delta = omap[0][2]
        path = self.path
        warn = self.warn

        t = 0
        thread = 0
        isr = []
        ctx = 0
        reg = Registry()
        index = 0
        i = 0
        back_warned = False
        lost = 0
        Rec = Record
        new = tuple.__new__
        per_event = self.per_event
        if nw and by_id[words[0] & 0xFF] is not table.by_name["SYNC"] \
                and by_id[words[0] & 0xFF] is not None:
            warn("%s: the first record (offset %d) is %s, not SYNC: times count from 0"
                 % (path, delta, by_id[words[0] & 0xFF].name))
        try:
            while i < nw:
                while i >= cend:
                    ci += 1
                    cend = omap[ci][1]
                    delta = omap[ci][2]
                h = words[i]
                eid = h & 0xFF
                e = info[eid]
                if e is None:
                    self._bad_id(eid, 4 * i + delta)
                ev, j, decode, sp = e
                j += i + 1
                if j > nw:
                    if self._cut_at_chunk_end(4 * i + delta, ev):
                        break
                fields = decode((h >> 8) & 0xFF, words, i + 1)
                per_event[eid] += 1
                if index == 0:
                    self.first_time = t + (h >> 16) if sp != _SYNC else \
                        fields["cycles_lo"] | fields["cycles_hi"] << 32
                if not sp:
                    t += h >> 16
                    yield new(Rec, (index, t, ctx, ev, fields, 4 * i + delta, reg))
                else:
                    off = 4 * i + delta
                    if ev.var:
                        ln = fields[ev.len_field]
                        b0 = 4 * j
                        j += (ln + 3) >> 2
                        if j > nw:
                            if self._cut_at_chunk_end(off, ev):
                                break
                        data = stream[b0:b0 + ln]
                        fields[ev.str_field] = data if ev.var_type == "bytes" else \
                            data.decode("utf-8", "replace")
                    rctx = ctx
                    rreg = reg
                    if sp == _SYNC:
                        nt = fields["cycles_lo"] | fields["cycles_hi"] << 32
                        if nt < t and not back_warned:
                            warn("%s: SYNC at offset %d goes back in time by %d cycles"
                                 % (path, off, t - nt))
                            back_warned = True
                        t = nt
                    else:
                        t += h >> 16
                        if sp == _SWITCH:
                            thread = fields["to"]
                            ctx = (isr[-1] << 8 | thread) if isr else thread
                        elif sp == _ENTER:
                            isr.append(fields["irq"])
                            ctx = rctx = fields["irq"] << 8 | thread
                        elif sp == _EXIT:
                            irq = fields["irq"]
                            rctx = irq << 8 | thread
                            if isr and isr[-1] == irq:
                                isr.pop()
                            elif irq in isr:
                                while isr.pop() != irq:
                                    pass
                            else:
                                self.unmatched_isr_exits += 1
                            ctx = (isr[-1] << 8 | thread) if isr else thread
                        elif sp == _OVERFLOW:
                            thread = fields["thread"]
                            irq = fields["irq"]
                            isr = [irq] if irq else []
                            ctx = rctx = (irq << 8 | thread) if irq else thread
                            lost += fields["lost"]
                            self.overflows += 1
                            if self.first_overflow_offset is None:
                                self.first_overflow_offset = off
                        elif sp == _NAME:
                            nm = Name(fields["id"], fields["kind"], fields["addr"],
                                      fields["name"], index)
                            reg = reg.with_irq(nm) if nm.kind == irq_kind else reg.with_obj(nm)
                            rreg = reg
                        elif sp == _UNNAME:
                            reg = reg.without(fields["id"])
                        elif sp == _END:
                            self.end_seen = True
                            st = fields["status"]
                            self.end_status = st - (1 << 32) if st & 0x80000000 else st
                    yield new(Rec, (index, t, rctx, ev, fields, off, rreg))
                index += 1
                i = j
        finally:
            self.count = index
            self.lost = lost
            self.last_time = t if index else None
        self._stop()
        if not self.end_seen:
            warn("%s: no END record: the trace was cut short (QEMU killed, or a fault "
                 "before the flush); decoded what is there" % path)
        if lost:
            warn("%s: %d record%s lost in %d overflow%s (the first OVERFLOW at offset %d)"
                 % (path, lost, "" if lost == 1 else "s", self.overflows,
                    "" if self.overflows == 1 else "s", self.first_overflow_offset))
        if self.unmatched_isr_exits:
            warn("%s: %d ISR_EXIT record%s without a matching ISR_ENTER"
                 % (path, self.unmatched_isr_exits,
                    "" if self.unmatched_isr_exits == 1 else "s"))

    def _bad_id(self, eid, offset):
        if eid == 0:
            raise NgtraceError("%s: zero event id at offset %d (zeroed or corrupt data)"
                               % (self.path, offset))
        raise NgtraceError("%s: unknown event id 0x%02x at offset %d (not in events.def)"
                           % (self.path, eid, offset))

    def _stop(self):
        """Raise the container error that was found after the good chunks."""
        if self.pending_error:
            raise NgtraceError(self.pending_error)

    def _cut_at_chunk_end(self, offset, ev):
        """The record stream ends inside a record. If the file itself ended
        cleanly after a whole chunk, the run was stopped from outside
        between two drains, and the record was split across the chunk
        being shipped and the next one, which never came: a warning, and
        the records before it stand (returns True). Anything else is
        corruption (raises)."""
        if self.pending_error or self.end_seen:
            self._truncated(offset, ev)
        self.cut_record = True
        self.warn("%s: the last record (%s at offset %d) was cut off with the trace"
                  % (self.path, ev.name if ev else "?", offset))
        return True

    def _truncated(self, offset, ev):
        self._stop()
        raise NgtraceError("%s: truncated record at offset %d%s: the record stream ends "
                           "inside it" % (self.path, offset,
                                          " (%s)" % ev.name if ev else ""))

    def read_all(self):
        """All records as a list."""
        return list(self.records())

    # -- helpers -----------------------------------------------------------

    def us(self, cycles):
        """Cycles to microseconds."""
        return cycles * 1e6 / self.header.cpu_hz
