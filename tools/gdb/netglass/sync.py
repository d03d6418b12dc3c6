"""The synchronisation objects: "ng mbox", "ng sem", "ng mutex", "ng objects".

Each shows one struct ng_mbox, ng_sem or ng_mutex (named from the
registry or by a C expression) with the threads waiting on it; "ng
objects" lists the whole registry with a one-line summary of each object.
"""

import gdb

from .common import (NgCommand, NgError, at, describe_ptr, lookup_type, offset_of, out, ptr,
                     read_cstr, read_words, symbolize)
from .registry import Registry, complete_names, resolve_object
from .threads import ThreadInfo, format_waiters, now_ticks, threads_on


class NgMbox(NgCommand):
    """Show a mailbox: counters, the queued messages in FIFO order, who waits.

Usage: ng mbox NAME|EXPR

NAME is a registry name (ng mbox demo_mbox); EXPR is a struct ng_mbox, a
sys_mbox_t (whose first member is the ng_mbox), or a pointer to either.
Each queued message is shown with the symbol it points into and, when that
is a variable or an element of an array, its value."""

    name = "ng mbox"

    def complete(self, text, word):
        return complete_names("MBOX", text)

    def run(self, arg, from_tty):
        addr = resolve_object(arg, "ng_mbox", "MBOX")
        T = lookup_type("struct ng_mbox")
        mb = at(addr, T)
        reg = Registry()
        now = now_ticks()
        name = read_cstr(ptr(mb["name"]))
        size, count, head = int(mb["size"]), int(mb["count"]), int(mb["head"])
        mid = int(mb["id"])
        sym = symbolize(addr)
        out("mailbox %s (id %d) at 0x%08x%s" % (name, mid, addr, " = " + sym if sym else ""))
        if reg.by_id.get(mid, (None, None, None))[2] != addr:
            out("  note: not in the registry under id %d (destroyed or not initialised?)" % mid)
        out("  capacity %d, count %d, head %d, high water %d" % (size, count, head,
                                                                 int(mb["high_water"])))
        out("  posts %d, fetches %d, fulls %d" % (int(mb["posts"]), int(mb["fetches"]),
                                                  int(mb["fulls"])))
        if size == 0 and not ptr(mb["slots"]):
            out("  not initialised (no slots): ng_mbox_init has not run on it")
            return
        if size == 0 or count > size or head >= size:
            out("  queued: (inconsistent: count %d, head %d, size %d)" % (count, head, size))
        elif count == 0:
            out("  queued: none")
        else:
            slots = read_words(ptr(mb["slots"]), size)
            out("  queued, oldest first:")
            for i in range(count):
                slot = (head + i) % size
                msg = slots[slot]
                text, shown = symbolize(msg, detail=True) if msg else ("NULL", None)
                out("    %d. slot %d: 0x%08x %s%s" % (i + 1, slot, msg, text or "",
                                                    "  " + shown if shown else ""))
        out("  getters (blocked in fetch, mailbox empty):")
        for line in format_waiters(threads_on(addr + offset_of(T, "getters")), now):
            out(line)
        out("  putters (blocked in post, mailbox full):")
        putters = threads_on(addr + offset_of(T, "putters"))
        lines = format_waiters(putters, now)
        if isinstance(putters, list) and putters:     # and the message each one brings
            lines = [l + "  with msg " + describe_ptr(t.wait_msg) for l, t in zip(lines, putters)]
        for line in lines:
            out(line)


class NgSem(NgCommand):
    """Show a counting semaphore: count and the threads waiting.

Usage: ng sem NAME|EXPR

NAME is a registry name (ng sem done_sem); EXPR is a struct ng_sem, a
sys_sem_t, or a pointer to either."""

    name = "ng sem"

    def complete(self, text, word):
        return complete_names("SEM", text)

    def run(self, arg, from_tty):
        addr = resolve_object(arg, "ng_sem", "SEM")
        T = lookup_type("struct ng_sem")
        s = at(addr, T)
        sym = symbolize(addr)
        out("semaphore %s (id %d) at 0x%08x%s" % (read_cstr(ptr(s["name"])), int(s["id"]), addr,
                                                " = " + sym if sym else ""))
        out("  count %d" % int(s["count"]))
        out("  waiters:")
        for line in format_waiters(threads_on(addr + offset_of(T, "waiters")), now_ticks()):
            out(line)


class NgMutex(NgCommand):
    """Show a mutex: owner and the threads waiting.

Usage: ng mutex NAME|EXPR"""

    name = "ng mutex"

    def complete(self, text, word):
        return complete_names("MUTEX", text)

    def run(self, arg, from_tty):
        addr = resolve_object(arg, "ng_mutex", "MUTEX")
        T = lookup_type("struct ng_mutex")
        m = at(addr, T)
        owner = ptr(m["owner"])
        out("mutex %s (id %d) at 0x%08x" % (read_cstr(ptr(m["name"])), int(m["id"]), addr))
        out("  owner %s, depth %d" % (ThreadInfo(owner, False).name if owner else "none",
                                      int(m["depth"])))
        out("  waiters:")
        for line in format_waiters(threads_on(addr + offset_of(T, "waiters")), now_ticks()):
            out(line)


class NgObjects(NgCommand):
    """List the object registry: id, kind, name, address, and a summary.

Usage: ng objects

The registry (ng_registry[]) names every thread, semaphore, mutex and
mailbox; its ids are the ones trace records carry."""

    name = "ng objects"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        reg = Registry()
        out("%d of %d registry entries used" % (len(reg.by_id), reg.size - 1))
        out("   ID  KIND    NAME          ADDRESS     SUMMARY")
        for i, (kind, name, addr) in sorted(reg.by_id.items()):
            out("  %3d  %-6s  %-12s  0x%08x  %s" % (i, kind, name, addr, self.summary(kind, addr)))

    @staticmethod
    def summary(kind, addr):
        try:
            if kind == "THREAD":
                t = ThreadInfo(addr, False)
                return "%s, prio %d" % (t.state_name(), t.prio)
            if kind == "SEM":
                return "count %d" % int(at(addr, lookup_type("struct ng_sem"))["count"])
            if kind == "MUTEX":
                owner = ptr(at(addr, lookup_type("struct ng_mutex"))["owner"])
                return "owner %s" % (ThreadInfo(owner, False).name if owner else "none")
            if kind == "MBOX":
                mb = at(addr, lookup_type("struct ng_mbox"))
                return "%d of %d queued" % (int(mb["count"]), int(mb["size"]))
        except (gdb.error, NgError):
            return "(unreadable)"
        return ""
