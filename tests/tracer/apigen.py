"""Synthetic traces of socket and netconn calls, for the "ngtrace calls" and
"ngtrace call" tests.

ApiScenario writes, into a tracegen.TraceWriter, the records that
api/sockets.c, api_lib.c, api_msg.c and api/tcpip.c are expected to emit
(design section 1): an app thread's lwip_* call -> netconn_* ->
tcpip_apimsg posting TCPIP_MSG_API to tcpip_mbox and waiting on the
connection's op_completed; tcpip_thread fetching it and running the do_*
function, which signals op_completed; for connect, the SYN going out and
the SYN-ACK coming back through eth_rx and an INPKT message, where
do_connected signals op_completed.  core_lock=True writes the
LWIP_TCPIP_CORE_LOCKING = 1 shape: the do_* runs in the app thread after
a TCPIP_MSG with message 0.

Every step's record index is kept in a marks dict (returned by each call
method), so tests can say exactly which records a flow must hold.
"""

import struct

import tracegen
from tracegen import (M_TCPIP, N_EN0, NETIF_ADDR, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC,
                      S_RX, T_ETH_RX, T_IDLE, T_TCPIP)

T_APP, T_APP2 = 8, 9
S_OPC, S_OPC2 = 10, 11              # op_completed of the first and second netconn
M_RECV = 12                         # the first netconn's recvmbox
MUTEX_CORE = 13
FN_DO = {"do_newconn": 0x3001, "do_connect": 0x3011, "do_write": 0x3021,
         "do_delconn": 0x3031}
MSG_APP, MSG_APP2 = 0x20007f40, 0x20006f40      # api messages on the app stacks
PCB = 0x20004000
LOCAL_PORT = 49153


def tcp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, flags, seq=1000, ack=0):
    """An Ethernet frame with a 20-byte TCP header (checksum left 0)."""
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 8192, 0, 0)
    return bytes(dst_mac) + bytes(src_mac) + b"\x08\x00" + tracegen.ipv4_packet(
        src_ip, dst_ip, 6, tcp)


SYN = tcp_frame(OUR_MAC, PEER_MAC, OUR_IP, PEER_IP, LOCAL_PORT, 7, 0x02)
SYNACK = tcp_frame(PEER_MAC, OUR_MAC, PEER_IP, OUR_IP, 7, LOCAL_PORT, 0x12, 5000, 1001)
ACK = tcp_frame(OUR_MAC, PEER_MAC, OUR_IP, PEER_IP, LOCAL_PORT, 7, 0x10, 1001, 5001)
OUTPUT = ["tcp_output", "tcp_output_segment", "ip4_output", "ip4_output_if",
          "etharp_output", "ethernet_output", "low_level_output"]


class ApiScenario(tracegen.PingScenario):
    """The ping scenario's threads, plus app threads making socket calls.
    running is the thread that runs now (idle after the set-up)."""

    def __init__(self, w, core_lock=False):
        super().__init__(w)
        self.core_lock = core_lock
        self.running = T_IDLE
        w.name(T_APP, "THREAD", "app", addr=0x20000700)
        w.name(T_APP2, "THREAD", "app2", addr=0x20000780)
        w.name(S_OPC, "SEM", "op_completed", addr=0x20004100)
        w.name(S_OPC2, "SEM", "op_completed", addr=0x20004200)
        w.name(M_RECV, "MBOX", "recvmbox", addr=0x20004300)
        w.name(MUTEX_CORE, "MUTEX", "lock_tcpip_core", addr=0x20000900)

    # -- small steps ---------------------------------------------------------

    def run(self, thread, state="READY", dt=20):
        """Switch to thread (the running one goes to state)."""
        if self.running == thread:
            return None
        i = self.w.switch(thread, self.running, state, dt=dt)
        self.running = thread
        return i

    def enter(self, fn, arg=0, dt=15):
        return self.w.record("LAYER_ENTER", dt=dt, fn=fn, arg=arg)

    def exit(self, fn, dt=10):
        return self.w.record("LAYER_EXIT", dt=dt, fn=fn)

    def frame(self, event, data, dt=100):
        return self.w.record(event, dt=dt, netif=N_EN0, len=min(len(data), self.keep),
                             orig_len=len(data), data=data[:self.keep])

    def send_frame(self, m, data, first="tcp_output"):
        """The output chain from `first` down to low_level_output and back."""
        chain = OUTPUT[OUTPUT.index(first):]
        for fn in chain:
            self.enter(fn, PCB if fn.startswith("tcp") else 0x20002800)
        m.setdefault("frame_tx", []).append(self.frame("FRAME_TX", data))
        for fn in reversed(chain):
            self.exit(fn)

    # -- the crossing ----------------------------------------------------------

    def apimsg(self, m, app, sem, msg, do, body):
        """tcpip_apimsg in thread app: post (or, under the core lock, run)
        the do_* function `do` whose records body(m) writes; then wait on
        sem unless the do_* signalled it already (it returns True if it
        did not: connect in progress)."""
        w = self.w
        m["apimsg"] = self.enter("tcpip_apimsg", msg)
        if self.core_lock:
            m["lock"] = w.record("MUTEX_LOCK", dt=10, mutex=MUTEX_CORE)
            m["tcpip_msg"] = w.record("TCPIP_MSG", dt=10, type="API", msg=0, handler=FN_DO[do])
            m["do"] = self.enter(do, msg)
            pending = body(m)
            m["do_exit"] = self.exit(do)
            w.record("MUTEX_UNLOCK", dt=10, mutex=MUTEX_CORE)
            if pending:
                m["wait"] = w.record("SEM_WAIT", dt=10, sem=sem, timeout=0xFFFFFFFF)
                self.run(T_IDLE, "BLOCKED")
            return
        m["post"] = w.record("MBOX_POST", dt=20, mbox=M_TCPIP, msg=msg)
        m["wait"] = w.record("SEM_WAIT", dt=10, sem=sem, timeout=0xFFFFFFFF)
        m["switch_tcpip"] = self.run(T_TCPIP, "BLOCKED")
        m["fetch"] = w.record("MBOX_FETCH", dt=30, mbox=M_TCPIP, msg=msg)
        m["tcpip_msg"] = w.record("TCPIP_MSG", dt=10, type="API", msg=msg, handler=FN_DO[do])
        m["tcpip_thread"] = self.enter("tcpip_thread", msg)
        m["do"] = self.enter(do, msg)
        pending = body(m)
        if not pending:
            m["signal"] = w.record("SEM_SIGNAL", dt=10, sem=sem, count=0, woke=app)
            w.record("THREAD_READY", dt=5, thread=app)
        m["do_exit"] = self.exit(do)
        m["tcpip_exit"] = self.exit("tcpip_thread")
        w.record("MBOX_WAIT", dt=10, mbox=M_TCPIP, timeout=0xFFFFFFFF)
        if pending:
            self.run(T_IDLE, "BLOCKED")
        else:
            m["switch_app"] = self.run(app, "BLOCKED")

    def take(self, m, sem):
        m["take"] = self.w.record("SEM_TAKE", dt=20, sem=sem, count=0)

    # -- calls -----------------------------------------------------------------

    def socket(self, app=T_APP, sem=S_OPC, msg=MSG_APP, finish=True):
        """lwip_socket -> netconn_new_with_proto_and_callback -> do_newconn."""
        m = {}
        self.run(app)
        m["enter"] = self.enter("lwip_socket", 2)
        self.enter("netconn_new_with_proto_and_callback", 1)

        def body(m):
            for fn in ("pcb_new", "tcp_new", "tcp_alloc"):
                self.enter(fn, 0)
            for fn in ("tcp_alloc", "tcp_new", "pcb_new"):
                self.exit(fn)
            return False
        self.apimsg(m, app, sem, msg, "do_newconn", body)
        if finish:
            self.socket_end(m, app, sem)
        return m

    def socket_end(self, m, app, sem):
        self.run(app)
        if not self.core_lock:
            self.take(m, sem)
        self.exit("tcpip_apimsg")
        self.exit("netconn_new_with_proto_and_callback")
        self.enter("alloc_socket", 0)
        self.exit("alloc_socket")
        m["exit"] = self.exit("lwip_socket")

    def connect_start(self, app=T_APP, sem=S_OPC, msg=MSG_APP):
        """lwip_connect up to the SYN sent and the app waiting."""
        m = {}
        self.run(app)
        m["enter"] = self.enter("lwip_connect", 0)
        self.enter("netconn_connect", PCB)

        def body(m):
            self.enter("setup_tcp", PCB)
            self.exit("setup_tcp")
            self.enter("tcp_connect", PCB)
            m["syn_sent"] = self.w.record("TCP_STATE", dt=10, to="SYN_SENT", pcb=PCB,
                                          **{"from": 0, "local_port": LOCAL_PORT})
            self.send_frame(m, SYN)
            self.exit("tcp_connect")
            return True                 # in progress: do_connected will signal
        self.apimsg(m, app, sem, msg, "do_connect", body)
        return m

    def synack(self, m, app=T_APP, sem=S_OPC):
        """The SYN-ACK: ISR, eth_rx, INPKT to tcpip_thread, tcp_input,
        do_connected signalling op_completed, the ACK going out."""
        w = self.w
        r = {}
        w.at(w.time + 2000, "ISR_ENTER", irq=tracegen.ETH_IRQ)
        r["isr"] = len(w.record_words) - 1
        w.record("SEM_SIGNAL", dt=20, sem=S_RX, count=0, woke=T_ETH_RX)
        w.record("ISR_EXIT", dt=10, irq=tracegen.ETH_IRQ)
        self.running = T_IDLE
        self.run(T_ETH_RX)
        w.record("SEM_TAKE", dt=20, sem=S_RX, count=0)
        r["ethif"] = self.enter("ethernetif_input", NETIF_ADDR)
        pbuf = self.pbuf + 0x100 * (len(self.marks) + 50)
        self.marks.append(r)
        r["lli"] = self.enter("low_level_input", NETIF_ADDR)
        r["frame_rx"] = self.frame("FRAME_RX", SYNACK)
        self.exit("low_level_input")
        self.enter("tcpip_input", pbuf)
        self.enter("tcpip_inpkt", pbuf)
        r["post"] = w.record("MBOX_TRYPOST", dt=20, mbox=M_TCPIP, msg=self.msg_of(pbuf))
        self.exit("tcpip_inpkt")
        r["rx_end"] = self.exit("tcpip_input")
        r["ethif_exit"] = self.exit("ethernetif_input")
        w.record("SEM_WAIT", dt=10, sem=S_RX, timeout=0xFFFFFFFF)
        self.run(T_TCPIP, "BLOCKED")
        r["fetch"] = w.record("MBOX_FETCH", dt=30, mbox=M_TCPIP, msg=self.msg_of(pbuf))
        w.record("TCPIP_MSG", dt=10, type="INPKT", msg=self.msg_of(pbuf),
                 handler=tracegen.FN_ETHERNET_INPUT)
        r["tcpip_thread"] = self.enter("tcpip_thread", self.msg_of(pbuf))
        for fn in ("ethernet_input", "ip4_input", "tcp_input"):
            self.enter(fn, pbuf)
        r["established"] = w.record("TCP_STATE", dt=10, to="ESTABLISHED", pcb=PCB,
                                    **{"from": 2, "local_port": LOCAL_PORT})
        r["do_connected"] = self.enter("do_connected", PCB)
        r["signal"] = w.record("SEM_SIGNAL", dt=10, sem=sem, count=0, woke=app)
        w.record("THREAD_READY", dt=5, thread=app)
        self.exit("do_connected")
        self.send_frame(r, ACK)
        for fn in ("tcp_input", "ip4_input", "ethernet_input"):
            self.exit(fn)
        r["tcpip_exit"] = self.exit("tcpip_thread")
        w.record("MBOX_WAIT", dt=10, mbox=M_TCPIP, timeout=0xFFFFFFFF)
        m["switch_app"] = self.run(app, "BLOCKED")
        return r

    def connect_end(self, m, sem=S_OPC, errno=0):
        self.take(m, sem)
        self.exit("tcpip_apimsg")
        self.exit("netconn_connect")
        m["errno"] = self.w.record("SOCK_ERRNO", dt=5, errno=errno, socket=0)
        m["exit"] = self.exit("lwip_connect")

    def send(self, app=T_APP, sem=S_OPC, msg=MSG_APP):
        """lwip_send -> netconn_write_partly -> do_write -> do_writemore."""
        m = {}
        self.run(app)
        m["enter"] = self.enter("lwip_send", 0)
        m["nested"] = self.enter("netconn_write_partly", 0x20007e00)

        def body(m):
            self.enter("do_writemore", PCB)
            self.enter("tcp_write", PCB)
            self.exit("tcp_write")
            self.send_frame(m, ACK)
            self.exit("do_writemore")
            return False
        self.apimsg(m, app, sem, msg, "do_write", body)
        self.run(app)
        if not self.core_lock:
            self.take(m, sem)
        self.exit("tcpip_apimsg")
        self.exit("netconn_write_partly")
        m["exit"] = self.exit("lwip_send")
        return m

    def recv_forever(self, app=T_APP):
        """lwip_recvfrom blocking in netconn_recv on an empty recvmbox."""
        m = {}
        self.run(app)
        m["enter"] = self.enter("lwip_recvfrom", 0)
        self.enter("netconn_recv", 0)
        m["wait"] = self.w.record("MBOX_WAIT", dt=10, mbox=M_RECV, timeout=0xFFFFFFFF)
        m["switch"] = self.run(T_IDLE, "BLOCKED")
        return m
