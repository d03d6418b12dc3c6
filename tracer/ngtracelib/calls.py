"""Calls: the flow of one socket or netconn call made by an application.

A call is an outermost LAYER_ENTER of an lwip_* or netconn_* function in a
thread that is not tcpip_thread, up to its LAYER_EXIT (or, if it never
returns, to the thread's last record).  Calls nested in it (lwip_send ->
netconn_write_partly) are part of it, not calls of their own.

Its flow (a Flow of kind "call", built from the blocks of flow.py) is:

  the call      every record of the app thread from the enter to the exit
                (its switches away only when they go to a context of the
                flow, so that idle and unrelated threads get no lane)
  its messages  for each MBOX_POST/TRYPOST in the call, the fetching
                context's work on that message: tcpip_thread's MBOX_FETCH,
                TCPIP_MSG and its tcpip_thread { do_* ... } activation,
                with the frames sent and the op_completed signal in it
  its wake-ups  for each SEM_TAKE or MBOX_FETCH in the call whose signal or
                post came from another context after the call began and is
                not in the flow yet (connect's do_connected on the SYN-ACK,
                recv_tcp posting data to the recvmbox): that context's
                whole activation around the signal (the outermost layer
                open at it), the fetch of the message that started it, and
                for a received frame the receive thread's part of that
                frame (low_level_input .. the trypost to tcpip_mbox)

Under LWIP_TCPIP_CORE_LOCKING = 1 nothing crosses the mailbox (the do_*
runs in the app thread after a TCPIP_MSG with message 0), so the flow is
the call itself plus its wake-ups.  The links of the flow are every post
whose fetch, and every signal whose take, is in the flow.
"""

import bisect

from .errors import NgtraceError
from .flow import Flow, Link

API_PREFIXES = ("lwip_", "netconn_")
STACK_THREAD = "tcpip_thread"


class Call:
    """One socket or netconn call: where it is, and what it did."""

    def __init__(self, index, number, enter):
        self.index = index
        self.number = number        # 1-based, in order of the calls' start
        self.enter = enter          # the LAYER_ENTER record index
        self.exit = index.exit_of.get(enter)    # None: it never returned
        rec = index.recs[enter]
        self.function = index.layer_name(rec.fields.get("fn"))
        self.arg = rec.fields.get("arg", 0)
        self.thread = index.labels[index.key[enter]]
        self._flow = None

    @property
    def last(self):
        """The last record of the call in its thread."""
        if self.exit is not None:
            return self.exit
        return self.index.ctx_list(self.enter)[-1]

    def start_us(self):
        return self.index.trace.us(self.index.recs[self.enter].time)

    def end_us(self):
        """Time of the LAYER_EXIT, or None."""
        if self.exit is None:
            return None
        return self.index.trace.us(self.index.recs[self.exit].time)

    def flow(self):
        if self._flow is None:
            self._flow = call_flow(self.index, self)
        return self._flow

    def own(self):
        """Record indexes of the call in its own thread."""
        return self.index.span(self.enter, self.last)

    def __repr__(self):
        return "Call(#%d %s in %s #%d..%s)" % (self.number, self.function, self.thread,
                                             self.enter, self.exit)


class CallFlow(Flow):
    """A Flow whose anchor is a call's LAYER_ENTER."""

    def __init__(self, index, call):
        super().__init__(index, "call", call.enter, call.number)
        self.call = call

    def headline(self):
        c = self.call
        end = c.end_us()
        when = ("%.3f .. %.3f us" % (c.start_us(), end) if end is not None
                else "%.3f us, never returns (the trace ends)" % c.start_us())
        return "call #%d: %s(%s) in %s at %s" % (c.number, c.function, arg_text(c.arg),
                                                 c.thread, when)


def arg_text(v):
    """A call's argument: small values (descriptors, lengths) in decimal."""
    return "%d" % v if v < 0x10000 else "0x%x" % v


def stack_threads(index):
    """Context keys of the threads that run the stack: named tcpip_thread,
    or running messages fetched from a mailbox (TCPIP_MSG with a message;
    under the core lock an app thread records message 0)."""
    out = {k for k, label in index.labels.items() if label == STACK_THREAD}
    for i, rec in enumerate(index.recs):
        if rec.event.name == "TCPIP_MSG" and rec.fields.get("msg"):
            out.add(index.key[i])
    return out


def find_calls(index):
    """The calls of the trace (list of Call, in order of their start)."""
    names = index.trace.table.enum_names.get("layer", {})
    api = {v for v, n in names.items() if n.startswith(API_PREFIXES)}
    skip = stack_threads(index)
    recs = index.recs
    calls = []
    for i, rec in enumerate(recs):
        if rec.event.name != "LAYER_ENTER" or rec.fields.get("fn") not in api:
            continue
        k = index.key[i]
        if k[0] != "T" or k in skip:
            continue
        if any(recs[e].fields.get("fn") in api for e in index.stack[i]):
            continue                    # nested in a call of the same thread
        calls.append(Call(index, len(calls) + 1, i))
    return calls


def pick(calls, number, path):
    """Call number (1-based), or a one-line error."""
    if not calls:
        raise NgtraceError("%s: no socket or netconn calls (LAYER_ENTER of an lwip_* or "
                           "netconn_* function in an application thread): was the LAYER "
                           "class traced?" % path)
    if not 1 <= number <= len(calls):
        raise NgtraceError("%s: no call #%d: the trace has %d (1..%d)"
                           % (path, number, len(calls), len(calls)))
    return calls[number - 1]


# -- the flow of a call --------------------------------------------------------

def call_flow(index, call):
    flow = CallFlow(index, call)
    own = call.own()
    app = index.key[call.enter]
    flow.add(index.segment(call.enter, call.last, "call"))
    recs = index.recs
    # the messages the call posted, where they were fetched
    for i in own:
        if recs[i].event.name in ("MBOX_POST", "MBOX_TRYPOST"):
            dst = index.fetch_of.get(i)
            if dst is not None and index.key[dst] != app and not flow.covers(dst):
                flow.add(index.segment(dst, index.run_end(dst), "fetch"))
    # what woke the call, when that happened while it ran
    for i in own:
        name = recs[i].event.name
        if name == "SEM_TAKE":
            src = index.signal_of.get(i)
        elif name == "MBOX_FETCH":
            src = index.post_of.get(i)
        else:
            continue
        if src is None or src < call.enter or index.key[src] == app or flow.covers(src):
            continue
        _add_cause(index, flow, src)
    _drop_foreign_switches(index, flow)
    _link(index, flow)
    flow.segments.sort(key=lambda s: s.indexes[0])
    return flow


def _add_cause(index, flow, src):
    """The activation of another context that holds record src (a signal
    or a post), with what started it."""
    k = index.key[src]
    if k[0] == "I":
        flow.add(index.segment(index.ctx_list(src)[0], index.ctx_list(src)[-1], "isr"))
        return
    stk = index.stack[src]
    if not stk:
        flow.add(index.segment(src, src, "cause"))
        return
    a = stk[0]
    b = index.exit_of.get(a)
    if b is None:
        b = index.run_end(a)
    seg = flow.add(index.segment(a, b, "cause"))
    cause = index.wake(flow, seg)       # the fetch before it, and the post
    if cause is not None and cause.role == "post":
        rx = _rx_part(index, cause.indexes[0])
        if rx is not None:
            cause.indexes = rx
            cause.role = "rx"


def _rx_part(index, post):
    """The receive thread's records of the frame that a post to tcpip_mbox
    carries: from the frame's start in the activation to its end (as
    "ngtrace flow" splits them), when a FRAME_RX of that context precedes
    the post inside the same outermost layer."""
    stk = index.stack[post]
    if not stk:
        return None
    frames = index.rx_frames
    n = bisect.bisect_left(frames, post) - 1
    if n < 0:
        return None
    j = frames[n]
    if index.key[j] != index.key[post] or j < stk[0]:
        return None
    a, b = index._frame_bounds(j, frames, stk[0])
    if not a <= post <= b:
        return None
    return index.span(a, b)


def _drop_foreign_switches(index, flow):
    """Switches away from a thread of the flow to a thread not in it (the
    app blocking and idle running) are left out: they would only add a
    lane for a thread that plays no part."""
    keys = {s.key for s in flow.segments}
    recs = index.recs
    for s in flow.segments:
        keep = []
        for i in s.indexes:
            rec = recs[i]
            if rec.event.name == "THREAD_SWITCH" and \
                    index.thread_key(rec.reg, rec.fields["to"]) not in keys:
                continue
            keep.append(i)
        s.indexes = keep or s.indexes[:1]


def _link(index, flow):
    """A link for every post whose fetch, and every signal whose take, is
    in the flow (with the switch that let the receiver run)."""
    inside = set(flow.indexes())
    recs = index.recs
    have = {(ln.kind, ln.src, ln.dst) for ln in flow.links}
    for i in sorted(inside):
        name = recs[i].event.name
        if name in ("MBOX_POST", "MBOX_TRYPOST"):
            dst, kind = index.fetch_of.get(i), "post"
        elif name == "SEM_SIGNAL":
            dst, kind = index.take_of.get(i), "signal"
        else:
            continue
        if dst is None or dst not in inside or (kind, i, dst) in have:
            continue
        have.add((kind, i, dst))
        flow.links.append(Link(kind, i, dst))
        index._switch_link(flow, i, dst)


# -- what the call returned ------------------------------------------------------

def result(call, errno_names=None):
    """What the trace shows of the call's outcome: "never returns",
    "errno 111 (ECONNREFUSED)", "timeout", a DNS result, "ok" (errno 0), or
    "-" when nothing in the call says."""
    if call.exit is None:
        return "never returns"
    index = call.index
    recs = index.recs
    out = "-"
    for i in call.flow().indexes():
        rec = recs[i]
        name = rec.event.name
        mine = index.key[i] == index.key[call.enter]
        if name == "SOCK_ERRNO" and mine:
            e = rec.fields.get("errno", 0)
            if e == 0:
                out = "ok"
            else:
                nm = (errno_names or {}).get(e)
                out = "errno %d (%s)" % (e, nm) if nm else "errno %d" % e
        elif name in ("SEM_TIMEOUT", "MBOX_TIMEOUT") and mine:
            out = "timeout"
        elif name == "DNS_RESULT":
            res = index.trace.table.enum_names.get("dns_result", {})
            r = res.get(rec.fields.get("result"), str(rec.fields.get("result")))
            a = rec.fields.get("addr", 0)
            out = "DNS %s" % r if not a else "DNS %s %d.%d.%d.%d" % (
                r, a & 255, a >> 8 & 255, a >> 16 & 255, a >> 24)
    return out
