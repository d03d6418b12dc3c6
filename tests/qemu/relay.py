#!/usr/bin/env python3
"""tests/qemu/relay.py - a lossy Ethernet relay between QEMU and a TAP device.

The QEMU tests that want the Linux kernel's own TCP as the board's peer
need a bad link between the two, and netem is not available on the kernels
they run on. So the frames go through this relay instead:

    board (QEMU -netdev dgram)  <-- UDP on 127.0.0.1 -->  relay  <-- /dev/net/tun -->  TAP

QEMU's `-netdev dgram` back end carries each Ethernet frame as one UDP
datagram (see tests/qemu/peer.py); a TAP device opened with IFF_TAP |
IFF_NO_PI gives and takes whole Ethernet frames, one per read or write. The
relay forwards every frame in both directions and, per direction and with
a seeded random generator of its own, impairs them:

- drops a frame (default 5 %);
- duplicates it: the same frame twice in a row (2 %);
- reorders: holds a frame back and sends it right after the next frame in
  the same direction (3 %). A held frame that no other frame follows
  within `hold` seconds goes out alone then (counted as `late`, not as
  reordered), so a lone last segment is delayed, never lost by this.

The impairments apply to every frame, ARP included: the stacks must cope.
Counters per direction: frames in, out (written), dropped, duplicated,
reordered, late, write errors. Same seed, same frames in the same order:
same decisions.

As a module (what tests/qemu/test_tcp_tap.py does):

    relay = Relay(tap_name="ngr0", seed=1)     # creates the TAP (needs root)
    qemu_args = relay.qemu_netdev_args()        # -netdev dgram,... -net nic,...
    relay.start()                               # a thread; relay.stop() ends it
    ... ip link set ngr0 netns NS ... (the open file stays valid) ...
    print(relay.report())

From the command line it runs until SIGINT/SIGTERM (or stdin closes, with
--stdin) and prints the counters at the end:

    python3 tests/qemu/relay.py --tap ngr0 --qemu-port 5555 --seed 7

Standard library only; Linux only (/dev/net/tun, TUNSETIFF).
"""
import argparse
import errno
import fcntl
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time

try:
    from tests.qemu import qemu as _qemu
except ImportError:         # run as a script from tests/qemu/
    import qemu as _qemu

TUNSETIFF = 0x400454ca      # _IOW('T', 202, int), linux/if_tun.h
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000          # no 4-byte packet-information header before each frame
MAX_FRAME = 65536
BURST = 64                  # frames taken from one side per wake-up before looking at the other


def open_tap(name):
    """Create (or attach to) TAP device `name`; returns its file descriptor,
    non-blocking. The device lives as long as the descriptor is open, and
    may be moved to another network namespace meanwhile."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Impairment:
    """What happens to the frames of one direction."""

    FIELDS = ("in", "out", "dropped", "duplicated", "reordered", "late", "write_errors")

    def __init__(self, name, rng, drop, dup, reorder, hold):
        self.name = name
        self.rng = rng
        self.drop, self.dup, self.reorder, self.hold = drop, dup, reorder, hold
        self.held = None            # frames held back (a frame and its duplicate, if any)
        self.held_since = 0.0
        self.count = dict.fromkeys(self.FIELDS, 0)

    def process(self, frame, now):
        """The frames to send, in order, now that `frame` came in."""
        self.count["in"] += 1
        # One draw per decision, always all three, so that the decisions
        # for frame n depend only on the seed and n.
        d_drop, d_dup, d_reorder = self.rng.random(), self.rng.random(), self.rng.random()
        if d_drop < self.drop:
            self.count["dropped"] += 1
            return []
        out = [frame]
        if d_dup < self.dup:
            self.count["duplicated"] += 1
            out.append(frame)
        if self.held is not None:
            # The held frame goes out after this one: that is the reordering.
            self.count["reordered"] += 1
            out += self.held
            self.held = None
            return out
        if d_reorder < self.reorder:
            self.held, self.held_since = out, now
            return []
        return out

    def expired(self, now):
        """A held frame that nothing followed for `hold` seconds."""
        if self.held is not None and now - self.held_since >= self.hold:
            out, self.held = self.held, None
            self.count["late"] += 1
            return out
        return []

    def deadline(self):
        return None if self.held is None else self.held_since + self.hold

    def report(self):
        return "%s: " % self.name + ", ".join("%s %d" % (k.replace("_", " "), v)
                                               for k, v in self.count.items())


class Relay:
    """Forwards frames between a QEMU dgram link and a TAP device."""

    def __init__(self, tap_name, qemu_port=None, seed=0, drop=0.05, dup=0.02, reorder=0.03,
                 hold=0.02, tap_fd=None):
        self.tap_name = tap_name
        self.seed = seed
        self.tap = tap_fd if tap_fd is not None else open_tap(tap_name)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        # Room for a burst: the guest and Linux both send faster than one
        # frame per wake-up of this loop.
        for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            self.sock.setsockopt(socket.SOL_SOCKET, opt, 1 << 20)
        self.port = self.sock.getsockname()[1]
        self.qemu_port = qemu_port or free_udp_port()
        # Independent generators per direction, both from the one seed.
        self.to_tap = Impairment("board->tap", random.Random("%s/board->tap" % seed),
                                 drop, dup, reorder, hold)
        self.to_board = Impairment("tap->board", random.Random("%s/tap->board" % seed),
                                   drop, dup, reorder, hold)
        self._stop_r, self._stop_w = os.pipe()
        self._thread = None
        self.started = self.stopped = None

    def qemu_netdev_args(self, mac="52:54:00:12:34:56"):
        """QEMU's arguments for a board whose link is this relay."""
        return _qemu.dgram_netdev_args(self.qemu_port, self.port, mac)

    # ---- sending ----------------------------------------------------------

    def _to_tap(self, frames):
        for f in frames:
            try:
                os.write(self.tap, f)
                self.to_tap.count["out"] += 1
            except OSError:         # the device is down (EIO), or moving namespace
                self.to_tap.count["write_errors"] += 1

    def _to_board(self, frames):
        for f in frames:
            try:
                self.sock.sendto(f, ("127.0.0.1", self.qemu_port))
                self.to_board.count["out"] += 1
            except OSError:         # QEMU not there yet, or a full socket buffer
                self.to_board.count["write_errors"] += 1

    # ---- the loop -----------------------------------------------------------

    def run(self, extra_stop_fds=()):
        """Forward until stop() (or one of extra_stop_fds becomes readable)."""
        self.started = time.monotonic()
        stops = [self._stop_r] + list(extra_stop_fds)
        rlist = [self.sock, self.tap] + stops
        try:
            while True:
                now = time.monotonic()
                deadlines = [d for d in (self.to_tap.deadline(), self.to_board.deadline())
                             if d is not None]
                timeout = max(0.0, min(deadlines) - now) if deadlines else 1.0
                ready, _, _ = select.select(rlist, [], [], timeout)
                now = time.monotonic()
                if any(s in ready for s in stops):
                    break
                if self.sock in ready:
                    for _ in range(BURST):
                        try:
                            f = self.sock.recv(MAX_FRAME)
                        except (BlockingIOError, InterruptedError):
                            break
                        except ConnectionRefusedError:
                            continue
                        self._to_tap(self.to_tap.process(f, now))
                if self.tap in ready:
                    for _ in range(BURST):
                        try:
                            f = os.read(self.tap, MAX_FRAME)
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError as e:
                            if e.errno in (errno.EIO, errno.EBADFD):
                                break
                            raise
                        self._to_board(self.to_board.process(f, now))
                self._to_tap(self.to_tap.expired(now))
                self._to_board(self.to_board.expired(now))
        finally:
            self.stopped = time.monotonic()

    def start(self):
        """Run in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="relay", daemon=True)
        self._thread.start()

    def stop(self):
        """End the loop (and the thread) and close the TAP and the socket."""
        try:
            os.write(self._stop_w, b"x")
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(timeout=10)
        for fd in (self._stop_r, self._stop_w, self.tap):
            try:
                os.close(fd)
            except OSError:
                pass
        self.sock.close()

    def counters(self):
        return {"board->tap": dict(self.to_tap.count), "tap->board": dict(self.to_board.count)}

    def report(self):
        return "relay (seed %s): %s; %s" % (self.seed, self.to_tap.report(),
                                             self.to_board.report())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--tap", required=True, help="TAP device to create or attach to")
    ap.add_argument("--qemu-port", type=int, required=True,
                    help="QEMU's local.port (the relay sends the board's frames there)")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--drop", type=float, default=0.05)
    ap.add_argument("--dup", type=float, default=0.02)
    ap.add_argument("--reorder", type=float, default=0.03)
    ap.add_argument("--hold", type=float, default=0.02, help="longest hold of a frame (s)")
    ap.add_argument("--stdin", action="store_true", help="also stop when stdin closes")
    a = ap.parse_args(argv[1:])
    relay = Relay(a.tap, a.qemu_port, a.seed, a.drop, a.dup, a.reorder, a.hold)
    print("relay: tap %s, udp 127.0.0.1:%d <-> QEMU 127.0.0.1:%d; QEMU arguments: %s"
          % (a.tap, relay.port, relay.qemu_port, " ".join(relay.qemu_netdev_args())),
          flush=True)
    r, w = os.pipe()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: os.write(w, b"x"))
    try:
        relay.run([r] + ([sys.stdin.fileno()] if a.stdin else []))
    finally:
        print(relay.report(), flush=True)
        relay.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
