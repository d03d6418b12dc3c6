/*
 * kernel/mutex.c - mutual exclusion between threads.
 *
 * Not recursive, no priority inheritance (kept simple on purpose; see
 * docs/kernel.md). Unlock hands the mutex directly to the most urgent
 * waiter. Only the owner may unlock; anything else is an assertion.
 */
#include "kernel.h"
#include "trace.h"

void ng_mutex_init(struct ng_mutex *m, const char *name)
{
    m->owner = NULL;
    m->depth = 0;
    m->name = name;
    ng_list_init(&m->waiters);
    m->id = ng_registry_add(NG_KIND_MUTEX, m, name);
}

void ng_mutex_destroy(struct ng_mutex *m)
{
    NG_ASSERT(m->owner == NULL && ng_list_empty(&m->waiters));
    ng_registry_remove(m->id);
    m->id = 0;
}

void ng_mutex_lock(struct ng_mutex *m)
{
    uint32_t irq = ng_crit_enter();
    struct ng_thread *self = ng_current;
    NG_ASSERT(!ng_arch_in_isr());
    NG_ASSERT(m->owner != self);        /* would deadlock: not recursive */
    if (m->owner == NULL) {
        m->owner = self;
        m->depth = 1;
        NG_TRACE0(MUTEX_LOCK, m->id);
        ng_crit_exit(irq);
        return;
    }
    NG_ASSERT(irq == 0);
    NG_TRACE1(MUTEX_BLOCK, m->id, m->owner->id);
    ng_sched_block(&m->waiters, m, NG_WAIT_MUTEX, NG_WAIT_FOREVER);
    ng_crit_exit(irq);

    irq = ng_crit_enter();      /* the unlocker made us the owner */
    NG_ASSERT(m->owner == self);
    NG_TRACE0(MUTEX_LOCK, m->id);
    ng_crit_exit(irq);
}

void ng_mutex_unlock(struct ng_mutex *m)
{
    uint32_t irq = ng_crit_enter();
    NG_ASSERT(m->owner == ng_current);
    NG_TRACE0(MUTEX_UNLOCK, m->id);
    struct ng_thread *t = ng_sched_first_waiter(&m->waiters);
    if (t) {
        m->owner = t;
        ng_sched_wake(t, NG_OK);
    } else {
        m->owner = NULL;
        m->depth = 0;
    }
    ng_crit_exit(irq);
}
