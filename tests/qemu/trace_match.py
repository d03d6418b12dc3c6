"""tests/qemu/trace_match.py - find a documented flow in a decoded trace.

A flow is written as a list of steps, each one record to find:

    S("app", "enter", "lwip_socket", label="call"),
    S("app", "MBOX_POST", "tcpip_mbox", bind={"msg": "M"}, label="post"),
    S("stack", "MBOX_FETCH", "tcpip_mbox", bind={"msg": "M"}, pair="post"),
    S("stack", "TCPIP_MSG", "API do_newconn", bind={"msg": "M"}),
    S("stack", "enter", "tcpip_thread", bind={"arg": "M"}, label="run"),
    S("stack", "enter", "do_newconn", inside="run"),

and Matcher.find looks for them as an ordered subsequence of the records
(other records may come between two steps). A step names

  role   whose record it is: a key of the roles given to the Matcher
         ("app" -> "tcp_client", "stack" -> "tcpip_thread", "isr" ->
         "isr:irq42"), matched against the record's context name;
  event  the event ("enter"/"exit" for LAYER_ENTER/LAYER_EXIT);
  what   what it is about, by event: the layer name; the mailbox,
         semaphore or mutex name; "TYPE [handler]" of a TCPIP_MSG; the handler of
         a TIMER_*; the IRQ name of an ISR_*; the evt of NETCONN_EVT.

and, to follow one message or object across threads:

  bind      {field: VAR}: the first step that binds VAR sets it, every
            later one must have the same value (a message pointer, a
            semaphore id);
  fields    {field: value}: exact values (TCPIP_MSG msg=0 under the lock);
  pair      the label of an earlier post/signal (or fetch/take): this
            record must be its fetch/take as the decoder pairs them
            (mailbox and pointer first in first out; the SEM_TAKE a
            SEM_SIGNAL let through);
  inside    the label of an earlier LAYER_ENTER this record is nested in;
  in_layers layer names that must all be open around the record in its
            context (the app's call it belongs to);
  same      the label of an earlier record of the same context run (one
            run of an interrupt handler);
  woke      for SEM_SIGNAL: the role of the thread it woke;
  quiet     (label, events): no record of these events in this record's
            context between the labelled record and this one (the same
            wake-up of a receive thread).

The search backtracks, so an early candidate that leads nowhere (the ACK
that came before the data) does not hide the right one. When no match
exists, the failure message lists the steps, which of them were found at
which record in the attempt that got furthest, and the records around
the first step that was not found.
"""
import bisect
import collections
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if os.path.join(ROOT, "tracer") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tracer"))

from ngtracelib.listing import Formatter  # noqa: E402
from ngtracelib.reader import exception_name  # noqa: E402

EVENT_ALIASES = {"enter": "LAYER_ENTER", "exit": "LAYER_EXIT"}
BUDGET = 400000          # candidate records tried per search, at most


class S:
    """One step of a flow (see the module comment)."""
    __slots__ = ("role", "event", "what", "label", "bind", "fields", "pair", "inside",
                 "in_layers", "same", "woke", "quiet")

    def __init__(self, role, event, what=None, label=None, bind=None, fields=None, pair=None,
                 inside=None, in_layers=(), same=None, woke=None, quiet=None):
        self.role = role
        self.event = EVENT_ALIASES.get(event, event)
        self.what = what
        self.label = label
        self.bind = bind or {}
        self.fields = fields or {}
        self.pair = pair
        self.inside = inside
        self.in_layers = tuple(in_layers)
        self.same = same
        self.woke = woke
        self.quiet = quiet

    def __str__(self):
        ev = {"LAYER_ENTER": "enter", "LAYER_EXIT": "exit"}.get(self.event, self.event)
        s = "%-12s %s %s" % (self.role or "any", ev, self.what or "")
        extra = ["%s=$%s" % kv for kv in sorted(self.bind.items())]
        extra += ["%s=%r" % kv for kv in sorted(self.fields.items())]
        for name in ("pair", "inside", "same", "woke"):
            if getattr(self, name):
                extra.append("%s %s" % (name, getattr(self, name)))
        if self.in_layers:
            extra.append("in " + "/".join(self.in_layers))
        if self.quiet:
            extra.append("no %s since %s" % ("/".join(sorted(self.quiet[1])), self.quiet[0]))
        if self.label:
            extra.append("[%s]" % self.label)
        return s.rstrip() + ("  (" + ", ".join(extra) + ")" if extra else "")


class Match:
    """A found flow: record index per step, per label, and the variables."""

    def __init__(self, at, labels, vars_):
        self.at = at
        self.labels = labels
        self.vars = vars_

    def __getitem__(self, label):
        return self.labels[label]


class NoMatch(AssertionError):
    pass


class Matcher:
    """Searches a FlowIndex (ngtracelib.flow) for flows of steps."""

    def __init__(self, index, roles, elf=None):
        self.index = index
        self.recs = index.recs
        self.roles = dict(roles)
        self.elf = elf
        self.fmt = Formatter(index.trace.table, elf)
        self.layer_names = index.trace.table.enum_names.get("layer", {})
        self.enums = index.trace.table.enum_names
        self.by_event = collections.defaultdict(list)
        for i, r in enumerate(self.recs):
            self.by_event[r.event.name].append(i)

    # -- what a record is ----------------------------------------------------

    def sym(self, addr):
        if self.elf is None or not addr:
            return "0x%x" % addr
        return self.elf.lookup(addr) or "0x%x" % addr

    def what_of(self, i):
        """The 'what' of record i, in the words of S (see the module comment)."""
        r = self.recs[i]
        ev, f = r.event.name, r.fields
        if ev in ("LAYER_ENTER", "LAYER_EXIT"):
            return self.layer_names.get(f["fn"], str(f["fn"]))
        if ev.startswith("MBOX_"):
            return r.reg.obj_name(f["mbox"])
        if ev.startswith("SEM_"):
            return r.reg.obj_name(f["sem"])
        if ev.startswith("MUTEX_"):
            return r.reg.obj_name(f["mutex"])
        if ev == "TCPIP_MSG":
            kind = self.enums["msgtype"].get(f["type"], f["type"])
            return "%s %s" % (kind, self.sym(f["handler"]))
        if ev.startswith("TIMER_"):
            return self.sym(f["handler"])
        if ev.startswith("ISR_"):
            return exception_name(f["irq"])
        if ev == "NETCONN_EVT":
            return self.enums["netconn_evt"].get(f["evt"], str(f["evt"]))
        if ev.startswith("MEMP_"):     # the pool, by its descriptor: memp_TCP_PCB -> TCP_PCB
            name = self.sym(f["pool"])
            return name[len("memp_"):] if name.startswith("memp_") else name
        return None

    def _what_ok(self, step, i):
        if step.what is None:
            return True
        w = self.what_of(i)
        if step.event == "TCPIP_MSG":
            return w == step.what or w.split()[0] == step.what
        return w == step.what

    def _role_ok(self, step, i):
        return step.role is None or self.recs[i].context == self.roles[step.role]

    def _ok(self, step, i, labels, vars_):
        """None if record i does not fit step, else the new vars."""
        idx = self.index
        r = self.recs[i]
        if not self._role_ok(step, i) or not self._what_ok(step, i):
            return None
        f = r.fields
        for k, v in step.fields.items():
            if f.get(k) != v:
                return None
        if step.pair is not None:
            src = labels[step.pair]
            if i not in (idx.fetch_of.get(src), idx.take_of.get(src), idx.post_of.get(src),
                         idx.signal_of.get(src)):
                return None
        if step.inside is not None and labels[step.inside] not in idx.stack[i]:
            return None
        if step.in_layers:
            open_ = {self.layer_names.get(self.recs[e].fields["fn"]) for e in idx.stack[i]}
            if not set(step.in_layers) <= open_:
                return None
        if step.same is not None and idx.key[labels[step.same]] != idx.key[i]:
            return None
        if step.woke is not None and r.reg.thread_name(f.get("woke", 0)) != self.roles[step.woke]:
            return None
        if step.quiet is not None:
            since, events = step.quiet
            s = labels[since]
            if idx.key[s] != idx.key[i]:
                return None
            lst = idx.by_ctx[idx.key[i]]
            if any(self.recs[j].event.name in events for j in lst[idx.pos[s] + 1:idx.pos[i]]):
                return None
        new = vars_
        for field, var in step.bind.items():
            v = f.get(field)
            if var in vars_:
                if vars_[var] != v:
                    return None
            else:
                if new is vars_:
                    new = dict(vars_)
                new[var] = v
        return new

    def _limit(self, step, labels, end):
        """The last record index step could be at."""
        idx = self.index
        if step.inside is not None:
            e = idx.exit_of.get(labels[step.inside])
            if e is not None:
                end = min(end, e)
        return end

    # -- the search ----------------------------------------------------------

    def find(self, steps, start=0, end=None):
        """Match (or raise NoMatch with the report) of steps from record start."""
        end = len(self.recs) - 1 if end is None else end
        best = {"depth": -1, "at": []}
        budget = [BUDGET]

        def go(k, after, at, labels, vars_):
            if k == len(steps):
                return Match(list(at), dict(labels), dict(vars_))
            if k > best["depth"]:
                best["depth"], best["at"] = k, list(at)
            step = steps[k]
            cands = self.by_event.get(step.event, [])
            if step.pair is not None:
                src = labels[step.pair]
                idx = self.index
                one = [j for j in (idx.fetch_of.get(src), idx.take_of.get(src),
                                   idx.post_of.get(src), idx.signal_of.get(src))
                       if j is not None and j > after]
                it = sorted(one)
            else:
                lo = bisect.bisect_right(cands, after)
                hi = bisect.bisect_right(cands, self._limit(step, labels, end))
                it = (cands[n] for n in range(lo, hi))
            for i in it:
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                new = self._ok(step, i, labels, vars_)
                if new is None:
                    continue
                at.append(i)
                if step.label:
                    labels[step.label] = i
                got = go(k + 1, i, at, labels, new)
                if got is not None:
                    return got
                at.pop()
                if step.label:
                    labels.pop(step.label, None)
            return None

        got = go(0, start - 1, [], {}, {})
        if got is not None:
            return got
        raise NoMatch(self.report(steps, best["depth"], best["at"], start,
                                  budget[0] < 0))

    # -- the failure message -------------------------------------------------

    def line(self, i):
        r = self.recs[i]
        return "#%-6d %14.3f  %-14s %s" % (i, self.index.trace.us(r.time), r.context,
                                          self.fmt.line_tail(r))

    def report(self, steps, depth, at, start, out_of_budget):
        out = ["flow not found in order (roles: %s)%s" % (
            ", ".join("%s=%s" % kv for kv in sorted(self.roles.items())),
            "; the search gave up (too many candidates)" if out_of_budget else "")]
        out.append("expected steps (furthest attempt):")
        for k, s in enumerate(steps):
            mark = ("#%d" % at[k]) if k < len(at) else ("MISSING" if k == depth else "")
            out.append("  %2d %-8s %s" % (k + 1, mark, s))
        first = at[-1] if at else start
        roles = set(self.roles.values())
        near = [j for j in range(first, len(self.recs)) if self.recs[j].context in roles][:40]
        out.append("records of those roles from #%d (the last step found), first 40:" % first)
        out.extend("  " + self.line(j) for j in near)
        return "\n".join(out)
