"""The ngtrace command line: list, svg, flow, calls, call, pcapng, profile,
info and events.

Every error is one line "ngtrace: error: ..." on stderr and exit status 2
(argument errors included); warnings are "ngtrace: warning: ..." lines and
do not change the exit status.  No traceback reaches the user; set
NGTRACE_DEBUG=1 to get one for an internal error.
"""

import argparse
import os
import sys
import textwrap

from . import events as events_mod
from .errors import NgtraceError

EXIT_ERROR = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors as one "ngtrace: error:" line, status 2."""

    def error(self, message):
        sys.stderr.write("ngtrace: error: %s (see '%s --help')\n"
                         % (message.replace("\n", " "), self.prog))
        sys.exit(EXIT_ERROR)


def warn(msg):
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    sys.stderr.write("ngtrace: warning: %s\n" % msg)


def _nonneg_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % s)
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number >= 0: %r" % s)
    return v


def _pos_float(s):
    v = _nonneg_float(s)
    if v <= 0:
        raise argparse.ArgumentTypeError("must be more than 0: %r" % s)
    return v


def _pos_int(s):
    try:
        v = int(s, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % s)
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1: %r" % s)
    return v


def _nonneg_int(s):
    try:
        v = int(s, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % s)
    if v < 0:
        raise argparse.ArgumentTypeError("must be at least 0: %r" % s)
    return v


def build_parser():
    p = ArgumentParser(prog="ngtrace",
                       description="Decode netglass trace files (docs/ngtrace.md).")
    p.add_argument("--events", metavar="EVENTS_DEF",
                   help="the events table (default: events.def beside ngtrace)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def trace_args(sp):
        sp.add_argument("trace", metavar="TRACE", help="trace file written by the recorder")
        sp.add_argument("--elf", metavar="ELF",
                        help="firmware image: names pointers, checks the build id")

    sp = sub.add_parser("list", help="text listing, one line per record")
    trace_args(sp)
    sp.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("svg", help="sequence diagram of threads and mailboxes")
    trace_args(sp)
    sp.add_argument("-o", "--output", metavar="OUT.svg", required=True,
                    help="the SVG file to write")
    sp.add_argument("--from-us", type=_nonneg_float, metavar="X",
                    help="leave out records before X microseconds")
    sp.add_argument("--to-us", type=_nonneg_float, metavar="Y",
                    help="leave out records after Y microseconds")
    sp.add_argument("--max-rows", type=_pos_int, default=400, metavar="N",
                    help="draw at most N rows (default 400)")
    sp.set_defaults(func=cmd_svg)

    sp = sub.add_parser("flow", help="the records of one received frame across threads: "
                        "SVG diagram or --text listing")
    trace_args(sp)
    sp.add_argument("--frame", type=_pos_int, metavar="N",
                    help="the N-th FRAME_RX (default: the first ICMP echo request)")
    sp.add_argument("-o", "--output", metavar="OUT.svg", help="the SVG file to write")
    sp.add_argument("--text", action="store_true",
                    help="print the flow as an indented call listing")
    sp.set_defaults(func=cmd_flow)

    sp = sub.add_parser("calls", help="the socket and netconn calls of the app threads")
    trace_args(sp)
    sp.set_defaults(func=cmd_calls)

    sp = sub.add_parser("call", help="one socket or netconn call followed through "
                        "tcpip_thread: sequence diagram, listing or Mermaid")
    trace_args(sp)
    sp.add_argument("number", nargs="?", type=_pos_int, metavar="N",
                    help="the call's number in 'ngtrace calls'")
    sp.add_argument("--all", action="store_true", help="every call (with --dir, or to stdout)")
    dest = sp.add_mutually_exclusive_group()
    dest.add_argument("-o", "--output", metavar="OUT", help="the file to write (one call)")
    dest.add_argument("--dir", metavar="DIR",
                      help="write one file per call into DIR, named like 03-lwip_connect.svg")
    sp.add_argument("--format", default="svg", choices=("svg", "text", "mermaid"),
                    help="what -o/--dir write, or stdout gets (default svg)")
    sp.add_argument("--text", action="store_true",
                    help="also print the call's flow as an indented listing")
    sp.set_defaults(func=cmd_call)

    sp = sub.add_parser("pcapng", help="the frames as pcapng, trace records as comments")
    trace_args(sp)
    sp.add_argument("-o", "--output", metavar="OUT.pcapng", required=True,
                    help="the pcapng file to write")
    sp.add_argument("--comment-lines", type=_nonneg_int, default=60, metavar="N",
                    help="at most N lines of trace records per packet comment (default 60; "
                         "0: no comments)")
    sp.set_defaults(func=cmd_pcapng)

    sp = sub.add_parser("profile", help="busy time per thread and per layer function")
    trace_args(sp)
    sp.add_argument("--per-kib", type=_pos_float, metavar="KIB",
                    help="also divide by KIB kibibytes moved (e.g. a transfer's size)")
    sp.add_argument("--icount-shift", type=_nonneg_int, metavar="N",
                    help="the run used -icount shift=N: count guest instructions")
    sp.add_argument("--top", type=_pos_int, default=25, metavar="N",
                    help="show the N busiest layers (default 25)")
    sp.set_defaults(func=cmd_profile)

    sp = sub.add_parser("info", help="header, counts, duration, losses")
    trace_args(sp)
    sp.set_defaults(func=cmd_info)

    sp = sub.add_parser("events", help="print the events table")
    sp.set_defaults(func=cmd_events)
    return p


# -- commands ----------------------------------------------------------------

def _table(args):
    return events_mod.load(args.events)


def _open(args):
    """The trace, and the ELF checked against it (or None)."""
    from .reader import Trace
    table = _table(args)
    trace = Trace(args.trace, table, warn)
    elf = None
    if args.elf:
        from .elf import Elf, check_build_id
        elf = Elf(args.elf)
        check_build_id(elf, trace.header.build_id, warn)
    return trace, elf


def _create(path):
    try:
        return open(path, "w", encoding="utf-8", newline="\n")
    except OSError as e:
        raise NgtraceError("cannot write %s: %s" % (path, e.strerror or e))


def cmd_list(args):
    from .listing import write_listing
    trace, elf = _open(args)
    if args.output:
        with _create(args.output) as out:
            try:
                write_listing(trace, out, elf)
            except OSError as e:
                if isinstance(e, BrokenPipeError):
                    raise
                raise NgtraceError("cannot write %s: %s" % (args.output, e.strerror or e))
    else:
        write_listing(trace, sys.stdout, elf)
        sys.stdout.flush()
    return 0


def cmd_svg(args):
    from .svg import write_svg
    if args.from_us is not None and args.to_us is not None and args.from_us > args.to_us:
        raise NgtraceError("--from-us %g is after --to-us %g" % (args.from_us, args.to_us))
    trace, elf = _open(args)
    try:
        write_svg(trace, args.output, elf, args.from_us, args.to_us, args.max_rows)
    except OSError as e:
        raise NgtraceError("cannot write %s: %s" % (args.output, e.strerror or e))
    return 0


def cmd_flow(args):
    from .flow import FlowIndex, frame_number_of_echo
    from .flow_svg import write_flow_svg
    from .flow_text import flow_lines
    from .listing import Formatter
    if not args.output and not args.text:
        raise NgtraceError("flow needs -o OUT.svg, --text, or both")
    trace, elf = _open(args)
    index = FlowIndex(trace)
    number = args.frame
    if number is None:
        if not index.rx_frames:
            index.rx_flow(1)                    # raises: no FRAME_RX records
        number = frame_number_of_echo(index)
        if number is None:
            raise NgtraceError("%s: none of the %d FRAME_RX records is an ICMP echo request; "
                               "pick one with --frame N" % (trace.path, len(index.rx_frames)))
    flow = index.rx_flow(number)
    fmt = Formatter(trace.table, elf)
    if args.output:
        try:
            write_flow_svg(flow, fmt, args.output)
        except OSError as e:
            raise NgtraceError("cannot write %s: %s" % (args.output, e.strerror or e))
    if args.text:
        sys.stdout.write("\n".join(flow_lines(flow, fmt)) + "\n")
        sys.stdout.flush()
    return 0


def _calls(args):
    from .calls import find_calls
    from .errnames import errno_names
    from .flow import FlowIndex
    trace, elf = _open(args)
    return trace, elf, find_calls(FlowIndex(trace)), errno_names(elf)


def cmd_calls(args):
    from .calls_out import calls_table
    trace, elf, calls, names = _calls(args)
    if not calls:
        from .calls import pick
        pick(calls, 1, trace.path)              # raises: no calls
    sys.stdout.write("\n".join(calls_table(calls, names)) + "\n")
    sys.stdout.flush()
    return 0


def cmd_call(args):
    from .calls import pick
    from .calls_out import call_lines, file_name, render
    from .listing import Formatter
    if (args.number is None) == (not args.all):
        raise NgtraceError("call needs a call number N or --all (numbers: 'ngtrace calls TRACE')")
    if args.all and args.output:
        raise NgtraceError("-o writes one call; with --all use --dir DIR")
    to_stdout = not args.output and not args.dir
    if to_stdout and args.format == "svg" and not args.text:
        raise NgtraceError("call needs -o OUT, --dir DIR, --text, or --format text|mermaid "
                           "(an SVG goes to a file)")
    trace, elf, calls, names = _calls(args)
    chosen = calls if args.all else [pick(calls, args.number, trace.path)]
    if args.all and not calls:
        pick(calls, 1, trace.path)              # raises: no calls
    fmt = Formatter(trace.table, elf)
    texts = []
    for c in chosen:
        if args.text:
            texts.append("\n".join(call_lines(c, fmt, names)) + "\n")
        if args.output or args.dir:
            path = args.output or os.path.join(args.dir, file_name(c, len(calls), args.format))
            if args.dir:
                try:
                    os.makedirs(args.dir, exist_ok=True)
                except OSError as e:
                    raise NgtraceError("cannot create %s: %s" % (args.dir, e.strerror or e))
            body = render(c, fmt, args.format, names)
            with _create(path) as f:
                f.write(body)
            if args.dir:
                sys.stdout.write("%s: call #%d %s in %s, %d records\n" % (
                    path, c.number, c.function, c.thread, len(c.flow().indexes())))
        elif args.format != "svg":
            texts.append(render(c, fmt, args.format, names))
    if texts:
        sys.stdout.write("\n".join(texts))
    sys.stdout.flush()
    return 0


def cmd_pcapng(args):
    from .pcapng import write_pcapng
    trace, elf = _open(args)
    cap = write_pcapng(trace, args.output, elf, args.comment_lines)
    nrx, ntx = len(cap.index.rx_frames), len(cap.index.tx_frames)
    names = ", ".join(ifc[1] for ifc in sorted(cap.ifaces.values()))
    sys.stdout.write("%s: %d frame%s (%d received, %d sent) on %d interface%s (%s)\n" % (
        args.output, nrx + ntx, "" if nrx + ntx == 1 else "s", nrx, ntx, len(cap.ifaces),
        "" if len(cap.ifaces) == 1 else "s", names))
    sys.stdout.flush()
    return 0


def cmd_profile(args):
    from .profile import profile_lines
    trace, elf = _open(args)
    ipc = None
    if args.icount_shift is not None:
        # -icount shift=N: one instruction every 2^N ns; the trace clock
        # ticks at cpu_hz.
        ipc = 1e9 / (1 << args.icount_shift) / trace.header.cpu_hz
    lines = profile_lines(trace, args.per_kib, ipc, args.top)
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 0


def cmd_info(args):
    from .info import info_lines
    trace, elf = _open(args)
    lines = info_lines(trace, elf)
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 0


def cmd_events(args):
    t = _table(args)
    out = ["%-4s  %-16s %-7s %5s  %-4s  %s" % ("id", "event", "class", "words", "var",
                                               "fields")]
    for ev in sorted(t.events, key=lambda e: e.id):
        out.append("0x%02x  %-16s %-7s %5d  %-4s  %s" % (
            ev.id, ev.name, ev.cls, ev.nwords, "VAR" if ev.var else "-", ev.fields_text))
    out.append("")
    def values(title, vals):
        out.extend(textwrap.wrap(" ".join("%s=%d" % kv for kv in vals.items()), 96,
                                 initial_indent=title, subsequent_indent="    ",
                                 break_on_hyphens=False))
    values("classes: ", t.classes)
    values("kinds:   ", t.kinds)
    values("states:  ", t.states)
    for ty, vals in t.enums.items():
        values("enum %s: " % ty, vals)
    out.append("%d events, signature 0x%08x" % (len(t.events), t.signature))
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    return 0


# -- entry point -------------------------------------------------------------

def _error(msg):
    sys.stderr.write("ngtrace: error: %s\n" % " ".join(str(msg).split("\n")))
    return EXIT_ERROR


def main(argv=None):
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError):
        pass
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except NgtraceError as e:
        return _error(e)
    except BrokenPipeError:
        # the reader of our output went away (ngtrace list ... | head): stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except KeyboardInterrupt:
        return _error("interrupted")
    except MemoryError:
        return _error("out of memory")
    except Exception as e:                      # a bug: still no traceback by default
        if os.environ.get("NGTRACE_DEBUG"):
            raise
        return _error("internal error: %s: %s (NGTRACE_DEBUG=1 shows a traceback)"
                      % (type(e).__name__, e))
