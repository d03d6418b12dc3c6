/*
 * kernel/kernel.h - the netglass scheduler: threads, semaphores, mutexes,
 * mailboxes, sleep and critical sections.
 *
 * A deliberately small preemptive kernel, in the spirit of FreeRTOS and
 * uC/OS: fixed priorities (higher number = more urgent), round robin among
 * threads of equal priority on the tick, static stacks supplied by the
 * caller, and wait queues ordered by priority (FIFO within one priority).
 * It knows nothing of networking; api/sys_arch.c maps lwIP's sys_* layer
 * onto it. The parts that depend on the CPU (context switch, interrupt
 * masking, the cycle counter) are in boards/<board>/ng_arch.h and arch.c,
 * behind the interface in kernel/port.h.
 *
 * Every blocking call takes a timeout in ticks: NG_WAIT_FOREVER waits
 * forever, 0 does not wait. Results are NG_OK, NG_TIMEOUT, NG_FULL, NG_EMPTY.
 */
#ifndef NETGLASS_KERNEL_H
#define NETGLASS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel_config.h"
#include "list.h"
#include "ng_arch.h"

enum ng_result {
    NG_OK = 0,
    NG_TIMEOUT = -1,    /* the wait ended because its time ran out */
    NG_FULL = -2,       /* trypost: the mailbox is full */
    NG_EMPTY = -3,      /* tryfetch: the mailbox is empty */
};

#define NG_WAIT_FOREVER 0xffffffffu

/* What a blocked thread waits on, for the debugger and the trace. */
enum ng_wait_kind {
    NG_WAIT_NONE,
    NG_WAIT_SEM,
    NG_WAIT_MUTEX,
    NG_WAIT_MBOX_FETCH,
    NG_WAIT_MBOX_POST,
    NG_WAIT_SLEEP,
};

struct ng_thread {
    uint32_t *sp;               /* saved stack pointer; must stay first (PendSV) */
    uint8_t prio;
    uint8_t state;              /* enum ng_thread_state (tracer/events.def) */
    uint8_t id;                 /* registry id, also the trace's thread id */
    int8_t wait_result;         /* NG_OK or NG_TIMEOUT when it wakes */
    uint8_t wait_kind;          /* enum ng_wait_kind */
    uint8_t slice;              /* ticks left of its round-robin slice */
    uint8_t yielding;           /* give way to equals at the next switch */
    uint8_t pad_;
    const char *name;
    uint32_t *stack;            /* lowest word of the stack */
    uint32_t stack_size;        /* in bytes */
    struct ng_list link;        /* in a ready queue or a wait queue */
    struct ng_list timer_link;  /* in the delay list while a wait has a timeout */
    uint32_t wake_tick;
    void *wait_obj;             /* the semaphore, mutex or mailbox waited on */
    void *wait_msg;             /* mailbox message handed over while blocked */
    uint32_t switches;          /* how many times it was switched in */
    int saved_errno;            /* its errno while it is not running (ng_sched_switch) */
    void (*entry)(void *arg);
    void *arg;
    struct ng_thread *all_next; /* every thread, for the debugger */
    struct ng_arch_thread arch; /* what the port keeps per thread */
};

struct ng_sem {
    uint32_t count;
    uint8_t id;
    const char *name;
    struct ng_list waiters;
};

struct ng_mutex {
    struct ng_thread *owner;
    uint32_t depth;             /* not recursive: always 0 or 1, kept for GDB */
    uint8_t id;
    const char *name;
    struct ng_list waiters;
};

struct ng_mbox {
    void **slots;
    uint16_t size;              /* capacity */
    uint16_t count;             /* messages queued */
    uint16_t head;              /* next slot to fetch */
    uint8_t id;
    const char *name;
    struct ng_list getters;     /* threads blocked in fetch (mailbox empty) */
    struct ng_list putters;     /* threads blocked in post (mailbox full) */
    uint32_t posts, fetches, fulls, high_water;
};

/* Kernel state visible to the port and to GDB. */
extern struct ng_thread *volatile ng_current;
extern struct ng_thread *ng_all_threads;
extern volatile uint32_t ng_ticks;
extern volatile uint8_t ng_kernel_running;

/* Start-up. */
void ng_kernel_init(void);
void ng_kernel_start(void);         /* board: never returns; host: see port.h */

/* Threads. stack must be 8-byte aligned; size in bytes. */
void ng_thread_create(struct ng_thread *t, const char *name, void (*entry)(void *),
                      void *arg, uint32_t *stack, uint32_t stack_size, uint8_t prio);
void ng_thread_exit(void);
void ng_sleep(uint32_t ticks);
void ng_yield(void);
uint32_t ng_thread_stack_used(const struct ng_thread *t);   /* high-water mark, bytes */
struct ng_thread *ng_thread_self(void);

/* Counting semaphores. ng_sem_signal is safe from interrupts. */
void ng_sem_init(struct ng_sem *s, const char *name, uint32_t count);
void ng_sem_destroy(struct ng_sem *s);
int ng_sem_wait(struct ng_sem *s, uint32_t timeout);
void ng_sem_signal(struct ng_sem *s);

/* Mutexes (threads only, not recursive). */
void ng_mutex_init(struct ng_mutex *m, const char *name);
void ng_mutex_destroy(struct ng_mutex *m);
void ng_mutex_lock(struct ng_mutex *m);
void ng_mutex_unlock(struct ng_mutex *m);

/* Mailboxes: bounded rings of pointers. trypost is safe from interrupts. */
void ng_mbox_init(struct ng_mbox *mb, const char *name, void **slots, uint16_t size);
void ng_mbox_destroy(struct ng_mbox *mb);
int ng_mbox_post(struct ng_mbox *mb, void *msg, uint32_t timeout);
int ng_mbox_trypost(struct ng_mbox *mb, void *msg);
int ng_mbox_fetch(struct ng_mbox *mb, void **msg, uint32_t timeout);
int ng_mbox_tryfetch(struct ng_mbox *mb, void **msg);

/* Critical sections nest; they mask interrupts. */
static inline uint32_t ng_crit_enter(void) { return ng_arch_irq_save(); }
static inline void ng_crit_exit(uint32_t s) { ng_arch_irq_restore(s); }

/* The object registry (like FreeRTOS's queue registry): names for the
 * trace and the debugger. Returns the id, or 0 when the registry is full. */
struct ng_registry_entry {
    const void *addr;
    const char *name;
    uint8_t kind;               /* enum ng_object_kind */
};
extern struct ng_registry_entry ng_registry[NG_REGISTRY_SIZE];
uint8_t ng_registry_add(uint8_t kind, const void *addr, const char *name);
void ng_registry_remove(uint8_t id);
void ng_registry_announce(void);    /* re-emit every NAME record (trace start) */

/* Fatal errors: print, flush the trace, exit with a distinct status. */
enum ng_exit_status {
    NG_EXIT_ASSERT = 120,
    NG_EXIT_STACK_OVERFLOW = 121,
    NG_EXIT_HARDFAULT = 122,
    NG_EXIT_MEMMANAGE = 123,
    NG_EXIT_BUSFAULT = 124,
    NG_EXIT_USAGEFAULT = 125,
    NG_EXIT_DEADLOCK = 126,     /* host build: every thread blocked forever */
    NG_EXIT_BAD_ARGS = 127,
};
void ng_panic(int status, const char *file, int line, const char *what)
    __attribute__((noreturn));
#define NG_ASSERT(cond) do { if (!(cond)) \
    ng_panic(NG_EXIT_ASSERT, __FILE__, __LINE__, #cond); } while (0)

/* Internal to kernel/ and the ports. */
void ng_sched_init(void);
void ng_sched_make_ready(struct ng_thread *t);
void ng_sched_block(struct ng_list *queue, void *obj, uint8_t kind, uint32_t timeout);
void ng_sched_wake(struct ng_thread *t, int result);
struct ng_thread *ng_sched_first_waiter(struct ng_list *queue);
struct ng_thread *ng_sched_switch(void);   /* from the port's switch point */
void ng_kernel_tick(void);                  /* from the tick interrupt */
void ng_isr_enter(uint8_t irq);
void ng_isr_exit(uint8_t irq);
void ng_thread_check_stack(struct ng_thread *t);
int ng_sched_has_timed_waiters(void);

#endif
