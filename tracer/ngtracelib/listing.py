"""The text listing of a trace: one line per record, then a summary.

A line is

    TIME_US  CONTEXT  EVENT  field=value ...

TIME_US is cycles / cpu_hz * 1e6 with 3 decimals; CONTEXT is the thread by
name, or the interrupt as isr:SysTick (exception 15), isr:irqN (exception
16 + N), or its name from a NAME record of kind IRQ.  Values are shown by
their type in events.def: obj and thread ids by their name at that moment
("none" for id 0, "#5" for an id never named), ptr and fn in hex with the
ELF symbol when there is one ("0x20000120 <msgs+0x10>"), kind and state by
name, a field of an NG_ENUM type by the name of its value (an unknown value
as its number), ms and ticks with their unit (0xffffffff as 'forever'), str
quoted, bytes in hex (the first 32 bytes, then "..."),
other numbers in decimal.

Each event gets a formatting function generated from its fields, so that a
line costs one call and one % operation.
"""

_BATCH = 4096
HEX_BYTES = 32          # bytes of a "bytes" field shown before "..."


def quote(s):
    """A string as "..." with backslash escapes for quotes and controls."""
    out = []
    for ch in s:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def hexdump(data, limit=HEX_BYTES):
    """Bytes as hex without separators; past limit bytes, "..." (the
    record's len field, on the same line, says how many there are)."""
    if len(data) <= limit:
        return data.hex()
    return data[:limit].hex() + "..."


class Formatter:
    """Formats the fields of records, event by event."""

    def __init__(self, table, elf=None):
        self.table = table
        self.elf = elf
        self._sym_cache = {}
        self.by_id = [None] * 256
        for ev in table.events:
            self.by_id[ev.id] = self._build(ev)

    def sym(self, addr):
        """0x20000120 <msgs+0x10>, or 0x20000120 without a symbol."""
        s = self._sym_cache.get(addr)
        if s is None:
            name = self.elf.lookup(addr) if self.elf is not None and addr else None
            s = "0x%08x <%s>" % (addr, name) if name else "0x%08x" % addr
            if len(self._sym_cache) < 100000:
                self._sym_cache[addr] = s
        return s

    def _build(self, ev):
        """fmt(d, N, I) -> "EVENT_NAME       field=value ...", for the fields
        dict d, N = Registry.obj_names() and I = Registry.irq_names()."""
        kinds = self.table.kind_names
        states = self.table.state_names
        enums = self.table.enum_names
        parts = []
        args = []
        for f in ev.fields:
            v = "d[%r]" % f.name
            t = f.type
            if t in ("obj", "thread"):
                parts.append("%s=%%s" % f.name)
                args.append("N[%s]" % v)
            elif t == "irq":
                parts.append("%s=%%s" % f.name)
                args.append("I[%s]" % v)
            elif t in ("ptr", "fn"):
                parts.append("%s=%%s" % f.name)
                args.append("S(%s)" % v)
            elif t == "kind":
                parts.append("%s=%%s" % f.name)
                args.append("K.get(%s) or str(%s)" % (v, v))
            elif t == "state":
                parts.append("%s=%%s" % f.name)
                args.append("T.get(%s) or str(%s)" % (v, v))
            elif t in ("ms", "ticks"):
                # 0xffffffff is the kernel's NG_WAIT_FOREVER
                parts.append("%s=%%s" % f.name)
                args.append("('forever' if %s == 0xffffffff else '%%d%s' %% %s)" % (v, t, v))
            elif t == "str":
                parts.append("%s=%%s" % f.name)
                args.append("Q(%s)" % v)
            elif t == "bytes":
                parts.append("%s=%%s" % f.name)
                args.append("H(%s)" % v)
            elif t in enums:
                parts.append("%s=%%s" % f.name)
                args.append("E[%r].get(%s) or str(%s)" % (t, v, v))
            else:
                parts.append("%s=%%d" % f.name)
                args.append(v)
        head = ("%-16s " % ev.name).replace("%", "%%")
        if args:
            src = "def fmt(d, N, I):\n    return %r %% (%s,)\n" % (
                head + " ".join(parts), ", ".join(args))
        else:
            src = "def fmt(d, N, I):\n    return %r\n" % ev.name
        ns = {"S": self.sym, "K": kinds, "T": states, "Q": quote, "H": hexdump,
              "E": enums}
        exec(compile(src, "<format:%s>" % ev.name, "exec"), ns)
        return ns["fmt"]

    def line_tail(self, rec):
        """"EVENT_NAME       field=value ..." of a record."""
        reg = rec.reg
        return self.by_id[rec.event.id](rec.fields, reg.obj_names(), reg.irq_names())

    def args(self, rec):
        """The field=value part of a record's line."""
        return self.line_tail(rec)[len("%-16s " % rec.event.name):]


def format_us(us):
    return "%.3f" % us


def summary_lines(trace):
    """The footer: counts, duration, density, losses, END."""
    h = trace.header
    if trace.count:
        dur = trace.us(trace.last_time - trace.first_time)
        span = "%s us (%s .. %s us)" % (format_us(dur), format_us(trace.us(trace.first_time)),
                                       format_us(trace.us(trace.last_time)))
        bpr = "%.2f" % (trace.stream_bytes / trace.count)
    else:
        span = "0 us"
        bpr = "-"
    if trace.end_seen:
        end = "END seen, exit status %d" % trace.end_status
    else:
        end = "no END record (the trace was cut short)"
    lost = "%d" % trace.lost
    if trace.overflows:
        lost += " (in %d OVERFLOW record%s)" % (trace.overflows, "" if trace.overflows == 1 else "s")
    return [
        "# records:      %d" % trace.count,
        "# duration:     %s" % span,
        "# bytes/record: %s" % bpr,
        "# lost records: %s" % lost,
        "# end:          %s" % end,
        "# cpu_hz:       %d" % h.cpu_hz,
    ]


def write_listing(trace, out, elf=None):
    """Decode trace and write its listing to the text stream out.  Lines
    decoded before an error are written before the error propagates."""
    fmt = Formatter(trace.table, elf)
    by_id = fmt.by_id
    scale = 1e6 / trace.header.cpu_hz
    lines = []
    append = lines.append
    write = out.write
    last_reg = None
    ctx_cache = names = irqs = None
    try:
        for _index, time, ctx, ev, fields, _off, reg in trace.records():
            if reg is not last_reg:
                last_reg = reg
                ctx_cache = {}
                names = reg.obj_names()
                irqs = reg.irq_names()
            c = ctx_cache.get(ctx)
            if c is None:
                c = ctx_cache[ctx] = "%-14s " % reg.context_name(ctx)
            append("%12.3f  %s%s" % (time * scale, c, by_id[ev.id](fields, names, irqs)))
            if len(lines) >= _BATCH:
                lines.append("")
                write("\n".join(lines))
                lines.clear()
    finally:
        if lines:
            lines.append("")
            write("\n".join(lines))
    write("\n".join(summary_lines(trace)) + "\n")
