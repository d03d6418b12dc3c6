/*
 * kernel/sem.c - counting semaphores.
 *
 * A signal with threads waiting hands the unit straight to the most urgent
 * waiter (the count stays 0), so a thread that arrives later cannot steal
 * it. Signalling is safe from interrupts; waiting is for threads only
 * (from an interrupt only with timeout 0).
 */
#include "kernel.h"
#include "trace.h"

void ng_sem_init(struct ng_sem *s, const char *name, uint32_t count)
{
    s->count = count;
    s->name = name;
    ng_list_init(&s->waiters);
    s->id = ng_registry_add(NG_KIND_SEM, s, name);
}

void ng_sem_destroy(struct ng_sem *s)
{
    NG_ASSERT(ng_list_empty(&s->waiters));
    ng_registry_remove(s->id);
    s->id = 0;
}

int ng_sem_wait(struct ng_sem *s, uint32_t timeout)
{
    uint32_t irq = ng_crit_enter();
    if (s->count > 0) {
        s->count--;
        NG_TRACE1(SEM_TAKE, s->id, s->count);
        ng_crit_exit(irq);
        return NG_OK;
    }
    if (timeout == 0) {
        NG_TRACE0(SEM_TIMEOUT, s->id);
        ng_crit_exit(irq);
        return NG_TIMEOUT;
    }
    NG_ASSERT(irq == 0);
    NG_TRACE1(SEM_WAIT, s->id, timeout);
    ng_sched_block(&s->waiters, s, NG_WAIT_SEM, timeout);
    ng_crit_exit(irq);

    irq = ng_crit_enter();
    int result = ng_current->wait_result;
    if (result == NG_OK)
        NG_TRACE1(SEM_TAKE, s->id, s->count);
    else
        NG_TRACE0(SEM_TIMEOUT, s->id);
    ng_crit_exit(irq);
    return result;
}

void ng_sem_signal(struct ng_sem *s)
{
    uint32_t irq = ng_crit_enter();
    struct ng_thread *t = ng_sched_first_waiter(&s->waiters);
    if (t) {
        NG_TRACE1(SEM_SIGNAL, s->id, s->count | (uint32_t)t->id << 16);
        ng_sched_wake(t, NG_OK);
    } else {
        s->count++;
        NG_TRACE1(SEM_SIGNAL, s->id, s->count);
    }
    ng_crit_exit(irq);
}
