# tools/gdb/netglass.py - load the netglass GDB commands.
#
#     (gdb) source tools/gdb/netglass.py
#     (gdb) help ng
#
# Like Linux's vmlinux-gdb.py: this file only puts its own directory on
# Python's path and imports the package netglass/ next to it (one module a
# concept: common, events, registry, threads, sync, timers, trace), so that
# the commands' helpers live in modules of their own instead of GDB's
# __main__. Sourcing it again reloads them all (after editing a module or
# events.def): the package and its modules are dropped and imported afresh.


def _netglass_load():
    import importlib
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    for name in [m for m in sys.modules if m == "netglass" or m.startswith("netglass.")]:
        del sys.modules[name]
    importlib.import_module("netglass")


_netglass_load()
del _netglass_load
