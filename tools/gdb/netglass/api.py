"""The sequential API and the socket layer: "ng sockets", "ng netconns", "ng select".

Everything is read through the debug information: the socket table
(sockets[] and struct lwip_sock of include/lwip/priv/sockets_priv.h), the
NETCONN memory pool (memp_pools[MEMP_NETCONN] and its in_use bitmap,
include/lwip/memp.h), struct netconn (include/lwip/api.h), the select
waiters (select_cb_list, struct lwip_select_cb) and the kernel objects
inside them (sys_mbox_t, sys_sem_t). Enumerations (netconn_type,
netconn_state, tcp_state, err_enum_t, tcpip_msg_type) are named by the
ELF's own enum types; the flag bits, which are macros, are named from the
repository's headers, like events.def. A program without sockets or
netconns, or one stopped before they exist, gets a one-line "no ...".
"""

import os
import re

import gdb

from .common import (NgCommand, NgError, REPO, at, cached, describe_ptr, lookup, lookup_type,
                     macro_or, offset_of, out, ptr, read_words, symbolize)
from .net import _ip
from .registry import Registry
from .threads import ThreadInfo, threads_on

API_H = os.path.join(REPO, "include", "lwip", "api.h")
SOCKETS_PRIV_H = os.path.join(REPO, "include", "lwip", "priv", "sockets_priv.h")
OPT_H = os.path.join(REPO, "include", "lwip", "opt.h")

# The do_* that park their message in conn->current_msg, by the state they
# leave the netconn in (include/lwip/api.h, enum netconn_state); used when
# no tcpip_msg on a stack says which (the core-locking build calls do_*
# directly, without one).
DO_BY_STATE = {"NETCONN_WRITE": "do_write", "NETCONN_CONNECT": "do_connect",
               "NETCONN_CLOSE": "do_close or do_delconn"}


def _symbol(name):
    try:
        return lookup(name)
    except (NgError, gdb.error):
        return None


def _parse_flags(path, prefix):
    """{bit: name} of the '#define PREFIX... 0x..' lines of a header."""
    flags = {}
    try:
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r"^#define\s+(%s\w*)\s+(0[xX][0-9a-fA-F]+|\d+)\b" % prefix,
                                 f.read(), re.M):
                flags[int(m.group(2), 0)] = m.group(1)
    except OSError:
        pass
    return flags


def netconn_flag_names():
    return cached("netconn_flags", API_H,
                  lambda p: {**_parse_flags(p, "NETCONN_FLAG_"),
                             **_parse_flags(p, "NETCONN_FIN_RX_PENDING")})


def sock_flag_names():
    return cached("sock_flags", SOCKETS_PRIV_H, lambda p: _parse_flags(p, "SOCK_F_"))


def decode_flags(value, names, strip):
    """'A|B' for the bits of value, unknown bits in hex, '-' for none."""
    parts = []
    for bit in sorted(names):
        if bit and value & bit:
            parts.append(names[bit][len(strip):] if names[bit].startswith(strip)
                         else names[bit])
            value &= ~bit
    if value:
        parts.append("0x%x" % value)
    return "|".join(parts) if parts else "-"


def _enum_type(type_name, member):
    """An enum type by its name or, when the ELF keeps only its anonymous
    enum (a typedef nobody used, like err_enum_t), by one enumerator."""
    try:
        return gdb.lookup_type(type_name).strip_typedefs()
    except gdb.error:
        pass
    try:
        return gdb.parse_and_eval(member).type.strip_typedefs()
    except gdb.error:
        return None


def enum_name(v, type_name=None, member=None):
    """The enumerator of v by its enum type (or the named one for an
    integer such as err_t), else the number."""
    n = int(v)
    t = v.type.strip_typedefs()
    if t.code != gdb.TYPE_CODE_ENUM and type_name:
        t = _enum_type(type_name, member)
    if t is not None and t.code == gdb.TYPE_CODE_ENUM:
        for f in t.fields():
            if f.enumval == n:
                return f.name
    return str(n)


def err_name(v):
    return enum_name(v, "err_enum_t", "ERR_OK")


def socket_offset():
    """LWIP_SOCKET_OFFSET: the macro where GDB knows it in the current
    scope, else the default of include/lwip/opt.h."""
    n = macro_or("LWIP_SOCKET_OFFSET", None)
    if n is not None:
        return n
    found = cached("socket_offset", OPT_H, lambda p: _parse_flags(p, "LWIP_SOCKET_OFFSET"))
    return next(iter(found), 0)


def mbox_depth(mb):
    """'count/size' of a sys_mbox_t, '-' when it is not valid."""
    if not int(mb["valid"]):
        return "-"
    m = mb["mbox"]
    return "%d/%d" % (int(m["count"]), int(m["size"]))


def mbox_getters(mb):
    """Names of the threads blocked fetching from a valid sys_mbox_t."""
    if not int(mb["valid"]):
        return []
    addr = ptr(mb["mbox"].address)
    ts = threads_on(addr + offset_of(lookup_type("struct ng_mbox"), "getters"))
    return [t.name for t in ts] if isinstance(ts, list) else []


def sem_waiters(sem_addr):
    ts = threads_on(sem_addr + offset_of(lookup_type("struct ng_sem"), "waiters"))
    return [t.name for t in ts] if isinstance(ts, list) else []


def pcb_text(conn):
    """The netconn's PCB: address, and for TCP its state and ports, for UDP
    its ports, for raw its protocol."""
    addr = ptr(conn["pcb"]["ip"])
    if not addr:
        return "pcb NULL"
    group = int(conn["type"]) & 0xF0
    try:
        if group == int(gdb.parse_and_eval("NETCONN_TCP")):
            # The listening kind is the common prefix of the full one.
            lp = at(addr, lookup_type("struct tcp_pcb_listen"))
            state = enum_name(lp["state"])
            if state == "LISTEN":
                return "pcb 0x%08x LISTEN %s:%d backlog %d/%d" % (
                    addr, _ip(lp["local_ip"]), int(lp["local_port"]),
                    int(lp["accepts_pending"]), int(lp["backlog"]))
            p = at(addr, lookup_type("struct tcp_pcb"))
            return "pcb 0x%08x %s %s:%d -> %s:%d" % (
                addr, state, _ip(p["local_ip"]), int(p["local_port"]), _ip(p["remote_ip"]),
                int(p["remote_port"]))
        if group == int(gdb.parse_and_eval("NETCONN_UDP")):
            p = at(addr, lookup_type("struct udp_pcb"))
            return "pcb 0x%08x udp %s:%d -> %s:%d" % (
                addr, _ip(p["local_ip"]), int(p["local_port"]), _ip(p["remote_ip"]),
                int(p["remote_port"]))
        if group == int(gdb.parse_and_eval("NETCONN_RAW")):
            p = at(addr, lookup_type("struct raw_pcb"))
            return "pcb 0x%08x raw protocol %d %s -> %s" % (
                addr, int(p["protocol"]), _ip(p["local_ip"]), _ip(p["remote_ip"]))
    except gdb.MemoryError:
        return "pcb 0x%08x (unreadable)" % addr
    return "pcb 0x%08x" % addr


def socket_type(conn):
    """SOCK_STREAM / SOCK_DGRAM / SOCK_RAW from the netconn's type."""
    name = enum_name(conn["type"])
    for key, kind in (("TCP", "SOCK_STREAM"), ("UDP", "SOCK_DGRAM"), ("RAW", "SOCK_RAW")):
        if key in name:
            return kind
    return name


def _threads():
    """Every thread, without its stack judged; [] before the kernel runs."""
    out_ = []
    node = ptr(lookup("ng_all_threads"))
    while node and len(out_) < 256:
        t = ThreadInfo(node, False)
        out_.append(t)
        node = t.next
    return out_


def thread_of_stack(addr, threads):
    for t in threads:
        if t.stack and t.stack <= addr < t.stack + t.stack_size:
            return t
    return None


def msg_owner(msg_addr, threads):
    """Which do_* the api_msg at msg_addr was posted for: the struct
    tcpip_msg (TCPIP_MSG_API) on its caller's stack whose msg.api_msg.msg
    is msg_addr. (function name, thread) or (None, thread)."""
    t = thread_of_stack(msg_addr, threads)
    if t is None:
        return None, None
    T = lookup_type("struct tcpip_msg")
    api = T["msg"].type["api_msg"]
    base = T["msg"].bitpos // 8 + api.bitpos // 8
    off_fn = base + api.type["function"].bitpos // 8
    off_msg = base + api.type["msg"].bitpos // 8
    off_type = T["type"].bitpos // 8
    want = int(gdb.parse_and_eval("TCPIP_MSG_API"))
    try:
        words = read_words(t.stack, t.stack_size // 4)
    except gdb.MemoryError:
        return None, t
    for i, w in enumerate(words):
        if w != msg_addr:
            continue
        start = t.stack + 4 * i - off_msg
        if start < t.stack or start + T.sizeof > t.stack + t.stack_size:
            continue
        fn = words[(start - t.stack + off_fn) // 4] & ~1
        kind = words[(start - t.stack + off_type) // 4]
        name = symbolize(fn) if fn else None
        if kind == want and name and name.startswith("do_"):
            return name, t
    return None, t


class SocketTable:
    """sockets[]: the open ones as (index, struct lwip_sock value)."""

    @staticmethod
    def present():
        table = _symbol("sockets")
        return table is not None and table.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY

    def __init__(self):
        table = _symbol("sockets")
        lo, hi = table.type.strip_typedefs().range()
        self.size = hi - lo + 1
        table.fetch_lazy()
        self.open = [(i, table[i]) for i in range(self.size) if ptr(table[i]["conn"])]


def netconn_pool():
    """(desc, addresses of the netconns allocated now) of the NETCONN pool,
    or None when the program has none."""
    pools = _symbol("memp_pools")
    if pools is None:
        return None
    try:
        index = int(gdb.parse_and_eval("MEMP_NETCONN"))
    except gdb.error:
        return None
    d = pools[index].dereference()
    num = int(d["num"])
    base = ptr(d["base"])
    storage = _symbol("memp_memory_NETCONN")
    # The element stride includes the overflow guard: the storage array's
    # own size says it, without knowing MEMP_OVERFLOW_CHECK.
    stride = storage.type.sizeof // num if storage is not None and num else int(d["size"])
    bits = bytes(gdb.selected_inferior().read_memory(ptr(d["in_use"]), (num + 7) // 8)) \
        if num and ptr(d["in_use"]) else b""
    used = [base + i * stride for i in range(num) if bits and bits[i // 8] >> (i % 8) & 1]
    return d, used


class NgSockets(NgCommand):
    """List the open sockets: descriptor, type, netconn, PCB and events.

Usage: ng sockets

For each slot of sockets[] that holds a netconn: its descriptor (the
index plus LWIP_SOCKET_OFFSET), SOCK_STREAM / SOCK_DGRAM / SOCK_RAW, the
netconn's address and state (enum netconn_state), its PCB (TCP: state,
local -> remote address and port; a listener: its backlog), the netconn's
pending_err, the socket's event counters (rcvevent = things waiting to be
received, sendevent = room to send, errevent), how many select/poll calls
wait on it, the bytes left over from a partial recv (lastdata), how many
entries wait in recvmbox and acceptmbox (count/capacity, '-' when the
mailbox is not there), the socket's SOCK_F_* flags and the threads
blocked in a receive or accept on it."""

    name = "ng sockets"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        if not SocketTable.present():
            out("no sockets (this program has no socket layer: no sockets[])")
            return
        table = SocketTable()
        if not table.open:
            out("no sockets open (%d slots, all free)" % table.size)
            return
        off = socket_offset()
        out("%d of %d sockets open" % (len(table.open), table.size))
        for i, s in table.open:
            conn_addr = ptr(s["conn"])
            try:
                c = at(conn_addr, lookup_type("struct netconn"))
                head = "%-11s conn 0x%08x %-14s %s" % (
                    socket_type(c), conn_addr, enum_name(c["state"]), pcb_text(c))
            except gdb.MemoryError:
                out("  fd %-2d conn 0x%08x (unreadable)" % (i + off, conn_addr))
                continue
            out("  fd %-2d %s" % (i + off, head))
            out("        pending_err %s  rcvevent %d sendevent %d errevent %d  "
                "select_waiting %d  lastdata %s" % (
                    err_name(c["pending_err"]), int(s["rcvevent"]), int(s["sendevent"]),
                    int(s["errevent"]), int(s["select_waiting"]), self.lastdata(s, c)))
            waiting = mbox_getters(c["recvmbox"]) + mbox_getters(c["acceptmbox"])
            out("        recvmbox %s acceptmbox %s  flags %s%s%s%s" % (
                mbox_depth(c["recvmbox"]), mbox_depth(c["acceptmbox"]),
                decode_flags(int(s["flags"]), sock_flag_names(), "SOCK_F_"),
                "  in use by %d call(s)" % int(s["fd_used"]) if int(s["fd_used"]) else "",
                "  closing" if int(s["fd_free_pending"]) else "",
                "  waiting: " + ", ".join(waiting) if waiting else ""))

    @staticmethod
    def lastdata(s, c):
        addr = ptr(s["lastdata"]["pbuf"])
        if not addr:
            return "0 bytes"
        try:
            if socket_type(c) == "SOCK_STREAM":
                n = int(at(addr, lookup_type("struct pbuf"))["tot_len"])
            else:
                nb = at(addr, lookup_type("struct netbuf"))
                p = ptr(nb["p"])
                n = int(at(p, lookup_type("struct pbuf"))["tot_len"]) if p else 0
        except gdb.MemoryError:
            return "0x%08x (unreadable)" % addr
        return "%d bytes (0x%08x)" % (n, addr)


class NgNetconns(NgCommand):
    """List every netconn allocated from the NETCONN pool, socket or not.

Usage: ng netconns

For each: its address, type (enum netconn_type), state (enum
netconn_state), flags (NETCONN_FLAG_*, decoded), the socket it belongs to
(conn->socket: an index, '-' for none, or the receive events counted
before accept gave it one), its PCB, pending_err, the depths of recvmbox
and acceptmbox, and current_msg: the write, connect or close a do_* is in
the middle of, with the do_* (found from the struct tcpip_msg on the
caller's stack, else from the state) and the thread waiting for it. The
threads blocked on the netconn (in netconn_recv / netconn_accept on its
mailboxes, on op_completed for a do_*) are named."""

    name = "ng netconns"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        pool = netconn_pool()
        if pool is None:
            out("no netconns (this program has no NETCONN pool)")
            return
        d, used = pool
        if not used:
            out("no netconns allocated (%d in the NETCONN pool, all free)" % int(d["num"]))
            return
        threads = _threads()
        T = lookup_type("struct netconn")
        out("%d of %d netconns allocated" % (len(used), int(d["num"])))
        for addr in used:
            try:
                c = at(addr, T)
                self.show(addr, c, threads)
            except gdb.MemoryError:
                out("  0x%08x (unreadable)" % addr)

    @staticmethod
    def show(addr, c, threads):
        sock = int(c["socket"])
        if sock >= 0:
            stext = "socket %d" % sock
        elif sock == -1:
            stext = "socket -"
        else:
            stext = "socket - (%d events before accept)" % (-1 - sock)
        out("  0x%08x %-16s %-14s flags %s  %s" % (
            addr, enum_name(c["type"]), enum_name(c["state"]),
            decode_flags(int(c["flags"]), netconn_flag_names(), "NETCONN_FLAG_"), stext))
        cb = ptr(c["callback"]) & ~1
        out("      %s  pending_err %s  recvmbox %s acceptmbox %s  callback %s" % (
            pcb_text(c), err_name(c["pending_err"]), mbox_depth(c["recvmbox"]),
            mbox_depth(c["acceptmbox"]), describe_ptr(cb)))
        msg = ptr(c["current_msg"])
        if msg:
            fn, t = msg_owner(msg, threads)
            how = ""
            if fn is None:
                fn = DO_BY_STATE.get(enum_name(c["state"]), "?")
                how = " (by its state)"
            out("      current_msg 0x%08x: %s%s%s" % (
                msg, fn, how, ", called by " + t.name if t else ""))
        waiting = ["%s (recvmbox)" % n for n in mbox_getters(c["recvmbox"])]
        waiting += ["%s (acceptmbox)" % n for n in mbox_getters(c["acceptmbox"])]
        if int(c["op_completed"]["valid"]):
            waiting += ["%s (op_completed)" % n
                        for n in sem_waiters(ptr(c["op_completed"]["sem"].address))]
        if waiting:
            out("      waiting: " + ", ".join(waiting))


def fd_list(addr, type_, limit):
    """The descriptors set in the fd_set at addr: '{0,3}'; '-' for NULL.
    Bit n of the set is bit n % 8 of its byte n / 8 (newlib's fd_mask
    words on a little-endian target, or lwIP's own byte array)."""
    if not addr:
        return "-"
    size = type_.strip_typedefs().sizeof
    data = bytes(gdb.selected_inferior().read_memory(addr, size))
    fds = [n for n in range(min(limit, size * 8)) if data[n // 8] >> (n % 8) & 1]
    return "{" + ",".join(str(n) for n in fds) + "}"


class NgSelect(NgCommand):
    """List the select and poll calls waiting (select_cb_list).

Usage: ng select

For each waiter (a struct lwip_select_cb on its caller's stack): the
thread it belongs to, the descriptors of its read, write and except sets
('-' for a NULL set) or its poll array (fd and events), whether
event_callback has signalled it, and its semaphore: count and the threads
blocked on it."""

    name = "ng select"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        head = _symbol("select_cb_list")
        if head is None or not SocketTable.present():
            out("no select or poll (this program has no socket layer: no select_cb_list)")
            return
        T = lookup_type("struct lwip_select_cb")
        node = ptr(head)
        if not node:
            out("no select or poll waiting")
            return
        threads = _threads()
        reg = Registry()
        nsock = SocketTable().size
        limit = socket_offset() + nsock
        rows = []
        while node and len(rows) < 64:
            rows.append(node)
            node = ptr(at(node, T)["next"])
        out("%d select/poll call(s) waiting" % len(rows))
        for addr in rows:
            cb = at(addr, T)
            t = thread_of_stack(addr, threads)
            out("  0x%08x thread %s" % (addr, t.name if t else "? (not on a thread's stack)"))
            sets = ("readset", "writeset", "exceptset")
            fd_t = cb["readset"].type.strip_typedefs().target()
            if any(ptr(cb[s]) for s in sets) or "poll_fds" not in [f.name for f in T.fields()] \
                    or not ptr(cb["poll_fds"]):
                out("      select  read %s  write %s  except %s" % tuple(
                    fd_list(ptr(cb[s]), fd_t, limit) for s in sets))
            else:
                pt = lookup_type("struct pollfd")
                fds = []
                for k in range(min(int(cb["poll_nfds"]), 64)):
                    p = at(ptr(cb["poll_fds"]) + k * pt.sizeof, pt)
                    fds.append("%d:0x%x" % (int(p["fd"]), int(p["events"]) & 0xffff))
                out("      poll  fds %s" % (" ".join(fds) or "none"))
            sem = cb["sem"]
            saddr = ptr(sem["sem"].address)
            name = reg.name_of_addr(saddr) or describe_ptr(saddr)
            who = sem_waiters(saddr)
            out("      signalled %d  sem %s %s count %d  waiters: %s" % (
                int(cb["sem_signalled"]), name, "valid" if int(sem["valid"]) else "invalid",
                int(sem["sem"]["count"]), ", ".join(who) if who else "none"))
