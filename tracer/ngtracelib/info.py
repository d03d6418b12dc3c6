"""The summary of a trace for "ngtrace info": header fields, build id,
duration, records per event, density, losses and how the trace ended."""


def info_lines(trace, elf=None):
    """Decode the whole trace (errors propagate before anything is
    returned) and describe it, one line a fact."""
    for _ in trace.records():
        pass
    h = trace.header
    t = trace.table
    out = []
    add = out.append
    add("trace:            %s (%d bytes, %d chunk%s)" % (
        trace.path, trace.file_size, len(trace.chunks), "" if len(trace.chunks) == 1 else "s"))
    add("format version:   %d" % h.version)
    add("header length:    %d bytes" % h.header_len)
    add("events signature: 0x%08x (matches events.def, %d events)" % (h.signature,
                                                                      len(t.events)))
    add("cpu_hz:           %d" % h.cpu_hz)
    add("tick_hz:          %d" % h.tick_hz)
    add("ring buffer:      %d bytes" % h.ring_size)
    add("transport:        %s (flags 0x%08x)" % (h.transport, h.flags))
    add("build id:         %s" % (h.build_id.hex() if h.build_id else "none"))
    if elf is not None:
        add("elf:              %s (%s, %d symbols)" % (
            elf.path, "build id matches" if h.build_id else "not checked: no build id in trace",
            len(elf.symbols)))
    add("records:          %d" % trace.count)
    if trace.count:
        add("duration:         %.3f us (%.3f .. %.3f us)" % (
            trace.us(trace.last_time - trace.first_time), trace.us(trace.first_time),
            trace.us(trace.last_time)))
        add("bytes/record:     %.2f (record stream %d bytes)" % (
            trace.stream_bytes / trace.count, trace.stream_bytes))
    else:
        add("duration:         0 us")
        add("bytes/record:     - (record stream %d bytes)" % trace.stream_bytes)
    lost = "%d" % trace.lost
    if trace.overflows:
        lost += " (in %d OVERFLOW record%s)" % (trace.overflows,
                                                 "" if trace.overflows == 1 else "s")
    add("lost records:     %s" % lost)
    if trace.end_seen:
        add("end:              END seen, exit status %d" % trace.end_status)
    else:
        add("end:              no END record (the trace was cut short)")
    add("records per event:")
    counts = [(n, ev) for ev in t.events for n in (trace.per_event[ev.id],) if n]
    counts.sort(key=lambda c: (-c[0], c[1].id))
    for n, ev in counts:
        add("  %-16s %9d  %5.1f%%" % (ev.name, n, 100.0 * n / trace.count))
    return out
