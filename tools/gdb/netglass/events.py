"""tracer/events.def as the commands need it: events, states, kinds, enums.

Taken from tracer/ngtracelib/events.py when that imports and parses;
otherwise parsed here with a small regular expression. events() reads
the file again when it changes.
"""

import os
import re
import sys

from .common import NgError, REPO, cached


EVENTS_DEF = os.path.join(REPO, "tracer", "events.def")


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


def events():
    return cached("events", EVENTS_DEF, EventTable)
