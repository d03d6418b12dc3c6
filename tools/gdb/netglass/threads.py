"""Threads: struct ng_thread read and judged, and "ng threads".

Stack high water and canary from the paint and guard words of
kernel/kernel_config.h, what a thread waits for, the threads on a wait
queue (used by the mailbox, semaphore and mutex commands), ng_current and
ng_ticks.
"""

import os
import re

import gdb

from .common import (MAX_LIST, NgCommand, NgError, REPO, U32, cached, at, describe_ptr,
                     exception_name, exception_number, list_nodes, lookup, lookup_type,
                     offset_of, out, ptr, read_cstr, read_words, signed)
from .events import events
from .registry import Registry


KERNEL_CONFIG = os.path.join(REPO, "kernel", "kernel_config.h")


def _read_config(path):
    cfg = {"NG_STACK_CANARY": 0xdeadc0de, "NG_STACK_PAINT": 0xa5a5a5a5,
           "NG_STACK_GUARD_WORDS": 2}
    try:
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r"#define\s+(NG_STACK_\w+)\s+(0[xX][0-9a-fA-F]+|\d+)[uUlL]*",
                                 f.read()):
                cfg[m.group(1)] = int(m.group(2), 0)
    except OSError:
        pass
    return cfg


def config():
    return cached("config", KERNEL_CONFIG, _read_config)


def wait_kind_names():
    try:
        t = gdb.lookup_type("enum ng_wait_kind")
        return {int(f.enumval): f.name.replace("NG_WAIT_", "") for f in t.fields()}
    except gdb.error:
        return {0: "NONE", 1: "SEM", 2: "MUTEX", 3: "MBOX_FETCH", 4: "MBOX_POST",
                5: "SLEEP"}


class ThreadInfo:
    """One struct ng_thread, read and judged."""

    def __init__(self, addr, with_stack=True):
        self.addr = addr
        t = at(addr, lookup_type("struct ng_thread"))
        self.name = read_cstr(ptr(t["name"]))
        self.id = int(t["id"])
        self.prio = int(t["prio"])
        self.state = int(t["state"])
        self.wait_kind = int(t["wait_kind"])
        self.wait_obj = ptr(t["wait_obj"])
        self.wait_msg = ptr(t["wait_msg"])
        self.wake_tick = int(t["wake_tick"])
        self.switches = int(t["switches"])
        self.sp = ptr(t["sp"])
        self.stack = ptr(t["stack"])
        self.stack_size = int(t["stack_size"])
        self.next = ptr(t["all_next"])
        tl = addr + offset_of(t.type, "timer_link")
        self.timed = ptr(t["timer_link"]["next"]) != tl
        self.used = None
        self.canary_ok = None
        if with_stack and self.stack and 0 < self.stack_size <= 1 << 20:
            cfg = config()
            try:
                words = read_words(self.stack, self.stack_size // 4)
            except gdb.MemoryError:
                words = None
            if words:
                guard = cfg["NG_STACK_GUARD_WORDS"]
                i = guard
                while i < len(words) and words[i] == cfg["NG_STACK_PAINT"]:
                    i += 1
                self.used = (len(words) - i) * 4
                self.canary_ok = all(w == cfg["NG_STACK_CANARY"] for w in words[:guard])

    def state_name(self):
        return events().states.get(self.state, "state%d" % self.state)

    def waiting(self, reg, now):
        """What it waits for, in words ('' when it does not wait)."""
        parts = []
        kind = wait_kind_names().get(self.wait_kind, "kind%d" % self.wait_kind)
        if self.wait_kind:
            parts.append(kind)
            if self.wait_obj:
                parts.append(reg.name_of_addr(self.wait_obj) or describe_ptr(self.wait_obj))
            if kind == "MBOX_POST" and self.wait_msg:       # the message it brings
                parts.append("msg " + describe_ptr(self.wait_msg))
        if self.timed:
            parts.append("until tick %d (in %d)" % (self.wake_tick, signed(self.wake_tick - now)))
        elif self.wait_kind and kind != "SLEEP":
            parts.append("forever")
        return " ".join(parts)


def all_threads():
    """The threads on ng_all_threads, and None or what stopped the walk
    early (a thread that cannot be read, a loop)."""
    out = []
    node = ptr(lookup("ng_all_threads"))
    while node:
        if len(out) >= MAX_LIST:
            return out, "ng_all_threads is corrupt (a loop?)"
        try:
            t = ThreadInfo(node)
        except gdb.MemoryError:
            return out, "cannot read the thread at 0x%08x: ng_all_threads is corrupt" % node
        out.append(t)
        node = t.next
    return out, None


def threads_on(head_addr):
    """The threads on a wait queue (struct ng_list of their 'link' members);
    None if the list was never initialised, an NgError if it is corrupt."""
    off = offset_of(lookup_type("struct ng_thread"), "link")
    try:
        nodes = list_nodes(head_addr)
        return None if nodes is None else [ThreadInfo(n - off, False) for n in nodes]
    except gdb.MemoryError as e:
        return NgError("the list at 0x%x is corrupt: %s" % (head_addr, e))
    except NgError as e:
        return e


def format_waiters(threads, now):
    if isinstance(threads, NgError):
        return ["    (%s)" % threads]
    if threads is None:
        return ["    (list not initialised)"]
    if not threads:
        return ["    none"]
    out = []
    for t in threads:
        timeout = "until tick %d (in %d)" % (t.wake_tick, signed(t.wake_tick - now)) \
            if t.timed else "forever"
        out.append("    %-12s id %-3d prio %-2d %s" % (t.name, t.id, t.prio, timeout))
    return out


def current_addr():
    return ptr(lookup("ng_current"))


def now_ticks():
    return int(lookup("ng_ticks")) & U32


class NgThreads(NgCommand):
    """List every thread: id, priority, state, stack high water, what it waits for.

Usage: ng threads

Walks ng_all_threads. '*' marks ng_current (the running thread). STACK is
the deepest use so far (paint words 0xa5a5a5a5 overwritten, counted from
the bottom after the canary words) over the size, in bytes; CANARY is
BROKEN when the guard words at the bottom were overwritten. WAITING FOR
names the wait (SEM, MUTEX, MBOX_FETCH, MBOX_POST, SLEEP), the object
from the registry, and the tick a timeout wakes it."""

    name = "ng threads"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        reg = Registry()
        now = now_ticks()
        cur = current_addr()
        threads, problem = all_threads()
        threads.sort(key=lambda t: (t.id == 0, t.id))
        if not threads and not problem:
            raise NgError("no threads yet (ng_kernel_init has not run)")
        cname = next((t.name for t in threads if t.addr == cur), None)
        if cname is None:
            try:
                c = at(cur, lookup_type("struct ng_thread"))
                cname = read_cstr(ptr(c["name"]))
                boot = not ptr(c["stack"])
            except (gdb.error, NgError):
                cname, boot = "?", False
            cname += (" (the boot context: the first switch is still to come)" if boot
                      else " at 0x%08x (not on ng_all_threads)" % cur)
        exc = exception_number()
        where = ", in handler %s (exception %d)" % (exception_name(exc), exc) if exc else ""
        out("tick %d, %d threads, running: %s%s" % (now, len(threads), cname, where))
        out("    ID  NAME          PRIO  STATE     STACK USED/SIZE  CANARY  SWITCHES  "
            "WAITING FOR")
        for t in threads:
            if t.used is None:
                stack, canary = "%10s" % "-", "-"
            else:
                stack = "%5d/%-5d" % (t.used, t.stack_size)
                pct = 100 * t.used // t.stack_size if t.stack_size else 0
                stack += " %3d%%" % pct
                canary = "ok" if t.canary_ok else "BROKEN"
            out("%s %3d  %-12s  %4d  %-8s  %-15s  %-6s  %8d  %s" % (
                "*" if t.addr == cur else " ", t.id, t.name, t.prio, t.state_name(),
                stack, canary, t.switches, t.waiting(reg, now)))
        if problem:
            out("  (%s)" % problem)
