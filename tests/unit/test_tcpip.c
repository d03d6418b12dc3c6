/*
 * tests/unit/test_tcpip.c - tcpip_thread and its mailbox (api/tcpip.c) on
 * the host: real threads, virtual time.
 *
 * tcpip_thread (priority TCPIP_THREAD_PRIO) outranks the test's main
 * thread, so a message posted from main is handled before the post
 * returns, as on the board. To see messages wait in tcpip_mbox, a test
 * first holds tcpip_thread in a callback that blocks on a semaphore
 * (hold_tcpip_thread), fills the mailbox, then lets it go.
 *
 * Covers: tcpip_init (init_done once, in tcpip_thread; the mailbox and the
 * thread as configured); every message type: API (tcpip_send_msg_wait_sem),
 * API_CALL (tcpip_api_call, its result, no semaphore left behind), INPKT
 * (tcpip_inpkt with its input function in tcpip_thread, tcpip_input
 * choosing ethernet_input or ip4_input by the netif's flags, an input
 * function refusing its packet), TIMEOUT / UNTIMEOUT (tcpip_timeout runs
 * the handler in tcpip_thread at its due time, tcpip_untimeout cancels),
 * CALLBACK (blocking and try, FIFO order), CALLBACK_STATIC
 * (tcpip_callbackmsg_*: one message posted again and again), and
 * pbuf_free_callback / mem_free_callback; INPKT drops
 * counted exactly when the mailbox is full (MBOX_FULL) and when the
 * message pool is empty (NO_MEMORY), the packet left to the caller; the
 * trace of one packet (layer spans, trypost and fetch of the same message,
 * TCPIP_MSG with its handler); and after every test every pool and the
 * heap back to where they were after tcpip_init.
 *
 * tests/unit/test_tcpip_corelock.c runs the same tests against
 * LWIP_TCPIP_CORE_LOCKING = 1 and adds the lock's own.
 */
#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"
#include "ng_test.h"
#include "trace_capture.h"

#define A(n) ((void *)(uintptr_t)(n))

/* Who runs an API call's function: tcpip_thread, or under the core lock
 * the caller itself (and then the lock is held by that thread). */
#if LWIP_TCPIP_CORE_LOCKING
#define API_RUNS_IN_CALLER 1
static struct ng_thread *core_lock_owner(void) { return lock_tcpip_core.mutex.owner; }
#else
#define API_RUNS_IN_CALLER 0
static struct ng_thread *core_lock_owner(void) { return NULL; }
#endif

static struct ng_thread *main_thread;
static int init_done_calls;
static struct ng_thread *init_done_thread;
static u16_t pools_after_init[MEMP_MAX];
static mem_size_t heap_after_init;

static void init_done(void *arg)
{
    ck_assert_ptr_eq(arg, A(42));
    init_done_calls++;
    init_done_thread = ng_thread_self();
}

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);        /* 1 tick = 1 ms below */
    ng_host_boot();
    main_thread = ng_thread_self();
    tlog_reset();
    tcpip_init(init_done, A(42));
    for (int t = 0; t < MEMP_MAX; t++)
        pools_after_init[t] = memp_in_use((memp_t)t);
    heap_after_init = mem_used();
}

/* Every pool and the heap where tcpip_init left them. */
static void assert_pools_back(void)
{
    for (int t = 0; t < MEMP_MAX; t++)
        ck_assert_msg(memp_in_use((memp_t)t) == pools_after_init[t],
                      "pool %s: %u in use, %u after tcpip_init", memp_pools[t]->desc,
                      (unsigned)memp_in_use((memp_t)t), (unsigned)pools_after_init[t]);
    ck_assert_uint_eq(mem_used(), heap_after_init);
}

/* ---- holding tcpip_thread ----------------------------------------------------- */

static sys_sem_t gate, held;

static void blocker(void *arg)
{
    (void)arg;
    sys_sem_signal(&held);
    sys_arch_sem_wait(&gate, 0);
}

/* tcpip_thread sits in a callback until release_tcpip_thread; meanwhile
 * whatever is posted waits in tcpip_mbox. The blocker's own message is out
 * of the mailbox (fetched) but still allocated. */
static void hold_tcpip_thread(void)
{
    sys_sem_new(&gate, 0);
    sys_sem_new(&held, 0);
    ck_assert_int_eq(tcpip_callback(blocker, NULL), ERR_OK);
    sys_arch_sem_wait(&held, 0);
    ck_assert_uint_eq(tcpip_mbox.mbox.count, 0);
}

/* tcpip_thread, the more urgent, handles everything queued before this
 * returns. */
static void release_tcpip_thread(void)
{
    sys_sem_signal(&gate);
    ck_assert_uint_eq(tcpip_mbox.mbox.count, 0);
    sys_sem_free(&gate);
    sys_sem_free(&held);
}

/* ---- what runs in tcpip_thread ------------------------------------------------ */

static void log_in_tcpip(void *arg)
{
    ck_assert_ptr_eq(ng_thread_self(), tcpip_thread_handle);
    ck_assert_ptr_eq(core_lock_owner(), LWIP_TCPIP_CORE_LOCKING ? tcpip_thread_handle : NULL);
    tlog((int)(uintptr_t)arg);
}

/* Logs its argument and the time since t_base. */
static u32_t t_base;

static void log_time(void *arg)
{
    ck_assert_ptr_eq(ng_thread_self(), tcpip_thread_handle);
    tlog((int)(uintptr_t)arg);
    tlog((int)(sys_now() - t_base));
}

static struct netif test_netif;

/* An input function: logs the packet's length and frees it. */
static err_t input_ok(struct pbuf *p, struct netif *inp)
{
    ck_assert_ptr_eq(ng_thread_self(), tcpip_thread_handle);
    ck_assert_ptr_eq(inp, &test_netif);
    tlog(p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

/* One that does not take its packet: tcpip_thread must drop it. */
static err_t input_refuses(struct pbuf *p, struct netif *inp)
{
    (void)inp;
    tlog(-(int)p->tot_len);
    return ERR_ARG;
}

/* A packet of len bytes 0, 1, 2, ... from the heap (PBUF_RAM: the
 * PBUF_POOL pbufs are fewer than the messages the tests queue), or from
 * the pool, chained, as a driver receives it. */
static struct pbuf *packet_of(u16_t len, pbuf_type type)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, type);
    ck_assert_ptr_nonnull(p);
    for (u16_t i = 0; i < len; i++)
        pbuf_put_at(p, i, (u8_t)i);
    return p;
}

static struct pbuf *packet(u16_t len)
{
    return packet_of(len, PBUF_RAM);
}

/* ---- start-up ------------------------------------------------------------------- */

START_TEST(init_runs_done_callback_once_in_tcpip_thread)
{
    ck_assert_int_eq(init_done_calls, 1);
    ck_assert_ptr_nonnull(tcpip_thread_handle);
    ck_assert_ptr_eq(init_done_thread, tcpip_thread_handle);
    ck_assert_str_eq(tcpip_thread_handle->name, TCPIP_THREAD_NAME);
    ck_assert_uint_eq(tcpip_thread_handle->prio, TCPIP_THREAD_PRIO);
    ck_assert_uint_eq(tcpip_thread_handle->stack_size, TCPIP_THREAD_STACKSIZE);
    ck_assert_uint_eq(tcpip_thread_handle->state, NG_TSTATE_BLOCKED);   /* on its mailbox */
    ck_assert_ptr_eq(tcpip_thread_handle->wait_obj, &tcpip_mbox.mbox);
    ck_assert(sys_mbox_valid(&tcpip_mbox));
    ck_assert_str_eq(tcpip_mbox.mbox.name, "tcpip_mbox");
    ck_assert_uint_eq(tcpip_mbox.mbox.size, TCPIP_MBOX_SIZE);
    /* Nothing is allocated yet but the timers lwip_init armed. */
    for (int t = 0; t < MEMP_MAX; t++)
        if (t != MEMP_SYS_TIMEOUT)
            ck_assert_msg(pools_after_init[t] == 0, "pool %s: %u in use after tcpip_init",
                          memp_pools[t]->desc, (unsigned)pools_after_init[t]);
    ck_assert_uint_eq(heap_after_init, 0);
    ck_assert_int_eq(tlog_len(), 0);
}
END_TEST

/* ---- CALLBACK ------------------------------------------------------------------ */

START_TEST(callback_runs_in_tcpip_thread_before_post_returns)
{
    ck_assert_int_eq(tcpip_callback(log_in_tcpip, A(1)), ERR_OK);
    ck_assert_log(1);
    ck_assert_int_eq(tcpip_try_callback(log_in_tcpip, A(2)), ERR_OK);
    ck_assert_log(1, 2);
    ck_assert_uint_eq(tcpip_mbox.mbox.posts, 2);
    ck_assert_uint_eq(tcpip_mbox.mbox.fetches, 2);
    assert_pools_back();
}
END_TEST

START_TEST(queued_callbacks_run_in_order_and_free_their_messages)
{
    hold_tcpip_thread();
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(tcpip_callback(log_in_tcpip, A(i)), ERR_OK);
    ck_assert_uint_eq(tcpip_mbox.mbox.count, 5);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_API), 1 + 5);  /* + the blocker's */
    ck_assert_int_eq(tlog_len(), 0);
    release_tcpip_thread();
    ck_assert_log(1, 2, 3, 4, 5);
    assert_pools_back();
}
END_TEST

START_TEST(try_callback_fails_cleanly_without_a_message_or_a_slot)
{
    hold_tcpip_thread();
    /* The API pool runs out first (it is smaller than the mailbox). */
    _Static_assert(MEMP_NUM_TCPIP_MSG_API - 1 < TCPIP_MBOX_SIZE, "test assumes pool < mailbox");
    int ok = 0;
    while (tcpip_try_callback(log_in_tcpip, A(ok + 1)) == ERR_OK)
        ok++;
    ck_assert_int_eq(ok, MEMP_NUM_TCPIP_MSG_API - 1);
    ck_assert_int_eq(tcpip_callback(log_in_tcpip, A(99)), ERR_MEM);
    ck_assert_ptr_null(tcpip_callbackmsg_new(log_in_tcpip, A(99)));
    ck_assert_int_eq(tcpip_timeout(10, log_in_tcpip, A(99)), ERR_MEM);
    release_tcpip_thread();
    ck_assert_int_eq(tlog_len(), ok);
    /* Now the mailbox full of packets: trypost refuses, the message goes back. */
    hold_tcpip_thread();
    for (int i = 0; i < TCPIP_MBOX_SIZE; i++)
        ck_assert_int_eq(tcpip_inpkt(packet(10), &test_netif, input_ok), ERR_OK);
    ck_assert_int_eq(tcpip_try_callback(log_in_tcpip, A(99)), ERR_MEM);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_API), 1);      /* only the blocker's */
    release_tcpip_thread();
    ck_assert_int_eq(tlog_len(), ok + TCPIP_MBOX_SIZE);
    assert_pools_back();
}
END_TEST

/* ---- CALLBACK_STATIC ------------------------------------------------------------- */

START_TEST(static_callback_message_is_posted_again_and_again)
{
    struct tcpip_callback_msg *m = tcpip_callbackmsg_new(log_in_tcpip, A(7));
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_API), 1);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(tcpip_callbackmsg_trycallback(m), ERR_OK);
    ck_assert_int_eq(tcpip_callbackmsg_trycallback_fromisr(m), ERR_OK);
    ck_assert_log(7, 7, 7, 7);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_API), 1);      /* still ours */
    /* With the mailbox full it is refused and stays ours. */
    hold_tcpip_thread();
    for (int i = 0; i < TCPIP_MBOX_SIZE; i++)
        ck_assert_int_eq(tcpip_inpkt(packet(4), &test_netif, input_ok), ERR_OK);
    ck_assert_int_eq(tcpip_callbackmsg_trycallback(m), ERR_MEM);
    release_tcpip_thread();
    tcpip_callbackmsg_delete(m);
    assert_pools_back();
}
END_TEST

/* pbuf_free_callback and mem_free_callback free in tcpip_thread. */
START_TEST(free_callbacks_free_in_tcpip_thread)
{
    hold_tcpip_thread();
    struct pbuf *p = packet_of(1000, PBUF_POOL);
    void *m = mem_malloc(100);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(pbuf_free_callback(p), ERR_OK);
    ck_assert_int_eq(mem_free_callback(m), ERR_OK);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 2);     /* not yet */
    ck_assert_uint_gt(mem_used(), heap_after_init);
    release_tcpip_thread();
    assert_pools_back();
}
END_TEST

/* ---- TIMEOUT / UNTIMEOUT ----------------------------------------------------------- */

START_TEST(timeout_runs_in_tcpip_thread_at_its_due_time)
{
    t_base = sys_now();
    ck_assert_int_eq(tcpip_timeout(50, log_time, A(1)), ERR_OK);
    ck_assert_int_eq(tcpip_timeout(20, log_time, A(2)), ERR_OK);
    ck_assert_int_eq(tcpip_timeout(80, log_time, A(3)), ERR_OK);
    ck_assert_int_eq(tlog_len(), 0);
    sys_msleep(49);
    ck_assert_log(2, 20);
    sys_msleep(100);
    ck_assert_log(2, 20, 1, 50, 3, 80);
    /* Due at once: run before tcpip_thread waits again, so before the post
     * returns (a wait of "0 ms" would be a wait forever). */
    t_base = sys_now();
    ck_assert_int_eq(tcpip_timeout(0, log_time, A(4)), ERR_OK);
    ck_assert_log(2, 20, 1, 50, 3, 80, 4, 0);
    assert_pools_back();
}
END_TEST

START_TEST(untimeout_cancels_in_tcpip_thread)
{
    t_base = sys_now();
    ck_assert_int_eq(tcpip_timeout(30, log_time, A(1)), ERR_OK);
    ck_assert_int_eq(tcpip_timeout(30, log_time, A(2)), ERR_OK);
    sys_msleep(10);
    ck_assert_int_eq(tcpip_untimeout(log_time, A(1)), ERR_OK);
    ck_assert_int_eq(tcpip_untimeout(log_time, A(5)), ERR_OK);  /* none such: nothing */
    sys_msleep(100);
    ck_assert_log(2, 30);
    assert_pools_back();
}
END_TEST

/* ---- API and API_CALL ----------------------------------------------------------- */

struct test_apimsg {
    sys_sem_t *op_completed;
    int value;
    struct ng_thread *ran_in;
    struct ng_thread *lock_owner;
};

/* A do_* function in miniature: works, then acknowledges (which under the
 * core lock is nothing, as api_msg's TCPIP_APIMSG_ACK). */
static void do_test(void *arg)
{
    struct test_apimsg *m = arg;
    m->ran_in = ng_thread_self();
    m->lock_owner = core_lock_owner();
    tlog(m->value);
    if (!API_RUNS_IN_CALLER)
        sys_sem_signal(m->op_completed);
}

START_TEST(api_message_runs_its_function_and_waits_for_it)
{
    sys_sem_t op_completed;
    sys_sem_new(&op_completed, 0);
    struct test_apimsg m = { &op_completed, 11, NULL, NULL };
    ck_assert_int_eq(tcpip_send_msg_wait_sem(do_test, &m, &op_completed), ERR_OK);
    ck_assert_log(11);
    struct ng_thread *expect = API_RUNS_IN_CALLER ? main_thread : tcpip_thread_handle;
    ck_assert_ptr_eq(m.ran_in, expect);
    ck_assert_ptr_eq(m.lock_owner, LWIP_TCPIP_CORE_LOCKING ? main_thread : NULL);
    ck_assert_uint_eq(op_completed.sem.count, 0);
    ck_assert_uint_eq(tcpip_mbox.mbox.posts, API_RUNS_IN_CALLER ? 0 : 1);
    sys_sem_free(&op_completed);
    assert_pools_back();
}
END_TEST

/* Queued behind other messages, the API call still waits for its turn. */
START_TEST(api_message_waits_behind_queued_messages)
{
    sys_sem_t op_completed;
    sys_sem_new(&op_completed, 0);
    struct test_apimsg m = { &op_completed, 12, NULL, NULL };
    hold_tcpip_thread();
    tcpip_callback(log_in_tcpip, A(1));
    tcpip_callback(log_in_tcpip, A(2));
    sys_sem_signal(&gate);      /* release: tcpip_thread runs 1 and 2 first */
    ck_assert_int_eq(tcpip_send_msg_wait_sem(do_test, &m, &op_completed), ERR_OK);
    ck_assert_log(1, 2, 12);
    sys_sem_free(&gate);
    sys_sem_free(&held);
    sys_sem_free(&op_completed);
    assert_pools_back();
}
END_TEST

struct test_call {
    struct tcpip_api_call_data call;    /* first, as lwIP's netifapi messages */
    int value;
    struct ng_thread *ran_in;
};

static err_t call_test(struct tcpip_api_call_data *call)
{
    struct test_call *c = (struct test_call *)call;
    c->ran_in = ng_thread_self();
    tlog(c->value);
    return c->value == 0 ? ERR_OK : ERR_VAL;
}

START_TEST(api_call_returns_its_functions_result)
{
    struct test_call c = { .value = 21 };
    ck_assert_int_eq(tcpip_api_call(call_test, &c.call), ERR_VAL);
    ck_assert_int_eq(c.call.err, ERR_VAL);
    ck_assert_ptr_eq(c.ran_in, API_RUNS_IN_CALLER ? main_thread : tcpip_thread_handle);
    c.value = 0;
    ck_assert_int_eq(tcpip_api_call(call_test, &c.call), ERR_OK);
    ck_assert_log(21, 0);
    /* Its semaphore is freed each time: many calls use no registry slots. */
    int used = 0;
    for (int i = 0; i < NG_REGISTRY_SIZE; i++)
        used += ng_registry[i].addr != NULL;
    for (int i = 0; i < 2 * NG_REGISTRY_SIZE; i++)
        ck_assert_int_eq(tcpip_api_call(call_test, &c.call), ERR_OK);
    int after = 0;
    for (int i = 0; i < NG_REGISTRY_SIZE; i++)
        after += ng_registry[i].addr != NULL;
    ck_assert_int_eq(after, used);
    assert_pools_back();
}
END_TEST

/* ---- INPKT ------------------------------------------------------------------------ */

START_TEST(inpkt_hands_the_packet_to_its_input_function_in_tcpip_thread)
{
    ck_assert_int_eq(tcpip_inpkt(packet(60), &test_netif, input_ok), ERR_OK);
    ck_assert_log(60);
    hold_tcpip_thread();
    static const u16_t lens[] = { 14, 600, 1514 };      /* the last two: pbuf chains */
    for (unsigned i = 0; i < 3; i++)
        ck_assert_int_eq(tcpip_inpkt(packet_of(lens[i], PBUF_POOL), &test_netif, input_ok),
                         ERR_OK);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_INPKT), 3);
    release_tcpip_thread();
    ck_assert_log(60, 14, 600, 1514);
    ck_assert_uint_eq(ng_drops_total(), 0);
    assert_pools_back();
}
END_TEST

START_TEST(inpkt_with_the_mailbox_full_is_counted_and_left_to_the_caller)
{
    hold_tcpip_thread();
    /* Fill the mailbox with packets, all but one slot, and the last slot
     * with a callback, so the message pool still has room. */
    _Static_assert(MEMP_NUM_TCPIP_MSG_INPKT >= TCPIP_MBOX_SIZE - 1, "pool too small");
    for (int i = 1; i < TCPIP_MBOX_SIZE; i++)
        ck_assert_int_eq(tcpip_inpkt(packet((u16_t)i), &test_netif, input_ok), ERR_OK);
    ck_assert_int_eq(tcpip_try_callback(log_in_tcpip, A(1000)), ERR_OK);
    ck_assert_uint_eq(tcpip_mbox.mbox.count, TCPIP_MBOX_SIZE);
    struct pbuf *p = packet(77);
    ck_assert_int_eq(tcpip_inpkt(p, &test_netif, input_ok), ERR_MEM);
    ck_assert_uint_eq(ng_drop_count[NG_drop_MBOX_FULL], 1);
    ck_assert_uint_eq(ng_drop_count[NG_drop_NO_MEMORY], 0);
    ck_assert_uint_eq(ng_drops_total(), 1);
    ck_assert_uint_eq(memp_in_use(MEMP_TCPIP_MSG_INPKT), TCPIP_MBOX_SIZE - 1);
    ck_assert_uint_eq(p->ref, 1);       /* still the caller's, as in lwIP */
    pbuf_free(p);
    release_tcpip_thread();
    ck_assert_int_eq(tlog_len(), TCPIP_MBOX_SIZE);
    for (int i = 1; i < TCPIP_MBOX_SIZE; i++)
        ck_assert_int_eq(tlog_at(i - 1), i);            /* in order */
    ck_assert_int_eq(tlog_at(TCPIP_MBOX_SIZE - 1), 1000);
    assert_pools_back();
}
END_TEST

START_TEST(inpkt_with_no_message_left_is_counted_and_left_to_the_caller)
{
    hold_tcpip_thread();
    _Static_assert(MEMP_NUM_TCPIP_MSG_INPKT <= TCPIP_MBOX_SIZE, "mailbox fills first");
    for (int i = 1; i <= MEMP_NUM_TCPIP_MSG_INPKT; i++)
        ck_assert_int_eq(tcpip_input(packet((u16_t)i), &test_netif), ERR_OK);
    struct pbuf *p = packet(5);
    ck_assert_int_eq(tcpip_inpkt(p, &test_netif, input_ok), ERR_MEM);
    ck_assert_int_eq(tcpip_input(p, &test_netif), ERR_MEM);
    ck_assert_uint_eq(ng_drop_count[NG_drop_NO_MEMORY], 2);
    ck_assert_uint_eq(ng_drop_count[NG_drop_MBOX_FULL], 0);
    ck_assert_uint_eq(p->ref, 1);
    pbuf_free(p);
    /* Once tcpip_thread has caught up there is room again. The queued
     * packets went to ip4_input (test_netif has no Ethernet flags), which
     * drops these short ones as not IPv4 headers. */
    release_tcpip_thread();
    ck_assert_int_eq(tcpip_inpkt(packet(3), &test_netif, input_ok), ERR_OK);
    ck_assert_log(3);
    ck_assert_uint_eq(ng_drop_count[NG_drop_NO_MEMORY], 2);
    assert_pools_back();
}
END_TEST

START_TEST(refused_packet_is_dropped_by_tcpip_thread)
{
    ck_assert_int_eq(tcpip_inpkt(packet(33), &test_netif, input_refuses), ERR_OK);
    ck_assert_log(-33);
    ck_assert_uint_eq(ng_drop_count[NG_drop_INPUT_REFUSED], 1);
    ck_assert_uint_eq(ng_drops_total(), 1);
    assert_pools_back();
}
END_TEST

/* tcpip_input picks the input function by the interface's flags: an
 * Ethernet netif's frames go to ethernet_input (here: one for another MAC,
 * dropped as such), an IP-only netif's packets to ip4_input (here: shorter
 * than an IPv4 header). The TCPIP_MSG records name the handler. */
START_TEST(tcpip_input_chooses_ethernet_input_or_ip4_input)
{
    static struct netif eth_netif;
    eth_netif.flags = NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_UP;
    eth_netif.hwaddr_len = 6;
    memcpy(eth_netif.hwaddr, "\x02\x00\x00\x00\x00\x01", 6);
    tc_start(NG_TRACE_CLASS_BIT(TCPIP_MSG));
    struct pbuf *f = packet(60);        /* destination 00:01:02:03:04:05 */
    ck_assert_int_eq(tcpip_input(f, &eth_netif), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_ETH_NOT_FOR_US], 1);
    struct pbuf *ip = packet(8);
    pbuf_put_at(ip, 0, 0x45);           /* IPv4, 20-byte header: but 8 bytes in all */
    ck_assert_int_eq(tcpip_input(ip, &test_netif), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_IP_SHORT], 1);
    ck_assert_uint_eq(ng_drops_total(), 2);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_int_eq(tc_count(NG_EV_TCPIP_MSG), 2);
    int i = tc_next(0, NG_EV_TCPIP_MSG);
    ck_assert_uint_eq(tc_recs[i].a, TCPIP_MSG_INPKT);
    ck_assert_uint_eq(tc_recs[i].w[1], (uint32_t)(uintptr_t)ethernet_input);
    i = tc_next(i + 1, NG_EV_TCPIP_MSG);
    ck_assert_uint_eq(tc_recs[i].w[1], (uint32_t)(uintptr_t)ip4_input);
    assert_pools_back();
}
END_TEST

/* The records of one packet, in order: the driver's side (tcpip_input,
 * tcpip_inpkt, the trypost), then, since tcpip_thread preempts at once,
 * the fetch of that same message, TCPIP_MSG naming the input function,
 * the tcpip_thread span around it, and back on the driver's side the ends
 * of its spans. */
START_TEST(trace_of_one_packet)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER) | NG_TRACE_CLASS_BIT(TCPIP_MSG) |
             NG_TRACE_CLASS_BIT(MBOX_POST));
    struct pbuf *p = packet(20);
    ck_assert_int_eq(tcpip_inpkt(p, &test_netif, input_ok), ERR_OK);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    struct { uint8_t id, a; } want[] = {
        { NG_EV_LAYER_ENTER, NG_layer_tcpip_inpkt },
        { NG_EV_MBOX_TRYPOST, tcpip_mbox.mbox.id },
        { NG_EV_MBOX_FETCH, tcpip_mbox.mbox.id },
        { NG_EV_TCPIP_MSG, TCPIP_MSG_INPKT },
        { NG_EV_LAYER_ENTER, NG_layer_tcpip_thread },
        { NG_EV_LAYER_EXIT, NG_layer_tcpip_thread },
        { NG_EV_MBOX_WAIT, tcpip_mbox.mbox.id },
        { NG_EV_LAYER_EXIT, NG_layer_tcpip_inpkt },
    };
    unsigned k = 0;
    uint32_t msg = 0;
    for (uint32_t r = 0; r < tc_nrecs && k < sizeof want / sizeof want[0]; r++) {
        const struct tc_rec *rec = &tc_recs[r];
        if (rec->id != want[k].id || rec->a != want[k].a)
            continue;
        if (rec->id == NG_EV_LAYER_ENTER && rec->a == NG_layer_tcpip_inpkt)
            ck_assert_uint_eq(rec->w[0], (uint32_t)(uintptr_t)p);
        if (rec->id == NG_EV_MBOX_TRYPOST)
            msg = rec->w[0];
        if (rec->id == NG_EV_MBOX_FETCH || rec->id == NG_EV_LAYER_ENTER)
            ck_assert_uint_eq(rec->w[0], k == 0 ? (uint32_t)(uintptr_t)p : msg);
        if (rec->id == NG_EV_TCPIP_MSG) {
            ck_assert_uint_eq(rec->w[0], msg);
            ck_assert_uint_eq(rec->w[1], (uint32_t)(uintptr_t)input_ok);
        }
        k++;
    }
    ck_assert_msg(k == sizeof want / sizeof want[0], "record %u of the sequence is missing", k);
    ck_assert_int_eq(tc_count(NG_EV_TCPIP_MSG), 1);
    assert_pools_back();
}
END_TEST

/* ---- the core lock ---------------------------------------------------------------- */

/* tcpip_thread holds the core lock (when there is one) while it handles a
 * message; a thread holding it keeps tcpip_thread from handling any. */
START_TEST(core_lock_is_held_by_whoever_runs_stack_code)
{
    ck_assert_int_eq(tcpip_callback(log_in_tcpip, A(1)), ERR_OK);  /* asserts the owner */
    ck_assert_ptr_null(core_lock_owner());      /* let go while it waits */
    LOCK_TCPIP_CORE();
    ck_assert_int_eq(tcpip_callback(log_in_tcpip, A(2)), ERR_OK);
    ck_assert_int_eq(tlog_len(), LWIP_TCPIP_CORE_LOCKING ? 1 : 2);
    UNLOCK_TCPIP_CORE();
    ck_assert_log(1, 2);
    assert_pools_back();
}
END_TEST

int main(void)
{
    Suite *s = suite_create(LWIP_TCPIP_CORE_LOCKING ? "tcpip_corelock" : "tcpip");
    TCase *tc = ng_tcase(s, "tcpip");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, init_runs_done_callback_once_in_tcpip_thread);
    tcase_add_test(tc, callback_runs_in_tcpip_thread_before_post_returns);
    tcase_add_test(tc, queued_callbacks_run_in_order_and_free_their_messages);
    tcase_add_test(tc, try_callback_fails_cleanly_without_a_message_or_a_slot);
    tcase_add_test(tc, static_callback_message_is_posted_again_and_again);
    tcase_add_test(tc, free_callbacks_free_in_tcpip_thread);
    tcase_add_test(tc, timeout_runs_in_tcpip_thread_at_its_due_time);
    tcase_add_test(tc, untimeout_cancels_in_tcpip_thread);
    tcase_add_test(tc, api_message_runs_its_function_and_waits_for_it);
    tcase_add_test(tc, api_message_waits_behind_queued_messages);
    tcase_add_test(tc, api_call_returns_its_functions_result);
    tcase_add_test(tc, inpkt_hands_the_packet_to_its_input_function_in_tcpip_thread);
    tcase_add_test(tc, inpkt_with_the_mailbox_full_is_counted_and_left_to_the_caller);
    tcase_add_test(tc, inpkt_with_no_message_left_is_counted_and_left_to_the_caller);
    tcase_add_test(tc, refused_packet_is_dropped_by_tcpip_thread);
    tcase_add_test(tc, tcpip_input_chooses_ethernet_input_or_ip4_input);
    tcase_add_test(tc, trace_of_one_packet);
    tcase_add_test(tc, core_lock_is_held_by_whoever_runs_stack_code);
    return ng_test_run(s) ? 1 : 0;
}
