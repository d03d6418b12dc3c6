/*
 * lwip/sys.h - lwIP's operating-system abstraction: semaphores, mutexes,
 * mailboxes, threads, time and light-weight protection, with lwIP 2.x's
 * names and semantics (timeouts in milliseconds, 0 meaning "wait forever";
 * waits return the milliseconds waited or SYS_ARCH_TIMEOUT). netglass
 * implements it in api/sys_arch.c on top of kernel/.
 */
#ifndef LWIP_HDR_SYS_H
#define LWIP_HDR_SYS_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "arch/sys_arch.h"

#define SYS_ARCH_TIMEOUT 0xffffffffUL
#define SYS_MBOX_EMPTY SYS_ARCH_TIMEOUT

typedef void (*lwip_thread_fn)(void *arg);

/* Mutexes. */
err_t sys_mutex_new(sys_mutex_t *mutex);
void sys_mutex_lock(sys_mutex_t *mutex);
void sys_mutex_unlock(sys_mutex_t *mutex);
void sys_mutex_free(sys_mutex_t *mutex);
int sys_mutex_valid(sys_mutex_t *mutex);
void sys_mutex_set_invalid(sys_mutex_t *mutex);

/* Semaphores. */
err_t sys_sem_new(sys_sem_t *sem, u8_t count);
void sys_sem_signal(sys_sem_t *sem);
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout);
void sys_sem_free(sys_sem_t *sem);
int sys_sem_valid(sys_sem_t *sem);
void sys_sem_set_invalid(sys_sem_t *sem);
#define sys_sem_wait(sem) sys_arch_sem_wait(sem, 0)

/* Sleep. */
void sys_msleep(u32_t ms);

/* Mailboxes. */
err_t sys_mbox_new(sys_mbox_t *mbox, int size);
void sys_mbox_post(sys_mbox_t *mbox, void *msg);
err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg);
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg);
u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout);
u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg);
void sys_mbox_free(sys_mbox_t *mbox);
int sys_mbox_valid(sys_mbox_t *mbox);
void sys_mbox_set_invalid(sys_mbox_t *mbox);
#define sys_mbox_fetch(mbox, msg) sys_arch_mbox_fetch(mbox, msg, 0)
#define sys_mbox_tryfetch(mbox, msg) sys_arch_mbox_tryfetch(mbox, msg)

/* netglass extensions: give an object the name the trace and GDB show.
 * (lwIP's constructors take no name; unnamed objects are shown by the
 * symbol of their address, from the ELF.) */
err_t sys_mbox_new_named(sys_mbox_t *mbox, int size, const char *name);
err_t sys_sem_new_named(sys_sem_t *sem, u8_t count, const char *name);
err_t sys_mutex_new_named(sys_mutex_t *mutex, const char *name);

/* Threads. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg,
                            int stacksize, int prio);

/* Start-up and time. */
void sys_init(void);
u32_t sys_jiffies(void);
u32_t sys_now(void);

/* Light-weight protection: nests, safe from interrupts. */
sys_prot_t sys_arch_protect(void);
void sys_arch_unprotect(sys_prot_t pval);
#define SYS_ARCH_DECL_PROTECT(lev) sys_prot_t lev
#define SYS_ARCH_PROTECT(lev) lev = sys_arch_protect()
#define SYS_ARCH_UNPROTECT(lev) sys_arch_unprotect(lev)

#endif
