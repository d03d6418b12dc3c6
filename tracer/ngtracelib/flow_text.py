"""A flow as an indented call listing ("ngtrace flow --text", and the
comments of "ngtrace pcapng").

One line per record of the flow, in trace order: time, context, and the
record, indented by the layers open in its context.  LAYER_ENTER is shown
as a call "fn(arg) {", LAYER_EXIT as "} fn"; other records as in "ngtrace
list".  The ends of a link say where the flow goes next: "=> fetched by
tcpip_thread 35.2 µs later" after a post, "<= posted by eth_rx" after the
fetch that takes it.
"""

from .packet import describe
from .svg import duration

SMALL_ARG = 0x1000          # a LAYER_ENTER argument below this is shown in decimal


def frame_line(flow):
    """"RX frame #1: ICMP echo request ... (98 bytes, 64 kept) on en0 at
    1234.567 us"."""
    rec = flow.frame
    f = rec.fields
    data = f.get("data", b"")
    tr = flow.index.trace
    kept = f.get("len", len(data))
    size = "%d bytes" % max(f.get("orig_len", 0), kept)
    if kept < f.get("orig_len", 0):
        size += ", %d kept" % kept
    return "%s frame #%d: %s (%s) on %s at %.3f us" % (
        flow.kind.upper(), flow.number, describe(data), size,
        rec.reg.obj_name(f.get("netif", 0)), tr.us(rec.time))


def headline(flow):
    """The first line of a flow: its own headline (a socket call's), or
    the frame's."""
    own = getattr(flow, "headline", None)
    return own() if own is not None else frame_line(flow)


def contexts(flow):
    """Labels of the contexts of the flow, in order of their first record."""
    seen = []
    for s in sorted(flow.segments, key=lambda s: s.indexes[0]):
        if s.label not in seen:
            seen.append(s.label)
    return seen


def record_lines(flow, fmt):
    """The record lines of a flow (no header)."""
    index = flow.index
    tr = index.trace
    recs = index.recs
    def level(i):                   # layers open around record i (an exit: outside its own)
        return len(index.stack[i]) - (1 if i in index.enter_of else 0)

    base = {}                       # record index -> the level its segment is drawn from
    for s in flow.segments:
        b = min(level(i) for i in s.indexes)
        for i in s.indexes:
            base.setdefault(i, b)
    notes = {}
    for ln in flow.links:
        if ln.kind == "switch":
            continue
        t = tr.us(recs[ln.dst].time) - tr.us(recs[ln.src].time)
        who_dst = index.labels[index.key[ln.dst]]
        who_src = index.labels[index.key[ln.src]]
        if ln.kind == "post":
            notes.setdefault(ln.src, "=> fetched by %s %s later" % (who_dst, duration(t)))
            notes.setdefault(ln.dst, "<= posted by %s %s earlier" % (who_src, duration(t)))
        else:
            notes.setdefault(ln.src, "=> wakes %s, %s later" % (who_dst, duration(t)))
            notes.setdefault(ln.dst, "<= signalled by %s" % who_src)
    out = []
    for i in flow.indexes():
        rec = recs[i]
        name = rec.event.name
        depth = level(i) - base.get(i, level(i))
        if name == "LAYER_ENTER":
            arg = rec.fields.get("arg", 0)
            # small values are descriptors, types and lengths, not pointers:
            # no symbol (the vector table sits at address 0)
            body = "%s(%s) {" % (index.layer_name(rec.fields.get("fn")),
                                 arg if arg < SMALL_ARG else fmt.sym(arg))
        elif name == "LAYER_EXIT":
            body = "} %s" % index.layer_name(rec.fields.get("fn"))
        else:
            body = fmt.line_tail(rec).rstrip()
            body = " ".join(body.split(None, 1)) if " " in body else body
        note = notes.get(i)
        if note:
            body += "  " + note
        out.append("%12.3f  %-14s %s%s" % (tr.us(rec.time), rec.context, "  " * max(depth, 0),
                                          body))
    return out


def flow_lines(flow, fmt, limit=None):
    """Header and record lines; with limit, at most that many lines in all,
    the last saying how many were left out."""
    head = [frame_line(flow)]
    if flow.parent is not None:
        head.append("sent while tcpip_thread handled RX frame #%d" % flow.parent.number
                    if "tcpip_thread" in contexts(flow.parent) else
                    "sent while handling RX frame #%d" % flow.parent.number)
    n = len(flow.indexes())
    head.append("%d record%s in %s" % (n, "" if n == 1 else "s", " -> ".join(contexts(flow))))
    head.append("     TIME us  CONTEXT        RECORD")
    body = record_lines(flow, fmt)
    lines = head + body
    if limit is not None and len(lines) > limit:
        keep = max(limit - 1, len(head))
        cut = len(lines) - keep
        lines = lines[:keep] + ["... %d more record%s (ngtrace flow --frame %d --text shows "
                                "all)" % (cut, "" if cut == 1 else "s", flow.number)
                                if flow.kind == "rx" else
                                "... %d more record%s" % (cut, "" if cut == 1 else "s")]
    return lines
