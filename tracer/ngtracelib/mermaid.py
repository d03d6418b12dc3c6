"""A flow as Mermaid sequenceDiagram text (the "mermaid" format of
"ngtrace call"), for pasting into Markdown that renders Mermaid.

It draws what the SVG draws, from the same rows and lanes (flow_svg's
FlowDiagram): one participant per lane in the same order, calls as solid
arrows, returns dashed, posts and fetches through the mailbox's
participant, signals as async arrows to the thread they wake, frames to
and from the wire, and every other record as a note over its lane.  There
are no times and no activation bars: Mermaid has no place for the first
and refuses unbalanced ones, which a flow cut from a trace can have.
"""

from .flow_svg import FlowDiagram
from .flow_text import headline

_ARROW = {"call": "->>", "return": "-->>", "post": "->>", "fetch": "->>", "full": "-x",
          "signal": "-)", "switch": "-->>", "frame": "->>"}


def _text(s):
    # ";" ends a statement, "#" starts an entity code, and "<...>" (our
    # symbols) would be taken for HTML: written as the entities #lt; #gt;
    s = str(s).replace(";", ",").replace("#", "no. ").replace("<", "#lt;").replace(">", "#gt;")
    return " ".join(s.split())


def mermaid_text(flow, fmt):
    d = FlowDiagram(flow, fmt, interleave=True)
    lanes = d.lane_list()
    ids = {}
    out = ["%% " + _text(headline(flow)), "sequenceDiagram"]
    for n, lane in enumerate(lanes):
        ids[lane.key] = "p%d" % n
        out.append("    participant p%d as %s" % (n, _text(lane.label)))
    for _i, kind, src, dst, label, _title in d.rows:
        if kind == "note" or src is None or dst is None:
            lane = src or dst
            out.append("    Note over %s: %s" % (ids[lane], _text(label)))
        else:
            if kind == "call":          # Mermaid's arrows carry the name: fn(arg)
                label = d.lanes[dst].label.rstrip("()") + label
            out.append("    %s%s%s: %s" % (ids[src], _ARROW[kind], ids[dst], _text(label)))
    return "\n".join(out) + "\n"
