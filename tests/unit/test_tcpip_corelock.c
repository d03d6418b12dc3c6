/*
 * tests/unit/test_tcpip_corelock.c - the tests of test_tcpip.c again, with
 * api/tcpip.c built for LWIP_TCPIP_CORE_LOCKING = 1: API calls then run
 * in the calling thread under lock_tcpip_core, and tcpip_thread holds the
 * lock while it handles a message (the expectations in test_tcpip.c
 * follow the option).
 *
 * Every unit test binary links the default build of api/tcpip.c (core
 * locking 0). This one compiles a second copy of it into its own
 * translation unit, its external names given an lk_ prefix so that the
 * two copies do not collide; the tests, compiled after these renames,
 * call the copy with the lock.
 */
#include "lwipopts.h"       /* the defaults (config/lwipopts.h), then the override */
#undef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 1

#define tcpip_init lk_tcpip_init
#define tcpip_inpkt lk_tcpip_inpkt
#define tcpip_input lk_tcpip_input
#define tcpip_callback lk_tcpip_callback
#define tcpip_try_callback lk_tcpip_try_callback
#define tcpip_callbackmsg_new lk_tcpip_callbackmsg_new
#define tcpip_callbackmsg_delete lk_tcpip_callbackmsg_delete
#define tcpip_callbackmsg_trycallback lk_tcpip_callbackmsg_trycallback
#define tcpip_callbackmsg_trycallback_fromisr lk_tcpip_callbackmsg_trycallback_fromisr
#define tcpip_timeout lk_tcpip_timeout
#define tcpip_untimeout lk_tcpip_untimeout
#define tcpip_send_msg_wait_sem lk_tcpip_send_msg_wait_sem
#define tcpip_api_call lk_tcpip_api_call
#define pbuf_free_callback lk_pbuf_free_callback
#define mem_free_callback lk_mem_free_callback
#define tcpip_mbox lk_tcpip_mbox
#define tcpip_thread_handle lk_tcpip_thread_handle

#include "../../api/tcpip.c"
#include "test_tcpip.c"
