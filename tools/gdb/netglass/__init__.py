"""The netglass GDB commands, all under the prefix "ng" (loaded by ../netglass.py).

    (gdb) source tools/gdb/netglass.py
    (gdb) help ng

In the style of Linux's scripts/gdb: one small gdb.Command class per
command, its docstring the help text. Every command reads the target's
memory only (nothing is called in the target, nothing is written), so they
are safe at any stop, even in the middle of a context switch; a pointer
that leads nowhere is reported, not followed. Errors are one line ("ng
mbox: no mbox named 'foo' ..."), never a Python traceback.

What they know of the kernel comes from the ELF's debug information
(struct ng_thread, ng_registry[], ...) and from the repository's own
files, found relative to this package: tracer/events.def (event, state and
kind names) and kernel/kernel_config.h (stack paint and canary words).

    common.py    reading the target, symbols, errors, the NgCommand base
    events.py    tracer/events.def: events, states, kinds
    registry.py  ng_registry[] and naming objects by it
    threads.py   ng threads
    sync.py      ng mbox, ng sem, ng mutex, ng objects
    timers.py    ng timers
    net.py       ng pcbs, ng netifs, ng arp, ng pools
    api.py       ng sockets, ng netconns, ng select
    trace.py     ng trace: the RAM ring decoded

Importing this package registers the commands (netglass.py imports it
afresh on every source, so edits take effect).
"""

import gdb

from .api import NgNetconns, NgSelect, NgSockets
from .net import NgArp, NgNetifs, NgPcbs, NgPools
from .sync import NgMbox, NgMutex, NgObjects, NgSem
from .threads import NgThreads
from .timers import NgTimers
from .trace import NgTrace


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


NgPrefix()
NgThreads()
NgMbox()
NgSem()
NgMutex()
NgObjects()
NgTimers()
NgTrace()
NgPcbs()
NgNetifs()
NgArp()
NgPools()
NgSockets()
NgNetconns()
NgSelect()

# `step` over the trace records: each NG_TRACE line is the recorder's fast
# path inlined (tracer/trace_fast.h, with the port's inline helpers of
# boards/<board>/ng_arch.h), and without these a student's `step` on such a
# line walks through it instead of going on to the next call of the stack.
# Breakpoints there still work; `skip delete` (or `skip disable N`) undoes
# it. Added once, however often this package is loaded.
_STEP_OVER = ("file tracer/trace_fast.h", "-gfi boards/*/ng_arch.h")


def _step_over_trace():
    have = gdb.execute("info skip", to_string=True)
    for spec in _STEP_OVER:
        if spec.split()[-1] not in have:
            gdb.execute("skip " + spec, to_string=True)


_step_over_trace()
