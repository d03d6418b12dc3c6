# tools/gdb/netglass_gdb.py - the netglass GDB commands (loaded by netglass.py).
#
#     (gdb) source tools/gdb/netglass.py
#     (gdb) help ng
#
# In the style of Linux's scripts/gdb: one small gdb.Command class per
# command, its docstring the help text, all under the prefix "ng". Every
# command reads the target's memory only (nothing is called in the target,
# nothing is written), so they are safe at any stop, even in the middle of a
# context switch; a pointer that leads nowhere is reported, not followed.
#
# What they know of the kernel comes from the ELF's debug information
# (struct ng_thread, ng_registry[], ...) and from the repository's own
# files, found relative to this file: tracer/events.def (event, state and
# kind names) and kernel/kernel_config.h (stack paint and canary words).
# Errors are one line ("ng mbox: no mbox named 'foo' ..."), never a Python
# traceback.
#
# Layout: reading helpers, the kernel's objects, the commands, then the
# trace ring's decoder and "ng trace". The commands are registered at the
# end, when this module is imported (or reloaded by a second source).

import os
import re
import struct
import sys

import gdb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
EVENTS_DEF = os.path.join(REPO, "tracer", "events.def")
KERNEL_CONFIG = os.path.join(REPO, "kernel", "kernel_config.h")

MAX_LIST = 256          # longest list walked before calling it corrupt
U32 = 0xFFFFFFFF


class NgError(Exception):
    """A problem to report to the user in one line."""


# ---------------------------------------------------------------------------
# The repository's tables: events.def and kernel_config.h.

class _Field:
    __slots__ = ("name", "type", "word", "shift", "width")

    def __init__(self, name, type_, word, shift, width):
        self.name, self.type, self.word, self.shift, self.width = \
            name, type_, word, shift, width


class _Event:
    __slots__ = ("name", "id", "nwords", "var", "fields")

    def __init__(self, name, id_, nwords, var, fields):
        self.name, self.id, self.nwords, self.var, self.fields = \
            name, id_, nwords, var, fields


class EventTable:
    """events.def as the commands need it: events by id, state and kind
    names. Taken from tracer/ngtracelib/events.py when that imports and
    parses; otherwise parsed here with a small regular expression."""

    WIDTH = {"u8": 8, "u16": 16, "u24": 24, "u32": 32, "obj": 8, "thread": 8,
             "irq": 8, "kind": 8, "state": 8, "ptr": 32, "fn": 32, "ms": 32,
             "ticks": 32}

    def __init__(self, path):
        self.path = path
        self.by_id = {}
        self.states = {}
        self.kinds = {}
        self.enums = {}         # NG_ENUM type -> {value: name}
        self.source = None
        try:
            self._from_ngtracelib()
            self.source = "tracer/ngtracelib/events.py"
        except Exception:       # being written, moved, or broken: do it here
            self.by_id, self.states, self.kinds, self.enums = {}, {}, {}, {}
            self._parse()
            self.source = "netglass.py's own parser"

    def _from_ngtracelib(self):
        tracer = os.path.join(REPO, "tracer")
        if tracer not in sys.path:
            sys.path.append(tracer)
        from ngtracelib import events as ngevents   # noqa: E402
        table = ngevents.Table(self.path)
        for ev in table.events:
            fields = [_Field(f.name, f.type, f.word, f.shift, f.width)
                      for f in ev.fields]
            self.by_id[ev.id] = _Event(ev.name, ev.id, ev.nwords, ev.var, fields)
        self.states = {v: k for k, v in table.states.items()}
        self.kinds = {v: k for k, v in table.kinds.items()}
        self.enums = {ty: dict(names) for ty, names in table.enum_names.items()}
        if not self.by_id:
            raise ValueError("empty table")

    def _parse(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise NgError("cannot read %s: %s" % (self.path, e.strerror))
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        num = r"(0[xX][0-9a-fA-F]+|\d+)"
        for m in re.finditer(r"NG_STATE\s*\(\s*(\w+)\s*,\s*" + num + r"\s*\)", text):
            self.states[int(m.group(2), 0)] = m.group(1)
        for m in re.finditer(r"NG_KIND\s*\(\s*(\w+)\s*,\s*" + num + r"\s*\)", text):
            self.kinds[int(m.group(2), 0)] = m.group(1)
        for m in re.finditer(r"NG_ENUM\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*" + num + r"\s*\)",
                             text):
            self.enums.setdefault(m.group(1), {})[int(m.group(3), 0)] = m.group(2)
        for m in re.finditer(r"NG_EVENT\s*\(\s*(\w+)\s*,\s*" + num +
                             r"\s*,\s*\w+\s*,\s*(\d+)\s*,\s*(\w+)\s*,\s*\"([^\"]*)\"\s*\)",
                             text):
            name, id_, nwords, flags, spec = m.groups()
            nwords, var = int(nwords), flags == "VAR"
            fields = []
            for pos, tok in enumerate(spec.split()):
                word = None if pos == 0 else pos - 1
                if tok == "-":
                    continue
                shift = 0
                for part in tok.split("|"):
                    fname, _, ftype = part.partition(":")
                    if ftype in ("str", "bytes"):     # a VAR record's data
                        fields.append(_Field(fname, ftype, "str", 0, 0))
                        continue
                    # an NG_ENUM type is one byte, like kind and state
                    width = self.WIDTH.get(ftype, 8 if ftype in self.enums else 32)
                    fields.append(_Field(fname, ftype, word, shift, width))
                    shift += width
            self.by_id[int(id_, 0)] = _Event(name, int(id_, 0), nwords, var, fields)
        if not self.by_id:
            raise NgError("no NG_EVENT lines in %s" % self.path)


_cache = {}


def _cached(key, path, build):
    """build(path), rebuilt when the file changes."""
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        stamp = None
    hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    value = build(path)
    _cache[key] = (stamp, value)
    return value


def events():
    return _cached("events", EVENTS_DEF, EventTable)


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
    return _cached("config", KERNEL_CONFIG, _read_config)


# ---------------------------------------------------------------------------
# Reading the target.

def require_target():
    if gdb.selected_inferior().pid == 0 or gdb.selected_thread() is None:
        raise NgError("the program is not running (connect first: target remote :1234)")


def lookup(name):
    """The gdb.Value of a global or file-static variable, or NgError."""
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        try:
            sym = gdb.lookup_static_symbol(name)
        except AttributeError:      # GDB older than 10
            sym = None
    if sym is None:
        try:
            return gdb.parse_and_eval(name)
        except gdb.error:
            raise NgError("no symbol '%s' in this program (is it a netglass ELF?)" % name)
    return sym.value()


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise NgError("no type '%s' in the debug information" % name)


def offset_of(type_, member):
    for f in type_.strip_typedefs().fields():
        if f.name == member:
            return f.bitpos // 8
    raise NgError("%s has no member %s" % (type_, member))


def signed(x):
    """x modulo 2^32 as a signed 32-bit number (tick and ms differences)."""
    x &= U32
    return x - (1 << 32) if x & 0x80000000 else x


def read_words(addr, count):
    """count little-endian 32-bit words at addr, in one read."""
    if count <= 0:
        return ()
    mem = gdb.selected_inferior().read_memory(addr, 4 * count)
    return struct.unpack("<%dI" % count, bytes(mem))


def read_u32(addr):
    return read_words(addr, 1)[0]


def read_cstr(addr, limit=64):
    """The C string at addr (cut at limit bytes), or a <...> note."""
    if not addr:
        return "<null>"
    inf = gdb.selected_inferior()
    try:
        data = bytes(inf.read_memory(addr, limit))
    except gdb.MemoryError:
        data = b""
        try:
            for i in range(limit):
                data += bytes(inf.read_memory(addr + i, 1))
                if data.endswith(b"\0"):
                    break
        except gdb.MemoryError:
            if not data:
                return "<bad string pointer 0x%x>" % addr
    data = data.split(b"\0", 1)[0]
    return "".join(chr(b) if 0x20 <= b < 0x7f else "\\x%02x" % b for b in data)


def at(addr, type_):
    """The object of type_ at addr, fetched now (one read)."""
    v = gdb.Value(addr).cast(type_.pointer()).dereference()
    v.fetch_lazy()
    return v


def ptr(v):
    """A pointer (or integer) value as an unsigned 32-bit address."""
    return int(v) & U32


def macro_or(name, default):
    """The value of a C macro (the ELF is built with -g3, so GDB knows them
    in the scope of the current frame), else default."""
    try:
        return int(gdb.parse_and_eval(name))
    except (gdb.error, RuntimeError, ValueError):
        return default


def cpu_hz():
    return macro_or("NG_CPU_HZ", 12500000)


def tick_hz():
    hz = macro_or("NG_TICK_HZ", 0)
    if hz:
        return hz
    try:
        period = int(lookup("ng_systick_period"))
    except (NgError, gdb.error):
        period = macro_or("NG_SYSTICK_PERIOD", 0)
    return cpu_hz() // period if period else 1000


_symcache = {}


def symbolize(addr, detail=False):
    """What addr points into, in C words: 'on_timer', '&msgs_a[3]',
    '&demo_timer', 'consumer+12'; None when no symbol covers it. With
    detail, also the value pointed at when it is an element of an array
    of structures (or a whole variable), as a (text, value-string) pair."""
    key = (addr, detail)
    if key in _symcache:
        return _symcache[key]
    result = (None, None) if detail else None
    try:
        out = gdb.execute("info symbol 0x%x" % addr, to_string=True).strip()
    except gdb.error:
        out = ""
    m = re.match(r"(\S+)(?: \+ (\d+))? in section (\S+)", out)
    if m:
        name, off = m.group(1), int(m.group(2) or 0)
        sym = gdb.lookup_global_symbol(name)
        if sym is None:
            try:
                sym = gdb.lookup_static_symbol(name)
            except AttributeError:
                sym = None
        text, shown = None, None
        if sym is not None and sym.type is not None:
            t = sym.type.strip_typedefs()
            if t.code == gdb.TYPE_CODE_FUNC:
                text = name if off == 0 else "%s+%d" % (name, off)
            elif t.code == gdb.TYPE_CODE_ARRAY and t.target().sizeof:
                elem = t.target()
                idx, rem = divmod(off, elem.sizeof)
                text = "&%s[%d]" % (name, idx) + ("+%d" % rem if rem else "")
                if detail and not rem:
                    shown = _show(addr, elem)
            else:
                text = "&" + name if off == 0 else "&%s+%d" % (name, off)
                if detail and off == 0:
                    shown = _show(addr, t)
        else:
            is_code = m.group(3).startswith(".text")
            text = (name if is_code else "&" + name) + ("+%d" % off if off else "")
        result = (text, shown) if detail else text
    _symcache[key] = result
    return result


def _show(addr, type_):
    try:
        v = at(addr, type_)
        return v.format_string(pretty_structs=False, max_elements=16)
    except (gdb.error, AttributeError):
        return None


def describe_ptr(addr):
    if addr == 0:
        return "NULL"
    s = symbolize(addr)
    return s if s else "0x%08x" % addr


# ---------------------------------------------------------------------------
# The kernel's objects.

class Registry:
    """ng_registry[]: id -> (kind, name, addr)."""

    def __init__(self):
        table = lookup("ng_registry")
        table.fetch_lazy()
        lo, hi = table.type.strip_typedefs().range()
        self.size = hi - lo + 1
        self.by_id = {}
        self.by_addr = {}
        kinds = events().kinds
        for i in range(1, self.size):
            e = table[i]
            addr = ptr(e["addr"])
            if not addr:
                continue
            kind = int(e["kind"])
            name = read_cstr(ptr(e["name"]))
            self.by_id[i] = (kinds.get(kind, "kind%d" % kind), name, addr)
            self.by_addr.setdefault(addr, i)

    def name_of_addr(self, addr):
        i = self.by_addr.get(addr)
        return self.by_id[i][1] if i is not None else None

    def name_of_id(self, i):
        e = self.by_id.get(i)
        return e[1] if e else None

    def find(self, name, kind=None):
        for i, (k, n, addr) in sorted(self.by_id.items()):
            if n == name and (kind is None or k == kind):
                return i, addr
        return None


def wait_kind_names():
    try:
        t = gdb.lookup_type("enum ng_wait_kind")
        return {int(f.enumval): f.name.replace("NG_WAIT_", "") for f in t.fields()}
    except gdb.error:
        return {0: "NONE", 1: "SEM", 2: "MUTEX", 3: "MBOX_FETCH", 4: "MBOX_POST",
                5: "SLEEP"}


def list_nodes(head_addr):
    """Addresses of the nodes of the struct ng_list whose head is at
    head_addr, in order; None if the head was never initialised (NULL)."""
    nodes = []
    node = read_u32(head_addr)
    if node == 0:
        return None
    while node != head_addr:
        if node == 0 or len(nodes) >= MAX_LIST:
            raise NgError("the list at 0x%x is corrupt (a NULL or a loop)" % head_addr)
        nodes.append(node)
        node = read_u32(node)
    return nodes


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


def exception_number():
    try:
        return int(gdb.parse_and_eval("$xpsr")) & 0x1ff
    except (gdb.error, ValueError):
        return 0


_excnames = {2: "NMI", 3: "HardFault", 4: "MemManage", 5: "BusFault", 6: "UsageFault",
             11: "SVCall", 12: "DebugMon", 14: "PendSV", 15: "SysTick"}


_exccache = {}


def exception_name(n):
    """A handler's name from the vector table (TraceDrain for IRQ 47)."""
    if n not in _exccache:
        _exccache[n] = _exception_name(n)
    return _exccache[n]


def _exception_name(n):
    try:
        vec = lookup("ng_vectors")
        count = vec.type.strip_typedefs().range()[1] + 1
        if 0 < n < count:
            s = symbolize(ptr(vec[n]) & ~1)
            if s and s != "Default_Handler":
                return re.sub(r"_(IRQ)?Handler$", "", s)
    except (NgError, gdb.error):
        pass
    if n in _excnames:
        return _excnames[n]
    return "IRQ%d" % (n - 16) if n >= 16 else "exception%d" % n


def resolve_object(arg, struct_name, kind):
    """Address of the struct_name object named by arg: a registry name, a
    registry id, or an expression giving the object, a wrapper (a struct
    whose first member is the object, e.g. sys_mbox_t), or a pointer to
    either, or an address."""
    if not arg:
        raise NgError("which %s? give a name from 'ng objects' or an expression" % kind.lower())
    reg = Registry()
    hit = reg.find(arg, kind)
    if hit:
        return hit[1]
    if re.fullmatch(r"\d+", arg) and int(arg) in reg.by_id and reg.by_id[int(arg)][0] == kind:
        return reg.by_id[int(arg)][2]
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        other = reg.find(arg)
        if other:
            raise NgError("'%s' is a %s, not a %s" % (arg, reg.by_id[other[0]][0].lower(),
                                                      kind.lower()))
        raise NgError("no %s named '%s' and not an expression: %s" % (kind.lower(), arg, e))
    given = v.type
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if target.code == gdb.TYPE_CODE_VOID:
            return ptr(v)
        v = v.dereference()
        t = target
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM):
        return int(v) & U32
    if t.code == gdb.TYPE_CODE_STRUCT:
        if t.tag == struct_name:
            return int(v.address) & U32
        fields = t.fields()
        if fields and fields[0].type.strip_typedefs().tag == struct_name:
            return int(v.address) & U32     # sys_mbox_t and friends: first member
    other = reg.find(arg)
    if other:
        raise NgError("'%s' is a %s, not a %s" % (arg, reg.by_id[other[0]][0].lower(),
                                                  kind.lower()))
    raise NgError("'%s' is a %s, not a struct %s or a pointer to one" % (arg, given, struct_name))


# ---------------------------------------------------------------------------
# The commands.

class NgCommand(gdb.Command):
    """Base: one-line errors instead of tracebacks."""

    name = None

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        _symcache.clear()
        _exccache.clear()
        try:
            require_target()
            self.run(arg.strip(), from_tty)
        except KeyboardInterrupt:
            raise
        except gdb.GdbError:
            raise
        except NgError as e:
            raise gdb.GdbError("%s: %s" % (self.name, e))
        except gdb.MemoryError as e:
            raise gdb.GdbError("%s: cannot read the target's memory: %s" % (self.name, e))
        except gdb.error as e:
            raise gdb.GdbError("%s: %s" % (self.name, e))
        except Exception as e:      # a bug here: still one line
            raise gdb.GdbError("%s: internal error: %s: %s" % (self.name, type(e).__name__, e))

    def run(self, arg, from_tty):
        raise NotImplementedError


def out(line=""):
    gdb.write(line.rstrip() + "\n")


class NgPrefix(gdb.Command):
    """netglass kernel and trace commands.

Every command only reads memory, so it is safe at any stop. Objects are
named as in the registry ('ng objects'), e.g. ng mbox demo_mbox, or by a C
expression: ng mbox &demo_mbox, ng sem (struct ng_sem *)0x20000100."""

    def __init__(self):
        super().__init__("ng", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError('Undefined ng command: "%s".  Try "help ng".' % arg.strip())
        gdb.execute("help ng", from_tty)


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


def complete_names(kind, text):
    try:
        reg = Registry()
    except Exception:
        return gdb.COMPLETE_EXPRESSION
    names = [n for k, n, a in reg.by_id.values() if k == kind and n.startswith(text)]
    return sorted(names) if names else gdb.COMPLETE_EXPRESSION


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


# ---------------------------------------------------------------------------
# The trace ring.

MAX_RECORD = 1 + 2 + 8 + 2     # header, 2 words, a NAME's string (+ slack)
SLACK = 16                      # words beyond head a record may be writing


class Record:
    __slots__ = ("pos", "ev", "a", "dt", "fields", "words", "time", "ctx")


def decode_at(table, get, pos, end, reg_size):
    """The record at pos, or None if the words there cannot be one."""
    hdr = get(pos)
    ev = table.by_id.get(hdr & 0xff)
    if ev is None:
        return None
    a, dt = hdr >> 8 & 0xff, hdr >> 16
    n = 1 + ev.nwords
    if pos + n > end:
        return None
    args = [get(pos + 1 + k) for k in range(ev.nwords)]
    fields = {}
    for f in ev.fields:
        if f.word == "str":         # a VAR record's data, read below
            continue
        src = a if f.word is None else args[f.word]
        val = src >> f.shift & ((1 << f.width) - 1)
        if f.type in ("obj", "thread") and val >= reg_size:
            return None
        if f.type == "kind" and val not in table.kinds:
            return None
        if f.type == "state" and val not in table.states:
            return None
        fields[f.name] = val
    if not any(f.word is None for f in ev.fields) and a:
        return None                 # an unused "a" is always 0
    if ev.name in ("SYNC", "OVERFLOW") and dt:
        return None
    if ev.var:
        length = fields.get("len", 0)
        if length > 64:
            return None
        nstr = (length + 3) // 4
        if pos + n + nstr > end:
            return None
        raw = b"".join(struct.pack("<I", get(pos + n + k)) for k in range(nstr))
        for f in ev.fields:
            if f.type == "str":
                fields[f.name] = raw[:length].decode("latin-1")
            elif f.type == "bytes":
                fields[f.name] = raw[:length]
        n += nstr
    r = Record()
    r.pos, r.ev, r.a, r.dt, r.fields, r.words = pos, ev, a, dt, fields, n
    r.time, r.ctx = None, None
    return r


def decode_chain(table, get, start, end, reg_size):
    """Records from start that end exactly at end, or None."""
    recs = []
    pos = start
    while pos < end:
        r = decode_at(table, get, pos, end, reg_size)
        if r is None:
            return None
        recs.append(r)
        pos += r.words
    return recs


def decode_ring(table, ring, words, head, tail, reg_size):
    """Decode the ring's records in order. The ring holds the words
    [head - words, head); a record being written when the target stopped
    may have overwritten the oldest SLACK of them, but never one at or
    after tail (the recorder does not overwrite unshipped words). Word 0
    starts the stream; anywhere else records have no known start, so try
    every start in the first MAX_RECORD words and keep the records that
    all valid readings agree on."""
    get = lambda i: ring[i % words]         # noqa: E731
    lo = max(0, head - words, min(head - words + SLACK, tail))
    if lo == 0:
        recs = decode_chain(table, get, 0, head, reg_size)
        if recs is not None:
            return recs, False
    chains = []
    for start in range(lo, min(lo + MAX_RECORD, head)):
        recs = decode_chain(table, get, start, head, reg_size)
        if recs is not None:
            chains.append(recs)
    if not chains:
        return [], True
    common = set(r.pos for r in chains[0])
    for c in chains[1:]:
        common &= set(r.pos for r in c)
    if not common:
        return chains[0], True
    first = min(common)
    return [r for r in chains[0] if r.pos >= first], False


def assign_context(recs, current_id):
    """Attribute each record to the thread or interrupt it ran in, as the
    host decoder does: THREAD_SWITCH says who runs now, ISR_ENTER/ISR_EXIT
    keep a stack of interrupts, OVERFLOW resets both. What ran before the
    first of these is inferred (the 'from' of the first switch, interrupts
    exited but never entered)."""
    thread = None
    for r in recs:
        if r.ev.name == "THREAD_SWITCH":
            thread = r.fields.get("from")
            break
        if r.ev.name == "OVERFLOW":
            break
    else:
        thread = current_id
    depth, unmatched = 0, []
    for r in recs:
        if r.ev.name == "ISR_ENTER":
            depth += 1
        elif r.ev.name == "ISR_EXIT":
            if depth:
                depth -= 1
            else:
                unmatched.append(r.fields.get("irq"))
        elif r.ev.name == "OVERFLOW":
            break
    isr = list(reversed(unmatched))
    for r in recs:
        r.ctx = ("isr", isr[-1]) if isr else ("thread", thread)
        name = r.ev.name
        if name == "THREAD_SWITCH":
            thread = r.fields.get("to")
        elif name == "ISR_ENTER":
            isr.append(r.fields.get("irq"))
        elif name == "ISR_EXIT":
            if isr:
                isr.pop()
        elif name == "OVERFLOW":
            thread = r.fields.get("thread")
            irq = r.fields.get("irq")
            isr = [irq] if irq else []


def assign_times(recs, last_time):
    """SYNC gives the absolute 64-bit time, every other record adds its dt.
    When no SYNC is left in the ring, time runs back from the recorder's
    last_time (the low 32 bits of the newest record's time)."""
    t = None
    for r in recs:
        if r.ev.name == "SYNC":
            t = r.fields.get("cycles_lo", 0) | r.fields.get("cycles_hi", 0) << 32
        elif t is not None:
            t += r.dt
        r.time = t
    if recs and recs[-1].time is None and last_time is not None:
        t = last_time
        try:
            now = (int(lookup("ng_tick_cycles_hi")) & U32) << 32 | \
                int(lookup("ng_tick_cycles_lo")) & U32
            t = (now & ~U32) | last_time
            if t > now + (1 << 31):
                t -= 1 << 32
        except (NgError, gdb.error):
            pass
        for r in reversed(recs):
            r.time = t
            t -= r.dt


class TraceState:
    """Where the recorder keeps its ring and indexes: either one structure
    ng_trace {head, tail, last_time, lost_total, ring[]} or, in older
    trees, the globals ng_trace_ring[], ng_trace_head, ng_trace_tail and
    trace.c's statics last_time and lost_total."""

    def __init__(self):
        sym = gdb.lookup_global_symbol("ng_trace")
        v = sym.value() if sym is not None and sym.type is not None else None
        if v is not None and v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
            names = set(f.name for f in v.type.strip_typedefs().fields())
            if not {"ring", "head", "tail"} <= names:
                raise NgError("ng_trace has no ring, head and tail (a new recorder layout?)")
            ring = v["ring"]
            self.head = int(v["head"]) & U32
            self.tail = int(v["tail"]) & U32
            self.last_time = int(v["last_time"]) & U32 if "last_time" in names else None
            self.lost_total = int(v["lost_total"]) if "lost_total" in names else None
        else:
            try:
                ring = lookup("ng_trace_ring")
            except NgError:
                raise NgError("no trace ring (ng_trace or ng_trace_ring): "
                              "tracing is compiled out (TRACE=0)")
            self.head = int(lookup("ng_trace_head")) & U32
            self.tail = int(lookup("ng_trace_tail")) & U32
            self.last_time = self.lost_total = None
            try:
                self.last_time = int(lookup("last_time")) & U32
                self.lost_total = int(lookup("lost_total"))
            except (NgError, gdb.error):
                pass
        self.ring_addr = int(ring.address) & U32
        self.nbytes = ring.type.sizeof
        self.words = self.nbytes // 4


class NgTrace(NgCommand):
    """Decode the newest trace records still in the RAM ring.

Usage: ng trace [N]      (N records, default 20; 'all' for every one)

Reads the recorder's RAM ring in one piece and decodes it like tracer/ngtrace:
time in microseconds since reset (SYNC records give it, dt adds), the
thread or interrupt that was running, the event (tracer/events.def) and
its fields, objects by registry name and pointers by symbol. The words
before the ring's tail were shipped to the host already; they stay in the
ring until new records overwrite them."""

    name = "ng trace"

    def run(self, arg, from_tty):
        if not arg:
            n = 20
        elif arg == "all":
            n = None
        elif re.fullmatch(r"\d+", arg) and int(arg) > 0:
            n = int(arg)
        else:
            raise NgError("N must be a positive number or 'all', not '%s'" % arg)
        st = TraceState()
        nbytes, words, head, tail, lost = st.nbytes, st.words, st.head, st.tail, st.lost_total
        table = events()
        reg = Registry()
        out("ring %d bytes (%d words): %d words recorded, %d shipped to the host, %d not yet%s"
            % (nbytes, words, head, tail, (head - tail) & U32,
               ", %d records lost" % lost if lost else ""))
        if head == 0:
            out("no records yet (the recorder has not started)")
            return
        if lost and (head - tail) & U32 > words - MAX_RECORD:
            out("the ring is full and newer records are dropped: nothing ships it "
                "(trace=none?), so these are old")
        ring = read_words(st.ring_addr, words)
        recs, uncertain = decode_ring(table, ring, words, head, tail, reg.size)
        if not recs:
            raise NgError("cannot find a record boundary in the ring (corrupt?)")
        cur = current_addr()
        cur_id = reg.by_addr.get(cur, 0)
        assign_context(recs, cur_id)
        assign_times(recs, st.last_time)
        shown = recs if n is None else recs[-n:]
        hz = cpu_hz()
        out("%d records decodable (from word %d), showing the last %d%s" % (
            len(recs), recs[0].pos, len(shown),
            "; the oldest may be misread (no sure record boundary)" if uncertain else ""))
        out("     TIME us  CONTEXT       EVENT            FIELDS")
        names = dict((i, e[1]) for i, e in reg.by_id.items())
        for r in recs:                      # names announced in the ring itself
            if r.ev.name == "NAME" and r.fields.get("id") not in names:
                names[r.fields.get("id")] = r.fields.get("name")
        for r in shown:
            t = "%12.2f" % (r.time * 1e6 / hz) if r.time is not None else "%12s" % "?"
            kind, who = r.ctx
            if kind == "isr":
                ctx = "isr:" + exception_name(who)
            elif who is None:
                ctx = "?"
            else:
                ctx = names.get(who, "boot" if who == 0 else "#%d" % who)
            out("%s  %-12s  %-15s  %s" % (t, ctx[:12], r.ev.name,
                                          self.fields(table, r, names)))

    @staticmethod
    def fields(table, r, names):
        parts = []
        for f in r.ev.fields:
            if f.name not in r.fields:
                continue
            v = r.fields[f.name]
            ty = f.type
            if ty in ("obj", "thread"):
                s = names.get(v, "boot" if (v == 0 and ty == "thread") else "#%d" % v)
                if r.ev.name == "NAME":
                    s = str(v)
            elif ty in ("ptr", "fn"):
                s = describe_ptr(v & ~1 if ty == "fn" else v)
            elif ty == "state":
                s = table.states.get(v, str(v))
            elif ty == "kind":
                s = table.kinds.get(v, str(v))
            elif ty == "irq":
                s = exception_name(v) if v else "-"
            elif ty == "ticks":
                s = "forever" if v == U32 else "%d" % v
            elif ty == "str":
                s = repr(v)
            elif ty == "bytes":
                s = v[:32].hex() + ("..." if len(v) > 32 else "")
            elif ty in table.enums:
                s = table.enums[ty].get(v, str(v))
            else:
                s = str(v)
            if r.ev.name == "SYNC":
                continue
            parts.append("%s=%s" % (f.name, s))
        if r.ev.name == "SYNC" and r.time is not None:
            parts.append("cycles=%d" % r.time)
        return " ".join(parts)


NgPrefix()
NgThreads()
NgMbox()
NgSem()
NgMutex()
NgObjects()
NgTimers()
NgTrace()
