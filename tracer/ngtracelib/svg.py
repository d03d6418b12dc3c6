"""The sequence diagram of a trace, as a standalone SVG file.

One vertical lane per thread, per interrupt that posts or fetches, and per
mailbox, with its name at the top.  Time flows down, one row per drawn event
(rows are not to scale: the time in microseconds is written at the left):

  MBOX_POST, MBOX_TRYPOST  arrow from the posting context to the mailbox,
                           labelled with the message pointer (and symbol)
  MBOX_FULL                red dashed arrow ending in an X (post refused)
  MBOX_FETCH               arrow from the mailbox to the fetching context
  MBOX_TIMEOUT             a marker on the waiting thread's lane
  SEM_WAIT, MBOX_WAIT, MUTEX_BLOCK, MBOX_POST_BLOCK
                           a small marker where the wait starts
  THREAD_SWITCH            a light grey line from the old to the new thread

Posts are matched to fetches FIFO by mailbox and message pointer, so that
the hover titles say e.g. "fetched 1.2 ms later by worker".  A thread is
drawn blocked (shaded lane) from a wait or block event, or from a switch
away from it in state BLOCKED or SLEEPING, until it runs again: a switch to
it, or a record of its own.  MBOX_POST_BLOCK only starts a blocked interval;
the message is matched by the MBOX_POST that follows when it goes in.

The window is limited with from_us/to_us (record times) and max_rows; the
diagram says how many rows were left out.  Matching and blocked intervals
are computed over the whole trace, so they are right at the window edges.
"""

import collections
import html

from .listing import Formatter

ROW_H = 24
LANE_W = 170
TIME_W = 120
TOP = 96
MARGIN = 20
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"

# What is drawn for which event.
_POST, _TRYPOST, _FULL, _FETCH, _TIMEOUT, _WAIT, _SWITCH = range(1, 8)
_ACTIONS = {"MBOX_POST": _POST, "MBOX_TRYPOST": _TRYPOST, "MBOX_FULL": _FULL,
            "MBOX_FETCH": _FETCH, "MBOX_TIMEOUT": _TIMEOUT,
            "SEM_WAIT": _WAIT, "MBOX_WAIT": _WAIT, "MUTEX_BLOCK": _WAIT,
            "MBOX_POST_BLOCK": _WAIT, "THREAD_SWITCH": _SWITCH}


def esc(s):
    return html.escape(str(s), quote=True)


def duration(us):
    """1.2 ms, 35.2 µs, 2.5 s."""
    if us < 1000:
        return "%.3g µs" % us
    if us < 1e6:
        return "%.3g ms" % (us / 1e3)
    return "%.3g s" % (us / 1e6)


class Lane:
    __slots__ = ("key", "label", "group", "order", "x")

    def __init__(self, key, label, group, order):
        self.key = key
        self.label = label
        self.group = group          # 0 thread, 1 interrupt, 2 mailbox
        self.order = order
        self.x = 0


class Row:
    __slots__ = ("n", "time", "action", "src", "dst", "label", "title", "post")

    def __init__(self, n, time, action, src, dst, label, title):
        self.n = n
        self.time = time
        self.action = action
        self.src = src
        self.dst = dst
        self.label = label
        self.title = title
        self.post = None


class Post:
    """A message put into a mailbox, waiting for its fetch."""
    __slots__ = ("time", "who", "fetched", "by", "row")

    def __init__(self, time, who, row):
        self.time = time
        self.who = who
        self.fetched = None
        self.by = None
        self.row = row


class Diagram:
    """Collects rows, lanes and blocked intervals from a trace."""

    def __init__(self, trace, elf=None, from_us=None, to_us=None, max_rows=400):
        self.trace = trace
        self.fmt = Formatter(trace.table, elf)
        self.from_us = from_us
        self.to_us = to_us
        self.max_rows = max_rows
        self.rows = []
        self.lanes = {}
        self.shades = []            # (lane key, pos0, pos1, t0, t1, why)
        self.omitted = 0            # drawable rows in the window beyond max_rows
        self.in_window = 0
        self._collect()

    # -- lanes -------------------------------------------------------------

    def _lane(self, key, label, group):
        lane = self.lanes.get(key)
        if lane is None:
            lane = self.lanes[key] = Lane(key, label, group, len(self.lanes))
        return lane

    @staticmethod
    def _thread_key(reg, tid):
        n = reg.objs.get(tid)
        return ("T", tid, n.serial if n is not None else None)

    @staticmethod
    def _ctx_key(rec):
        if rec.ctx >> 8:
            return ("I", rec.ctx >> 8)
        return Diagram._thread_key(rec.reg, rec.ctx & 0xFF)

    def _ctx_lane(self, rec):
        key = self._ctx_key(rec)
        return self._lane(key, rec.context, 1 if key[0] == "I" else 0)

    def _thread_lane(self, reg, tid):
        return self._lane(self._thread_key(reg, tid), reg.thread_name(tid), 0)

    def _mbox_lane(self, reg, mid):
        n = reg.objs.get(mid)
        return self._lane(("M", mid, n.serial if n is not None else None), reg.obj_name(mid), 2)

    # -- collecting --------------------------------------------------------

    def _collect(self):
        trace = self.trace
        table = trace.table
        actions = {}
        for name, code in _ACTIONS.items():
            ev = table.by_name.get(name)
            if ev is not None:
                actions[ev.id] = code
        st = table.states
        sleeping = {st[s] for s in ("BLOCKED", "SLEEPING") if s in st}
        states = table.state_names
        scale = 1e6 / trace.header.cpu_hz
        lo, hi = self.from_us, self.to_us
        rows = self.rows
        max_rows = self.max_rows
        queues = collections.defaultdict(collections.deque)
        blocked = {}                # thread key -> (pos, time, why)
        sym = self.fmt.sym
        started = False             # the window has begun
        for rec in trace.records():
            t = rec.time * scale
            code = actions.get(rec.event.id)
            in_win = (lo is None or t >= lo) and (hi is None or t <= hi)
            if in_win:
                started = True
            row = None
            if code and in_win:
                self.in_window += 1
                if len(rows) < max_rows:
                    row = self._row(rec, code, t, sym, queues, states)
                else:
                    self.omitted += 1
                    if code in (_POST, _TRYPOST, _FETCH):
                        self._match_only(rec, code, t, queues)
            elif code in (_POST, _TRYPOST, _FETCH):
                self._match_only(rec, code, t, queues)
            # position of this record in row space
            if row is not None:
                pos = row.n + 0.5
            else:
                pos = len(rows) if started else 0
            # blocked intervals
            if rec.ctx >> 8:
                tkey = None
            else:
                tkey = self._thread_key(rec.reg, rec.ctx)
            if code == _SWITCH:
                f = rec.fields
                to = self._thread_key(rec.reg, f["to"])
                if to in blocked:
                    self._unblock(to, blocked.pop(to), pos, t)
                if f["from_state"] in sleeping and tkey is not None and tkey not in blocked:
                    blocked[tkey] = (pos, t, states.get(f["from_state"], "blocked"),
                                     rec.context)
            elif code == _WAIT and tkey is not None:
                if tkey not in blocked:
                    blocked[tkey] = (pos, t, "%s %s" % (rec.name, rec.reg.obj_name(
                        rec.fields.get(rec.event.fields[0].name, 0))), rec.context)
            elif tkey is not None and tkey in blocked:
                self._unblock(tkey, blocked.pop(tkey), pos, t)
        end = len(rows)
        for key, b in blocked.items():
            self._unblock(key, b, end, None)

    def _unblock(self, key, b, pos, t):
        pos0, t0, why, label = b
        if pos > pos0:
            self._lane(key, label, 0)
            self.shades.append((key, pos0, pos, t0, t, why))

    def _match_only(self, rec, code, t, queues):
        """Outside the drawn rows: keep the post/fetch matching right."""
        f = rec.fields
        mkey = ("M", f["mbox"], getattr(rec.reg.objs.get(f["mbox"]), "serial", None))
        if code == _FETCH:
            q = queues.get((mkey, f["msg"]))
            if q:
                p = q.popleft()
                p.fetched = t
                p.by = rec.context
        else:
            queues[(mkey, f["msg"])].append(Post(t, rec.context, None))

    def _row(self, rec, code, t, sym, queues, states):
        n = len(self.rows)
        f = rec.fields
        name = rec.name
        reg = rec.reg
        if code == _SWITCH:
            src = self._ctx_lane(rec)
            dst = self._thread_lane(reg, f["to"])
            r = Row(n, t, code, src.key, dst.key, "",
                    "%.3f µs: switch %s -> %s (%s)" % (
                        t, reg.thread_name(f["from"]), reg.thread_name(f["to"]),
                        states.get(f["from_state"], f["from_state"])))
        elif code == _WAIT:
            src = self._ctx_lane(rec)
            first = rec.event.fields[0].name
            what = reg.obj_name(f.get(first, 0))
            r = Row(n, t, code, src.key, None, "%s %s" % (name.lower(), what),
                    "%.3f µs: %s %s by %s" % (t, name, what, rec.context))
        elif code == _TIMEOUT:
            src = self._ctx_lane(rec)
            mb = self._mbox_lane(reg, f["mbox"])
            r = Row(n, t, code, src.key, mb.key, "timeout",
                    "%.3f µs: MBOX_TIMEOUT: %s gave up waiting on %s"
                    % (t, rec.context, mb.label))
        else:
            ctx = self._ctx_lane(rec)
            mb = self._mbox_lane(reg, f["mbox"])
            msg = sym(f["msg"])
            key = (mb.key, f["msg"])
            if code == _FETCH:
                r = Row(n, t, code, mb.key, ctx.key, msg,
                        "%.3f µs: %s fetched %s from %s" % (t, rec.context, msg, mb.label))
                q = queues.get(key)
                if q:
                    p = q.popleft()
                    p.fetched = t
                    p.by = rec.context
                    r.title += "; posted %s earlier by %s" % (duration(t - p.time), p.who)
                else:
                    r.title += "; its post is not in the trace"
            else:
                verb = {_POST: "posted", _TRYPOST: "posted (trypost)",
                        _FULL: "could not post (mailbox full)"}[code]
                r = Row(n, t, code, ctx.key, mb.key, msg,
                        "%.3f µs: %s %s %s to %s" % (t, rec.context, verb, msg, mb.label))
                if code != _FULL:
                    p = Post(t, rec.context, r)
                    r.post = p
                    queues[key].append(p)
        self.rows.append(r)
        return r

    # -- drawing -----------------------------------------------------------

    def _layout(self):
        lanes = sorted(self.lanes.values(), key=lambda ln: (ln.group, ln.order))
        for k, lane in enumerate(lanes):
            lane.x = TIME_W + MARGIN + LANE_W // 2 + k * LANE_W
        return lanes

    def render(self, title=""):
        lanes = self._layout()
        nrows = len(self.rows)
        width = TIME_W + MARGIN * 2 + max(1, len(lanes)) * LANE_W
        body_h = max(1, nrows) * ROW_H
        height = TOP + body_h + 60
        out = []
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" '
          'viewBox="0 0 %d %d" font-family="%s" font-size="12">' % (width, height, width,
                                                                    height, esc(FONT)))
        w('<defs>'
          '<marker id="ahp" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
          'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>'
          '<marker id="ahf" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
          'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1d8a3a"/></marker>'
          '</defs>')
        w('<rect x="0" y="0" width="%d" height="%d" fill="white"/>' % (width, height))
        w('<text x="%d" y="20" font-size="15" font-weight="bold">%s</text>'
          % (MARGIN, esc(title or "ngtrace sequence diagram")))
        w('<text x="%d" y="38" fill="#444">%s</text>' % (MARGIN, esc(self._caption())))
        self._legend(w)
        ytop = TOP
        ybot = TOP + body_h
        # lanes
        w('<g class="lanes">')
        for lane in lanes:
            color = {0: "#f2f5fb", 1: "#fbf3ea", 2: "#eef7ef"}[lane.group]
            w('<rect x="%d" y="%d" width="%d" height="22" rx="4" fill="%s" stroke="#888"/>'
              % (lane.x - LANE_W // 2 + 6, ytop - 30, LANE_W - 12, color))
            w('<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text>'
              % (lane.x, ytop - 14, esc(_clip(lane.label, 22))))
            w('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#bbb" stroke-width="1"/>'
              % (lane.x, ytop - 8, lane.x, ybot + 8))
        w('</g>')
        w('<text x="%d" y="%d" text-anchor="end" fill="#444">time (µs)</text>'
          % (TIME_W, ytop - 14))
        # blocked intervals
        w('<g class="blocked">')
        for key, p0, p1, t0, t1, why in self.shades:
            lane = self.lanes[key]
            y0 = ytop + p0 * ROW_H
            y1 = ytop + p1 * ROW_H
            until = ("until %.3f µs (%s)" % (t1, duration(t1 - t0))) if t1 is not None \
                else "until the end of the trace"
            w('<rect x="%d" y="%.1f" width="14" height="%.1f" fill="#e8a33d" '
              'fill-opacity="0.35" stroke="#c77d12" stroke-opacity="0.5">'
              '<title>%s blocked (%s) from %.3f µs %s</title></rect>'
              % (lane.x - 7, y0, y1 - y0, esc(lane.label), esc(why), t0, esc(until)))
        w('</g>')
        # rows
        w('<g class="rows">')
        for r in self.rows:
            y = ytop + (r.n + 0.5) * ROW_H
            w('<text x="%d" y="%.1f" text-anchor="end" fill="#555">%.3f</text>'
              % (TIME_W, y + 4, r.time))
            self._draw_row(w, r, y)
        w('</g>')
        if not self.rows:
            w('<text x="%d" y="%d" fill="#a00">no mailbox, wait or switch events in the '
              'window</text>' % (TIME_W + MARGIN, ytop + 16))
        if self.omitted:
            w('<text x="%d" y="%d" fill="#a00">%d more row%s left out (--max-rows %d)</text>'
              % (MARGIN, ybot + 36, self.omitted, "" if self.omitted == 1 else "s",
                 self.max_rows))
        w('</svg>')
        return "\n".join(out) + "\n"

    def _caption(self):
        parts = ["%d row%s" % (len(self.rows), "" if len(self.rows) == 1 else "s")]
        if self.omitted:
            parts.append("%d more left out by --max-rows %d" % (self.omitted, self.max_rows))
        if self.from_us is not None or self.to_us is not None:
            parts.append("window %s .. %s µs" % (
                "start" if self.from_us is None else "%.3f" % self.from_us,
                "end" if self.to_us is None else "%.3f" % self.to_us))
        parts.append("%d records in the trace" % self.trace.count)
        parts.append("rows are in order, not to scale")
        return "; ".join(parts)

    def _legend(self, w):
        x = MARGIN
        y = 58
        items = [("post", "#1f5fbf", ""), ("fetch", "#1d8a3a", ""),
                 ("mailbox full", "#d62728", "5,3"), ("switch", "#aaa", "2,3")]
        for label, color, dash in items:
            w('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
              % (x, y, x + 28, y, color, ' stroke-dasharray="%s"' % dash if dash else ""))
            w('<text x="%d" y="%d">%s</text>' % (x + 34, y + 4, esc(label)))
            x += 130
        w('<circle cx="%d" cy="%d" r="5" fill="#ff7f0e"/>' % (x + 6, y))
        w('<text x="%d" y="%d">timeout</text>' % (x + 16, y + 4))
        x += 100
        w('<rect x="%d" y="%d" width="14" height="14" fill="#e8a33d" fill-opacity="0.35" '
          'stroke="#c77d12"/>' % (x, y - 7))
        w('<text x="%d" y="%d">blocked</text>' % (x + 20, y + 4))

    def _draw_row(self, w, r, y):
        lanes = self.lanes
        a = r.action
        src = lanes[r.src]
        if a == _SWITCH:
            dst = lanes[r.dst]
            w('<g class="switch"><title>%s</title>'
              '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#aaa" stroke-width="1" '
              'stroke-dasharray="2,3"/><circle cx="%d" cy="%.1f" r="3" fill="#aaa"/></g>'
              % (esc(r.title), src.x, y, dst.x, y, dst.x, y))
            return
        if a == _WAIT:
            w('<g class="wait"><title>%s</title><rect x="%d" y="%.1f" width="8" height="8" '
              'fill="#c77d12"/><text x="%d" y="%.1f" font-size="11" fill="#7a4a06">%s</text></g>'
              % (esc(r.title), src.x - 4, y - 4, src.x + 10, y + 4, esc(_clip(r.label, 30))))
            return
        if a == _TIMEOUT:
            dst = lanes[r.dst]
            w('<g class="timeout"><title>%s</title>'
              '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ff7f0e" stroke-width="1" '
              'stroke-dasharray="1,3"/>'
              '<circle cx="%d" cy="%.1f" r="6" fill="#ff7f0e"/>'
              '<text x="%d" y="%.1f" font-size="11" fill="#b35900">timeout</text></g>'
              % (esc(r.title), dst.x, y, src.x, y, src.x, y, src.x + 10, y - 6))
            return
        dst = lanes[r.dst]
        title = r.title
        if r.post is not None:
            p = r.post
            if p.fetched is not None:
                title += "; fetched %s later by %s" % (duration(p.fetched - p.time), p.by)
            else:
                title += "; not fetched in this trace"
        x1, x2 = src.x, dst.x
        if x1 == x2:                    # same lane: a small loop
            x2 = x1 + 40
        mid = (x1 + x2) / 2
        if a == _FULL:
            xe = x2 - 8 if x2 > x1 else x2 + 8
            w('<g class="full"><title>%s</title>'
              '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d62728" stroke-width="2" '
              'stroke-dasharray="5,3"/>'
              '<path d="M%d,%.1f l10,10 m0,-10 l-10,10" stroke="#d62728" stroke-width="2.5"/>'
              '<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="#d62728">'
              '%s</text></g>'
              % (esc(title), x1, y, xe, y, x2 - 5, y - 5, mid, y - 4, esc(r.label)))
            return
        cls, color, marker = ("fetch", "#1d8a3a", "ahf") if a == _FETCH else \
            ("post", "#1f5fbf", "ahp")
        dash = ' stroke-dasharray="6,2"' if a == _TRYPOST else ""
        w('<g class="%s"><title>%s</title>'
          '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1.6"%s '
          'marker-end="url(#%s)"/>'
          '<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="%s">%s</text></g>'
          % (cls, esc(title), x1, y, x2, y, color, dash, marker, mid, y - 4, color,
             esc(r.label)))


def _clip(s, n):
    return s if len(s) <= n else s[:n - 1] + "…"


def write_svg(trace, path, elf=None, from_us=None, to_us=None, max_rows=400):
    """Decode trace and write its sequence diagram to path."""
    d = Diagram(trace, elf, from_us, to_us, max_rows)
    text = d.render("ngtrace: %s" % trace.path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return d
