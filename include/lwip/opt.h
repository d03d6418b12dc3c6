/*
 * lwip/opt.h - every option, with its default. An application's lwipopts.h
 * (found first on the include path; config/lwipopts.h when the app has
 * none) overrides any of them. Options are added here as the layers that
 * use them arrive.
 */
#ifndef LWIP_HDR_OPT_H
#define LWIP_HDR_OPT_H

#include "lwipopts.h"

/* 0: the stack runs in tcpip_thread and applications talk to it through
 * its mailbox; 1 would be the bare "main loop" mode, which netglass does
 * not implement (its point is the threads and mailboxes). */
#ifndef NO_SYS
#define NO_SYS 0
#endif
#if NO_SYS
#error "netglass needs NO_SYS 0: the stack runs in tcpip_thread"
#endif

/* 0: every API call crosses tcpip_mbox (the documents' flow); 1: callers
 * take the core lock and run the do_* function themselves. */
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

/* Protect short critical regions with sys_arch_protect. */
#ifndef SYS_LIGHTWEIGHT_PROT
#define SYS_LIGHTWEIGHT_PROT 1
#endif

/* The sys_timeout list. */
#ifndef LWIP_TIMERS
#define LWIP_TIMERS 1
#endif
#ifndef MEMP_NUM_SYS_TIMEOUT
#define MEMP_NUM_SYS_TIMEOUT 16
#endif

/* Debug output and assertions. */
#ifndef LWIP_NOASSERT
#define LWIP_NOASSERT 0
#endif
#ifndef LWIP_DEBUG
#define LWIP_DEBUG 0
#endif

/* Default stack size and priority of threads created by sys_thread_new
 * when the caller passes 0. */
#ifndef DEFAULT_THREAD_STACKSIZE
#define DEFAULT_THREAD_STACKSIZE 1024
#endif
#ifndef DEFAULT_THREAD_PRIO
#define DEFAULT_THREAD_PRIO 4
#endif

#endif
