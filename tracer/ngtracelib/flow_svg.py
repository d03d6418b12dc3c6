"""A flow as a sequence diagram ("ngtrace flow -o OUT.svg").

Lanes, left to right: the contexts and mailboxes of the flow in the order
the flow reaches them (for a received ping: isr:irq42, eth_rx, tcpip_mbox,
tcpip_thread), then one lane per layer function in the order of its first
call, then the wire.  With interleave=True (the socket calls of
"ngtrace call") every lane takes its place in the order the flow reaches
it: app, lwip_connect, netconn_connect, tcpip_apimsg, tcpip_mbox,
tcpip_thread, do_connect, ..., so each layer sits next to its caller.

One row per record of the flow, in trace order (rows are not to scale;
the time in µs is at the left):

  LAYER_ENTER          call arrow from the caller (the layer open around it
                       in the same context, or the context itself) to the
                       function's lane, whose activation bar runs to its exit
  LAYER_EXIT           dashed return arrow back to the caller
  MBOX_POST, TRYPOST   arrow to the mailbox lane, labelled with the message
  MBOX_FETCH           arrow from the mailbox lane to the fetching context
  SEM_SIGNAL           arrow to the thread it wakes, when that is in the flow
  THREAD_SWITCH        dotted line to the thread switched to
  FRAME_RX, FRAME_TX   arrow from / to the wire, with the frame's length
  anything else        a note on the lane of the innermost open layer

Every row has a hover title with the record as "ngtrace list" shows it.
"""

from .flow_text import contexts, headline
from .svg import FONT, _clip, duration, esc

ROW_H = 22
LANE_W = 124
TIME_W = 84
MARGIN = 16
TOP = 108

# colours of the activation bars, one per context of the flow
_BAR_COLOURS = ("#9ecae1", "#a1d99b", "#fdd0a2", "#dadaeb", "#fcbba1", "#c7e9c0")
_GROUP_FILL = {"ctx": "#f2f5fb", "isr": "#fbf3ea", "mbox": "#eef7ef", "layer": "#ffffff",
               "wire": "#f4f4f4"}


class _Lane:
    __slots__ = ("key", "label", "kind", "x")

    def __init__(self, key, label, kind):
        self.key, self.label, self.kind, self.x = key, label, kind, 0


class FlowDiagram:
    """Rows, lanes and bars of one flow."""

    def __init__(self, flow, fmt, interleave=False):
        self.flow = flow
        self.interleave = interleave
        self.fmt = fmt
        self.index = flow.index
        self.lanes = {}
        self.order = []             # lane keys of contexts and mailboxes, in order
        self.layer_order = []
        self.rows = []              # (record index, kind, src lane, dst lane, label, title)
        self.bars = []              # (lane key, row0, row1, colour, title)
        self.colours = {}
        self._collect()

    def _lane(self, key, label, kind):
        lane = self.lanes.get(key)
        if lane is None:
            lane = self.lanes[key] = _Lane(key, label, kind)
            wide = kind == "layer" and not self.interleave
            (self.layer_order if wide else self.order).append(key)
        return lane

    def _ctx_lane(self, i):
        k = self.index.key[i]
        return self._lane(("C",) + k, self.index.labels[k], "isr" if k[0] == "I" else "ctx")

    def _colour(self, key):
        c = self.colours.get(key)
        if c is None:
            c = self.colours[key] = _BAR_COLOURS[len(self.colours) % len(_BAR_COLOURS)]
        return c

    def _collect(self):
        idx = self.index
        recs = idx.recs
        tr = idx.trace
        wire = None
        stacks = {}                 # context key -> [(enter index, lane key, row)]
        seg_rows = {}               # (context lane, segment) -> [first row, last row]
        seg_of = {}                 # record index -> its segment's number
        for n, seg in enumerate(self.flow.segments):
            for i in seg.indexes:
                seg_of.setdefault(i, n)
        link_dst = {ln.src: ln.dst for ln in self.flow.links if ln.kind != "switch"}
        in_flow = set(self.flow.indexes())
        for i in self.flow.indexes():
            rec = recs[i]
            name = rec.event.name
            f = rec.fields
            row = len(self.rows)
            title = "%.3f µs  %s  %s" % (tr.us(rec.time), rec.context,
                                         " ".join(self.fmt.line_tail(rec).split(None, 1)))
            k = idx.key[i]
            ctx = self._ctx_lane(i) if name != "THREAD_SWITCH" else None
            st = stacks.setdefault(k, [])
            cur = st[-1][1] if st else (ctx.key if ctx else None)
            if ctx is not None:
                seg_rows.setdefault((ctx.key, seg_of.get(i)), [row, row])[1] = row
            if name == "LAYER_ENTER":
                fn = idx.layer_name(f.get("fn"))
                lane = self._lane(("L", fn), fn, "layer")
                st.append((i, lane.key, row))
                self.rows.append((i, "call", cur, lane.key, "(%s)" % _hex(f.get("arg")), title))
            elif name == "LAYER_EXIT":
                fn = idx.layer_name(f.get("fn"))
                at = None
                for d in range(len(st) - 1, -1, -1):
                    if recs[st[d][0]].fields.get("fn") == f.get("fn"):
                        at = d
                        break
                if at is None:          # its enter is before the flow
                    lane = self._lane(("L", fn), fn, "layer")
                    self.rows.append((i, "return", lane.key, ctx.key, "return", title))
                    self.bars.append((lane.key, 0, row, self._colour(ctx.key), fn))
                    continue
                enter, lkey, row0 = st[at]
                del st[at:]
                back = st[-1][1] if st else ctx.key
                self.rows.append((i, "return", lkey, back, "return", title))
                self.bars.append((lkey, row0, row, self._colour(ctx.key),
                                  "%s in %s: %s" % (fn, rec.context, duration(
                                      tr.us(rec.time) - tr.us(recs[enter].time)))))
            elif name in ("MBOX_POST", "MBOX_TRYPOST", "MBOX_FULL"):
                mb = self._lane(("M",) + idx.obj_key(rec.reg, f["mbox"]),
                                rec.reg.obj_name(f["mbox"]), "mbox")
                label = {"MBOX_POST": "post", "MBOX_TRYPOST": "trypost"}.get(name, "FULL")
                label += " %s" % _hex(f["msg"])
                if i in link_dst:
                    dst = recs[link_dst[i]]
                    title += " (fetched by %s %s later)" % (
                        dst.context, duration(tr.us(dst.time) - tr.us(rec.time)))
                self.rows.append((i, "post" if name != "MBOX_FULL" else "full", cur, mb.key,
                                  label, title))
            elif name == "MBOX_FETCH":
                mb = self._lane(("M",) + idx.obj_key(rec.reg, f["mbox"]),
                                rec.reg.obj_name(f["mbox"]), "mbox")
                self.rows.append((i, "fetch", mb.key, cur, "fetch %s" % _hex(f["msg"]), title))
            elif name == "SEM_SIGNAL" and link_dst.get(i) in in_flow:
                dst = self._ctx_lane(link_dst[i])
                self.rows.append((i, "signal", cur, dst.key,
                                  "signal %s" % rec.reg.obj_name(f["sem"]), title))
            elif name == "THREAD_SWITCH":
                to = ("C",) + idx.thread_key(rec.reg, f["to"])
                dst = self.lanes.get(to) or self._lane(to, rec.reg.thread_name(f["to"]), "ctx")
                src = ("C",) + k
                src = src if src in self.lanes else None
                self.rows.append((i, "switch", src, dst.key,
                                  "switch from %s" % rec.context if src is None else "switch",
                                  title))
            elif name in ("FRAME_RX", "FRAME_TX"):
                if wire is None:
                    wire = _Lane(("W",), "wire %s" % rec.reg.obj_name(f.get("netif", 0)),
                                 "wire")
                    self.lanes[wire.key] = wire
                size = "%s %d B" % (name, max(f.get("orig_len", 0), f.get("len", 0)))
                if name == "FRAME_RX":
                    self.rows.append((i, "frame", wire.key, cur, size, title))
                else:
                    self.rows.append((i, "frame", cur, wire.key, size, title))
            elif name in ("MEMP_ALLOC", "MEMP_FREE"):
                # "memp_malloc TCP_PCB": the pool by its descriptor (memp_TCP_PCB)
                pool = self.fmt.sym(f["pool"]).partition("<")[2].rstrip(">")
                pool = pool[len("memp_"):] if pool.startswith("memp_") else _hex(f["pool"])
                label = "%s %s%s" % ("memp_malloc" if name == "MEMP_ALLOC" else "memp_free",
                                     pool, "" if f["p"] else ": empty")
                self.rows.append((i, "note", cur, None, label, title))
            else:
                label = " ".join(self.fmt.line_tail(rec).split(None, 1))
                self.rows.append((i, "note", cur, None, label, title))
        # the rest of the bars: open layers and the contexts' own runs
        last = len(self.rows) - 1
        for k, st in stacks.items():
            for enter, lkey, row0 in st:
                self.bars.append((lkey, row0, last, self._colour(("C",) + k),
                                  "%s: no exit in the flow" % self.lanes[lkey].label))
        for (ckey, _n), (r0, r1) in seg_rows.items():
            self.bars.append((ckey, r0, r1, self._colour(ckey), self.lanes[ckey].label))

    def _relabel(self):
        """A layer named like a context (the tcpip_thread function in the
        tcpip_thread thread) is shown as tcpip_thread() to tell them apart."""
        names = {self.lanes[k].label for k in self.order if self.lanes[k].kind != "layer"}
        for k in self.order + self.layer_order:
            lane = self.lanes[k]
            if lane.kind == "layer" and lane.label in names:
                lane.label += "()"

    def lane_list(self):
        """The lanes, left to right, with their x positions."""
        return self._layout()

    def _layout(self):
        self._relabel()
        keys = self.order + self.layer_order + ([("W",)] if ("W",) in self.lanes else [])
        lanes = [self.lanes[k] for k in keys]
        for n, lane in enumerate(lanes):
            lane.x = TIME_W + MARGIN + LANE_W // 2 + n * LANE_W
        return lanes

    def render(self):
        lanes = self._layout()
        L = self.lanes
        nrows = max(1, len(self.rows))
        width = TIME_W + 2 * MARGIN + max(1, len(lanes)) * LANE_W
        height = TOP + nrows * ROW_H + 40
        out = []
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" '
          'viewBox="0 0 %d %d" font-family="%s" font-size="11">'
          % (width, height, width, height, esc(FONT)))
        w('<defs>'
          '<marker id="fb" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
          'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>'
          '</defs>')
        w('<rect x="0" y="0" width="%d" height="%d" fill="white"/>' % (width, height))
        w('<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>'
          % (MARGIN, esc(headline(self.flow))))
        n = len(self.flow.indexes())
        w('<text x="%d" y="38" fill="#444">%s</text>' % (MARGIN, esc(
            "%d records in %s; rows in order, not to scale; hover for the records"
            % (n, " -> ".join(contexts(self.flow))))))
        ytop, ybot = TOP, TOP + nrows * ROW_H
        w('<g class="lanes">')
        for lane in lanes:
            w('<rect x="%d" y="%d" width="%d" height="22" rx="4" fill="%s" stroke="#888"/>'
              % (lane.x - LANE_W // 2 + 4, ytop - 34, LANE_W - 8, _GROUP_FILL[lane.kind]))
            w('<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s<title>%s</title>'
              '</text>' % (lane.x, ytop - 19, esc(_clip(lane.label, 19)), esc(lane.label)))
            w('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#bbb"%s/>'
              % (lane.x, ytop - 12, lane.x, ybot + 6,
                 ' stroke-dasharray="4,3"' if lane.kind in ("mbox", "wire") else ""))
        w('</g>')
        w('<text x="%d" y="%d" text-anchor="end" fill="#444">time (µs)</text>'
          % (TIME_W, ytop - 19))
        w('<g class="bars">')
        for key, r0, r1, colour, title in self.bars:
            lane = L[key]
            wid = 12 if lane.kind == "layer" else 8
            w('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#555" '
              'stroke-width="0.6"><title>%s</title></rect>'
              % (lane.x - wid // 2, ytop + r0 * ROW_H + 4, wid, max(1, r1 - r0) * ROW_H + 6,
                 colour, esc(title)))
        w('</g>')
        w('<g class="rows">')
        tr = self.index.trace
        for n, (i, kind, src, dst, label, title) in enumerate(self.rows):
            y = ytop + n * ROW_H + ROW_H // 2 + 4
            w('<text x="%d" y="%d" text-anchor="end" fill="#555">%.3f</text>'
              % (TIME_W, y + 4, tr.us(self.index.recs[i].time)))
            self._row(w, kind, src and L[src], dst and L[dst], label, title, y)
        w('</g>')
        w('</svg>')
        return "\n".join(out) + "\n"

    @staticmethod
    def _row(w, kind, src, dst, label, title, y):
        t = "<title>%s</title>" % esc(title)
        if kind == "note" or dst is None or src is None:
            lane = src or dst
            w('<g class="%s">%s<text x="%d" y="%d" fill="%s">%s</text></g>'
              % (kind, t, lane.x + 9, y + 4, "#333" if kind == "note" else "#888",
                 esc(_clip(label, 30))))
            return
        style = {"call": ("#1f3f7f", ""), "return": ("#777", ' stroke-dasharray="4,3"'),
                 "post": ("#1f5fbf", ""), "fetch": ("#1d8a3a", ""), "full": ("#d62728", ""),
                 "signal": ("#8c2d9c", ""), "switch": ("#aaa", ' stroke-dasharray="2,3"'),
                 "frame": ("#b35900", "")}[kind]
        x1, x2 = src.x, dst.x
        if x1 == x2:
            x2 = x1 + 30
        mid = (x1 + x2) / 2
        w('<g class="%s">%s<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
          'stroke-width="1.4"%s marker-end="url(#fb)"/>'
          '<text x="%.1f" y="%d" text-anchor="middle" font-size="10" fill="%s">%s</text></g>'
          % (kind, t, x1, y, x2, y, style[0], style[1], mid, y - 3, style[0],
             esc(_clip(label, max(8, abs(x2 - x1) // 6)))))


def _hex(v):
    return "0x%x" % v if v is not None else "?"


def write_flow_svg(flow, fmt, path, interleave=False):
    text = FlowDiagram(flow, fmt, interleave).render()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
