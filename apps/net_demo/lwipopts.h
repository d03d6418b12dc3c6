/*
 * apps/net_demo/lwipopts.h - the options of the network demo: netglass's
 * defaults (lwip/opt.h) except the counts of what the demo's services hold
 * at once, sized so that everything fits the LM3S6965's 64 KiB of SRAM.
 *
 * What the services hold at most:
 *   netconns (= sockets)  echo tcp 1 + 1, echo udp 1, http 1 + 2, chargen
 *                         1 + 4 + 1 (a fifth client, accepted to be closed),
 *                         iperf 1 + 1, client 1: 16
 *   TCP PCBs              the 10 connections above, plus those in the
 *                         listen backlogs and in TIME_WAIT (tcp_alloc
 *                         reuses the oldest TIME_WAIT one when none is
 *                         left): 16
 *   listening PCBs        echo, http, chargen, iperf: 4 (+1 spare)
 *   UDP PCBs              echo, DHCP, DNS, the client's: 4 of the default 6
 *
 * RAM budget, measured (make APP=net_demo: build/lm3s6965evb/net_demo.size
 * and .map; the run's last lines print the stacks and the C heap):
 *   .data + .bss 46.3 KiB: PBUF_POOL 16 x 532 = 8.3 KiB, the trace ring
 *     8.0 KiB, the lwIP heap (MEM_SIZE) 8.0 KiB, netconns 16 x 176 = 2.8 KiB,
 *     TCP PCBs 16 x 172 = 2.7 KiB, TCP segments 0.9 KiB, the other pools
 *     ~2 KiB, the main thread's stack 2 KiB and the idle one's 0.5 KiB,
 *     the registry 0.75 KiB; the demo itself 5.3 KiB (the HTTP threads'
 *     request buffers 2 x 1 KiB, one shared page snapshot 1.4 KiB,
 *     chargen's and the client's buffers);
 *   the handler (MSP) stack 2 KiB at the top of SRAM;
 *   the C library's heap in between, 16.8 KiB, from which sys_arch takes
 *     the thread stacks and the mailboxes: tcpip_thread 1.5, eth_rx 1,
 *     echo_tcp 1, echo_udp 1, http0 1.5, http1 1.5, chargen 1.25, iperf 1,
 *     client 1.25 KiB (net_demo.h), thread records and mailboxes: 12.3 KiB
 *     taken at the end of a run, 4.5 KiB to spare. With
 *     LWIP_TCPIP_CORE_LOCKING = 1 the sending threads get 1.75 KiB more
 *     stack in all (net_demo.h): 14.1 KiB taken, 2.7 KiB to spare.
 * Measured stack use (bytes used of the stack, a run of the QEMU test):
 * http 1216 of 1536, chargen 720 of 1280, iperf 728 of 1024, client 688 of
 * 1280, tcpip_thread 888 of 1536; with the core lock http 1872 of 2048.
 */
#ifndef NET_DEMO_LWIPOPTS_H
#define NET_DEMO_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

#define MEMP_NUM_NETCONN 16
#define MEMP_NUM_TCP_PCB 16
#define MEMP_NUM_TCP_PCB_LISTEN 5

#endif
