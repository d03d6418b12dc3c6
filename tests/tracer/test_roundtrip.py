"""The cross-language round trip: the C recorder (tracer/trace.c), driven by
tests/unit/trace_roundtrip.c, writes a trace in which every value is known;
ngtracelib must read back exactly that.

The expectation is computed here, independently of ngtracelib: from the
formula in the top comment of tests/unit/trace_roundtrip.c and from the
events table as read by the small parser and field splitter below (not
ngtracelib's), so that a bug in the decoder's field packing, time
reconstruction or record framing shows up as a mismatch naming the event
and the field.

The program is built with `make -s build/host/tests/trace_roundtrip` from
the repository root if it does not exist yet (`make unit-build` builds it
too); the test is skipped only when make or gcc is missing, or when the
build fails and the Check library is not installed.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACER = os.path.join(ROOT, "tracer")
NGTRACE = os.path.join(TRACER, "ngtrace")
EVENTS_DEF = os.path.join(TRACER, "events.def")
PROGRAM_TARGET = "build/host/tests/trace_roundtrip"     # relative to ROOT
PROGRAM = os.path.join(ROOT, *PROGRAM_TARGET.split("/"))

if TRACER not in sys.path:
    sys.path.insert(0, TRACER)

from ngtracelib import events as events_mod  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402

# -- what tests/unit/trace_roundtrip.c writes ---------------------------------

M32 = 0xFFFFFFFF
T0 = 0x100001000
END_GAP = 0x12345
CPU_HZ = 12500000
TICK_HZ = 1000
RING = 8192
NAMES = [
    # id, kind name, kind value, addr, name as given, dt before the NAME
    (0x30, "THREAD", 1, 0x20000100, "rt_thread", 0),
    (0x31, "MBOX", 4, 0x20000200, "roundtrip_mailbox_with_a_long_name", 0x100),
]
NAME_MAX = 32


def a_of(id_):
    return (id_ * 7 + 3) & 0xFF


def w1_of(id_):
    return ((id_ * 0x01010101) ^ 0xA5A55A5A) & M32


def dt_of(id_):
    return (id_ * 16) & M32


# -- an independent reading of events.def -------------------------------------

# Field widths by type, from the grammar in the comment of events.def: a
# registry id, an exception number, a kind or a state is one byte; pointers,
# function pointers and durations fill a word.
WIDTH = {
    "u8": 8, "u16": 16, "u24": 24, "u32": 32,
    "obj": 8, "thread": 8, "irq": 8, "kind": 8, "state": 8,
    "ptr": 32, "fn": 32, "ms": 32, "ticks": 32,
}

# A field whose type is the TYPE of NG_ENUM(TYPE, NAME, VALUE) lines is one
# byte too, wherever it sits.
ENUM_WIDTH = 8

_COMMENT = re.compile(r'"[^"\n]*"|/\*.*?\*/|//[^\n]*', re.S)
_CLASS = re.compile(r"NG_CLASS\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)")
_KIND = re.compile(r"NG_KIND\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)")
_ENUM = re.compile(r"NG_ENUM\s*\(\s*(\w+)\s*,\s*\w+\s*,\s*\w+\s*\)")
_EVENT = re.compile(r'NG_EVENT\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,'
                    r'\s*(\w+)\s*,\s*"([^"]*)"\s*\)')


def parse_events_def(path):
    """(classes name -> bit, kinds name -> value, events in file order as
    dicts name, id, cls, nwords, var, fields)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code = _COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)
    classes = {m.group(1): int(m.group(2), 0) for m in _CLASS.finditer(code)}
    kinds = {m.group(1): int(m.group(2), 0) for m in _KIND.finditer(code)}
    for m in _ENUM.finditer(code):
        WIDTH.setdefault(m.group(1), ENUM_WIDTH)
    evs = []
    for m in _EVENT.finditer(code):
        name, id_, cls, nwords, flags, fields = m.groups()
        evs.append({"name": name, "id": int(id_, 0), "cls": cls, "nwords": int(nwords, 0),
                    "var": flags == "VAR", "fields": fields})
    return classes, kinds, evs


def split_fields(ev, a, words):
    """The field values of a record of event ev whose header "a" field is a
    and whose argument words are words, by the FIELDS grammar: the first
    token is "a" (8 bits), then one token per word; a token is "-" or
    name:type joined by "|", packed from bit 0 upwards."""
    tokens = ev["fields"].split()
    if len(tokens) != 1 + ev["nwords"]:
        raise AssertionError("events.def: %s has %d FIELDS tokens for %d words"
                             % (ev["name"], len(tokens), ev["nwords"]))
    out = {}
    for pos, tok in enumerate(tokens):
        src, size = (a, 8) if pos == 0 else (words[pos - 1], 32)
        if tok == "-":
            continue
        shift = 0
        for part in tok.split("|"):
            fname, _, ftype = part.partition(":")
            width = WIDTH[ftype]
            if shift + width > size:
                raise AssertionError("events.def: %s: %r does not fit" % (ev["name"], tok))
            out[fname] = (src >> shift) & ((1 << width) - 1)
            shift += width
    return out


def signature_of(classes, evs):
    """docs/trace-format.md: sum of (id * 2654435761 mod 2^32) XOR
    (nwords << 8 | class_bit << 16 | var << 24) over every NG_EVENT line."""
    total = 0
    for ev in evs:
        total += ((ev["id"] * 2654435761) & M32) ^ (
            ev["nwords"] << 8 | classes[ev["cls"]] << 16 | int(ev["var"]) << 24)
    return total & M32


def expected_records(evs, kinds):
    """[(event name, fields, time, number of words)] of the whole trace."""
    out = [("SYNC", {"cycles_lo": T0 & M32, "cycles_hi": T0 >> 32}, T0, 3)]
    t = T0
    for id_, kind_name, kind, addr, name, dt in NAMES:
        assert kinds[kind_name] == kind, "events.def: NG_KIND(%s) is not %d" % (kind_name, kind)
        cut = name.encode()[:NAME_MAX]
        t += dt
        out.append(("NAME", {"id": id_, "kind": kind, "len": len(cut), "addr": addr,
                             "name": cut.decode()}, t, 3 + (len(cut) + 3) // 4))
    for ev in evs:
        if ev["cls"] == "META" or ev["var"]:
            continue
        id_ = ev["id"]
        w1 = w1_of(id_)
        words = [w1, ~w1 & M32][:ev["nwords"]]
        t += dt_of(id_)
        out.append((ev["name"], split_fields(ev, a_of(id_), words), t, 1 + ev["nwords"]))
    t += END_GAP
    out.append(("SYNC", {"cycles_lo": t & M32, "cycles_hi": t >> 32}, t, 3))
    out.append(("END", {"status": 0}, t, 2))
    return out


# -- the container, read here too (for the header and record offsets) ---------

def read_container(data):
    """(header tuple, [(file offset of payload, stream offset, length)])."""
    hdr = struct.unpack_from("<4sHHIIIIII", data, 0)
    pos = hdr[2]
    chunks = []
    stream = 0
    seq = 0
    while pos < len(data):
        magic, cseq, length = struct.unpack_from("<4sII", data, pos)
        if magic != b"NGBK" or cseq != seq or pos + 12 + length > len(data):
            raise AssertionError("bad chunk %d at offset %d: %r seq %d length %d"
                                 % (seq, pos, magic, cseq, length))
        chunks.append((pos + 12, stream, length))
        stream += length
        pos += 12 + length
        seq += 1
    return hdr, chunks


def file_offset(chunks, stream_offset):
    for start, s0, length in chunks:
        if s0 <= stream_offset < s0 + length:
            return start + stream_offset - s0
    raise AssertionError("stream offset %d is in no chunk" % stream_offset)


# -- the test -----------------------------------------------------------------

def _check_installed():
    try:
        r = subprocess.run(["pkg-config", "--exists", "check"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return r.returncode == 0


def ensure_program():
    """Build the program if it does not exist yet; SkipTest if it cannot be
    built for want of make, gcc or Check."""
    if os.path.isfile(PROGRAM) and os.access(PROGRAM, os.X_OK):
        return
    missing = [tool for tool in ("make", "gcc") if shutil.which(tool) is None]
    if missing:
        raise unittest.SkipTest("%s not built and %s not available"
                                % (PROGRAM_TARGET, " and ".join(missing)))
    r = subprocess.run(["make", "-s", PROGRAM_TARGET], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0 or not os.path.isfile(PROGRAM):
        if not _check_installed():
            raise unittest.SkipTest("cannot build %s and the Check library is not "
                                    "installed:\n%s" % (PROGRAM_TARGET, r.stdout[-2000:]))
        raise AssertionError("make -s %s failed (status %d):\n%s"
                             % (PROGRAM_TARGET, r.returncode, r.stdout[-4000:]))


class RoundTripTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ensure_program()
        cls.tmp = tempfile.mkdtemp(prefix="ngtrace-roundtrip-")
        cls.trace_path = os.path.join(cls.tmp, "roundtrip.ngt")
        r = subprocess.run([PROGRAM, cls.trace_path], cwd=cls.tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        if r.returncode != 0:
            shutil.rmtree(cls.tmp, True)
            raise AssertionError("%s exited with status %d\nstdout: %s\nstderr: %s"
                                 % (PROGRAM_TARGET, r.returncode, r.stdout, r.stderr))
        cls.program_stdout = r.stdout
        with open(cls.trace_path, "rb") as f:
            cls.data = f.read()
        cls.classes, cls.kinds, cls.evs = parse_events_def(EVENTS_DEF)
        cls.expected = expected_records(cls.evs, cls.kinds)
        cls.table = events_mod.load(EVENTS_DEF)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def decode(self):
        warnings = []
        tr = Trace(self.trace_path, self.table, warnings.append)
        recs = list(tr.records())
        return tr, recs, warnings

    def test_events_def_parsed(self):
        """The test's own reading of events.def agrees with the table's
        shape (a guard for the test itself, not for the decoder)."""
        self.assertEqual([e["name"] for e in self.evs], [e.name for e in self.table.events])
        self.assertEqual([e["id"] for e in self.evs], [e.id for e in self.table.events])
        n_events = sum(1 for e in self.evs if e["cls"] != "META" and not e["var"])
        self.assertIn("%d events" % n_events, self.program_stdout)

    def test_header(self):
        tr, _, _ = self.decode()
        h = tr.header
        raw, chunks = read_container(self.data)
        mine = signature_of(self.classes, self.evs)
        self.assertEqual(raw[0], b"NGTR", "header: magic")
        self.assertEqual(self.table.signature, mine,
                         "ngtracelib's events signature 0x%08x differs from the one of "
                         "docs/trace-format.md computed here, 0x%08x"
                         % (self.table.signature, mine))
        for what, got, want in [
                ("version", h.version, 1), ("header_len", h.header_len, 32),
                ("signature", h.signature, self.table.signature),
                ("signature (raw)", raw[3], self.table.signature),
                ("cpu_hz", h.cpu_hz, CPU_HZ), ("tick_hz", h.tick_hz, TICK_HZ),
                ("ring_size", h.ring_size, RING), ("flags", h.flags, 0),
                ("build_id", h.build_id, b""),
                ("cpu_hz (raw)", raw[4], CPU_HZ), ("tick_hz (raw)", raw[5], TICK_HZ),
                ("ring_size (raw)", raw[6], RING)]:
            self.assertEqual(got, want, "header field %s: decoded %r, expected %r"
                             % (what, got, want))
        self.assertEqual([c.seq for c in tr.chunks], list(range(len(chunks))), "chunk sequence")
        self.assertEqual(tr.stream_bytes, sum(c[2] for c in chunks), "record stream length")

    def test_records(self):
        tr, recs, warnings = self.decode()
        expected = self.expected
        _, chunks = read_container(self.data)
        got_names = [r.name for r in recs]
        want_names = [e[0] for e in expected]
        self.assertEqual(got_names, want_names,
                         "record sequence: decoded %d records, expected %d"
                         % (len(got_names), len(want_names)))

        problems = []
        word = 0
        for i, (rec, (name, fields, time, nwords)) in enumerate(zip(recs, expected)):
            where = "record #%d %s" % (i, name)
            if rec.index != i:
                problems.append("%s: index %d" % (where, rec.index))
            if set(rec.fields) != set(fields):
                problems.append("%s: fields %s, expected %s"
                                % (where, sorted(rec.fields), sorted(fields)))
            for fname, want in fields.items():
                got = rec.fields.get(fname)
                if got != want:
                    problems.append("%s, field %s: decoded %s, expected %s"
                                    % (where, fname, _show(got), _show(want)))
            if rec.time != time:
                problems.append("%s: time decoded %s, expected %s (cumulative dt)"
                                % (where, _show(rec.time), _show(time)))
            off = file_offset(chunks, 4 * word)
            if rec.offset != off:
                problems.append("%s: file offset %d, expected %d" % (where, rec.offset, off))
            word += nwords
        if problems:
            self.fail("%d mismatch%s between the trace and trace_roundtrip.c:\n  %s"
                      % (len(problems), "" if len(problems) == 1 else "es",
                         "\n  ".join(problems)))

        self.assertEqual(4 * word, tr.stream_bytes,
                         "record stream: %d bytes expected, %d read" % (4 * word, tr.stream_bytes))
        self.assertEqual(tr.count, len(expected), "record count")
        self.assertEqual(tr.lost, 0, "lost records")
        self.assertEqual(tr.overflows, 0, "OVERFLOW records")
        self.assertTrue(tr.end_seen, "END record not seen")
        self.assertEqual(tr.end_status, 0, "END status")
        self.assertEqual(tr.first_time, T0, "first time")
        self.assertEqual(tr.last_time, expected[-1][2], "last time")
        want_counts = {}
        for name, _, _, _ in expected:
            want_counts[name] = want_counts.get(name, 0) + 1
        for ev in self.table.events:
            self.assertEqual(tr.per_event[ev.id], want_counts.get(ev.name, 0),
                             "records of %s counted" % ev.name)
        # The records are samples, not a story: an unmatched ISR_EXIT is
        # expected; nothing else (loss, cut short, time going back) is.
        others = [w for w in warnings if "ISR_EXIT" not in w]
        self.assertEqual(others, [], "unexpected warnings from the reader")

    def test_names(self):
        _, recs, _ = self.decode()
        names = [r for r in recs if r.name == "NAME"]
        self.assertEqual(len(names), 2)
        for rec, (id_, _, kind, addr, name, _) in zip(names, NAMES):
            self.assertEqual(rec.fields["id"], id_)
            self.assertEqual(rec.fields["kind"], kind)
            self.assertEqual(rec.fields["addr"], addr)
            self.assertEqual(rec.fields["name"], name[:NAME_MAX])
            self.assertEqual(rec.fields["len"], min(len(name), NAME_MAX))
            self.assertEqual(rec.reg.obj_name(id_), name[:NAME_MAX],
                             "registry name of id 0x%02x after its NAME" % id_)
        self.assertEqual(names[1].fields["name"], "roundtrip_mailbox_with_a_long_na")
        self.assertEqual(recs[-1].reg.obj_name(0x31), "roundtrip_mailbox_with_a_long_na")
        sync = [r for r in recs if r.name == "SYNC"]
        self.assertEqual([r.time for r in sync], [T0, self.expected[-1][2]])
        last_event = recs[-3]                   # ..., APP_MARK2, SYNC, END
        self.assertEqual(last_event.name, self.expected[-3][0])
        self.assertEqual(sync[1].time - last_event.time, END_GAP, "gap before the final SYNC")
        self.assertEqual(recs[-1].time, sync[1].time, "END has dt 0")

    def run_ngtrace(self, command):
        r = subprocess.run([sys.executable, NGTRACE, command, self.trace_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, "ngtrace %s: status %d\n%s"
                         % (command, r.returncode, r.stderr))
        self.assertNotIn("Traceback", r.stderr)
        bad = [ln for ln in r.stderr.splitlines() if ln and not ln.startswith("ngtrace: warning: ")]
        self.assertEqual(bad, [], "ngtrace %s: stderr other than warnings" % command)
        return r.stdout

    def test_ngtrace_list(self):
        out = self.run_ngtrace("list")
        lines = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
        got = [ln.split()[2] if len(ln.split()) > 2 else ln for ln in lines]
        self.assertEqual(got, [e[0] for e in self.expected],
                         "ngtrace list: the EVENT column of the record lines")
        for ev in self.evs:
            if ev["cls"] == "META" or ev["var"]:
                continue
            n = sum(1 for g in got if g == ev["name"])
            self.assertEqual(n, 1, "ngtrace list: %d lines for %s, expected 1" % (n, ev["name"]))
        self.assertRegex(out, r"(?m)^# records:\s+%d$" % len(self.expected))
        self.assertRegex(out, r"(?m)^# lost records:\s+0$")
        self.assertRegex(out, r"(?m)^# end:\s+END seen, exit status 0$")

    def test_ngtrace_info(self):
        out = self.run_ngtrace("info")
        for pattern in [r"^format version:\s+1$",
                        r"^events signature:\s+0x%08x \(matches" % self.table.signature,
                        r"^cpu_hz:\s+%d$" % CPU_HZ, r"^tick_hz:\s+%d$" % TICK_HZ,
                        r"^ring buffer:\s+%d bytes$" % RING,
                        r"^records:\s+%d$" % len(self.expected),
                        r"^lost records:\s+0$", r"^end:\s+END seen, exit status 0$"]:
            self.assertRegex(out, "(?m)" + pattern, "ngtrace info")


def _show(v):
    return "0x%x (%d)" % (v, v) if isinstance(v, int) else repr(v)


if __name__ == "__main__":
    unittest.main()
