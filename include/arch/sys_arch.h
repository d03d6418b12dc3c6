/*
 * arch/sys_arch.h - the types behind lwIP's OS abstraction on netglass.
 * Each wraps one kernel object (kernel/kernel.h) with a "valid" flag, as
 * lwIP's sys_*_valid / sys_*_set_invalid expect.
 */
#ifndef NETGLASS_SYS_ARCH_H
#define NETGLASS_SYS_ARCH_H

#include "kernel.h"

typedef struct sys_sem {
    struct ng_sem sem;          /* first: its address names the semaphore */
    uint8_t valid;
} sys_sem_t;

typedef struct sys_mutex {
    struct ng_mutex mutex;
    uint8_t valid;
} sys_mutex_t;

typedef struct sys_mbox {
    struct ng_mbox mbox;
    uint8_t valid;
} sys_mbox_t;

typedef struct ng_thread *sys_thread_t;
typedef uint32_t sys_prot_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#endif
