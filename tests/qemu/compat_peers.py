"""tests/qemu/compat_peers.py - the host side of apps/lwip_compat's two
clients, shared by tests/qemu/test_lwip_compat.py and test_api_trace.py.

The TCP client (compat_tcp_client.c) connects, sends one block and reads
until the host closes: the server here reads the block, sends it back and
closes. The UDP client (compat_udp_client.c) sends numbered requests and
expects "reply <request>" for each: the server here answers every one.
"""
import socket
import threading


class CompatPeers:
    """Both servers on 127.0.0.1, each in a thread. tcp_got is the block the
    TCP client sent (None until it came), udp_answered the requests answered,
    error what went wrong on the TCP side (None if nothing)."""

    def __init__(self, block, accept_timeout, io_timeout):
        self.block = block
        self.io_timeout = io_timeout
        self.tcp = socket.socket()
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(1)
        self.tcp.settimeout(accept_timeout)
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.5)
        self.udp_port = self.udp.getsockname()[1]
        self.tcp_got = None
        self.udp_answered = 0
        self.error = None
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.tcp_server, daemon=True),
                        threading.Thread(target=self.udp_server, daemon=True)]
        for t in self.threads:
            t.start()

    def tcp_server(self):
        try:
            c, _ = self.tcp.accept()
            with c:
                c.settimeout(self.io_timeout)
                got = bytearray()
                while len(got) < self.block:
                    d = c.recv(65536)
                    if not d:
                        break
                    got += d
                self.tcp_got = bytes(got)
                c.sendall(got)
        except OSError as e:
            self.error = repr(e)

    def udp_server(self):
        while not self.stop.is_set():
            try:
                data, peer = self.udp.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            self.udp.sendto(b"reply " + data, peer)
            self.udp_answered += 1

    def close(self):
        self.stop.set()
        self.tcp.close()
        for t in self.threads:
            t.join(timeout=5)
        self.udp.close()
