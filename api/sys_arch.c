/*
 * api/sys_arch.c - lwIP's sys_* layer on the netglass kernel.
 *
 * This is the file a port of lwIP supplies (lwIP's doc/sys_arch.txt lists
 * what it must do); here it is thin because kernel/ already has the right
 * shapes. The differences it absorbs:
 *  - lwIP times are milliseconds and 0 means "forever"; the kernel counts
 *    ticks and uses NG_WAIT_FOREVER;
 *  - lwIP wants the milliseconds actually waited back, or SYS_ARCH_TIMEOUT;
 *  - lwIP allocates mailboxes and thread stacks by size at run time; here
 *    they come from the heap (malloc, made thread-safe by the board).
 */
#include <malloc.h>
#include <stdlib.h>

#include "lwip/sys.h"
#include "trace.h"

/* Rounded up. A tick is a whole number of ms (the _Static_assert below),
 * so ms * NG_TICK_HZ / 1000 is ms / (1000 / NG_TICK_HZ): no 64-bit product. */
static uint32_t ms_to_ticks(u32_t ms)
{
    if (ms == 0)
        return NG_WAIT_FOREVER;
    const u32_t ms_per_tick = 1000u / NG_TICK_HZ;
    uint32_t t = ms / ms_per_tick + (ms % ms_per_tick != 0);
    return t >= NG_WAIT_FOREVER ? NG_WAIT_FOREVER - 1 : t;
}

/* sys_now() must wrap at 2^32 like the tick counter does, because every
 * timeout comparison is modulo 2^32: so a tick is a whole number of ms. */
_Static_assert(1000 % NG_TICK_HZ == 0, "NG_TICK_HZ must divide 1000");

static u32_t ticks_to_ms(uint32_t ticks)
{
    return ticks * (1000u / NG_TICK_HZ);
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return ticks_to_ms(ng_ticks);
}

u32_t sys_jiffies(void)
{
    return ng_ticks;
}

sys_prot_t sys_arch_protect(void)
{
    return ng_crit_enter();
}

void sys_arch_unprotect(sys_prot_t pval)
{
    ng_crit_exit(pval);
}

void sys_msleep(u32_t ms)
{
    ng_sleep(ms ? ms_to_ticks(ms) : 0);
}

/* Semaphores. */

err_t sys_sem_new_named(sys_sem_t *sem, u8_t count, const char *name)
{
    ng_sem_init(&sem->sem, name, count);
    sem->valid = 1;
    return ERR_OK;
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    return sys_sem_new_named(sem, count, NULL);
}

void sys_sem_signal(sys_sem_t *sem)
{
    ng_sem_signal(&sem->sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    uint32_t start = ng_ticks;
    if (ng_sem_wait(&sem->sem, ms_to_ticks(timeout)) != NG_OK)
        return SYS_ARCH_TIMEOUT;
    return ticks_to_ms(ng_ticks - start);
}

void sys_sem_free(sys_sem_t *sem)
{
    ng_sem_destroy(&sem->sem);
    sem->valid = 0;
}

int sys_sem_valid(sys_sem_t *sem) { return sem && sem->valid; }
void sys_sem_set_invalid(sys_sem_t *sem) { sem->valid = 0; }

/* Mutexes. */

err_t sys_mutex_new_named(sys_mutex_t *mutex, const char *name)
{
    ng_mutex_init(&mutex->mutex, name);
    mutex->valid = 1;
    return ERR_OK;
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    return sys_mutex_new_named(mutex, NULL);
}

void sys_mutex_lock(sys_mutex_t *mutex) { ng_mutex_lock(&mutex->mutex); }
void sys_mutex_unlock(sys_mutex_t *mutex) { ng_mutex_unlock(&mutex->mutex); }

void sys_mutex_free(sys_mutex_t *mutex)
{
    ng_mutex_destroy(&mutex->mutex);
    mutex->valid = 0;
}

int sys_mutex_valid(sys_mutex_t *mutex) { return mutex && mutex->valid; }
void sys_mutex_set_invalid(sys_mutex_t *mutex) { mutex->valid = 0; }

/* Mailboxes. */

err_t sys_mbox_new_named(sys_mbox_t *mbox, int size, const char *name)
{
    if (size <= 0 || size > 0xffff)
        return ERR_VAL;
    void **slots = malloc((size_t)size * sizeof(void *));
    if (!slots)
        return ERR_MEM;
    ng_mbox_init(&mbox->mbox, name, slots, (uint16_t)size);
    mbox->valid = 1;
    return ERR_OK;
}

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    return sys_mbox_new_named(mbox, size, NULL);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    (void)ng_mbox_post(&mbox->mbox, msg, NG_WAIT_FOREVER);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    return ng_mbox_trypost(&mbox->mbox, msg) == NG_OK ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);     /* the kernel's trypost is ISR-safe */
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    uint32_t start = ng_ticks;
    if (ng_mbox_fetch(&mbox->mbox, msg, ms_to_ticks(timeout)) != NG_OK) {
        if (msg)
            *msg = NULL;
        return SYS_ARCH_TIMEOUT;
    }
    return ticks_to_ms(ng_ticks - start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    if (ng_mbox_tryfetch(&mbox->mbox, msg) != NG_OK)
        return SYS_MBOX_EMPTY;
    return 0;
}

/* lwIP says freeing a mailbox that still holds messages is a bug in the
 * caller (they would leak); say so instead of losing them silently. */
void sys_mbox_free(sys_mbox_t *mbox)
{
    LWIP_ASSERT("sys_mbox_free: mailbox not empty", mbox->mbox.count == 0);
    ng_mbox_destroy(&mbox->mbox);
    free(mbox->mbox.slots);
    mbox->mbox.slots = NULL;
    mbox->valid = 0;
}

int sys_mbox_valid(sys_mbox_t *mbox) { return mbox && mbox->valid; }
void sys_mbox_set_invalid(sys_mbox_t *mbox) { mbox->valid = 0; }

/* Threads: the stack and the thread record come from the heap; a
 * stacksize of 0 means DEFAULT_THREAD_STACKSIZE, a prio of 0 (or less)
 * DEFAULT_THREAD_PRIO, one above NG_PRIO_COUNT - 1 the highest there is. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg,
                            int stacksize, int prio)
{
    uint32_t size = stacksize > 0 ? (uint32_t)stacksize : DEFAULT_THREAD_STACKSIZE;
    size = (size + 7u) & ~7u;
    if (prio <= 0)
        prio = DEFAULT_THREAD_PRIO;
    if (prio >= NG_PRIO_COUNT)
        prio = NG_PRIO_COUNT - 1;
    struct ng_thread *t = malloc(sizeof *t);
    uint32_t *stack = memalign(8, size);     /* AAPCS: 8-byte aligned stacks */
    LWIP_ASSERT("sys_thread_new: out of memory", t && stack);
    ng_thread_create(t, name, thread, arg, stack, size, (uint8_t)prio);
    return t;
}
