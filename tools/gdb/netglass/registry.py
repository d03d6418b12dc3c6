"""The kernel's object registry (ng_registry[]) and naming objects by it.

Registry maps ids to (kind, name, address), as trace records and
"ng objects" use them; resolve_object() turns a command's argument (a
registry name or id, or a C expression) into an object's address, and
complete_names() completes registry names.
"""

import re

import gdb

from .common import NgError, U32, lookup, ptr, read_cstr
from .events import events


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


def complete_names(kind, text):
    try:
        reg = Registry()
    except Exception:
        return gdb.COMPLETE_EXPRESSION
    names = [n for k, n, a in reg.by_id.values() if k == kind and n.startswith(text)]
    return sorted(names) if names else gdb.COMPLETE_EXPRESSION
