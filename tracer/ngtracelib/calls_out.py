"""What "ngtrace calls" and "ngtrace call" print and write.

  calls_table   one line per call: number, thread, function(arg), start,
                end, duration, result, records in its flow
  call_lines    one call's flow as an indented call listing (flow_text)
  render        one call in a format: svg (flow_svg), text, mermaid
  file_name     03-lwip_connect.svg: the --dir name of a call
"""

from .calls import arg_text, result
from .flow_svg import FlowDiagram
from .flow_text import contexts, record_lines
from .mermaid import mermaid_text
from .svg import duration

FORMATS = {"svg": ".svg", "text": ".txt", "mermaid": ".mmd"}


def calls_table(calls, errno_names=None):
    names = ["%s(%s)" % (c.function, arg_text(c.arg)) for c in calls]
    wide = max([24] + [len(n) for n in names])
    head = "%4s  %-14s %-*s %12s %12s %10s  %-22s %7s" % (
        "#", "THREAD", wide, "CALL", "START us", "END us", "TIME", "RESULT", "RECORDS")
    out = [head]
    for c, name in zip(calls, names):
        end = c.end_us()
        out.append("%4d  %-14s %-*s %12.3f %12s %10s  %-22s %7d" % (
            c.number, c.thread, wide, name, c.start_us(),
            "-" if end is None else "%.3f" % end,
            "-" if end is None else duration(end - c.start_us()),
            result(c, errno_names), len(c.flow().indexes())))
    n = len(calls)
    out.append("%d call%s" % (n, "" if n == 1 else "s"))
    return out


def call_lines(call, fmt, errno_names=None):
    flow = call.flow()
    n = len(flow.indexes())
    head = [flow.headline(),
            "result: %s" % result(call, errno_names),
            "%d record%s in %s" % (n, "" if n == 1 else "s", " -> ".join(contexts(flow))),
            "     TIME us  CONTEXT        RECORD"]
    return head + record_lines(flow, fmt)


def render(call, fmt, form, errno_names=None):
    """The text of one call's flow in format form."""
    if form == "svg":
        return FlowDiagram(call.flow(), fmt, interleave=True).render()
    if form == "mermaid":
        return mermaid_text(call.flow(), fmt)
    return "\n".join(call_lines(call, fmt, errno_names)) + "\n"


def file_name(call, ncalls, form):
    width = max(2, len(str(ncalls)))
    return "%0*d-%s%s" % (width, call.number, call.function, FORMATS[form])
