"""The pending lwIP timeouts: "ng timers".

Walks net/timeouts.c's next_timeout list; cyclic timers are shown by the
handler they run and their interval.
"""

import gdb

from .common import (MAX_LIST, NgCommand, NgError, U32, at, describe_ptr, lookup,
                     lookup_type, out, ptr, signed, tick_hz)
from .threads import now_ticks


class NgTimers(NgCommand):
    """List the pending sys_timeout()s: due time, handler, argument.

Usage: ng timers

Walks net/timeouts.c's next_timeout list (sorted by due time, in
sys_now() milliseconds). A cyclic timer shows lwip_cyclic_timer and the
handler it runs."""

    name = "ng timers"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        head = None
        try:
            head = gdb.lookup_static_symbol("next_timeout")
        except AttributeError:
            pass
        if head is not None:
            node = ptr(head.value())
        else:
            try:
                node = ptr(gdb.parse_and_eval("'timeouts.c'::next_timeout"))
            except gdb.error:
                raise NgError("no next_timeout (net/timeouts.c is not in this program)")
        T = lookup_type("struct sys_timeo")
        try:
            cyclic_fn = int(lookup("lwip_cyclic_timer").address) & U32
        except (NgError, gdb.error):
            cyclic_fn = None
        ctype = None
        try:
            ctype = gdb.lookup_type("struct lwip_cyclic_timer")
        except gdb.error:
            pass
        ticks = now_ticks()
        hz = tick_hz()
        now_ms = ticks * 1000 // hz & U32
        rows = []
        while node:
            if len(rows) >= MAX_LIST:
                raise NgError("the timeout list is corrupt (a loop)")
            t = at(node, T)
            due = int(t["time"]) & U32
            h = ptr(t["h"])
            a = ptr(t["arg"])
            left = signed(due - now_ms)
            handler = describe_ptr(h & ~1 if h & 1 else h)
            if cyclic_fn is not None and h & ~1 == cyclic_fn & ~1 and a and ctype is not None:
                c = at(a, ctype)
                handler += " -> %s every %d ms" % (describe_ptr(ptr(c["handler"]) & ~1),
                                                   int(c["interval_ms"]))
            rows.append((due, left, handler, describe_ptr(a)))
            node = ptr(t["next"])
        out("now %d ms (tick %d); %d timeout%s pending" % (now_ms, ticks, len(rows),
                                                          "" if len(rows) == 1 else "s"))
        if rows:
            out("     DUE ms     IN ms  HANDLER                                  ARG")
            for due, left, handler, a in rows:
                out("  %8d  %+8d  %-40s %s" % (due, left, handler, a))
