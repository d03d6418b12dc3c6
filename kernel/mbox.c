/*
 * kernel/mbox.c - mailboxes: bounded FIFO rings of pointers.
 *
 * This is what lwIP's sys_mbox_* sit on and what every message between an
 * application thread and tcpip_thread passes through. Order is strict
 * FIFO even when threads block on either side:
 *  - a post to an empty mailbox with a fetcher waiting hands the message
 *    to that fetcher directly;
 *  - a fetch from a full mailbox with posters waiting takes the oldest
 *    message and moves the first waiting poster's message in at the tail.
 * Each operation leaves a trace record carrying the message pointer, so the
 * host tool can draw the arrow from the poster to the fetcher.
 * trypost and tryfetch never block and are safe from interrupts.
 */
#include "kernel.h"
#include "trace.h"

void ng_mbox_init(struct ng_mbox *mb, const char *name, void **slots, uint16_t size)
{
    NG_ASSERT(size > 0 && slots);
    mb->slots = slots;
    mb->size = size;
    mb->count = 0;
    mb->head = 0;
    mb->name = name;
    mb->posts = mb->fetches = mb->fulls = mb->high_water = 0;
    ng_list_init(&mb->getters);
    ng_list_init(&mb->putters);
    mb->id = ng_registry_add(NG_KIND_MBOX, mb, name);
}

void ng_mbox_destroy(struct ng_mbox *mb)
{
    NG_ASSERT(ng_list_empty(&mb->getters) && ng_list_empty(&mb->putters));
    ng_registry_remove(mb->id);
    mb->id = 0;
}

static void put_tail(struct ng_mbox *mb, void *msg)
{
    uint32_t tail = mb->head + mb->count;
    if (tail >= mb->size)
        tail -= mb->size;
    mb->slots[tail] = msg;
    mb->count++;
    if (mb->count > mb->high_water)
        mb->high_water = mb->count;
}

/* Deliver msg if it can go without waiting: to a waiting fetcher, or into
 * a free slot. Returns 0 when the mailbox is full. Inside a critical section. */
static int deliver(struct ng_mbox *mb, void *msg)
{
    struct ng_thread *t = ng_sched_first_waiter(&mb->getters);
    if (t) {
        t->wait_msg = msg;
        ng_sched_wake(t, NG_OK);
    } else if (mb->count < mb->size) {
        put_tail(mb, msg);
    } else {
        return 0;
    }
    mb->posts++;
    return 1;
}

int ng_mbox_post(struct ng_mbox *mb, void *msg, uint32_t timeout)
{
    uint32_t irq = ng_crit_enter();
    if (deliver(mb, msg)) {
        NG_TRACE1(MBOX_POST, mb->id, (uintptr_t)msg);
        ng_crit_exit(irq);
        return NG_OK;
    }
    if (timeout == 0) {
        mb->fulls++;
        NG_TRACE1(MBOX_FULL, mb->id, (uintptr_t)msg);
        ng_crit_exit(irq);
        return NG_FULL;
    }
    NG_ASSERT(irq == 0);
    NG_TRACE1(MBOX_POST_BLOCK, mb->id, (uintptr_t)msg);
    ng_current->wait_msg = msg;
    ng_sched_block(&mb->putters, mb, NG_WAIT_MBOX_POST, timeout);
    ng_crit_exit(irq);

    irq = ng_crit_enter();      /* a fetcher moved our message in, or time ran out */
    int result = ng_current->wait_result;
    if (result == NG_OK)
        NG_TRACE1(MBOX_POST, mb->id, (uintptr_t)msg);
    else
        NG_TRACE0(MBOX_TIMEOUT, mb->id);
    ng_crit_exit(irq);
    return result;
}

int ng_mbox_trypost(struct ng_mbox *mb, void *msg)
{
    uint32_t irq = ng_crit_enter();
    int ok = deliver(mb, msg);
    if (ok) {
        NG_TRACE1(MBOX_TRYPOST, mb->id, (uintptr_t)msg);
    } else {
        mb->fulls++;
        NG_TRACE1(MBOX_FULL, mb->id, (uintptr_t)msg);
    }
    ng_crit_exit(irq);
    return ok ? NG_OK : NG_FULL;
}

/* Take the oldest message, letting the first waiting poster in behind it. */
static void *take(struct ng_mbox *mb)
{
    void *msg = mb->slots[mb->head];
    mb->head = (uint16_t)(mb->head + 1 == mb->size ? 0 : mb->head + 1);
    mb->count--;
    mb->fetches++;
    struct ng_thread *t = ng_sched_first_waiter(&mb->putters);
    if (t) {
        put_tail(mb, t->wait_msg);
        mb->posts++;
        ng_sched_wake(t, NG_OK);
    }
    return msg;
}

int ng_mbox_fetch(struct ng_mbox *mb, void **msg, uint32_t timeout)
{
    uint32_t irq = ng_crit_enter();
    if (mb->count > 0) {
        void *m = take(mb);
        NG_TRACE1(MBOX_FETCH, mb->id, (uintptr_t)m);
        ng_crit_exit(irq);
        if (msg)
            *msg = m;
        return NG_OK;
    }
    if (timeout == 0) {
        NG_TRACE0(MBOX_EMPTY, mb->id);
        ng_crit_exit(irq);
        return NG_EMPTY;
    }
    NG_ASSERT(irq == 0);
    NG_TRACE1(MBOX_WAIT, mb->id, timeout);
    ng_sched_block(&mb->getters, mb, NG_WAIT_MBOX_FETCH, timeout);
    ng_crit_exit(irq);

    irq = ng_crit_enter();      /* a poster handed us a message, or time ran out */
    int result = ng_current->wait_result;
    void *m = ng_current->wait_msg;
    if (result == NG_OK) {
        mb->fetches++;
        NG_TRACE1(MBOX_FETCH, mb->id, (uintptr_t)m);
    } else {
        NG_TRACE0(MBOX_TIMEOUT, mb->id);
    }
    ng_crit_exit(irq);
    if (result == NG_OK && msg)
        *msg = m;
    return result;
}

int ng_mbox_tryfetch(struct ng_mbox *mb, void **msg)
{
    return ng_mbox_fetch(mb, msg, 0);
}
