"""Where the time went, for "ngtrace profile": busy time per thread and,
inside each thread, per layer function.

The time between two records belongs to whoever ran after the first of
them: the thread a THREAD_SWITCH switched to, the thread an ISR_EXIT
returned to, the interrupt an ISR_ENTER entered, else the context that
wrote the record. Within a context, LAYER_ENTER and LAYER_EXIT keep a stack
of layer functions, and the time is charged to the innermost one
("exclusive" time, as a profiler's "self" column); time outside every layer
is charged to "-". The idle thread's time is counted apart, as idle.

Under -icount shift=N one cycle of the trace clock is a fixed number of
guest instructions (cpu_hz is the trace's clock; at shift=0 the guest runs
10^9 instructions a second), so --per-kib can turn the busy time into
guest instructions per KiB of a transfer, the figure the TCP benchmarks
report. Needs the THREAD and ISR classes in the trace (LAYER for the
per-layer split); records lost to an overflow make the split uncertain,
and the report says so.
"""

import collections

IDLE = "idle"


def _layer_name(table, value):
    names = table.enums.get("layer", {})
    for name, v in names.items():
        if v == value:
            return name
    return "layer %d" % value


def profile(trace):
    """(busy, idle, per_context, per_layer): cycles; per_context maps a
    context name to cycles, per_layer maps (context name, layer) to
    cycles."""
    per_ctx = collections.Counter()
    per_layer = collections.Counter()
    stacks = collections.defaultdict(list)
    idle = 0
    last_t = None
    running = None          # (ctx value, name) running after the last record
    for r in trace.records():
        if last_t is not None and running is not None:
            dt = r.time - last_t
            ctx, name = running
            if name == IDLE:
                idle += dt
            else:
                per_ctx[name] += dt
                st = stacks[ctx]
                per_layer[(name, st[-1] if st else "-")] += dt
        last_t = r.time
        ctx = r.ctx
        ev = r.name
        if ev == "LAYER_ENTER":
            stacks[ctx].append(_layer_name(trace.table, r.fields["fn"]))
        elif ev == "LAYER_EXIT":
            if stacks[ctx]:
                stacks[ctx].pop()
        if ev == "ISR_EXIT":
            ctx = ctx & 0xFF
        elif ev == "THREAD_SWITCH" and not (ctx >> 8):
            ctx = r.fields["to"]
        elif ev == "ISR_ENTER":
            ctx = (ctx & 0xFF) | (r.fields["irq"] << 8)
        if ctx >> 8:
            name = "isr:" + r.reg.irq_name(ctx >> 8)
        else:
            name = r.reg.thread_name(ctx)
        running = (ctx, name)
    busy = sum(per_ctx.values())
    return busy, idle, per_ctx, per_layer


def profile_lines(trace, per_kib=None, instr_per_cycle=None, top=25):
    """The report, one line each. per_kib: KiB transferred, to print
    instructions (or cycles) per KiB; instr_per_cycle: instructions per
    trace cycle (e.g. 80 for -icount shift=0 at 12.5 MHz)."""
    busy, idle, per_ctx, per_layer = profile(trace)
    unit = "instructions" if instr_per_cycle else "cycles"
    k = instr_per_cycle or 1
    out = []
    add = out.append
    total = busy + idle
    add("busy %d %s, idle %d (%.1f%% busy)" % (
        busy * k, unit, idle * k, 100.0 * busy / total if total else 0.0))
    if per_kib:
        add("per KiB: %.0f %s busy (%g KiB)" % (busy * k / per_kib, unit, per_kib))
    if trace.lost:
        add("note: %d records were lost: the split below is uncertain" % trace.lost)
    add("")
    add("%-20s %7s  %s" % ("context", "share", unit if not per_kib else unit + "/KiB"))
    for name, v in per_ctx.most_common():
        add("%-20s %6.1f%%  %d" % (name, 100.0 * v / busy if busy else 0.0,
                                   v * k / per_kib if per_kib else v * k))
    add("")
    add("%-20s %-24s %7s  %s" % ("context", "layer (self)", "share",
                                 unit if not per_kib else unit + "/KiB"))
    for (name, layer), v in per_layer.most_common(top):
        add("%-20s %-24s %6.1f%%  %d" % (name, layer, 100.0 * v / busy if busy else 0.0,
                                         v * k / per_kib if per_kib else v * k))
    return out
