"""The trace ring in RAM, decoded: "ng trace".

Finds the recorder's ring and indexes (struct ng_trace, or the globals of
older trees), finds record boundaries in it (anywhere but word 0 a record
has no known start), and gives each record its time (SYNC and dt) and its
context (thread or interrupt), as tracer/ngtrace does on the host.
"""

import re
import struct

import gdb

from .common import (NgCommand, NgError, U32, cpu_hz, describe_ptr, exception_name, lookup,
                     out, read_words)
from .events import events
from .registry import Registry
from .threads import current_addr


MAX_RECORD = 1 + 2 + 8 + 2     # header, 2 words, a NAME's string (+ slack)


SLACK = 16                      # words beyond head a record may be writing


class Record:
    __slots__ = ("pos", "ev", "a", "dt", "fields", "words", "time", "ctx")


def decode_at(table, get, pos, end, reg_size):
    """The record at pos, or None if the words there cannot be one."""
    hdr = get(pos)
    ev = table.by_id.get(hdr & 0xff)
    if ev is None:
        return None
    a, dt = hdr >> 8 & 0xff, hdr >> 16
    n = 1 + ev.nwords
    if pos + n > end:
        return None
    args = [get(pos + 1 + k) for k in range(ev.nwords)]
    fields = {}
    for f in ev.fields:
        if f.word == "str":         # a VAR record's data, read below
            continue
        src = a if f.word is None else args[f.word]
        val = src >> f.shift & ((1 << f.width) - 1)
        if f.type in ("obj", "thread") and val >= reg_size:
            return None
        if f.type == "kind" and val not in table.kinds:
            return None
        if f.type == "state" and val not in table.states:
            return None
        fields[f.name] = val
    if not any(f.word is None for f in ev.fields) and a:
        return None                 # an unused "a" is always 0
    if ev.name in ("SYNC", "OVERFLOW") and dt:
        return None
    if ev.var:
        length = fields.get("len", 0)
        if length > 64:
            return None
        nstr = (length + 3) // 4
        if pos + n + nstr > end:
            return None
        raw = b"".join(struct.pack("<I", get(pos + n + k)) for k in range(nstr))
        for f in ev.fields:
            if f.type == "str":
                fields[f.name] = raw[:length].decode("latin-1")
            elif f.type == "bytes":
                fields[f.name] = raw[:length]
        n += nstr
    r = Record()
    r.pos, r.ev, r.a, r.dt, r.fields, r.words = pos, ev, a, dt, fields, n
    r.time, r.ctx = None, None
    return r


def decode_chain(table, get, start, end, reg_size):
    """Records from start that end exactly at end, or None."""
    recs = []
    pos = start
    while pos < end:
        r = decode_at(table, get, pos, end, reg_size)
        if r is None:
            return None
        recs.append(r)
        pos += r.words
    return recs


def decode_ring(table, ring, words, head, tail, reg_size):
    """Decode the ring's records in order. The ring holds the words
    [head - words, head); a record being written when the target stopped
    may have overwritten the oldest SLACK of them, but never one at or
    after tail (the recorder does not overwrite unshipped words). Word 0
    starts the stream; anywhere else records have no known start, so try
    every start in the first MAX_RECORD words and keep the records that
    all valid readings agree on."""
    get = lambda i: ring[i % words]         # noqa: E731
    lo = max(0, head - words, min(head - words + SLACK, tail))
    if lo == 0:
        recs = decode_chain(table, get, 0, head, reg_size)
        if recs is not None:
            return recs, False
    chains = []
    for start in range(lo, min(lo + MAX_RECORD, head)):
        recs = decode_chain(table, get, start, head, reg_size)
        if recs is not None:
            chains.append(recs)
    if not chains:
        return [], True
    common = set(r.pos for r in chains[0])
    for c in chains[1:]:
        common &= set(r.pos for r in c)
    if not common:
        return chains[0], True
    first = min(common)
    return [r for r in chains[0] if r.pos >= first], False


def assign_context(recs, current_id):
    """Attribute each record to the thread or interrupt it ran in, as the
    host decoder does: THREAD_SWITCH says who runs now, ISR_ENTER/ISR_EXIT
    keep a stack of interrupts, OVERFLOW resets both. What ran before the
    first of these is inferred (the 'from' of the first switch, interrupts
    exited but never entered)."""
    thread = None
    for r in recs:
        if r.ev.name == "THREAD_SWITCH":
            thread = r.fields.get("from")
            break
        if r.ev.name == "OVERFLOW":
            break
    else:
        thread = current_id
    depth, unmatched = 0, []
    for r in recs:
        if r.ev.name == "ISR_ENTER":
            depth += 1
        elif r.ev.name == "ISR_EXIT":
            if depth:
                depth -= 1
            else:
                unmatched.append(r.fields.get("irq"))
        elif r.ev.name == "OVERFLOW":
            break
    isr = list(reversed(unmatched))
    for r in recs:
        r.ctx = ("isr", isr[-1]) if isr else ("thread", thread)
        name = r.ev.name
        if name == "THREAD_SWITCH":
            thread = r.fields.get("to")
        elif name == "ISR_ENTER":
            isr.append(r.fields.get("irq"))
        elif name == "ISR_EXIT":
            if isr:
                isr.pop()
        elif name == "OVERFLOW":
            thread = r.fields.get("thread")
            irq = r.fields.get("irq")
            isr = [irq] if irq else []


def assign_times(recs, last_time):
    """SYNC gives the absolute 64-bit time, every other record adds its dt.
    When no SYNC is left in the ring, time runs back from the recorder's
    last_time (the low 32 bits of the newest record's time)."""
    t = None
    for r in recs:
        if r.ev.name == "SYNC":
            t = r.fields.get("cycles_lo", 0) | r.fields.get("cycles_hi", 0) << 32
        elif t is not None:
            t += r.dt
        r.time = t
    if recs and recs[-1].time is None and last_time is not None:
        t = last_time
        try:
            now = (int(lookup("ng_tick_cycles_hi")) & U32) << 32 | \
                int(lookup("ng_tick_cycles_lo")) & U32
            t = (now & ~U32) | last_time
            if t > now + (1 << 31):
                t -= 1 << 32
        except (NgError, gdb.error):
            pass
        for r in reversed(recs):
            r.time = t
            t -= r.dt


class TraceState:
    """Where the recorder keeps its ring and indexes: either one structure
    ng_trace {wp, lap, stamp, tail, lost_total, ring[]} (head, the
    words written, is lap + (wp - ring) / 4; a plain head field in older
    trees), or, in older
    trees, the globals ng_trace_ring[], ng_trace_head, ng_trace_tail and
    trace.c's statics last_time and lost_total."""

    def __init__(self):
        sym = gdb.lookup_global_symbol("ng_trace")
        v = sym.value() if sym is not None and sym.type is not None else None
        if v is not None and v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
            names = set(f.name for f in v.type.strip_typedefs().fields())
            if not ({"ring", "tail"} <= names and ({"head"} <= names or {"wp", "lap"} <= names)):
                raise NgError("ng_trace has no ring, head and tail (a new recorder layout?)")
            ring = v["ring"]
            if "wp" in names:
                # head = lap + words from ring[0] to the write pointer
                # (wp is 0 until the recorder is opened)
                wp = int(v["wp"])
                base = int(ring.address)
                self.head = (int(v["lap"]) + ((wp - base) // 4 if wp else 0)) & U32
            else:
                self.head = int(v["head"]) & U32
            self.tail = int(v["tail"]) & U32
            self.last_time = int(v["last_time"]) & U32 if "last_time" in names else None
            if "stamp" in names:
                # the board's stamp counts down from the tick's end
                # (boards/lm3s6965evb/ng_arch.h, ng_arch_trace_time)
                try:
                    end = int(lookup("ng_tick_cycles_end"))
                    self.last_time = (end - int(v["stamp"])) & U32
                except (NgError, gdb.error):
                    self.last_time = None
            self.lost_total = int(v["lost_total"]) if "lost_total" in names else None
        else:
            try:
                ring = lookup("ng_trace_ring")
            except NgError:
                raise NgError("no trace ring (ng_trace or ng_trace_ring): "
                              "tracing is compiled out (TRACE=0)")
            self.head = int(lookup("ng_trace_head")) & U32
            self.tail = int(lookup("ng_trace_tail")) & U32
            self.last_time = self.lost_total = None
            try:
                self.last_time = int(lookup("last_time")) & U32
                self.lost_total = int(lookup("lost_total"))
            except (NgError, gdb.error):
                pass
        self.ring_addr = int(ring.address) & U32
        self.nbytes = ring.type.sizeof
        self.words = self.nbytes // 4


class NgTrace(NgCommand):
    """Decode the newest trace records still in the RAM ring.

Usage: ng trace [N]      (N records, default 20; 'all' for every one)

Reads the recorder's RAM ring in one piece and decodes it like tracer/ngtrace:
time in microseconds since reset (SYNC records give it, dt adds), the
thread or interrupt that was running, the event (tracer/events.def) and
its fields, objects by registry name and pointers by symbol. The words
before the ring's tail were shipped to the host already; they stay in the
ring until new records overwrite them."""

    name = "ng trace"

    def run(self, arg, from_tty):
        if not arg:
            n = 20
        elif arg == "all":
            n = None
        elif re.fullmatch(r"\d+", arg) and int(arg) > 0:
            n = int(arg)
        else:
            raise NgError("N must be a positive number or 'all', not '%s'" % arg)
        st = TraceState()
        nbytes, words, head, tail, lost = st.nbytes, st.words, st.head, st.tail, st.lost_total
        table = events()
        reg = Registry()
        out("ring %d bytes (%d words): %d words recorded, %d shipped to the host, %d not yet%s"
            % (nbytes, words, head, tail, (head - tail) & U32,
               ", %d records lost" % lost if lost else ""))
        if head == 0:
            out("no records yet (the recorder has not started)")
            return
        if lost and (head - tail) & U32 > words - MAX_RECORD:
            out("the ring is full and newer records are dropped: nothing ships it "
                "(trace=none?), so these are old")
        ring = read_words(st.ring_addr, words)
        recs, uncertain = decode_ring(table, ring, words, head, tail, reg.size)
        if not recs:
            raise NgError("cannot find a record boundary in the ring (corrupt?)")
        cur = current_addr()
        cur_id = reg.by_addr.get(cur, 0)
        assign_context(recs, cur_id)
        assign_times(recs, st.last_time)
        shown = recs if n is None else recs[-n:]
        hz = cpu_hz()
        out("%d records decodable (from word %d), showing the last %d%s" % (
            len(recs), recs[0].pos, len(shown),
            "; the oldest may be misread (no sure record boundary)" if uncertain else ""))
        out("     TIME us  CONTEXT       EVENT            FIELDS")
        names = dict((i, e[1]) for i, e in reg.by_id.items())
        for r in recs:                      # names announced in the ring itself
            if r.ev.name == "NAME" and r.fields.get("id") not in names:
                names[r.fields.get("id")] = r.fields.get("name")
        for r in shown:
            t = "%12.2f" % (r.time * 1e6 / hz) if r.time is not None else "%12s" % "?"
            kind, who = r.ctx
            if kind == "isr":
                ctx = "isr:" + exception_name(who)
            elif who is None:
                ctx = "?"
            else:
                ctx = names.get(who, "boot" if who == 0 else "#%d" % who)
            out("%s  %-12s  %-15s  %s" % (t, ctx[:12], r.ev.name,
                                          self.fields(table, r, names)))

    @staticmethod
    def fields(table, r, names):
        parts = []
        for f in r.ev.fields:
            if f.name not in r.fields:
                continue
            v = r.fields[f.name]
            ty = f.type
            if ty in ("obj", "thread"):
                s = names.get(v, "boot" if (v == 0 and ty == "thread") else "#%d" % v)
                if r.ev.name == "NAME":
                    s = str(v)
            elif ty in ("ptr", "fn"):
                s = describe_ptr(v & ~1 if ty == "fn" else v)
            elif ty == "state":
                s = table.states.get(v, str(v))
            elif ty == "kind":
                s = table.kinds.get(v, str(v))
            elif ty == "irq":
                s = exception_name(v) if v else "-"
            elif ty == "ticks":
                s = "forever" if v == U32 else "%d" % v
            elif ty == "str":
                s = repr(v)
            elif ty == "bytes":
                s = v[:32].hex() + ("..." if len(v) > 32 else "")
            elif ty in table.enums:
                s = table.enums[ty].get(v, str(v))
            else:
                s = str(v)
            if r.ev.name == "SYNC":
                continue
            parts.append("%s=%s" % (f.name, s))
        if r.ev.name == "SYNC" and r.time is not None:
            parts.append("cycles=%d" % r.time)
        return " ".join(parts)
