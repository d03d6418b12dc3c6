"""tools/bench_switch_gdb.py - count the instructions of one context switch.

Run by tools/bench.sh inside gdb-multiarch (batch mode) against QEMU halted
on apps/bench with bench=switch. Breaks at PendSV_Handler while the two
ping-pong threads yield to each other, then single-steps until the CPU is
back in thread mode (IPSR = 0): that count is every instruction from
PendSV entry to the first instruction of the next thread. Prints the
minimum, maximum and mean over several switches.
"""
import gdb

SAMPLES = 8


def ipsr():
    return int(gdb.parse_and_eval("$xpsr")) & 0x1FF


def current_name():
    return gdb.parse_and_eval("ng_current->name").string()


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("break pinger", to_string=True)
    gdb.execute("continue", to_string=True)      # the ping-pong phase has begun
    gdb.execute("delete", to_string=True)
    gdb.execute("break PendSV_Handler", to_string=True)
    counts = []
    while len(counts) < SAMPLES:
        gdb.execute("continue", to_string=True)
        before = current_name()
        steps = 0
        while ipsr() != 0:
            gdb.execute("stepi", to_string=True)
            steps += 1
            if steps > 2000:
                raise gdb.GdbError("never left PendSV")
        after = current_name()
        if before != after:
            counts.append(steps)
    print("bench: context switch, PendSV entry to the next thread: "
          f"min {min(counts)}, max {max(counts)}, mean {sum(counts) / len(counts):.1f} "
          f"instructions over {len(counts)} switches")
    gdb.execute("kill", to_string=True)


try:
    main()
except gdb.error as e:
    print(f"bench: context switch measurement failed: {e}")
