#!/bin/sh
# tools/run_demo.sh - what `make run` does: build the demo and boot it in
# QEMU, then decode its trace into out/.
#
# The default demo is the network demo (APP=net_demo): tools/run_demo_net.py
# boots it behind slirp, with host listeners for its client flows, drives
# its servers, and writes the trace, its listing, a pcapng and one sequence
# diagram per socket call into out/. Any other app (APP=mailbox_demo ...)
# runs under a fixed -icount (so every run gives the same trace) and gets a
# listing and one sequence diagram.
set -eu
cd "$(dirname "$0")/.."

APP=${APP:-net_demo}
OUT=${OUT:-out}
ELF=build/lm3s6965evb/$APP.elf

make -s BOARD=lm3s6965evb APP="$APP" >/dev/null
if [ "$APP" = net_demo ]; then
    exec python3 tools/run_demo_net.py "$OUT"
fi
mkdir -p "$OUT"
rm -f "$OUT/trace.bin"
echo "netglass: booting $ELF in QEMU (lm3s6965evb, -icount shift=0)"
status=0
timeout 120 qemu-system-arm -M lm3s6965evb -nographic -no-reboot \
    -icount shift=0,sleep=off \
    -semihosting-config enable=on,target=native,arg="$APP",arg=trace="$OUT/trace.bin" \
    -kernel "$ELF" </dev/null 2>"$OUT/qemu.log" || status=$?
if [ "$status" -ne 0 ]; then
    echo "netglass: the demo exited with status $status (QEMU's messages: $OUT/qemu.log)" >&2
    exit "$status"
fi
tracer/ngtrace list "$OUT/trace.bin" --elf "$ELF" -o "$OUT/trace.txt"
tracer/ngtrace svg "$OUT/trace.bin" --elf "$ELF" -o "$OUT/diagram.svg"
tracer/ngtrace info "$OUT/trace.bin" --elf "$ELF" | sed -n '1,40p' > "$OUT/summary.txt"
echo
echo "netglass: wrote"
echo "  $OUT/trace.bin    the raw trace ($(wc -c < "$OUT/trace.bin") bytes)"
echo "  $OUT/trace.txt    the decoded listing ($(wc -l < "$OUT/trace.txt") lines)"
echo "  $OUT/diagram.svg  the sequence diagram: open it in a browser"
echo "  $OUT/summary.txt  counts per event, bytes per record, lost records"
