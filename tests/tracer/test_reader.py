"""The reader: container checks, record decoding, time, context, names,
losses, and the error behaviour on damaged files."""

import os
import random
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402
from ngtracelib import events  # noqa: E402
from ngtracelib.errors import NgtraceError  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402

TABLE = events.load(helpers.EVENTS_DEF)


class ReaderTest(helpers.TempDirTest):

    def write(self, w, name="t.ngt", **kw):
        path = self.path(name)
        w.write(path, **kw)
        return path

    def decode(self, w, **kw):
        """(records, warnings, trace) of a writer's file."""
        warnings = []
        tr = Trace(self.write(w, **kw), TABLE, warnings.append)
        return list(tr.records()), warnings, tr

    def decode_error(self, path):
        tr = None
        with self.assertRaises(NgtraceError) as cm:
            tr = Trace(path, TABLE)
            list(tr.records())
        return str(cm.exception)


class RoundTripTest(ReaderTest):

    def random_fields(self, spec, rnd):
        fields = {}
        for name in spec.field_names():
            if name == spec.str_field and spec.var_type == "bytes":
                fields[name] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 41)))
            elif name == spec.str_field:
                n = rnd.randrange(0, 41)
                fields[name] = "".join(rnd.choice("abcxyz_019") for _ in range(n))
            elif name != "len" or not spec.var:
                fields[name] = rnd.randrange(0, 1 << spec.field_width(name))
        return fields

    def test_every_event_round_trips(self):
        rnd = random.Random(7)
        w = tracegen.TraceWriter()
        w.sync(12345)
        expected = []
        for rep in range(6):
            for spec in w.spec_list:           # the table, not a hand-made list
                f = self.random_fields(spec, rnd)
                if rep == 0:                    # all zero ...
                    f = {k: (0 if isinstance(v, int) else v[:0]) for k, v in f.items()}
                elif rep == 1:                  # ... and all ones
                    f = {k: ((1 << spec.field_width(k)) - 1 if isinstance(v, int)
                             else (b"\xff" if isinstance(v, bytes) else "n") * 40)
                         for k, v in f.items()}
                idx = w.record(spec.name, dt=rnd.randrange(0, 0x10000), **f)
                want = dict(f)
                if spec.var:
                    want["len"] = len(f[spec.str_field])
                expected.append((idx, spec.name, want))
        recs, _warnings, _tr = self.decode(w, chunk_size=40)
        self.assertEqual(len(recs), len(w.record_words))
        seen = set()
        for idx, name, want in expected:
            self.assertEqual(recs[idx].name, name)
            self.assertEqual(recs[idx].fields, want, name)
            self.assertEqual(recs[idx].offset, w.record_offsets[idx])
            seen.add(name)
        self.assertEqual(seen, set(TABLE.by_name))

    def test_hand_made_bytes(self):
        """A file built byte by byte from docs/trace-format.md."""
        ev_switch = TABLE.by_name["THREAD_SWITCH"].id
        ev_sync = TABLE.by_name["SYNC"].id
        stream = struct.pack("<III", ev_sync, 0x89ABCDEF, 0x01)          # SYNC
        stream += struct.pack("<II", ev_switch | 3 << 8 | 0x1234 << 16,  # to=3, dt=0x1234
                              0x0102)                                   # from=2, BLOCKED=... 1
        bid = b"\xaa\xbb\xcc"
        header = b"NGTR" + struct.pack("<HHIIIIII", 1, 36, TABLE.signature, 1000000, 100,
                                       4096, 1, 3) + bid + b"\0"
        data = header + b"NGBK" + struct.pack("<II", 0, len(stream)) + stream
        path = self.path("hand.ngt")
        with open(path, "wb") as f:
            f.write(data)
        tr = Trace(path, TABLE)
        recs = list(tr.records())
        self.assertEqual(tr.header.build_id, bid)
        self.assertEqual(tr.header.transport, "UART1")
        self.assertEqual(tr.header.cpu_hz, 1000000)
        self.assertEqual([r.name for r in recs], ["SYNC", "THREAD_SWITCH"])
        self.assertEqual(recs[0].time, 0x1_89ABCDEF)
        self.assertEqual(recs[1].time, 0x1_89ABCDEF + 0x1234)
        self.assertEqual(recs[1].fields, {"to": 3, "from": 2, "from_state": 1})
        self.assertEqual(recs[0].offset, 36 + 12)
        self.assertEqual(recs[1].offset, 36 + 12 + 12)


class TimeTest(ReaderTest):

    def test_sync_and_dt(self):
        w = tracegen.TraceWriter()
        w.sync(1000)
        w.record("APP_MARK", dt=10, code=1)
        w.record("APP_MARK", dt=0xFFFF, code=2)
        w.sync((5 << 32) + 17)                  # a SYNC sets the time, its dt is ignored
        w.record("APP_MARK", dt=3, code=3)
        w.at((5 << 32) + 17 + 3 + 0x10000, "APP_MARK", code=4)    # needs a SYNC first
        w.at((5 << 32) + 17 + 3 + 0x10000 + 0xFFFF, "APP_MARK", code=5)  # fits in dt
        recs, warnings, tr = self.decode(w)
        marks = [(r.fields["code"], r.time) for r in recs if r.name == "APP_MARK"]
        self.assertEqual(marks, [(1, 1010), (2, 1010 + 0xFFFF), (3, (5 << 32) + 20),
                                 (4, (5 << 32) + 20 + 0x10000),
                                 (5, (5 << 32) + 20 + 0x10000 + 0xFFFF)])
        self.assertEqual([r.name for r in recs].count("SYNC"), 3)
        self.assertEqual(tr.first_time, 1000)
        self.assertEqual(tr.last_time, (5 << 32) + 20 + 0x10000 + 0xFFFF)
        self.assertEqual(tr.us(12_000_000), 1e6)

    def test_sync_dt_field_is_ignored(self):
        w = tracegen.TraceWriter()
        w.record("SYNC", dt=500, cycles_lo=100)
        w.record("APP_MARK", dt=1)
        recs, _w, _t = self.decode(w)
        self.assertEqual([r.time for r in recs], [100, 101])

    def test_no_sync_first_warns(self):
        w = tracegen.TraceWriter()
        w.record("APP_MARK", dt=5)
        w.record("END", dt=5)
        recs, warnings, _t = self.decode(w)
        self.assertEqual([r.time for r in recs], [5, 10])
        self.assertTrue(any("not SYNC" in m for m in warnings), warnings)


class ContextTest(ReaderTest):

    def test_switches_nested_isrs_and_overflow(self):
        w = tracegen.TraceWriter()
        w.sync(0)
        w.name(1, "THREAD", "main")
        w.name(2, "THREAD", "worker")
        w.record("APP_MARK", code=1)                    # boot
        w.switch(1, 0, "READY")                         # still boot
        w.record("APP_MARK", code=2)                    # main
        w.record("ISR_ENTER", irq=15)                   # isr 15
        w.record("APP_MARK", code=3)                    # isr 15
        w.record("ISR_ENTER", irq=16 + 5)               # nested
        w.record("APP_MARK", code=4)                    # isr 21
        w.record("ISR_EXIT", irq=16 + 5)                # isr 21
        w.record("APP_MARK", code=5)                    # isr 15
        w.switch(2, 1, "READY")                         # in an ISR: the thread under it changes
        w.record("ISR_EXIT", irq=15)                    # isr 15
        w.record("APP_MARK", code=6)                    # worker
        w.record("ISR_ENTER", irq=16 + 2)
        w.record("OVERFLOW", thread=1, lost=12, irq=0)  # resync: main, no ISR
        w.record("APP_MARK", code=7)                    # main
        w.record("OVERFLOW", thread=2, lost=3, irq=16 + 9)   # worker under irq 9
        w.record("APP_MARK", code=8)                    # isr 25
        w.record("ISR_EXIT", irq=16 + 9)
        w.record("APP_MARK", code=9)                    # worker
        w.record("ISR_EXIT", irq=15)                    # unmatched
        w.record("END")
        recs, warnings, tr = self.decode(w)
        ctx = {r.fields["code"]: r.context for r in recs if r.name == "APP_MARK"}
        self.assertEqual(ctx, {1: "boot", 2: "main", 3: "isr:SysTick", 4: "isr:irq5",
                               5: "isr:SysTick", 6: "worker", 7: "main", 8: "isr:irq9",
                               9: "worker"})
        by_name = [(r.name, r.context) for r in recs if r.name != "APP_MARK"]
        self.assertIn(("THREAD_SWITCH", "boot"), by_name)      # attributed to the old context
        self.assertIn(("ISR_ENTER", "isr:SysTick"), by_name)   # to the new interrupt
        self.assertIn(("ISR_EXIT", "isr:irq5"), by_name)       # to the interrupt that ends
        self.assertIn(("OVERFLOW", "isr:irq9"), by_name)       # to the context it sets
        mark8 = [r for r in recs if r.name == "APP_MARK" and r.fields["code"] == 8][0]
        self.assertEqual((mark8.thread, mark8.isr), (2, 16 + 9))
        mark9 = [r for r in recs if r.name == "APP_MARK" and r.fields["code"] == 9][0]
        self.assertEqual((mark9.thread, mark9.isr), (2, None))
        self.assertEqual(tr.lost, 15)
        self.assertEqual(tr.overflows, 2)
        self.assertTrue(any("15 records lost in 2 overflows" in m for m in warnings), warnings)
        self.assertTrue(any("ISR_EXIT" in m for m in warnings), warnings)

    def test_irq_names(self):
        w = tracegen.TraceWriter()
        w.sync(0)
        w.name(16 + 5, "IRQ", "uart0")
        w.record("ISR_ENTER", irq=16 + 5)
        w.record("ISR_EXIT", irq=16 + 5)
        w.record("ISR_ENTER", irq=14)
        w.record("ISR_ENTER", irq=3)
        w.record("ISR_ENTER", irq=9)
        w.record("END")
        recs, _w, _t = self.decode(w)
        self.assertEqual([r.context for r in recs if r.name == "ISR_ENTER"],
                         ["isr:uart0", "isr:PendSV", "isr:HardFault", "isr:exc9"])
        self.assertEqual(recs[-1].reg.obj_name(16 + 5), "#21")   # not an object id


class NameRegistryTest(ReaderTest):

    def test_id_reuse(self):
        w = tracegen.TraceWriter()
        w.sync(0)
        w.name(3, "MBOX", "rx_mbox", addr=0x20000300)
        w.name(4, "THREAD", "old_thread")
        w.switch(4, 0)
        w.record("MBOX_POST", dt=1, mbox=3, msg=0x10)
        w.record("UNNAME", dt=1, id=3)
        w.record("MBOX_POST", dt=1, mbox=3, msg=0x20)
        w.name(3, "SEM", "tx_sem")
        w.record("SEM_SIGNAL", dt=1, sem=3, count=1, woke=4)
        w.record("UNNAME", id=4)
        w.name(4, "THREAD", "new_thread")
        w.switch(4, 4)
        w.record("SEM_TAKE", dt=1, sem=3)
        w.record("END")
        recs, _w, _t = self.decode(w)
        res = [(r.name, r.context, r.reg.obj_name(next(iter(r.fields.values()))))
               for r in recs[1:]]
        self.assertEqual(res, [
            ("NAME", "boot", "rx_mbox"),        # NAME resolves to the new name
            ("NAME", "boot", "old_thread"),
            ("THREAD_SWITCH", "boot", "old_thread"),
            ("MBOX_POST", "old_thread", "rx_mbox"),
            ("UNNAME", "old_thread", "rx_mbox"),  # UNNAME still shows the old one
            ("MBOX_POST", "old_thread", "#3"),
            ("NAME", "old_thread", "tx_sem"),
            ("SEM_SIGNAL", "old_thread", "tx_sem"),
            ("UNNAME", "old_thread", "old_thread"),
            ("NAME", "new_thread", "new_thread"),   # the running thread's id got the name
            ("THREAD_SWITCH", "new_thread", "new_thread"),
            ("SEM_TAKE", "new_thread", "tx_sem"),
            ("END", "new_thread", "none"),
        ])
        name_rec = recs[1]
        self.assertEqual(name_rec.fields["name"], "rx_mbox")
        self.assertEqual(name_rec.fields["addr"], 0x20000300)
        self.assertEqual(name_rec.fields["kind"], TABLE.kinds["MBOX"])


class ChunkTest(ReaderTest):

    def sample(self):
        w = tracegen.TraceWriter(build_id=b"\x01\x02\x03\x04\x05")
        w.sync(99)
        w.name(1, "THREAD", "a_thread_with_a_long_name")
        w.switch(1, 0, dt=4)
        for k in range(6):
            w.record("MBOX_POST", dt=k, mbox=2, msg=0x1000 + k)
            w.record("TIMER_FIRE", dt=k, handler=0x201, arg=k)
            w.record("THREAD_EXIT", dt=k, thread=1)
        w.record("END", dt=1, status=0)
        return w

    @staticmethod
    def mixed_splits(w):
        """Chunk boundaries at every record, alternately at its start and
        one word into it (inside it, for records of more than one word)."""
        out = set()
        for k, wi in enumerate(w.record_words[1:], 1):
            out.add(4 * wi if k % 2 == 0 else 4 * wi + 4)
        return sorted(s for s in out if 0 < s < 4 * len(w.words))

    def aligned_chunk_ends(self, w):
        """File offsets of chunk ends that fall between records."""
        starts = {4 * k for k in w.record_words} | {4 * len(w.words)}
        out = []
        pos = 0
        for k, end in enumerate(w.chunk_ends):
            pos += end - w.chunk_offsets[k] - 12
            if pos in starts:
                out.append(end)
        return out

    def test_split_anywhere(self):
        w = self.sample()
        base, _w, _t = self.decode(w)
        want = [(r.name, r.time, r.context, r.fields) for r in base]
        nbytes = 4 * len(w.words)
        for cut in range(4, nbytes, 4):
            recs, warnings, tr = self.decode(w, splits=[cut])
            self.assertEqual([(r.name, r.time, r.context, r.fields) for r in recs], want, cut)
            self.assertEqual([r.offset for r in recs], w.record_offsets, cut)
            self.assertEqual(len(tr.chunks), 2)
            self.assertEqual(warnings, [])
        recs, _w, tr = self.decode(w, splits=list(range(4, nbytes, 4)))
        self.assertEqual(len(tr.chunks), nbytes // 4)
        self.assertEqual([(r.name, r.time, r.context, r.fields) for r in recs], want)

    def test_empty_chunks(self):
        w = self.sample()
        data = w.build(chunk_size=32)
        # append an empty chunk: still fine
        data += b"NGBK" + struct.pack("<II", len(w.chunk_offsets), 0)
        path = self.path("e.ngt")
        with open(path, "wb") as f:
            f.write(data)
        tr = Trace(path, TABLE)
        self.assertEqual(len(list(tr.records())), len(w.record_words))

    def test_truncation_at_every_offset(self):
        w = self.sample()
        data = w.build(splits=self.mixed_splits(w))
        ends = set(w.chunk_ends)
        header_len = w.chunk_offsets[0]
        aligned_ends = set(self.aligned_chunk_ends(w))
        self.assertGreater(len(aligned_ends), 2)
        self.assertGreater(len(ends - aligned_ends), 2)     # some chunks split records
        path = self.path("cut.ngt")
        warnings_only = 0
        for cut in range(len(data)):
            with open(path, "wb") as f:
                f.write(data[:cut])
            if cut == header_len or cut in ends:
                # The file ends after a whole chunk: QEMU was stopped between
                # two drains. Not an error; a record split by that chunk end
                # is reported as cut off.
                warnings = []
                tr = Trace(path, TABLE, warnings.append)
                list(tr.records())
                self.assertTrue(any("no END record" in m for m in warnings), (cut, warnings))
                if cut in ends - aligned_ends:
                    self.assertTrue(any("was cut off with the trace" in m for m in warnings),
                                    (cut, warnings))
                warnings_only += 1
            else:
                msg = self.decode_error(path)
                self.assertRegex(msg, r"offset \d+", cut)
                if cut >= header_len:
                    self.assertTrue("truncated" in msg, (cut, msg))
        # the header alone, and every chunk end but the last (the whole file)
        self.assertEqual(warnings_only, 1 + len(ends - {len(data)}))
        # the whole file: fine, END seen
        tr = Trace(self.write(w, splits=self.mixed_splits(w)), TABLE)
        list(tr.records())
        self.assertTrue(tr.end_seen)

    def test_truncation_via_cli(self):
        w = self.sample()
        data = w.build(chunk_size=24)
        path = self.path("cut.ngt")
        for cut in (3, 20, w.chunk_offsets[1] + 5, w.chunk_ends[-1] - 4):
            with open(path, "wb") as f:
                f.write(data[:cut])
            status, out, err = helpers.run_cli("list", path)
            self.assertOneLineError(status, err, "offset")
        # cut exactly at a chunk boundary between records: warning only
        data = w.build(splits=self.mixed_splits(w))
        cut = self.aligned_chunk_ends(w)[2]
        with open(path, "wb") as f:
            f.write(data[:cut])
        status, out, err = helpers.run_cli("list", path)
        self.assertEqual(status, 0, err)
        self.assertIn("ngtrace: warning:", err)
        self.assertIn("no END record", err)
        self.assertNotIn("error", err)
        self.assertIn("# end:          no END record", out)
        # and at a chunk end that splits a record: a warning that names it
        inside = [e for e in w.chunk_ends if e not in self.aligned_chunk_ends(w)][1]
        with open(path, "wb") as f:
            f.write(data[:inside])
        status, out, err = helpers.run_cli("list", path)
        self.assertEqual(status, 0, err)
        self.assertIn("was cut off with the trace", err)
        # but a cut inside a chunk's payload is an error naming the offset
        with open(path, "wb") as f:
            f.write(data[:inside - 4])
        status, out, err = helpers.run_cli("list", path)
        self.assertOneLineError(status, err, "offset")

    def test_records_before_a_bad_chunk_are_listed(self):
        w = self.sample()
        data = bytearray(w.build(chunk_size=24))
        bad = w.chunk_offsets[3]
        data[bad:bad + 4] = b"XXXX"
        path = self.path("bad.ngt")
        with open(path, "wb") as f:
            f.write(data)
        status, out, err = helpers.run_cli("list", path)
        self.assertOneLineError(status, err, "bad chunk magic", "offset %d" % bad)
        self.assertIn("SYNC", out)
        self.assertIn("THREAD_SWITCH", out)


class CorruptTest(ReaderTest):

    def sample(self, **kw):
        w = tracegen.TraceWriter(**kw)
        w.sync(5)
        for k in range(20):
            w.record("APP_MARK", dt=k, code=k, value=k * k)
        w.record("END")
        return w

    def build(self, w, **kw):
        path = self.path("c.ngt")
        w.write(path, chunk_size=32, **kw)
        return path

    def test_bad_chunk_magic(self):
        w = self.sample()
        path = self.build(w, magics={2: b"NGBX"})
        msg = self.decode_error(path)
        self.assertIn("bad chunk magic", msg)
        self.assertIn("offset %d" % w.chunk_offsets[2], msg)

    def test_bad_sequence(self):
        w = self.sample()
        path = self.build(w, seqs={3: 4})
        msg = self.decode_error(path)
        self.assertIn("bad chunk sequence", msg)
        self.assertIn("expected 3, found 4", msg)
        self.assertIn("offset %d" % (w.chunk_offsets[3] + 4), msg)

    def test_bad_chunk_length(self):
        w = self.sample()
        data = bytearray(w.build(chunk_size=32))
        struct.pack_into("<I", data, w.chunk_offsets[1] + 8, 30)
        path = self.path("l.ngt")
        with open(path, "wb") as f:
            f.write(data)
        msg = self.decode_error(path)
        self.assertIn("bad chunk length 30 at offset %d" % (w.chunk_offsets[1] + 8), msg)

    def test_unknown_event_id(self):
        unused = [i for i in range(1, 256) if TABLE.by_id[i] is None][0]
        w = self.sample()
        w.raw(unused | 5 << 8)
        w.record("END")
        path = self.build(w)
        msg = self.decode_error(path)
        self.assertIn("unknown event id 0x%02x" % unused, msg)
        self.assertIn("offset %d" % w.record_offsets[-2], msg)

    def test_zero_event_id(self):
        w = self.sample()
        w.truncate(8)
        w.raw(0, 0, 0)
        path = self.build(w)
        msg = self.decode_error(path)
        self.assertIn("zero event id at offset %d" % w.record_offsets[8], msg)

    def test_bad_header_magic(self):
        path = self.build(self.sample(magic=b"NGTX"))
        msg = self.decode_error(path)
        self.assertIn("not a trace file", msg)
        self.assertIn("offset 0", msg)

    def test_wrong_version(self):
        path = self.build(self.sample(version=2))
        msg = self.decode_error(path)
        self.assertIn("unsupported format version 2 at offset 4", msg)

    def test_signature_mismatch(self):
        path = self.build(self.sample(sig=TABLE.signature ^ 1))
        msg = self.decode_error(path)
        self.assertIn("events signature mismatch at offset 8", msg)
        status, _out, err = helpers.run_cli("info", path)
        self.assertOneLineError(status, err, "signature mismatch")

    def test_changed_table_is_picked_up(self):
        """A new NG_EVENT line is all it takes; a trace of the new table is
        refused with the old one."""
        edf = self.path("events.def")
        with open(helpers.EVENTS_DEF) as f:
            text = f.read()
        with open(edf, "w") as f:
            f.write(text + '\nNG_EVENT(APP_PAIR, 0x7d, APP, 1, 0, "code:u8 x:u16|y:u16")\n')
        w = tracegen.TraceWriter(events_def=edf)
        w.sync(0)
        w.record("APP_PAIR", dt=3, code=9, x=1000, y=2000)
        w.record("END")
        path = self.build(w)
        status, out, err = helpers.run_cli("--events", edf, "list", path)
        self.assertEqual(status, 0, err)
        self.assertIn("APP_PAIR         code=9 x=1000 y=2000", out)
        status, out, err = helpers.run_cli("list", path)
        self.assertOneLineError(status, err, "signature mismatch")

    def test_negative_end_status(self):
        w = tracegen.TraceWriter()
        w.sync(0)
        w.record("END", status=0xFFFFFFFF)
        path = self.build(w)
        tr = Trace(path, TABLE)
        list(tr.records())
        self.assertEqual(tr.end_status, -1)

    def test_short_header(self):
        w = self.sample(build_id=b"12345678")
        data = w.build()
        path = self.path("h.ngt")
        for cut in (2, 10, 31, 36):
            with open(path, "wb") as f:
                f.write(data[:cut])
            msg = self.decode_error(path)
            self.assertRegex(msg, r"offset \d+")


if __name__ == "__main__":
    unittest.main()
