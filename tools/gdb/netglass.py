# tools/gdb/netglass.py - load the netglass GDB commands.
#
#     (gdb) source tools/gdb/netglass.py
#     (gdb) help ng
#
# Like Linux's vmlinux-gdb.py: this file only puts its own directory on
# Python's path and imports the commands from netglass_gdb.py, so that their
# helpers live in a module of their own instead of GDB's __main__. Sourcing
# it again reloads them (after editing netglass_gdb.py or events.def).


def _netglass_load():
    import importlib
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    if "netglass_gdb" in sys.modules:
        importlib.reload(sys.modules["netglass_gdb"])
    else:
        importlib.import_module("netglass_gdb")


_netglass_load()
del _netglass_load
