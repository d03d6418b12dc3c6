"""The event table: parse tracer/events.def at run time.

events.def is the single table of trace events, shared with the C recorder
(which includes it as an X-macro).  This module reads its NG_CLASS, NG_KIND,
NG_STATE, NG_ENUM and NG_EVENT lines with regular expressions, checks them, turns the
FIELDS string of each event into a list of bit fields, builds one decode
function per event, and computes the events signature of
docs/trace-format.md.  Nothing of the table is repeated here.

FIELDS grammar (from the comment at the top of events.def): space separated
tokens, first the header's 8-bit "a" field, then one token per argument word,
then for a VAR event one "name:str" or "name:bytes" token for the data
after the words (text, or raw bytes such as the start of a frame).  A token
is "-" (unused), "name:type", or several "name:type" joined by "|", packed
from bit 0 upwards.  Widths: u8/u16/u24/u32 as named; obj, thread, irq, kind
and state are 8 bits (a registry id, an exception number, an enum value);
ptr, fn, ms and ticks are 32 bits.  A type may also be the TYPE of
NG_ENUM(TYPE, NAME, VALUE) lines: such a field is 8 bits wide wherever it
sits (the header's "a" field or a word), like kind and state, so its values
must be 0..255; the listing shows the value by its NAME.
"""

import os
import re

from .errors import NgtraceError

#: Bit widths of the field types.  "str" has none: it is the VAR string.
TYPE_WIDTH = {
    "u8": 8, "u16": 16, "u24": 24, "u32": 32,
    "obj": 8, "thread": 8, "irq": 8, "kind": 8, "state": 8,
    "ptr": 32, "fn": 32, "ms": 32, "ticks": 32,
}

#: Types of the last token of a VAR event: its data after the words.
VAR_TYPES = ("str", "bytes")

#: Width of a field whose type is an NG_ENUM type.
ENUM_WIDTH = 8

SIGNATURE_MULT = 2654435761
MASK32 = 0xFFFFFFFF

_NUM = r"(0[xX][0-9a-fA-F]+|\d+)"
_RE_CLASS = re.compile(r"NG_CLASS\s*\(\s*(\w+)\s*,\s*" + _NUM + r"\s*\)")
_RE_KIND = re.compile(r"NG_KIND\s*\(\s*(\w+)\s*,\s*" + _NUM + r"\s*\)")
_RE_STATE = re.compile(r"NG_STATE\s*\(\s*(\w+)\s*,\s*" + _NUM + r"\s*\)")
_RE_ENUM = re.compile(r"NG_ENUM\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*" + _NUM + r"\s*\)")
_RE_EVENT = re.compile(
    r"NG_EVENT\s*\(\s*(\w+)\s*,\s*" + _NUM + r"\s*,\s*(\w+)\s*,\s*(\d+)\s*,"
    r"\s*(\w+)\s*,\s*\"([^\"]*)\"\s*\)")
# Comments (and string literals, so that a "/*" inside one is left alone).
_RE_COMMENT = re.compile(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*', re.S)
_RE_IDENT = re.compile(r"[A-Za-z_]\w*\Z")


def default_path():
    """events.def beside the ngtrace script (tracer/events.def)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), "events.def")


class Field:
    """One decoded value of a record.

    word is None for the header's "a" field, k for argument word k (0-based),
    and "str" for the data of a VAR record (type "str" or "bytes").
    """
    __slots__ = ("name", "type", "word", "shift", "width")

    def __init__(self, name, type_, word, shift, width):
        self.name = name
        self.type = type_
        self.word = word
        self.shift = shift
        self.width = width

    def __repr__(self):
        return "Field(%s:%s word=%r bits=%d..%d)" % (
            self.name, self.type, self.word, self.shift,
            self.shift + self.width - 1)


class Event:
    """One NG_EVENT line.  decode(a, words, i) returns the fields dict of a
    record whose first argument word is words[i] (the VAR string is added by
    the reader)."""

    def __init__(self, name, id_, cls, class_bit, nwords, var, fields_text,
                 fields, line):
        self.name = name
        self.id = id_
        self.cls = cls
        self.class_bit = class_bit
        self.nwords = nwords
        self.var = var
        self.fields_text = fields_text
        self.fields = fields
        self.line = line
        self.len_field = None
        self.str_field = None       # the field holding a VAR record's data
        self.var_type = None        # its type: "str" (text) or "bytes"
        for f in fields:
            if f.word == "str":
                self.str_field = f.name
                self.var_type = f.type
        if var:
            self.len_field = "len"
        self.field_types = {f.name: f.type for f in fields}
        self.decode_source = _decoder_source(self)
        ns = {}
        exec(compile(self.decode_source, "<events.def:%s>" % name, "exec"), ns)
        self.decode = ns["decode"]

    def __repr__(self):
        return "Event(%s, 0x%02x)" % (self.name, self.id)


def _decoder_source(ev):
    """Python source of the decode function of one event: a dict literal of
    shifts and masks, so that decoding a record is one call."""
    by_word = {}
    for f in ev.fields:
        if f.word != "str":
            by_word.setdefault(f.word, []).append(f)
    lines = ["def decode(a, w, i):"]
    items = []
    for word, fields in sorted(by_word.items(), key=lambda kv: -1 if kv[0] is None else kv[0]):
        if word is None:
            src = "a"
        else:
            src = "w%d" % word
            lines.append("    w%d = w[i + %d]" % (word, word) if word else "    w0 = w[i]")
        full = 8 if word is None else 32
        for f in fields:
            expr = src
            if f.shift:
                expr = "(%s >> %d)" % (expr, f.shift)
            if f.shift + f.width < full:
                expr = "%s & 0x%x" % (expr, (1 << f.width) - 1)
            items.append("%r: %s" % (f.name, expr))
    lines.append("    return {%s}" % ", ".join(items))
    return "\n".join(lines) + "\n"


class Table:
    """The parsed events.def."""

    def __init__(self, path):
        self.path = path
        self.classes = {}      # name -> bit
        self.kinds = {}        # name -> value
        self.states = {}       # name -> value
        self.enums = {}        # NG_ENUM type -> {name: value}, in file order
        self.events = []       # in file order
        self.by_id = [None] * 256
        self.by_name = {}
        self._parse()
        self.kind_names = {v: k for k, v in self.kinds.items()}
        self.state_names = {v: k for k, v in self.states.items()}
        self.enum_names = {ty: {v: k for k, v in vals.items()}
                           for ty, vals in self.enums.items()}
        self.signature = compute_signature(self.events)

    def _error(self, line, msg):
        raise NgtraceError("%s:%d: %s" % (self.path, line, msg))

    def _parse(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise NgtraceError("cannot read events table %s: %s"
                               % (self.path, getattr(e, "strerror", None) or e))

        def blank(m):
            s = m.group(0)
            return s if s.startswith('"') else "\n" * s.count("\n") or " "
        code = _RE_COMMENT.sub(blank, text)
        # Events are read after everything else, so that an event may use an
        # NG_ENUM type or NG_CLASS that is defined further down the file.
        events = []
        for lineno, line in enumerate(code.split("\n"), 1):
            s = line.strip()
            if not s:
                continue
            if not s.startswith("NG_"):
                self._error(lineno, "not an NG_CLASS, NG_KIND, NG_STATE, NG_ENUM or "
                            "NG_EVENT line: %s" % s)
            m = _RE_EVENT.fullmatch(s)
            if m:
                events.append((lineno, m))
                continue
            for regex, handler in ((_RE_CLASS, self._class), (_RE_KIND, self._kind),
                                   (_RE_STATE, self._state), (_RE_ENUM, self._enum_value)):
                m = regex.fullmatch(s)
                if m:
                    handler(lineno, m)
                    break
            else:
                self._error(lineno, "cannot parse: %s" % s)
        for lineno, m in events:
            self._event(lineno, m)
        if not self.events:
            self._error(1, "no NG_EVENT lines")

    def _enum(self, table, what, lineno, m, limit):
        name, value = m.group(1), int(m.group(2), 0)
        if name in table:
            self._error(lineno, "%s %s defined twice" % (what, name))
        if not 0 <= value <= limit:
            self._error(lineno, "%s %s: value %d out of range" % (what, name, value))
        table[name] = value

    def _class(self, lineno, m):
        self._enum(self.classes, "class", lineno, m, 31)

    def _kind(self, lineno, m):
        self._enum(self.kinds, "kind", lineno, m, 255)

    def _state(self, lineno, m):
        self._enum(self.states, "state", lineno, m, 255)

    def _enum_value(self, lineno, m):
        ty, name, value = m.group(1), m.group(2), int(m.group(3), 0)
        if ty in TYPE_WIDTH or ty in VAR_TYPES:
            self._error(lineno, "enum type %s is the name of a built-in type" % ty)
        vals = self.enums.setdefault(ty, {})
        if name in vals:
            self._error(lineno, "enum %s: %s defined twice" % (ty, name))
        if not 0 <= value < (1 << ENUM_WIDTH):
            self._error(lineno, "enum %s: %s = %d out of range 0..%d (enum fields are %d bits)"
                        % (ty, name, value, (1 << ENUM_WIDTH) - 1, ENUM_WIDTH))
        for other, v in vals.items():
            if v == value:
                self._error(lineno, "enum %s: %s = %d, the value of %s already"
                            % (ty, name, value, other))
        vals[name] = value

    def width(self, ty):
        """Bit width of a field type, None if there is no such type."""
        if ty in TYPE_WIDTH:
            return TYPE_WIDTH[ty]
        if ty in self.enums:
            return ENUM_WIDTH
        return None

    def _event(self, lineno, m):
        name, id_, cls, nwords, flags, text = m.groups()
        id_ = int(id_, 0)
        nwords = int(nwords)
        if not 1 <= id_ <= 255:
            self._error(lineno, "event %s: id %d not in 1..255" % (name, id_))
        if self.by_id[id_] is not None:
            self._error(lineno, "event %s: id 0x%02x already used by %s"
                        % (name, id_, self.by_id[id_].name))
        if name in self.by_name:
            self._error(lineno, "event %s defined twice" % name)
        if cls not in self.classes:
            self._error(lineno, "event %s: unknown class %s" % (name, cls))
        if flags not in ("0", "VAR"):
            self._error(lineno, "event %s: flags must be 0 or VAR, not %s" % (name, flags))
        var = flags == "VAR"
        fields = self._fields(lineno, name, text, nwords, var)
        ev = Event(name, id_, cls, self.classes[cls], nwords, var, text, fields, lineno)
        self.events.append(ev)
        self.by_id[id_] = ev
        self.by_name[name] = ev

    def _fields(self, lineno, evname, text, nwords, var):
        tokens = text.split()
        want = 1 + nwords + (1 if var else 0)
        if len(tokens) != want:
            self._error(lineno, "event %s: %d field tokens, expected %d (a, %d word%s%s)"
                        % (evname, len(tokens), want, nwords, "" if nwords == 1 else "s",
                           ", str" if var else ""))
        fields = []
        seen = set()
        for pos, tok in enumerate(tokens):
            word = None if pos == 0 else pos - 1
            full = 8 if pos == 0 else 32
            if var and pos == len(tokens) - 1:
                nm, _, ty = tok.partition(":")
                if ty not in VAR_TYPES or not _RE_IDENT.match(nm):
                    self._error(lineno, "event %s: a VAR event ends with name:str or "
                                "name:bytes, not %s" % (evname, tok))
                if nm in seen:
                    self._error(lineno, "event %s: field %s twice" % (evname, nm))
                fields.append(Field(nm, ty, "str", 0, 0))
                seen.add(nm)
                continue
            if tok == "-":
                continue
            shift = 0
            for part in tok.split("|"):
                nm, colon, ty = part.partition(":")
                if not colon or not _RE_IDENT.match(nm):
                    self._error(lineno, "event %s: bad field %r" % (evname, part))
                width = self.width(ty)
                if width is None:
                    if ty in VAR_TYPES:
                        self._error(lineno, "event %s: field %s: %s is only the last "
                                    "token of a VAR event" % (evname, nm, ty))
                    self._error(lineno, "event %s: field %s has unknown type %r"
                                % (evname, nm, ty))
                if nm in seen:
                    self._error(lineno, "event %s: field %s twice" % (evname, nm))
                seen.add(nm)
                if shift + width > full:
                    self._error(lineno, "event %s: fields of %r need %d bits, the %s has %d"
                                % (evname, tok, shift + width,
                                   "header's a field" if pos == 0 else "word", full))
                fields.append(Field(nm, ty, word, shift, width))
                shift += width
        if var and "len" not in seen:
            self._error(lineno, "event %s: a VAR event needs a field named len" % evname)

        return fields


def compute_signature(events):
    """docs/trace-format.md: the 32-bit sum over every NG_EVENT line of
    (id * 2654435761 mod 2^32) XOR (nwords << 8 | class_bit << 16 | var << 24).
    class_bit is the BIT number of the event's NG_CLASS line (the value the C
    side's NG_EVC_<NAME> enumerator has), not the mask 1 << BIT."""
    total = 0
    for ev in events:
        total += ((ev.id * SIGNATURE_MULT) & MASK32) ^ (
            ev.nwords << 8 | ev.class_bit << 16 | (1 if ev.var else 0) << 24)
    return total & MASK32


_cache = {}


def load(path=None):
    """The table parsed from path (default: tracer/events.def), cached."""
    path = path or default_path()
    key = os.path.abspath(path)
    table = _cache.get(key)
    if table is None:
        table = _cache[key] = Table(path)
    return table
