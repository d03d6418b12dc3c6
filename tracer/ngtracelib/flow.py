"""Flows: the records that follow one frame (or message) across threads.

A flow is a window of records, not a time slice: the few records of each
context that handled the thing being followed, joined by the links that
carried it from one context to the next.  For a received frame that is

    isr:irq42     ISR_ENTER .. SEM_SIGNAL (woke eth_rx) .. ISR_EXIT
                        |  signal -> SEM_TAKE
    eth_rx        ethernetif_input { low_level_input { FRAME_RX } tcpip_input {
                  MBOX_TRYPOST tcpip_mbox msg=M } }
                        |  post -> fetch, matched by mailbox and message
    tcpip_thread  MBOX_FETCH msg=M, TCPIP_MSG INPKT, ethernet_input { ip4_input {
                  icmp_input { ip4_output_if { ... FRAME_TX } } } }

FlowIndex reads the whole trace once and computes what following needs:
for every record its context (a thread, or one run of an interrupt
handler), the layers open in that context (LAYER_ENTER not yet left), the
LAYER_EXIT of each LAYER_ENTER, the fetch of each mailbox post (first in,
first out by mailbox and message pointer, as "ngtrace svg" matches them),
and the SEM_TAKE that each SEM_SIGNAL let through.

Flow building blocks, meant to be reused for socket calls:

  segment      the records of one context from a start record to where its
               work is done (run_end): the activation it started returns,
               an enclosing layer returns, or the thread waits again
  forward      from every post and signal in a segment, the segment of the
               context that fetched or took it (hop by hop, bounded)
  wake         backward from a segment start: the SEM_TAKE or MBOX_FETCH
               that woke the thread, and the signal or post (with its
               interrupt handler run) that caused it

rx_flow() and tx_flow() are the frame flows of pcapng comments and of
"ngtrace flow".  The rules where a frame's records start and end inside a
receive loop that handles several frames in one activation are in
docs/ngtrace.md ("what a flow is").
"""

import bisect
import collections

from .errors import NgtraceError

MAX_SEGMENT = 2000      # records of one context in one segment, at most
MAX_HOPS = 6            # posts and signals followed from the first segment

# Layer functions on the way out: a FRAME_TX's records start at the
# outermost of these still open, so that the reply to a ping starts at
# ip4_output_if, not at the ethernet_input of the request.
OUTPUT_LAYERS = frozenset((
    "ip4_output", "ip4_output_if", "ip4_frag", "etharp_output", "etharp_query",
    "etharp_send_ip", "etharp_request", "ethernet_output", "low_level_output",
    "netif_loop_output", "icmp_dest_unreach", "icmp_time_exceed",
    "udp_send", "udp_sendto", "raw_send", "tcp_output", "tcp_output_segment"))

# At the depth a segment started, these mean the thread went back to waiting
# (or, for THREAD_SWITCH, stopped running).
_WAITS = frozenset(("MBOX_WAIT", "MBOX_FETCH", "MBOX_EMPTY", "MBOX_TIMEOUT", "SEM_WAIT",
                    "SEM_TAKE", "SEM_TIMEOUT", "THREAD_SLEEP", "THREAD_EXIT",
                    "MBOX_POST_BLOCK", "THREAD_SWITCH", "END"))
_POSTS = frozenset(("MBOX_POST", "MBOX_TRYPOST"))
_NO_EXIT = -1


class Segment:
    """The records of one context inside a flow (indexes, ascending)."""
    __slots__ = ("key", "label", "indexes", "role")

    def __init__(self, key, label, indexes, role):
        self.key = key              # FlowIndex context key
        self.label = label          # "eth_rx", "isr:irq42"
        self.indexes = indexes
        self.role = role            # "isr", "rx", "tx", "fetch", "take", "signal"

    def __repr__(self):
        return "Segment(%s %s #%d..#%d)" % (self.role, self.label, self.indexes[0],
                                           self.indexes[-1])


class Link:
    """How the flow crossed from one context to another: src and dst are
    record indexes (a post and its fetch, a signal and its take, or for a
    switch the THREAD_SWITCH record twice)."""
    __slots__ = ("kind", "src", "dst")

    def __init__(self, kind, src, dst):
        self.kind = kind            # "post", "signal", "switch"
        self.src = src
        self.dst = dst

    def __repr__(self):
        return "Link(%s #%d -> #%d)" % (self.kind, self.src, self.dst)


class Flow:
    """A frame's (or a message's) records: segments, links, and what the
    flow is about."""

    def __init__(self, index, kind, anchor, number):
        self.index = index
        self.kind = kind            # "rx" or "tx"
        self.anchor = anchor        # the FRAME_RX / FRAME_TX record index
        self.number = number        # 1-based among the frames of its kind
        self.segments = []
        self.links = []
        self.parent = None          # tx: the rx Flow it was sent from, if any

    def add(self, seg):
        self.segments.append(seg)
        return seg

    def covers(self, i):
        return any(s.indexes[0] <= i <= s.indexes[-1] and i in s.indexes
                   for s in self.segments)

    def indexes(self):
        """Every record index of the flow, in trace order (switch records of
        the links included)."""
        out = set()
        for s in self.segments:
            out.update(s.indexes)
        for ln in self.links:
            if ln.kind == "switch":
                out.add(ln.src)
        return sorted(out)

    def records(self):
        recs = self.index.recs
        return [recs[i] for i in self.indexes()]

    @property
    def frame(self):
        return self.index.recs[self.anchor]


class FlowIndex:
    """What following needs, computed over the whole trace (see the module
    comment).  recs is the list of decoded records."""

    def __init__(self, trace):
        self.trace = trace
        self.recs = recs = list(trace.records())
        n = len(recs)
        self.key = [None] * n           # context key per record
        self.pos = [0] * n              # position in by_ctx[key]
        self.stack = [()] * n           # LAYER_ENTERs open in the context, before the record
        self.by_ctx = collections.defaultdict(list)
        self.labels = {}                # context key -> label at its first record
        self.exit_of = {}               # LAYER_ENTER index -> LAYER_EXIT index
        self.enter_of = {}
        self.fetch_of = {}              # post index -> fetch index
        self.post_of = {}
        self.take_of = {}               # SEM_SIGNAL index -> SEM_TAKE index
        self.signal_of = {}
        self.switches_to = collections.defaultdict(list)   # thread key -> THREAD_SWITCH indexes
        self.rx_frames = []             # FRAME_RX indexes, in order
        self.tx_frames = []
        self._build()

    # -- keys --------------------------------------------------------------

    @staticmethod
    def thread_key(reg, tid):
        n = reg.objs.get(tid)
        return ("T", tid, n.serial if n is not None else None)

    @staticmethod
    def obj_key(reg, oid):
        n = reg.objs.get(oid)
        return (oid, n.serial if n is not None else None)

    def name(self, i):
        return self.recs[i].event.name

    # -- the one pass ------------------------------------------------------

    def _build(self):
        recs = self.recs
        key, pos, stack = self.key, self.pos, self.stack
        by_ctx, labels = self.by_ctx, self.labels
        stacks = {}                     # context key -> tuple of open enters
        isr_run = {}                    # exception number -> ISR_ENTER index of the run
        posts = collections.defaultdict(collections.deque)
        counted = collections.defaultdict(collections.deque)   # sem -> signals that counted up
        woken = {}                      # (sem, thread key) -> signal index
        for i, rec in enumerate(recs):
            ev = rec.event.name
            ctx = rec.ctx
            exc = ctx >> 8
            if exc:
                if ev == "ISR_ENTER" and rec.fields.get("irq") == exc:
                    isr_run[exc] = i
                k = ("I", exc, isr_run.get(exc, -1))
            else:
                k = self.thread_key(rec.reg, ctx)
            key[i] = k
            lst = by_ctx[k]
            if not lst:
                labels[k] = rec.context
            pos[i] = len(lst)
            lst.append(i)
            st = stacks.get(k, ())
            stack[i] = st
            f = rec.fields
            if ev == "LAYER_ENTER":
                stacks[k] = st + (i,)
            elif ev == "LAYER_EXIT":
                fn = f.get("fn")
                for d in range(len(st) - 1, -1, -1):
                    if recs[st[d]].fields.get("fn") == fn:
                        self.exit_of[st[d]] = i
                        self.enter_of[i] = st[d]
                        stacks[k] = st[:d]
                        break
            elif ev in _POSTS:
                posts[(self.obj_key(rec.reg, f["mbox"]), f["msg"])].append(i)
            elif ev == "MBOX_FETCH":
                q = posts.get((self.obj_key(rec.reg, f["mbox"]), f["msg"]))
                if q:
                    p = q.popleft()
                    self.fetch_of[p] = i
                    self.post_of[i] = p
            elif ev == "SEM_SIGNAL":
                sem = self.obj_key(rec.reg, f["sem"])
                if f.get("woke"):
                    woken[(sem, self.thread_key(rec.reg, f["woke"]))] = i
                else:
                    counted[sem].append(i)
            elif ev == "SEM_TAKE" and not exc:
                sem = self.obj_key(rec.reg, f["sem"])
                s = woken.pop((sem, k), None)
                if s is None and counted[sem]:
                    s = counted[sem].popleft()
                if s is not None:
                    self.take_of[s] = i
                    self.signal_of[i] = s
            elif ev == "THREAD_SWITCH":
                self.switches_to[self.thread_key(rec.reg, f["to"])].append(i)
            elif ev == "FRAME_RX":
                self.rx_frames.append(i)
            elif ev == "FRAME_TX":
                self.tx_frames.append(i)

    # -- segments ----------------------------------------------------------

    def ctx_list(self, i):
        return self.by_ctx[self.key[i]]

    def run_end(self, i):
        """Index of the last record of the work that record i (a fetch, a
        take, a layer enter) starts in its context: the activation it opens
        returns (and the exits right after it), an enclosing layer returns,
        or at the depth of i the thread waits again (that record is not
        included)."""
        lst = self.ctx_list(i)
        p = self.pos[i]
        depth = 0
        entered = False
        recs = self.recs
        last = min(len(lst) - 1, p + MAX_SEGMENT)
        for q in range(p + 1, last + 1):
            ev = recs[lst[q]].event.name
            if ev == "LAYER_ENTER":
                depth += 1
                entered = True
            elif ev == "LAYER_EXIT":
                depth -= 1
                if depth < 0:
                    return lst[q]
                if depth == 0 and entered:
                    while q < last and recs[lst[q + 1]].event.name == "LAYER_EXIT":
                        q += 1
                    return lst[q]
            elif depth == 0 and ev in _WAITS:
                return lst[q - 1]
        return lst[last]

    def span(self, a, b):
        """The records of the context of a from index a to index b."""
        lst = self.ctx_list(a)
        return lst[self.pos[a]:self.pos[b] + 1]

    def isr_run(self, i):
        """The whole run of the interrupt handler that record i is in."""
        return list(self.ctx_list(i))

    def _frame_bounds(self, i, frames, start_enter):
        """First and last index of frame record i's records in its context:
        from start_enter (a LAYER_ENTER open at i) to its exit, but split
        from the frames of the same kind handled in the same activation at
        the first layer their stacks do not share."""
        lst = self.ctx_list(i)
        stk = self.stack[i]
        k = bisect.bisect_left(frames, i)
        first, last = start_enter, self.exit_of.get(start_enter, _NO_EXIT)
        if last == _NO_EXIT:
            last = self.run_end(start_enter)
        # a previous frame in the same activation
        if k > 0:
            j = frames[k - 1]
            if self.key[j] == self.key[i] and j > start_enter:
                d = _common(self.stack[j], stk)
                if d < len(stk) and stk[d] > j:
                    first = max(first, stk[d])
                else:
                    first = lst[self.pos[j] + 1]
        if k + 1 < len(frames):
            j = frames[k + 1]
            if self.key[j] == self.key[i] and j <= last:
                s2 = self.stack[j]
                d = _common(s2, stk)
                if d < len(s2) and s2[d] > i:
                    last = lst[self.pos[s2[d]] - 1]
                else:
                    last = lst[self.pos[j] - 1]
        return first, last

    def segment(self, a, b, role):
        k = self.key[a]
        return Segment(k, self.labels[k], self.span(a, b), role)

    # -- following ---------------------------------------------------------

    def follow(self, flow, first, hops=MAX_HOPS):
        """From the segments of flow (the first ones given), add the
        segments of every fetch of a post and every take of a signal made
        in them, hop by hop."""
        todo = collections.deque((s, 0) for s in first)
        while todo:
            seg, hop = todo.popleft()
            if hop >= hops:
                continue
            for i in seg.indexes:
                ev = self.recs[i].event.name
                if ev in _POSTS:
                    dst, kind = self.fetch_of.get(i), "post"
                elif ev == "SEM_SIGNAL":
                    dst, kind = self.take_of.get(i), "signal"
                else:
                    continue
                if dst is None or dst < i:
                    continue
                flow.links.append(Link(kind, i, dst))
                self._switch_link(flow, i, dst)
                if flow.covers(dst):
                    continue
                new = flow.add(self.segment(dst, self.run_end(dst),
                                            "fetch" if kind == "post" else "take"))
                todo.append((new, hop + 1))

    def _switch_link(self, flow, src, dst):
        """The THREAD_SWITCH to dst's thread between src and dst, if any."""
        k = self.key[dst]
        if k[0] != "T":
            return
        sw = self.switches_to.get(k, ())
        n = bisect.bisect_left(sw, dst) - 1
        if n >= 0 and sw[n] > src:
            flow.links.append(Link("switch", sw[n], sw[n]))

    def wake(self, flow, seg):
        """Extend seg backwards over the SEM_TAKE or MBOX_FETCH that woke
        its thread just before it, and add what caused that: the signal
        (with the whole interrupt handler run, if an ISR gave it) or the
        post.  Returns the segment of the cause, or None."""
        first = seg.indexes[0]
        lst = self.ctx_list(first)
        p = self.pos[first]
        for q in range(p - 1, max(-1, p - 4), -1):
            i = lst[q]
            ev = self.recs[i].event.name
            if ev in ("SEM_TAKE", "MBOX_FETCH"):
                break
            if ev.startswith(("LAYER_", "FRAME_", "MBOX_", "SEM_")):
                return None
        else:
            return None
        seg.indexes[:0] = lst[q:p]
        if ev == "SEM_TAKE":
            src, kind = self.signal_of.get(i), "signal"
        else:
            src, kind = self.post_of.get(i), "post"
        if src is None:
            return None
        flow.links.insert(0, Link(kind, src, i))
        self._switch_link(flow, src, i)
        if self.key[src][0] == "I":
            cause = Segment(self.key[src], self.labels[self.key[src]], self.isr_run(src), "isr")
        else:
            cause = self.segment(src, src, "signal" if kind == "signal" else "post")
        flow.segments.insert(0, cause)
        return cause

    # -- frames ------------------------------------------------------------

    def rx_flow(self, number):
        """The flow of the number-th FRAME_RX (1-based)."""
        if not self.rx_frames:
            raise NgtraceError("%s: no FRAME_RX records (was the FRAME class traced, and "
                               "did a frame arrive?)" % self.trace.path)
        if not 1 <= number <= len(self.rx_frames):
            raise NgtraceError("%s: no FRAME_RX #%d: the trace has %d (1..%d)"
                               % (self.trace.path, number, len(self.rx_frames),
                                  len(self.rx_frames)))
        i = self.rx_frames[number - 1]
        flow = Flow(self, "rx", i, number)
        stk = self.stack[i]
        if stk:
            a, b = self._frame_bounds(i, self.rx_frames, stk[0])
            seg = flow.add(self.segment(a, b, "rx"))
            if a == stk[0]:
                self.wake(flow, seg)
        else:
            seg = flow.add(self.segment(i, self.run_end(i), "rx"))
        self.follow(flow, [seg])
        flow.segments.sort(key=lambda s: s.indexes[0])
        return flow

    def tx_flow(self, number):
        """The flow of the number-th FRAME_TX (1-based): its context's
        records from the outermost output layer open at the FRAME_TX (or
        the outermost layer, if none is an output one) to its exit."""
        if not 1 <= number <= len(self.tx_frames):
            raise NgtraceError("%s: no FRAME_TX #%d: the trace has %d"
                               % (self.trace.path, number, len(self.tx_frames)))
        i = self.tx_frames[number - 1]
        flow = Flow(self, "tx", i, number)
        stk = self.stack[i]
        outs = [e for e in stk if self._layer_name(e) in OUTPUT_LAYERS]
        start = outs[0] if outs else (stk[0] if stk else None)
        if start is None:
            flow.add(self.segment(i, i, "tx"))
        else:
            a, b = self._frame_bounds(i, self.tx_frames, start)
            flow.add(self.segment(a, b, "tx"))
        return flow

    def _layer_name(self, i):
        return self.layer_name(self.recs[i].fields.get("fn"))

    def layer_name(self, value):
        names = self.trace.table.enum_names.get("layer", {})
        return names.get(value, "layer%s" % value)


def _common(a, b):
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def frame_number_of_echo(index):
    """Number (1-based) of the first FRAME_RX holding an ICMP echo request,
    or None."""
    from .packet import is_icmp_echo
    for n, i in enumerate(index.rx_frames, 1):
        if is_icmp_echo(index.recs[i].fields.get("data", b"")):
            return n
    return None
