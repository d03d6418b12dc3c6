"""What every netglass command needs: reading the target, naming addresses.

One-line errors (NgError), the target's memory as words and C strings,
globals and types from the debug information, addresses as C symbols
('&msgs_a[3]', 'on_timer+12'), exception and interrupt names from the
vector table, struct ng_list walks, a cache for the repository's files,
and NgCommand, the base of every "ng" command: it turns any failure into
one line, never a Python traceback. Nothing here writes to the target or
calls into it.
"""

import os
import re
import struct

import gdb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))

MAX_LIST = 256          # longest list walked before calling it corrupt
U32 = 0xFFFFFFFF


class NgError(Exception):
    """A problem to report to the user in one line."""


_cache = {}


def cached(key, path, build):
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
